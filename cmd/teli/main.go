// Command teli is the Teli server: an open-source, self-hostable server for AI-driven SMS and
// voice outreach, wire-compatible with the Teli partner API.
//
//	teli serve     run the server
//	teli migrate   apply database migrations (required before serve on PostgreSQL)
//	teli admin     manage tenants and API keys
//	teli bench     measure the API, a campaign launch and manual sends (teli bench help)
//	teli sandbox   play a contact texting a sandbox number (teli sandbox help)
//	teli version   print the version
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

const usage = `usage: teli <command> [arguments]

commands:
  serve     run the server (configuration from TELI_* environment variables)
  migrate   apply database migrations
  admin     manage tenants and API keys (teli admin help)
  bench     measure the server: teli bench api | launch | send (teli bench help)
  sandbox   play a contact texting a sandbox number (teli sandbox reply --from N --to N TEXT...)
  version   print the version
`

// run is main without the process: arguments, environment and output are parameters so tests
// can drive every command. It returns the exit code.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "serve":
		err = serve(ctx, getenv, stdout, stderr)
	case "migrate":
		err = migrate(ctx, getenv, stdout, stderr)
	case "admin":
		err = admin(ctx, args[1:], getenv, stdout, stderr)
	case "bench":
		err = benchCommand(ctx, args[1:], stdout, stderr)
	case "sandbox":
		err = sandboxCommand(ctx, args[1:], getenv, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "teli", versionString())
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
	default:
		fmt.Fprintf(stderr, "teli: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	if err != nil {
		fmt.Fprintln(stderr, "teli:", err)
		return 1
	}
	return 0
}
