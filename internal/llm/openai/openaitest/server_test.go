package openaitest_test

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/openteli/teli/internal/llm/openai/openaitest"
)

func post(t *testing.T, url, key, body string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, string(b)
}

type errorBody struct {
	Error struct {
		Message string  `json:"message"`
		Type    string  `json:"type"`
		Param   *string `json:"param"`
		Code    *string `json:"code"`
	} `json:"error"`
}

func TestValidation(t *testing.T) {
	const user = `"messages":[{"role":"user","content":"hi"}]`
	tests := []struct {
		name, body string
		status     int
		code, msg  string // msg: a substring of error.message
	}{
		{"bad json", `{"model":`, 400, "", "could not parse the JSON body"},
		{"unknown parameter", `{"model":"m",` + user + `,"temprature":1}`, 400, "", "Unrecognized request argument supplied: temprature"},
		{"missing model", `{` + user + `}`, 400, "", "you must provide a model parameter"},
		{"missing messages", `{"model":"m"}`, 400, "missing_required_parameter", "Missing required parameter: 'messages'."},
		{"empty messages", `{"model":"m","messages":[]}`, 400, "empty_array", "empty array"},
		{"bad role", `{"model":"m","messages":[{"role":"bot","content":"x"}]}`, 400, "invalid_value", "Invalid value: 'bot'"},
		{"null user content", `{"model":"m","messages":[{"role":"user","content":null}]}`, 400, "", "expected a string, got null"},
		{"tool without id", `{"model":"m","messages":[{"role":"user","content":"x"},{"role":"tool","content":"r"}]}`, 400, "", "must have a 'tool_call_id'"},
		{"tool answering nothing", `{"model":"m","messages":[{"role":"user","content":"x"},{"role":"tool","tool_call_id":"c1","content":"r"}]}`, 400, "", "must be a response to a preceeding message with 'tool_calls'"},
		{"unanswered tool call", `{"model":"m","messages":[{"role":"user","content":"x"},{"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{}"}}]},{"role":"user","content":"y"}]}`, 400, "", "did not have response messages: c1"},
		{"stream_options without stream", `{"model":"m",` + user + `,"stream_options":{"include_usage":true}}`, 400, "", "only allowed when 'stream' is enabled"},
		{"temperature", `{"model":"m",` + user + `,"temperature":3}`, 400, "decimal_above_max_value", "Invalid 'temperature'"},
		{"max_tokens", `{"model":"m",` + user + `,"max_tokens":0}`, 400, "integer_below_min_value", "Invalid 'max_tokens'"},
		{"tool name", `{"model":"m",` + user + `,"tools":[{"type":"function","function":{"name":"book slot"}}]}`, 400, "invalid_value", "does not match pattern"},
		{"json_object without json", `{"model":"m",` + user + `,"response_format":{"type":"json_object"}}`, 400, "", "must contain the word 'json'"},
		{"json_schema without name", `{"model":"m",` + user + `,"response_format":{"type":"json_schema","json_schema":{"schema":{}}}}`, 400, "missing_required_parameter", "response_format.json_schema.name"},
		{"strict additionalProperties", `{"model":"m",` + user + `,"response_format":{"type":"json_schema","json_schema":{"name":"s","strict":true,"schema":{"type":"object","properties":{"a":{"type":"string"}},"required":["a"]}}}}`, 400, "invalid_json_schema", "In context=(), 'additionalProperties' is required"},
		{"strict required", `{"model":"m",` + user + `,"response_format":{"type":"json_schema","json_schema":{"name":"s","strict":true,"schema":{"type":"object","properties":{"a":{"type":"object","properties":{"b":{"type":"string"}},"additionalProperties":false}},"required":["a"],"additionalProperties":false}}}}`, 400, "invalid_json_schema", "In context=('properties', 'a'), 'required' is required to be supplied and to be an array including every key in properties. Missing 'b'."},
		{"response_format type", `{"model":"m",` + user + `,"response_format":{"type":"xml"}}`, 400, "invalid_value", "Invalid value: 'xml'"},
		{"json_object with json", `{"model":"m","messages":[{"role":"system","content":"Answer in JSON."},{"role":"user","content":"hi"}],"response_format":{"type":"json_object"},"max_tokens":5,"stream":false}`, 200, "", ""},
		{"valid tool round trip", `{"model":"m","messages":[{"role":"user","content":"x"},{"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{}"}}]},{"role":"tool","tool_call_id":"c1","content":"r"}]}`, 200, "", ""},
	}
	srv := openaitest.New(t, openaitest.Options{})
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, _, body := post(t, srv.URL+"/chat/completions", "", tt.body)
			if status != tt.status {
				t.Fatalf("status %d, want %d: %s", status, tt.status, body)
			}
			if r := srv.Requests()[i]; r.Status != tt.status || string(r.Body) != tt.body {
				t.Errorf("recorded %d %q", r.Status, r.Body)
			}
			if tt.status == 200 {
				return
			}
			var e errorBody
			if err := json.Unmarshal([]byte(body), &e); err != nil {
				t.Fatalf("error body %s: %v", body, err)
			}
			code := ""
			if e.Error.Code != nil {
				code = *e.Error.Code
			}
			if e.Error.Type != "invalid_request_error" || code != tt.code || !strings.Contains(e.Error.Message, tt.msg) {
				t.Errorf("error = %+v (code %q), want code %q and message containing %q", e.Error, code, tt.code, tt.msg)
			}
			if !strings.Contains(body, `"param":`) || !strings.Contains(body, `"code":`) {
				t.Errorf("error body lacks param or code keys: %s", body)
			}
		})
	}
}

func TestAuthModelsAndRoutes(t *testing.T) {
	srv := openaitest.New(t, openaitest.Options{APIKey: "sk-1", Models: []string{"qwen3"}})
	ok := `{"model":"qwen3","messages":[{"role":"user","content":"hi"}]}`
	for _, tt := range []struct {
		key, body string
		status    int
		want      string
	}{
		{"", ok, 401, "You didn't provide an API key"},
		{"sk-2", ok, 401, `"code":"invalid_api_key"`},
		{"sk-1", `{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}`, 404, `"code":"model_not_found"`},
		{"sk-1", ok, 200, `"object":"chat.completion"`},
	} {
		status, _, body := post(t, srv.URL+"/chat/completions", tt.key, tt.body)
		if status != tt.status || !strings.Contains(body, tt.want) {
			t.Errorf("key %q: %d %s, want %d with %s", tt.key, status, body, tt.status, tt.want)
		}
	}
	status, _, body := post(t, srv.URL+"/completions", "sk-1", ok)
	if status != 404 || !strings.Contains(body, "Invalid URL (POST /v1/completions)") {
		t.Errorf("unknown route: %d %s", status, body)
	}
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/models", nil)
	req.Header.Set("Authorization", "Bearer sk-1")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(b), `"id":"qwen3"`) {
		t.Errorf("models: %d %s", res.StatusCode, b)
	}
}

func TestCompletionWireFormat(t *testing.T) {
	var seen *openaitest.ChatRequest
	srv := openaitest.New(t, openaitest.Options{Handler: func(r *openaitest.ChatRequest) openaitest.Reply {
		seen = r
		return openaitest.Reply{ToolCalls: []openaitest.ToolCallReply{{Name: "f", Arguments: `{"a":1}`}}}
	}})
	status, h, body := post(t, srv.URL+"/chat/completions", "", `{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"hi "},{"type":"text","text":"there"}]}]}`)
	if status != 200 || !strings.HasPrefix(h.Get("Content-Type"), "application/json") {
		t.Fatalf("%d %s", status, h.Get("Content-Type"))
	}
	if seen == nil || seen.Messages[0].Text() != "hi there" {
		t.Errorf("handler saw %+v", seen)
	}
	var c struct {
		ID, Object, Model string
		Choices           []struct {
			FinishReason string `json:"finish_reason"`
			Message      struct {
				Role      string
				Content   *string
				ToolCalls []struct {
					ID, Type string
					Function struct{ Name, Arguments string }
				} `json:"tool_calls"`
			}
		}
		Usage struct {
			PromptTokens     int `json:"prompt_tokens"`
			CompletionTokens int `json:"completion_tokens"`
			TotalTokens      int `json:"total_tokens"`
		}
	}
	if err := json.Unmarshal([]byte(body), &c); err != nil {
		t.Fatal(err)
	}
	m := c.Choices[0].Message
	if !strings.HasPrefix(c.ID, "chatcmpl-") || c.Object != "chat.completion" || c.Model != "m" ||
		c.Choices[0].FinishReason != "tool_calls" || m.Role != "assistant" || m.Content != nil ||
		m.ToolCalls[0].Type != "function" || m.ToolCalls[0].Function.Arguments != `{"a":1}` || m.ToolCalls[0].ID == "" ||
		c.Usage.TotalTokens != c.Usage.PromptTokens+c.Usage.CompletionTokens || c.Usage.PromptTokens == 0 {
		t.Errorf("completion = %s", body)
	}
}

func TestStreamWireFormat(t *testing.T) {
	srv := openaitest.New(t, openaitest.Options{})
	srv.Push(openaitest.Reply{Content: "Hello there", ToolCalls: []openaitest.ToolCallReply{{ID: "call_x", Name: "f", Arguments: `{"day":"tuesday"}`}}})
	status, h, body := post(t, srv.URL+"/chat/completions", "", `{"model":"m","messages":[{"role":"user","content":"hi"}],"stream":true,"stream_options":{"include_usage":true}}`)
	if status != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("%d %s", status, h.Get("Content-Type"))
	}
	var events []string
	sc := bufio.NewScanner(strings.NewReader(body))
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			continue
		}
		data, ok := strings.CutPrefix(line, "data: ")
		if !ok {
			t.Fatalf("line %q is not a data line", line)
		}
		events = append(events, data)
	}
	if events[len(events)-1] != "[DONE]" {
		t.Fatalf("last event %q", events[len(events)-1])
	}
	var text, args strings.Builder
	var finish, id string
	var usageSeen bool
	for i, ev := range events[:len(events)-1] {
		var c struct {
			ID, Object string
			Choices    []struct {
				Delta struct {
					Role      string
					Content   string
					ToolCalls []struct {
						Index    int
						ID       string
						Function struct{ Name, Arguments string }
					} `json:"tool_calls"`
				}
				FinishReason *string `json:"finish_reason"`
			}
			Usage *struct {
				TotalTokens int `json:"total_tokens"`
			}
		}
		if err := json.Unmarshal([]byte(ev), &c); err != nil {
			t.Fatalf("event %d %q: %v", i, ev, err)
		}
		if c.Object != "chat.completion.chunk" || (id != "" && c.ID != id) {
			t.Errorf("event %d: object %q id %q", i, c.Object, c.ID)
		}
		id = c.ID
		if i == 0 && (len(c.Choices) != 1 || c.Choices[0].Delta.Role != "assistant") {
			t.Errorf("first chunk %s", ev)
		}
		if c.Usage != nil {
			usageSeen = len(c.Choices) == 0 && c.Usage.TotalTokens > 0
			continue
		}
		if !strings.Contains(ev, `"usage":null`) {
			t.Errorf("chunk without usage:null: %s", ev)
		}
		for _, ch := range c.Choices {
			text.WriteString(ch.Delta.Content)
			for _, tc := range ch.Delta.ToolCalls {
				args.WriteString(tc.Function.Arguments)
			}
			if ch.FinishReason != nil {
				finish = *ch.FinishReason
			}
		}
	}
	if text.String() != "Hello there" || args.String() != `{"day":"tuesday"}` || finish != "tool_calls" || !usageSeen {
		t.Errorf("text %q args %q finish %q usage %v\n%s", text.String(), args.String(), finish, usageSeen, body)
	}
}

func TestLatencyAndFaults(t *testing.T) {
	srv := openaitest.New(t, openaitest.Options{Latency: 30 * time.Millisecond})
	srv.Push(openaitest.Reply{Error: openaitest.RateLimitedAfter(250 * time.Millisecond).Ptr()})
	start := time.Now()
	status, h, body := post(t, srv.URL+"/chat/completions", "", `{"model":"m","messages":[{"role":"user","content":"hi"}]}`)
	if d := time.Since(start); d < 30*time.Millisecond {
		t.Errorf("answered after %s, want at least the 30ms latency", d)
	}
	if status != 429 || h.Get("Retry-After-Ms") != "250" || !strings.Contains(body, `"code":"rate_limit_exceeded"`) {
		t.Errorf("%d %v %s", status, h, body)
	}
	for _, f := range []openaitest.Fault{openaitest.VLLMError(400, "bad"), openaitest.LlamaCppError(400, "bad")} {
		var v map[string]any
		if err := json.Unmarshal([]byte(f.Body), &v); err != nil {
			t.Fatal(err)
		}
		if code, _ := v["code"].(float64); f.Status == 400 && code != 400 {
			if inner, _ := v["error"].(map[string]any); inner["code"] != float64(400) {
				t.Errorf("integer code missing in %s", f.Body)
			}
		}
	}
	if n := srv.Completed(); n != 0 {
		t.Errorf("Completed = %d after a 429", n)
	}
}
