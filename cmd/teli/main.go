// Command teli is the Teli server: an open-source, self-hostable server for AI-driven SMS and
// voice outreach, wire-compatible with the Teli partner API.
//
//	teli serve     run the server
//	teli migrate   apply database migrations (required before serve on PostgreSQL)
//	teli admin     manage tenants and API keys
//	teli bench     measure the API, a campaign launch and manual sends (teli bench help)
//	teli sandbox   play a contact texting, or a person on a call (teli sandbox help)
//	teli health    ask a running server whether it is up (a container's health check)
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
  sandbox   play a contact texting (teli sandbox reply ...) or on a call (teli sandbox call ...)
  health    ask a running server whether it is up (for container health checks)
  version   print the version

Every command answers -h, --help and help with its own usage.
`

const versionUsage = `usage: teli version

Prints the version of this binary and the revision it was built from.
`

// run is main without the process: arguments, environment and output are parameters so tests
// can drive every command. It returns the exit code.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	return exitCode(command(ctx, args, getenv, stdout, stderr), stdout, stderr)
}

// command runs the command args name.
func command(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return badUsage(usage, "no command given")
	}
	name, rest := args[0], args[1:]
	switch name {
	case "serve":
		return serve(ctx, rest, getenv, stdout, stderr)
	case "migrate":
		return migrate(ctx, rest, getenv, stdout, stderr)
	case "admin":
		return admin(ctx, rest, getenv, stdout, stderr)
	case "bench":
		return benchCommand(ctx, rest, stdout)
	case "sandbox":
		return sandboxCommand(ctx, rest, getenv, stdout)
	case "health":
		return health(ctx, rest, getenv, stdout)
	case "version":
		if err := noArguments(versionUsage, rest); err != nil {
			return err
		}
		fmt.Fprintln(stdout, "teli", versionString())
		return nil
	}
	switch {
	case isHelp(name) && len(rest) == 0:
		return helpRequest{usage}
	case isHelp(name) && len(rest) == 1 && !isHelp(rest[0]):
		// teli help serve: that command's usage.
		return command(ctx, []string{rest[0], "help"}, getenv, stdout, stderr)
	case isHelp(name):
		return badUsage(usage, "help takes at most one command")
	}
	return badUsage(usage, "unknown command %q", name)
}
