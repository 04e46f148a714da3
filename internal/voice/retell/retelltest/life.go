package retelltest

import (
	"fmt"
	"slices"
	"strings"
)

// Statuses a call can be driven to.
var callStatuses = []string{"registered", "ongoing", "ended", "not_connected", "error"}

// Progress moves a call through statuses, in order, as Retell would: "ongoing" stamps its
// start, "ended", "not_connected" and "error" stamp its end (and duration, when it started).
func (s *Server) Progress(callID string, statuses ...string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.calls[callID]
	if !ok {
		return fmt.Errorf("retelltest: no call %s", callID)
	}
	for _, status := range statuses {
		if !slices.Contains(callStatuses, status) {
			return fmt.Errorf("retelltest: %q is not a call status", status)
		}
		c := &st.call
		c.CallStatus = status
		now := s.nowMS()
		switch status {
		case "ongoing":
			if c.StartTimestamp == nil {
				c.StartTimestamp = &now
			}
		case "ended", "not_connected", "error":
			if c.EndTimestamp == nil {
				c.EndTimestamp = &now
			}
			if c.StartTimestamp != nil && c.DurationMS == nil {
				d := *c.EndTimestamp - *c.StartTimestamp
				c.DurationMS = &d
			}
		}
	}
	return nil
}

// EndCall ends a call the way Retell reports a finished conversation: status ended, the
// disconnection reason, the transcript ("Agent: …\nUser: …\n" lines) and its transcript_object,
// a recording URL and the call's cost. A call that never went ongoing is started first.
func (s *Server) EndCall(callID, reason, transcript string) error {
	if err := s.Progress(callID, "ongoing", "ended"); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := &s.calls[callID].call
	c.DisconnectionReason = reason
	c.Transcript = transcript
	c.TranscriptObject = utterances(transcript)
	c.RecordingURL = s.srv.URL + "/recordings/" + callID + ".wav"
	secs := float64(*c.DurationMS) / 1000
	c.CallCost = &CallCost{
		ProductCosts: []ProductCost{
			{Product: "elevenlabs_tts", UnitPrice: 0.1167, Cost: 0.1167 * secs},
			{Product: "gpt_4_1", UnitPrice: 0.0075, Cost: 0.0075 * secs},
		},
		TotalDurationSeconds:   secs,
		TotalDurationUnitPrice: 0.1242,
		CombinedCost:           0.1242 * secs,
	}
	return nil
}

// utterances splits a transcript into transcript_object entries, one per "Role: text" line;
// each word gets a one-second slot, which is all a test needs of timing.
func utterances(transcript string) []Utterance {
	var out []Utterance
	t := 0.0
	for _, line := range strings.Split(transcript, "\n") {
		speaker, text, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		role := strings.ToLower(strings.TrimSpace(speaker))
		if role != "agent" && role != "user" {
			continue
		}
		u := Utterance{Role: role, Content: strings.TrimSpace(text), Words: []Word{}}
		for _, w := range strings.Fields(text) {
			u.Words = append(u.Words, Word{Word: w, Start: t, End: t + 1})
			t++
		}
		out = append(out, u)
	}
	return out
}

// Analyze attaches the post-call analysis, as Retell does before call_analyzed.
func (s *Server) Analyze(callID string, a CallAnalysis) error {
	return s.UpdateCall(callID, func(c *Call) { c.CallAnalysis = &a })
}

// UpdateCall changes a held call in place, for what Progress, EndCall and Analyze do not set.
func (s *Server) UpdateCall(callID string, change func(*Call)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.calls[callID]
	if !ok {
		return fmt.Errorf("retelltest: no call %s", callID)
	}
	change(&st.call)
	return nil
}
