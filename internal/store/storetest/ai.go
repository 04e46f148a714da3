package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/openteli/teli/internal/teli"
)

func aiCases() []testCase {
	return []testCase{
		{"AI/StateExtractionAndVoiceRequest", testAIState},
		{"AI/DripsFollowTheLastOutboundMessage", testDrips},
		{"AI/EachBurstIsClaimedOnce", testClaimReply},
	}
}

func testAIState(t *testing.T, s teli.Store) {
	ctx := t.Context()
	w, c := campaignWorld(t, s)
	threads := threadsWorld(t, s, c, 2)
	phone := threads[0].Phone
	must(t, s.SetAIState(ctx, "ta", c.PK, phone, teli.AIWaitingForHuman))
	e := teli.Extraction{
		Fields: map[string]string{"credit_score": "730"}, LeadOutcome: teli.OutcomeQualified,
		ObjectiveMet: true, CallScheduled: true, CallScheduledTime: "2026-01-25T14:00:00Z",
	}
	must(t, s.SaveExtraction(ctx, "ta", c.PK, phone, e, at(30)))
	vr := teli.VoiceRequest{VoiceAgentID: "agent_abc", OutboundNumber: "+13135550000", Reason: "asked for a call", RequestedAt: at(31)}
	must(t, s.SaveVoiceRequest(ctx, "ta", c.PK, phone, vr))
	got, err := s.GetThread(ctx, "ta", c.PK, phone)
	must(t, err)
	want := threads[0]
	want.AIState, want.Extraction, want.VoiceRequest, want.LeadOutcome = teli.AIWaitingForHuman, &e, &vr, teli.OutcomeQualified
	extracted := at(30)
	want.ExtractedAt = &extracted
	equal(t, got, want)

	// Extractions of the number across campaigns, newest first; none leak to other tenants.
	later := newCampaign(w.userA, teli.Agent{ID: "agent-1"}, "pk-2", "camp_later", 40)
	must(t, s.CreateCampaign(ctx, later))
	_, err = s.AddThreads(ctx, []teli.Thread{newThread(later, phone, 40)}, nil)
	must(t, err)
	must(t, s.SaveExtraction(ctx, "ta", later.PK, phone, teli.Extraction{LeadOutcome: teli.OutcomePending}, at(41)))
	list, err := s.ListExtractions(ctx, "ta", phone)
	must(t, err)
	if len(list) != 2 || list[0].CampaignPK != later.PK || list[1].CampaignPK != c.PK {
		t.Fatalf("extractions: %+v", list)
	}
	if other, _ := s.ListExtractions(ctx, "tb", phone); len(other) != 0 {
		t.Fatalf("another tenant sees %d extractions", len(other))
	}
	if err := s.SetAIState(ctx, "tb", c.PK, phone, teli.AIAnswering); !errors.Is(err, teli.ErrNotFound) {
		t.Fatalf("other tenant's thread: %v", err)
	}
}

func testDrips(t *testing.T, s teli.Store) {
	ctx := t.Context()
	_, c := campaignWorld(t, s)
	hour := time.Hour
	var threads []teli.Thread
	var msgs []teli.Message
	for i, p := range []string{"+13135550001", "+13135550002", "+13135550003"} {
		th := newThread(c, p, 5)
		th.DripDelay = &hour
		threads = append(threads, th)
		msgs = append(msgs, newMessage(c, fmt.Sprintf("start-%d", i), p, 10))
	}
	_, err := s.AddThreads(ctx, threads, msgs)
	must(t, err)
	claimed, err := s.ClaimDue(ctx, claim(at(10), 10, "tok"))
	must(t, err)
	var out []teli.SendOutcome
	for _, m := range claimed {
		out = append(out, teli.SendOutcome{MessageID: m.ID, CampaignPK: c.PK, Status: teli.MessageDelivered, Provider: "sandbox", ProviderID: "SBX" + m.ID, At: at(10)})
	}
	must(t, s.FinishSends(ctx, "tok", out))
	th, err := s.GetThread(ctx, "ta", c.PK, threads[0].Phone)
	must(t, err)
	if th.DripDueAt == nil || !th.DripDueAt.Equal(at(70)) || th.DripDelay == nil || *th.DripDelay != hour {
		t.Fatalf("after the first message: due %v, delay %v", th.DripDueAt, th.DripDelay)
	}
	// A reply stops the sequence; a takeover too.
	must(t, s.InsertMessages(ctx, []teli.Message{{
		ID: "in-1", TenantID: "ta", OrganizationID: c.OrganizationID, CampaignPK: c.PK, Phone: threads[1].Phone,
		Inbound: true, Sender: teli.SenderContact, Purpose: teli.PurposeInbound, From: threads[1].Phone, To: c.FromNumber,
		Body: "hi", Status: teli.MessageReceived, Segments: 1, Encoding: "GSM-7", NotBefore: at(20), CreatedAt: at(20), UpdatedAt: at(20),
	}}))
	_, err = s.TakeOverThread(ctx, teli.TakeOver{TenantID: "ta", CampaignPK: c.PK, Phone: threads[2].Phone, At: at(21)})
	must(t, err)

	if got, err := s.ClaimDueDrips(ctx, at(69), 10); err != nil || len(got) != 0 {
		t.Fatalf("claimed %d drips before they were due (%v)", len(got), err)
	}
	got, err := s.ClaimDueDrips(ctx, at(70), 10)
	must(t, err)
	if len(got) != 1 || got[0].Phone != threads[0].Phone || got[0].DripStep != 0 {
		t.Fatalf("due drips: %+v", got)
	}
	if again, _ := s.ClaimDueDrips(ctx, at(71), 10); len(again) != 0 {
		t.Fatalf("a drip claimed twice: %+v", again)
	}
	two := 2 * time.Hour
	must(t, s.AdvanceDrip(ctx, "ta", c.PK, threads[0].Phone, 1, &two))
	drip := newMessage(c, "drip-0", threads[0].Phone, 71)
	drip.Sender, drip.Purpose = teli.SenderDrip, teli.PurposeDrip
	must(t, s.InsertMessages(ctx, []teli.Message{drip}))
	claimed, err = s.ClaimDue(ctx, claim(at(71), 10, "tok2"))
	must(t, err)
	must(t, s.FinishSends(ctx, "tok2", []teli.SendOutcome{{MessageID: claimed[0].ID, CampaignPK: c.PK, Status: teli.MessageDelivered, Provider: "sandbox", ProviderID: "SBXd", At: at(72)}}))
	th, err = s.GetThread(ctx, "ta", c.PK, threads[0].Phone)
	must(t, err)
	if th.DripStep != 1 || th.DripDueAt == nil || !th.DripDueAt.Equal(at(192)) {
		t.Fatalf("after the drip: step %d due %v", th.DripStep, th.DripDueAt)
	}
	must(t, s.AdvanceDrip(ctx, "ta", c.PK, threads[0].Phone, 2, nil))
	for _, p := range []string{threads[1].Phone, threads[2].Phone} {
		th, err := s.GetThread(ctx, "ta", c.PK, p)
		must(t, err)
		if th.DripDelay != nil || th.DripDueAt != nil {
			t.Fatalf("%s: drips must stop (delay %v, due %v)", p, th.DripDelay, th.DripDueAt)
		}
	}
}

// testClaimReply: of any number of writers answering one burst, exactly one claims it; the next
// burst can be claimed again.
func testClaimReply(t *testing.T, s teli.Store) {
	ctx := t.Context()
	_, c := campaignWorld(t, s)
	phone := threadsWorld(t, s, c, 1)[0].Phone
	var mu sync.Mutex
	won := 0
	var wg sync.WaitGroup
	for range 6 {
		wg.Go(func() {
			err := s.InTx(ctx, func(tx teli.Store) error {
				first, err := tx.ClaimReply(ctx, "ta", c.PK, phone, "in-1")
				if first {
					mu.Lock()
					won++
					mu.Unlock()
				}
				return err
			})
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if won != 1 {
		t.Fatalf("%d writers claimed the same burst", won)
	}
	if first, err := s.ClaimReply(ctx, "ta", c.PK, phone, "in-2"); err != nil || !first {
		t.Fatalf("the next burst: %v, %v", first, err)
	}
	if first, err := s.ClaimReply(ctx, "tb", c.PK, phone, "in-3"); err != nil || first {
		t.Fatalf("another tenant claimed the thread's burst: %v, %v", first, err)
	}
}
