package retelltest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"
)

// call sends a raw request to the fake and returns the status and decoded body.
func call(t *testing.T, s *Server, key, method, path, body string) (int, map[string]any, []any) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = bytes.NewBufferString(body)
	}
	req, err := http.NewRequest(method, s.URL()+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var obj map[string]any
	var arr []any
	if len(raw) > 0 && json.Unmarshal(raw, &obj) != nil {
		if err := json.Unmarshal(raw, &arr); err != nil {
			t.Fatalf("%s %s answered %q", method, path, raw)
		}
	}
	return resp.StatusCode, obj, arr
}

func TestErrorsHaveRetellsShape(t *testing.T) {
	t.Parallel()
	s := New()
	t.Cleanup(s.Close)
	cases := []struct {
		name, key, method, path, body string
		status                        int
	}{
		{"wrong key", "key_wrong", "GET", "/get-agent/agent_1", "", 401},
		{"no voice_id", s.APIKey, "POST", "/create-agent", `{"response_engine":{"type":"custom-llm","llm_websocket_url":"wss://x"}}`, 400},
		{"no response_engine", s.APIKey, "POST", "/create-agent", `{"voice_id":"11labs-Adrian"}`, 400},
		{"unknown llm", s.APIKey, "POST", "/create-agent", `{"voice_id":"v","response_engine":{"type":"retell-llm","llm_id":"llm_x"}}`, 404},
		{"unknown agent", s.APIKey, "PATCH", "/update-agent/agent_x", `{}`, 404},
		{"bad tool", s.APIKey, "POST", "/create-retell-llm", `{"general_tools":[{"type":"end_call","name":"end call"}]}`, 400},
		{"no from_number", s.APIKey, "POST", "/v2/create-phone-call", `{"to_number":"+12125550123"}`, 400},
		{"not json", s.APIKey, "POST", "/create-retell-llm", `{`, 400},
		{"unknown route", s.APIKey, "GET", "/v1/nothing", "", 404},
		{"limit too big", s.APIKey, "POST", "/v2/list-calls", `{"limit":1001}`, 400},
	}
	for _, tc := range cases {
		status, body, _ := call(t, s, tc.key, tc.method, tc.path, tc.body)
		if status != tc.status || body["status"] != "error" || body["message"] == "" {
			t.Errorf("%s: %d %v, want %d with Retell's error body", tc.name, status, body, tc.status)
		}
	}
}

func TestFaultsApplyToTheNextRequestsOnly(t *testing.T) {
	t.Parallel()
	s := New()
	t.Cleanup(s.Close)
	s.FailNext("/create-retell-llm", 2, 503)
	for i, want := range []int{503, 503, 201} {
		if status, _, _ := call(t, s, s.APIKey, "POST", "/create-retell-llm", `{}`); status != want {
			t.Fatalf("request %d: %d, want %d", i, status, want)
		}
	}
	if len(s.LLMIDs()) != 1 {
		t.Fatalf("LLMs = %v: refused requests must change nothing", s.LLMIDs())
	}
}

func TestListCallsOrderAndPages(t *testing.T) {
	t.Parallel()
	s := New()
	t.Cleanup(s.Close)
	ms := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	s.SetClock(func() time.Time { ms += 1000; return time.UnixMilli(ms) })
	s.AddNumber("+13135550100")
	_, llm, _ := call(t, s, s.APIKey, "POST", "/create-retell-llm", `{}`)
	_, agent, _ := call(t, s, s.APIKey, "POST", "/create-agent",
		`{"voice_id":"v","response_engine":{"type":"retell-llm","llm_id":"`+llm["llm_id"].(string)+`"}}`)
	var ids []string
	for i := range 5 {
		status, c, _ := call(t, s, s.APIKey, "POST", "/v2/create-phone-call",
			`{"from_number":"+13135550100","to_number":"+12125550123","override_agent_id":"`+agent["agent_id"].(string)+
				`","metadata":{"n":`+string(rune('0'+i))+`}}`)
		if status != 201 || c["call_status"] != "registered" {
			t.Fatalf("create-phone-call: %d %v", status, c)
		}
		ids = append(ids, c["call_id"].(string))
	}
	_, _, page := call(t, s, s.APIKey, "POST", "/v2/list-calls", `{"limit":2}`)
	if len(page) != 2 || page[0].(map[string]any)["call_id"] != ids[4] {
		t.Fatalf("first page = %v, want the newest first", page)
	}
	_, _, next := call(t, s, s.APIKey, "POST", "/v2/list-calls", `{"limit":2,"pagination_key":"`+ids[3]+`"}`)
	if len(next) != 2 || next[0].(map[string]any)["call_id"] != ids[2] {
		t.Fatalf("second page = %v", next)
	}
	_, _, md := call(t, s, s.APIKey, "POST", "/v2/list-calls", `{"filter_criteria":{"metadata":{"n":["3"]}}}`)
	if len(md) != 1 || md[0].(map[string]any)["call_id"] != ids[3] {
		t.Fatalf("metadata filter = %v", md)
	}
	if err := s.Progress(ids[0], "dialing"); err == nil {
		t.Fatal("an unknown status was accepted")
	}
}
