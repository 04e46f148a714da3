package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// inboundRequest is one request the fake server received.
type inboundRequest struct {
	method, path, key, contentType string
	body                           map[string]any
	bodyErr                        error
}

// fakeInbound is a stand-in for the server's /v1/sandbox/inbound endpoint: it records each
// request and answers with status and answer.
type fakeInbound struct {
	*httptest.Server
	mu       sync.Mutex
	requests []inboundRequest
}

func newFakeInbound(t *testing.T, status int, answer string) *fakeInbound {
	t.Helper()
	f := &fakeInbound{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := inboundRequest{method: r.Method, path: r.URL.Path, key: r.Header.Get("X-API-Key"), contentType: r.Header.Get("Content-Type")}
		dec := json.NewDecoder(r.Body)
		dec.DisallowUnknownFields()
		got.bodyErr = dec.Decode(&got.body)
		f.mu.Lock()
		f.requests = append(f.requests, got)
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, answer)
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeInbound) received() []inboundRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]inboundRequest(nil), f.requests...)
}

const acceptedAnswer = `{"success":true,"message":"Inbound message accepted","inbound_id":"in_42","powered_by":"Teli"}`

// runSandbox runs the teli command with the given arguments and environment.
func runSandbox(t *testing.T, environ map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(t.Context(), append([]string{"sandbox"}, args...), func(k string) string { return environ[k] }, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestSandboxReplyPostsInbound(t *testing.T) {
	f := newFakeInbound(t, http.StatusOK, acceptedAnswer)
	code, stdout, stderr := runSandbox(t, nil, "reply", "--from", "+15551234567", "--to", "+13135550000",
		"--url", f.URL+"/", "--api-key", "key-123", "Yes,", "I'm", "interested")
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	reqs := f.received()
	if len(reqs) != 1 {
		t.Fatalf("server received %d requests, want 1", len(reqs))
	}
	r := reqs[0]
	if r.method != http.MethodPost || r.path != "/v1/sandbox/inbound" || r.key != "key-123" || r.contentType != "application/json" {
		t.Errorf("request = %s %s key %q type %q", r.method, r.path, r.key, r.contentType)
	}
	want := map[string]any{"from": "+15551234567", "to": "+13135550000", "body": "Yes, I'm interested"}
	if r.bodyErr != nil || len(r.body) != len(want) {
		t.Fatalf("body = %v (%v), want %v", r.body, r.bodyErr, want)
	}
	for k, v := range want {
		if r.body[k] != v {
			t.Errorf("body[%q] = %v, want %v", k, r.body[k], v)
		}
	}
	if strings.Count(stdout, "\n") != 1 || !strings.Contains(stdout, "in_42") || stderr != "" {
		t.Errorf("stdout %q, stderr %q: want one confirmation line with the inbound id", stdout, stderr)
	}
}

func TestSandboxReplyFlagsAnywhereAndDashText(t *testing.T) {
	f := newFakeInbound(t, http.StatusOK, acceptedAnswer)
	cases := []struct {
		name string
		args []string
		body string
	}{
		{"text first, = flags", []string{"STOP", "--from=+15551234567", "-to=+13135550000", "--url=" + f.URL, "--api-key=k"}, "STOP"},
		{"text between flags", []string{"--from", "+15551234567", "hello", "--to", "+13135550000", "there", "--url", f.URL, "--api-key", "k"}, "hello there"},
		{"dash text after --", []string{"--from", "+15551234567", "--to", "+13135550000", "--url", f.URL, "--api-key", "k", "--", "-5", "--to", "degrees"}, "-5 --to degrees"},
		{"one quoted argument", []string{"--from", "+15551234567", "--to", "+13135550000", "--url", f.URL, "--api-key", "k", "what  time?"}, "what  time?"},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runSandbox(t, nil, append([]string{"reply"}, tc.args...)...)
			if code != 0 {
				t.Fatalf("exit %d, stderr %q", code, stderr)
			}
			reqs := f.received()
			if len(reqs) != i+1 {
				t.Fatalf("server received %d requests, want %d", len(reqs), i+1)
			}
			r := reqs[i]
			if r.body["body"] != tc.body || r.body["from"] != "+15551234567" || r.body["to"] != "+13135550000" {
				t.Errorf("body = %v, want text %q", r.body, tc.body)
			}
		})
	}
}

func TestSandboxReplyEnvironmentDefaults(t *testing.T) {
	f := newFakeInbound(t, http.StatusOK, acceptedAnswer)
	addr := strings.TrimPrefix(f.URL, "http://")
	_, port, _ := strings.Cut(addr, ":")
	other := newFakeInbound(t, http.StatusOK, acceptedAnswer)
	cases := []struct {
		name    string
		environ map[string]string
		flags   []string
		want    *fakeInbound
		wantKey string
	}{
		{"TELI_URL and TELI_API_KEY", map[string]string{"TELI_URL": f.URL, "TELI_API_KEY": "env-key", "TELI_ADDR": "127.0.0.1:1"}, nil, f, "env-key"},
		{"TELI_ADDR", map[string]string{"TELI_ADDR": addr, "TELI_API_KEY": "env-key"}, nil, f, "env-key"},
		{"TELI_ADDR wildcard host", map[string]string{"TELI_ADDR": ":" + port, "TELI_API_KEY": "env-key"}, nil, f, "env-key"},
		{"TELI_ADDR 0.0.0.0", map[string]string{"TELI_ADDR": "0.0.0.0:" + port, "TELI_API_KEY": "env-key"}, nil, f, "env-key"},
		{"flags beat environment", map[string]string{"TELI_URL": f.URL, "TELI_API_KEY": "env-key"},
			[]string{"--url", other.URL, "--api-key", "flag-key"}, other, "flag-key"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := len(tc.want.received())
			args := append([]string{"reply", "--from", "+15551234567", "--to", "+13135550000"}, tc.flags...)
			code, _, stderr := runSandbox(t, tc.environ, append(args, "hi")...)
			if code != 0 {
				t.Fatalf("exit %d, stderr %q", code, stderr)
			}
			reqs := tc.want.received()
			if len(reqs) != before+1 || reqs[len(reqs)-1].key != tc.wantKey {
				t.Fatalf("the expected server did not get one request with key %q: %+v", tc.wantKey, reqs)
			}
		})
	}
}

func TestSandboxReplyServerErrors(t *testing.T) {
	cases := []struct {
		name, answer, want string
		status             int
	}{
		{"error envelope", `{"success":false,"error":"Phone number +13135550000 is not a sandbox number of this organization","powered_by":"Teli"}`,
			"Phone number +13135550000 is not a sandbox number of this organization", http.StatusBadRequest},
		{"unauthorized", `{"success":false,"error":"Invalid API key","powered_by":"Teli"}`, "Invalid API key", http.StatusUnauthorized},
		{"200 but not successful", `{"success":false,"error":"Sandbox carrier is not enabled","powered_by":"Teli"}`,
			"Sandbox carrier is not enabled", http.StatusOK},
		{"not JSON", `404 page not found`, "404", http.StatusNotFound},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeInbound(t, tc.status, tc.answer)
			code, stdout, stderr := runSandbox(t, nil, "reply", "--from", "+15551234567", "--to", "+13135550000",
				"--url", f.URL, "--api-key", "secret-key-value", "hello")
			if code == 0 || stdout != "" {
				t.Fatalf("exit %d, stdout %q: want a failure", code, stdout)
			}
			if !strings.Contains(stderr, tc.want) || strings.Contains(stderr, "secret-key-value") {
				t.Fatalf("stderr %q: want the server's text %q and no API key", stderr, tc.want)
			}
		})
	}
	t.Run("server down", func(t *testing.T) {
		f := newFakeInbound(t, http.StatusOK, acceptedAnswer)
		f.Close()
		code, _, stderr := runSandbox(t, nil, "reply", "--from", "+15551234567", "--to", "+13135550000", "--url", f.URL, "--api-key", "k", "hi")
		if code == 0 || !strings.Contains(stderr, "sandbox reply") {
			t.Fatalf("exit %d, stderr %q", code, stderr)
		}
	})
}

func TestSandboxReplyUsageErrors(t *testing.T) {
	f := newFakeInbound(t, http.StatusOK, acceptedAnswer)
	environ := map[string]string{"TELI_URL": f.URL, "TELI_API_KEY": "k"}
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"no subcommand", nil, "usage"},
		{"unknown subcommand", []string{"send"}, "usage"},
		{"missing from", []string{"reply", "--to", "+13135550000", "hi"}, "--from"},
		{"missing to", []string{"reply", "--from", "+15551234567", "hi"}, "--to"},
		{"missing text", []string{"reply", "--from", "+15551234567", "--to", "+13135550000"}, "MESSAGE TEXT"},
		{"blank text", []string{"reply", "--from", "+15551234567", "--to", "+13135550000", " "}, "MESSAGE TEXT"},
		{"unknown flag", []string{"reply", "--from", "+15551234567", "--to", "+13135550000", "--media", "x", "hi"}, "media"},
		{"flag without value", []string{"reply", "hi", "--from"}, "from"},
		{"bad url", []string{"reply", "--from", "+15551234567", "--to", "+13135550000", "--url", "127.0.0.1:8080", "hi"}, "--url"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runSandbox(t, environ, tc.args...)
			if code == 0 || stdout != "" {
				t.Fatalf("exit %d, stdout %q: want a usage failure", code, stdout)
			}
			if !strings.Contains(stderr, "usage: teli sandbox reply") || !strings.Contains(stderr, tc.want) {
				t.Fatalf("stderr %q: want the usage and %q", stderr, tc.want)
			}
		})
	}
	t.Run("no API key", func(t *testing.T) {
		code, _, stderr := runSandbox(t, map[string]string{"TELI_URL": f.URL}, "reply", "--from", "+15551234567", "--to", "+13135550000", "hi")
		if code == 0 || !strings.Contains(stderr, "TELI_API_KEY") {
			t.Fatalf("exit %d, stderr %q", code, stderr)
		}
	})
	if n := len(f.received()); n != 0 {
		t.Fatalf("usage errors reached the server %d times", n)
	}
	for _, help := range []string{"help", "--help"} {
		code, stdout, _ := runSandbox(t, nil, help)
		if code != 0 || !strings.Contains(stdout, "usage: teli sandbox reply") {
			t.Errorf("teli sandbox %s: exit %d, stdout %q", help, code, stdout)
		}
	}
	if code, stdout, _ := runSandbox(t, nil, "reply", "-h"); code != 0 || !strings.Contains(stdout, "--api-key") {
		t.Errorf("teli sandbox reply -h: exit %d, stdout %q", code, stdout)
	}
}
