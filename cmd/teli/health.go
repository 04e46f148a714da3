package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

const healthUsage = `usage: teli health [--url URL]

Asks a running server whether it is up (GET /healthz): exits 0 when it answers 200 within
5 seconds, 1 otherwise. It is a container's health check that needs no shell and no curl.

  --url URL   the server (default: http:// and the address teli serve listens on with the
              same environment, $TELI_ADDR, a wildcard host reached over loopback)
`

// healthTimeout bounds the whole check; a server that takes longer is not healthy.
const healthTimeout = 5 * time.Second

// health runs `teli health`.
func health(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flag.NewFlagSet("health", flag.ContinueOnError)
	server := fs.String("url", "", "the server's base URL")
	pos, err := parseFlags(fs, healthUsage, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return badUsage(healthUsage, "unexpected argument %q", pos[0])
	}
	if *server == "" {
		*server = listenURL(getenv)
	}
	if err := checkServerURL(healthUsage, *server); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, healthTimeout)
	defer cancel()
	endpoint := strings.TrimRight(*server, "/") + "/healthz"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("health: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16)) // lets the connection close cleanly
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("health: %s answered %s", endpoint, resp.Status)
	}
	fmt.Fprintf(stdout, "%s: ok\n", endpoint)
	return nil
}
