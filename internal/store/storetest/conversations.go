package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/openteli/teli/internal/dispatch"
	"github.com/openteli/teli/internal/gate"
	"github.com/openteli/teli/internal/teli"
)

func conversationCases() []testCase {
	return []testCase{
		{"Conversations/ThreadsListAndRoute", testThreadsListAndRoute},
		{"Conversations/TakeOverCancelsAutomation", testTakeOver},
		{"Conversations/InboundMarksThread", testInboundMessages},
		{"Conversations/StatusReportsOnlyMoveForward", testApplyStatus},
		{"Conversations/CallbackBeatsTheRecord", testCallbackBeatsTheRecord},
		{"Conversations/ExpiredLeaseIsReclaimed", testReclaim},
		{"Conversations/CampaignLifecycle", testCampaignLifecycle},
		{"Conversations/CampaignCompletes", testCampaignCompletes},
		{"Conversations/SuppressionsWithAudit", testSuppressions},
		{"Conversations/InboundEventsDeduplicated", testInboundEvents},
		{"Conversations/IdempotencyKeys", testIdempotencyKeys},
		{"Conversations/BudgetsHoldUnderConcurrency", testBudgets},
		{"Conversations/UsageCountsSegments", testUsage},
	}
}

// threadsWorld opens n threads of campaign c, each with a queued starting message due at 10.
func threadsWorld(t *testing.T, s teli.Store, c teli.Campaign, n int) []teli.Thread {
	t.Helper()
	var threads []teli.Thread
	var msgs []teli.Message
	for i := range n {
		phone := fmt.Sprintf("+1313555%04d", i)
		threads = append(threads, newThread(c, phone, 5+i))
		msgs = append(msgs, newMessage(c, fmt.Sprintf("start-%d", i), phone, 10))
	}
	_, err := s.AddThreads(t.Context(), threads, msgs)
	must(t, err)
	return threads
}

func messageStatuses(t *testing.T, s teli.Store, c teli.Campaign) map[string]string {
	t.Helper()
	all, err := s.ListMessages(t.Context(), teli.MessageFilter{TenantID: c.TenantID, CampaignPK: c.PK})
	must(t, err)
	out := map[string]string{}
	for _, m := range all.Messages {
		out[m.ID] = string(m.Status) + "/" + m.Reason
	}
	return out
}

func testThreadsListAndRoute(t *testing.T, s teli.Store) {
	ctx := t.Context()
	w, c := campaignWorld(t, s)
	threads := threadsWorld(t, s, c, 5)
	got, err := s.GetThread(ctx, "ta", c.PK, threads[1].Phone)
	must(t, err)
	equal(t, got, threads[1])
	if _, err := s.GetThread(ctx, "tb", c.PK, threads[1].Phone); !errors.Is(err, teli.ErrNotFound) {
		t.Fatalf("other tenant's thread: %v", err)
	}
	_, err = s.Suppress(ctx, teli.Suppression{TenantID: "ta", OrganizationID: w.orgA.UniqueID, Phone: threads[3].Phone, Kind: teli.SuppressOptOut, Source: "keyword", At: at(20)})
	must(t, err)
	page, total, err := s.ListThreads(ctx, teli.ThreadFilter{TenantID: "ta", CampaignPK: c.PK, Limit: 2, Offset: 2})
	must(t, err)
	if total != 5 || len(page) != 2 || page[0].Phone != threads[2].Phone || page[1].Phone != threads[3].Phone {
		t.Fatalf("page at offset 2: total %d, %v", total, page)
	}
	if page[0].OptedOut || !page[1].OptedOut || page[1].DoNotContact {
		t.Fatalf("suppression flags: %+v", page)
	}
	_, err = s.TakeOverThread(ctx, teli.TakeOver{TenantID: "ta", CampaignPK: c.PK, Phone: threads[4].Phone, AssignUserID: w.userA.UniqueID, At: at(21)})
	must(t, err)
	mine, total, err := s.ListThreads(ctx, teli.ThreadFilter{TenantID: "ta", CampaignPK: c.PK, AssignedUserID: w.userA.UniqueID})
	must(t, err)
	if total != 1 || len(mine) != 1 || mine[0].Phone != threads[4].Phone {
		t.Fatalf("assigned filter: %d %v", total, mine)
	}

	// Routing: the newest thread of the number among campaigns sending from the number.
	later := newCampaign(w.userA, teli.Agent{ID: "agent-1"}, "pk-2", "camp_later", 30)
	must(t, s.CreateCampaign(ctx, later))
	other := newCampaign(w.userA, teli.Agent{ID: "agent-1"}, "pk-3", "camp_other", 31)
	other.FromNumber = "+13135559999"
	must(t, s.CreateCampaign(ctx, other))
	_, err = s.AddThreads(ctx, []teli.Thread{newThread(later, threads[0].Phone, 30)}, nil)
	must(t, err)
	_, err = s.AddThreads(ctx, []teli.Thread{newThread(other, threads[0].Phone, 40)}, nil)
	must(t, err)
	routed, err := s.RouteInbound(ctx, c.FromNumber, threads[0].Phone)
	must(t, err)
	if routed.CampaignPK != later.PK {
		t.Fatalf("routed to %s, want the newer campaign %s", routed.CampaignPK, later.PK)
	}
	// A conversation that is going on wins over a newer thread that never spoke.
	must(t, s.InsertMessages(ctx, []teli.Message{{
		ID: "in-route", TenantID: "ta", OrganizationID: c.OrganizationID, CampaignPK: c.PK, Phone: threads[0].Phone,
		Inbound: true, Sender: teli.SenderContact, Purpose: teli.PurposeInbound, From: threads[0].Phone, To: c.FromNumber,
		Body: "hi", Status: teli.MessageReceived, Segments: 1, Encoding: "GSM-7", NotBefore: at(25), CreatedAt: at(25), UpdatedAt: at(25),
	}}))
	routed, err = s.RouteInbound(ctx, c.FromNumber, threads[0].Phone)
	must(t, err)
	if routed.CampaignPK != c.PK {
		t.Fatalf("routed to %s, want %s where the contact is talking", routed.CampaignPK, c.PK)
	}
	if _, err := s.RouteInbound(ctx, "+13135558888", threads[0].Phone); !errors.Is(err, teli.ErrNotFound) {
		t.Fatalf("unknown number: %v", err)
	}
}

func testTakeOver(t *testing.T, s teli.Store) {
	ctx := t.Context()
	w, c := campaignWorld(t, s)
	threads := threadsWorld(t, s, c, 2)
	phone := threads[0].Phone
	drip := newMessage(c, "drip-1", phone, 30)
	drip.Sender, drip.Purpose = teli.SenderDrip, teli.PurposeDrip
	bulk := newMessage(c, "bulk-1", phone, 30)
	bulk.Sender, bulk.Purpose = teli.SenderBroadcast, teli.PurposeBulk
	must(t, s.InsertMessages(ctx, []teli.Message{drip, bulk}))

	got, err := s.TakeOverThread(ctx, teli.TakeOver{TenantID: "ta", CampaignPK: c.PK, Phone: phone, At: at(20)})
	must(t, err)
	if got.Owner != teli.OwnerHuman || got.LeadOutcome != "qualified" || got.AssignedUserID != "" {
		t.Fatalf("after takeover: %+v", got)
	}
	equal(t, messageStatuses(t, s, c), map[string]string{
		"start-0": "canceled/human_takeover", "drip-1": "canceled/human_takeover",
		"bulk-1": "queued/", "start-1": "queued/",
	})
	// Assigning later keeps the thread human and records the assignee; unassigning clears it.
	got, err = s.TakeOverThread(ctx, teli.TakeOver{TenantID: "ta", CampaignPK: c.PK, Phone: phone, AssignUserID: w.userA.UniqueID, At: at(21)})
	must(t, err)
	if got.AssignedUserID != w.userA.UniqueID {
		t.Fatalf("assignee %q", got.AssignedUserID)
	}
	must(t, s.UnassignThread(ctx, "ta", c.PK, phone))
	got, err = s.GetThread(ctx, "ta", c.PK, phone)
	must(t, err)
	if got.AssignedUserID != "" || got.Owner != teli.OwnerHuman {
		t.Fatalf("after unassign: %+v", got)
	}
	if _, err := s.TakeOverThread(ctx, teli.TakeOver{TenantID: "tb", CampaignPK: c.PK, Phone: phone, At: at(22)}); !errors.Is(err, teli.ErrNotFound) {
		t.Fatalf("other tenant's takeover: %v", err)
	}
	if err := s.UnassignThread(ctx, "ta", c.PK, "+19999999999"); !errors.Is(err, teli.ErrNotFound) {
		t.Fatalf("unknown thread: %v", err)
	}
}

func testInboundMessages(t *testing.T, s teli.Store) {
	ctx := t.Context()
	_, c := campaignWorld(t, s)
	threads := threadsWorld(t, s, c, 1)
	phone := threads[0].Phone
	in := teli.Message{
		ID: "in-1", TenantID: "ta", OrganizationID: c.OrganizationID, CampaignPK: c.PK, Phone: phone,
		Inbound: true, Sender: teli.SenderContact, Purpose: teli.PurposeInbound, From: phone,
		To: c.FromNumber, Body: "Yes!", Status: teli.MessageReceived, Segments: 1, Encoding: "GSM-7",
		NotBefore: at(15), Provider: "sandbox", ProviderID: "SBXin1", CreatedAt: at(15), UpdatedAt: at(15),
	}
	must(t, s.InsertMessages(ctx, []teli.Message{in}))
	got, err := s.GetMessage(ctx, "ta", "in-1")
	must(t, err)
	equal(t, got, in)
	if _, err := s.GetMessage(ctx, "tb", "in-1"); !errors.Is(err, teli.ErrNotFound) {
		t.Fatalf("other tenant's message: %v", err)
	}
	th, err := s.GetThread(ctx, "ta", c.PK, phone)
	must(t, err)
	if th.LastInboundAt == nil || !th.LastInboundAt.Equal(at(15)) {
		t.Fatalf("last inbound %v, want %v", th.LastInboundAt, at(15))
	}
	claimed, err := s.ClaimDue(ctx, claim(at(16), 10, "tok"))
	must(t, err)
	if len(claimed) != 1 || claimed[0].LastInboundAt == nil || !claimed[0].LastInboundAt.Equal(at(15)) {
		t.Fatalf("claim must carry the last inbound time: %+v", claimed)
	}
}

func testApplyStatus(t *testing.T, s teli.Store) {
	ctx := t.Context()
	_, c := campaignWorld(t, s)
	threadsWorld(t, s, c, 2)
	claimed, err := s.ClaimDue(ctx, claim(at(11), 10, "tok"))
	must(t, err)
	if len(claimed) != 2 {
		t.Fatalf("claimed %d", len(claimed))
	}
	// A callback beats the send's own record for start-1: delivered while still claimed.
	report := func(id, providerID string, st teli.MessageStatus, code string) bool {
		ok, err := s.ApplyStatus(ctx, teli.StatusReport{Provider: "twilio", ProviderID: providerID, MessageID: id, Status: st, ErrorCode: code, At: at(12)})
		must(t, err)
		return ok
	}
	must(t, s.FinishSends(ctx, "tok", []teli.SendOutcome{
		{MessageID: "start-0", CampaignPK: c.PK, Status: teli.MessageSent, Provider: "twilio", ProviderID: "SM0", NotBefore: at(10), At: at(12)},
	}))
	must(t, s.FinishSends(ctx, "tok", []teli.SendOutcome{
		{MessageID: "start-1", CampaignPK: c.PK, Status: teli.MessageSent, Provider: "twilio", ProviderID: "SM1", NotBefore: at(10), At: at(12)},
	}))
	if ok, err := s.ApplyStatus(ctx, teli.StatusReport{Provider: "sandbox", ProviderID: "SM1", MessageID: "start-1", Status: teli.MessageDelivered, At: at(12)}); err != nil || ok {
		t.Fatalf("another provider's report: applied %v, %v", ok, err)
	}
	for _, step := range []struct {
		id, sid string
		st      teli.MessageStatus
		code    string
		applied bool
	}{
		{"start-0", "SM0", teli.MessageSent, "", false},            // same status again
		{"start-0", "SM0", teli.MessageDelivered, "", true},        // forward
		{"start-0", "SM0", teli.MessageSent, "", false},            // late, out of order
		{"start-0", "SM0", teli.MessageFailed, "30003", false},     // final stays final
		{"start-1", "SMx", teli.MessageDelivered, "", false},       // wrong provider id
		{"start-1", "SM1", teli.MessageUndelivered, "30005", true}, // forward with a code
		{"nope", "SM9", teli.MessageDelivered, "", false},
	} {
		if got := report(step.id, step.sid, step.st, step.code); got != step.applied {
			t.Errorf("%s %s → %s: applied %v, want %v", step.id, step.sid, step.st, got, step.applied)
		}
	}
	m, err := s.GetMessage(ctx, "ta", "start-1")
	must(t, err)
	if m.Status != teli.MessageUndelivered || m.ErrorCode != "30005" || m.ProviderID != "SM1" {
		t.Fatalf("start-1: %s %s %s", m.Status, m.ErrorCode, m.ProviderID)
	}
}

// testCallbackBeatsTheRecord: a carrier's final report can arrive while the message is still
// claimed (the callback beats the send's HTTP answer); the send's own "sent" must not undo it.
func testCallbackBeatsTheRecord(t *testing.T, s teli.Store) {
	ctx := t.Context()
	_, c := campaignWorld(t, s)
	threadsWorld(t, s, c, 1)
	claimed, err := s.ClaimDue(ctx, claim(at(11), 10, "tok"))
	must(t, err)
	id := claimed[0].ID
	// The row names no provider until the send is recorded; the report names its own.
	ok, err := s.ApplyStatus(ctx, teli.StatusReport{Provider: "twilio", ProviderID: "SM0", MessageID: id, Status: teli.MessageDelivered, At: at(12)})
	must(t, err)
	if !ok {
		t.Fatal("a report for a claimed message must apply")
	}
	must(t, s.FinishSends(ctx, "tok", []teli.SendOutcome{
		{MessageID: id, CampaignPK: c.PK, Status: teli.MessageSent, Provider: "twilio", ProviderID: "SM0", At: at(12)},
	}))
	m, err := s.GetMessage(ctx, "ta", id)
	must(t, err)
	if m.Status != teli.MessageDelivered || m.ProviderID != "SM0" || m.Provider != "twilio" {
		t.Fatalf("after the late record: %s %s %s", m.Status, m.ProviderID, m.Provider)
	}
}

func testReclaim(t *testing.T, s teli.Store) {
	ctx := t.Context()
	_, c := campaignWorld(t, s)
	threadsWorld(t, s, c, 2)
	first, err := s.ClaimDue(ctx, claim(at(11), 1, "dead"))
	must(t, err)
	if len(first) != 1 || first[0].Reclaimed {
		t.Fatalf("first claim: %+v", first)
	}
	// Within the lease another dispatcher sees only the other message.
	got, err := s.ClaimDue(ctx, teli.ClaimRequest{Now: at(12), Limit: 10, Token: "live", LeaseExpiredBefore: at(10)})
	must(t, err)
	if len(got) != 1 || got[0].ID == first[0].ID || got[0].Reclaimed {
		t.Fatalf("claim within the lease: %+v", got)
	}
	must(t, s.FinishSends(ctx, "live", []teli.SendOutcome{{MessageID: got[0].ID, CampaignPK: c.PK, Status: teli.MessageDelivered, Provider: "sandbox", ProviderID: "SBX0", At: at(13)}}))
	// Past the lease the dead dispatcher's message comes back, flagged.
	got, err = s.ClaimDue(ctx, teli.ClaimRequest{Now: at(20), Limit: 10, Token: "rescue", LeaseExpiredBefore: at(18)})
	must(t, err)
	if len(got) != 1 || got[0].ID != first[0].ID || !got[0].Reclaimed {
		t.Fatalf("reclaim: %+v", got)
	}
	// The dead dispatcher's late record changes nothing; the rescuer's does.
	must(t, s.FinishSends(ctx, "dead", []teli.SendOutcome{{MessageID: first[0].ID, Status: teli.MessageFailed, At: at(21)}}))
	must(t, s.FinishSends(ctx, "rescue", []teli.SendOutcome{{MessageID: first[0].ID, CampaignPK: c.PK, Status: teli.MessageDelivered, Provider: "sandbox", ProviderID: "SBX1", At: at(21)}}))
	m, err := s.GetMessage(ctx, "ta", first[0].ID)
	must(t, err)
	if m.Status != teli.MessageDelivered {
		t.Fatalf("status %s", m.Status)
	}
}

func testCampaignLifecycle(t *testing.T, s teli.Store) {
	ctx := t.Context()
	_, c := campaignWorld(t, s)
	threads := threadsWorld(t, s, c, 3)
	change := func(a teli.CampaignAction, when int) (int, error) {
		return s.ChangeCampaignStatus(ctx, teli.CampaignStatusChange{TenantID: "ta", CampaignPK: c.PK, Action: a, At: at(when)})
	}
	if _, err := change(teli.ActionResume, 11); !errors.Is(err, teli.ErrConflict) {
		t.Fatalf("resume of an active campaign: %v", err)
	}
	_, err := change(teli.ActionPause, 11)
	must(t, err)
	// The dispatcher holds two messages for the pause.
	claimed, err := s.ClaimDue(ctx, claim(at(12), 2, "tok"))
	must(t, err)
	if len(claimed) != 2 || claimed[0].CampaignStatus != teli.CampaignPaused {
		t.Fatalf("claim during pause: %+v", claimed)
	}
	var held []teli.SendOutcome
	for _, m := range claimed {
		held = append(held, teli.SendOutcome{MessageID: m.ID, CampaignPK: c.PK, Status: teli.MessageQueued, Reason: "campaign_paused", NotBefore: at(100), At: at(12)})
	}
	must(t, s.FinishSends(ctx, "tok", held))
	n, err := change(teli.ActionResume, 13)
	must(t, err)
	if n != 2 {
		t.Fatalf("resume made %d messages due, want 2", n)
	}
	due, err := s.ClaimDue(ctx, claim(at(13), 10, "after"))
	must(t, err)
	if len(due) != 3 {
		t.Fatalf("after resume %d due, want 3", len(due))
	}
	var back []teli.SendOutcome
	for _, m := range due {
		back = append(back, teli.SendOutcome{MessageID: m.ID, Status: teli.MessageQueued, NotBefore: at(50), At: at(13)})
	}
	must(t, s.FinishSends(ctx, "after", back))
	human := newMessage(c, "human-1", threads[0].Phone, 14)
	human.Sender, human.Purpose = teli.SenderHuman, teli.PurposeManual
	must(t, s.InsertMessages(ctx, []teli.Message{human}))
	n, err = change(teli.ActionEnd, 15)
	must(t, err)
	if n != 3 {
		t.Fatalf("end canceled %d, want the 3 automated messages", n)
	}
	got := messageStatuses(t, s, c)
	if got["human-1"] != "queued/" || got["start-0"] != "canceled/campaign_ended" {
		t.Fatalf("after end: %v", got)
	}
	camp, err := s.GetCampaign(ctx, "ta", c.ID)
	must(t, err)
	if camp.Status != teli.CampaignEnded || !camp.ModifiedAt.Equal(at(15)) {
		t.Fatalf("campaign %s modified %v", camp.Status, camp.ModifiedAt)
	}
	if _, err := change(teli.ActionEnd, 16); !errors.Is(err, teli.ErrConflict) {
		t.Fatalf("end of an ended campaign: %v", err)
	}
	if _, err := s.ChangeCampaignStatus(ctx, teli.CampaignStatusChange{TenantID: "tb", CampaignPK: c.PK, Action: teli.ActionResume, At: at(16)}); !errors.Is(err, teli.ErrNotFound) {
		t.Fatalf("other tenant: %v", err)
	}
}

func testCampaignCompletes(t *testing.T, s teli.Store) {
	ctx := t.Context()
	_, c := campaignWorld(t, s)
	threadsWorld(t, s, c, 2)
	claimed, err := s.ClaimDue(ctx, claim(at(11), 10, "tok"))
	must(t, err)
	must(t, s.FinishSends(ctx, "tok", []teli.SendOutcome{
		{MessageID: claimed[0].ID, CampaignPK: c.PK, Status: teli.MessageDelivered, Provider: "sandbox", ProviderID: "SBX0", At: at(12)},
		{MessageID: claimed[1].ID, CampaignPK: c.PK, Status: teli.MessageQueued, Reason: "quiet_hours", NotBefore: at(30), At: at(12)},
	}))
	camp, err := s.GetCampaign(ctx, "ta", c.ID)
	must(t, err)
	if camp.Status != teli.CampaignActive {
		t.Fatalf("with a starting message waiting the campaign is %s", camp.Status)
	}
	claimed, err = s.ClaimDue(ctx, claim(at(30), 10, "tok2"))
	must(t, err)
	must(t, s.FinishSends(ctx, "tok2", []teli.SendOutcome{
		{MessageID: claimed[0].ID, CampaignPK: c.PK, Status: teli.MessageBlocked, Reason: "opted_out", At: at(31)},
	}))
	camp, err = s.GetCampaign(ctx, "ta", c.ID)
	must(t, err)
	if camp.Status != teli.CampaignCompleted || !camp.ModifiedAt.Equal(at(31)) {
		t.Fatalf("every starting message settled: campaign %s at %v", camp.Status, camp.ModifiedAt)
	}
	// Paused and resumed, a completed campaign is completed again.
	for i, a := range []teli.CampaignAction{teli.ActionPause, teli.ActionResume} {
		_, err := s.ChangeCampaignStatus(ctx, teli.CampaignStatusChange{TenantID: "ta", CampaignPK: c.PK, Action: a, At: at(32 + i)})
		must(t, err)
	}
	camp, err = s.GetCampaign(ctx, "ta", c.ID)
	must(t, err)
	if camp.Status != teli.CampaignCompleted {
		t.Fatalf("a completed campaign paused and resumed is %s", camp.Status)
	}
}

func testSuppressions(t *testing.T, s teli.Store) {
	ctx := t.Context()
	w, c := campaignWorld(t, s)
	threads := threadsWorld(t, s, c, 2)
	phone := threads[0].Phone
	sup := teli.Suppression{TenantID: "ta", OrganizationID: w.orgA.UniqueID, Phone: phone, Kind: teli.SuppressOptOut,
		Source: "keyword", MessageID: "in-1", Detail: "STOP", At: at(20)}
	added, err := s.Suppress(ctx, sup)
	must(t, err)
	again, err := s.Suppress(ctx, sup)
	must(t, err)
	if !added || again {
		t.Fatalf("suppress: first %v, second %v", added, again)
	}
	dnc := sup
	dnc.Kind, dnc.Source, dnc.MessageID, dnc.UserID, dnc.Detail, dnc.At = teli.SuppressDoNotContact, "api", "", w.userA.UniqueID, "", at(21)
	_, err = s.Suppress(ctx, dnc)
	must(t, err)
	kinds, err := s.Suppressions(ctx, w.orgA.UniqueID, phone)
	must(t, err)
	equal(t, kinds, []teli.SuppressionKind{teli.SuppressDoNotContact, teli.SuppressOptOut})
	if other, _ := s.Suppressions(ctx, w.orgB.UniqueID, phone); len(other) != 0 {
		t.Fatalf("suppression leaked to another organization: %v", other)
	}
	claimed, err := s.ClaimDue(ctx, claim(at(22), 10, "tok"))
	must(t, err)
	flags := map[string][2]bool{}
	for _, m := range claimed {
		flags[m.Phone] = [2]bool{m.OptedOut, m.DoNotContact}
	}
	equal(t, flags, map[string][2]bool{phone: {true, true}, threads[1].Phone: {false, false}})

	lift := sup
	lift.Source, lift.MessageID, lift.Detail, lift.At = "keyword", "in-2", "START", at(23)
	lifted, err := s.Unsuppress(ctx, lift)
	must(t, err)
	liftedAgain, err := s.Unsuppress(ctx, lift)
	must(t, err)
	if !lifted || liftedAgain {
		t.Fatalf("unsuppress: first %v, second %v", lifted, liftedAgain)
	}
	events, err := s.SuppressionEvents(ctx, w.orgA.UniqueID, phone)
	must(t, err)
	equal(t, events, []teli.SuppressionEvent{
		{Suppression: sup, Action: "added"},
		{Suppression: dnc, Action: "added"},
		{Suppression: lift, Action: "lifted"},
	})
}

func testInboundEvents(t *testing.T, s teli.Store) {
	ctx := t.Context()
	e := teli.InboundEvent{Provider: "twilio", ProviderID: "SM1", From: "+13135550001", To: "+13135550000",
		Body: "STOP", MediaURLs: []string{"https://example.com/a.jpg"}, ReceivedAt: at(1)}
	first, err := s.RecordInbound(ctx, e)
	must(t, err)
	second, err := s.RecordInbound(ctx, e)
	must(t, err)
	if !first || second {
		t.Fatalf("record: first %v, retry %v", first, second)
	}
	other := e
	other.Provider = "sandbox"
	if ok, err := s.RecordInbound(ctx, other); err != nil || !ok {
		t.Fatalf("same id at another provider: %v %v", ok, err)
	}
	got, err := s.GetInbound(ctx, "twilio", "SM1")
	must(t, err)
	equal(t, got, e)
	finished, err := s.FinishInbound(ctx, "twilio", "SM1", "routed", "msg_1", at(2))
	must(t, err)
	again, err := s.FinishInbound(ctx, "twilio", "SM1", "unrouted", "msg_2", at(3))
	must(t, err)
	if !finished || again {
		t.Fatalf("finish inbound: first %v, second %v", finished, again)
	}
	got, err = s.GetInbound(ctx, "twilio", "SM1")
	must(t, err)
	if got.Outcome != "routed" || got.MessageID != "msg_1" || got.ProcessedAt == nil || !got.ProcessedAt.Equal(at(2)) {
		t.Fatalf("after finish: %+v", got)
	}
	if _, err := s.GetInbound(ctx, "twilio", "SM2"); !errors.Is(err, teli.ErrNotFound) {
		t.Fatalf("unknown inbound: %v", err)
	}
}

func testIdempotencyKeys(t *testing.T, s teli.Store) {
	ctx := t.Context()
	seed(t, s)
	r := teli.IdempotentResponse{TenantID: "ta", Key: "k1", RequestHash: "h", StatusCode: 200, Body: []byte(`{"success":true}`), CreatedAt: at(1)}
	must(t, s.PutIdempotent(ctx, r))
	if err := s.PutIdempotent(ctx, r); !errors.Is(err, teli.ErrConflict) {
		t.Fatalf("second put: %v", err)
	}
	got, err := s.GetIdempotent(ctx, "ta", "k1")
	must(t, err)
	equal(t, got, r)
	if _, err := s.GetIdempotent(ctx, "tb", "k1"); !errors.Is(err, teli.ErrNotFound) {
		t.Fatalf("other tenant's key: %v", err)
	}
}

// budget is a key and its limit, for testBudgets.
type budget struct {
	key   string
	limit gate.Limit
}

// take draws n sends from budgets through s.DrawBudgets, as the dispatcher does.
func take(ctx context.Context, s teli.Store, budgets []budget, n int, now time.Time) (int, time.Time, error) {
	keys := make([]string, len(budgets))
	limits := make([]gate.Limit, len(budgets))
	for i, b := range budgets {
		keys[i], limits[i] = b.key, b.limit
	}
	return dispatch.Take(ctx, s, keys, limits, n, now)
}

func testBudgets(t *testing.T, s teli.Store) {
	ctx := t.Context()
	budgets := []budget{
		{"number:+13135550000", gate.Limit{RatePerSecond: 1, Burst: 5}},
		{"org:org-a", gate.Limit{DailyLimit: 1000}},
	}
	now := at(1)
	var mu sync.Mutex
	total := 0
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 5 {
				g, _, err := take(ctx, s, budgets, 2, now)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				total += g
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if total != 5 {
		t.Fatalf("granted %d at one instant from a burst of 5", total)
	}
	g, next, err := take(ctx, s, budgets, 3, now)
	must(t, err)
	if g != 0 || !next.Equal(now.Add(time.Second)) {
		t.Fatalf("empty bucket: granted %d next %v", g, next)
	}
	g, _, err = take(ctx, s, budgets, 3, now.Add(2*time.Second))
	must(t, err)
	if g != 2 {
		t.Fatalf("two seconds later granted %d, want 2", g)
	}
	// The daily quota counted every grant.
	g, next, err = take(ctx, s, []budget{{"org:org-a", gate.Limit{DailyLimit: 8}}}, 5, now.Add(3*time.Second))
	must(t, err)
	if g != 1 || next.IsZero() {
		t.Fatalf("daily quota after 7 sends: granted %d next %v", g, next)
	}
}

func testUsage(t *testing.T, s teli.Store) {
	ctx := t.Context()
	w, c := campaignWorld(t, s)
	threads := threadsWorld(t, s, c, 3)
	claimed, err := s.ClaimDue(ctx, claim(at(11), 10, "tok"))
	must(t, err)
	out := []teli.SendOutcome{
		{MessageID: claimed[0].ID, CampaignPK: c.PK, Status: teli.MessageDelivered, Provider: "sandbox", ProviderID: "SBX0", At: at(12)},
		{MessageID: claimed[1].ID, CampaignPK: c.PK, Status: teli.MessageSent, Provider: "sandbox", ProviderID: "SBX1", At: at(12)},
		{MessageID: claimed[2].ID, CampaignPK: c.PK, Status: teli.MessageBlocked, Reason: "opted_out", At: at(12)},
	}
	must(t, s.FinishSends(ctx, "tok", out))
	in := teli.Message{ID: "in-1", TenantID: "ta", OrganizationID: c.OrganizationID, CampaignPK: c.PK,
		Phone: threads[0].Phone, Inbound: true, Sender: teli.SenderContact, Purpose: teli.PurposeInbound,
		From: threads[0].Phone, To: c.FromNumber, Body: "pic", MediaURL: "https://example.com/a.jpg",
		Status: teli.MessageReceived, Segments: 2, Encoding: "GSM-7", NotBefore: at(13), CreatedAt: at(13), UpdatedAt: at(13)}
	must(t, s.InsertMessages(ctx, []teli.Message{in}))
	u, err := s.Usage(ctx, teli.UsageFilter{TenantID: "ta", OrganizationID: w.orgA.UniqueID})
	must(t, err)
	equal(t, u, teli.Usage{SMSOutbound: 2, MMSInbound: 2})
	u, err = s.Usage(ctx, teli.UsageFilter{TenantID: "ta", OrganizationID: w.orgA.UniqueID, UserID: "nobody"})
	must(t, err)
	equal(t, u, teli.Usage{})
}
