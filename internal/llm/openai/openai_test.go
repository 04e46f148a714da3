package openai_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/openteli/teli/internal/llm"
	"github.com/openteli/teli/internal/llm/openai"
	"github.com/openteli/teli/internal/llm/openai/openaitest"
)

const testKey = "sk-test-123"

// setup starts a fake that requires testKey and a client for it with fast retries.
func setup(t *testing.T, mod func(*openai.Config)) (*openai.Client, *openaitest.Server) {
	t.Helper()
	srv := openaitest.New(t, openaitest.Options{APIKey: testKey})
	cfg := openai.Config{BaseURL: srv.URL, APIKey: testKey, Model: "gpt-test",
		Retry: llm.RetryPolicy{BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond}}
	if mod != nil {
		mod(&cfg)
	}
	c, err := openai.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c, srv
}

func streaming(on bool) func(*openai.Config) {
	return func(c *openai.Config) { c.Stream = on }
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

// wire decodes the body of the i-th request the fake received.
func wire(t *testing.T, srv *openaitest.Server, i int) map[string]any {
	t.Helper()
	reqs := srv.Requests()
	if len(reqs) <= i {
		t.Fatalf("fake saw %d requests, want more than %d", len(reqs), i)
	}
	var m map[string]any
	if err := json.Unmarshal(reqs[i].Body, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestTextReply(t *testing.T) {
	modes(t, func(t *testing.T, stream bool) {
		c, srv := setup(t, streaming(stream))
		srv.Push(openaitest.Reply{Content: "Hi Sam! Tuesday at 3pm works.",
			Usage: &openaitest.Usage{PromptTokens: 42, CompletionTokens: 9}})
		req := llm.Request{System: "You are Ava from Acme Roofing.", MaxTokens: 200, Temperature: new(0.2),
			Messages: []llm.Message{
				{Role: llm.RoleAssistant, Content: "Hi Sam, still interested in a roof quote?"},
				{Role: llm.RoleUser, Content: "Yes — can you come Tuesday?"}}}
		resp, err := c.Complete(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		want := llm.Response{Text: "Hi Sam! Tuesday at 3pm works.", StopReason: llm.StopEnd,
			Usage: llm.Usage{InputTokens: 42, OutputTokens: 9}, Model: "gpt-test"}
		if resp.Text != want.Text || resp.StopReason != want.StopReason || resp.Usage != want.Usage || resp.Model != want.Model {
			t.Errorf("response = %+v, want %+v", resp, want)
		}
		r := srv.Requests()[0]
		if got := r.Header.Get("Authorization"); got != "Bearer "+testKey {
			t.Errorf("Authorization = %q", got)
		}
		if r.Path != "/v1/chat/completions" || r.Chat.Model != "gpt-test" || r.Chat.Stream != stream {
			t.Errorf("request path %s model %q stream %v", r.Path, r.Chat.Model, r.Chat.Stream)
		}
		roles := []string{}
		for _, m := range r.Chat.Messages {
			roles = append(roles, m.Role+":"+m.Text())
		}
		if got := strings.Join(roles, "|"); got != "system:You are Ava from Acme Roofing.|assistant:Hi Sam, still interested in a roof quote?|user:Yes — can you come Tuesday?" {
			t.Errorf("messages = %s", got)
		}
		if r.Chat.MaxTokens == nil || *r.Chat.MaxTokens != 200 || r.Chat.MaxCompletionTokens != nil {
			t.Errorf("max_tokens = %v, max_completion_tokens = %v", r.Chat.MaxTokens, r.Chat.MaxCompletionTokens)
		}
		if r.Chat.Temperature == nil || *r.Chat.Temperature != 0.2 {
			t.Errorf("temperature = %v", r.Chat.Temperature)
		}
		if stream && (r.Chat.StreamOptions == nil || !r.Chat.StreamOptions.IncludeUsage) {
			t.Errorf("stream_options = %+v, want include_usage", r.Chat.StreamOptions)
		}
	})
}

func TestOmittedOptionalFields(t *testing.T) {
	c, srv := setup(t, nil)
	if _, err := c.Complete(context.Background(), userRequest("hello")); err != nil {
		t.Fatal(err)
	}
	m := wire(t, srv, 0)
	for _, k := range []string{"temperature", "max_tokens", "max_completion_tokens", "tools", "response_format", "stream", "stream_options"} {
		if _, ok := m[k]; ok {
			t.Errorf("request has %q: %v", k, m[k])
		}
	}
}

func TestToolCall(t *testing.T) {
	modes(t, func(t *testing.T, stream bool) {
		c, srv := setup(t, streaming(stream))
		srv.Push(openaitest.Reply{Content: "Let me book that.", ToolCalls: []openaitest.ToolCallReply{
			{ID: "call_1", Name: "book_slot", Arguments: `{"day": "tue", "hour": 15}`},
			{ID: "call_2", Name: "mark_qualified", Arguments: ``},
		}})
		req := userRequest("Tuesday 3pm please")
		req.Tools = []llm.Tool{
			{Name: "book_slot", Description: "Book an appointment",
				Parameters: json.RawMessage(`{"type":"object","properties":{"day":{"type":"string"},"hour":{"type":"integer"}},"required":["day","hour"]}`)},
			{Name: "mark_qualified", Description: "Mark the lead qualified"},
		}
		resp, err := c.Complete(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StopReason != llm.StopToolUse || resp.Text != "Let me book that." || len(resp.ToolCalls) != 2 {
			t.Fatalf("response = %+v", resp)
		}
		if tc := resp.ToolCalls[0]; tc.ID != "call_1" || tc.Name != "book_slot" || string(tc.Arguments) != `{"day": "tue", "hour": 15}` {
			t.Errorf("tool call 0 = %+v (%s)", tc, tc.Arguments)
		}
		if tc := resp.ToolCalls[1]; tc.ID != "call_2" || tc.Name != "mark_qualified" || string(tc.Arguments) != `{}` {
			t.Errorf("tool call 1 = %+v (%s)", tc, tc.Arguments)
		}
		tools := srv.Requests()[0].Chat.Tools
		if len(tools) != 2 || tools[0].Type != "function" || tools[0].Function.Name != "book_slot" ||
			!strings.Contains(string(tools[0].Function.Parameters), `"required":["day","hour"]`) ||
			string(tools[1].Function.Parameters) != `{"type":"object","properties":{}}` {
			t.Errorf("tools on the wire = %+v", tools)
		}
	})
}

func TestToolResultHistory(t *testing.T) {
	c, srv := setup(t, nil)
	req := llm.Request{
		Tools: []llm.Tool{{Name: "book_slot"}},
		Messages: []llm.Message{
			{Role: llm.RoleUser, Content: "Tuesday 3pm"},
			{Role: llm.RoleAssistant, ToolCalls: []llm.ToolCall{{ID: "call_9", Name: "book_slot", Arguments: json.RawMessage(`{"day":"tue"}`)}}},
			{Role: llm.RoleTool, ToolCallID: "call_9", Content: `{"ok":true}`},
		}}
	if _, err := c.Complete(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	msgs := wire(t, srv, 0)["messages"].([]any)
	assistant := msgs[1].(map[string]any)
	if assistant["content"] != nil {
		t.Errorf("assistant content = %v, want null", assistant["content"])
	}
	fn := assistant["tool_calls"].([]any)[0].(map[string]any)["function"].(map[string]any)
	if fn["arguments"] != `{"day":"tue"}` {
		t.Errorf("arguments on the wire = %#v, want a JSON string", fn["arguments"])
	}
	if tool := msgs[2].(map[string]any); tool["role"] != "tool" || tool["tool_call_id"] != "call_9" || tool["content"] != `{"ok":true}` {
		t.Errorf("tool message = %v", tool)
	}
}

func TestInvalidToolArguments(t *testing.T) {
	modes(t, func(t *testing.T, stream bool) {
		c, srv := setup(t, streaming(stream))
		srv.Push(openaitest.Reply{ToolCalls: []openaitest.ToolCallReply{{Name: "book_slot", Arguments: `{"day": tue`}}})
		req := userRequest("book it")
		req.Tools = []llm.Tool{{Name: "book_slot"}}
		resp, err := c.Complete(context.Background(), req)
		if !errors.Is(err, llm.ErrInvalidOutput) {
			t.Fatalf("err = %v, want ErrInvalidOutput", err)
		}
		if llm.IsRetryable(err) {
			t.Error("invalid output reported as retryable")
		}
		if len(resp.ToolCalls) != 1 || string(resp.ToolCalls[0].Arguments) != `"{\"day\": tue"` {
			t.Errorf("tool calls = %+v, want the raw arguments as a JSON string", resp.ToolCalls)
		}
		if n := len(srv.Requests()); n != 1 {
			t.Errorf("fake saw %d requests, want 1 (no retry)", n)
		}
	})
}

var leadSchema = &llm.Schema{Name: "lead_fields", Description: "Fields of the lead", Strict: true,
	JSON: json.RawMessage(`{"type":"object","properties":{"name":{"type":"string"},"budget":{"type":["integer","null"]}},"required":["name","budget"],"additionalProperties":false}`)}

func TestSchema(t *testing.T) {
	tests := []struct {
		name, content, refusal string
		want                   string
		wantErr                error
		wantStop               llm.StopReason
	}{
		{name: "exact", content: `{"name": "Sam", "budget": 12000}`, want: `{"name":"Sam","budget":12000}`},
		{name: "fenced", content: "Here you go:\n```json\n{\"name\":\"Sam\",\"budget\":null}\n```", want: `{"name":"Sam","budget":null}`},
		{name: "prose", content: `The fields are {"name":"Sam","budget":5} as requested.`, want: `{"name":"Sam","budget":5}`},
		{name: "think block", content: "<think>maybe {oops}</think>\n{\"name\":\"Sam\",\"budget\":1}", want: `{"name":"Sam","budget":1}`},
		{name: "no json", content: "I could not find a name.", wantErr: llm.ErrInvalidOutput},
		{name: "refusal", refusal: "I can't help with that.", wantErr: llm.ErrInvalidOutput, wantStop: llm.StopRefusal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			modes(t, func(t *testing.T, stream bool) {
				c, srv := setup(t, streaming(stream))
				srv.Push(openaitest.Reply{Content: tt.content, Refusal: tt.refusal})
				req := userRequest("My name is Sam, budget 12k")
				req.Schema = leadSchema
				resp, err := c.Complete(context.Background(), req)
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				if string(resp.JSON) != tt.want {
					t.Errorf("JSON = %s, want %s", resp.JSON, tt.want)
				}
				if tt.wantStop != "" && resp.StopReason != tt.wantStop {
					t.Errorf("stop reason = %q, want %q", resp.StopReason, tt.wantStop)
				}
				rf := srv.Requests()[0].Chat.ResponseFormat
				if rf == nil || rf.Type != "json_schema" || rf.JSONSchema.Name != "lead_fields" ||
					rf.JSONSchema.Strict == nil || !*rf.JSONSchema.Strict || !json.Valid(rf.JSONSchema.Schema) {
					t.Errorf("response_format = %+v", rf)
				}
			})
		})
	}
}

func TestDefaultReplies(t *testing.T) {
	c, _ := setup(t, nil)
	resp, err := c.Complete(context.Background(), userRequest("hi"))
	if err != nil || resp.Text != "OK" {
		t.Errorf("plain: %q, %v", resp.Text, err)
	}
	req := userRequest("hi")
	req.Schema = leadSchema
	resp, err = c.Complete(context.Background(), req)
	if err != nil || string(resp.JSON) != "{}" {
		t.Errorf("schema: %s, %v", resp.JSON, err)
	}
}

func TestInvalidRequestNeverSent(t *testing.T) {
	c, srv := setup(t, nil)
	for _, req := range []llm.Request{
		{},
		{Messages: []llm.Message{{Role: "system", Content: "x"}}},
		{Messages: []llm.Message{{Role: llm.RoleTool, Content: "x"}}},
		{Messages: []llm.Message{{Role: llm.RoleUser, Content: "x"}}, Tools: []llm.Tool{{Name: "bad name"}}},
		{Messages: []llm.Message{{Role: llm.RoleUser, Content: "x"}}, Schema: &llm.Schema{Name: "s", JSON: json.RawMessage(`[`)}},
	} {
		if _, err := c.Complete(context.Background(), req); !errors.Is(err, llm.ErrInvalidRequest) {
			t.Errorf("%+v: err = %v, want ErrInvalidRequest", req, err)
		}
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("fake saw %d requests", n)
	}
}

// redirect sends every request to target's host, keeping the path, so a client configured for
// a real host talks to the fake.
type redirect struct{ target *url.URL }

func (r redirect) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.URL.Scheme, req.URL.Host = r.target.Scheme, r.target.Host
	return http.DefaultTransport.RoundTrip(req)
}

func TestTokenLimitField(t *testing.T) {
	srv := openaitest.New(t, openaitest.Options{})
	target, _ := url.Parse(srv.URL)
	hc := &http.Client{Transport: redirect{target}}
	tests := []struct {
		base, field string
		want        string
	}{
		{base: "https://api.openai.com/v1", want: "max_completion_tokens"},
		{base: "http://localhost:11434/v1", want: "max_tokens"},
		{base: "https://api.openai.com/v1", field: openai.MaxTokens, want: "max_tokens"},
		{base: "http://vllm:8000/v1", field: openai.MaxCompletionTokens, want: "max_completion_tokens"},
	}
	for i, tt := range tests {
		c, err := openai.New(openai.Config{BaseURL: tt.base, HTTPClient: hc, TokenLimitField: tt.field, MaxTokens: 300})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Complete(context.Background(), userRequest("hi")); err != nil {
			t.Fatal(err)
		}
		if m := wire(t, srv, i); m[tt.want] != float64(300) || len(m) != 3 {
			t.Errorf("%s %q: body %v, want only %s=300 besides model and messages", tt.base, tt.field, m, tt.want)
		}
	}
}

func TestNewConfig(t *testing.T) {
	for _, base := range []string{"localhost:8080", "ftp://x/v1", "http:///v1", "://"} {
		if _, err := openai.New(openai.Config{BaseURL: base}); err == nil {
			t.Errorf("base URL %q accepted", base)
		}
	}
	if _, err := openai.New(openai.Config{TokenLimitField: "max_output_tokens"}); err == nil {
		t.Error("unknown TokenLimitField accepted")
	}
	srv := openaitest.New(t, openaitest.Options{})
	bare := strings.TrimSuffix(srv.URL, "/v1") + "/"
	c, err := openai.New(openai.Config{BaseURL: bare})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Complete(context.Background(), userRequest("hi")); err != nil {
		t.Fatalf("bare host %s: %v", bare, err)
	}
	if r := srv.Requests()[0]; r.Path != "/v1/chat/completions" || r.Chat.Model != openai.DefaultModel {
		t.Errorf("path %s model %s", r.Path, r.Chat.Model)
	}
}
