package storetest

import (
	"encoding/json"
	"testing"

	"github.com/openteli/teli/internal/teli"
)

func agentCases() []testCase {
	return []testCase{
		{"Agent/SMSRoundTrip", testAgentSMSRoundTrip},
		{"Agent/VoiceRoundTrip", testAgentVoiceRoundTrip},
		{"Agent/EmptyListsReadAsNil", testAgentEmptyLists},
		{"Agent/Conflicts", testAgentConflicts},
		{"Agent/ListOrderAndFilters", testAgentListOrderAndFilters},
		{"Agent/Update", testAgentUpdate},
		{"Agent/SoftDelete", testAgentSoftDelete},
		{"Agent/TenantIsolation", testAgentTenantIsolation},
	}
}

func testAgentSMSRoundTrip(t *testing.T, s teli.Store) {
	ctx := t.Context()
	w := seed(t, s)
	want := newSMSAgent(w.userA, "ag-sms", 3)
	must(t, s.CreateAgent(ctx, want))
	got, err := s.GetAgent(ctx, "ta", "ag-sms")
	must(t, err)
	equal(t, got, want)
	_, err = s.GetAgent(ctx, "ta", "nope")
	wantErr(t, err, teli.ErrNotFound)
}

func testAgentVoiceRoundTrip(t *testing.T, s teli.Store) {
	ctx := t.Context()
	w := seed(t, s)
	want := newVoiceAgent(w.userA, "ag-voice", "agent_86f826bf8f59bacd5c10ae948a", 3)
	must(t, s.CreateAgent(ctx, want))
	// A voice agent is found by any of its three ids.
	for _, id := range []string{want.ID, want.UniqueID, want.Voice.VoiceAgentID} {
		got, err := s.GetAgent(ctx, "ta", id)
		must(t, err)
		equal(t, got, want)
	}
	// Tools come back byte for byte, HTML-sensitive characters included.
	got, err := s.GetAgent(ctx, "ta", want.ID)
	must(t, err)
	if string(got.Voice.Tools[0]) != string(want.Voice.Tools[0]) {
		t.Fatalf("tool = %s, want %s", got.Voice.Tools[0], want.Voice.Tools[0])
	}

	// A voice config without optional parts stays without them.
	minimal := newVoiceAgent(w.userA, "ag-min", "agent_min", 4)
	minimal.Voice = &teli.VoiceConfig{VoiceAgentID: "agent_min", VoiceLLMID: "llm_min", VoiceID: "v"}
	minimal.ExtractionFields = nil
	must(t, s.CreateAgent(ctx, minimal))
	got, err = s.GetAgent(ctx, "ta", "agent_min")
	must(t, err)
	equal(t, got, minimal)
}

func testAgentEmptyLists(t *testing.T, s teli.Store) {
	ctx := t.Context()
	w := seed(t, s)
	a := newVoiceAgent(w.userA, "ag-empty", "agent_empty", 3)
	a.ExtractionFields, a.DripSchedule = []teli.ExtractionField{}, []teli.DripStep{}
	a.Voice.Tools, a.Voice.KnowledgeBaseIDs = []json.RawMessage{}, []string{}
	a.Voice.Settings.BackchannelWords, a.Voice.Settings.BoostedKeywords = []string{}, []string{}
	a.Voice.Settings.PostCallAnalysisData = []json.RawMessage{}
	must(t, s.CreateAgent(ctx, a))

	want := a
	voice := *a.Voice
	want.Voice = &voice
	want.ExtractionFields, want.DripSchedule = nil, nil
	voice.Tools, voice.KnowledgeBaseIDs = nil, nil
	voice.Settings.BackchannelWords, voice.Settings.BoostedKeywords = nil, nil
	voice.Settings.PostCallAnalysisData = nil
	got, err := s.GetAgent(ctx, "ta", a.ID)
	must(t, err)
	equal(t, got, want)
}

func testAgentConflicts(t *testing.T, s teli.Store) {
	ctx := t.Context()
	w := seed(t, s)
	first := newVoiceAgent(w.userA, "ag-1", "agent_1", 3)
	must(t, s.CreateAgent(ctx, first))

	sameID := newSMSAgent(w.userA, "ag-1", 4)
	sameID.UniqueID, sameID.RecordID = "u-other", "rec-other"
	wantErr(t, s.CreateAgent(ctx, sameID), teli.ErrConflict)

	sameVoice := newVoiceAgent(w.userA, "ag-2", "agent_1", 4)
	wantErr(t, s.CreateAgent(ctx, sameVoice), teli.ErrConflict)

	// Many agents may have no voice agent id.
	must(t, s.CreateAgent(ctx, newSMSAgent(w.userA, "ag-3", 5)))
	must(t, s.CreateAgent(ctx, newSMSAgent(w.userA, "ag-4", 6)))
}

func testAgentListOrderAndFilters(t *testing.T, s teli.Store) {
	ctx := t.Context()
	w := seed(t, s)
	other := newUser(w.orgA, "user-2", 3)
	other.Email = "other@example.com"
	must(t, s.CreateUser(ctx, other))
	oldest := newSMSAgent(w.userA, "ag-oldest", 4)
	tieA, tieB := newVoiceAgent(w.userA, "ag-tie-a", "agent_a", 6), newSMSAgent(other, "ag-tie-b", 6)
	newest := newVoiceAgent(other, "ag-newest", "agent_n", 8)
	deleted := newSMSAgent(w.userA, "ag-deleted", 9)
	elsewhere := newSMSAgent(w.userB, "ag-b", 7)
	for _, a := range []teli.Agent{tieA, newest, oldest, tieB, deleted, elsewhere} {
		must(t, s.CreateAgent(ctx, a))
	}
	must(t, s.DeleteAgent(ctx, "ta", deleted.ID, at(10)))

	// Newest first; a tie in created_at is broken by id, descending too.
	f := teli.AgentFilter{TenantID: "ta", OrganizationID: w.orgA.UniqueID}
	listAgents(t, s, f, newest, tieB, tieA, oldest)
	f.CreatedBy = w.userA.UniqueID
	listAgents(t, s, f, tieA, oldest)
	f.Type = teli.AgentVoice
	listAgents(t, s, f, tieA)
	f.CreatedBy = ""
	listAgents(t, s, f, newest, tieA)
	f.Type = teli.AgentSMS
	listAgents(t, s, f, tieB, oldest)
	listAgents(t, s, teli.AgentFilter{TenantID: "ta", OrganizationID: "org-none"})
}

// listAgents fails t unless ListAgents(f) returns exactly want, in order.
func listAgents(t *testing.T, s teli.Store, f teli.AgentFilter, want ...teli.Agent) {
	t.Helper()
	got, err := s.ListAgents(t.Context(), f)
	must(t, err)
	if want == nil {
		want = []teli.Agent{}
	}
	equal(t, got, want)
}

func testAgentUpdate(t *testing.T, s teli.Store) {
	ctx := t.Context()
	w := seed(t, s)
	a := newVoiceAgent(w.userA, "ag-1", "agent_old", 3)
	must(t, s.CreateAgent(ctx, a))

	a.Name, a.StartingMessage, a.Prompt = "Renamed", "Hello again", "New prompt"
	a.ExtractionFields = []teli.ExtractionField{{Name: "timeline", Type: teli.FieldString}}
	a.DripSchedule = []teli.DripStep{{DelayHours: 1, Type: teli.DripReminder, Message: "Ping"}}
	a.Voice = fullVoiceConfig("agent_new")
	a.Voice.Language = "es-ES"
	a.ModifiedAt = at(20)
	must(t, s.UpdateAgent(ctx, a))

	// Fields that are not mutable are ignored.
	ignored := a
	ignored.UniqueID, ignored.RecordID, ignored.Type = "u-other", "rec-other", teli.AgentSMS
	ignored.CreatedByUserID, ignored.CreatedAt = "user-b", at(30)
	must(t, s.UpdateAgent(ctx, ignored))

	got, err := s.GetAgent(ctx, "ta", "agent_new")
	must(t, err)
	equal(t, got, a)
	_, err = s.GetAgent(ctx, "ta", "agent_old")
	wantErr(t, err, teli.ErrNotFound)

	// Dropping the voice config clears the voice agent id too, freeing it.
	a.Voice = nil
	must(t, s.UpdateAgent(ctx, a))
	got, err = s.GetAgent(ctx, "ta", a.ID)
	must(t, err)
	equal(t, got, a)
	must(t, s.CreateAgent(ctx, newVoiceAgent(w.userA, "ag-2", "agent_new", 4)))

	wantErr(t, s.UpdateAgent(ctx, newSMSAgent(w.userA, "nope", 3)), teli.ErrNotFound)
}

func testAgentSoftDelete(t *testing.T, s teli.Store) {
	ctx := t.Context()
	w := seed(t, s)
	a := newVoiceAgent(w.userA, "ag-1", "agent_1", 3)
	must(t, s.CreateAgent(ctx, a))
	must(t, s.DeleteAgent(ctx, "ta", a.ID, at(4)))

	for _, id := range []string{a.ID, a.UniqueID, a.Voice.VoiceAgentID} {
		_, err := s.GetAgent(ctx, "ta", id)
		wantErr(t, err, teli.ErrNotFound)
	}
	listAgents(t, s, teli.AgentFilter{TenantID: "ta", OrganizationID: w.orgA.UniqueID})
	wantErr(t, s.DeleteAgent(ctx, "ta", a.ID, at(5)), teli.ErrNotFound)
	a.Name = "Back from the dead"
	wantErr(t, s.UpdateAgent(ctx, a), teli.ErrNotFound)
	wantErr(t, s.DeleteAgent(ctx, "ta", "nope", at(5)), teli.ErrNotFound)
}

func testAgentTenantIsolation(t *testing.T, s teli.Store) {
	ctx := t.Context()
	w := seed(t, s)
	a := newVoiceAgent(w.userA, "ag-1", "agent_1", 3)
	must(t, s.CreateAgent(ctx, a))

	for _, id := range []string{a.ID, a.UniqueID, a.Voice.VoiceAgentID} {
		_, err := s.GetAgent(ctx, "tb", id)
		wantErr(t, err, teli.ErrNotFound)
	}
	listAgents(t, s, teli.AgentFilter{TenantID: "tb", OrganizationID: w.orgA.UniqueID})
	foreign := a
	foreign.TenantID, foreign.Name = "tb", "Hijacked"
	wantErr(t, s.UpdateAgent(ctx, foreign), teli.ErrNotFound)
	wantErr(t, s.DeleteAgent(ctx, "tb", a.ID, at(4)), teli.ErrNotFound)

	got, err := s.GetAgent(ctx, "ta", a.ID)
	must(t, err)
	equal(t, got, a)
}
