package api_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/openteli/teli/internal/apitest"
)

// Benchmarks of the router over a real database, without the network: they show where the
// server's own time goes (go test -bench . -cpuprofile). teli bench api measures over HTTP.

func benchServer(b *testing.B) (*apitest.Server, string) {
	srv := apitest.NewServer(b, apitest.Backends()[0])
	body := `{"agent_type": "sms", "agent_name": "Bench", "starting_message": "Hi {{first_name}}",
		"prompt": "Be brief.", "organization_id": "` + srv.OrgID + `", "user_id": "` + srv.AdminID + `",
		"extraction_fields": ["credit_score", "timeline"], "drip_schedule": [{"day": 1, "message": "Hello again"}]}`
	return srv, body
}

func serve(b *testing.B, h http.Handler, method, path, body string) {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("X-API-Key", apitest.Key)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 200 {
		b.Fatalf("%s %s: %d %s", method, path, rec.Code, rec.Body)
	}
}

func BenchmarkCreateAgent(b *testing.B) {
	srv, body := benchServer(b)
	h := srv.App.Handler()
	for b.Loop() {
		serve(b, h, "POST", "/v1/agents", body)
	}
}

func BenchmarkListTwentyAgents(b *testing.B) {
	srv, body := benchServer(b)
	h := srv.App.Handler()
	for range 20 {
		serve(b, h, "POST", "/v1/agents", body)
	}
	path := fmt.Sprintf("/v1/agents?organization_id=%s&user_id=%s", srv.OrgID, srv.AdminID)
	for b.Loop() {
		serve(b, h, "GET", path, "")
	}
}
