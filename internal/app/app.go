// Package app is the composition root: it turns a configuration into a running server (database,
// job queue, voice platform, service, HTTP API) and stops it cleanly. End-to-end tests boot the
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
	"github.com/openteli/teli/internal/carrier"
	"github.com/openteli/teli/internal/clock"
	"github.com/openteli/teli/internal/config"
	"github.com/openteli/teli/internal/dispatch"
	"github.com/openteli/teli/internal/ids"
	"github.com/openteli/teli/internal/jobs"
	"github.com/openteli/teli/internal/llm"
	"github.com/openteli/teli/internal/service"
	"github.com/openteli/teli/internal/store/postgres"
	"github.com/openteli/teli/internal/store/sqlite"
	"github.com/openteli/teli/internal/teli"
	"github.com/openteli/teli/internal/voice/sandbox"
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
}

// App is a configured server, ready to Run.
type App struct {
	cfg     config.Config
	db      Database
	workers *river.Workers
	svc     *service.Service
	voice   *sandbox.Platform
	carrier carrier.Carrier
	// dispatcher and kick run dispatches the moment a request queues messages.
	dispatcher *dispatch.Dispatcher
	kick       chan struct{}
	// background runs inbound processing and agent replies in process, ahead of their jobs.
	background *inProcess
	handler    http.Handler
	log        *slog.Logger
	stdout     io.Writer
	ready      chan string
}

// New opens the database (applying SQLite migrations; refusing PostgreSQL ones that are
// pending) and wires every component.
func New(ctx context.Context, cfg config.Config, o Options) (*App, error) {
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
	workers := river.NewWorkers()
	deps := &jobs.Deps{}
	jobs.Register(workers, deps)
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
	platform := sandbox.New(db.SandboxVoice(), o.IDs, o.Clock)
	deps.Store, deps.Voice = db, platform
	deps.Dispatcher = &dispatch.Dispatcher{
		Store: db, Carrier: sender, Clock: o.Clock, Log: o.Logger,
		Wake:  func(ctx context.Context, at time.Time) error { return jobs.WakeDispatch(ctx, db, at) },
		Lease: cfg.SendLease, CarrierTimeout: cfg.CarrierTimeout, ShortWait: dispatch.DefaultShortWait,
		Limits: dispatch.Limits{
			NumberPerSecond: cfg.RateNumberPerSecond, CampaignPerSecond: cfg.RateCampaignPerSecond,
			OrgPerDay: cfg.RateOrgPerDay, Burst: cfg.RateBurst,
		},
	}
	kick := make(chan struct{}, 1)
	background := newInProcess()
	svc := service.New(service.Deps{
		Store: db, Clock: o.Clock, IDs: o.IDs, Voice: platform, Logger: o.Logger,
		Kick: func() {
			select {
			case kick <- struct{}{}:
			default: // a dispatch is already asked for; it will see these messages too
			}
		},
		Consent:    service.ConsentTexts{OptOut: cfg.OptOutText, OptIn: cfg.OptInText, Help: cfg.HelpText},
		LLM:        o.LLM,
		Background: background,
		AI: service.AISettings{
			BurstWindow: cfg.AIBurstWindow, MaxSegments: cfg.AIMaxSegments, DailyCap: cfg.AIDailyCap,
		},
	})
	deps.Inbound, deps.Conversations = svc, svc
	return &App{
		cfg: cfg, db: db, workers: workers, svc: svc, voice: platform, log: o.Logger, stdout: o.Stdout, carrier: sender,
		dispatcher: deps.Dispatcher, kick: kick, background: background,
		handler: api.New(api.Options{Service: svc, Logger: o.Logger, Carrier: sender,
			SandboxInbound: isSandbox(sender), MaxBodyBytes: cfg.MaxBodyBytes, MaxUploadBytes: cfg.MaxUploadBytes}),
		ready: make(chan string, 1),
	}, nil
}

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
	return a.db.StartJobs(ctx, a.workers, jobs.Periodic(SweepInterval(a.cfg)))
}

// StopJobs stops fetching jobs and waits for running ones to finish, or for ctx to end.
func (a *App) StopJobs(ctx context.Context) error { return a.db.StopJobs(ctx) }

// dispatchOnKick dispatches as soon as a request has queued messages, so a person's message
// goes out within milliseconds rather than when the job queue next polls. Messages queued while
// a dispatch runs are picked up by the next one; the dispatch job committed with them remains
// the guarantee if this process stops.
func (a *App) dispatchOnKick(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-a.kick:
			// A dispatch that started finishes even if stopping begins: its carrier calls
			// must not be cut off halfway.
			if _, _, err := a.dispatcher.Run(context.WithoutCancel(ctx)); err != nil {
				a.log.Warn("dispatch after a request failed; the queued job will retry", "err", err)
			}
		}
	}
}

// reclaimAfterLease runs one dispatch as soon as the claims of a process that stopped can be
// taken over, rather than at the next periodic sweep.
func (a *App) reclaimAfterLease(ctx context.Context) {
	select {
	case <-ctx.Done():
	case <-time.After(a.cfg.SendLease + time.Second):
		if err := a.db.Enqueue(context.WithoutCancel(ctx), jobs.Dispatch{}, teli.JobOpts{}); err != nil {
			a.log.Warn("could not queue the post-start dispatch", "err", err)
		}
	}
}

// Handler is the HTTP API (tests drive it directly).
func (a *App) Handler() http.Handler { return a.handler }

// Service exposes the use-cases (the admin command and tests use them).
func (a *App) Service() *service.Service { return a.svc }

// Store exposes the database.
func (a *App) Store() Database { return a.db }

// Carrier exposes the SMS carrier.
func (a *App) Carrier() carrier.Carrier { return a.carrier }

// Voice exposes the sandbox voice platform.
func (a *App) Voice() *sandbox.Platform { return a.voice }

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
	// Messages left queued by a process that stopped go out now, without waiting for the
	// periodic sweep, which runs only once this process leads the job queue.
	if err := a.db.Enqueue(ctx, jobs.Dispatch{}, teli.JobOpts{}); err != nil {
		ln.Close()
		return fmt.Errorf("start job queue: %w", err)
	}
	// The helpers stop with their own context, after HTTP has drained, so that a dispatch a
	// last request asked for finishes and none is running when the database closes.
	helpers, stopHelpers := context.WithCancel(context.WithoutCancel(ctx))
	var running sync.WaitGroup
	a.background.start(helpers)
	running.Go(func() { <-helpers.Done(); a.background.stop() })
	running.Go(func() { a.reclaimAfterLease(helpers) })
	running.Go(func() { a.dispatchOnKick(helpers) })
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
