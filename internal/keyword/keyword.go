// Package keyword recognises consent keywords (STOP, START, HELP and their synonyms) and
// free-text revocations in inbound SMS, exactly as spec/compliance.md §1 lays down.
//
// Keywords are handled before the AI sees a message, so Classify must be strict in both
// directions: an opt-out that is missed ("Stop. Thank you") means texting someone who revoked
// consent, and a false one ("we have to stop this bill") silences a lead who is talking to us.
// The rule: the whole message, once lower-cased and stripped of punctuation, emoji and extra
// spaces, must be a keyword, optionally wrapped in courtesy words (please, thanks, …).
//
// RevocationPhrase catches the common free-text revocations ("take me off your list") that the
// FCC's 2024 rule says must be honoured too. It is deliberately conservative; the AI's
// extraction (do_not_message) is the second net for everything else.
//
// Everything here is pure: no I/O, no state, safe for concurrent use.
package keyword

import (
	"strings"
	"unicode"
)

// Kind is what a consent keyword asks for.
type Kind int

// The kinds of message Classify tells apart.
const (
	// None: not a keyword; the message goes on to the conversation (and the AI).
	None Kind = iota
	// OptOut: suppress the contact organization-wide and confirm once.
	OptOut
	// OptIn: lift the suppression and confirm once.
	OptIn
	// Help: reply with the organization's help text; the AI does not answer.
	Help
)

// String returns a stable lower-case name for logs and audit records.
func (k Kind) String() string {
	switch k {
	case None:
		return "none"
	case OptOut:
		return "opt_out"
	case OptIn:
		return "opt_in"
	case Help:
		return "help"
	}
	return "unknown"
}

// keywords maps each keyword, as normalised words, to its kind. Multi-word entries match
// their hyphenated and run-together forms too ("opt-out", "optout"), since punctuation
// becomes a word break and the run-together form is listed on its own.
var keywords = map[string]Kind{
	"stop": OptOut, "stopall": OptOut, "stop all": OptOut, "unsubscribe": OptOut,
	"cancel": OptOut, "end": OptOut, "quit": OptOut, "revoke": OptOut,
	"optout": OptOut, "opt out": OptOut,
	"start": OptIn, "unstop": OptIn, "subscribe": OptIn,
	"help": Help, "info": Help,
}

// yes is an opt-in only for a contact who is currently opted out: to anyone else it is an
// answer to the conversation ("Are you still looking to sell?" "Yes").
const yes = "yes"

// courtesy are the words allowed before or after a keyword without changing its meaning
// ("Stop. Thank you", "please stop", "STOP thx"). A polite opt-out is still an opt-out;
// missing "Stop. Thank you" is pitfall 4 of compliance.md §6.
var courtesy = map[string]bool{
	"please": true, "pls": true, "plz": true,
	"thanks": true, "thankyou": true, "thx": true, "ty": true, "thanx": true, "thnx": true,
}

// Classify tells whether body is a consent keyword. optedOut says whether the sender is
// currently opted out; only then does YES count as an opt-in.
//
// Matching: case-insensitive; every character that is not a letter or digit (punctuation,
// emoji, hyphens) is a word break, and runs of breaks collapse, so "Stop." "STOP!" "stop all!"
// "STOP  ALL" and "opt-out" all match while "we have to stop this bill" does not. Courtesy
// words (please, pls, plz, thanks, thank you, thank u, thx, ty, …) may come before and after:
// "Stop. Thank you" and "please stop" are opt-outs.
//
// A message made of several keywords ("STOP STOP", "stop unsubscribe") is classified by its
// strongest one: OptOut over OptIn over Help, taking the stricter reading that
// compliance.md asks for when a message is ambiguous.
func Classify(body string, optedOut bool) Kind {
	words := strings.Fields(fold(body))
	words = trimCourtesy(words)
	if len(words) == 0 {
		return None
	}
	best := None
	for i := 0; i < len(words); {
		k, n := keywordAt(words[i:], optedOut)
		if n == 0 {
			return None
		}
		if precedence[k] > precedence[best] {
			best = k
		}
		i += n
	}
	return best
}

// precedence orders kinds so that the stricter one wins in a multi-keyword message.
var precedence = map[Kind]int{None: 0, Help: 1, OptIn: 2, OptOut: 3}

// keywordAt matches one keyword at the start of words, preferring the two-word form, and
// returns its kind and how many words it took (0 when there is none).
func keywordAt(words []string, optedOut bool) (Kind, int) {
	if len(words) >= 2 {
		if k, ok := keywords[words[0]+" "+words[1]]; ok {
			return k, 2
		}
	}
	if k, ok := keywords[words[0]]; ok {
		return k, 1
	}
	if optedOut && words[0] == yes {
		return OptIn, 1
	}
	return None, 0
}

// trimCourtesy drops courtesy expressions from both ends of words.
func trimCourtesy(words []string) []string {
	for len(words) > 0 {
		n := courtesyPrefix(words)
		if n == 0 {
			break
		}
		words = words[n:]
	}
	for len(words) > 0 {
		n := courtesySuffix(words)
		if n == 0 {
			break
		}
		words = words[:len(words)-n]
	}
	return words
}

// courtesyPrefix is the number of words of the courtesy expression words starts with, or 0.
func courtesyPrefix(words []string) int {
	if len(words) >= 2 && thankYou(words[0], words[1]) {
		return 2
	}
	if courtesy[words[0]] {
		return 1
	}
	return 0
}

// courtesySuffix is the number of words of the courtesy expression words ends with, or 0.
func courtesySuffix(words []string) int {
	n := len(words)
	if n >= 2 && thankYou(words[n-2], words[n-1]) {
		return 2
	}
	if courtesy[words[n-1]] {
		return 1
	}
	return 0
}

// thankYou matches "thank you" and "thank u". "thank" and "you" are not courtesy on their
// own, so "stop you" or "you stop" stay unmatched.
func thankYou(a, b string) bool { return a == "thank" && (b == "you" || b == "u") }

// fold lower-cases s and turns every rune that is not a letter or digit into a space.
// Apostrophes are removed instead, so "don't" reads as "dont".
func fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
		case isApostrophe(r):
			// dropped: joins contractions
		default:
			b.WriteByte(' ')
		}
	}
	return b.String()
}

func isApostrophe(r rune) bool {
	switch r {
	case '\'', '\u2019', '\u2018', '\u02BC', '`', '\u00B4':
		return true
	}
	return false
}
