package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
)

// The command-line conventions every command and subcommand follows: -h, --help, -help, or
// help as its only argument print its usage on stdout and exit 0; an unknown flag or argument
// prints the problem and the usage on stderr and exits 2, before anything is opened, created or
// sent. A command signals either by returning one of the two errors below; run prints them.

// helpRequest asks run to print usage on stdout and exit 0.
type helpRequest struct{ usage string }

func (helpRequest) Error() string { return "help requested" }

// usageError is a command line the command cannot run: run prints the problem and usage on
// stderr and exits 2.
type usageError struct{ usage, problem string }

func (e usageError) Error() string { return e.problem }

// badUsage returns a usageError with the problem formatted from format and args.
func badUsage(usage, format string, args ...any) error {
	return usageError{usage: usage, problem: fmt.Sprintf(format, args...)}
}

// isHelp reports whether arg asks for help.
func isHelp(arg string) bool {
	return arg == "help" || arg == "-h" || arg == "--help" || arg == "-help"
}

// helpOnly returns a helpRequest when args is a single request for help, else nil.
func helpOnly(usage string, args []string) error {
	if len(args) == 1 && isHelp(args[0]) {
		return helpRequest{usage}
	}
	return nil
}

// noArguments checks the command line of a command that takes none.
func noArguments(usage string, args []string) error {
	if err := helpOnly(usage, args); err != nil {
		return err
	}
	if len(args) > 0 {
		return badUsage(usage, "unexpected argument %q", args[0])
	}
	return nil
}

// parseFlags parses fs from args, whose flags may come before, between or after the
// positional arguments it returns. A request for help is a helpRequest, a bad flag a
// usageError, each with usage.
func parseFlags(fs *flag.FlagSet, usage string, args []string) ([]string, error) {
	if err := helpOnly(usage, args); err != nil {
		return nil, err
	}
	fs.SetOutput(io.Discard) // usage says more than flag's own listing
	var positional []string
	for {
		err := fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			return nil, helpRequest{usage}
		}
		if err != nil {
			return nil, badUsage(usage, "%v", err)
		}
		if fs.NArg() == 0 {
			return positional, nil
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// exitCode prints what err asks for and returns the process's exit code.
func exitCode(err error, stdout, stderr io.Writer) int {
	var help helpRequest
	var bad usageError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &help):
		fmt.Fprint(stdout, help.usage)
		return 0
	case errors.As(err, &bad):
		fmt.Fprintf(stderr, "teli: %s\n\n%s", bad.problem, bad.usage)
		return 2
	}
	fmt.Fprintln(stderr, "teli:", err)
	return 1
}
