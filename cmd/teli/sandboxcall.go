package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

const sandboxCallUsage = `usage: teli sandbox call dial --from NUMBER --to NUMBER [--url URL] [--api-key KEY]
       teli sandbox call say [--url URL] [--api-key KEY] CALL_ID WORDS...
       teli sandbox call hangup [--url URL] [--api-key KEY] CALL_ID

Plays the person on a call of the sandbox voice platform:

  dial     call one of your voice numbers (--to) from a person's number (--from); the
           number's inbound agent answers, and the call's id is printed
  say      say WORDS on a live call (outbound or inbound); the agent's answer is printed
  hangup   hang up; the call ends, and its transcript is read for the agent's extraction

CALL_ID is the call_id of GET /v1/voice/calls (or the sandbox's own call id).

  --url URL       the server (default $TELI_URL, else http:// and $TELI_ADDR or 127.0.0.1:8080)
  --api-key KEY   your API key (default $TELI_API_KEY)
`

// sandboxCallCommand runs `teli sandbox call …`.
func sandboxCallCommand(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if err := helpOnly(sandboxCallUsage, args); err != nil {
		return err
	}
	if len(args) == 0 {
		return badUsage(sandboxCallUsage, "no call command given")
	}
	var from, to, server, apiKey string
	fs := flag.NewFlagSet("sandbox call", flag.ContinueOnError)
	fs.StringVar(&server, "url", "", "the server's base URL")
	fs.StringVar(&apiKey, "api-key", "", "API key")
	verb := args[0]
	if verb == "dial" {
		fs.StringVar(&from, "from", "", "the person's number")
		fs.StringVar(&to, "to", "", "your voice number")
	}
	flagArgs, literal := splitLiteral(args[1:])
	words, err := parseFlags(fs, sandboxCallUsage, flagArgs)
	if err != nil {
		return err
	}
	words = append(words, literal...)
	var path string
	var body any
	switch verb {
	case "dial":
		if from == "" || to == "" || len(words) > 0 {
			return badUsage(sandboxCallUsage, "dial takes --from and --to, and nothing else")
		}
		path, body = "/v1/sandbox/calls", map[string]string{"from": from, "to": to}
	case "say":
		if len(words) < 2 {
			return badUsage(sandboxCallUsage, "say takes a CALL_ID and the WORDS to say")
		}
		path, body = "/v1/sandbox/calls/"+url.PathEscape(words[0])+"/say", map[string]string{"text": strings.Join(words[1:], " ")}
	case "hangup":
		if len(words) != 1 {
			return badUsage(sandboxCallUsage, "hangup takes one CALL_ID")
		}
		path, body = "/v1/sandbox/calls/"+url.PathEscape(words[0])+"/hangup", map[string]string{}
	default:
		return badUsage(sandboxCallUsage, "unknown call command %q", verb)
	}
	if apiKey == "" {
		apiKey = getenv("TELI_API_KEY")
	}
	if apiKey == "" {
		return badUsage(sandboxCallUsage, "no API key; pass --api-key or set TELI_API_KEY")
	}
	if server == "" {
		server = defaultServerURL(getenv)
	}
	if err := checkServerURL(sandboxCallUsage, server); err != nil {
		return err
	}
	answer, err := postSandbox(ctx, server, apiKey, path, body)
	if err != nil {
		return fmt.Errorf("sandbox call %s: %w", verb, err)
	}
	switch verb {
	case "dial":
		if answered, _ := answer["answered"].(bool); !answered {
			fmt.Fprintf(stdout, "%v\n", answer["message"])
			return nil
		}
		fmt.Fprintf(stdout, "call %v answered\n", answer["call_id"])
		if t, _ := answer["transcript"].(string); t != "" {
			fmt.Fprint(stdout, t)
		}
	case "say":
		fmt.Fprintf(stdout, "Agent: %v\n", answer["agent_reply"])
	case "hangup":
		fmt.Fprintf(stdout, "call %v ended\n", answer["call_id"])
	}
	return nil
}

// postSandbox posts body to path and returns the server's success envelope, or an error with
// the server's own text.
func postSandbox(ctx context.Context, server, apiKey, path string, body any) (map[string]any, error) {
	data, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, sandboxTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(server, "/")+path, bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("X-API-Key", apiKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("reading the answer: %w", err)
	}
	var answer map[string]any
	if err := json.Unmarshal(raw, &answer); err != nil {
		snippet := strings.TrimSpace(string(raw))
		if len(snippet) > 200 {
			snippet = snippet[:200] + "…"
		}
		return nil, fmt.Errorf("unexpected answer (HTTP %d %s): %s", resp.StatusCode, http.StatusText(resp.StatusCode), snippet)
	}
	if msg, _ := answer["error"].(string); msg != "" || resp.StatusCode/100 != 2 {
		return nil, fmt.Errorf("refused (HTTP %d): %s", resp.StatusCode, msg)
	}
	return answer, nil
}
