package storetest

import (
	"encoding/json"
	"testing"

	"github.com/openteli/teli/internal/teli"
)

func sandboxCases() []testCase {
	return []testCase{
		{"SandboxVoice/PutGetDelete", testSandboxVoice},
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
