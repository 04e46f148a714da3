package voice

import (
	"encoding/json"
	"strings"
)

// Transcript roles, as the platform's transcript_object names the speakers.
const (
	RoleAgent = "agent"
	RoleUser  = "user"
)

// Utterance is one turn of a call's transcript.
type Utterance struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// Utterances reads a call's transcript: the transcript object ([{role, content, words}]) when
// it has turns, else the plain transcript's "Agent: …" and "User: …" lines, a line without a
// speaker continuing the turn before it. Roles other than agent and user (a transfer target, a
// tool call) are skipped.
func Utterances(object json.RawMessage, text string) []Utterance {
	var turns []Utterance
	if len(object) > 0 && json.Unmarshal(object, &turns) == nil && len(turns) > 0 {
		out := turns[:0]
		for _, u := range turns {
			if u.Role == RoleAgent || u.Role == RoleUser {
				out = append(out, u)
			}
		}
		return out
	}
	var out []Utterance
	for line := range strings.SplitSeq(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		switch {
		case strings.HasPrefix(line, "Agent:"):
			out = append(out, Utterance{Role: RoleAgent, Content: strings.TrimSpace(line[len("Agent:"):])})
		case strings.HasPrefix(line, "User:"):
			out = append(out, Utterance{Role: RoleUser, Content: strings.TrimSpace(line[len("User:"):])})
		case len(out) > 0:
			out[len(out)-1].Content += " " + line
		}
	}
	return out
}
