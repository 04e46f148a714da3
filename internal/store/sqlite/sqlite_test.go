package sqlite_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/openteli/teli/internal/store/dbtest"
	"github.com/openteli/teli/internal/store/sqlite"
	"github.com/openteli/teli/internal/store/storetest"
	"github.com/openteli/teli/internal/teli"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) teli.Store {
		return open(t, sqlite.Options{Path: dbtest.SQLitePath(t)})
	})
}

func TestJobs(t *testing.T) {
	storetest.RunJobs(t, func(t *testing.T) storetest.JobStore {
		// A short poll keeps the tests quick; the default suits a server.
		return open(t, sqlite.Options{Path: dbtest.SQLitePath(t), JobPollInterval: 20 * time.Millisecond})
	})
}

// open opens a store and closes it when t ends.
func open(t *testing.T, opts sqlite.Options) *sqlite.DB {
	t.Helper()
	s, err := sqlite.Open(t.Context(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return s
}

func TestOpenCreatesDirectoryAndReopens(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nested", "dir", "teli.db")
	s, err := sqlite.Open(t.Context(), sqlite.Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	tn := teli.Tenant{ID: "ta", Name: "A", CreatedAt: time.Unix(1, 0).UTC()}
	if err := s.CreateTenant(t.Context(), tn); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
	// Reopening finds its migrations applied and the data kept.
	got, err := open(t, sqlite.Options{Path: path}).GetTenant(t.Context(), "ta")
	if err != nil || got != tn {
		t.Fatalf("after reopen: %+v, %v", got, err)
	}
}
