package storetest

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/openteli/teli/internal/teli"
)

func campaignCases() []testCase {
	return []testCase{
		{"Campaigns/RoundTripListAndIsolation", testCampaignRoundTrip},
		{"Campaigns/AddThreadsSkipsKnownPhones", testAddThreads},
		{"Campaigns/ClaimAndFinish", testClaimAndFinish},
		{"Campaigns/ConcurrentClaimsNeverOverlap", testConcurrentClaims},
		{"Campaigns/ListMessagesWindows", testListMessages},
		{"Campaigns/PageThroughTies", testPageThroughTies},
		{"Campaigns/ClaimWithOddFields", testClaimWithOddFields},
		{"Campaigns/ForwardNeverMissesLateCommits", testForwardNeverMissesLateCommits},
	}
}

func newCampaign(u teli.User, agent teli.Agent, pk, id string, created int) teli.Campaign {
	return teli.Campaign{
		PK: pk, ID: id, TenantID: u.TenantID, OrganizationID: u.OrganizationID, UserID: u.UniqueID,
		AgentID: agent.ID, FromNumber: "+13135550000", Name: "Campaign " + id, Status: teli.CampaignActive,
		Settings: teli.CampaignSettings{
			ObjectivePrompt: "book a call", DryRun: true, FollowupInterval: 3600, CustomFollowUp: "Still there?",
			ExtractionFields: []teli.ExtractionField{{Name: "credit_score", Type: "number", Bare: true}},
		},
		InvalidLeads: []teli.InvalidLead{{Row: 3, Phone: "12", Reason: "too short"}},
		CreatedAt:    at(created), ModifiedAt: at(created),
	}
}

func newThread(c teli.Campaign, phone string, created int) teli.Thread {
	return teli.Thread{
		CampaignPK: c.PK, Phone: phone, TenantID: c.TenantID, OrganizationID: c.OrganizationID,
		CampaignID: c.ID, LeadID: "lead-" + phone, Owner: teli.OwnerAI, LeadOutcome: "pending",
		Vars: map[string]string{"first_name": "Ann"}, CreatedAt: at(created),
	}
}

func newMessage(c teli.Campaign, id, phone string, due int) teli.Message {
	exp := at(due + 720)
	return teli.Message{
		ID: id, TenantID: c.TenantID, OrganizationID: c.OrganizationID, CampaignPK: c.PK, Phone: phone,
		Sender: teli.SenderAgent, Purpose: teli.PurposeStarting, From: c.FromNumber, To: phone, Body: "Hi Ann " + id,
		Status: teli.MessageQueued, Segments: 1, Encoding: "GSM-7", NotBefore: at(due), ExpiresAt: &exp,
		CreatedAt: at(due), UpdatedAt: at(due),
	}
}

// campaignWorld seeds a campaign of user A with an SMS agent.
func campaignWorld(t *testing.T, s teli.Store) (world, teli.Campaign) {
	t.Helper()
	w := seed(t, s)
	agent := newSMSAgent(w.userA, "agent-1", 3)
	must(t, s.CreateAgent(t.Context(), agent))
	c := newCampaign(w.userA, agent, "pk-1", "camp_abc123", 4)
	must(t, s.CreateCampaign(t.Context(), c))
	return w, c
}

func testCampaignRoundTrip(t *testing.T, s teli.Store) {
	ctx := t.Context()
	w, c := campaignWorld(t, s)
	got, err := s.GetCampaign(ctx, "ta", c.ID)
	must(t, err)
	equal(t, got, c)
	if err := s.CreateCampaign(ctx, newCampaign(w.userA, teli.Agent{ID: "agent-1"}, "pk-2", c.ID, 5)); !errors.Is(err, teli.ErrConflict) {
		t.Fatalf("duplicate campaign_id: %v, want ErrConflict", err)
	}
	if _, err := s.GetCampaign(ctx, "tb", c.ID); !errors.Is(err, teli.ErrNotFound) {
		t.Fatalf("other tenant: %v", err)
	}
	later := newCampaign(w.userA, teli.Agent{ID: "agent-1"}, "pk-3", "second", 6)
	later.InvalidLeads = nil
	must(t, s.CreateCampaign(ctx, later))
	list, err := s.ListCampaigns(ctx, "ta", w.orgA.UniqueID, "")
	must(t, err)
	if len(list) != 2 || list[0].ID != "second" || list[1].ID != c.ID {
		t.Fatalf("list not newest first: %v", list)
	}
	if list, _ := s.ListCampaigns(ctx, "ta", w.orgA.UniqueID, "someone-else"); len(list) != 0 {
		t.Fatalf("user filter: %v", list)
	}
}

func testAddThreads(t *testing.T, s teli.Store) {
	ctx := t.Context()
	_, c := campaignWorld(t, s)
	t1, t2 := newThread(c, "+13135550001", 5), newThread(c, "+13135550002", 5)
	opened, err := s.AddThreads(ctx, []teli.Thread{t1, t2},
		[]teli.Message{newMessage(c, "m1", t1.Phone, 5), newMessage(c, "m2", t2.Phone, 5)})
	must(t, err)
	equal(t, opened, []teli.Thread{t1, t2})
	// The same phone again, with a new one: only the new one opens and gets a message.
	t3 := newThread(c, "+13135550003", 6)
	opened, err = s.AddThreads(ctx, []teli.Thread{newThread(c, t1.Phone, 6), t3},
		[]teli.Message{newMessage(c, "m1b", t1.Phone, 6), newMessage(c, "m3", t3.Phone, 6)})
	must(t, err)
	equal(t, opened, []teli.Thread{t3})
	got, err := s.GetCampaign(ctx, "ta", c.ID)
	must(t, err)
	if got.TotalContacts != 3 || got.TotalMessages != 3 {
		t.Fatalf("totals %d contacts, %d messages; want 3 and 3", got.TotalContacts, got.TotalMessages)
	}
}

func testClaimAndFinish(t *testing.T, s teli.Store) {
	ctx := t.Context()
	_, c := campaignWorld(t, s)
	var threads []teli.Thread
	var msgs []teli.Message
	for i := range 3 {
		phone := fmt.Sprintf("+1313555000%d", i)
		threads = append(threads, newThread(c, phone, 5))
		msgs = append(msgs, newMessage(c, fmt.Sprintf("m%d", i), phone, 10+i))
	}
	_, err := s.AddThreads(ctx, threads, msgs)
	must(t, err)

	if got, _ := s.ClaimDue(ctx, claim(at(9), 10, "early")); len(got) != 0 {
		t.Fatalf("claimed %d messages before they were due", len(got))
	}
	claimed, err := s.ClaimDue(ctx, claim(at(11), 10, "tok-1"))
	must(t, err)
	if len(claimed) != 2 || claimed[0].ID != "m0" || claimed[1].ID != "m1" {
		t.Fatalf("claimed %v, want m0 and m1", claimed)
	}
	want := msgs[0]
	want.Status, want.UpdatedAt = teli.MessageSending, at(11)
	equal(t, claimed[0], teli.ClaimedMessage{Message: want, Owner: teli.OwnerAI, CampaignStatus: teli.CampaignActive})
	if again, _ := s.ClaimDue(ctx, claim(at(11), 10, "tok-2")); len(again) != 0 {
		t.Fatalf("claimed messages twice: %v", again)
	}
	must(t, s.FinishSends(ctx, "tok-1", []teli.SendOutcome{
		{MessageID: "m0", Status: teli.MessageDelivered, Provider: "sandbox", ProviderID: "SBX1", NotBefore: at(10), At: at(12)},
		{MessageID: "m1", Status: teli.MessageQueued, Reason: "quiet_hours", NotBefore: at(20), At: at(12)},
	}))
	// A stale token changes nothing.
	must(t, s.FinishSends(ctx, "tok-1", []teli.SendOutcome{{MessageID: "m0", Status: teli.MessageFailed, At: at(13)}}))
	all, err := s.ListMessages(ctx, teli.MessageFilter{TenantID: "ta", CampaignPK: c.PK})
	must(t, err)
	status := map[string]teli.MessageStatus{}
	for _, m := range all.Messages {
		status[m.ID] = m.Status
	}
	equal(t, status, map[string]teli.MessageStatus{"m0": teli.MessageDelivered, "m1": teli.MessageQueued, "m2": teli.MessageQueued})
	claimed, err = s.ClaimDue(ctx, claim(at(19), 10, "tok-3"))
	must(t, err)
	if len(claimed) != 1 || claimed[0].ID != "m2" {
		t.Fatalf("after a wait m1 must not be due before 20: %v", claimed)
	}
	if claimed, _ := s.ClaimDue(ctx, claim(at(20), 10, "tok-4")); len(claimed) != 1 || claimed[0].ID != "m1" {
		t.Fatalf("m1 due again at 20: %v", claimed)
	}
}

func testConcurrentClaims(t *testing.T, s teli.Store) {
	ctx := t.Context()
	_, c := campaignWorld(t, s)
	var threads []teli.Thread
	var msgs []teli.Message
	const n = 300
	for i := range n {
		phone := fmt.Sprintf("+1313555%04d", i)
		threads = append(threads, newThread(c, phone, 5))
		msgs = append(msgs, newMessage(c, fmt.Sprintf("m%04d", i), phone, 6))
	}
	_, err := s.AddThreads(ctx, threads, msgs)
	must(t, err)
	var mu sync.Mutex
	seen := map[string]int{}
	var wg sync.WaitGroup
	for w := range 6 {
		wg.Go(func() {
			for {
				got, err := s.ClaimDue(ctx, claim(at(7), 25, fmt.Sprintf("w%d-%d", w, time.Now().UnixNano())))
				if err != nil {
					t.Error(err)
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				for _, m := range got {
					seen[m.ID]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(seen) != n {
		t.Fatalf("claimed %d distinct messages, want %d", len(seen), n)
	}
	for id, k := range seen {
		if k != 1 {
			t.Fatalf("%s claimed %d times", id, k)
		}
	}
}

func testListMessages(t *testing.T, s teli.Store) {
	ctx := t.Context()
	_, c := campaignWorld(t, s)
	a, b := newThread(c, "+13135550001", 5), newThread(c, "+13135550002", 5)
	_, err := s.AddThreads(ctx, []teli.Thread{a, b}, []teli.Message{newMessage(c, "m1", a.Phone, 10), newMessage(c, "m2", b.Phone, 11)})
	must(t, err)
	ids := func(f teli.MessageFilter) string {
		f.TenantID, f.CampaignPK = "ta", c.PK
		list, err := s.ListMessages(ctx, f)
		must(t, err)
		return fmt.Sprint(messageIDs(list.Messages))
	}
	for name, c := range map[string]struct {
		f    teli.MessageFilter
		want string
	}{
		"newest first":           {teli.MessageFilter{}, "[m2 m1]"},
		"since is strict":        {teli.MessageFilter{Since: at(10)}, "[m2]"},
		"before is strict":       {teli.MessageFilter{Before: teli.MessagePosition{At: at(11)}}, "[m1]"},
		"before a position":      {teli.MessageFilter{Before: teli.MessagePosition{At: at(11), ID: "m2"}}, "[m1]"},
		"one thread":             {teli.MessageFilter{Phone: a.Phone}, "[m1]"},
		"limit":                  {teli.MessageFilter{Limit: 1}, "[m2]"},
		"nothing after the last": {teli.MessageFilter{Since: at(100)}, "[]"},
	} {
		if got := ids(c.f); got != c.want {
			t.Errorf("%s: got %s, want %s", name, got, c.want)
		}
	}
}

func messageIDs(msgs []teli.Message) []string {
	out := []string{}
	for _, m := range msgs {
		out = append(out, m.ID)
	}
	return out
}

// testClaimWithOddFields claims a message whose thread's fields were given a NUL character: the
// claim reads the lead's own time zone from those fields, and must neither fail on the other
// field (PostgreSQL's JSON functions refuse \u0000) nor lose the zone.
func testClaimWithOddFields(t *testing.T, s teli.Store) {
	ctx := t.Context()
	_, c := campaignWorld(t, s)
	th := newThread(c, "+13135550001", 5)
	th.Vars = map[string]string{"first_name": "A\x00B", "time_zone": "America/Denver"}
	_, err := s.AddThreads(ctx, []teli.Thread{th}, []teli.Message{newMessage(c, "m0", th.Phone, 10)})
	must(t, err)
	claimed, err := s.ClaimDue(ctx, claim(at(11), 10, "tok"))
	must(t, err)
	if len(claimed) != 1 || claimed[0].ContactTimeZone != "America/Denver" {
		t.Fatalf("claimed %+v, want m0 with the lead's time zone", claimed)
	}
}

// testPageThroughTies pages through 5,000 messages created at one instant, 1,000 at a time:
// back from the newest every message comes exactly once, and forward from the start every
// message comes at least once (a forward read may repeat messages that were not settled yet,
// as when another transaction of the database ran meanwhile), and the paging ends.
func testPageThroughTies(t *testing.T, s teli.Store) {
	ctx := t.Context()
	_, c := campaignWorld(t, s)
	const n, limit = 5000, 1000
	threads := make([]teli.Thread, n)
	first := make([]teli.Message, n)
	for i := range n {
		phone := fmt.Sprintf("+1313%07d", i)
		threads[i] = newThread(c, phone, 5)
		first[i] = newMessage(c, fmt.Sprintf("m%04d", (i*7919)%n), phone, 10) // ids out of insertion order
	}
	_, err := s.AddThreads(ctx, threads, first)
	must(t, err)
	page := func(f teli.MessageFilter) teli.MessageList {
		f.TenantID, f.CampaignPK, f.Limit = "ta", c.PK, limit
		list, err := s.ListMessages(ctx, f)
		must(t, err)
		return list
	}

	back := map[string]int{}
	for f, pages := (teli.MessageFilter{}), 0; ; pages++ {
		if pages > n/limit {
			t.Fatalf("back: more pages than %d messages make", n)
		}
		list := page(f)
		for _, m := range list.Messages {
			back[m.ID]++
		}
		if !list.More {
			break
		}
		f = teli.MessageFilter{Before: list.Oldest}
	}
	if len(back) != n {
		t.Errorf("back: %d distinct messages of %d", len(back), n)
	}
	for id, k := range back {
		if k != 1 {
			t.Errorf("back: %s read %d times", id, k)
		}
	}

	forward := map[string]bool{}
	f := teli.MessageFilter{Since: at(9)}
	waitFor(t, "forward paging to read every message", func() bool {
		list := page(f)
		for _, m := range list.Messages {
			forward[m.ID] = true
		}
		f = teli.MessageFilter{After: list.Resume}
		return !list.More && len(forward) == n
	})
}

// testForwardNeverMissesLateCommits holds a transaction that wrote an older message open while
// a newer one is written: reading forward from a page read meanwhile still finds the older one.
func testForwardNeverMissesLateCommits(t *testing.T, s teli.Store) {
	ctx := t.Context()
	_, c := campaignWorld(t, s)
	a, b := newThread(c, "+13135550001", 5), newThread(c, "+13135550002", 5)
	_, err := s.AddThreads(ctx, []teli.Thread{a, b}, []teli.Message{newMessage(c, "m0", a.Phone, 10)})
	must(t, err)
	page := func(after teli.CommitKey) teli.MessageList {
		list, err := s.ListMessages(ctx, teli.MessageFilter{TenantID: "ta", CampaignPK: c.PK, After: after, Since: at(9)})
		must(t, err)
		return list
	}
	start := page(teli.CommitKey{})
	equal(t, messageIDs(start.Messages), []string{"m0"})

	written, release, done := make(chan struct{}), make(chan struct{}), make(chan error, 2)
	go func() {
		done <- s.InTx(ctx, func(tx teli.Store) error {
			if err := tx.InsertMessages(ctx, []teli.Message{newMessage(c, "m-older", a.Phone, 20)}); err != nil {
				return err
			}
			close(written)
			<-release
			return nil
		})
	}()
	<-written
	// SQLite queues this write behind the open transaction; PostgreSQL commits it at once.
	go func() { done <- s.InsertMessages(ctx, []teli.Message{newMessage(c, "m-newer", b.Phone, 30)}) }()
	mid := page(start.Resume) // may hold m-newer, and must then resume from before m-older
	close(release)
	must(t, <-done)
	must(t, <-done)

	seen := map[string]bool{}
	for _, id := range messageIDs(mid.Messages) {
		seen[id] = true
	}
	resume := mid.Resume
	waitFor(t, "reading forward to find both messages", func() bool {
		next := page(resume)
		for _, id := range messageIDs(next.Messages) {
			seen[id] = true
		}
		resume = next.Resume
		return seen["m-older"] && seen["m-newer"]
	})
	// A message committed now but created before all of them comes next, not behind the cursor.
	must(t, s.InsertMessages(ctx, []teli.Message{newMessage(c, "m-late", a.Phone, 12)}))
	waitFor(t, "reading forward to find a message created earlier but committed later", func() bool {
		next := page(resume)
		resume = next.Resume
		return slices.Contains(messageIDs(next.Messages), "m-late")
	})
}

// claim is a claim request without lease recovery.
func claim(now time.Time, limit int, token string) teli.ClaimRequest {
	return teli.ClaimRequest{Now: now, Limit: limit, Token: token}
}
