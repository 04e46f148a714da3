package postgres_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/openteli/teli/internal/store/dbtest"
	"github.com/openteli/teli/internal/store/postgres"
	"github.com/openteli/teli/internal/store/storetest"
	"github.com/openteli/teli/internal/teli"
)

func TestConformance(t *testing.T) {
	dbtest.SkipWithoutPostgres(t)
	storetest.Run(t, func(t *testing.T) teli.Store {
		return open(t, postgres.Options{URL: dbtest.PostgresURL(t)})
	})
}

func TestJobs(t *testing.T) {
	dbtest.SkipWithoutPostgres(t)
	storetest.RunJobs(t, func(t *testing.T) storetest.JobStore {
		// A rolled-back insert's notification is lost, and River will not notify the same queue
		// again within its fetch cooldown, so the committed job waits for the next poll: keep
		// it short.
		return open(t, postgres.Options{URL: dbtest.PostgresURL(t), JobPollInterval: 100 * time.Millisecond})
	})
}

// open opens a store and closes it when t ends.
func open(t *testing.T, opts postgres.Options) *postgres.DB {
	t.Helper()
	s, err := postgres.Open(t.Context(), opts)
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

func TestOpenRefusesPendingMigrations(t *testing.T) {
	url := dbtest.EmptyPostgresURL(t)
	_, err := postgres.Open(t.Context(), postgres.Options{URL: url})
	if !errors.Is(err, postgres.ErrPendingMigrations) {
		t.Fatalf("Open on an empty database: %v, want ErrPendingMigrations", err)
	}
	// Checking must not have created anything: a later migrate starts from scratch.
	if err := postgres.Migrate(t.Context(), url, nil); err != nil {
		t.Fatal(err)
	}
	open(t, postgres.Options{URL: url})
}

func TestMigrateConcurrently(t *testing.T) {
	url := dbtest.EmptyPostgresURL(t)
	const runs = 4
	errs := make([]error, runs)
	var wg sync.WaitGroup
	for i := range runs {
		wg.Go(func() { errs[i] = postgres.Migrate(t.Context(), url, nil) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	open(t, postgres.Options{URL: url})
}
