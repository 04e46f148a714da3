package keyword

import (
	"strings"
	"testing"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		body     string
		optedOut bool
		want     Kind
	}{
		// Every opt-out keyword of compliance.md §1.
		{"STOP", false, OptOut},
		{"STOPALL", false, OptOut},
		{"STOP ALL", false, OptOut},
		{"UNSUBSCRIBE", false, OptOut},
		{"CANCEL", false, OptOut},
		{"END", false, OptOut},
		{"QUIT", false, OptOut},
		{"REVOKE", false, OptOut},
		{"OPTOUT", false, OptOut},
		{"OPT OUT", false, OptOut},
		{"OPT-OUT", false, OptOut},
		// Case, punctuation and whitespace.
		{"stop", false, OptOut},
		{"Stop", false, OptOut},
		{"sToP", false, OptOut},
		{"Stop.", false, OptOut},
		{"STOP!", false, OptOut},
		{"stop!!!", false, OptOut},
		{"  stop \n", false, OptOut},
		{"\"Stop\"", false, OptOut},
		{"(stop)", false, OptOut},
		{"...stop...", false, OptOut},
		{"STOP  ALL", false, OptOut},
		{"stop all!", false, OptOut},
		{"Stop\tall", false, OptOut},
		{"stop\nall", false, OptOut},
		{"opt out.", false, OptOut},
		{"Opt-Out!", false, OptOut},
		{"opt_out", false, OptOut},
		{"STOP 🛑", false, OptOut},
		{"🛑 stop", false, OptOut},
		{"stop’", false, OptOut},
		{"cancel?", false, OptOut},
		// Opt-outs stay opt-outs for a contact already opted out.
		{"STOP", true, OptOut},
		// Courtesy words: the documented pitfall "Stop. Thank you".
		{"Stop. Thank you", false, OptOut},
		{"Stop thank you", false, OptOut},
		{"stop, thanks", false, OptOut},
		{"STOP THANKS!", false, OptOut},
		{"stop please", false, OptOut},
		{"Please stop", false, OptOut},
		{"please, STOP.", false, OptOut},
		{"pls stop", false, OptOut},
		{"plz stop", false, OptOut},
		{"stop thx", false, OptOut},
		{"stop ty", false, OptOut},
		{"Stop thank u", false, OptOut},
		{"stop thankyou", false, OptOut},
		{"Thanks, stop", false, OptOut},
		{"Unsubscribe please. Thank you!", false, OptOut},
		{"stop please thank you", false, OptOut},
		{"please stop all thanks", false, OptOut},
		{"Opt out, thank you", false, OptOut},
		// Repeated keywords; the strictest kind wins.
		{"STOP STOP STOP", false, OptOut},
		{"stop. unsubscribe.", false, OptOut},
		{"start stop", false, OptOut},
		{"help stop", false, OptOut},
		{"help start", false, OptIn},
		{"help info", false, Help},
		// Opt-in.
		{"START", false, OptIn},
		{"start", true, OptIn},
		{"Start!", false, OptIn},
		{"UNSTOP", false, OptIn},
		{"unstop", true, OptIn},
		{"SUBSCRIBE", false, OptIn},
		{"start please", false, OptIn},
		// YES only for a contact who is opted out.
		{"YES", true, OptIn},
		{"yes", true, OptIn},
		{"Yes!", true, OptIn},
		{"yes please", true, OptIn},
		{"Yes, thank you", true, OptIn},
		{"YES", false, None},
		{"yes please", false, None},
		{"yes stop", false, None},
		{"yes stop", true, OptOut},
		{"yes help", true, OptIn},
		// Help.
		{"HELP", false, Help},
		{"help", true, Help},
		{"Help?", false, Help},
		{"INFO", false, Help},
		{"info please", false, Help},
		{"please help", false, Help},
		// Not keywords: the keyword is part of a sentence.
		{"", false, None},
		{"   ", false, None},
		{"!!!", false, None},
		{"thank you", false, None},
		{"please", false, None},
		{"we have to stop this bill", false, None},
		{"We have to STOP this bill", false, None},
		{"stop this", false, None},
		{"don't stop", false, None},
		{"dont stop", false, None},
		{"stop by anytime", false, None},
		{"I'll stop by tomorrow", false, None},
		{"bus stop", false, None},
		{"stop sign", false, None},
		{"can I cancel my appointment", false, None},
		{"cancel my appointment", false, None},
		{"the end", false, None},
		{"end of the month works", false, None},
		{"help me understand the rate", false, None},
		{"need more info", false, None},
		{"info@example.com", false, None},
		{"start date is monday", false, None},
		{"quit my job", false, None},
		{"stopping", false, None},
		{"stopped", false, None},
		{"nonstop", false, None},
		{"s t o p", false, None},
		{"stop2", false, None},
		{"stop 2", false, None},
		{"stop you", false, None},
		{"thank stop", false, None},
		{"stop thank", false, None},
		{"no", false, None},
		{"ok", false, None},
		{"opt", false, None},
		{"out", false, None},
		{"all", false, None},
		{"stop al", false, None},
		{"opt in", false, None},
		{"stopall all", false, None},
		{"stöp", false, None},
		{"ＳＴＯＰ", false, None}, // fullwidth letters are not folded
		{"yes i'm interested", true, None},
		{"yesterday", true, None},
	}
	for _, tt := range tests {
		if got := Classify(tt.body, tt.optedOut); got != tt.want {
			t.Errorf("Classify(%q, optedOut=%v) = %v, want %v", tt.body, tt.optedOut, got, tt.want)
		}
	}
}

func TestKindString(t *testing.T) {
	for k, want := range map[Kind]string{None: "none", OptOut: "opt_out", OptIn: "opt_in", Help: "help", Kind(42): "unknown"} {
		if got := k.String(); got != want {
			t.Errorf("Kind(%d).String() = %q, want %q", int(k), got, want)
		}
	}
}

// keywordWords is every word a classified message may consist of.
var keywordWords = func() map[string]bool {
	m := map[string]bool{"thank": true, "you": true, "u": true, "yes": true}
	for k := range keywords {
		for _, w := range strings.Fields(k) {
			m[w] = true
		}
	}
	for w := range courtesy {
		m[w] = true
	}
	return m
}()

// upperASCII upper-cases ASCII letters only: Unicode case mapping is not round-trip safe
// ("ı" upper-cases to "I"), and keywords are ASCII.
func upperASCII(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' {
			return r - 'a' + 'A'
		}
		return r
	}, s)
}

// FuzzClassify checks that a keyword is never found inside a sentence and that case,
// surrounding punctuation and courtesy words do not change the result.
func FuzzClassify(f *testing.F) {
	for _, s := range []string{"STOP", "Stop. Thank you", "stop all!", "opt-out", "we have to stop this bill",
		"yes", "please help", "thank you", "start stop", "", "stop thank", "thank thank you"} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, body string, optedOut bool) {
		k := Classify(body, optedOut)
		if k != None {
			for _, w := range strings.Fields(fold(body)) {
				if !keywordWords[w] {
					t.Fatalf("Classify(%q) = %v but %q is not a keyword or courtesy word", body, k, w)
				}
			}
		}
		if got := Classify(upperASCII(body), optedOut); got != k {
			t.Fatalf("case changed the result: %q → %v, upper → %v", body, k, got)
		}
		if got := Classify(" ¡¡"+body+"!!.. ", optedOut); got != k {
			t.Fatalf("surrounding punctuation changed the result: %q → %v, wrapped → %v", body, k, got)
		}
		if got := Classify("Please, "+body+". Thank you!", optedOut); got != k {
			t.Fatalf("courtesy changed the result: %q → %v, polite → %v", body, k, got)
		}
		// optedOut only ever adds YES as an opt-in.
		out, in := Classify(body, false), Classify(body, true)
		if out != in && (out != None || (in != OptIn && in != OptOut)) {
			t.Fatalf("optedOut changed %q from %v to %v", body, out, in)
		}
	})
}
