// Package storetest is the conformance suite of teli.Store: every backend runs it, so SQLite and
// PostgreSQL are held to one behaviour. A store package calls Run from its own tests.
package storetest

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/openteli/teli/internal/teli"
)

// Run runs the suite. open must return a new, empty, migrated store for t, and close it when t
// ends. The store must expose its River client (RiverClient()) so the suite can see the jobs it
// enqueues. Subtests run in parallel, each on a store of its own.
func Run(t *testing.T, open func(t *testing.T) teli.Store) {
	for _, tc := range cases() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t, open(t))
		})
	}
}

type testCase struct {
	name string
	run  func(t *testing.T, s teli.Store)
}

// cases lists every test of the suite, grouped by the file that holds them.
func cases() []testCase {
	var all []testCase
	for _, group := range [][]testCase{tenancyCases(), userCases(), agentCases(), contactCases(), campaignCases(), conversationCases(), aiCases(), sandboxCases(), voiceCases(), txCases()} {
		all = append(all, group...)
	}
	return all
}

// base is the suite's epoch. It has microseconds, the precision the store promises to keep.
var base = time.Date(2025, 3, 14, 15, 9, 26, 535897000, time.UTC)

// at is the suite's clock: base plus n minutes.
func at(n int) time.Time { return base.Add(time.Duration(n) * time.Minute) }

// must fails t on err.
func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// wantErr fails t unless errors.Is(err, target).
func wantErr(t *testing.T, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("got error %v, want %v", err, target)
	}
}

// equal fails t unless got and want are deeply equal; on failure it shows both as JSON, which
// reads better than %+v for nested values and pointers.
func equal[T any](t *testing.T, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("mismatch\n got: %s\nwant: %s", show(got), show(want))
	}
}

func show(v any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("      ", "  ")
	if err := enc.Encode(v); err != nil {
		return err.Error()
	}
	return buf.String()
}

// suiteJob is the job the suite enqueues. No worker runs it: the suite only looks at River's
// job table.
type suiteJob struct {
	Name string `json:"name"`
}

func (suiteJob) Kind() string { return "storetest" }

// riverClient is the part of a River client the suite needs, whatever its transaction type.
type riverClient interface {
	JobList(ctx context.Context, params *river.JobListParams) (*river.JobListResult, error)
	Subscribe(kinds ...river.EventKind) (<-chan *river.Event, func())
}

// riverOf returns the River client of s, failing t if s does not expose one.
func riverOf(t *testing.T, s teli.Store) riverClient {
	t.Helper()
	switch c := s.(type) {
	case interface{ RiverClient() *river.Client[*sql.Tx] }:
		return c.RiverClient()
	case interface{ RiverClient() *river.Client[pgx.Tx] }:
		return c.RiverClient()
	}
	t.Fatalf("store %T has no RiverClient method: the suite cannot check enqueued jobs", s)
	return nil
}

// suiteJobs lists the suite's jobs in s, oldest first.
func suiteJobs(t *testing.T, s teli.Store) []*rivertype.JobRow {
	t.Helper()
	res, err := riverOf(t, s).JobList(t.Context(), river.NewJobListParams().Kinds(suiteJob{}.Kind()).First(100))
	must(t, err)
	return res.Jobs
}

// waitFor polls done until it reports true, failing t with what it waited for after a minute.
// Reads forward of a PostgreSQL database wait for every older transaction of the server to end,
// which other tests' transactions can delay.
func waitFor(t *testing.T, what string, done func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !done() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
