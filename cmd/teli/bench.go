package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/openteli/teli/internal/bench"
)

const benchUsage = `usage: teli bench api [-db URL] [-rate N] [-duration D] [-concurrency N]

Boots the server in-process on 127.0.0.1 and measures its HTTP API over loopback: creating,
listing and reading agents at a constant arrival rate, then creating agents as fast as
-concurrency clients can, then (SQLite only) cold starts. It prints figures and never fails on
them.

  -db URL          empty: SQLite in a temporary directory, removed afterwards;
                   postgres://…: migrated, then used as is (its bootstrap key must be the
                   bench's own, so give it a fresh database)
  -rate N          open-loop requests per second (default 500)
  -duration D      length of each open-loop phase; the max-throughput phase runs half (default 10s)
  -concurrency N   clients of the max-throughput phase (default 32)
`

var errBenchUsage = errors.New("bad usage; see teli bench help")

// benchCommand runs a benchmark; `api` is the only one so far.
func benchCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 1 && (args[0] == "help" || args[0] == "-h" || args[0] == "--help") {
		fmt.Fprint(stdout, benchUsage)
		return nil
	}
	if len(args) == 0 || args[0] != "api" {
		fmt.Fprint(stderr, benchUsage)
		return errBenchUsage
	}
	fs := flag.NewFlagSet("bench api", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // the usage text below says more than flag's own listing
	var o bench.APIOptions
	fs.StringVar(&o.DatabaseURL, "db", "", "database URL")
	fs.IntVar(&o.Rate, "rate", 500, "open-loop requests per second")
	fs.DurationVar(&o.Duration, "duration", 10*time.Second, "length of each open-loop phase")
	fs.IntVar(&o.Concurrency, "concurrency", 32, "clients of the max-throughput phase")
	err := fs.Parse(args[1:])
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, benchUsage)
		return nil
	}
	if err != nil || fs.NArg() > 0 || o.Rate <= 0 || o.Duration <= 0 || o.Concurrency <= 0 {
		fmt.Fprint(stderr, benchUsage)
		if err == nil {
			err = errors.New("-rate, -duration and -concurrency must be positive; no other arguments")
		}
		return fmt.Errorf("%w: %v", errBenchUsage, err)
	}
	// The server under test runs in this process: tune it as teli serve does.
	tuneGC(os.Getenv)
	return bench.RunAPI(ctx, o, stdout)
}
