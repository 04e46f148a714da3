package storetest

import (
	"errors"
	"fmt"
	"testing"

	"github.com/openteli/teli/internal/teli"
)

func contactCases() []testCase {
	return []testCase{
		{"Contacts/GroupRoundTripAndIsolation", testGroupRoundTrip},
		{"Contacts/ImportInsertsAndMerges", testImportMerges},
		{"Contacts/ImportManyChunks", testImportManyChunks},
		{"Contacts/ListFiltersAndPages", testListLeads},
		{"Contacts/DeleteLeads", testDeleteLeads},
		{"Contacts/ImportRollsBackWithTx", testImportRollback},
	}
}

func newGroup(u teli.User, id, name string, created int) teli.ContactGroup {
	return teli.ContactGroup{
		UniqueID: id, RecordID: "rec-" + id, TenantID: u.TenantID, OrganizationID: u.OrganizationID,
		CreatedByUserID: u.UniqueID, Name: name, Description: "about " + name, CreatedAt: at(created),
	}
}

func newLead(u teli.User, id, phone string, created int) teli.Lead {
	return teli.Lead{
		UniqueID: id, RecordID: "rec-" + id, TenantID: u.TenantID, OrganizationID: u.OrganizationID,
		UserID: u.UniqueID, Phone: phone, FirstName: "First " + id, LastName: "Last " + id,
		Email: id + "@example.com", Company: "Co " + id,
		Fields:    map[string]string{"city": "Detroit", "fico_score": "720"},
		DoNotCall: true, CreatedAt: at(created), ModifiedAt: at(created),
	}
}

func testGroupRoundTrip(t *testing.T, s teli.Store) {
	ctx := t.Context()
	w := seed(t, s)
	g := newGroup(w.userA, "grp-1", "November Leads", 3)
	must(t, s.CreateGroup(ctx, g))
	got, err := s.GetGroup(ctx, "ta", g.UniqueID)
	must(t, err)
	equal(t, got, g)
	found, err := s.FindGroup(ctx, "ta", w.orgA.UniqueID, w.userA.UniqueID, "November Leads")
	must(t, err)
	equal(t, found, g)
	if _, err := s.GetGroup(ctx, "tb", g.UniqueID); !errors.Is(err, teli.ErrNotFound) {
		t.Fatalf("other tenant's group: %v, want ErrNotFound", err)
	}
	if _, err := s.FindGroup(ctx, "ta", w.orgA.UniqueID, w.userA.UniqueID, "november leads"); !errors.Is(err, teli.ErrNotFound) {
		t.Fatalf("names match exactly: %v", err)
	}
	if err := s.CreateGroup(ctx, g); !errors.Is(err, teli.ErrConflict) {
		t.Fatalf("duplicate id: %v, want ErrConflict", err)
	}
}

func testImportMerges(t *testing.T, s teli.Store) {
	ctx := t.Context()
	w := seed(t, s)
	g1, g2 := newGroup(w.userA, "grp-1", "one", 3), newGroup(w.userA, "grp-2", "two", 3)
	must(t, s.CreateGroup(ctx, g1))
	must(t, s.CreateGroup(ctx, g2))
	first := []teli.Lead{newLead(w.userA, "l1", "+13135550001", 4), newLead(w.userA, "l2", "+13135550002", 4)}
	stored, err := s.ImportLeads(ctx, g1.UniqueID, first)
	must(t, err)
	equal(t, stored, first)

	// The same phone again, into another group: merges into l1 (non-empty values win) and joins.
	again := newLead(w.userA, "l9", "+13135550001", 6)
	again.FirstName, again.Email, again.Company = "Newname", "", ""
	again.Fields = map[string]string{"city": "", "state": "MI"}
	again.DoNotCall = false
	stored, err = s.ImportLeads(ctx, g2.UniqueID, []teli.Lead{again})
	must(t, err)
	want := first[0]
	want.FirstName, want.LastName = "Newname", "Last l9"
	want.Fields = map[string]string{"city": "Detroit", "fico_score": "720", "state": "MI"}
	want.ModifiedAt = at(6)
	equal(t, stored, []teli.Lead{want})

	all, total, err := s.ListLeads(ctx, teli.LeadFilter{TenantID: "ta", OrganizationID: w.orgA.UniqueID})
	must(t, err)
	if total != 2 {
		t.Fatalf("merge must not duplicate: total %d", total)
	}
	equal(t, all, []teli.Lead{want, first[1]})
	for id, n := range map[string]int{g1.UniqueID: 2, g2.UniqueID: 1} {
		g, err := s.GetGroup(ctx, "ta", id)
		must(t, err)
		if g.TotalLeads != n {
			t.Fatalf("group %s: TotalLeads %d, want %d", id, g.TotalLeads, n)
		}
	}
	// Importing into the same group twice keeps one membership.
	_, err = s.ImportLeads(ctx, g1.UniqueID, first[:1])
	must(t, err)
	if g, _ := s.GetGroup(ctx, "ta", g1.UniqueID); g.TotalLeads != 2 {
		t.Fatalf("re-import duplicated a membership: %d", g.TotalLeads)
	}
}

func testImportManyChunks(t *testing.T, s teli.Store) {
	ctx := t.Context()
	w := seed(t, s)
	g := newGroup(w.userA, "grp-1", "big", 3)
	must(t, s.CreateGroup(ctx, g))
	var leads []teli.Lead
	for i := range 1234 {
		leads = append(leads, newLead(w.userA, fmt.Sprintf("l%05d", i), fmt.Sprintf("+1313555%04d", i), 4))
	}
	stored, err := s.ImportLeads(ctx, g.UniqueID, leads)
	must(t, err)
	if len(stored) != len(leads) || stored[1233].UniqueID != "l01233" {
		t.Fatalf("stored %d leads, last %q", len(stored), stored[len(stored)-1].UniqueID)
	}
	got, err := s.GetGroup(ctx, "ta", g.UniqueID)
	must(t, err)
	if got.TotalLeads != 1234 {
		t.Fatalf("TotalLeads %d", got.TotalLeads)
	}
}

func testListLeads(t *testing.T, s teli.Store) {
	ctx := t.Context()
	w := seed(t, s)
	other := newUser(w.orgA, "user-2", 3)
	other.Email = "other@example.com"
	must(t, s.CreateUser(ctx, other))
	g := newGroup(w.userA, "grp-1", "g", 3)
	must(t, s.CreateGroup(ctx, g))
	l1, l2, l3 := newLead(w.userA, "l1", "+13135550001", 4), newLead(w.userA, "l2", "+13135550002", 5), newLead(other, "l3", "+13135550003", 6)
	_, err := s.ImportLeads(ctx, g.UniqueID, []teli.Lead{l1, l2})
	must(t, err)
	g2 := newGroup(other, "grp-2", "g2", 3)
	must(t, s.CreateGroup(ctx, g2))
	_, err = s.ImportLeads(ctx, g2.UniqueID, []teli.Lead{l3})
	must(t, err)
	bLead := newLead(w.userB, "lb", "+13135550001", 4)
	gb := newGroup(w.userB, "grp-b", "b", 3)
	must(t, s.CreateGroup(ctx, gb))
	_, err = s.ImportLeads(ctx, gb.UniqueID, []teli.Lead{bLead})
	must(t, err)

	org := teli.LeadFilter{TenantID: "ta", OrganizationID: w.orgA.UniqueID}
	cases := []struct {
		name  string
		f     teli.LeadFilter
		ids   []string
		total int
	}{
		{"all, oldest first", org, []string{"l1", "l2", "l3"}, 3},
		{"one uploader", with(org, func(f *teli.LeadFilter) { f.UserID = other.UniqueID }), []string{"l3"}, 1},
		{"one group", with(org, func(f *teli.LeadFilter) { f.GroupID = g.UniqueID }), []string{"l1", "l2"}, 2},
		{"one phone", with(org, func(f *teli.LeadFilter) { f.Phone = "+13135550002" }), []string{"l2"}, 1},
		{"page 2 of size 2", with(org, func(f *teli.LeadFilter) { f.Limit, f.Offset = 2, 2 }), []string{"l3"}, 3},
		{"other tenant sees nothing here", teli.LeadFilter{TenantID: "tb", OrganizationID: w.orgA.UniqueID}, nil, 0},
	}
	for _, c := range cases {
		leads, total, err := s.ListLeads(ctx, c.f)
		must(t, err)
		var ids []string
		for _, l := range leads {
			ids = append(ids, l.UniqueID)
		}
		if fmt.Sprint(ids) != fmt.Sprint(c.ids) || total != c.total {
			t.Errorf("%s: got %v (total %d), want %v (total %d)", c.name, ids, total, c.ids, c.total)
		}
	}
}

func with(f teli.LeadFilter, change func(*teli.LeadFilter)) teli.LeadFilter {
	change(&f)
	return f
}

func testDeleteLeads(t *testing.T, s teli.Store) {
	ctx := t.Context()
	w := seed(t, s)
	g := newGroup(w.userA, "grp-1", "g", 3)
	must(t, s.CreateGroup(ctx, g))
	_, err := s.ImportLeads(ctx, g.UniqueID, []teli.Lead{newLead(w.userA, "l1", "+13135550001", 4), newLead(w.userA, "l2", "+13135550002", 4)})
	must(t, err)
	gb := newGroup(w.userB, "grp-b", "b", 3)
	must(t, s.CreateGroup(ctx, gb))
	_, err = s.ImportLeads(ctx, gb.UniqueID, []teli.Lead{newLead(w.userB, "lb", "+13135550001", 4)})
	must(t, err)

	n, err := s.DeleteLeads(ctx, "ta", []string{"l1", "lb", "nope"}, at(9))
	must(t, err)
	if n != 1 {
		t.Fatalf("deleted %d, want 1 (other tenant's and unknown ids skipped)", n)
	}
	if n, _ := s.DeleteLeads(ctx, "ta", []string{"l1"}, at(10)); n != 0 {
		t.Fatalf("deleting again counted %d", n)
	}
	if got, _ := s.GetGroup(ctx, "ta", g.UniqueID); got.TotalLeads != 1 {
		t.Fatalf("group still counts a deleted lead: %d", got.TotalLeads)
	}
	if _, total, _ := s.ListLeads(ctx, teli.LeadFilter{TenantID: "tb", OrganizationID: w.orgB.UniqueID}); total != 1 {
		t.Fatal("another tenant's lead was deleted")
	}
	// A deleted phone can be uploaded again, as a new lead.
	fresh := newLead(w.userA, "l1b", "+13135550001", 11)
	stored, err := s.ImportLeads(ctx, g.UniqueID, []teli.Lead{fresh})
	must(t, err)
	equal(t, stored, []teli.Lead{fresh})
}

func testImportRollback(t *testing.T, s teli.Store) {
	ctx := t.Context()
	w := seed(t, s)
	g := newGroup(w.userA, "grp-1", "g", 3)
	must(t, s.CreateGroup(ctx, g))
	boom := errors.New("boom")
	err := s.InTx(ctx, func(tx teli.Store) error {
		if _, err := tx.ImportLeads(ctx, g.UniqueID, []teli.Lead{newLead(w.userA, "l1", "+13135550001", 4)}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	if _, total, _ := s.ListLeads(ctx, teli.LeadFilter{TenantID: "ta", OrganizationID: w.orgA.UniqueID}); total != 0 {
		t.Fatalf("rolled-back import left %d leads", total)
	}
}
