package main

import (
	"net/http"
	"strings"
	"testing"
)

func TestSandboxCallCommandsPostTheirRequests(t *testing.T) {
	cases := []struct {
		name     string
		args     []string
		answer   string
		path     string
		body     map[string]any
		stdoutIn string
	}{
		{"dial", []string{"dial", "--from", "+13135550123", "--to", "+13135550100"},
			`{"success":true,"answered":true,"call_id":"call_abc","transcript":"Agent: Hello!\n","powered_by":"Teli"}`,
			"/v1/sandbox/calls", map[string]any{"from": "+13135550123", "to": "+13135550100"}, "call call_abc answered\nAgent: Hello!\n"},
		{"dial unanswered", []string{"dial", "--from", "+13135550123", "--to", "+13135550100"},
			`{"success":true,"answered":false,"message":"Nobody answered","powered_by":"Teli"}`,
			"/v1/sandbox/calls", map[string]any{"from": "+13135550123", "to": "+13135550100"}, "Nobody answered\n"},
		{"say", []string{"say", "call_abc", "Yes,", "tomorrow", "works"},
			`{"success":true,"call_id":"call_abc","agent_reply":"Great, see you then.","powered_by":"Teli"}`,
			"/v1/sandbox/calls/call_abc/say", map[string]any{"text": "Yes, tomorrow works"}, "Agent: Great, see you then.\n"},
		{"hangup", []string{"hangup", "call_abc"},
			`{"success":true,"call_id":"call_abc","message":"Call ended","powered_by":"Teli"}`,
			"/v1/sandbox/calls/call_abc/hangup", map[string]any{}, "call call_abc ended\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeInbound(t, http.StatusOK, tc.answer)
			args := append([]string{"call"}, tc.args...)
			args = append(args, "--url", f.URL, "--api-key", "key-123")
			code, stdout, stderr := runSandbox(t, nil, args...)
			if code != 0 {
				t.Fatalf("exit %d, stderr %q", code, stderr)
			}
			reqs := f.received()
			if len(reqs) != 1 {
				t.Fatalf("server received %d requests, want 1", len(reqs))
			}
			r := reqs[0]
			if r.method != http.MethodPost || r.path != tc.path || r.key != "key-123" || r.bodyErr != nil {
				t.Fatalf("request = %s %s key %q (%v)", r.method, r.path, r.key, r.bodyErr)
			}
			if len(r.body) != len(tc.body) {
				t.Fatalf("body = %v, want %v", r.body, tc.body)
			}
			for k, v := range tc.body {
				if r.body[k] != v {
					t.Errorf("body[%q] = %v, want %v", k, r.body[k], v)
				}
			}
			if stdout != tc.stdoutIn {
				t.Errorf("stdout = %q, want %q", stdout, tc.stdoutIn)
			}
		})
	}
}

func TestSandboxCallRefusalsAndUsage(t *testing.T) {
	f := newFakeInbound(t, http.StatusConflict,
		`{"success":false,"error":"The call is not live: it has ended, or has not been answered yet","powered_by":"Teli"}`)
	code, _, stderr := runSandbox(t, nil, "call", "say", "call_abc", "hello", "--url", f.URL, "--api-key", "k")
	if code != 1 || !strings.Contains(stderr, "HTTP 409") || !strings.Contains(stderr, "not live") {
		t.Errorf("refused say: exit %d, stderr %q", code, stderr)
	}
	for _, args := range [][]string{
		{"call"}, {"call", "ring"}, {"call", "dial", "--from", "+13135550123"}, {"call", "say", "call_abc"},
		{"call", "hangup"}, {"call", "hangup", "a", "b"}, {"call", "say", "--bogus", "call_abc", "hi"},
	} {
		code, _, stderr := runSandbox(t, map[string]string{"TELI_API_KEY": "k"}, args...)
		if code != 2 || !strings.Contains(stderr, "usage: teli sandbox call") {
			t.Errorf("teli sandbox %v: exit %d, stderr %q", args, code, stderr)
		}
	}
	code, stdout, _ := runSandbox(t, nil, "call", "help")
	if code != 0 || !strings.Contains(stdout, "usage: teli sandbox call") {
		t.Errorf("teli sandbox call help: exit %d, stdout %q", code, stdout)
	}
	code, _, stderr = runSandbox(t, nil, "call", "hangup", "call_abc", "--url", f.URL)
	if code != 2 || !strings.Contains(stderr, "no API key") {
		t.Errorf("no key: exit %d, stderr %q", code, stderr)
	}
}
