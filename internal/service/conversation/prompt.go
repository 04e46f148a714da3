package conversation

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/openteli/teli/internal/llm"
	"github.com/openteli/teli/internal/quiethours"
	"github.com/openteli/teli/internal/segment"
	"github.com/openteli/teli/internal/teli"
)

// replyRequest assembles the model's input: the agent's prompt, the campaign's objective, the
// contact's fields and local time, and the conversation so far with drips, broadcasts and
// people's messages marked as such.
func (s *Service) replyRequest(camp teli.Campaign, agent teli.Agent, th teli.Thread, history []teli.Message, now time.Time) llm.Request {
	var sys strings.Builder
	sys.WriteString(strings.TrimSpace(agent.Prompt))
	if o := strings.TrimSpace(camp.Settings.ObjectivePrompt); o != "" {
		fmt.Fprintf(&sys, "\n\nObjective of this campaign: %s", o)
	}
	sys.WriteString("\n\nYou are texting one contact by SMS for the business. Write only the next text message: " +
		"plain text, no markdown, friendly and brief")
	fmt.Fprintf(&sys, " (at most %d characters).", 153*s.ai.MaxSegments)
	sys.WriteString(" Never claim to be human if asked. If the contact asks in any words to stop being " +
		"contacted, call " + toolOptOut + " and write nothing else.")
	if camp.Settings.EnableSMSToVoice {
		sys.WriteString(" If a phone call would help and the contact agrees, call " + toolRequestCall + ".")
	}
	if fields := contactFields(th.Vars); fields != "" {
		fmt.Fprintf(&sys, "\n\nWhat we know about the contact:\n%s", fields)
	}
	fmt.Fprintf(&sys, "\n\nThe contact's local time is %s.", contactLocalTime(th, now))

	return llm.Request{System: sys.String(), MaxTokens: 400, Tools: replyTools(camp), Messages: conversation(history)}
}

// conversation turns a thread into alternating model turns: the contact's messages are the
// user's, everything sent is the assistant's, marked when the agent did not write it.
func conversation(history []teli.Message) []llm.Message {
	if len(history) > historyMessagesForLLM {
		history = history[len(history)-historyMessagesForLLM:]
	}
	var out []llm.Message
	for _, m := range history {
		if !m.Inbound && !sentOrPending(m.Status) {
			continue // never reached the contact
		}
		role, text := llm.RoleAssistant, m.Body
		switch {
		case m.Inbound:
			role = llm.RoleUser
		case m.Sender == teli.SenderDrip:
			text = "[automatic follow-up] " + text
		case m.Sender == teli.SenderBroadcast:
			text = "[broadcast to many contacts] " + text
		case m.Sender == teli.SenderHuman:
			text = "[written by a person on the team] " + text
		case m.Sender == teli.SenderSystem:
			text = "[automatic compliance message] " + text
		}
		if n := len(out); n > 0 && out[n-1].Role == role {
			out[n-1].Content += "\n" + text
			continue
		}
		out = append(out, llm.Message{Role: role, Content: text})
	}
	if len(out) > 0 && out[0].Role == llm.RoleAssistant {
		// Models expect the user to speak first: the opening text becomes context.
		out = append([]llm.Message{{Role: llm.RoleUser, Content: "[conversation starts with our message]"}}, out...)
	}
	return out
}

func sentOrPending(st teli.MessageStatus) bool {
	switch st {
	case teli.MessageBlocked, teli.MessageExpired, teli.MessageCanceled, teli.MessageFailed:
		return false
	}
	return true
}

// contactFields lists the lead's non-empty fields, sorted, one per line.
func contactFields(vars map[string]string) string {
	keys := make([]string, 0, len(vars))
	for k, v := range vars {
		if strings.TrimSpace(v) != "" && k != "phone_number" {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "- %s: %s\n", k, vars[k])
	}
	return strings.TrimRight(b.String(), "\n")
}

// contactLocalTime renders now in the contact's zone, from their fields or number.
func contactLocalTime(th teli.Thread, now time.Time) string {
	loc, err := quiethours.Resolve(quiethours.Recipient{
		TimeZone: th.Vars["time_zone"], State: th.Vars["state"], Zip: th.Vars["zip_code"], Phone: th.Phone,
	})
	if err != nil || len(loc.Zones) == 0 || loc.Zones[0] == nil {
		return now.UTC().Format("Monday 2 January 2006, 15:04 MST")
	}
	return now.In(loc.Zones[0]).Format("Monday 2 January 2006, 15:04 MST")
}

// modelText is text a model wrote, trimmed and made storable: a model can write NUL (or, through
// a careless proxy, bytes that are not UTF-8), which PostgreSQL text cannot hold.
func modelText(text string) string {
	return strings.TrimSpace(teli.CleanText(text))
}

// fitAIText normalises model text to GSM-7 where that saves segments and keeps it within the
// segment budget, cutting at the last sentence or word end that fits.
func (s *Service) fitAIText(text string) string {
	text = modelText(text)
	if text == "" {
		return ""
	}
	if norm := segment.NormalizeGSM(text); segment.Of(norm).Segments <= segment.Of(text).Segments {
		text = norm
	}
	if segment.Fits(text, s.ai.MaxSegments) {
		return text
	}
	runes := []rune(text)
	lo, hi := 0, len(runes)
	for lo < hi { // the longest prefix that fits
		mid := (lo + hi + 1) / 2
		if segment.Fits(string(runes[:mid]), s.ai.MaxSegments) {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	cut := string(runes[:lo])
	if i := sentenceEnd(cut, text); i > len(cut)/2 {
		return cut[:i+1]
	}
	if i := strings.LastIndex(cut, " "); i > 0 {
		return strings.TrimSpace(cut[:i])
	}
	return cut
}

// sentenceEnd returns the index in cut (a prefix of text) of the last '.', '!' or '?' that ends
// a sentence of text, that is one followed by a space or the end of text, so that "5.875%" is
// never cut to "5."; -1 when there is none.
func sentenceEnd(cut, text string) int {
	for i := len(cut) - 1; i >= 0; i-- {
		if !strings.ContainsRune(".!?", rune(cut[i])) {
			continue
		}
		if i+1 == len(text) || text[i+1] == ' ' || text[i+1] == '\n' {
			return i
		}
	}
	return -1
}
