// Package anthropic is the llm.Provider for Anthropic's Messages API (spec/contracts.md §3.7):
// POST {base}/v1/messages with x-api-key and anthropic-version 2023-06-01, the system prompt as
// a top-level field, tools with input_schema, and structured output by forcing a tool call
// (tool_choice {"type":"tool","name":…}) whose input is the answer. It is hand-written on
// net/http, sharing the retry rules of the openai adapter; anthropictest is its fake.
package anthropic

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/openteli/teli/internal/llm"
	"github.com/openteli/teli/internal/llm/internal/transport"
)

// Defaults for Config.
const (
	// DefaultBaseURL is Anthropic's API root (without /v1).
	DefaultBaseURL = "https://api.anthropic.com"
	// DefaultModel is the alias of Claude Sonnet 4.5, Anthropic's current balanced model.
	DefaultModel = "claude-sonnet-4-5"
	// DefaultMaxTokens caps answers when neither the Request nor Config says; the API
	// requires max_tokens on every request.
	DefaultMaxTokens = 1024
	// DefaultTimeout bounds each attempt (request sent to last byte read).
	DefaultTimeout = 60 * time.Second
	// Version is the anthropic-version header value this adapter speaks.
	Version = "2023-06-01"
)

// Config configures a Client.
type Config struct {
	// BaseURL is the API root; DefaultBaseURL when empty. A trailing /v1 is tolerated.
	BaseURL string
	// APIKey is sent as x-api-key.
	APIKey string
	// Model is the model name or alias; DefaultModel when empty.
	Model string
	// HTTPClient sends the requests; a client without overall timeout when nil.
	HTTPClient *http.Client
	// Timeout bounds each attempt; DefaultTimeout when 0, none when negative.
	Timeout time.Duration
	// Retry is the retry policy; the zero value retries twice.
	Retry llm.RetryPolicy
	// Stream makes every call use server-sent events, accumulated into the same Response.
	Stream bool
	// MaxTokens caps answers of requests that leave Request.MaxTokens 0; DefaultMaxTokens when 0.
	MaxTokens int
}

// Client is an llm.Provider for one Anthropic model. It is safe for concurrent use.
type Client struct {
	cfg      Config
	endpoint string
}

var _ llm.Provider = (*Client)(nil)

// New checks cfg and returns a Client. It makes no network call.
func New(cfg Config) (*Client, error) {
	raw := cfg.BaseURL
	if raw == "" {
		raw = DefaultBaseURL
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("anthropic: base URL %q is not an absolute http(s) URL", raw)
	}
	u.Path = strings.TrimSuffix(strings.TrimRight(u.Path, "/"), "/v1")
	u.RawQuery, u.Fragment = "", ""
	if cfg.Model == "" {
		cfg.Model = DefaultModel
	}
	if cfg.MaxTokens < 0 {
		return nil, fmt.Errorf("anthropic: negative MaxTokens %d", cfg.MaxTokens)
	}
	if cfg.MaxTokens == 0 {
		cfg.MaxTokens = DefaultMaxTokens
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{}
	}
	cfg.BaseURL = u.String()
	return &Client{cfg: cfg, endpoint: cfg.BaseURL + "/v1/messages"}, nil
}

// Complete sends req to the Messages API; see llm.Provider. With a Schema, the model is forced
// to answer through a tool named after the schema, so it calls no other tool on that turn.
func (c *Client) Complete(ctx context.Context, req llm.Request) (llm.Response, error) {
	if err := req.Validate(); err != nil {
		return llm.Response{}, err
	}
	body, err := json.Marshal(c.wireRequest(req))
	if err != nil {
		return llm.Response{}, fmt.Errorf("anthropic: encode request: %w", err)
	}
	resp, err := transport.Do(ctx, transport.Call{
		Provider:   "anthropic",
		Client:     c.cfg.HTTPClient,
		Policy:     c.cfg.Retry,
		Timeout:    max(c.cfg.Timeout, 0),
		NewRequest: func(ctx context.Context) (*http.Request, error) { return c.httpRequest(ctx, body) },
		ParseError: parseError,
		Decode:     decode,
	})
	if err != nil {
		return resp, err
	}
	return finish(resp, req.Schema)
}

func (c *Client) httpRequest(ctx context.Context, body []byte) (*http.Request, error) {
	r, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("User-Agent", "teli")
	r.Header.Set("Anthropic-Version", Version)
	if c.cfg.APIKey != "" {
		r.Header.Set("X-Api-Key", c.cfg.APIKey)
	}
	if c.cfg.Stream {
		r.Header.Set("Accept", "text/event-stream")
	} else {
		r.Header.Set("Accept", "application/json")
	}
	return r, nil
}

func decode(h http.Header, body io.Reader) (llm.Response, error) {
	if strings.HasPrefix(h.Get("Content-Type"), "text/event-stream") {
		return decodeStream(body)
	}
	var m messageResponse
	if err := json.NewDecoder(body).Decode(&m); err != nil {
		return llm.Response{}, err
	}
	if m.Type != "message" {
		return llm.Response{}, fmt.Errorf("response type %q, want \"message\"", m.Type)
	}
	return m.response(), nil
}

// finish checks tool inputs and moves the forced schema tool's input to Response.JSON.
func finish(resp llm.Response, schema *llm.Schema) (llm.Response, error) {
	var problems []string
	calls := resp.ToolCalls[:0:0]
	for _, tc := range resp.ToolCalls {
		args := bytes.TrimSpace(tc.Arguments)
		if len(args) == 0 {
			args = []byte("{}")
		}
		if !json.Valid(args) {
			problems = append(problems, fmt.Sprintf("tool call %q: input is not valid JSON", tc.Name))
			args, _ = json.Marshal(string(tc.Arguments))
		} else if schema != nil && tc.Name == schema.Name && resp.JSON == nil {
			var b bytes.Buffer
			_ = json.Compact(&b, args)
			resp.JSON = b.Bytes()
			continue
		}
		tc.Arguments = args
		calls = append(calls, tc)
	}
	resp.ToolCalls = calls
	if len(calls) == 0 {
		resp.ToolCalls = nil
	}
	if schema != nil && resp.JSON == nil {
		if v, ok := llm.ExtractJSON(resp.Text); ok {
			resp.JSON = v
		} else {
			problems = append(problems, fmt.Sprintf("no %q tool call in the answer to a schema request (stop reason %q)", schema.Name, resp.StopReason))
		}
	}
	if schema != nil && resp.JSON != nil && len(resp.ToolCalls) == 0 && resp.StopReason == llm.StopToolUse {
		resp.StopReason = llm.StopEnd
	}
	if len(problems) > 0 {
		return resp, fmt.Errorf("%w: anthropic: %s", llm.ErrInvalidOutput, strings.Join(problems, "; "))
	}
	return resp, nil
}
