// Package openai is the llm.Provider for OpenAI-compatible chat-completions servers: OpenAI
// itself, Ollama (/v1), vLLM, llama.cpp's llama-server and LM Studio (spec/contracts.md §3).
// It speaks the portable subset of POST {base}/chat/completions — model, messages with string
// content, temperature, max_tokens, tools, response_format json_schema, stream — hand-written
// on net/http so one code path serves every server and the openaitest fake.
//
// Where servers differ it is tolerant: both error envelopes ({"error":{…}} with a string or
// integer code, and vLLM's flat {"object":"error",…}), content as a string or an array of parts,
// tool-call arguments as a JSON string or an object, a JSON answer wrapped in prose or a code
// block when a server ignores the requested schema, a stream that ends without [DONE], and a
// usage chunk whose choices are null.
package openai

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
	// DefaultBaseURL is OpenAI's API root. Local servers: Ollama http://localhost:11434/v1,
	// vLLM http://localhost:8000/v1, llama-server http://localhost:8080/v1, LM Studio
	// http://localhost:1234/v1.
	DefaultBaseURL = "https://api.openai.com/v1"
	// DefaultModel is a current, inexpensive OpenAI model with tool calling and strict
	// json_schema output, well suited to short SMS replies and field extraction.
	DefaultModel = "gpt-4.1-mini"
	// DefaultTimeout bounds each attempt (request sent to last byte read).
	DefaultTimeout = 60 * time.Second
)

// Names of the request field that caps the answer length, for Config.TokenLimitField.
const (
	// MaxTokens is the field every compatible server accepts (deprecated by OpenAI).
	MaxTokens = "max_tokens"
	// MaxCompletionTokens is the field newer OpenAI models require.
	MaxCompletionTokens = "max_completion_tokens"
)

// Config configures a Client. Only Model has no usable zero value when BaseURL is not OpenAI's.
type Config struct {
	// BaseURL is the API root including the version path ("http://localhost:11434/v1");
	// DefaultBaseURL when empty. A URL without a path gets "/v1" appended.
	BaseURL string
	// APIKey is sent as a Bearer token when not empty (local servers usually ignore it).
	APIKey string
	// Model is the model name; DefaultModel when empty.
	Model string
	// HTTPClient sends the requests; a client without overall timeout when nil (Timeout bounds
	// each attempt instead).
	HTTPClient *http.Client
	// Timeout bounds each attempt, reading the answer included; DefaultTimeout when 0, none
	// when negative. The caller's context bounds the whole call, retries included.
	Timeout time.Duration
	// Retry is the retry policy; the zero value retries twice.
	Retry llm.RetryPolicy
	// Stream makes every call use server-sent events, accumulated into the same Response (for
	// servers or proxies that cut long silent requests).
	Stream bool
	// MaxTokens caps answers of requests that leave Request.MaxTokens 0; 0 leaves it to the
	// server.
	MaxTokens int
	// TokenLimitField names the field that carries the cap: MaxTokens or MaxCompletionTokens.
	// When empty, MaxCompletionTokens is used for api.openai.com and MaxTokens elsewhere.
	TokenLimitField string
}

// Client is an llm.Provider for one model on one OpenAI-compatible server. It is safe for
// concurrent use.
type Client struct {
	cfg        Config
	endpoint   string
	tokenField string
}

var _ llm.Provider = (*Client)(nil)

// New checks cfg and returns a Client. It makes no network call.
func New(cfg Config) (*Client, error) {
	base, err := normalizeBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	if cfg.Model == "" {
		cfg.Model = DefaultModel
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{}
	}
	if cfg.MaxTokens < 0 {
		return nil, fmt.Errorf("openai: negative MaxTokens %d", cfg.MaxTokens)
	}
	field := cfg.TokenLimitField
	switch field {
	case MaxTokens, MaxCompletionTokens:
	case "":
		field = MaxTokens
		if u, _ := url.Parse(base); u.Hostname() == "api.openai.com" {
			field = MaxCompletionTokens
		}
	default:
		return nil, fmt.Errorf("openai: TokenLimitField %q is neither %q nor %q", field, MaxTokens, MaxCompletionTokens)
	}
	cfg.BaseURL = base
	return &Client{cfg: cfg, endpoint: base + "/chat/completions", tokenField: field}, nil
}

// normalizeBaseURL checks an API root and strips its trailing slash; a bare host gets /v1.
func normalizeBaseURL(raw string) (string, error) {
	if raw == "" {
		raw = DefaultBaseURL
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("openai: base URL %q is not an absolute http(s) URL", raw)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	if u.Path == "" {
		u.Path = "/v1"
	}
	u.RawQuery, u.Fragment = "", ""
	return u.String(), nil
}

// Complete sends req to the chat-completions endpoint; see llm.Provider.
func (c *Client) Complete(ctx context.Context, req llm.Request) (llm.Response, error) {
	if err := req.Validate(); err != nil {
		return llm.Response{}, err
	}
	body, err := json.Marshal(c.wireRequest(req))
	if err != nil {
		return llm.Response{}, fmt.Errorf("openai: encode request: %w", err)
	}
	timeout := max(c.cfg.Timeout, 0)
	resp, err := transport.Do(ctx, transport.Call{
		Provider:   "openai",
		Client:     c.cfg.HTTPClient,
		Policy:     c.cfg.Retry,
		Timeout:    timeout,
		NewRequest: func(ctx context.Context) (*http.Request, error) { return c.httpRequest(ctx, body) },
		ParseError: parseError,
		Decode:     decode,
	})
	if err != nil {
		return resp, err
	}
	return finish(resp, req.Schema != nil)
}

func (c *Client) httpRequest(ctx context.Context, body []byte) (*http.Request, error) {
	r, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("User-Agent", "teli")
	if c.cfg.Stream {
		r.Header.Set("Accept", "text/event-stream")
	} else {
		r.Header.Set("Accept", "application/json")
	}
	if c.cfg.APIKey != "" {
		r.Header.Set("Authorization", "Bearer "+c.cfg.APIKey)
	}
	return r, nil
}

// decode reads a 2xx answer: an event stream, or one JSON object (also when a server ignored
// stream:true).
func decode(h http.Header, body io.Reader) (llm.Response, error) {
	if strings.HasPrefix(h.Get("Content-Type"), "text/event-stream") {
		return decodeStream(body)
	}
	var r chatResponse
	if err := json.NewDecoder(body).Decode(&r); err != nil {
		return llm.Response{}, err
	}
	return r.response()
}

// finish checks the model's output: tool-call arguments must be JSON, and a Schema request
// must have produced a JSON value. Problems wrap llm.ErrInvalidOutput and come with resp.
func finish(resp llm.Response, wantJSON bool) (llm.Response, error) {
	var problems []string
	for i, tc := range resp.ToolCalls {
		args := bytes.TrimSpace(tc.Arguments)
		if len(args) == 0 {
			args = []byte("{}")
		}
		if !json.Valid(args) {
			problems = append(problems, fmt.Sprintf("tool call %q: arguments are not valid JSON", tc.Name))
			args, _ = json.Marshal(string(tc.Arguments))
		}
		resp.ToolCalls[i].Arguments = args
	}
	if wantJSON {
		if v, ok := llm.ExtractJSON(resp.Text); ok {
			resp.JSON = v
		} else {
			problems = append(problems, fmt.Sprintf("no JSON value in the answer to a schema request (stop reason %q)", resp.StopReason))
		}
	}
	if len(problems) > 0 {
		return resp, fmt.Errorf("%w: openai: %s", llm.ErrInvalidOutput, strings.Join(problems, "; "))
	}
	return resp, nil
}
