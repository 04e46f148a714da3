package keyword

import (
	"strings"
	"testing"
)

func TestRevocationPhrase(t *testing.T) {
	revocations := []string{
		// The FCC's and compliance.md's examples.
		"remove me",
		"Remove me",
		"Please remove me from your list.",
		"REMOVE ME!!!",
		"take me off your list",
		"Take me off the list please",
		"take me off of your mailing list",
		"take me off this list!",
		"Please take me off!",
		"take my number off your list",
		"don't text me",
		"Don't text me again",
		"DON’T TEXT ME",
		"dont text me",
		"do not text me",
		"Do NOT text me ever again.",
		"don't ever text me again",
		"never text me again",
		"pls dont txt me",
		"don't message me",
		"do not contact me",
		"don't text or call me",
		"don't text this number",
		"I said don't text me",
		"don't text me at this number",
		"don't text me on this number again",
		"don't send me any more texts",
		"do not send me messages",
		"stop texting me",
		"STOP TEXTING ME!!!",
		"Stop texting me please",
		"stop messaging me",
		"stop contacting me",
		"stop txting me",
		"stop spamming me",
		"stop bothering me",
		"stop texting this number",
		"Stop texting and calling me",
		"stop sending me messages",
		"stop sending texts",
		"stop these texts",
		"stop all the messages",
		"Stop texting.",
		"please stop texting!",
		"Can you stop texting me?",
		"I asked you to stop texting me",
		"Who is this? Stop texting me.",
		"I don't know you, stop texting me",
		"I don't know who this is stop texting me",
		"why won't you stop texting me",
		"unsubscribe me",
		"Unsubscribe this number",
		"unsubscribe from this",
		"I want to unsubscribe",
		"I'd like to opt out",
		"I would like to be removed",
		"wanna unsubscribe",
		"opt me out",
		"please opt my number out",
		"leave me alone",
		"Just leave me alone!",
		"no more texts",
		"No more messages please",
		"remove my number",
		"delete my number",
		"lose my number",
		"put me on your do not call list",
		"add me to the dnc list",
		"I revoke my consent",
		"I withdraw consent",
		"I don't consent to these messages",
		"Hi.\nPlease remove me",
		"Not interested. Remove me.",
		"Wrong person, take me off your list",
		"don't text me, call me instead",
	}
	for _, s := range revocations {
		if !RevocationPhrase(s) {
			t.Errorf("RevocationPhrase(%q) = false, want true", s)
		}
	}
	nearMisses := []string{
		"",
		"stop",
		"STOP",
		"don't stop",
		"please don't stop",
		"don't stop texting me",
		"Please don't stop texting me!",
		"never stop texting me",
		"I don't want you to stop texting me",
		"why did you stop texting me?",
		"did you remove me?",
		"please don't remove me",
		"don't take me off the list",
		"I don't want to unsubscribe",
		"you never text me anymore",
		"you don't text me back",
		"if you don't text me back I'll call",
		"he doesn't text me",
		"don't text me back",
		"don't text me before 9am",
		"please don't text me after 8pm",
		"don't text me until next week",
		"don't text me at work",
		"don't text me on weekends",
		"don't text me this late",
		"don't text me so early",
		"do not text me during work hours",
		"stop texting me so early",
		"stop texting me after 9pm",
		"I'll stop texting",
		"I will stop texting now",
		"tell her to stop texting",
		"remove meat from the order",
		"they removed me from the group",
		"removeme",
		"take me off the hook",
		"take me out to dinner",
		"leave me a voicemail",
		"leave me the details",
		"text me",
		"text me later",
		"can you text me the address",
		"please text me back",
		"don't call me, text me",
		"call me instead of texting",
		"stop by the office",
		"we have to stop this bill",
		"wrong number",
		"Wrong number!",
		"not interested",
		"no thanks",
		"I unsubscribed from the newsletter",
		"how much does it cost to subscribe",
		"no more than $500",
		"I need more info",
		"please remember me",
		"is this the list?",
		"I'm on the list",
		"I want to subscribe",
		"I'd like to opt in",
		"consent form attached",
	}
	for _, s := range nearMisses {
		if RevocationPhrase(s) {
			t.Errorf("RevocationPhrase(%q) = true, want false", s)
		}
	}
}

func TestExpand(t *testing.T) {
	got := expand("a {b|c d|} e")
	want := []string{"a b e", "a c d e", "a  e"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("expand = %q, want %q", got, want)
	}
	for first, ps := range phrasesByFirst {
		for _, p := range ps {
			if len(p.words) == 0 || p.words[0] != first {
				t.Errorf("phrase %q indexed under %q", p.words, first)
			}
			for _, w := range p.words {
				if strings.ContainsAny(w, "{}|^$'") || w != strings.ToLower(w) {
					t.Errorf("phrase %q has an unexpanded or unfolded word %q", p.words, w)
				}
			}
		}
	}
}

// FuzzRevocationPhrase checks case and punctuation insensitivity, and that a revocation
// stays one whatever other sentences surround it.
func FuzzRevocationPhrase(f *testing.F) {
	for _, s := range []string{"remove me", "don't stop texting me", "you never text me", "stop texting",
		"take me off your list", "don't text me before 9", "wrong number", "", "Who is this? Stop texting me."} {
		f.Add(s, "thanks")
	}
	f.Fuzz(func(t *testing.T, s, other string) {
		got := RevocationPhrase(s)
		if RevocationPhrase(upperASCII(s)) != got {
			t.Fatalf("case changed the result for %q", s)
		}
		if RevocationPhrase(s+"!!") != got || RevocationPhrase("  "+s+" ") != got {
			t.Fatalf("trailing punctuation or spaces changed the result for %q", s)
		}
		if got && (!RevocationPhrase(s+". "+other) || !RevocationPhrase(other+".\n"+s)) {
			t.Fatalf("revocation %q lost next to %q", s, other)
		}
	})
}
