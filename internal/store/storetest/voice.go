package storetest

import (
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/openteli/teli/internal/teli"
)

func voiceCases() []testCase {
	return []testCase{
		{"Voice/NumbersRoundTripAndRelease", testVoiceNumbers},
		{"Voice/AgentInUse", testVoiceAgentInUse},
		{"Voice/CampaignRoundTripAndIsolation", testVoiceCampaignRoundTrip},
		{"Voice/CampaignEndAndDelete", testVoiceCampaignEndAndDelete},
		{"Voice/LeadAttemptsCompleteCampaign", testLeadAttempts},
		{"Voice/InsertAndInboundCalls", testInsertAndInboundCalls},
		{"Voice/ClaimDueCallsAndLeases", testClaimDueCalls},
		{"Voice/ClaimFacts", testClaimFacts},
		{"Voice/ConcurrentCallClaimsNeverOverlap", testConcurrentCallClaims},
		{"Voice/FinishCallsNeverMovesBack", testFinishCalls},
		{"Voice/ApplyCallUpdateByPlatformID", testApplyByPlatformID},
		{"Voice/ApplyCallUpdateByCallID", testApplyByCallID},
		{"Voice/FollowUpClaimedOnce", testFollowUpOnce},
		{"Voice/StaleLiveCalls", testStaleLiveCalls},
		{"Voice/ListCallsFiltersAndOrder", testListCalls},
		{"Voice/CallExtractions", testCallExtractions},
	}
}

func newVoiceNumber(u teli.User, id, phone string, created int) teli.VoiceNumber {
	return teli.VoiceNumber{
		ID: id, TenantID: u.TenantID, OrganizationID: u.OrganizationID, UserID: u.UniqueID,
		PhoneNumber: phone, AreaCode: phone[2:5], Nickname: "Line " + id, Type: "sandbox",
		InboundAgentID: "vagent-in", OutboundAgentID: "vagent-out", CreatedAt: at(created),
	}
}

// newCall is a queued outbound call outside any campaign, not yet placed.
func newCall(u teli.User, id, lead string, due int) teli.Call {
	exp := at(due + 600)
	return teli.Call{
		ID: id, TenantID: u.TenantID, OrganizationID: u.OrganizationID, UserID: u.UniqueID,
		AgentID: "vagent-1", VoiceAgentID: "agent_v1", Direction: teli.DirectionOutbound,
		Purpose: teli.CallPurposeSingle, From: "+13135550100", To: lead, Lead: lead,
		Status: teli.CallQueued, Attempt: 1, NotBefore: at(due), ExpiresAt: &exp,
		Variables: map[string]string{"first_name": "Ann", "city": "Detroit <&>"},
		CreatedAt: at(due), UpdatedAt: at(due),
	}
}

// fullCall sets every field of a Call. Its raw JSON has spacing and key order an encoder would
// change, so it must come back byte for byte.
func fullCall(u teli.User, id, lead string, created int) teli.Call {
	c := newCall(u, id, lead, created)
	started, ended, extracted := at(created+1), at(created+3), at(created+4)
	c.SMSCampaignPK, c.Purpose, c.Status, c.Reason, c.Attempt = "sms-pk", teli.CallPurposeSMSToVoice, teli.CallEnded, "done", 2
	c.Platform, c.PlatformCallID = "sandbox", "pc_"+id
	c.StartedAt, c.EndedAt, c.DurationMS = &started, &ended, 123456
	c.DisconnectionReason, c.Transcript = "user_hangup", "Agent: Hi\nUser: Bye"
	c.TranscriptObject = json.RawMessage(`[ {"role": "agent", "content": "Hi <there> & co", "words": []} ]`)
	c.Analysis = &teli.CallAnalysis{Summary: "short", InVoicemail: true, UserSentiment: "Positive", Successful: true,
		Custom: map[string]any{"score": 7.5, "tags": []any{"a", "b"}}}
	c.Cost = json.RawMessage(`{"z": 1, "combined_cost": 12.5}`)
	c.RecordingURL = "https://example.com/rec/" + id
	c.Extraction = &teli.Extraction{Fields: map[string]string{"credit_score": "720"}, LeadOutcome: "interested",
		ObjectiveMet: true, CallScheduled: true, CallScheduledTime: "tomorrow"}
	c.ExtractedAt = &extracted
	c.UpdatedAt = at(created + 5)
	return c
}

func newVoiceCampaign(u teli.User, pk, id string, created int) teli.VoiceCampaign {
	return teli.VoiceCampaign{
		PK: pk, ID: id, TenantID: u.TenantID, OrganizationID: u.OrganizationID, UserID: u.UniqueID,
		AgentID: "vagent-1", CallerNumber: "+13135550100", NumberPool: []string{"+13135550100", "+13135550101"},
		BeginAt: at(created), EndAt: at(created + 10000),
		Redial: teli.Redial{Enabled: true, RetryLimit: 2, IntervalDays: 3},
		Status: teli.VoiceCampaignActive, CreatedAt: at(created), ModifiedAt: at(created + 1),
	}
}

// campaignCall is the queued call of a campaign to a lead.
func campaignCall(c teli.VoiceCampaign, u teli.User, id, lead string, due int) teli.Call {
	call := newCall(u, id, lead, due)
	call.CampaignPK, call.Purpose, call.From = c.PK, teli.CallPurposeCampaign, c.CallerNumber
	return call
}

func newVoiceLead(phone string) teli.VoiceLead {
	return teli.VoiceLead{Phone: phone, Variables: map[string]string{"first_name": "Ann"}}
}

// voiceWorld seeds a world with a voice agent of user A ("vagent-1"), the one campaigns use.
func voiceWorld(t *testing.T, s teli.Store) world {
	t.Helper()
	w := seed(t, s)
	must(t, s.CreateAgent(t.Context(), newVoiceAgent(w.userA, "vagent-1", "agent_v1", 3)))
	return w
}

// getCall reads a call of tenant A.
func getCall(t *testing.T, s teli.Store, id string) teli.Call {
	t.Helper()
	c, err := s.GetCall(t.Context(), "ta", id)
	must(t, err)
	return c
}

func ids(list []teli.Call) []string {
	out := make([]string, len(list))
	for i, c := range list {
		out[i] = c.ID
	}
	return out
}

func claimedIDs(list []teli.ClaimedCall) []string {
	out := make([]string, len(list))
	for i, c := range list {
		out[i] = c.ID
	}
	return out
}

func callClaim(now time.Time, limit int, token string, leaseExpiredBefore time.Time) teli.CallClaimRequest {
	return teli.CallClaimRequest{Now: now, Limit: limit, Token: token, LeaseExpiredBefore: leaseExpiredBefore}
}

func testVoiceNumbers(t *testing.T, s teli.Store) {
	ctx := t.Context()
	w := seed(t, s)
	n1 := newVoiceNumber(w.userA, "vn-1", "+13135550100", 5)
	n2 := newVoiceNumber(w.userA, "vn-2", "+13135550101", 6)
	n2.InboundAgentID, n2.OutboundAgentID, n2.Nickname, n2.UserID = "", "", "", "other-user"
	must(t, s.CreateUser(ctx, newUser(w.orgA, "other-user", 2)))
	must(t, s.CreateVoiceNumber(ctx, n2))
	must(t, s.CreateVoiceNumber(ctx, n1))
	got, err := s.GetVoiceNumber(ctx, "ta", n1.PhoneNumber)
	must(t, err)
	equal(t, got, n1)
	// A live phone number is unique across tenants, and an id too.
	wantErr(t, s.CreateVoiceNumber(ctx, newVoiceNumber(w.userB, "vn-3", n1.PhoneNumber, 7)), teli.ErrConflict)
	wantErr(t, s.CreateVoiceNumber(ctx, newVoiceNumber(w.userA, "vn-1", "+13135550109", 7)), teli.ErrConflict)
	_, err = s.GetVoiceNumber(ctx, "tb", n1.PhoneNumber)
	wantErr(t, err, teli.ErrNotFound)

	list, err := s.ListVoiceNumbers(ctx, teli.VoiceNumberFilter{TenantID: "ta", OrganizationID: w.orgA.UniqueID})
	must(t, err)
	equal(t, list, []teli.VoiceNumber{n1, n2})
	list, err = s.ListVoiceNumbers(ctx, teli.VoiceNumberFilter{TenantID: "ta", OrganizationID: w.orgA.UniqueID, UserID: "other-user"})
	must(t, err)
	equal(t, list, []teli.VoiceNumber{n2})
	list, err = s.ListVoiceNumbers(ctx, teli.VoiceNumberFilter{TenantID: "tb", OrganizationID: w.orgA.UniqueID})
	must(t, err)
	equal(t, list, []teli.VoiceNumber{})

	// An update rewrites agents and nickname only.
	upd := n1
	upd.InboundAgentID, upd.OutboundAgentID, upd.Nickname = "", "vagent-x", "Renamed"
	upd.AreaCode, upd.CreatedAt = "999", at(99)
	must(t, s.UpdateVoiceNumber(ctx, upd))
	n1.InboundAgentID, n1.OutboundAgentID, n1.Nickname = "", "vagent-x", "Renamed"
	got, err = s.LiveVoiceNumber(ctx, n1.PhoneNumber)
	must(t, err)
	equal(t, got, n1)
	other := upd
	other.TenantID = "tb"
	wantErr(t, s.UpdateVoiceNumber(ctx, other), teli.ErrNotFound)

	// Released: no longer live or listed, still found by the tenant, and free for a new row.
	wantErr(t, s.ReleaseVoiceNumber(ctx, "tb", n1.PhoneNumber, at(10)), teli.ErrNotFound)
	must(t, s.ReleaseVoiceNumber(ctx, "ta", n1.PhoneNumber, at(10)))
	wantErr(t, s.ReleaseVoiceNumber(ctx, "ta", n1.PhoneNumber, at(11)), teli.ErrNotFound)
	wantErr(t, s.UpdateVoiceNumber(ctx, upd), teli.ErrNotFound)
	_, err = s.LiveVoiceNumber(ctx, n1.PhoneNumber)
	wantErr(t, err, teli.ErrNotFound)
	released := n1
	r10 := at(10)
	released.ReleasedAt = &r10
	got, err = s.GetVoiceNumber(ctx, "ta", n1.PhoneNumber)
	must(t, err)
	equal(t, got, released)
	list, err = s.ListVoiceNumbers(ctx, teli.VoiceNumberFilter{TenantID: "ta", OrganizationID: w.orgA.UniqueID})
	must(t, err)
	equal(t, list, []teli.VoiceNumber{n2})

	again := newVoiceNumber(w.userA, "vn-4", n1.PhoneNumber, 12)
	must(t, s.CreateVoiceNumber(ctx, again))
	got, err = s.GetVoiceNumber(ctx, "ta", n1.PhoneNumber)
	must(t, err)
	equal(t, got, again) // the live one wins over the released one
	must(t, s.ReleaseVoiceNumber(ctx, "ta", n1.PhoneNumber, at(20)))
	got, err = s.GetVoiceNumber(ctx, "ta", n1.PhoneNumber)
	must(t, err)
	if got.ID != "vn-4" || got.ReleasedAt == nil || !got.ReleasedAt.Equal(at(20)) {
		t.Fatalf("most recently released: got %s released %v, want vn-4 released at %v", got.ID, got.ReleasedAt, at(20))
	}
	// Another tenant may now take the number.
	must(t, s.CreateVoiceNumber(ctx, newVoiceNumber(w.userB, "vn-5", n1.PhoneNumber, 21)))
	got, err = s.LiveVoiceNumber(ctx, n1.PhoneNumber)
	must(t, err)
	if got.ID != "vn-5" || got.TenantID != "tb" {
		t.Fatalf("live number: %s of %s, want vn-5 of tb", got.ID, got.TenantID)
	}
	got, err = s.GetVoiceNumber(ctx, "ta", n1.PhoneNumber)
	must(t, err)
	if got.ID != "vn-4" {
		t.Fatalf("tenant A's number: %s, want its released vn-4", got.ID)
	}
}

func testVoiceAgentInUse(t *testing.T, s teli.Store) {
	ctx := t.Context()
	w := voiceWorld(t, s)
	inUse := func(tenant, agent, want string) {
		t.Helper()
		got, err := s.VoiceAgentInUse(ctx, tenant, agent)
		must(t, err)
		if got != want {
			t.Fatalf("VoiceAgentInUse(%s, %q) = %q, want %q", tenant, agent, got, want)
		}
	}
	inUse("ta", "vagent-1", "")
	n := newVoiceNumber(w.userA, "vn-1", "+13135550100", 5)
	n.InboundAgentID, n.OutboundAgentID = "", "vagent-1"
	must(t, s.CreateVoiceNumber(ctx, n))
	inUse("ta", "vagent-1", "phone number +13135550100")
	inUse("tb", "vagent-1", "")
	inUse("ta", "", "") // the number's unset inbound agent is no agent
	n.InboundAgentID, n.OutboundAgentID = "vagent-1", ""
	must(t, s.UpdateVoiceNumber(ctx, n))
	inUse("ta", "vagent-1", "phone number +13135550100")
	must(t, s.ReleaseVoiceNumber(ctx, "ta", n.PhoneNumber, at(6)))
	inUse("ta", "vagent-1", "")

	c := newVoiceCampaign(w.userA, "vpk-1", "vcamp_1", 7)
	must(t, s.CreateVoiceCampaign(ctx, c, nil, nil))
	inUse("ta", "vagent-1", "voice campaign vcamp_1")
	inUse("tb", "vagent-1", "")
	must(t, s.ChangeVoiceCampaignStatus(ctx, "ta", c.PK, []teli.VoiceCampaignStatus{teli.VoiceCampaignActive}, teli.VoiceCampaignPaused, at(8)))
	inUse("ta", "vagent-1", "voice campaign vcamp_1")
	must(t, s.ChangeVoiceCampaignStatus(ctx, "ta", c.PK, []teli.VoiceCampaignStatus{teli.VoiceCampaignPaused}, teli.VoiceCampaignEnded, at(9)))
	inUse("ta", "vagent-1", "")
	d := newVoiceCampaign(w.userA, "vpk-2", "vcamp_2", 10)
	must(t, s.CreateVoiceCampaign(ctx, d, nil, nil))
	inUse("ta", "vagent-1", "voice campaign vcamp_2")
	must(t, s.DeleteVoiceCampaign(ctx, "ta", d.PK, at(11)))
	inUse("ta", "vagent-1", "")
}

func testVoiceCampaignRoundTrip(t *testing.T, s teli.Store) {
	ctx := t.Context()
	w := voiceWorld(t, s)
	c := newVoiceCampaign(w.userA, "vpk-1", "vcamp_1", 5)
	leads := []teli.VoiceLead{newVoiceLead("+13135550001"), newVoiceLead("+13135550002"), {Phone: "+13135550003", Settled: true}}
	calls := []teli.Call{campaignCall(c, w.userA, "call_1", leads[0].Phone, 6), campaignCall(c, w.userA, "call_2", leads[1].Phone, 6)}
	must(t, s.CreateVoiceCampaign(ctx, c, leads, calls))

	want := c
	want.Progress = teli.VoiceProgress{Total: 3, Completed: 1, Pending: 2}
	got, err := s.GetVoiceCampaign(ctx, "ta", c.ID)
	must(t, err)
	equal(t, got, want)
	got, err = s.GetVoiceCampaignByPK(ctx, "ta", c.PK)
	must(t, err)
	equal(t, got, c)
	equal(t, getCall(t, s, "call_1"), calls[0])
	equal(t, getCall(t, s, "call_2"), calls[1])
	_, err = s.GetVoiceCampaign(ctx, "tb", c.ID)
	wantErr(t, err, teli.ErrNotFound)
	_, err = s.GetVoiceCampaignByPK(ctx, "tb", c.PK)
	wantErr(t, err, teli.ErrNotFound)
	_, err = s.GetCall(ctx, "tb", "call_1")
	wantErr(t, err, teli.ErrNotFound)

	// A duplicate campaign_id writes nothing at all: not its leads, not its calls.
	dup := newVoiceCampaign(w.userA, "vpk-2", c.ID, 6)
	wantErr(t, s.CreateVoiceCampaign(ctx, dup, []teli.VoiceLead{newVoiceLead("+13135550009")},
		[]teli.Call{campaignCall(dup, w.userA, "call_dup", "+13135550009", 7)}), teli.ErrConflict)
	_, err = s.GetCall(ctx, "ta", "call_dup")
	wantErr(t, err, teli.ErrNotFound)
	_, err = s.GetVoiceCampaignByPK(ctx, "ta", dup.PK)
	wantErr(t, err, teli.ErrNotFound)
	// Nor does a campaign whose call fails to insert: the campaign goes with it.
	broken := newVoiceCampaign(w.userA, "vpk-4", "vcamp_4", 6)
	wantErr(t, s.CreateVoiceCampaign(ctx, broken, []teli.VoiceLead{newVoiceLead("+13135550009")},
		[]teli.Call{campaignCall(broken, w.userA, "call_1", "+13135550009", 7)}), teli.ErrConflict)
	_, err = s.GetVoiceCampaignByPK(ctx, "ta", broken.PK)
	wantErr(t, err, teli.ErrNotFound)
	equal(t, getCall(t, s, "call_1"), calls[0])

	// Another tenant may use the same campaign_id; an empty pool reads back as none.
	must(t, s.CreateAgent(ctx, newVoiceAgent(w.userB, "vagent-b", "agent_vb", 3)))
	cb := newVoiceCampaign(w.userB, "vpk-b", c.ID, 7)
	cb.AgentID, cb.NumberPool = "vagent-b", []string{}
	must(t, s.CreateVoiceCampaign(ctx, cb, nil, nil))
	gotB, err := s.GetVoiceCampaign(ctx, "tb", c.ID)
	must(t, err)
	cb.NumberPool = nil
	equal(t, gotB, cb)

	later := newVoiceCampaign(w.userA, "vpk-3", "vcamp_3", 8)
	later.UserID, later.NumberPool = "other-user", nil
	later.Redial = teli.Redial{}
	must(t, s.CreateUser(ctx, newUser(w.orgA, "other-user", 2)))
	must(t, s.CreateVoiceCampaign(ctx, later, nil, nil))
	list, err := s.ListVoiceCampaigns(ctx, "ta", w.orgA.UniqueID, "")
	must(t, err)
	equal(t, list, []teli.VoiceCampaign{later, want})
	list, err = s.ListVoiceCampaigns(ctx, "ta", w.orgA.UniqueID, w.userA.UniqueID)
	must(t, err)
	equal(t, list, []teli.VoiceCampaign{want})
	list, err = s.ListVoiceCampaigns(ctx, "tb", w.orgA.UniqueID, "")
	must(t, err)
	equal(t, list, []teli.VoiceCampaign{})
}

func testVoiceCampaignEndAndDelete(t *testing.T, s teli.Store) {
	ctx := t.Context()
	w := voiceWorld(t, s)
	c := newVoiceCampaign(w.userA, "vpk-1", "vcamp_1", 5)
	leads := []teli.VoiceLead{newVoiceLead("+13135550001"), newVoiceLead("+13135550002"), newVoiceLead("+13135550003")}
	calls := []teli.Call{
		campaignCall(c, w.userA, "call_1", leads[0].Phone, 6),
		campaignCall(c, w.userA, "call_2", leads[1].Phone, 6),
		campaignCall(c, w.userA, "call_3", leads[2].Phone, 6),
	}
	calls[2].Status = teli.CallDialing
	must(t, s.CreateVoiceCampaign(ctx, c, leads, calls))
	unrelated := newCall(w.userA, "call_single", "+13135550001", 6)
	must(t, s.InsertCalls(ctx, []teli.Call{unrelated}))

	active, paused := teli.VoiceCampaignActive, teli.VoiceCampaignPaused
	wantErr(t, s.ChangeVoiceCampaignStatus(ctx, "ta", c.PK, []teli.VoiceCampaignStatus{paused}, active, at(7)), teli.ErrConflict)
	wantErr(t, s.ChangeVoiceCampaignStatus(ctx, "tb", c.PK, []teli.VoiceCampaignStatus{active}, paused, at(7)), teli.ErrNotFound)
	wantErr(t, s.ChangeVoiceCampaignStatus(ctx, "ta", "nope", []teli.VoiceCampaignStatus{active}, paused, at(7)), teli.ErrNotFound)
	must(t, s.ChangeVoiceCampaignStatus(ctx, "ta", c.PK, []teli.VoiceCampaignStatus{active}, paused, at(8)))
	got, err := s.GetVoiceCampaign(ctx, "ta", c.ID)
	must(t, err)
	if got.Status != paused || !got.ModifiedAt.Equal(at(8)) || got.Progress != (teli.VoiceProgress{Total: 3, Pending: 3}) {
		t.Fatalf("paused campaign: %s modified %v progress %+v", got.Status, got.ModifiedAt, got.Progress)
	}
	// Pausing touches no call.
	equal(t, getCall(t, s, "call_1"), calls[0])

	must(t, s.ChangeVoiceCampaignStatus(ctx, "ta", c.PK, []teli.VoiceCampaignStatus{active, paused}, teli.VoiceCampaignEnded, at(9)))
	got, err = s.GetVoiceCampaign(ctx, "ta", c.ID)
	must(t, err)
	if got.Status != teli.VoiceCampaignEnded || got.Progress != (teli.VoiceProgress{Total: 3, Completed: 3}) {
		t.Fatalf("ended campaign: %s progress %+v", got.Status, got.Progress)
	}
	for _, want := range calls[:2] {
		want.Status, want.Reason, want.UpdatedAt = teli.CallCanceled, "campaign_ended", at(9)
		equal(t, getCall(t, s, want.ID), want)
	}
	equal(t, getCall(t, s, "call_3"), calls[2]) // placed already: not the campaign's to cancel
	equal(t, getCall(t, s, "call_single"), unrelated)
	wantErr(t, s.ChangeVoiceCampaignStatus(ctx, "ta", c.PK, []teli.VoiceCampaignStatus{active, paused}, active, at(10)), teli.ErrConflict)

	// Deleting: the campaign and its leads go, its queued calls are canceled, the rest stay.
	d := newVoiceCampaign(w.userA, "vpk-2", "vcamp_2", 10)
	dCalls := []teli.Call{campaignCall(d, w.userA, "call_d1", leads[0].Phone, 11), campaignCall(d, w.userA, "call_d2", leads[1].Phone, 11)}
	dCalls[1].Status = teli.CallEnded
	must(t, s.CreateVoiceCampaign(ctx, d, leads, dCalls))
	wantErr(t, s.DeleteVoiceCampaign(ctx, "tb", d.PK, at(12)), teli.ErrNotFound)
	must(t, s.DeleteVoiceCampaign(ctx, "ta", d.PK, at(12)))
	wantErr(t, s.DeleteVoiceCampaign(ctx, "ta", d.PK, at(13)), teli.ErrNotFound)
	_, err = s.GetVoiceCampaign(ctx, "ta", d.ID)
	wantErr(t, err, teli.ErrNotFound)
	_, err = s.GetVoiceCampaignByPK(ctx, "ta", d.PK)
	wantErr(t, err, teli.ErrNotFound)
	wantErr(t, s.ChangeVoiceCampaignStatus(ctx, "ta", d.PK, []teli.VoiceCampaignStatus{active}, paused, at(13)), teli.ErrNotFound)
	wantD1 := dCalls[0]
	wantD1.Status, wantD1.Reason, wantD1.UpdatedAt = teli.CallCanceled, "campaign_deleted", at(12)
	equal(t, getCall(t, s, "call_d1"), wantD1)
	equal(t, getCall(t, s, "call_d2"), dCalls[1])
	listed, err := s.ListCalls(ctx, teli.CallFilter{TenantID: "ta", OrganizationID: w.orgA.UniqueID, Statuses: []teli.CallStatus{teli.CallEnded}})
	must(t, err)
	equal(t, ids(listed), []string{"call_d2"})
	list, err := s.ListVoiceCampaigns(ctx, "ta", w.orgA.UniqueID, "")
	must(t, err)
	equal(t, len(list), 1)

	// The campaign_id is free again, and the new campaign starts with its own leads only.
	again := newVoiceCampaign(w.userA, "vpk-3", "vcamp_2", 14)
	must(t, s.CreateVoiceCampaign(ctx, again, leads[:1], nil))
	got, err = s.GetVoiceCampaign(ctx, "ta", "vcamp_2")
	must(t, err)
	if got.PK != "vpk-3" || got.Progress != (teli.VoiceProgress{Total: 1, Pending: 1}) {
		t.Fatalf("recreated campaign: %s progress %+v", got.PK, got.Progress)
	}
}

func testLeadAttempts(t *testing.T, s teli.Store) {
	ctx := t.Context()
	w := voiceWorld(t, s)
	c := newVoiceCampaign(w.userA, "vpk-1", "vcamp_1", 5)
	a, b := "+13135550001", "+13135550002"
	must(t, s.CreateVoiceCampaign(ctx, c, []teli.VoiceLead{newVoiceLead(a), newVoiceLead(b)}, nil))
	progress := func(wantStatus teli.VoiceCampaignStatus, want teli.VoiceProgress, modified int) {
		t.Helper()
		got, err := s.GetVoiceCampaign(ctx, "ta", c.ID)
		must(t, err)
		if got.Status != wantStatus || got.Progress != want || !got.ModifiedAt.Equal(at(modified)) {
			t.Fatalf("campaign %s %+v modified %v; want %s %+v modified %v",
				got.Status, got.Progress, got.ModifiedAt, wantStatus, want, at(modified))
		}
	}
	must(t, s.RecordLeadAttempt(ctx, c.PK, a, true, false, at(10)))
	progress(teli.VoiceCampaignActive, teli.VoiceProgress{Total: 2, Pending: 2}, 6)
	must(t, s.RecordLeadAttempt(ctx, c.PK, a, false, true, at(11)))
	progress(teli.VoiceCampaignActive, teli.VoiceProgress{Total: 2, Completed: 1, Pending: 1}, 6)
	// Settled stays settled.
	must(t, s.RecordLeadAttempt(ctx, c.PK, a, true, false, at(12)))
	progress(teli.VoiceCampaignActive, teli.VoiceProgress{Total: 2, Completed: 1, Pending: 1}, 6)
	must(t, s.RecordLeadAttempt(ctx, c.PK, b, true, true, at(13)))
	progress(teli.VoiceCampaignCompleted, teli.VoiceProgress{Total: 2, Completed: 2}, 13)
	// Once completed, nothing moves it again.
	must(t, s.RecordLeadAttempt(ctx, c.PK, b, false, true, at(14)))
	progress(teli.VoiceCampaignCompleted, teli.VoiceProgress{Total: 2, Completed: 2}, 13)

	// A paused campaign whose leads are all settled stays paused.
	p := newVoiceCampaign(w.userA, "vpk-2", "vcamp_2", 20)
	must(t, s.CreateVoiceCampaign(ctx, p, []teli.VoiceLead{newVoiceLead(a)}, nil))
	must(t, s.ChangeVoiceCampaignStatus(ctx, "ta", p.PK, []teli.VoiceCampaignStatus{teli.VoiceCampaignActive}, teli.VoiceCampaignPaused, at(21)))
	must(t, s.RecordLeadAttempt(ctx, p.PK, a, true, true, at(22)))
	got, err := s.GetVoiceCampaign(ctx, "ta", p.ID)
	must(t, err)
	if got.Status != teli.VoiceCampaignPaused || got.Progress != (teli.VoiceProgress{Total: 1, Completed: 1}) {
		t.Fatalf("paused campaign: %s %+v", got.Status, got.Progress)
	}
	// A deleted campaign's leads are gone: there is nothing to count, and no error.
	must(t, s.DeleteVoiceCampaign(ctx, "ta", p.PK, at(23)))
	must(t, s.RecordLeadAttempt(ctx, p.PK, a, true, true, at(24)))
}

func testInsertAndInboundCalls(t *testing.T, s teli.Store) {
	ctx := t.Context()
	w := seed(t, s)
	full := fullCall(w.userA, "call_full", "+13135550001", 5)
	plain := newCall(w.userA, "call_plain", "+13135550002", 6)
	plain.ExpiresAt, plain.Variables = nil, map[string]string{}
	must(t, s.InsertCalls(ctx, []teli.Call{full, plain}))
	equal(t, getCall(t, s, full.ID), full)
	plain.Variables = nil // empty variables read back as none
	equal(t, getCall(t, s, plain.ID), plain)
	got, err := s.CallByPlatformID(ctx, "sandbox", full.PlatformCallID)
	must(t, err)
	equal(t, got, full)
	_, err = s.CallByPlatformID(ctx, "other-platform", full.PlatformCallID)
	wantErr(t, err, teli.ErrNotFound)
	_, err = s.CallByPlatformID(ctx, "", "")
	wantErr(t, err, teli.ErrNotFound)

	// A duplicate id fails the whole batch.
	fresh := newCall(w.userA, "call_fresh", "+13135550003", 7)
	wantErr(t, s.InsertCalls(ctx, []teli.Call{fresh, newCall(w.userA, plain.ID, "+13135550004", 7)}), teli.ErrConflict)
	_, err = s.GetCall(ctx, "ta", fresh.ID)
	wantErr(t, err, teli.ErrNotFound)

	in := newCall(w.userB, "call_in", "+13135559999", 8)
	in.Direction, in.Purpose, in.Status, in.ExpiresAt = teli.DirectionInbound, teli.DirectionInbound, teli.CallDialing, nil
	in.From, in.To, in.Platform, in.PlatformCallID = "+13135559999", "+13135550100", "sandbox", "pc_in"
	wrote, err := s.RecordInboundCall(ctx, in)
	must(t, err)
	if !wrote {
		t.Fatal("first inbound call not written")
	}
	dup := in
	dup.ID, dup.From = "call_in_again", "+13135558888"
	wrote, err = s.RecordInboundCall(ctx, dup)
	must(t, err)
	if wrote {
		t.Fatal("inbound call with a known platform call id written again")
	}
	got, err = s.GetCall(ctx, "tb", in.ID)
	must(t, err)
	equal(t, got, in)
	_, err = s.GetCall(ctx, "tb", dup.ID)
	wantErr(t, err, teli.ErrNotFound)
	// The same platform call id on another platform is another call; no platform call id at
	// all never collides.
	dup.Platform = "other-platform"
	wrote, err = s.RecordInboundCall(ctx, dup)
	must(t, err)
	if !wrote {
		t.Fatal("inbound call of another platform not written")
	}
	// An id taken is a conflict, whatever the platform call id.
	taken := in
	taken.PlatformCallID = "pc_fresh"
	_, err = s.RecordInboundCall(ctx, taken)
	wantErr(t, err, teli.ErrConflict)
	for i := range 2 {
		anon := in
		anon.ID, anon.PlatformCallID = fmt.Sprintf("call_anon_%d", i), ""
		wrote, err = s.RecordInboundCall(ctx, anon)
		must(t, err)
		if !wrote {
			t.Fatalf("inbound call %s without a platform call id not written", anon.ID)
		}
	}
}

func testClaimDueCalls(t *testing.T, s teli.Store) {
	ctx := t.Context()
	w := seed(t, s)
	q1, q2, q3 := newCall(w.userA, "call_q1", "+13135550001", 10), newCall(w.userA, "call_q2", "+13135550002", 11), newCall(w.userB, "call_q3", "+13135550003", 12)
	future := newCall(w.userA, "call_future", "+13135550004", 100)
	ended := newCall(w.userA, "call_ended", "+13135550005", 1)
	ended.Status = teli.CallEnded
	inbound := newCall(w.userA, "call_inbound", "+13135550006", 1)
	inbound.Direction = teli.DirectionInbound
	// Each from its own number, to its own lead: no gate counts here (see ClaimFacts).
	for i, c := range []*teli.Call{&q1, &q2, &q3, &future} {
		c.From = fmt.Sprintf("+1313555020%d", i)
	}
	must(t, s.InsertCalls(ctx, []teli.Call{q3, future, q2, ended, q1, inbound}))

	got, err := s.ClaimDueCalls(ctx, callClaim(at(20), 2, "t1", time.Time{}))
	must(t, err)
	want := func(c teli.Call, now int, reclaimed bool) teli.ClaimedCall {
		c.Status, c.UpdatedAt = teli.CallPlacing, at(now)
		return teli.ClaimedCall{Call: c, Reclaimed: reclaimed}
	}
	equal(t, got, []teli.ClaimedCall{want(q1, 20, false), want(q2, 20, false)})
	equal(t, getCall(t, s, q1.ID), want(q1, 20, false).Call)

	// The lease of the first two has not run out: only the last due call comes.
	got, err = s.ClaimDueCalls(ctx, callClaim(at(21), 5, "t2", at(15)))
	must(t, err)
	equal(t, got, []teli.ClaimedCall{want(q3, 21, false)})
	got, err = s.ClaimDueCalls(ctx, callClaim(at(22), 5, "t2", at(15)))
	must(t, err)
	equal(t, got, []teli.ClaimedCall{})

	// Expired leases are taken back, flagged, at most Limit of them, oldest claim first.
	got, err = s.ClaimDueCalls(ctx, callClaim(at(40), 2, "t3", at(21)))
	must(t, err)
	equal(t, got, []teli.ClaimedCall{want(q1, 40, true), want(q2, 40, true)})
	got, err = s.ClaimDueCalls(ctx, callClaim(at(41), 5, "t4", at(40)))
	must(t, err)
	equal(t, got, []teli.ClaimedCall{want(q3, 41, true)})

	// Due and expired together, oldest due first.
	got, err = s.ClaimDueCalls(ctx, callClaim(at(100), 5, "t5", at(41)))
	must(t, err)
	equal(t, got, []teli.ClaimedCall{want(q1, 100, true), want(q2, 100, true), want(future, 100, false)})
	got, err = s.ClaimDueCalls(ctx, callClaim(at(100), 0, "t6", at(1000)))
	must(t, err)
	equal(t, got, []teli.ClaimedCall{})
	equal(t, getCall(t, s, ended.ID), ended)
	equal(t, getCall(t, s, inbound.ID), inbound)
}

func testClaimFacts(t *testing.T, s teli.Store) {
	ctx := t.Context()
	w := voiceWorld(t, s)
	l1, l2 := "+13135550001", "+13135550002"
	f1, f2 := "+13135550100", "+13135550200"
	c := newVoiceCampaign(w.userA, "vpk-1", "vcamp_1", 5)
	gone := newVoiceCampaign(w.userA, "vpk-2", "vcamp_2", 5)
	_, err := s.Suppress(ctx, teli.Suppression{TenantID: "ta", OrganizationID: w.orgA.UniqueID, Phone: l1, Kind: teli.SuppressOptOut, Source: "keyword", At: at(6)})
	must(t, err)
	_, err = s.Suppress(ctx, teli.Suppression{TenantID: "ta", OrganizationID: w.orgA.UniqueID, Phone: l2, Kind: teli.SuppressDoNotContact, Source: "api", At: at(6)})
	must(t, err)
	// Lead 1 opted out of organization A only.
	_, err = s.Suppress(ctx, teli.Suppression{TenantID: "tb", OrganizationID: w.orgB.UniqueID, Phone: l2, Kind: teli.SuppressOptOut, Source: "keyword", At: at(6)})
	must(t, err)

	c1 := campaignCall(c, w.userA, "call_c1", l1, 10) // from f1
	c2 := newCall(w.userA, "call_c2", l2, 11)
	c2.From = f1
	live := campaignCall(c, w.userA, "call_live", l1, 1)
	live.Status, live.From = teli.CallDialing, f2
	over := campaignCall(c, w.userA, "call_over", l1, 1)
	over.Status = teli.CallEnded
	elsewhere := newCall(w.userB, "call_b", l1, 1)
	elsewhere.Status, elsewhere.From = teli.CallOngoing, f2
	must(t, s.CreateVoiceCampaign(ctx, c, nil, []teli.Call{c1, live, over}))
	stale := campaignCall(gone, w.userA, "call_gone", l2, 1)
	stale.Status = teli.CallPlacing
	must(t, s.CreateVoiceCampaign(ctx, gone, nil, []teli.Call{stale}))
	must(t, s.DeleteVoiceCampaign(ctx, "ta", gone.PK, at(2)))
	must(t, s.InsertCalls(ctx, []teli.Call{c2, elsewhere}))

	got, err := s.ClaimDueCalls(ctx, callClaim(at(20), 10, "tok", at(5)))
	must(t, err)
	placing := func(c teli.Call) teli.Call {
		c.Status, c.UpdatedAt = teli.CallPlacing, at(20)
		return c
	}
	equal(t, got, []teli.ClaimedCall{
		// The calls of this claim do not count each other (lead 2 and number f1 are in it
		// twice): only calls live outside it do, like the dialing call to lead 1 in campaign c.
		{Call: placing(stale), DoNotContact: true, Reclaimed: true},
		{Call: placing(c1), CampaignStatus: teli.VoiceCampaignActive, CampaignBegin: c.BeginAt, CampaignEndAt: c.EndAt,
			OptedOut: true, LiveToLead: 1, LiveInCampaign: 1},
		{Call: placing(c2), DoNotContact: true},
	})
	// Calls claimed by another dispatcher count as live for this one's claim: lead 2 has two
	// (the reclaimed call and c2), number f1 three.
	c3 := newCall(w.userA, "call_c3", l2, 12)
	c3.From = f1
	must(t, s.InsertCalls(ctx, []teli.Call{c3}))
	got, err = s.ClaimDueCalls(ctx, callClaim(at(21), 10, "tok2", time.Time{}))
	must(t, err)
	c3.Status, c3.UpdatedAt = teli.CallPlacing, at(21)
	equal(t, got, []teli.ClaimedCall{{Call: c3, DoNotContact: true, LiveToLead: 2, LiveFromNumber: 3}})
}

func testConcurrentCallClaims(t *testing.T, s teli.Store) {
	ctx := t.Context()
	w := seed(t, s)
	const n = 200
	var calls []teli.Call
	for i := range n {
		calls = append(calls, newCall(w.userA, fmt.Sprintf("call_%04d", i), fmt.Sprintf("+1313555%04d", i), i%7))
	}
	must(t, s.InsertCalls(ctx, calls))
	var mu sync.Mutex
	seen := map[string]int{}
	var wg sync.WaitGroup
	for w := range 6 {
		wg.Go(func() {
			for {
				got, err := s.ClaimDueCalls(ctx, callClaim(at(10), 15, fmt.Sprintf("w%d-%d", w, time.Now().UnixNano()), time.Time{}))
				if err != nil {
					t.Error(err)
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				for _, c := range got {
					seen[c.ID]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(seen) != n {
		t.Fatalf("claimed %d distinct calls, want %d", len(seen), n)
	}
	for id, k := range seen {
		if k != 1 {
			t.Fatalf("%s claimed %d times", id, k)
		}
	}
}

func testFinishCalls(t *testing.T, s teli.Store) {
	ctx := t.Context()
	w := seed(t, s)
	var calls []teli.Call
	for _, id := range []string{"a", "b", "c", "d", "e", "f"} {
		calls = append(calls, newCall(w.userA, "call_"+id, "+1313555000"+fmt.Sprint(len(calls)), 10))
	}
	must(t, s.InsertCalls(ctx, calls))
	claimed, err := s.ClaimDueCalls(ctx, callClaim(at(20), 10, "tok", time.Time{}))
	must(t, err)
	equal(t, len(claimed), len(calls))
	placing := func(c teli.Call) teli.Call {
		c.Status, c.UpdatedAt = teli.CallPlacing, at(20)
		return c
	}

	// Another token's outcomes change nothing.
	must(t, s.FinishCalls(ctx, "other", []teli.CallOutcome{{CallID: "call_a", Status: teli.CallBlocked, At: at(21)}}))
	equal(t, getCall(t, s, "call_a"), placing(calls[0]))

	// The platform reported e and f before the dispatcher's outcomes came back.
	started := at(21)
	_, changed, err := s.ApplyCallUpdate(ctx, teli.CallUpdate{CallID: "call_e", Status: teli.CallOngoing, StartedAt: &started, At: at(22)})
	must(t, err)
	if !changed {
		t.Fatal("report of call_e changed nothing")
	}
	_, _, err = s.ApplyCallUpdate(ctx, teli.CallUpdate{CallID: "call_f", Platform: "sandbox", PlatformCallID: "pc_f_report",
		Status: teli.CallEnded, At: at(22)})
	must(t, err)

	must(t, s.FinishCalls(ctx, "tok", []teli.CallOutcome{
		{CallID: "call_a", Status: teli.CallQueued, Reason: "lead_busy", NotBefore: at(30), At: at(23)},
		{CallID: "call_b", Status: teli.CallDialing, Platform: "sandbox", PlatformCallID: "pc_b", At: at(23)},
		{CallID: "call_c", Status: teli.CallBlocked, Reason: "opted_out", At: at(23)},
		{CallID: "call_d", Status: teli.CallPlacing, At: at(23)},
		{CallID: "call_e", Status: teli.CallDialing, Platform: "sandbox", PlatformCallID: "pc_e", At: at(23)},
		{CallID: "call_f", Status: teli.CallDialing, Platform: "sandbox", PlatformCallID: "pc_f_answer", At: at(23)},
	}))
	a := calls[0]
	a.Reason, a.NotBefore, a.UpdatedAt = "lead_busy", at(30), at(23)
	equal(t, getCall(t, s, "call_a"), a)
	b := calls[1]
	b.Status, b.Platform, b.PlatformCallID, b.UpdatedAt = teli.CallDialing, "sandbox", "pc_b", at(23)
	equal(t, getCall(t, s, "call_b"), b)
	c := calls[2]
	c.Status, c.Reason, c.UpdatedAt = teli.CallBlocked, "opted_out", at(23)
	equal(t, getCall(t, s, "call_c"), c)
	equal(t, getCall(t, s, "call_d"), placing(calls[3]))
	// e stays ongoing and only gains the platform's id; f keeps the id its report gave it.
	e := calls[4]
	e.Status, e.StartedAt, e.UpdatedAt, e.Platform, e.PlatformCallID = teli.CallOngoing, &started, at(22), "sandbox", "pc_e"
	equal(t, getCall(t, s, "call_e"), e)
	f := calls[5]
	f.Status, f.UpdatedAt, f.Platform, f.PlatformCallID = teli.CallEnded, at(22), "sandbox", "pc_f_report"
	equal(t, getCall(t, s, "call_f"), f)

	// The outcomes released their claims: only d's can expire, and a is due again at 30.
	got, err := s.ClaimDueCalls(ctx, callClaim(at(25), 10, "tok2", at(24)))
	must(t, err)
	equal(t, claimedIDs(got), []string{"call_d"})
	got, err = s.ClaimDueCalls(ctx, callClaim(at(30), 10, "tok3", time.Time{}))
	must(t, err)
	equal(t, claimedIDs(got), []string{"call_a"})
	// The first token no longer holds d; a repeated outcome of b changes nothing.
	must(t, s.FinishCalls(ctx, "tok", []teli.CallOutcome{
		{CallID: "call_d", Status: teli.CallError, At: at(31)},
		{CallID: "call_b", Status: teli.CallNotConnected, At: at(31)},
	}))
	if got := getCall(t, s, "call_d"); got.Status != teli.CallPlacing || !got.UpdatedAt.Equal(at(25)) {
		t.Fatalf("call_d %s updated %v: changed under a token that lost it", got.Status, got.UpdatedAt)
	}
	equal(t, getCall(t, s, "call_b"), b)
	must(t, s.FinishCalls(ctx, "tok", nil))
}

func testApplyByPlatformID(t *testing.T, s teli.Store) {
	ctx := t.Context()
	w := seed(t, s)
	call := newCall(w.userA, "call_1", "+13135550001", 10)
	call.Status, call.Platform, call.PlatformCallID = teli.CallDialing, "sandbox", "pc_1"
	must(t, s.InsertCalls(ctx, []teli.Call{call}))

	apply := func(u teli.CallUpdate, wantChanged bool) teli.Call {
		t.Helper()
		got, changed, err := s.ApplyCallUpdate(ctx, u)
		must(t, err)
		if changed != wantChanged {
			t.Fatalf("report %s: changed %v, want %v", u.Status, changed, wantChanged)
		}
		equal(t, getCall(t, s, call.ID), got) // what it returns is what is stored
		return got
	}
	started, ended := at(11), at(15)
	ongoing := teli.CallUpdate{Platform: "sandbox", PlatformCallID: "pc_1", Status: teli.CallOngoing, StartedAt: &started, At: at(12)}
	want := call
	want.Status, want.StartedAt, want.UpdatedAt = teli.CallOngoing, &started, at(12)
	equal(t, apply(ongoing, true), want)
	// The same report again, later: nothing changes, not even UpdatedAt.
	ongoing.At = at(13)
	equal(t, apply(ongoing, false), want)

	endedReport := teli.CallUpdate{
		Platform: "sandbox", PlatformCallID: "pc_1", Status: teli.CallEnded, EndedAt: &ended, DurationMS: 4000,
		DisconnectionReason: "user_hangup", Transcript: "Agent: Hi",
		TranscriptObject: json.RawMessage(`[ {"role": "agent", "content": "Hi"} ]`),
		Analysis:         &teli.CallAnalysis{Summary: "ok", UserSentiment: "Neutral", Custom: map[string]any{}},
		Cost:             json.RawMessage(`{"combined_cost": 3}`), At: at(16),
	}
	want.Status, want.EndedAt, want.DurationMS, want.DisconnectionReason, want.Transcript = teli.CallEnded, &ended, 4000, "user_hangup", "Agent: Hi"
	want.TranscriptObject, want.Cost, want.UpdatedAt = endedReport.TranscriptObject, endedReport.Cost, at(16)
	want.Analysis = &teli.CallAnalysis{Summary: "ok", UserSentiment: "Neutral"}
	equal(t, apply(endedReport, true), want)
	endedReport.At = at(17)
	equal(t, apply(endedReport, false), want)

	// A late report behind the call's status moves nothing back and overwrites nothing, but
	// fills what is still empty.
	other := at(14)
	late := teli.CallUpdate{Platform: "sandbox", PlatformCallID: "pc_1", Status: teli.CallOngoing, StartedAt: &other,
		Transcript: "something else", RecordingURL: "https://example.com/rec", At: at(18)}
	want.RecordingURL, want.UpdatedAt = "https://example.com/rec", at(18)
	equal(t, apply(late, true), want)
	late.At = at(19)
	equal(t, apply(late, false), want)
	// A report of the same rank carries the platform's latest word: it overwrites.
	analyzed := endedReport
	analyzed.Analysis = &teli.CallAnalysis{Summary: "better", UserSentiment: "Positive", Successful: true}
	analyzed.At = at(20)
	want.Analysis, want.UpdatedAt = analyzed.Analysis, at(20)
	equal(t, apply(analyzed, true), want)
	listed, err := s.ListCalls(ctx, teli.CallFilter{TenantID: "ta", OrganizationID: w.orgA.UniqueID, Sentiment: "Positive"})
	must(t, err)
	equal(t, ids(listed), []string{call.ID}) // the copied-out sentiment follows the analysis

	_, _, err = s.ApplyCallUpdate(ctx, teli.CallUpdate{Platform: "sandbox", PlatformCallID: "pc_unknown", Status: teli.CallEnded, At: at(21)})
	wantErr(t, err, teli.ErrNotFound)
	_, _, err = s.ApplyCallUpdate(ctx, teli.CallUpdate{Platform: "other", PlatformCallID: "pc_1", Status: teli.CallEnded, At: at(21)})
	wantErr(t, err, teli.ErrNotFound)
	_, _, err = s.ApplyCallUpdate(ctx, teli.CallUpdate{Platform: "sandbox", Status: teli.CallEnded, At: at(21)})
	wantErr(t, err, teli.ErrNotFound)
}

func testApplyByCallID(t *testing.T, s teli.Store) {
	ctx := t.Context()
	w := seed(t, s)
	queued := newCall(w.userA, "call_q", "+13135550001", 10)
	canceled := newCall(w.userA, "call_x", "+13135550002", 10)
	canceled.Status, canceled.Reason = teli.CallCanceled, "campaign_ended"
	placing := newCall(w.userA, "call_p", "+13135550003", 10)
	must(t, s.InsertCalls(ctx, []teli.Call{queued, canceled, placing}))

	// A report proves the call was placed: even a queued call moves, and gains the id.
	got, changed, err := s.ApplyCallUpdate(ctx, teli.CallUpdate{CallID: "call_q", Platform: "sandbox", PlatformCallID: "pc_q",
		Status: teli.CallDialing, At: at(11)})
	must(t, err)
	want := queued
	want.Status, want.Platform, want.PlatformCallID, want.UpdatedAt = teli.CallDialing, "sandbox", "pc_q", at(11)
	if !changed {
		t.Fatal("report by call id changed nothing")
	}
	equal(t, got, want)
	got, err = s.CallByPlatformID(ctx, "sandbox", "pc_q")
	must(t, err)
	equal(t, got, want)
	// Known by the id recorded, a call no longer gets another platform id from a report.
	got, changed, err = s.ApplyCallUpdate(ctx, teli.CallUpdate{CallID: "call_q", Platform: "sandbox", PlatformCallID: "pc_other",
		Status: teli.CallDialing, At: at(12)})
	must(t, err)
	if changed {
		t.Fatal("a repeated report by call id changed the call")
	}
	equal(t, got, want)
	// An unknown call id falls back on the platform's id.
	got, changed, err = s.ApplyCallUpdate(ctx, teli.CallUpdate{CallID: "call_unknown", Platform: "sandbox", PlatformCallID: "pc_q",
		Status: teli.CallOngoing, At: at(13)})
	must(t, err)
	if !changed || got.ID != "call_q" || got.Status != teli.CallOngoing {
		t.Fatalf("fallback on the platform id: %s %s changed %v", got.ID, got.Status, changed)
	}
	_, _, err = s.ApplyCallUpdate(ctx, teli.CallUpdate{CallID: "call_unknown", Status: teli.CallOngoing, At: at(13)})
	wantErr(t, err, teli.ErrNotFound)

	// A call that was never placed is beyond any report.
	got, changed, err = s.ApplyCallUpdate(ctx, teli.CallUpdate{CallID: "call_x", Platform: "sandbox", PlatformCallID: "pc_x",
		Status: teli.CallEnded, Transcript: "hello", At: at(14)})
	must(t, err)
	if changed {
		t.Fatal("a canceled call changed on a report")
	}
	equal(t, got, canceled)
	equal(t, getCall(t, s, "call_x"), canceled)

	// A claimed call moved forward by a report is no longer claimed: its lease never expires.
	_, err = s.ClaimDueCalls(ctx, callClaim(at(15), 10, "tok", time.Time{}))
	must(t, err)
	_, changed, err = s.ApplyCallUpdate(ctx, teli.CallUpdate{CallID: "call_p", Status: teli.CallDialing, At: at(16)})
	must(t, err)
	if !changed {
		t.Fatal("report of a placing call changed nothing")
	}
	claimed, err := s.ClaimDueCalls(ctx, callClaim(at(100), 10, "tok2", at(99)))
	must(t, err)
	equal(t, claimed, []teli.ClaimedCall{})
}

func testFollowUpOnce(t *testing.T, s teli.Store) {
	ctx := t.Context()
	w := seed(t, s)
	must(t, s.InsertCalls(ctx, []teli.Call{fullCall(w.userA, "call_1", "+13135550001", 5)}))
	_, err := s.ClaimCallFollowUp(ctx, "tb", "call_1", at(10))
	wantErr(t, err, teli.ErrNotFound)
	_, err = s.ClaimCallFollowUp(ctx, "ta", "call_none", at(10))
	wantErr(t, err, teli.ErrNotFound)
	for i, want := range []bool{true, false, false} {
		first, err := s.ClaimCallFollowUp(ctx, "ta", "call_1", at(10+i))
		must(t, err)
		if first != want {
			t.Fatalf("claim %d: %v, want %v", i+1, first, want)
		}
	}
	// Concurrent claims of a second call: exactly one wins.
	must(t, s.InsertCalls(ctx, []teli.Call{fullCall(w.userA, "call_2", "+13135550002", 5)}))
	var mu sync.Mutex
	wins := 0
	var wg sync.WaitGroup
	for range 5 {
		wg.Go(func() {
			first, err := s.ClaimCallFollowUp(ctx, "ta", "call_2", at(20))
			if err != nil {
				t.Error(err)
				return
			}
			if first {
				mu.Lock()
				wins++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if wins != 1 {
		t.Fatalf("%d concurrent follow-up claims won, want 1", wins)
	}
}

func testStaleLiveCalls(t *testing.T, s teli.Store) {
	ctx := t.Context()
	w := seed(t, s)
	mk := func(u teli.User, id string, status teli.CallStatus, platformID string, updated int) teli.Call {
		c := newCall(u, id, "+13135550001", 1)
		c.Status, c.Platform, c.PlatformCallID, c.UpdatedAt = status, "sandbox", platformID, at(updated)
		return c
	}
	old2 := mk(w.userA, "call_old2", teli.CallOngoing, "pc_2", 20)
	old1 := mk(w.userB, "call_old1", teli.CallDialing, "pc_1", 10)
	old3 := mk(w.userA, "call_old3", teli.CallDialing, "pc_3", 30)
	must(t, s.InsertCalls(ctx, []teli.Call{
		old2, old1, old3,
		mk(w.userA, "call_noid", teli.CallDialing, "", 5),
		mk(w.userA, "call_ended", teli.CallEnded, "pc_4", 5),
		mk(w.userA, "call_placing", teli.CallPlacing, "pc_5", 5),
		mk(w.userA, "call_recent", teli.CallOngoing, "pc_6", 50),
	}))
	got, err := s.StaleLiveCalls(ctx, at(40), 0)
	must(t, err)
	equal(t, got, []teli.Call{old1, old2, old3})
	got, err = s.StaleLiveCalls(ctx, at(40), 2)
	must(t, err)
	equal(t, ids(got), []string{"call_old1", "call_old2"})
	got, err = s.StaleLiveCalls(ctx, at(20), 10)
	must(t, err)
	equal(t, ids(got), []string{"call_old1"}) // strictly before
}

func testListCalls(t *testing.T, s teli.Store) {
	ctx := t.Context()
	w := seed(t, s)
	org := w.orgA.UniqueID
	// c1 started late, so it lists before c3, which was created later but never started.
	c1 := fullCall(w.userA, "call_1", "+13135550001", 10) // starts at 11
	c2 := newCall(w.userA, "call_2", "+13135550002", 5)
	c2.Direction, c2.AgentID = teli.DirectionInbound, "vagent-2"
	c2.Analysis = &teli.CallAnalysis{UserSentiment: "Negative", Successful: false}
	c3 := newCall(w.userA, "call_3", "+13135550001", 8)
	c3.UserID = "other-user"
	c4 := newCall(w.userA, "call_4", "+13135550004", 8) // ties with c3: by id, descending
	c4.Status = teli.CallNotConnected
	cb := newCall(w.userB, "call_b", "+13135550001", 9)
	cb.OrganizationID = w.orgB.UniqueID
	must(t, s.InsertCalls(ctx, []teli.Call{c3, cb, c1, c4, c2}))

	list := func(f teli.CallFilter, want ...string) {
		t.Helper()
		f.TenantID, f.OrganizationID = "ta", org
		got, err := s.ListCalls(ctx, f)
		must(t, err)
		if want == nil {
			want = []string{}
		}
		equal(t, ids(got), want)
	}
	list(teli.CallFilter{}, "call_1", "call_4", "call_3", "call_2")
	got, err := s.ListCalls(ctx, teli.CallFilter{TenantID: "ta", OrganizationID: org, Limit: 1})
	must(t, err)
	equal(t, got, []teli.Call{c1})
	list(teli.CallFilter{Limit: 2}, "call_1", "call_4")
	list(teli.CallFilter{Limit: -1}, "call_1", "call_4", "call_3", "call_2")
	list(teli.CallFilter{UserID: "other-user"}, "call_3")
	list(teli.CallFilter{AgentID: "vagent-2"}, "call_2")
	list(teli.CallFilter{Direction: teli.DirectionInbound}, "call_2")
	list(teli.CallFilter{Direction: teli.DirectionOutbound}, "call_1", "call_4", "call_3")
	list(teli.CallFilter{Statuses: []teli.CallStatus{teli.CallEnded, teli.CallNotConnected}}, "call_1", "call_4")
	list(teli.CallFilter{Lead: "+13135550001"}, "call_1", "call_3")
	list(teli.CallFilter{Sentiment: "Positive"}, "call_1")
	list(teli.CallFilter{Sentiment: "Negative"}, "call_2")
	yes, no := true, false
	list(teli.CallFilter{Successful: &yes}, "call_1")
	list(teli.CallFilter{Successful: &no}, "call_2") // calls without an analysis are neither
	// The bounds are strict, on the start time where there is one.
	list(teli.CallFilter{After: at(8)}, "call_1")
	list(teli.CallFilter{After: at(7), Before: at(11)}, "call_4", "call_3")
	list(teli.CallFilter{Before: at(8)}, "call_2")
	list(teli.CallFilter{Statuses: []teli.CallStatus{teli.CallOngoing}})

	got, err = s.ListCalls(ctx, teli.CallFilter{TenantID: "tb", OrganizationID: org})
	must(t, err)
	equal(t, got, []teli.Call{})
	got, err = s.ListCalls(ctx, teli.CallFilter{TenantID: "tb", OrganizationID: w.orgB.UniqueID})
	must(t, err)
	equal(t, ids(got), []string{"call_b"})
}

func testCallExtractions(t *testing.T, s teli.Store) {
	ctx := t.Context()
	w := seed(t, s)
	must(t, s.CreateOrganization(ctx, newOrg("ta", "org-a2", 1)))
	lead := "+13135550001"
	older := newCall(w.userA, "call_older", lead, 5)
	newer := newCall(w.userA, "call_newer", lead, 9)
	inOrg2 := newCall(w.userA, "call_org2", lead, 7)
	inOrg2.OrganizationID = "org-a2"
	none := newCall(w.userA, "call_none", lead, 10)
	otherLead := newCall(w.userA, "call_other", "+13135550002", 10)
	tenantB := newCall(w.userB, "call_b", lead, 10)
	must(t, s.InsertCalls(ctx, []teli.Call{older, newer, inOrg2, none, otherLead, tenantB}))

	e := teli.Extraction{Fields: map[string]string{"credit_score": "700"}, LeadOutcome: "interested", ObjectiveMet: true}
	for i, id := range []string{"call_older", "call_newer", "call_org2", "call_other"} {
		must(t, s.SaveCallExtraction(ctx, "ta", id, e, at(20+i)))
	}
	must(t, s.SaveCallExtraction(ctx, "tb", "call_b", e, at(30)))
	wantErr(t, s.SaveCallExtraction(ctx, "tb", "call_older", e, at(31)), teli.ErrNotFound)
	wantErr(t, s.SaveCallExtraction(ctx, "ta", "call_missing", e, at(31)), teli.ErrNotFound)

	got, err := s.ListCallExtractions(ctx, "ta", "", lead, 0)
	must(t, err)
	equal(t, ids(got), []string{"call_newer", "call_org2", "call_older"})
	wantNewer := newer
	extracted := at(21)
	wantNewer.Extraction, wantNewer.ExtractedAt = &e, &extracted
	equal(t, got[0], wantNewer)
	got, err = s.ListCallExtractions(ctx, "ta", w.orgA.UniqueID, lead, 0)
	must(t, err)
	equal(t, ids(got), []string{"call_newer", "call_older"})
	got, err = s.ListCallExtractions(ctx, "ta", "", lead, 2)
	must(t, err)
	equal(t, ids(got), []string{"call_newer", "call_org2"})
	got, err = s.ListCallExtractions(ctx, "tb", "", lead, 0)
	must(t, err)
	equal(t, ids(got), []string{"call_b"})
	got, err = s.ListCallExtractions(ctx, "ta", "", "+13135559999", 0)
	must(t, err)
	equal(t, got, []teli.Call{})

	// A later extraction replaces the earlier one.
	e2 := teli.Extraction{LeadOutcome: "not_interested", DoNotMessage: true}
	must(t, s.SaveCallExtraction(ctx, "ta", "call_newer", e2, at(40)))
	at40 := at(40)
	wantNewer.Extraction, wantNewer.ExtractedAt = &e2, &at40
	equal(t, getCall(t, s, "call_newer"), wantNewer)
}
