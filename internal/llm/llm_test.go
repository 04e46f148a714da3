package llm_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/openteli/teli/internal/llm"
)

func TestExtractJSON(t *testing.T) {
	tests := []struct {
		text, want string
	}{
		{`{"a": 1}`, `{"a":1}`},
		{"  [1, 2]\n", `[1,2]`},
		{"```json\n{\"a\": \"x\"}\n```", `{"a":"x"}`},
		{"Sure:\n```\n{\"a\":true}\n```\nAnything else?", `{"a":true}`},
		{`Here: {"a": "brace } in string", "b": {"c": null}} done`, `{"a":"brace } in string","b":{"c":null}}`},
		{`Not {this} but {"a":2}`, `{"a":2}`},
		{"<think>The user wants {name}.</think>\n{\"name\":\"Sam\"}", `{"name":"Sam"}`},
		{`"just a string"`, ``},
		{`42`, ``},
		{`no json here`, ``},
		{`{"a": 1`, ``},
		{``, ``},
	}
	for _, tt := range tests {
		got, ok := llm.ExtractJSON(tt.text)
		if string(got) != tt.want || ok != (tt.want != "") {
			t.Errorf("ExtractJSON(%q) = %s, %v; want %s", tt.text, got, ok, tt.want)
		}
	}
}

func TestValidate(t *testing.T) {
	user := llm.Message{Role: llm.RoleUser, Content: "hi"}
	obj := json.RawMessage(`{"type":"object"}`)
	tests := []struct {
		name string
		req  llm.Request
		bad  string // substring of the error; "" for a valid request
	}{
		{"minimal", llm.Request{Messages: []llm.Message{user}}, ""},
		{"full", llm.Request{System: "s", Messages: []llm.Message{user,
			{Role: llm.RoleAssistant, ToolCalls: []llm.ToolCall{{ID: "c", Name: "f"}}},
			{Role: llm.RoleTool, ToolCallID: "c", Content: "ok"}},
			Tools:  []llm.Tool{{Name: "f", Parameters: obj}},
			Schema: &llm.Schema{Name: "s", JSON: obj}, MaxTokens: 10, Temperature: new(0.0)}, ""},
		{"no messages", llm.Request{}, "no messages"},
		{"system role", llm.Request{Messages: []llm.Message{{Role: "system", Content: "x"}}}, `unknown role "system"`},
		{"empty user", llm.Request{Messages: []llm.Message{{Role: llm.RoleUser}}}, "empty user message"},
		{"empty assistant", llm.Request{Messages: []llm.Message{user, {Role: llm.RoleAssistant}}}, "neither content nor tool calls"},
		{"tool without id", llm.Request{Messages: []llm.Message{{Role: llm.RoleTool, Content: "x"}}}, "without ToolCallID"},
		{"user with tool calls", llm.Request{Messages: []llm.Message{{Role: llm.RoleUser, Content: "x", ToolCalls: []llm.ToolCall{{ID: "a", Name: "b"}}}}}, "user message with tool calls"},
		{"bad call arguments", llm.Request{Messages: []llm.Message{{Role: llm.RoleAssistant, ToolCalls: []llm.ToolCall{{ID: "a", Name: "b", Arguments: json.RawMessage(`[1]`)}}}}}, "not a JSON object"},
		{"tool name", llm.Request{Messages: []llm.Message{user}, Tools: []llm.Tool{{Name: "book slot"}}}, "does not match"},
		{"duplicate tool", llm.Request{Messages: []llm.Message{user}, Tools: []llm.Tool{{Name: "f"}, {Name: "f"}}}, "duplicate"},
		{"tool parameters", llm.Request{Messages: []llm.Message{user}, Tools: []llm.Tool{{Name: "f", Parameters: json.RawMessage(`"x"`)}}}, "not a JSON object"},
		{"schema name", llm.Request{Messages: []llm.Message{user}, Schema: &llm.Schema{Name: "", JSON: obj}}, "schema: name"},
		{"schema clashes with tool", llm.Request{Messages: []llm.Message{user}, Tools: []llm.Tool{{Name: "f"}}, Schema: &llm.Schema{Name: "f", JSON: obj}}, "also a tool name"},
		{"schema JSON", llm.Request{Messages: []llm.Message{user}, Schema: &llm.Schema{Name: "s"}}, "not a JSON object"},
		{"max tokens", llm.Request{Messages: []llm.Message{user}, MaxTokens: -1}, "negative"},
		{"temperature", llm.Request{Messages: []llm.Message{user}, Temperature: new(-0.5)}, "negative"},
	}
	for _, tt := range tests {
		err := tt.req.Validate()
		switch {
		case tt.bad == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.bad != "" && (!errors.Is(err, llm.ErrInvalidRequest) || !strings.Contains(err.Error(), tt.bad)):
			t.Errorf("%s: err = %v, want ErrInvalidRequest mentioning %q", tt.name, err, tt.bad)
		}
	}
}

func TestError(t *testing.T) {
	e := &llm.Error{Provider: "openai", StatusCode: 429, Type: "requests", Code: "rate_limit_exceeded",
		Message: "Rate limit reached", Retryable: true, RetryAfter: 2 * time.Second, Attempts: 3}
	if got, want := e.Error(), "llm: openai: status 429 (requests, rate_limit_exceeded): Rate limit reached (retry after 2s) (3 attempts)"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	timeout := &llm.Error{Provider: "anthropic", Retryable: true, Err: context.DeadlineExceeded}
	if got := timeout.Error(); got != "llm: anthropic: context deadline exceeded" {
		t.Errorf("Error() = %q", got)
	}
	wrapped := fmt.Errorf("reply: %w", timeout)
	if !llm.IsRetryable(wrapped) || !errors.Is(wrapped, context.DeadlineExceeded) {
		t.Error("wrapped timeout: not retryable or not unwrapping to DeadlineExceeded")
	}
	if llm.IsRetryable(errors.New("x")) || llm.IsRetryable(&llm.Error{StatusCode: 400}) {
		t.Error("non-retryable errors reported retryable")
	}
}

func TestRetryableStatus(t *testing.T) {
	for status, want := range map[int]bool{400: false, 401: false, 403: false, 404: false, 408: true, 409: true,
		413: false, 422: false, 429: true, 500: true, 502: true, 503: true, 504: true, 529: true} {
		if got := llm.RetryableStatus(status); got != want {
			t.Errorf("RetryableStatus(%d) = %v", status, got)
		}
	}
}

func TestRetryPolicyDefaults(t *testing.T) {
	p := llm.RetryPolicy{}.WithDefaults()
	if *p.MaxRetries != 2 || p.BaseDelay != 500*time.Millisecond || p.MaxDelay != 8*time.Second || p.MaxRetryAfter != time.Minute {
		t.Errorf("defaults = %+v (retries %d)", p, *p.MaxRetries)
	}
	if p := (llm.RetryPolicy{MaxRetries: new(-3), BaseDelay: time.Second, MaxDelay: time.Millisecond}).WithDefaults(); *p.MaxRetries != 0 || p.MaxDelay != time.Second {
		t.Errorf("negative retries / small max: %+v (retries %d)", p, *p.MaxRetries)
	}
	if p := (llm.RetryPolicy{MaxRetries: new(0)}).WithDefaults(); *p.MaxRetries != 0 {
		t.Errorf("new(0) became %d", *p.MaxRetries)
	}
}
