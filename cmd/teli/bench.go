package main

import (
	"context"
	"flag"
	"io"
	"os"
	"time"

	"github.com/openteli/teli/internal/bench"
)

const benchUsage = `usage: teli bench api    [-db URL] [-rate N] [-duration D] [-concurrency N] [-cpuprofile FILE]
       teli bench launch [-db URL] [-contacts N] [-replicas N] [-extra-dispatch-jobs N]
                         [-timeout D] [-cpuprofile FILE] [-memprofile FILE]
                         [-trace FILE]
       teli bench send   [-db URL] [-rate N] [-duration D] [-concurrency N] [-contacts N]
                         [-live] [-cpuprofile FILE]

Each benchmark boots the server in-process on 127.0.0.1 and drives it over loopback HTTP. It
prints figures and never fails on them. The load generator shares the process and the CPUs with
the server, so the figures are a lower bound of a dedicated server's.

api: creating, listing and reading agents at a constant arrival rate, then creating agents as
fast as -concurrency clients can, then (SQLite only) cold starts.

launch: one POST /v1/campaigns of -contacts recipients, with the sandbox carrier and no
throughput limits, to numbers of a single-zone area code whose local time is inside the
08:00–21:00 window (when no such zone is, the server's clock is shifted to noon in New York).
It prints the launch request's response time; the time until every starting message is handed
to the carrier (status delivered: the bench polls the campaign's status in the database) and
the messages per second after the response; the peak RSS (VmHWM) of the whole process, servers
and load generator together, for the request and for the hand-off (VmHWM is reset in between
where Linux allows), with the Go heap's peak live and mapped sizes; and, for comparison, the
database's raw insert rate of as many message-shaped rows into a scratch table. With
-replicas N (PostgreSQL only) N app instances share the database, each with its job queue.

send: launches a campaign of -contacts threads (a dry run unless -live), then POST
/v1/sms/send at -rate requests per second for -duration, each to a thread not messaged before,
latency from each request's scheduled start; then -concurrency clients back to back for half of
-duration.

  -db URL          empty: SQLite in a temporary directory, removed afterwards;
                   postgres://…: migrated, then used as is (its bootstrap key must be the
                   bench's own, so give it a fresh database)
  -rate N          open-loop requests per second (api: default 500; send: default 200)
  -duration D      length of each open-loop phase; the max-throughput phase runs half (default 10s)
  -concurrency N   clients of the max-throughput phase (default 32)
  -contacts N      campaign size (launch: default 100000; send: default 10000)
  -replicas N      launch: app instances on one PostgreSQL database, each with its job queue and
                   dispatcher; the launch request goes to the first (default 1)
  -extra-dispatch-jobs N
                   launch: dispatch jobs the bench enqueues after the response, besides the one
                   the launch enqueues: shows what a launch that fanned out its dispatch would
                   give (default 0: the server as it is)
  -timeout D       launch: longest wait for the hand-off (default 10m)
  -live            send: launch a live campaign (starting messages through the sandbox carrier)
                   instead of a dry run
  -cpuprofile FILE write a CPU profile of the measured phases (go tool pprof FILE)
  -memprofile FILE launch: write the allocation profile right after the launch response
                   (go tool pprof -sample_index=alloc_space FILE)
  -trace FILE      launch: write an execution trace of the request and the hand-off (go tool trace)
`

// benchCommand runs a benchmark: api, launch or send.
func benchCommand(ctx context.Context, args []string, stdout io.Writer) error {
	if err := helpOnly(benchUsage, args); err != nil {
		return err
	}
	if len(args) == 0 {
		return badUsage(benchUsage, "no benchmark given")
	}
	name := args[0]
	if name != "api" && name != "launch" && name != "send" {
		return badUsage(benchUsage, "unknown benchmark %q", name)
	}
	fs := flag.NewFlagSet("bench "+name, flag.ContinueOnError)
	var (
		db, profile, memProfile  string
		traceFile                string
		rate, concurrency, conts int
		replicas, extraJobs      int
		duration, timeout        time.Duration
		live                     bool
	)
	fs.StringVar(&db, "db", "", "database URL")
	fs.StringVar(&profile, "cpuprofile", "", "CPU profile file")
	defaultRate, defaultContacts := 500, 100000
	if name == "send" {
		defaultRate, defaultContacts = 200, 10000
	}
	switch name {
	case "api", "send":
		fs.IntVar(&rate, "rate", defaultRate, "open-loop requests per second")
		fs.DurationVar(&duration, "duration", 10*time.Second, "length of each open-loop phase")
		fs.IntVar(&concurrency, "concurrency", 32, "clients of the max-throughput phase")
	}
	switch name {
	case "launch", "send":
		fs.IntVar(&conts, "contacts", defaultContacts, "campaign size")
	}
	if name == "launch" {
		fs.IntVar(&replicas, "replicas", 1, "app instances")
		fs.IntVar(&extraJobs, "extra-dispatch-jobs", 0, "dispatch jobs enqueued by the bench")
		fs.DurationVar(&timeout, "timeout", 10*time.Minute, "longest wait for the hand-off")
		fs.StringVar(&memProfile, "memprofile", "", "allocation profile file")
		fs.StringVar(&traceFile, "trace", "", "execution trace file")
	}
	if name == "send" {
		fs.BoolVar(&live, "live", false, "launch a live campaign")
	}
	pos, err := parseFlags(fs, benchUsage, args[1:])
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return badUsage(benchUsage, "unexpected argument %q", pos[0])
	}
	if name != "launch" && (rate <= 0 || duration <= 0 || concurrency <= 0) ||
		name != "api" && conts <= 0 || name == "launch" && (replicas <= 0 || extraJobs < 0 || timeout <= 0) {
		return badUsage(benchUsage, "counts, rates and durations must be positive")
	}
	var prof io.Writer
	if profile != "" {
		f, err := os.Create(profile)
		if err != nil {
			return err
		}
		defer f.Close()
		prof = f
	}
	var memProf io.Writer
	if memProfile != "" {
		f, err := os.Create(memProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		memProf = f
	}
	var traceOut io.Writer
	if traceFile != "" {
		f, err := os.Create(traceFile)
		if err != nil {
			return err
		}
		defer f.Close()
		traceOut = f
	}
	// The server under test runs in this process: tune it as teli serve does.
	tuneGC(os.Getenv)
	switch name {
	case "launch":
		return bench.RunLaunch(ctx, bench.LaunchOptions{DatabaseURL: db, Contacts: conts, Replicas: replicas,
			ExtraDispatchJobs: extraJobs, Timeout: timeout, CPUProfile: prof, MemProfile: memProf, Trace: traceOut}, stdout)
	case "send":
		return bench.RunSend(ctx, bench.SendOptions{DatabaseURL: db, Rate: rate, Duration: duration,
			Concurrency: concurrency, Contacts: conts, Live: live, CPUProfile: prof}, stdout)
	}
	return bench.RunAPI(ctx, bench.APIOptions{DatabaseURL: db, Rate: rate, Duration: duration,
		Concurrency: concurrency, CPUProfile: prof}, stdout)
}
