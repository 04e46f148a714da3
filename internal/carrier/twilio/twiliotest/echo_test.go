package twiliotest_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// newEchoServer answers 200 to everything and hands each parsed request to got.
func newEchoServer(t *testing.T, got chan<- *http.Request) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		got <- r
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}
