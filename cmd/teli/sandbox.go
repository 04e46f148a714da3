package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/openteli/teli/internal/config"
)

const sandboxUsage = `usage: teli sandbox reply --from NUMBER --to NUMBER [--url URL] [--api-key KEY] MESSAGE TEXT...
       teli sandbox call dial|say|hangup ...   (teli sandbox call help)

Plays a contact on the sandbox carrier: the running server receives MESSAGE TEXT as an SMS
from --from to --to, one of your numbers, exactly as if a phone had sent it. On the sandbox
voice platform, "teli sandbox call" plays the person on a call.

  --from NUMBER   the contact's number, E.164 (+15551234567)
  --to NUMBER     your sending number, E.164 (+13135550000)
  --url URL       the server (default $TELI_URL, else http:// and $TELI_ADDR or 127.0.0.1:8080)
  --api-key KEY   your API key (default $TELI_API_KEY)

The words of MESSAGE TEXT are joined with spaces; put -- before a text that starts with "-".
`

// sandboxTimeout bounds the one request a reply makes; the server answers at once and does the
// work (keywords, the agent's reply) in the background.
const sandboxTimeout = 30 * time.Second

// sandboxReply is what `teli sandbox reply` sends.
type sandboxReply struct {
	server, apiKey string
	From           string `json:"from"`
	To             string `json:"to"`
	Body           string `json:"body"`
}

// sandboxCommand runs `teli sandbox …`: `reply` plays a contact texting, `call` a person on
// the phone.
func sandboxCommand(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if err := helpOnly(sandboxUsage, args); err != nil {
		return err
	}
	if len(args) == 0 {
		return badUsage(sandboxUsage, "no sandbox command given")
	}
	if args[0] == "call" {
		return sandboxCallCommand(ctx, args[1:], getenv, stdout)
	}
	if args[0] != "reply" {
		return badUsage(sandboxUsage, "unknown sandbox command %q", args[0])
	}
	r, err := parseSandboxReply(args[1:], getenv)
	if err != nil {
		return err
	}
	id, err := r.post(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "inbound message from %s to %s accepted (inbound_id %s)\n", r.From, r.To, id)
	return nil
}

// parseSandboxReply reads the flags, which may come before, between or after the words of the
// text, and fills the defaults from the environment.
func parseSandboxReply(args []string, getenv func(string) string) (sandboxReply, error) {
	var r sandboxReply
	fs := flag.NewFlagSet("sandbox reply", flag.ContinueOnError)
	fs.StringVar(&r.From, "from", "", "the contact's number")
	fs.StringVar(&r.To, "to", "", "your sending number")
	fs.StringVar(&r.server, "url", "", "the server's base URL")
	fs.StringVar(&r.apiKey, "api-key", "", "API key")
	flagArgs, literal := splitLiteral(args)
	words, err := parseFlags(fs, sandboxUsage, flagArgs)
	if err != nil {
		return r, err
	}
	r.Body = strings.Join(append(words, literal...), " ")
	return r, r.complete(getenv)
}

// splitLiteral splits args at the first "--": everything after it is text, even words that look
// like flags.
func splitLiteral(args []string) (flagArgs, literal []string) {
	for i, a := range args {
		if a == "--" {
			return args[:i], args[i+1:]
		}
	}
	return args, nil
}

// complete checks the required arguments and fills the server and key from the environment.
func (r *sandboxReply) complete(getenv func(string) string) error {
	var missing []string
	if r.From == "" {
		missing = append(missing, "--from")
	}
	if r.To == "" {
		missing = append(missing, "--to")
	}
	if strings.TrimSpace(r.Body) == "" {
		missing = append(missing, "MESSAGE TEXT")
	}
	if len(missing) > 0 {
		return badUsage(sandboxUsage, "missing %s", strings.Join(missing, ", "))
	}
	if r.apiKey == "" {
		r.apiKey = getenv("TELI_API_KEY")
	}
	if r.apiKey == "" {
		return badUsage(sandboxUsage, "no API key; pass --api-key or set TELI_API_KEY")
	}
	if r.server == "" {
		r.server = defaultServerURL(getenv)
	}
	return checkServerURL(sandboxUsage, r.server)
}

// checkServerURL refuses a --url that is not an http or https URL with a host.
func checkServerURL(usage, server string) error {
	if u, err := url.Parse(server); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return badUsage(usage, "--url %q must be an http or https URL such as http://127.0.0.1:8080", server)
	}
	return nil
}

// defaultServerURL is $TELI_URL, else listenURL.
func defaultServerURL(getenv func(string) string) string {
	if u := strings.TrimSpace(getenv("TELI_URL")); u != "" {
		return u
	}
	return listenURL(getenv)
}

// listenURL is the URL of the address `teli serve` listens on with the same environment. A
// wildcard listen address is reached over loopback.
func listenURL(getenv func(string) string) string {
	addr := strings.TrimSpace(getenv("TELI_ADDR"))
	if addr == "" {
		addr = config.Defaults().Addr
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://" + addr
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified() && ip.To4() != nil) {
		host = "127.0.0.1"
	} else if ip != nil && ip.IsUnspecified() {
		host = "::1"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// sandboxAnswer is the server's JSON envelope, success or error.
type sandboxAnswer struct {
	Success   bool   `json:"success"`
	Error     string `json:"error"`
	InboundID string `json:"inbound_id"`
}

// post sends the reply and returns the inbound id the server gave it.
func (r sandboxReply) post(ctx context.Context) (string, error) {
	body, err := json.Marshal(r)
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(ctx, sandboxTimeout)
	defer cancel()
	endpoint := strings.TrimRight(r.server, "/") + "/v1/sandbox/inbound"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("X-API-Key", r.apiKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("sandbox reply: %w", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", fmt.Errorf("sandbox reply: reading the answer: %w", err)
	}
	return readSandboxAnswer(resp.StatusCode, raw)
}

// readSandboxAnswer turns the server's answer into the inbound id or an error carrying the
// server's own text, which already says what to fix.
func readSandboxAnswer(status int, raw []byte) (string, error) {
	var a sandboxAnswer
	jsonErr := json.Unmarshal(raw, &a)
	switch {
	case jsonErr == nil && a.Error != "":
		return "", fmt.Errorf("sandbox reply refused (HTTP %d): %s", status, a.Error)
	case jsonErr == nil && status/100 == 2 && a.Success:
		return a.InboundID, nil
	}
	// Not Teli's envelope: perhaps a proxy, or a server too old to have the endpoint.
	snippet := strings.TrimSpace(string(raw))
	if len(snippet) > 200 {
		snippet = snippet[:200] + "…"
	}
	return "", fmt.Errorf("sandbox reply: unexpected answer (HTTP %d %s): %s", status, http.StatusText(status), snippet)
}
