package openai_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/openteli/teli/internal/llm"
	"github.com/openteli/teli/internal/llm/openai"
	"github.com/openteli/teli/internal/llm/openai/openaitest"
)

func asError(t *testing.T, err error) *llm.Error {
	t.Helper()
	var e *llm.Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v (%T), want *llm.Error", err, err)
	}
	return e
}

func retries(n int) func(*openai.Config) {
	return func(c *openai.Config) { c.Retry.MaxRetries = new(n) }
}

func TestErrorShapes(t *testing.T) {
	html := openaitest.Fault{Status: http.StatusBadGateway, Header: http.Header{"Content-Type": {"text/html"}},
		Body: "<html><body>502 Bad Gateway</body></html>"}
	tests := []struct {
		name           string
		fault          openaitest.Fault
		status         int
		typ, code, msg string
		retryable      bool
		requests       int // with MaxRetries 2
	}{
		{name: "openai 400", fault: openaitest.OpenAIError(400, "invalid_request_error", "invalid_value", "Invalid value: 'x'."),
			status: 400, typ: "invalid_request_error", code: "invalid_value", msg: "Invalid value: 'x'.", requests: 1},
		{name: "ollama 400 null code", fault: openaitest.OpenAIError(400, "invalid_request_error", "", "invalid message format"),
			status: 400, typ: "invalid_request_error", msg: "invalid message format", requests: 1},
		{name: "llama.cpp integer code", fault: openaitest.LlamaCppError(400, "the request exceeds the available context size"),
			status: 400, typ: "invalid_request_error", code: "400", msg: "the request exceeds the available context size", requests: 1},
		{name: "vllm flat", fault: openaitest.VLLMError(400, "This model's maximum context length is 4096 tokens."),
			status: 400, typ: "BadRequestError", code: "400", msg: "This model's maximum context length is 4096 tokens.", requests: 1},
		{name: "insufficient quota", fault: openaitest.InsufficientQuota(),
			status: 429, typ: "insufficient_quota", code: "insufficient_quota", msg: "You exceeded your current quota, please check your plan and billing details.", requests: 1},
		{name: "rate limited", fault: openaitest.RateLimited("0"),
			status: 429, typ: "requests", code: "rate_limit_exceeded", msg: "Rate limit reached for requests. Please try again shortly.", retryable: true, requests: 3},
		{name: "server error", fault: openaitest.ServerError(),
			status: 500, typ: "server_error", msg: "The server had an error while processing your request. Sorry about that!", retryable: true, requests: 3},
		{name: "llama.cpp loading", fault: openaitest.Unavailable(),
			status: 503, typ: "unavailable_error", code: "503", msg: "Loading model", retryable: true, requests: 3},
		{name: "vllm 500", fault: openaitest.VLLMError(500, "boom"),
			status: 500, typ: "InternalServerError", code: "500", msg: "boom", retryable: true, requests: 3},
		{name: "proxy html", fault: html, status: 502, msg: "<html><body>502 Bad Gateway</body></html>", retryable: true, requests: 3},
		{name: "x-should-retry false", fault: openaitest.ServerError().With("X-Should-Retry", "false"),
			status: 500, typ: "server_error", msg: "The server had an error while processing your request. Sorry about that!", requests: 1},
		{name: "x-should-retry true", fault: openaitest.OpenAIError(400, "invalid_request_error", "", "try again").With("X-Should-Retry", "true"),
			status: 400, typ: "invalid_request_error", msg: "try again", retryable: true, requests: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, srv := setup(t, nil)
			srv.Push(openaitest.Reply{Error: &tt.fault}, openaitest.Reply{Error: &tt.fault}, openaitest.Reply{Error: &tt.fault})
			_, err := c.Complete(context.Background(), userRequest("hi"))
			e := asError(t, err)
			if e.Provider != "openai" || e.StatusCode != tt.status || e.Type != tt.typ || e.Code != tt.code || e.Message != tt.msg || e.Retryable != tt.retryable {
				t.Errorf("error = %+v\nwant status %d type %q code %q msg %q retryable %v", e, tt.status, tt.typ, tt.code, tt.msg, tt.retryable)
			}
			if n := len(srv.Requests()); n != tt.requests || e.Attempts != tt.requests {
				t.Errorf("fake saw %d requests, error says %d attempts, want %d", n, e.Attempts, tt.requests)
			}
			if llm.IsRetryable(err) != tt.retryable {
				t.Errorf("IsRetryable = %v", !tt.retryable)
			}
		})
	}
}

func TestAuthAndModelErrors(t *testing.T) {
	srv := openaitest.New(t, openaitest.Options{APIKey: testKey, Models: []string{"llama3.2"}})
	for _, tt := range []struct {
		key, model string
		status     int
		code       string
	}{
		{key: "sk-wrong", model: "llama3.2", status: 401, code: "invalid_api_key"},
		{key: "", model: "llama3.2", status: 401},
		{key: testKey, model: "gpt-4o", status: 404, code: "model_not_found"},
	} {
		c, err := openai.New(openai.Config{BaseURL: srv.URL, APIKey: tt.key, Model: tt.model})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Complete(context.Background(), userRequest("hi"))
		if e := asError(t, err); e.StatusCode != tt.status || e.Code != tt.code || e.Retryable || e.Attempts != 1 {
			t.Errorf("key %q model %q: %+v", tt.key, tt.model, e)
		}
	}
}

func TestRetryThenSuccess(t *testing.T) {
	modes(t, func(t *testing.T, stream bool) {
		c, srv := setup(t, streaming(stream))
		srv.Push(openaitest.Reply{Error: openaitest.RateLimited("0").Ptr()}, openaitest.Reply{Content: "second time lucky"})
		resp, err := c.Complete(context.Background(), userRequest("hi"))
		if err != nil {
			t.Fatal(err)
		}
		if resp.Text != "second time lucky" {
			t.Errorf("text = %q", resp.Text)
		}
		if n, done := len(srv.Requests()), srv.Completed(); n != 2 || done != 1 {
			t.Errorf("fake saw %d requests and completed %d, want 2 and 1", n, done)
		}
	})
}

func TestRetryAfterHonoured(t *testing.T) {
	tests := []struct {
		name  string
		fault openaitest.Fault
		min   time.Duration
	}{
		{name: "Retry-After-Ms", fault: openaitest.RateLimitedAfter(60 * time.Millisecond), min: 60 * time.Millisecond},
		{name: "Retry-After seconds", fault: openaitest.RateLimited("0.06"), min: 60 * time.Millisecond},
		{name: "Retry-After-Ms wins", fault: openaitest.RateLimited("30").With("Retry-After-Ms", "40"), min: 40 * time.Millisecond},
		{name: "Retry-After date in the past", fault: openaitest.RateLimited(time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A backoff far longer than the hint shows the hint, not the backoff, was used.
			c, srv := setup(t, func(c *openai.Config) { c.Retry.BaseDelay, c.Retry.MaxDelay = 5*time.Second, 5*time.Second })
			srv.Push(openaitest.Reply{Error: &tt.fault}, openaitest.Reply{Content: "ok"})
			start := time.Now()
			if _, err := c.Complete(context.Background(), userRequest("hi")); err != nil {
				t.Fatal(err)
			}
			if d := time.Since(start); d < tt.min || d > 2*time.Second {
				t.Errorf("call took %s, want at least %s and far less than the backoff", d, tt.min)
			}
			if n := len(srv.Requests()); n != 2 {
				t.Errorf("fake saw %d requests", n)
			}
		})
	}
}

func TestBackoffWithoutRetryAfter(t *testing.T) {
	c, srv := setup(t, func(c *openai.Config) { c.Retry.BaseDelay, c.Retry.MaxDelay = 40*time.Millisecond, time.Second })
	srv.Push(openaitest.Reply{Error: openaitest.ServerError().Ptr()}, openaitest.Reply{Error: openaitest.ServerError().Ptr()}, openaitest.Reply{Content: "ok"})
	start := time.Now()
	if _, err := c.Complete(context.Background(), userRequest("hi")); err != nil {
		t.Fatal(err)
	}
	// 40ms then 80ms, each less up to 25% jitter.
	if d := time.Since(start); d < 90*time.Millisecond {
		t.Errorf("two retries took %s, want exponential backoff of at least 90ms", d)
	}
}

func TestRetryAfterTooLong(t *testing.T) {
	c, srv := setup(t, nil)
	srv.Push(openaitest.Reply{Error: openaitest.RateLimited("120").Ptr()})
	start := time.Now()
	_, err := c.Complete(context.Background(), userRequest("hi"))
	e := asError(t, err)
	if !e.Retryable || e.RetryAfter != 120*time.Second || e.Attempts != 1 {
		t.Errorf("error = %+v, want retryable with RetryAfter 2m0s after 1 attempt", e)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("call took %s", d)
	}
}

func TestRetryAfterBeyondDeadline(t *testing.T) {
	c, srv := setup(t, nil)
	srv.Push(openaitest.Reply{Error: openaitest.RateLimitedAfter(5 * time.Second).Ptr()})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	start := time.Now()
	_, err := c.Complete(ctx, userRequest("hi"))
	if e := asError(t, err); e.StatusCode != 429 || e.RetryAfter != 5*time.Second {
		t.Errorf("error = %+v", e)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("call took %s; a wait past the deadline should end it at once", d)
	}
}

func TestRetriesDisabled(t *testing.T) {
	c, srv := setup(t, retries(0))
	srv.Push(openaitest.Reply{Error: openaitest.ServerError().Ptr()}, openaitest.Reply{Content: "never"})
	_, err := c.Complete(context.Background(), userRequest("hi"))
	if e := asError(t, err); !e.Retryable || e.Attempts != 1 {
		t.Errorf("error = %+v", e)
	}
	if n := len(srv.Requests()); n != 1 {
		t.Errorf("fake saw %d requests, want 1", n)
	}
}

func TestTimeout(t *testing.T) {
	modes(t, func(t *testing.T, stream bool) {
		c, srv := setup(t, func(c *openai.Config) {
			c.Stream, c.Timeout, c.Retry.MaxRetries = stream, 50*time.Millisecond, new(0)
		})
		srv.Push(openaitest.Reply{Content: "too late", Delay: 5 * time.Second})
		start := time.Now()
		_, err := c.Complete(context.Background(), userRequest("hi"))
		e := asError(t, err)
		if !e.Retryable || e.StatusCode != 0 || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("error = %+v, want a retryable timeout", e)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("call took %s", d)
		}
	})
}

func TestTimeoutThenSuccess(t *testing.T) {
	c, srv := setup(t, func(c *openai.Config) { c.Timeout = 50 * time.Millisecond })
	srv.Push(openaitest.Reply{Content: "too late", Delay: 5 * time.Second}, openaitest.Reply{Content: "in time"})
	resp, err := c.Complete(context.Background(), userRequest("hi"))
	if err != nil || resp.Text != "in time" {
		t.Fatalf("resp %q, err %v", resp.Text, err)
	}
	if n, done := len(srv.Requests()), srv.Completed(); n != 2 || done != 1 {
		t.Errorf("fake saw %d requests, completed %d", n, done)
	}
}

func TestConnectionError(t *testing.T) {
	srv := openaitest.New(t, openaitest.Options{})
	srv.Close()
	c, err := openai.New(openai.Config{BaseURL: srv.URL, Retry: llm.RetryPolicy{MaxRetries: new(1), BaseDelay: time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Complete(context.Background(), userRequest("hi"))
	if e := asError(t, err); !e.Retryable || e.StatusCode != 0 || e.Attempts != 2 || e.Err == nil {
		t.Errorf("error = %+v, want a retryable connection error after 2 attempts", e)
	}
}

func TestCallerCancels(t *testing.T) {
	c, srv := setup(t, nil)
	srv.Push(openaitest.Reply{Content: "late", Delay: 5 * time.Second})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(30*time.Millisecond, cancel)
	_, err := c.Complete(ctx, userRequest("hi"))
	if !errors.Is(err, context.Canceled) || llm.IsRetryable(err) {
		t.Errorf("err = %v, want context.Canceled, not retryable", err)
	}
	if n := len(srv.Requests()); n != 1 {
		t.Errorf("fake saw %d requests, want 1", n)
	}
}

func TestStreamErrorEvent(t *testing.T) {
	c, srv := setup(t, streaming(true))
	srv.Push(
		openaitest.Reply{Content: "partial", StreamError: openaitest.ServerError().Ptr()},
		openaitest.Reply{Content: "whole answer"},
	)
	resp, err := c.Complete(context.Background(), userRequest("hi"))
	if err != nil || resp.Text != "whole answer" {
		t.Fatalf("resp %q, err %v", resp.Text, err)
	}
	if n, done := len(srv.Requests()), srv.Completed(); n != 2 || done != 1 {
		t.Errorf("fake saw %d requests, completed %d, want 2 and 1", n, done)
	}

	bad := openaitest.OpenAIError(400, "invalid_request_error", "", "context too long")
	srv.Push(openaitest.Reply{Content: "x", StreamError: &bad})
	_, err = c.Complete(context.Background(), userRequest("hi"))
	if e := asError(t, err); e.Retryable || e.Message != "context too long" || e.Attempts != 1 {
		t.Errorf("error = %+v", e)
	}
}
