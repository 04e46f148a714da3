// Package app is the composition root: it turns a configuration into a running server (database,
// job queue, voice platform, use-cases, HTTP API) and stops it cleanly. End-to-end tests boot the
// server through it.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/riverqueue/river"

	"github.com/openteli/teli/internal/api"
	"github.com/openteli/teli/internal/calls"
	"github.com/openteli/teli/internal/carrier"
	"github.com/openteli/teli/internal/clock"
	"github.com/openteli/teli/internal/config"
	"github.com/openteli/teli/internal/dispatch"
	"github.com/openteli/teli/internal/ids"
	"github.com/openteli/teli/internal/jobargs"
	"github.com/openteli/teli/internal/llm"
	"github.com/openteli/teli/internal/service"
	"github.com/openteli/teli/internal/service/agents"
	"github.com/openteli/teli/internal/service/calling"
	"github.com/openteli/teli/internal/service/conversation"
	"github.com/openteli/teli/internal/service/leads"
	"github.com/openteli/teli/internal/service/outbound"
	"github.com/openteli/teli/internal/service/tenancy"
	"github.com/openteli/teli/internal/store/postgres"
	"github.com/openteli/teli/internal/store/sqlite"
	"github.com/openteli/teli/internal/teli"
	"github.com/openteli/teli/internal/voice"
	"github.com/openteli/teli/internal/voice/sandbox"
	"github.com/openteli/teli/internal/work"
	"github.com/openteli/teli/internal/workers"
)

// Database is a store with a job queue attached, as both backends provide.
type Database interface {
	teli.Store
	StartJobs(ctx context.Context, workers *river.Workers, periodic []*river.PeriodicJob) error
	StopJobs(ctx context.Context) error
	Close() error
}

// Options inject what tests control; zero values mean production behaviour.
type Options struct {
	Clock  teli.Clock
	IDs    teli.IDSource
	Logger *slog.Logger
	// Stdout receives the lines an operator must see: the listen address and a bootstrap key.
	Stdout io.Writer
	// LLM is the language model the agents answer with; nil runs without AI (inbound messages
	// the agent would answer wait for a person).
	LLM llm.Provider
	// Carrier replaces the carrier the configuration names (benchmarks wrap the sandbox to
	// time each hand-off).
	Carrier carrier.Carrier
	// Voice replaces the voice platform the configuration names (tests point a Retell adapter
	// at a fake).
	Voice voice.Telephony
}

// App is a configured server, ready to Run.
type App struct {
	cfg     config.Config
	db      Database
	workers *river.Workers
	svc     api.Services
	// voice is the voice platform; sandbox is it when it is the built-in one, whose simulated
	// calls run from StartJobs to StopJobs (stopVoice).
	voice     voice.Telephony
	sandbox   *sandbox.Platform
	stopVoice context.CancelFunc
	carrier   carrier.Carrier
	// work does in process, ahead of their jobs, what requests and jobs set off: dispatches,
	// inbound processing, agent replies.
	work    *work.Queue
	handler http.Handler
	log     *slog.Logger
	stdout  io.Writer
	ready   chan string
}

// withDefaults fills in production behaviour where o leaves it zero.
func (o Options) withDefaults() Options {
	if o.Clock == nil {
		o.Clock = clock.System{}
	}
	if o.IDs == nil {
		o.IDs = ids.Random{Clock: o.Clock}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Stdout == nil {
		o.Stdout = io.Discard
	}
	return o
}

// New opens the database (applying SQLite migrations; refusing PostgreSQL ones that are
// pending) and wires every component, each built complete: the database, the dispatcher, the
// work queue, the use-cases, then the workers that call them and the HTTP API.
func New(ctx context.Context, cfg config.Config, o Options) (*App, error) {
	o = o.withDefaults()
	db, err := OpenDatabase(ctx, cfg, o.Logger)
	if err != nil {
		return nil, err
	}
	sender := o.Carrier
	if sender == nil {
		if sender, err = NewCarrier(cfg, o.IDs, o.Clock); err != nil {
			db.Close()
			return nil, err
		}
	}
	platform, sandboxVoice, err := newVoice(cfg, db, o)
	if err != nil {
		db.Close()
		return nil, err
	}
	dispatcher := newDispatcher(cfg, db, sender, o)
	callDispatcher := newCallDispatcher(cfg, db, platform, o)
	queue := work.New(db, o.Clock, o.Logger, work.Outboxes{
		Messages: func(ctx context.Context) error {
			_, _, err := dispatcher.Run(ctx)
			return err
		},
		Calls: func(ctx context.Context) error {
			_, _, err := callDispatcher.Run(ctx)
			return err
		},
	})
	svc := newServices(cfg, db, platform, queue, o)
	// The job queue inserts from the moment the database is open; it works jobs only once
	// StartJobs hands it these workers, by then complete.
	jobWorkers := river.NewWorkers()
	workers.Register(jobWorkers, workers.Deps{
		Store: db, Voice: platform, Dispatcher: dispatcher, Conversation: svc.Conversation, Outbound: svc.Outbound,
		Calls: callDispatcher, Calling: svc.Calling, Clock: o.Clock, StaleCallAfter: cfg.Voice.StaleCallAfter,
	})
	apiOpts := api.Options{Services: svc, Logger: o.Logger, Carrier: sender,
		SandboxInbound: isSandbox(sender), MaxBodyBytes: cfg.MaxBodyBytes, MaxUploadBytes: cfg.MaxUploadBytes}
	if sandboxVoice != nil {
		apiOpts.SandboxPhone = sandboxVoice
	} else if hooks, ok := platform.(api.VoicePlatform); ok {
		apiOpts.Voice = hooks
	}
	return &App{
		cfg: cfg, db: db, workers: jobWorkers, svc: svc, voice: platform, sandbox: sandboxVoice,
		log: o.Logger, stdout: o.Stdout, carrier: sender, work: queue, handler: api.New(apiOpts),
		ready: make(chan string, 1),
	}, nil
}

// newCallDispatcher is the call outbox's dispatcher of the configuration.
func newCallDispatcher(cfg config.Config, db Database, platform voice.Telephony, o Options) *calls.Dispatcher {
	return &calls.Dispatcher{
		Store: db, Platform: platform, Clock: o.Clock, Log: o.Logger,
		Wake:   func(ctx context.Context, at time.Time) error { return workers.WakeCallDispatch(ctx, db, at) },
		Limits: calls.Limits{PerNumber: cfg.Voice.MaxCallsPerNumber, PerCampaign: cfg.Voice.MaxCallsPerCampaign},
		Lease:  cfg.Voice.CallLease, PlatformTimeout: cfg.Voice.Timeout,
	}
}

// newDispatcher is the outbox dispatcher of the configuration.
func newDispatcher(cfg config.Config, db Database, sender carrier.Carrier, o Options) *dispatch.Dispatcher {
	return &dispatch.Dispatcher{
		Store: db, Carrier: sender, Clock: o.Clock, Log: o.Logger,
		Wake:  func(ctx context.Context, at time.Time) error { return workers.WakeDispatch(ctx, db, at) },
		Lease: cfg.SendLease, CarrierTimeout: cfg.CarrierTimeout, ShortWait: dispatch.DefaultShortWait,
		Limits: dispatch.Limits{
			NumberPerSecond: cfg.RateNumberPerSecond, CampaignPerSecond: cfg.RateCampaignPerSecond,
			OrgPerDay: cfg.RateOrgPerDay, Burst: cfg.RateBurst,
		},
	}
}

// newServices builds the use-cases, each with the part of the database it uses.
func newServices(cfg config.Config, db Database, platform voice.Telephony, queue *work.Queue, o Options) api.Services {
	access := service.NewAccess(db)
	conv := conversation.New(conversation.Deps{
		Store: db, Clock: o.Clock, IDs: o.IDs, Logger: o.Logger,
		Consent: conversation.ConsentTexts{OptOut: cfg.OptOutText, OptIn: cfg.OptInText, Help: cfg.HelpText},
		LLM:     o.LLM,
		Work:    queue,
		AI: conversation.AISettings{
			BurstWindow: cfg.AIBurstWindow, MaxSegments: cfg.AIMaxSegments, DailyCap: cfg.AIDailyCap,
		},
	})
	return api.Services{
		Tenancy: tenancy.New(db, o.Clock, o.IDs),
		Agents: agents.New(agents.Deps{
			Store: db, Access: access, Clock: o.Clock, IDs: o.IDs, Voice: platform, Logger: o.Logger,
		}),
		Leads: leads.New(leads.Deps{Store: db, Access: access, Clock: o.Clock, IDs: o.IDs}),
		Outbound: outbound.New(outbound.Deps{
			Store: db, Access: access, Clock: o.Clock, IDs: o.IDs, Work: queue, Conversation: conv,
		}),
		Conversation: conv,
		Calling: calling.New(calling.Deps{
			Store: db, Access: access, Clock: o.Clock, IDs: o.IDs, Platform: platform, Work: queue,
			Model: o.LLM, ModelTimeout: modelTimeout, Logger: o.Logger,
		}),
	}
}

// modelTimeout bounds one request to the model reading a call's transcript.
const modelTimeout = time.Minute

// SweepInterval is how often a dispatch runs even when nothing woke one: often enough that a
// claim whose lease expired is taken over soon after, at most every 30 seconds.
func SweepInterval(cfg config.Config) time.Duration {
	return max(min(cfg.SendLease/2, 30*time.Second), time.Second)
}

// OpenDatabase opens the configured database. It inserts jobs at once and works them once
// StartJobs is given the workers.
func OpenDatabase(ctx context.Context, cfg config.Config, log *slog.Logger) (Database, error) {
	kind, target, err := cfg.Database()
	if err != nil {
		return nil, err
	}
	if kind == config.Postgres {
		return postgres.Open(ctx, postgres.Options{URL: target, Logger: log, MaxJobWorkers: cfg.JobWorkers})
	}
	return sqlite.Open(ctx, sqlite.Options{Path: target, Logger: log, MaxJobWorkers: cfg.JobWorkers})
}

// StartJobs works background jobs (Run does; tests that drive the handler without serving
// HTTP call it themselves), until StopJobs.
func (a *App) StartJobs(ctx context.Context) error {
	if err := a.db.StartJobs(ctx, a.workers, workers.Periodic(SweepInterval(a.cfg))); err != nil {
		return err
	}
	if a.sandbox == nil {
		return nil
	}
	// The sandbox's calls report to the calling service as a hosted platform's webhooks do;
	// it resumes the calls a stopped process left unfinished.
	voiceCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	a.stopVoice = stop
	return a.sandbox.Start(voiceCtx, a.svc.Calling)
}

// StopJobs stops fetching jobs and waits for running ones to finish, or for ctx to end, and
// stops the sandbox's calls (they resume at the next start).
func (a *App) StopJobs(ctx context.Context) error {
	if a.stopVoice != nil {
		a.stopVoice()
		// No sandbox call may still be writing once the database closes.
		a.sandbox.Wait()
	}
	return a.db.StopJobs(ctx)
}

// reclaimAfterLease runs one dispatch of job as soon as the claims of a process that stopped
// can be taken over (after lease), rather than at the next periodic sweep.
func (a *App) reclaimAfterLease(ctx context.Context, lease time.Duration, job teli.JobArgs) {
	select {
	case <-ctx.Done():
	case <-time.After(lease + time.Second):
		if err := a.db.Enqueue(context.WithoutCancel(ctx), job, teli.JobOpts{}); err != nil {
			a.log.Warn("could not queue the post-start dispatch", "job", job.Kind(), "err", err)
		}
	}
}

// Handler is the HTTP API (tests drive it directly).
func (a *App) Handler() http.Handler { return a.handler }

// Tenancy exposes tenants, keys, organizations and users (tests use it).
func (a *App) Tenancy() *tenancy.Service { return a.svc.Tenancy }

// Outbound exposes campaigns, messaging and drips (tests use it).
func (a *App) Outbound() *outbound.Service { return a.svc.Outbound }

// Conversation exposes inbound processing, agent replies and extraction (tests use it).
func (a *App) Conversation() *conversation.Service { return a.svc.Conversation }

// Store exposes the database.
func (a *App) Store() Database { return a.db }

// Carrier exposes the SMS carrier.
func (a *App) Carrier() carrier.Carrier { return a.carrier }

// Voice exposes the voice platform.
func (a *App) Voice() voice.Telephony { return a.voice }

// SandboxVoice exposes the sandbox voice platform; nil when another platform is configured.
func (a *App) SandboxVoice() *sandbox.Platform { return a.sandbox }

// Calling exposes voice numbers, campaigns and calls (tests use it).
func (a *App) Calling() *calling.Service { return a.svc.Calling }

// Ready yields the listen address once the server accepts connections.
func (a *App) Ready() <-chan string { return a.ready }

// Close releases the database; Run calls it on the way out.
func (a *App) Close() error { return a.db.Close() }

// Run bootstraps an empty database, starts the job queue and serves HTTP until ctx is done,
// then shuts down gracefully: in-flight requests finish, then running jobs, then the database
// closes.
func (a *App) Run(ctx context.Context) error {
	defer a.Close()
	if err := a.bootstrap(ctx); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", a.cfg.Addr)
	if err != nil {
		return fmt.Errorf("TELI_ADDR: cannot listen on %s: %w", a.cfg.Addr, err)
	}
	if err := a.StartJobs(ctx); err != nil {
		ln.Close()
		return fmt.Errorf("start job queue: %w", err)
	}
	// Messages and calls left queued by a process that stopped go out now, without waiting
	// for the periodic sweep, which runs only once this process leads the job queue.
	for _, job := range []teli.JobArgs{jobargs.Dispatch{}, jobargs.DispatchCalls{}} {
		if err := a.db.Enqueue(ctx, job, teli.JobOpts{}); err != nil {
			ln.Close()
			return fmt.Errorf("start job queue: %w", err)
		}
	}
	// The helpers stop with their own context, after HTTP has drained, so that a dispatch a
	// last request asked for finishes and none is running when the database closes.
	helpers, stopHelpers := context.WithCancel(context.WithoutCancel(ctx))
	var running sync.WaitGroup
	a.work.Start(helpers)
	running.Go(func() { <-helpers.Done(); a.work.Stop() })
	running.Go(func() { a.reclaimAfterLease(helpers, a.cfg.SendLease, jobargs.Dispatch{}) })
	running.Go(func() { a.reclaimAfterLease(helpers, a.cfg.Voice.CallLease, jobargs.DispatchCalls{}) })
	defer func() { stopHelpers(); running.Wait() }()
	srv := &http.Server{Handler: a.handler, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(a.log.Handler(), slog.LevelWarn)}
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	addr := ln.Addr().String()
	fmt.Fprintf(a.stdout, "teli listening on http://%s\n", addr)
	a.log.Info("listening", "addr", addr)
	a.ready <- addr

	select {
	case err = <-serveErr: // the listener failed
	case <-ctx.Done():
	}
	return errors.Join(err, a.shutdown(srv, stopHelpers, &running))
}

// shutdown closes the listener and waits for in-flight requests, then for running jobs.
func (a *App) shutdown(srv *http.Server, stopHelpers func(), helpers *sync.WaitGroup) error {
	a.log.Info("shutting down", "timeout", a.cfg.ShutdownTimeout)
	ctx, cancel := context.WithTimeout(context.Background(), a.cfg.ShutdownTimeout)
	defer cancel()
	var errs []error
	if err := srv.Shutdown(ctx); err != nil {
		errs = append(errs, fmt.Errorf("http shutdown: %w", err))
	}
	// No request can ask for a dispatch now; let one in progress finish.
	stopHelpers()
	helpers.Wait()
	if err := a.StopJobs(ctx); err != nil {
		errs = append(errs, fmt.Errorf("job queue shutdown: %w", err))
	}
	return errors.Join(errs...)
}
