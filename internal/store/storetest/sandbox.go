package storetest

import (
	"encoding/json"
	"testing"

	"github.com/openteli/teli/internal/teli"
)

func sandboxCases() []testCase {
	return []testCase{
		{"SandboxVoice/PutGetDelete", testSandboxVoice},
		{"SandboxVoice/Numbers", testSandboxNumbers},
		{"SandboxVoice/Calls", testSandboxCalls},
	}
}

func testSandboxVoice(t *testing.T, s teli.Store) {
	ctx := t.Context()
	sv := s.SandboxVoice()
	want := teli.SandboxVoiceAgent{
		VoiceAgentID: "agent_1", VoiceLLMID: "llm_1",
		// Kept verbatim: spacing, key order and HTML-sensitive characters included.
		Config:    json.RawMessage(`{"z": 1, "a": "<&>", "nested": {"k": [true, null]}}`),
		CreatedAt: at(1), UpdatedAt: at(1),
	}
	must(t, sv.PutAgent(ctx, want))
	got, err := sv.GetAgent(ctx, "agent_1")
	must(t, err)
	equal(t, got, want)

	// Put replaces the whole record.
	want.VoiceLLMID, want.Config, want.CreatedAt, want.UpdatedAt = "llm_2", nil, at(2), at(3)
	must(t, sv.PutAgent(ctx, want))
	got, err = sv.GetAgent(ctx, "agent_1")
	must(t, err)
	equal(t, got, want)

	must(t, sv.DeleteAgent(ctx, "agent_1"))
	_, err = sv.GetAgent(ctx, "agent_1")
	wantErr(t, err, teli.ErrNotFound)
	wantErr(t, sv.DeleteAgent(ctx, "agent_1"), teli.ErrNotFound)
}

func testSandboxNumbers(t *testing.T, s teli.Store) {
	ctx := t.Context()
	sv := s.SandboxVoice()
	want := teli.SandboxNumber{PhoneNumber: "+13135550100", InboundAgentID: "agent_in", Nickname: "Main", CreatedAt: at(1)}
	must(t, sv.PutNumber(ctx, want))
	got, err := sv.GetNumber(ctx, want.PhoneNumber)
	must(t, err)
	equal(t, got, want)
	want.InboundAgentID, want.OutboundAgentID = "", "agent_out"
	must(t, sv.PutNumber(ctx, want))
	got, err = sv.GetNumber(ctx, want.PhoneNumber)
	must(t, err)
	equal(t, got, want)
	must(t, sv.DeleteNumber(ctx, want.PhoneNumber))
	_, err = sv.GetNumber(ctx, want.PhoneNumber)
	wantErr(t, err, teli.ErrNotFound)
	wantErr(t, sv.DeleteNumber(ctx, want.PhoneNumber), teli.ErrNotFound)
}

func testSandboxCalls(t *testing.T, s teli.Store) {
	ctx := t.Context()
	sv := s.SandboxVoice()
	placed := teli.SandboxCall{PlatformCallID: "call_a", CallID: "ours_1", Record: json.RawMessage(`{"call_status":"registered"}`),
		CreatedAt: at(1), UpdatedAt: at(1)}
	inbound := teli.SandboxCall{PlatformCallID: "call_b", Record: json.RawMessage(`{}`), CreatedAt: at(2), UpdatedAt: at(2)}
	must(t, sv.PutCall(ctx, placed))
	must(t, sv.PutCall(ctx, inbound))
	got, err := sv.CallByOurID(ctx, "ours_1")
	must(t, err)
	equal(t, got, placed)
	got, err = sv.GetCall(ctx, "call_b")
	must(t, err)
	equal(t, got, inbound)
	_, err = sv.CallByOurID(ctx, "ours_2")
	wantErr(t, err, teli.ErrNotFound)

	unfinished, err := sv.UnfinishedCalls(ctx)
	must(t, err)
	equal(t, unfinished, []teli.SandboxCall{placed, inbound})
	placed.Finished, placed.Record, placed.UpdatedAt = true, json.RawMessage(`{"call_status":"ended"}`), at(3)
	must(t, sv.PutCall(ctx, placed))
	unfinished, err = sv.UnfinishedCalls(ctx)
	must(t, err)
	equal(t, unfinished, []teli.SandboxCall{inbound})
	got, err = sv.GetCall(ctx, "call_a")
	must(t, err)
	equal(t, got, placed)
}
