package storetest

import (
	"strings"
	"testing"

	"github.com/openteli/teli/internal/teli"
)

func userCases() []testCase {
	return []testCase{
		{"User/RoundTrip", testUserRoundTrip},
		{"User/DuplicateEmail", testUserDuplicateEmail},
		{"User/ListOrderAndIsolation", testUserListOrderAndIsolation},
		{"User/Update", testUserUpdate},
		{"User/UpdateConflictAndNotFound", testUserUpdateConflictAndNotFound},
		{"User/TotalAgents", testUserTotalAgents},
	}
}

func testUserRoundTrip(t *testing.T, s teli.Store) {
	ctx := t.Context()
	w := seed(t, s)
	got, err := s.GetUser(ctx, "ta", w.userA.UniqueID)
	must(t, err)
	equal(t, got, w.userA)

	noPhone := newUser(w.orgA, "user-2", 3)
	noPhone.Phone, noPhone.Permission, noPhone.Status = "", teli.PermissionUser, teli.UserStatusSuspended
	must(t, s.CreateUser(ctx, noPhone))
	got, err = s.GetUser(ctx, "ta", "user-2")
	must(t, err)
	equal(t, got, noPhone)

	_, err = s.GetUser(ctx, "ta", "nope")
	wantErr(t, err, teli.ErrNotFound)
	wantErr(t, s.CreateUser(ctx, newUser(w.orgA, "user-2", 4)), teli.ErrConflict)
}

func testUserDuplicateEmail(t *testing.T, s teli.Store) {
	ctx := t.Context()
	w := seed(t, s)
	dup := newUser(w.orgA, "user-dup", 3)
	dup.Email = strings.ToUpper(w.userA.Email)
	wantErr(t, s.CreateUser(ctx, dup), teli.ErrConflict)

	// The same address is fine in another organization, even of the same tenant.
	other := newOrg("ta", "org-a2", 3)
	must(t, s.CreateOrganization(ctx, other))
	elsewhere := newUser(other, "user-a2", 4)
	elsewhere.Email = dup.Email
	must(t, s.CreateUser(ctx, elsewhere))
}

func testUserListOrderAndIsolation(t *testing.T, s teli.Store) {
	ctx := t.Context()
	w := seed(t, s)
	// Oldest first; a tie in created_at is broken by unique id.
	late, tie := newUser(w.orgA, "user-late", 9), newUser(w.orgA, "user-0", 2)
	must(t, s.CreateUser(ctx, late))
	must(t, s.CreateUser(ctx, tie))
	otherOrg := newOrg("ta", "org-a2", 3)
	must(t, s.CreateOrganization(ctx, otherOrg))
	must(t, s.CreateUser(ctx, newUser(otherOrg, "user-elsewhere", 4)))

	list, err := s.ListUsers(ctx, "ta", w.orgA.UniqueID)
	must(t, err)
	equal(t, list, []teli.User{tie, w.userA, late})

	// Another tenant's users do not exist for this one, even when asked by organization.
	list, err = s.ListUsers(ctx, "tb", w.orgA.UniqueID)
	must(t, err)
	equal(t, list, []teli.User{})
	_, err = s.GetUser(ctx, "tb", w.userA.UniqueID)
	wantErr(t, err, teli.ErrNotFound)
}

func testUserUpdate(t *testing.T, s teli.Store) {
	ctx := t.Context()
	w := seed(t, s)
	u := w.userA
	u.Name, u.Email, u.Phone = "Renamed", "New.Address@Example.com", ""
	u.Permission, u.Status, u.ModifiedAt = teli.PermissionUser, teli.UserStatusInactive, at(30)
	must(t, s.UpdateUser(ctx, u))

	// Fields that are not mutable are ignored.
	ignored := u
	ignored.RecordID, ignored.OrganizationID, ignored.CreatedAt = "rec-other", w.orgB.UniqueID, at(40)
	ignored.ModifiedAt = at(31)
	must(t, s.UpdateUser(ctx, ignored))
	u.ModifiedAt = at(31)

	got, err := s.GetUser(ctx, "ta", u.UniqueID)
	must(t, err)
	equal(t, got, u)

	// The old address is free again; the new one is taken (in any case).
	reuse := newUser(w.orgA, "user-reuse", 5)
	reuse.Email = w.userA.Email
	must(t, s.CreateUser(ctx, reuse))
	dup := newUser(w.orgA, "user-dup", 6)
	dup.Email = "new.address@example.COM"
	wantErr(t, s.CreateUser(ctx, dup), teli.ErrConflict)
}

func testUserUpdateConflictAndNotFound(t *testing.T, s teli.Store) {
	ctx := t.Context()
	w := seed(t, s)
	second := newUser(w.orgA, "user-2", 3)
	second.Email = "second@example.com"
	must(t, s.CreateUser(ctx, second))

	clash := second
	clash.Email = strings.ToLower(w.userA.Email)
	wantErr(t, s.UpdateUser(ctx, clash), teli.ErrConflict)

	missing := newUser(w.orgA, "nope", 3)
	wantErr(t, s.UpdateUser(ctx, missing), teli.ErrNotFound)

	// Tenant b cannot touch tenant a's user.
	foreign := w.userA
	foreign.TenantID, foreign.Name = "tb", "Hijacked"
	wantErr(t, s.UpdateUser(ctx, foreign), teli.ErrNotFound)

	for _, want := range []teli.User{w.userA, second} {
		got, err := s.GetUser(ctx, "ta", want.UniqueID)
		must(t, err)
		equal(t, got, want)
	}
}

func testUserTotalAgents(t *testing.T, s teli.Store) {
	ctx := t.Context()
	w := seed(t, s)
	other := newUser(w.orgA, "user-2", 3)
	other.Email = "other@example.com"
	must(t, s.CreateUser(ctx, other))
	must(t, s.CreateAgent(ctx, newSMSAgent(w.userA, "ag-1", 4)))
	must(t, s.CreateAgent(ctx, newVoiceAgent(w.userA, "ag-2", "agent_2", 5)))
	must(t, s.CreateAgent(ctx, newSMSAgent(other, "ag-3", 6)))
	must(t, s.DeleteAgent(ctx, "ta", "ag-1", at(7)))

	// GetUser does not count (it is on every request's path); ListUsers does.
	got, err := s.GetUser(ctx, "ta", w.userA.UniqueID)
	must(t, err)
	if got.TotalAgents != 0 {
		t.Fatalf("GetUser: TotalAgents = %d, want 0 (not computed)", got.TotalAgents)
	}
	list, err := s.ListUsers(ctx, "ta", w.orgA.UniqueID)
	must(t, err)
	counts := map[string]int{}
	for _, u := range list {
		counts[u.UniqueID] = u.TotalAgents
	}
	equal(t, counts, map[string]int{w.userA.UniqueID: 1, other.UniqueID: 1})
}
