package storetest

import (
	"errors"
	"testing"

	"github.com/openteli/teli/internal/teli"
)

func aiCases() []testCase {
	return []testCase{
		{"AI/StateExtractionAndVoiceRequest", testAIState},
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
