package keyword

import (
	"strings"
)

// RevocationPhrase reports whether body contains a common free-text revocation of consent,
// such as "please remove me", "take me off your list", "don't text me again" or "stop
// texting me". Under the FCC's 2024 rule such wording revokes consent just like STOP, so a
// match is handled exactly like an opt-out keyword. Call Classify first: a bare keyword is
// not a phrase.
//
// Matching is case-insensitive and ignores punctuation and apostrophes ("DON’T text me!!"
// matches). Phrases match as whole words inside the message, within one clause (text
// between . ! ? , ; : or a line break). The list is deliberately conservative, because a
// false match silences a lead for good; what it misses, the AI's do_not_message extraction
// catches. So a phrase does not count when:
//   - a negation comes shortly before it in the same clause: "don't stop texting me",
//     "I don't want you to remove me", "why did you stop texting me?";
//   - a "don't text me" form has a subject, making it a statement, not a request:
//     "you never text me anymore", "if you don't text me back";
//   - it is narrowed to a time or a condition: "don't text me before 9", "stop texting me
//     so early", "don't text me until Monday", "don't text me back".
//
// "Wrong number" is NOT a revocation: it says the number does not belong to the lead, not
// that the person who consented withdrew it. It is handled differently: the lead is marked
// (lead_outcome), the number leaves the campaign, and the AI's extraction decides whether it
// also goes on the do-not-contact list. Likewise "not interested" is a lead outcome, not a
// revocation.
func RevocationPhrase(body string) bool {
	for _, clause := range clauses(body) {
		words := strings.Fields(fold(clause))
		for i, w := range words {
			for _, p := range phrasesByFirst[w] {
				if p.matchAt(words, i) {
					return true
				}
			}
		}
	}
	return false
}

// clauses splits s at sentence and clause punctuation, so that the guards below only look
// at words that belong to the same request: in "I don't know you, stop texting me" the
// negation is about something else.
func clauses(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		switch r {
		case '.', '!', '?', ',', ';', ':', '\n', '\r', '(', ')', '\u2026', '\u2013', '\u2014':
			return true
		}
		return false
	})
}

// phrase is one expanded revocation pattern.
type phrase struct {
	words []string
	// anchored: the phrase must be the whole clause, after optional softeners ("please stop
	// texting!"), because the bare form is too easily about someone else ("I'll stop texting").
	anchored bool
	// imperative: a "don't text me" form, which a subject right before turns into a
	// statement ("you don't text me anymore").
	imperative bool
}

func (p phrase) matchAt(words []string, i int) bool {
	end := i + len(p.words)
	if end > len(words) {
		return false
	}
	for j, w := range p.words {
		if words[i+j] != w {
			return false
		}
	}
	if p.anchored {
		return end == len(words) && onlySofteners(words[:i])
	}
	if negated(words[:i]) || (p.imperative && i > 0 && subjects[words[i-1]]) {
		return false
	}
	return !narrowed(words[end:])
}

// negations block a phrase when they appear in the few words before it.
var negations = set("dont", "not", "never", "didnt", "did", "doesnt", "isnt", "wasnt", "werent",
	"arent", "havent", "hasnt", "wouldnt", "shouldnt")

// negationWindow is how many words before a phrase are checked for a negation: enough for
// "I don't want you to remove me", short enough that "I don't know who this is stop texting
// me" still matches.
const negationWindow = 4

func negated(before []string) bool {
	for _, w := range before[max(0, len(before)-negationWindow):] {
		if negations[w] {
			return true
		}
	}
	return false
}

// subjects before "don't text me" make it a statement about someone.
var subjects = set("i", "you", "u", "ya", "we", "they", "he", "she", "it", "who", "people",
	"nobody", "somebody", "someone", "everyone", "everybody")

// softeners may precede an anchored phrase.
var softeners = set("please", "pls", "plz", "just", "so", "ok", "okay", "now", "and", "then",
	"hey", "kindly", "seriously", "omg", "yes", "no", "sir", "maam")

func onlySofteners(words []string) bool {
	for _, w := range words {
		if !softeners[w] {
			return false
		}
	}
	return true
}

// narrowers after a phrase turn a revocation into a time or frequency preference.
var narrowers = set("before", "after", "until", "till", "til", "between", "during", "while",
	"today", "tonight", "tomorrow", "yet", "in", "early", "late", "back", "unless", "except",
	"if", "when", "first", "every", "so", "too", "next", "only", "later")

// timeWords after "this" narrow a phrase ("don't text me this late").
var timeWords = set("morning", "afternoon", "evening", "night", "week", "weekend", "month",
	"year", "late", "early", "often", "much", "time", "day", "hour")

// numberWords after "at/on this" keep a phrase a revocation ("don't text me at this number").
var numberWords = set("number", "phone", "cell", "line", "mobile")

func narrowed(after []string) bool {
	if len(after) == 0 {
		return false
	}
	switch w := after[0]; {
	case narrowers[w]:
		return true
	case w == "this":
		return len(after) > 1 && timeWords[after[1]]
	case w == "at" || w == "on":
		// "at this number" widens nothing; "at work", "on weekends" narrow.
		return !(len(after) > 1 && (after[1] == "this" || after[1] == "my" || after[1] == "that") &&
			(len(after) == 2 || numberWords[after[2]]))
	}
	return false
}

func set(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}
