package storetest

import (
	"testing"

	"github.com/openteli/teli/internal/teli"
)

func tenancyCases() []testCase {
	return []testCase{
		{"Tenant/RoundTrip", testTenantRoundTrip},
		{"Tenant/ListOrder", testTenantListOrder},
		{"APIKey/RoundTrip", testAPIKeyRoundTrip},
		{"APIKey/ListAndRevoke", testAPIKeyListAndRevoke},
		{"Organization/RoundTrip", testOrganizationRoundTrip},
		{"Organization/ListAndIsolation", testOrganizationListAndIsolation},
	}
}

func testTenantRoundTrip(t *testing.T, s teli.Store) {
	ctx := t.Context()
	want := newTenant("acme", 0)
	must(t, s.CreateTenant(ctx, want))
	got, err := s.GetTenant(ctx, "acme")
	must(t, err)
	equal(t, got, want)

	wantErr(t, s.CreateTenant(ctx, newTenant("acme", 5)), teli.ErrConflict)
	_, err = s.GetTenant(ctx, "nope")
	wantErr(t, err, teli.ErrNotFound)
}

func testTenantListOrder(t *testing.T, s teli.Store) {
	ctx := t.Context()
	list, err := s.ListTenants(ctx)
	must(t, err)
	if list == nil || len(list) != 0 {
		t.Fatalf("empty database: got %#v, want an empty, non-nil list", list)
	}
	// Oldest first; a tie in created_at is broken by id.
	late, tieB, tieA := newTenant("late", 9), newTenant("tie-b", 3), newTenant("tie-a", 3)
	for _, tn := range []teli.Tenant{late, tieB, tieA} {
		must(t, s.CreateTenant(ctx, tn))
	}
	list, err = s.ListTenants(ctx)
	must(t, err)
	equal(t, list, []teli.Tenant{tieA, tieB, late})
}

func testAPIKeyRoundTrip(t *testing.T, s teli.Store) {
	ctx := t.Context()
	must(t, s.CreateTenant(ctx, newTenant("ta", 0)))
	want := newKey("k1", "ta", 1)
	must(t, s.CreateAPIKey(ctx, want))
	got, err := s.APIKeyByHash(ctx, want.Hash)
	must(t, err)
	equal(t, got, want)

	dupHash := newKey("k2", "ta", 2)
	dupHash.Hash = want.Hash
	wantErr(t, s.CreateAPIKey(ctx, dupHash), teli.ErrConflict)
	wantErr(t, s.CreateAPIKey(ctx, newKey("k1", "ta", 3)), teli.ErrConflict)
	_, err = s.APIKeyByHash(ctx, "no-such-hash")
	wantErr(t, err, teli.ErrNotFound)

	// A key stored already revoked never authenticates.
	revoked := newKey("k3", "ta", 4)
	when := at(5)
	revoked.RevokedAt = &when
	must(t, s.CreateAPIKey(ctx, revoked))
	_, err = s.APIKeyByHash(ctx, revoked.Hash)
	wantErr(t, err, teli.ErrNotFound)
}

func testAPIKeyListAndRevoke(t *testing.T, s teli.Store) {
	ctx := t.Context()
	must(t, s.CreateTenant(ctx, newTenant("ta", 0)))
	must(t, s.CreateTenant(ctx, newTenant("tb", 0)))
	k1, k2, k3 := newKey("k1", "ta", 1), newKey("k2", "ta", 3), newKey("k3", "tb", 2)
	for _, k := range []teli.APIKey{k1, k2, k3} {
		must(t, s.CreateAPIKey(ctx, k))
	}
	list, err := s.ListAPIKeys(ctx, "ta")
	must(t, err)
	equal(t, list, []teli.APIKey{k2, k1})
	list, err = s.ListAPIKeys(ctx, "")
	must(t, err)
	equal(t, list, []teli.APIKey{k2, k3, k1})

	must(t, s.RevokeAPIKey(ctx, "k1", at(4)))
	_, err = s.APIKeyByHash(ctx, k1.Hash)
	wantErr(t, err, teli.ErrNotFound)
	wantErr(t, s.RevokeAPIKey(ctx, "k1", at(6)), teli.ErrNotFound)
	wantErr(t, s.RevokeAPIKey(ctx, "nope", at(6)), teli.ErrNotFound)

	// Revoked keys stay listed, with the time of the first revocation.
	revokedAt := at(4)
	k1.RevokedAt = &revokedAt
	list, err = s.ListAPIKeys(ctx, "ta")
	must(t, err)
	equal(t, list, []teli.APIKey{k2, k1})
	list, err = s.ListAPIKeys(ctx, "tc")
	must(t, err)
	equal(t, list, []teli.APIKey{})
}

func testOrganizationRoundTrip(t *testing.T, s teli.Store) {
	ctx := t.Context()
	must(t, s.CreateTenant(ctx, newTenant("ta", 0)))
	full := newOrg("ta", "org-1", 1)
	bare := newOrg("ta", "org-2", 2)
	bare.SMSActive, bare.TeliSMSNumber, bare.Status = false, "", teli.OrgStatusSuspended
	for _, o := range []teli.Organization{full, bare} {
		must(t, s.CreateOrganization(ctx, o))
		got, err := s.GetOrganization(ctx, "ta", o.UniqueID)
		must(t, err)
		equal(t, got, o)
	}

	wantErr(t, s.CreateOrganization(ctx, newOrg("ta", "org-1", 3)), teli.ErrConflict)
	dupRecord := newOrg("ta", "org-3", 3)
	dupRecord.RecordID = full.RecordID
	wantErr(t, s.CreateOrganization(ctx, dupRecord), teli.ErrConflict)
	_, err := s.GetOrganization(ctx, "ta", "nope")
	wantErr(t, err, teli.ErrNotFound)
}

func testOrganizationListAndIsolation(t *testing.T, s teli.Store) {
	ctx := t.Context()
	w := seed(t, s)
	// Oldest first; a tie in created_at is broken by unique id.
	late, tie := newOrg("ta", "org-late", 9), newOrg("ta", "org-0", 1)
	must(t, s.CreateOrganization(ctx, late))
	must(t, s.CreateOrganization(ctx, tie))
	list, err := s.ListOrganizations(ctx, "ta")
	must(t, err)
	equal(t, list, []teli.Organization{tie, w.orgA, late})

	// Another tenant's organization does not exist for this one.
	_, err = s.GetOrganization(ctx, "tb", w.orgA.UniqueID)
	wantErr(t, err, teli.ErrNotFound)
	list, err = s.ListOrganizations(ctx, "tb")
	must(t, err)
	equal(t, list, []teli.Organization{w.orgB})
}
