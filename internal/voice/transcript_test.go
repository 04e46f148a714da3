package voice

import (
	"encoding/json"
	"slices"
	"testing"
)

func TestUtterances(t *testing.T) {
	obj := json.RawMessage(`[{"role":"agent","content":"Hi Ana.","words":[]},{"role":"transfer_target","content":"x"},{"role":"user","content":"Hello."}]`)
	want := []Utterance{{RoleAgent, "Hi Ana."}, {RoleUser, "Hello."}}
	if got := Utterances(obj, "ignored"); !slices.Equal(got, want) {
		t.Errorf("from the object: %v", got)
	}
	text := "Agent: Hi Ana.\nUser: Hello.\nstill me\n\nAgent: Bye."
	want = []Utterance{{RoleAgent, "Hi Ana."}, {RoleUser, "Hello. still me"}, {RoleAgent, "Bye."}}
	for _, o := range []json.RawMessage{nil, json.RawMessage(`[]`), json.RawMessage(`{"bad":1}`)} {
		if got := Utterances(o, text); !slices.Equal(got, want) {
			t.Errorf("from the text (object %s): %v", o, got)
		}
	}
	if got := Utterances(nil, ""); len(got) != 0 {
		t.Errorf("empty: %v", got)
	}
}
