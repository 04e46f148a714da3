package storetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"

	"github.com/openteli/teli/internal/teli"
)

func txCases() []testCase {
	return []testCase{
		{"Bootstrap/WritesOnce", testBootstrapWritesOnce},
		{"Bootstrap/NotOverExistingTenant", testBootstrapNotOverExistingTenant},
		{"Bootstrap/Concurrent", testBootstrapConcurrent},
		{"InTx/Commit", testInTxCommit},
		{"InTx/RollbackOnError", testInTxRollbackOnError},
		{"InTx/RollbackOnPanic", testInTxRollbackOnPanic},
		{"InTx/Nested", testInTxNested},
		{"Enqueue/OutsideTx", testEnqueueOutsideTx},
		{"Enqueue/Options", testEnqueueOptions},
	}
}

// newBootstrap is a complete first-start bundle whose ids all end in suffix.
func newBootstrap(suffix string) teli.Bootstrap {
	tn := newTenant("t"+suffix, 0)
	o := newOrg(tn.ID, "org"+suffix, 0)
	return teli.Bootstrap{
		Tenant: tn, Organization: o, Admin: newUser(o, "admin"+suffix, 0),
		Key: newKey("key"+suffix, tn.ID, 0),
	}
}

// wantBootstrapped fails t unless everything in b is stored and b's tenant is the only one.
func wantBootstrapped(t *testing.T, s teli.Store, b teli.Bootstrap) {
	t.Helper()
	ctx := t.Context()
	tenants, err := s.ListTenants(ctx)
	must(t, err)
	equal(t, tenants, []teli.Tenant{b.Tenant})
	o, err := s.GetOrganization(ctx, b.Tenant.ID, b.Organization.UniqueID)
	must(t, err)
	equal(t, o, b.Organization)
	u, err := s.GetUser(ctx, b.Tenant.ID, b.Admin.UniqueID)
	must(t, err)
	equal(t, u, b.Admin)
	k, err := s.APIKeyByHash(ctx, b.Key.Hash)
	must(t, err)
	equal(t, k, b.Key)
}

func testBootstrapWritesOnce(t *testing.T, s teli.Store) {
	ctx := t.Context()
	first := newBootstrap("1")
	wrote, err := s.Bootstrap(ctx, first)
	must(t, err)
	if !wrote {
		t.Fatal("Bootstrap on an empty database reported it did not write")
	}
	wantBootstrapped(t, s, first)

	second := newBootstrap("2")
	wrote, err = s.Bootstrap(ctx, second)
	must(t, err)
	if wrote {
		t.Fatal("second Bootstrap reported it wrote")
	}
	wantBootstrapped(t, s, first)
	_, err = s.APIKeyByHash(ctx, second.Key.Hash)
	wantErr(t, err, teli.ErrNotFound)
}

func testBootstrapNotOverExistingTenant(t *testing.T, s teli.Store) {
	ctx := t.Context()
	must(t, s.CreateTenant(ctx, newTenant("existing", 0)))
	wrote, err := s.Bootstrap(ctx, newBootstrap("1"))
	must(t, err)
	if wrote {
		t.Fatal("Bootstrap wrote into a database that has a tenant")
	}
}

func testBootstrapConcurrent(t *testing.T, s teli.Store) {
	const servers = 8
	var ready, wg sync.WaitGroup
	start := make(chan struct{})
	wrote := make([]bool, servers)
	errs := make([]error, servers)
	ready.Add(servers)
	for i := range servers {
		wg.Go(func() {
			// Warm a connection up first, then start together: the calls overlap as much as
			// the store allows, so a check-then-write race would show.
			_, errs[i] = s.ListTenants(t.Context())
			ready.Done()
			<-start
			if errs[i] == nil {
				wrote[i], errs[i] = s.Bootstrap(t.Context(), newBootstrap(fmt.Sprint(i)))
			}
		})
	}
	ready.Wait()
	close(start)
	wg.Wait()
	must(t, errors.Join(errs...))
	winner := -1
	for i, w := range wrote {
		if w && winner >= 0 {
			t.Fatalf("Bootstrap wrote twice: calls %d and %d", winner, i)
		}
		if w {
			winner = i
		}
	}
	if winner < 0 {
		t.Fatal("no concurrent Bootstrap wrote")
	}
	wantBootstrapped(t, s, newBootstrap(fmt.Sprint(winner)))
}

func testInTxCommit(t *testing.T, s teli.Store) {
	ctx := t.Context()
	tn := newTenant("ta", 0)
	must(t, s.InTx(ctx, func(tx teli.Store) error {
		must(t, tx.CreateTenant(ctx, tn))
		// The transaction reads its own writes.
		got, err := tx.GetTenant(ctx, tn.ID)
		must(t, err)
		equal(t, got, tn)
		must(t, tx.SandboxVoice().PutAgent(ctx, teli.SandboxVoiceAgent{VoiceAgentID: "agent_1", CreatedAt: at(1), UpdatedAt: at(1)}))
		return tx.Enqueue(ctx, suiteJob{Name: "committed"}, teli.JobOpts{})
	}))
	got, err := s.GetTenant(ctx, tn.ID)
	must(t, err)
	equal(t, got, tn)
	_, err = s.SandboxVoice().GetAgent(ctx, "agent_1")
	must(t, err)
	if jobs := suiteJobs(t, s); len(jobs) != 1 {
		t.Fatalf("got %d jobs after commit, want 1", len(jobs))
	}
}

// errRollback is what the rollback tests return from InTx's function.
var errRollback = errors.New("storetest: roll back")

func testInTxRollbackOnError(t *testing.T, s teli.Store) {
	ctx := t.Context()
	err := s.InTx(ctx, func(tx teli.Store) error {
		writeEverything(t, tx)
		return errRollback
	})
	wantErr(t, err, errRollback)
	wantNothingWritten(t, s)
}

func testInTxRollbackOnPanic(t *testing.T, s teli.Store) {
	ctx := t.Context()
	func() {
		defer func() {
			if r := recover(); r != errRollback {
				t.Fatalf("recovered %v, want the panic to pass through InTx", r)
			}
		}()
		_ = s.InTx(ctx, func(tx teli.Store) error {
			writeEverything(t, tx)
			panic(errRollback)
		})
	}()
	wantNothingWritten(t, s)
}

func testInTxNested(t *testing.T, s teli.Store) {
	ctx := t.Context()
	err := s.InTx(ctx, func(tx teli.Store) error {
		must(t, tx.InTx(ctx, func(inner teli.Store) error {
			writeEverything(t, inner)
			return nil
		}))
		// The inner call did not commit: the outer transaction still decides.
		return errRollback
	})
	wantErr(t, err, errRollback)
	wantNothingWritten(t, s)

	// An error of the inner function reaches the outer caller.
	err = s.InTx(ctx, func(tx teli.Store) error {
		return tx.InTx(ctx, func(teli.Store) error { return errRollback })
	})
	wantErr(t, err, errRollback)
}

// writeEverything writes one row of every kind, and a job, through tx.
func writeEverything(t *testing.T, tx teli.Store) {
	t.Helper()
	ctx := t.Context()
	tn := newTenant("ta", 0)
	o := newOrg(tn.ID, "org-a", 1)
	u := newUser(o, "user-a", 2)
	must(t, tx.CreateTenant(ctx, tn))
	must(t, tx.CreateAPIKey(ctx, newKey("k1", tn.ID, 1)))
	must(t, tx.CreateOrganization(ctx, o))
	must(t, tx.CreateUser(ctx, u))
	must(t, tx.CreateAgent(ctx, newSMSAgent(u, "ag-1", 3)))
	must(t, tx.SandboxVoice().PutAgent(ctx, teli.SandboxVoiceAgent{VoiceAgentID: "agent_1", CreatedAt: at(1), UpdatedAt: at(1)}))
	must(t, tx.Enqueue(ctx, suiteJob{Name: "rolled back"}, teli.JobOpts{}))
}

// wantNothingWritten fails t unless none of writeEverything's writes is visible.
func wantNothingWritten(t *testing.T, s teli.Store) {
	t.Helper()
	ctx := t.Context()
	tenants, err := s.ListTenants(ctx)
	must(t, err)
	equal(t, tenants, []teli.Tenant{})
	keys, err := s.ListAPIKeys(ctx, "")
	must(t, err)
	equal(t, keys, []teli.APIKey{})
	_, err = s.SandboxVoice().GetAgent(ctx, "agent_1")
	wantErr(t, err, teli.ErrNotFound)
	if jobs := suiteJobs(t, s); len(jobs) != 0 {
		t.Fatalf("got %d jobs after rollback, want none", len(jobs))
	}
	// The ids are free: a committed retry of the same writes succeeds.
	must(t, s.InTx(ctx, func(tx teli.Store) error {
		writeEverything(t, tx)
		return nil
	}))
}

func testEnqueueOutsideTx(t *testing.T, s teli.Store) {
	must(t, s.Enqueue(t.Context(), suiteJob{Name: "alone"}, teli.JobOpts{}))
	jobs := suiteJobs(t, s)
	if len(jobs) != 1 {
		t.Fatalf("got %d jobs, want 1", len(jobs))
	}
	var args suiteJob
	must(t, json.Unmarshal(jobs[0].EncodedArgs, &args))
	equal(t, args, suiteJob{Name: "alone"})
}

func testEnqueueOptions(t *testing.T, s teli.Store) {
	ctx := t.Context()
	unique := teli.JobOpts{UniqueByArgs: true}
	must(t, s.Enqueue(ctx, suiteJob{Name: "unique"}, unique))
	must(t, s.Enqueue(ctx, suiteJob{Name: "unique"}, unique))
	// Whole seconds: River's own time columns need not keep sub-second precision.
	when := time.Now().UTC().Add(time.Hour).Truncate(time.Second)
	must(t, s.Enqueue(ctx, suiteJob{Name: "later"}, teli.JobOpts{ScheduledAt: when, MaxAttempts: 3}))

	jobs := suiteJobs(t, s)
	if len(jobs) != 2 {
		t.Fatalf("got %d jobs, want 2 (the unique one once, the scheduled one)", len(jobs))
	}
	later := jobs[1]
	if later.State != rivertype.JobStateScheduled || !later.ScheduledAt.Equal(when) || later.MaxAttempts != 3 {
		t.Fatalf("scheduled job: state %s, scheduled at %s, max attempts %d; want %s, %s, 3",
			later.State, later.ScheduledAt, later.MaxAttempts, rivertype.JobStateScheduled, when)
	}
}
