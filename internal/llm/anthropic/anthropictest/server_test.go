package anthropictest_test

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/openteli/teli/internal/llm/anthropic/anthropictest"
)

func post(t *testing.T, url string, header map[string]string, body string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, string(b)
}

var okHeaders = map[string]string{"x-api-key": "k", "anthropic-version": "2023-06-01"}

type errorBody struct {
	Type  string `json:"type"`
	Error struct {
		Type    string `json:"type"`
		Message string `json:"message"`
	} `json:"error"`
}

func TestValidation(t *testing.T) {
	const msgs = `"messages":[{"role":"user","content":"hi"}]`
	const toolTurn = `{"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"f","input":{}}]}`
	tests := []struct {
		name, body string
		status     int
		msg        string
	}{
		{"bad json", `{"model":`, 400, "not valid JSON"},
		{"extra input", `{"model":"m","max_tokens":5,` + msgs + `,"response_format":{}}`, 400, "response_format: Extra inputs are not permitted"},
		{"missing model", `{"max_tokens":5,` + msgs + `}`, 400, "model: Field required"},
		{"missing max_tokens", `{"model":"m",` + msgs + `}`, 400, "max_tokens: Field required"},
		{"zero max_tokens", `{"model":"m","max_tokens":0,` + msgs + `}`, 400, "max_tokens: Input should be greater than or equal to 1"},
		{"missing messages", `{"model":"m","max_tokens":5}`, 400, "messages: Field required"},
		{"empty messages", `{"model":"m","max_tokens":5,"messages":[]}`, 400, "at least one message is required"},
		{"system role", `{"model":"m","max_tokens":5,"messages":[{"role":"system","content":"x"},{"role":"user","content":"hi"}]}`, 400, `Unexpected role "system"`},
		{"bad role", `{"model":"m","max_tokens":5,"messages":[{"role":"tool","content":"x"}]}`, 400, "messages.0.role: Input should be 'user' or 'assistant'"},
		{"empty content", `{"model":"m","max_tokens":5,"messages":[{"role":"user","content":""}]}`, 400, "all messages must have non-empty content"},
		{"empty text block", `{"model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"type":"text","text":""},{"type":"text","text":"x"}]}]}`, 400, "text content blocks must be non-empty"},
		{"temperature", `{"model":"m","max_tokens":5,"temperature":1.5,` + msgs + `}`, 400, "temperature: Input should be less than or equal to 1"},
		{"unanswered tool_use", `{"model":"m","max_tokens":5,"tools":[{"name":"f","input_schema":{"type":"object"}}],"messages":[{"role":"user","content":"hi"},` + toolTurn + `,{"role":"user","content":"next"}]}`, 400, "`tool_use` ids were found without `tool_result` blocks immediately after: t1"},
		{"stray tool_result", `{"model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"t9","content":"r"}]}]}`, 400, "unexpected `tool_use_id` found in `tool_result` blocks: t9"},
		{"tool without schema", `{"model":"m","max_tokens":5,"tools":[{"name":"f"}],` + msgs + `}`, 400, "tools.0.custom.input_schema: Field required"},
		{"tool name", `{"model":"m","max_tokens":5,"tools":[{"name":"a b","input_schema":{"type":"object"}}],` + msgs + `}`, 400, "tools.0.custom.name: String should match pattern"},
		{"forced unknown tool", `{"model":"m","max_tokens":5,"tools":[{"name":"f","input_schema":{"type":"object"}}],"tool_choice":{"type":"tool","name":"g"},` + msgs + `}`, 400, "Tool 'g' not found"},
		{"tool_choice without tools", `{"model":"m","max_tokens":5,"tool_choice":{"type":"any"},` + msgs + `}`, 400, "tool_choice may only be specified while providing tools"},
		{"tool round trip", `{"model":"m","max_tokens":5,"system":[{"type":"text","text":"sys"}],"tools":[{"name":"f","input_schema":{"type":"object"}}],"messages":[{"role":"user","content":"hi"},` + toolTurn + `,{"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":"r"}]}]}`, 200, ""},
		{"prefill", `{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":""}]}`, 200, ""},
	}
	srv := anthropictest.New(t, anthropictest.Options{})
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, _, body := post(t, srv.URL+"/v1/messages", okHeaders, tt.body)
			if status != tt.status {
				t.Fatalf("status %d, want %d: %s", status, tt.status, body)
			}
			if r := srv.Requests()[i]; r.Status != tt.status || string(r.Body) != tt.body {
				t.Errorf("recorded %d %s", r.Status, r.Body)
			}
			if status == 200 {
				return
			}
			var e errorBody
			if err := json.Unmarshal([]byte(body), &e); err != nil {
				t.Fatal(err)
			}
			if e.Type != "error" || e.Error.Type != "invalid_request_error" || !strings.Contains(e.Error.Message, tt.msg) {
				t.Errorf("error = %+v, want message containing %q", e, tt.msg)
			}
		})
	}
}

func TestHeaders(t *testing.T) {
	srv := anthropictest.New(t, anthropictest.Options{APIKey: "right"})
	body := `{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}`
	for _, tt := range []struct {
		header map[string]string
		status int
		typ    string
		msg    string
	}{
		{map[string]string{"anthropic-version": "2023-06-01"}, 401, "authentication_error", "x-api-key header is required"},
		{map[string]string{"x-api-key": "wrong", "anthropic-version": "2023-06-01"}, 401, "authentication_error", "invalid x-api-key"},
		{map[string]string{"x-api-key": "right"}, 400, "invalid_request_error", "anthropic-version: header is required"},
		{map[string]string{"x-api-key": "right", "anthropic-version": "2023-06-01"}, 200, "", ""},
	} {
		status, h, got := post(t, srv.URL+"/v1/messages", tt.header, body)
		if status != tt.status {
			t.Errorf("%v: %d %s", tt.header, status, got)
			continue
		}
		if status == 200 {
			if h.Get("Request-Id") == "" || !strings.Contains(got, `"type":"message"`) || !strings.Contains(got, `"stop_reason":"end_turn"`) {
				t.Errorf("message = %s", got)
			}
			continue
		}
		var e errorBody
		_ = json.Unmarshal([]byte(got), &e)
		if e.Error.Type != tt.typ || e.Error.Message != tt.msg {
			t.Errorf("%v: %s", tt.header, got)
		}
	}
}

func TestStreamWireFormat(t *testing.T) {
	srv := anthropictest.New(t, anthropictest.Options{})
	srv.Push(anthropictest.Reply{Text: "Hello there", ToolUses: []anthropictest.ToolUse{{ID: "toolu_1", Name: "f", Input: `{"day":"tuesday"}`}}})
	status, h, body := post(t, srv.URL+"/v1/messages", okHeaders,
		`{"model":"m","max_tokens":50,"stream":true,"tools":[{"name":"f","input_schema":{"type":"object"}}],"messages":[{"role":"user","content":"hi"}]}`)
	if status != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("%d %s", status, h.Get("Content-Type"))
	}
	var names []string
	var text, args strings.Builder
	var stop string
	sc := bufio.NewScanner(strings.NewReader(body))
	var name string
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "event: "):
			name = strings.TrimPrefix(line, "event: ")
			names = append(names, name)
		case strings.HasPrefix(line, "data: "):
			var ev struct {
				Type  string `json:"type"`
				Delta struct {
					Type        string `json:"type"`
					Text        string `json:"text"`
					PartialJSON string `json:"partial_json"`
					StopReason  string `json:"stop_reason"`
				} `json:"delta"`
			}
			if err := json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &ev); err != nil || ev.Type != name {
				t.Fatalf("event %s data %q: %v", name, line, err)
			}
			text.WriteString(ev.Delta.Text)
			args.WriteString(ev.Delta.PartialJSON)
			if ev.Delta.StopReason != "" {
				stop = ev.Delta.StopReason
			}
		case line == "":
		default:
			t.Fatalf("unexpected line %q", line)
		}
	}
	seq := strings.Join(names, ",")
	if !strings.HasPrefix(seq, "message_start,content_block_start,ping,content_block_delta") ||
		!strings.HasSuffix(seq, "content_block_stop,message_delta,message_stop") ||
		text.String() != "Hello there" || args.String() != `{"day":"tuesday"}` || stop != "tool_use" {
		t.Errorf("events %s text %q args %q stop %q", seq, text.String(), args.String(), stop)
	}
}

func TestFaultsAndLatency(t *testing.T) {
	srv := anthropictest.New(t, anthropictest.Options{Latency: 30 * time.Millisecond})
	srv.Push(anthropictest.Reply{Error: anthropictest.RateLimited("7").Ptr()}, anthropictest.Reply{Error: anthropictest.Overloaded().Ptr()})
	body := `{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}`
	start := time.Now()
	status, h, got := post(t, srv.URL+"/v1/messages", okHeaders, body)
	if time.Since(start) < 30*time.Millisecond || status != 429 || h.Get("Retry-After") != "7" || !strings.Contains(got, `"type":"rate_limit_error"`) {
		t.Errorf("%d %v %s", status, h, got)
	}
	status, _, got = post(t, srv.URL+"/v1/messages", okHeaders, body)
	if status != 529 || !strings.Contains(got, `"type":"overloaded_error"`) {
		t.Errorf("%d %s", status, got)
	}
	if srv.Completed() != 0 || len(srv.Requests()) != 2 {
		t.Errorf("completed %d of %d", srv.Completed(), len(srv.Requests()))
	}
}
