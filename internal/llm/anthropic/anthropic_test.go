package anthropic_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/openteli/teli/internal/llm"
	"github.com/openteli/teli/internal/llm/anthropic"
	"github.com/openteli/teli/internal/llm/anthropic/anthropictest"
)

const testKey = "sk-ant-test"

func setup(t *testing.T, mod func(*anthropic.Config)) (*anthropic.Client, *anthropictest.Server) {
	t.Helper()
	srv := anthropictest.New(t, anthropictest.Options{APIKey: testKey})
	cfg := anthropic.Config{BaseURL: srv.URL, APIKey: testKey, Model: "claude-test",
		Retry: llm.RetryPolicy{BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond}}
	if mod != nil {
		mod(&cfg)
	}
	c, err := anthropic.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c, srv
}

func streaming(on bool) func(*anthropic.Config) {
	return func(c *anthropic.Config) { c.Stream = on }
}

func modes(t *testing.T, f func(t *testing.T, stream bool)) {
	for _, stream := range []bool{false, true} {
		name := "json"
		if stream {
			name = "stream"
		}
		t.Run(name, func(t *testing.T) { f(t, stream) })
	}
}

func userRequest(text string) llm.Request {
	return llm.Request{Messages: []llm.Message{{Role: llm.RoleUser, Content: text}}}
}

func asError(t *testing.T, err error) *llm.Error {
	t.Helper()
	var e *llm.Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v (%T), want *llm.Error", err, err)
	}
	return e
}

func wire(t *testing.T, srv *anthropictest.Server, i int) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(srv.Requests()[i].Body, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestTextReply(t *testing.T) {
	modes(t, func(t *testing.T, stream bool) {
		c, srv := setup(t, streaming(stream))
		srv.Push(anthropictest.Reply{Text: "Hi Sam! Tuesday at 3pm works.", Usage: &anthropictest.Usage{InputTokens: 40, OutputTokens: 11}})
		req := llm.Request{System: "You are Ava from Acme Roofing.", Temperature: new(0.3),
			Messages: []llm.Message{
				{Role: llm.RoleAssistant, Content: "Hi Sam, still interested?"},
				{Role: llm.RoleUser, Content: "Yes — Tuesday?"}}}
		resp, err := c.Complete(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		if resp.Text != "Hi Sam! Tuesday at 3pm works." || resp.StopReason != llm.StopEnd || resp.Model != "claude-test" ||
			resp.Usage != (llm.Usage{InputTokens: 40, OutputTokens: 11}) || resp.ToolCalls != nil {
			t.Errorf("response = %+v", resp)
		}
		r := srv.Requests()[0]
		if r.Path != "/v1/messages" || r.Header.Get("X-Api-Key") != testKey || r.Header.Get("Anthropic-Version") != "2023-06-01" {
			t.Errorf("path %s headers %v", r.Path, r.Header)
		}
		m := r.Messages
		if m.SystemText() != "You are Ava from Acme Roofing." || *m.MaxTokens != anthropic.DefaultMaxTokens || *m.Temperature != 0.3 ||
			m.Stream != stream || len(m.Messages) != 2 || m.Messages[0].Role != "assistant" || m.Messages[1].Text() != "Yes — Tuesday?" {
			t.Errorf("wire request = %s", r.Body)
		}
		if w := wire(t, srv, 0); w["tools"] != nil || w["tool_choice"] != nil {
			t.Errorf("unexpected tools in %v", w)
		}
	})
}

func TestMaxTokensAndTemperature(t *testing.T) {
	c, srv := setup(t, func(c *anthropic.Config) { c.MaxTokens = 300 })
	req := userRequest("hi")
	req.Temperature = new(1.4)
	if _, err := c.Complete(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	req.MaxTokens = 50
	req.Temperature = nil
	if _, err := c.Complete(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	first, second := srv.Requests()[0].Messages, srv.Requests()[1].Messages
	if *first.MaxTokens != 300 || *first.Temperature != 1 || *second.MaxTokens != 50 || second.Temperature != nil {
		t.Errorf("max_tokens %d/%d temperature %v/%v", *first.MaxTokens, *second.MaxTokens, first.Temperature, second.Temperature)
	}
}

func TestToolCall(t *testing.T) {
	modes(t, func(t *testing.T, stream bool) {
		c, srv := setup(t, streaming(stream))
		srv.Push(anthropictest.Reply{Text: "Booking it.", ToolUses: []anthropictest.ToolUse{
			{ID: "toolu_1", Name: "book_slot", Input: `{"day":"tue","hour":15}`},
			{ID: "toolu_2", Name: "mark_qualified"},
		}})
		req := userRequest("Tuesday 3pm")
		req.Tools = []llm.Tool{
			{Name: "book_slot", Description: "Book", Parameters: json.RawMessage(`{"type":"object","properties":{"day":{"type":"string"}}}`)},
			{Name: "mark_qualified"},
		}
		resp, err := c.Complete(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StopReason != llm.StopToolUse || resp.Text != "Booking it." || len(resp.ToolCalls) != 2 ||
			resp.ToolCalls[0].ID != "toolu_1" || resp.ToolCalls[0].Name != "book_slot" || string(resp.ToolCalls[0].Arguments) != `{"day":"tue","hour":15}` ||
			string(resp.ToolCalls[1].Arguments) != `{}` {
			t.Errorf("response = %+v", resp)
		}
		tools := srv.Requests()[0].Messages.Tools
		if len(tools) != 2 || tools[0].Name != "book_slot" || !strings.Contains(string(tools[0].InputSchema), `"day"`) ||
			string(tools[1].InputSchema) != `{"type":"object","properties":{}}` {
			t.Errorf("tools = %+v", tools)
		}
	})
}

func TestToolResultHistory(t *testing.T) {
	c, srv := setup(t, nil)
	req := llm.Request{Tools: []llm.Tool{{Name: "book_slot"}, {Name: "lookup"}}, Messages: []llm.Message{
		{Role: llm.RoleUser, Content: "Tuesday 3pm"},
		{Role: llm.RoleAssistant, Content: "One moment.", ToolCalls: []llm.ToolCall{
			{ID: "toolu_a", Name: "book_slot", Arguments: json.RawMessage(`{"day":"tue"}`)},
			{ID: "toolu_b", Name: "lookup"}}},
		{Role: llm.RoleTool, ToolCallID: "toolu_a", Content: `{"ok":true}`},
		{Role: llm.RoleTool, ToolCallID: "toolu_b", Content: "found"},
		{Role: llm.RoleUser, Content: "Thanks"},
	}}
	if _, err := c.Complete(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(wire(t, srv, 0)["messages"])
	want := `[{"content":"Tuesday 3pm","role":"user"},` +
		`{"content":[{"text":"One moment.","type":"text"},{"id":"toolu_a","input":{"day":"tue"},"name":"book_slot","type":"tool_use"},{"id":"toolu_b","input":{},"name":"lookup","type":"tool_use"}],"role":"assistant"},` +
		`{"content":[{"content":"{\"ok\":true}","tool_use_id":"toolu_a","type":"tool_result"},{"content":"found","tool_use_id":"toolu_b","type":"tool_result"},{"text":"Thanks","type":"text"}],"role":"user"}]`
	if string(got) != want {
		t.Errorf("messages on the wire:\n%s\nwant\n%s", got, want)
	}
}

var leadSchema = &llm.Schema{Name: "lead_fields", Description: "Fields of the lead",
	JSON: json.RawMessage(`{"type":"object","properties":{"name":{"type":"string"}},"required":["name"]}`)}

func TestSchemaForcedTool(t *testing.T) {
	modes(t, func(t *testing.T, stream bool) {
		c, srv := setup(t, streaming(stream))
		srv.Push(anthropictest.Reply{ToolUses: []anthropictest.ToolUse{{Name: "lead_fields", Input: `{"name": "Sam"}`}}})
		req := userRequest("I'm Sam")
		req.Tools = []llm.Tool{{Name: "book_slot"}}
		req.Schema = leadSchema
		resp, err := c.Complete(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		if string(resp.JSON) != `{"name":"Sam"}` || resp.ToolCalls != nil || resp.StopReason != llm.StopEnd {
			t.Errorf("response = %+v (JSON %s)", resp, resp.JSON)
		}
		m := srv.Requests()[0].Messages
		if m.ToolChoice == nil || m.ToolChoice.Type != "tool" || m.ToolChoice.Name != "lead_fields" || len(m.Tools) != 2 ||
			m.Tools[1].Name != "lead_fields" || m.Tools[1].Description != "Fields of the lead" || !strings.Contains(string(m.Tools[1].InputSchema), `"required":["name"]`) {
			t.Errorf("wire request = %s", srv.Requests()[0].Body)
		}
	})
}

func TestSchemaWithoutToolCall(t *testing.T) {
	c, srv := setup(t, nil)
	req := userRequest("I'm Sam")
	req.Schema = leadSchema
	srv.Push(anthropictest.Reply{Text: "I can't tell.", StopReason: "refusal"})
	resp, err := c.Complete(context.Background(), req)
	if !errors.Is(err, llm.ErrInvalidOutput) || resp.StopReason != llm.StopRefusal || resp.Text != "I can't tell." {
		t.Errorf("resp %+v err %v", resp, err)
	}
	// A proxy that ignores tool_choice and answers in text still yields the JSON.
	srv.Push(anthropictest.Reply{Text: "```json\n{\"name\":\"Sam\"}\n```"})
	resp, err = c.Complete(context.Background(), req)
	if err != nil || string(resp.JSON) != `{"name":"Sam"}` {
		t.Errorf("fallback: JSON %s err %v", resp.JSON, err)
	}
	// The fake's default answer to a forced tool is the tool with input {}.
	resp, err = c.Complete(context.Background(), req)
	if err != nil || string(resp.JSON) != `{}` {
		t.Errorf("default: JSON %s err %v", resp.JSON, err)
	}
}

func TestInvalidStreamedInput(t *testing.T) {
	c, srv := setup(t, streaming(true))
	srv.Push(anthropictest.Reply{ToolUses: []anthropictest.ToolUse{{ID: "toolu_x", Name: "book_slot", Input: `{"day": tu`}}})
	req := userRequest("book")
	req.Tools = []llm.Tool{{Name: "book_slot"}}
	resp, err := c.Complete(context.Background(), req)
	if !errors.Is(err, llm.ErrInvalidOutput) || len(resp.ToolCalls) != 1 || string(resp.ToolCalls[0].Arguments) != `"{\"day\": tu"` {
		t.Errorf("resp %+v err %v", resp, err)
	}
	if n := len(srv.Requests()); n != 1 {
		t.Errorf("fake saw %d requests", n)
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name      string
		fault     anthropictest.Fault
		status    int
		typ, msg  string
		retryable bool
		requests  int
	}{
		{"invalid request", anthropictest.InvalidRequest("messages: bad"), 400, "invalid_request_error", "messages: bad", false, 1},
		{"overloaded 529", anthropictest.Overloaded(), 529, "overloaded_error", "Overloaded", true, 3},
		{"rate limited", anthropictest.RateLimited("0"), 429, "rate_limit_error", "This request would exceed the rate limit for your organization. Please try again later.", true, 3},
		{"server error", anthropictest.ServerError(), 500, "api_error", "Internal server error", true, 3},
		{"permission", anthropictest.APIError(403, "permission_error", "no access"), 403, "permission_error", "no access", false, 1},
		{"should-retry false", anthropictest.Overloaded().With("X-Should-Retry", "false"), 529, "overloaded_error", "Overloaded", false, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, srv := setup(t, nil)
			srv.Push(anthropictest.Reply{Error: &tt.fault}, anthropictest.Reply{Error: &tt.fault}, anthropictest.Reply{Error: &tt.fault})
			_, err := c.Complete(context.Background(), userRequest("hi"))
			e := asError(t, err)
			if e.Provider != "anthropic" || e.StatusCode != tt.status || e.Type != tt.typ || e.Message != tt.msg || e.Retryable != tt.retryable {
				t.Errorf("error = %+v", e)
			}
			if n := len(srv.Requests()); n != tt.requests || e.Attempts != tt.requests {
				t.Errorf("fake saw %d requests, %d attempts, want %d", n, e.Attempts, tt.requests)
			}
		})
	}
}

func TestAuthAndModel(t *testing.T) {
	srv := anthropictest.New(t, anthropictest.Options{APIKey: testKey, Models: []string{"claude-haiku-4-5"}})
	for _, tt := range []struct {
		key, model string
		status     int
		msg        string
	}{
		{"", "claude-haiku-4-5", 401, "x-api-key header is required"},
		{"wrong", "claude-haiku-4-5", 401, "invalid x-api-key"},
		{testKey, "claude-2", 404, "model: claude-2"},
	} {
		c, err := anthropic.New(anthropic.Config{BaseURL: srv.URL, APIKey: tt.key, Model: tt.model})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Complete(context.Background(), userRequest("hi"))
		if e := asError(t, err); e.StatusCode != tt.status || e.Message != tt.msg || e.Retryable {
			t.Errorf("%q/%q: %+v", tt.key, tt.model, e)
		}
	}
}

func TestRetryThenSuccess(t *testing.T) {
	modes(t, func(t *testing.T, stream bool) {
		c, srv := setup(t, streaming(stream))
		srv.Push(anthropictest.Reply{Error: anthropictest.RateLimited("0").Ptr()}, anthropictest.Reply{Text: "ok now"})
		resp, err := c.Complete(context.Background(), userRequest("hi"))
		if err != nil || resp.Text != "ok now" {
			t.Fatalf("resp %q err %v", resp.Text, err)
		}
		if n, done := len(srv.Requests()), srv.Completed(); n != 2 || done != 1 {
			t.Errorf("fake saw %d requests, completed %d", n, done)
		}
	})
}

func TestRetryAfterHonoured(t *testing.T) {
	c, srv := setup(t, func(c *anthropic.Config) { c.Retry.BaseDelay, c.Retry.MaxDelay = 5*time.Second, 5*time.Second })
	srv.Push(anthropictest.Reply{Error: anthropictest.RateLimited("0.05").Ptr()}, anthropictest.Reply{Text: "ok"})
	start := time.Now()
	if _, err := c.Complete(context.Background(), userRequest("hi")); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 50*time.Millisecond || d > 2*time.Second {
		t.Errorf("took %s, want the 50ms retry-after", d)
	}
}

func TestTimeout(t *testing.T) {
	c, srv := setup(t, func(c *anthropic.Config) { c.Timeout, c.Retry.MaxRetries = 40*time.Millisecond, new(0) })
	srv.Push(anthropictest.Reply{Text: "late", Delay: 5 * time.Second})
	start := time.Now()
	_, err := c.Complete(context.Background(), userRequest("hi"))
	if e := asError(t, err); !e.Retryable || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error = %+v", e)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("took %s", d)
	}
}

func TestStreamErrorEvent(t *testing.T) {
	c, srv := setup(t, streaming(true))
	srv.Push(anthropictest.Reply{Text: "par", StreamError: anthropictest.Overloaded().Ptr()}, anthropictest.Reply{Text: "whole"})
	resp, err := c.Complete(context.Background(), userRequest("hi"))
	if err != nil || resp.Text != "whole" || len(srv.Requests()) != 2 || srv.Completed() != 1 {
		t.Fatalf("resp %q err %v requests %d", resp.Text, err, len(srv.Requests()))
	}
	srv.Push(anthropictest.Reply{Text: "x", StreamError: anthropictest.InvalidRequest("prompt is too long").Ptr()})
	_, err = c.Complete(context.Background(), userRequest("hi"))
	if e := asError(t, err); e.Retryable || e.Type != "invalid_request_error" || e.Attempts != 1 {
		t.Errorf("error = %+v", e)
	}
}

func TestTruncatedStream(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = io.WriteString(w, "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"model\":\"m\",\"usage\":{\"input_tokens\":1,\"output_tokens\":1}}}\n\n"+
			"event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n")
	}))
	t.Cleanup(srv.Close)
	c, err := anthropic.New(anthropic.Config{BaseURL: srv.URL + "/v1/", APIKey: "k", Retry: llm.RetryPolicy{MaxRetries: new(1), BaseDelay: time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Complete(context.Background(), userRequest("hi"))
	if e := asError(t, err); !e.Retryable || e.Attempts != 2 {
		t.Errorf("error = %+v", e)
	}
}

func TestNewConfig(t *testing.T) {
	if _, err := anthropic.New(anthropic.Config{BaseURL: "api.anthropic.com"}); err == nil {
		t.Error("relative base URL accepted")
	}
	srv := anthropictest.New(t, anthropictest.Options{})
	c, err := anthropic.New(anthropic.Config{BaseURL: srv.URL + "/v1", APIKey: "k"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Complete(context.Background(), userRequest("hi")); err != nil {
		t.Fatal(err)
	}
	if r := srv.Requests()[0]; r.Path != "/v1/messages" || r.Messages.Model != anthropic.DefaultModel {
		t.Errorf("path %s model %s", r.Path, r.Messages.Model)
	}
}
