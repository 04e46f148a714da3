// Package apitest boots the real server for tests: the real router over a real database (SQLite
// always, PostgreSQL when TELI_TEST_POSTGRES_URL is set), with a fixed clock and a predictable id
// sequence so responses can be compared with golden files.
package apitest

import (
	"context"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/openteli/teli/internal/app"
	"github.com/openteli/teli/internal/clock"
	"github.com/openteli/teli/internal/config"
	"github.com/openteli/teli/internal/ids"
	"github.com/openteli/teli/internal/store/dbtest"
)

// Epoch is the fixed time of every test server's clock: 2026-01-23T19:30:00Z.
var Epoch = time.Date(2026, 1, 23, 19, 30, 0, 0, time.UTC)

// Key is the API key of the bootstrap tenant of every test server.
const Key = "test-key-0123456789abcdef"

// Backend names a database a test runs on.
type Backend struct {
	Name string
	// URL is the TELI_DATABASE_URL for this backend, made fresh per call.
	URL func(t testing.TB) string
}

// Backends returns SQLite, and PostgreSQL when TELI_TEST_POSTGRES_URL is set.
func Backends() []Backend {
	b := []Backend{{Name: "sqlite", URL: func(t testing.TB) string { return "sqlite:" + dbtest.SQLitePath(t) }}}
	if os.Getenv("TELI_TEST_POSTGRES_URL") != "" {
		b = append(b, Backend{Name: "postgres", URL: dbtest.PostgresURL})
	}
	return b
}

// Server is a booted test server.
type Server struct {
	App   *app.App
	Clock *clock.Manual
	// Bootstrap holds the ids of the default tenant's organization and admin user.
	OrgID, AdminID string
	// DatabaseURL is the server's TELI_DATABASE_URL, for tests that look at the database
	// itself (dbtest.NewFingerprinter).
	DatabaseURL string
}

// NewServer boots the app on a fresh database of backend b, bootstraps it with Key and starts
// its job queue. Everything is stopped when the test ends.
func NewServer(t testing.TB, b Backend) *Server {
	t.Helper()
	ctx := context.Background()
	cfg := config.Defaults()
	cfg.DatabaseURL = b.URL(t)
	cfg.JobWorkers = 4
	clk := clock.NewManual(Epoch)
	a, err := app.New(ctx, cfg, app.Options{
		Clock: clk, IDs: &ids.Sequence{Millis: Epoch.UnixMilli()},
		Logger: slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
	if err != nil {
		t.Fatalf("boot app: %v", err)
	}
	r, err := a.Tenancy().Bootstrap(ctx, Key)
	if err != nil || !r.Created {
		t.Fatalf("bootstrap: created=%v err=%v", r.Created, err)
	}
	if err := a.StartJobs(ctx); err != nil {
		t.Fatalf("start jobs: %v", err)
	}
	t.Cleanup(func() {
		stopCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := a.StopJobs(stopCtx); err != nil {
			t.Errorf("stop jobs: %v", err)
		}
		if err := a.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return &Server{App: a, Clock: clk, OrgID: r.Organization.UniqueID, AdminID: r.Admin.UniqueID, DatabaseURL: cfg.DatabaseURL}
}

// testWriter sends log lines to the test's log, shown only when it fails.
type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(string(p))
	return len(p), nil
}
