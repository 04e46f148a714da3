package api_test

import (
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/openteli/teli/internal/api"
)

// TestUnmatched checks what the router answers when no route matches: the mux's 404 or 405
// and its Allow header, with Teli's envelope instead of the mux's plain-text body. Without
// Options.SandboxInbound there is no sandbox inbound route.
func TestUnmatched(t *testing.T) {
	h := api.New(api.Options{})
	tests := []struct {
		name, method, path string
		status             int
		allow, body        string
	}{
		{"unknown route", "GET", "/v1/nothing-here", 404, "",
			`{"error":"Not found","powered_by":"Teli","success":false}` + "\n"},
		{"wrong method", "PUT", "/v1/agents", 405, "GET, HEAD, POST",
			`{"error":"Method not allowed","powered_by":"Teli","success":false}` + "\n"},
		{"sandbox inbound without SandboxInbound", "POST", "/v1/sandbox/inbound", 404, "",
			`{"error":"Not found","powered_by":"Teli","success":false}` + "\n"},
		{"wrong method under the dashboard prefix", "GET", "/api/proxy/v1/threads/assign", 405, "POST",
			`{"error":"Method not allowed","powered_by":"Teli","success":false}` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest(tt.method, tt.path, nil))
			if w.Code != tt.status || w.Body.String() != tt.body {
				t.Errorf("answered %d %q, want %d %q", w.Code, w.Body, tt.status, tt.body)
			}
			if got := w.Header().Get("Allow"); got != tt.allow {
				t.Errorf("Allow = %q, want %q", got, tt.allow)
			}
			want := []string{"Content-Type"}
			if tt.allow != "" {
				want = []string{"Allow", "Content-Type"}
			}
			var got []string
			for k := range w.Header() {
				got = append(got, k)
			}
			slices.Sort(got)
			if !slices.Equal(got, want) || w.Header().Get("Content-Type") != "application/json; charset=utf-8" {
				t.Errorf("headers = %v, want only %v with JSON", w.Header(), want)
			}
		})
	}
}
