package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"runtime/trace"
	"slices"
	"strings"
	"time"

	"github.com/openteli/teli/internal/app"
	"github.com/openteli/teli/internal/clock"
	"github.com/openteli/teli/internal/config"
	"github.com/openteli/teli/internal/ids"
	"github.com/openteli/teli/internal/jobargs"
	"github.com/openteli/teli/internal/store/postgres"
	"github.com/openteli/teli/internal/teli"
)

// LaunchOptions configure RunLaunch; zero values take the defaults.
type LaunchOptions struct {
	// DatabaseURL is as in APIOptions.
	DatabaseURL string
	// Contacts is the campaign's size (default 100000).
	Contacts int
	// Replicas is how many app instances share the database, each with its job queue and
	// dispatcher (default 1; more need PostgreSQL). The launch request goes to the first.
	Replicas int
	// ExtraDispatchJobs are dispatch jobs the bench enqueues right after the launch response,
	// on top of the one the launch enqueues itself: a stand-in for a launch that fans its
	// dispatch out, to measure what that would give. Zero measures the server as it is.
	ExtraDispatchJobs int
	// Timeout bounds the wait for every starting message to be handed over (default 10m).
	Timeout time.Duration
	// CPUProfile, when set, receives a CPU profile of the launch request and the dispatch.
	CPUProfile io.Writer
	// MemProfile, when set, receives an allocation profile written right after the launch
	// response (go tool pprof -sample_index=alloc_space).
	MemProfile io.Writer
	// Trace, when set, receives an execution trace of the launch request and the dispatch
	// (go tool trace): where the dispatcher waits.
	Trace io.Writer
}

func (o LaunchOptions) withDefaults() LaunchOptions {
	if o.Contacts <= 0 {
		o.Contacts = 100000
	}
	if o.Replicas <= 0 {
		o.Replicas = 1
	}
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Minute
	}
	return o
}

// progressEvery is how often a long wait for the hand-off prints how far it got.
const progressEvery = 5 * time.Second

// RunLaunch boots the server (o.Replicas instances on one database) with the sandbox carrier and
// no throughput limits, launches one campaign of o.Contacts recipients over HTTP, waits until
// every starting message is handed to the carrier, and prints the figures: the launch request's
// response time, the hand-off time and rate, the process's peak RSS, and the database's raw
// insert rate for comparison.
func RunLaunch(ctx context.Context, o LaunchOptions, out io.Writer) error {
	o = o.withDefaults()
	tmp, err := os.MkdirTemp("", "teli-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	cfg := serverConfig(filepath.Join(tmp, "main"))
	cfg.DatabaseURL = o.DatabaseURL
	cfg.Carrier = config.CarrierSandbox
	cfg.RateNumberPerSecond, cfg.RateCampaignPerSecond, cfg.RateOrgPerDay = 0, 0, 0
	kind, target, err := cfg.Database()
	if err != nil {
		return err
	}
	if o.Replicas > 1 && kind != config.Postgres {
		return errors.New("bench: more than one replica needs PostgreSQL (-db postgres://…)")
	}
	if kind == config.Postgres {
		if err := postgres.Migrate(ctx, target, nil); err != nil {
			return err
		}
	}
	aud, err := pickAudience(time.Now())
	if err != nil {
		return err
	}
	r := &launchRun{o: o, kind: kind, aud: aud}
	// One at a time: the first bootstraps an empty database, and two at once would race.
	for i := range o.Replicas {
		opts := app.Options{Clock: aud.clock}
		clk := aud.clock
		if clk == nil {
			clk = clock.System{}
		}
		opts.IDs = replicaIDs{IDSource: ids.Random{Clock: clk}, tag: "0123456789abcdef"[i%16]}
		srv, err := startWith(ctx, cfg, opts)
		if err != nil {
			r.stop()
			return err
		}
		r.servers = append(r.servers, srv)
	}
	if r.db, err = openBenchDB(ctx, cfg); err != nil {
		r.stop()
		return err
	}
	defer r.db.close()
	err = r.launch(ctx, out)
	if stopErr := r.stop(); err == nil {
		err = stopErr
	}
	if err == nil {
		// After the servers stop, so nothing else writes while the database is timed alone.
		err = r.raw(ctx, out)
	}
	return err
}

// launchRun is one RunLaunch in progress.
type launchRun struct {
	o       LaunchOptions
	kind    string
	aud     audience
	servers []*server
	db      benchDB
	// the figures
	dispatchRate float64
	launchRate   float64
}

func (r *launchRun) stop() error {
	var errs []error
	for _, s := range slices.Backward(r.servers) {
		errs = append(errs, s.stop())
	}
	r.servers = nil
	return errors.Join(errs...)
}

// launch runs the measured part: the request, then the wait for the hand-off.
func (r *launchRun) launch(ctx context.Context, out io.Writer) error {
	o := r.o
	c := newClient(r.servers[0].base)
	defer c.hc.CloseIdleConnections() // else shutdown waits for them to time out
	c.hc.Timeout = o.Timeout
	org, admin, err := orgAndAdmin(ctx, c)
	if err != nil {
		return fmt.Errorf("bench setup: %w", err)
	}
	agent, err := createSMSAgent(ctx, c, org, admin)
	if err != nil {
		return fmt.Errorf("bench setup: %w", err)
	}
	id := newCampaignID()
	body := campaignBody(id, org, admin, agent, r.aud, o.Contacts, false)
	bodyLen := int64(len(body))

	fmt.Fprintf(out, "teli bench launch: database %s, %d replica(s), GOMAXPROCS %d, NumCPU %d, %s %s/%s\n",
		r.kind, o.Replicas, runtime.GOMAXPROCS(0), runtime.NumCPU(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	fmt.Fprintf(out, "campaign: %d contacts, %s; sandbox carrier, throughput limits off; request body %s\n",
		o.Contacts, r.aud.describe(), mb(bodyLen))
	if o.ExtraDispatchJobs > 0 {
		fmt.Fprintf(out, "%d extra dispatch jobs enqueued by the bench after the response (not what the server does alone)\n",
			o.ExtraDispatchJobs)
	}
	fmt.Fprintln(out)

	runtime.GC()
	before := readMemory()
	peakReset := resetPeakRSS()
	if o.CPUProfile != nil {
		if err := pprof.StartCPUProfile(o.CPUProfile); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if o.Trace != nil {
		if err := trace.Start(o.Trace); err != nil {
			return err
		}
		defer trace.Stop()
	}
	heap := sampleHeap(5 * time.Millisecond)
	var resp launchResponse
	t0 := time.Now()
	err = c.do(ctx, "POST", "/v1/campaigns", body, &resp)
	apiTime := time.Since(t0)
	launchHeap := heap.peaks()
	launchMem := readMemory()
	if err != nil {
		return fmt.Errorf("launch: %w", err)
	}
	body = nil
	if o.MemProfile != nil {
		if err := pprof.Lookup("allocs").WriteTo(o.MemProfile, 0); err != nil {
			return err
		}
	}
	resetPeakRSS()
	heap = sampleHeap(5 * time.Millisecond)
	if resp.Details.TotalContacts != o.Contacts {
		return fmt.Errorf("launch opened %d threads of %d contacts (%d invalid)", resp.Details.TotalContacts, o.Contacts, resp.Details.Invalid)
	}
	pk, err := r.db.campaignPK(ctx, id)
	if err != nil {
		return fmt.Errorf("find the campaign: %w", err)
	}
	for i := range o.ExtraDispatchJobs {
		s := r.servers[i%len(r.servers)]
		if err := s.app.Store().Enqueue(ctx, jobargs.Dispatch{}, teli.JobOpts{}); err != nil {
			return err
		}
	}
	done, err := r.wait(ctx, pk, t0, out)
	dispatchHeap := heap.peaks()
	dispatchMem := readMemory()
	pprof.StopCPUProfile()
	trace.Stop()
	if err != nil {
		return err
	}

	counts, err := r.db.statusCounts(ctx, pk)
	if err != nil {
		return err
	}
	first, last, err := r.db.handoffSpan(ctx, pk)
	if err != nil {
		return err
	}
	perReplica, err := r.db.replicaCounts(ctx, pk)
	if err != nil {
		return err
	}
	n := float64(o.Contacts)
	r.launchRate = n / apiTime.Seconds()
	dispatch := done - apiTime
	r.dispatchRate = n / dispatch.Seconds()
	span := last.Sub(first)
	fmt.Fprintf(out, "%-34s %10s ms   %s contacts/s (leads, threads and messages written; %d threads opened)\n",
		"launch: POST /v1/campaigns", ms(apiTime), rate(r.launchRate), resp.Details.TotalContacts)
	fmt.Fprintf(out, "%-34s %10s ms   from the request's start (statuses: %s)\n",
		"hand-off: all messages delivered", ms(done), statusList(counts))
	fmt.Fprintf(out, "%-34s %10s ms   %s messages/s handed to the sandbox carrier\n",
		"hand-off after the response", ms(dispatch), rate(r.dispatchRate))
	if span > 0 {
		// The first message may be handed over before the response leaves, so this span can be
		// a little longer than the line above.
		fmt.Fprintf(out, "%-34s %10s ms   %s messages/s (server clock, first to last hand-off)\n",
			"hand-off span", ms(span), rate(n/span.Seconds()))
	}
	if o.Replicas > 1 || len(perReplica) > 1 {
		var parts []string
		for _, k := range slices.Sorted(maps.Keys(perReplica)) {
			parts = append(parts, fmt.Sprintf("replica %s: %d", k, perReplica[k]))
		}
		fmt.Fprintf(out, "%-34s %s\n", "messages handed over by", strings.Join(parts, ", "))
	}
	fmt.Fprintf(out, "\npeak RSS (VmHWM) of the whole process: servers, load generator and its %s request body; RSS before the launch %s\n",
		mb(bodyLen), mb(before.now))
	if !peakReset {
		fmt.Fprintf(out, "  (VmHWM cannot be reset here: both figures are the peak since the process started)\n")
	}
	fmt.Fprintf(out, "%-34s %10s      Go heap: peak live %s, runtime-mapped %s (GOGC %d)\n",
		"during the launch request", mb(launchMem.peak), launchHeap.liveText(), mb(int64(launchHeap.mapped)), gcPercent())
	fmt.Fprintf(out, "%-34s %10s      Go heap: peak live %s, runtime-mapped %s; RSS at the end %s\n",
		"during the hand-off", mb(dispatchMem.peak), dispatchHeap.liveText(), mb(int64(dispatchHeap.mapped)), mb(dispatchMem.now))
	fmt.Fprintf(out, "%-34s (the hand-off starts with what the launch left: the runtime returns freed memory to the\n"+
		"%-34s  system only gradually, so its peak RSS is at least the RSS at the response)\n", "", "")
	return nil
}

// gcPercent reads the garbage collector's GOGC setting.
func gcPercent() int {
	p := debug.SetGCPercent(100)
	debug.SetGCPercent(p)
	return p
}

// wait polls the campaign's status until it is COMPLETED, which the store sets once no
// starting message is queued or sending; it returns the time since t0. One indexed row every
// 10 ms costs the server next to nothing.
func (r *launchRun) wait(ctx context.Context, pk string, t0 time.Time, out io.Writer) (time.Duration, error) {
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	nextReport := t0.Add(progressEvery)
	for {
		st, err := r.db.campaignStatus(ctx, pk)
		if err != nil {
			return 0, err
		}
		if st == string(teli.CampaignCompleted) {
			return time.Since(t0), nil
		}
		if time.Since(t0) > r.o.Timeout {
			counts, _ := r.db.statusCounts(ctx, pk)
			return 0, fmt.Errorf("not every starting message was handed over within %v (campaign %s; statuses: %s)",
				r.o.Timeout, st, statusList(counts))
		}
		if now := time.Now(); now.After(nextReport) {
			nextReport = now.Add(progressEvery)
			if n, err := r.db.pending(ctx, pk); err == nil {
				fmt.Fprintf(out, "  … %5.1f s: %d starting messages still queued or sending\n", now.Sub(t0).Seconds(), n)
			}
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
}

// raw times the database's bare insert rate of message-shaped rows, for comparison.
func (r *launchRun) raw(ctx context.Context, out io.Writer) error {
	modes := []insertMode{insertBare, insertIndexed}
	if r.kind == config.Postgres {
		modes = append(modes, copyIndexed)
	}
	fmt.Fprintf(out, "\nraw inserts of %d message-shaped rows into a scratch table, one transaction, %d rows per INSERT:\n",
		r.o.Contacts, rawBatch)
	for _, m := range modes {
		took, err := r.db.rawInsert(ctx, r.o.Contacts, m)
		if err != nil {
			return fmt.Errorf("raw insert (%s): %w", m, err)
		}
		perSec := float64(r.o.Contacts) / took.Seconds()
		fmt.Fprintf(out, "%-34s %10s ms   %s rows/s; launch %.2f×, hand-off %.2f× of it\n",
			"raw "+m.String(), ms(took), rate(perSec), r.launchRate/perSec, r.dispatchRate/perSec)
	}
	return nil
}

// rate prints a per-second figure with thousands separators.
func rate(v float64) string {
	s := fmt.Sprintf("%.0f", v)
	var b strings.Builder
	for i, d := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(d)
	}
	return b.String()
}

// statusList prints status counts as "delivered 100000, queued 3".
func statusList(counts map[string]int) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(counts)) {
		parts = append(parts, fmt.Sprintf("%s %d", k, counts[k]))
	}
	if parts == nil {
		return "none"
	}
	return strings.Join(parts, ", ")
}
