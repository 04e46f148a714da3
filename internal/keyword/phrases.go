package keyword

import "strings"

// patterns are the revocation phrases, in folded form (lower case, apostrophes dropped:
// "don't" is "dont"). {a|b|} lists alternatives, an empty one making the group optional.
// A leading "^" and trailing "$" anchor the phrase to the whole clause.
var patterns = []struct {
	pattern    string
	imperative bool
}{
	// "Don't text me again" is the FCC's own example.
	{"{dont|do not|never|dont ever|do not ever} {text|txt|message|msg|sms|contact|text or call|call or text} {me|this number|my number|this phone|my phone}", true},
	{"{dont|do not|never} send me {any more|anymore|more|any|} {texts|messages|msgs|txts|text messages|sms}", true},
	{"stop {texting|txting|messaging|msging|contacting|spamming|bothering|harassing} {me|this number|my number|this phone|my phone}", false},
	{"stop {texting and calling|calling and texting|texting or calling|calling or texting} {me|this number|my number}", false},
	{"stop sending {me|} {texts|messages|msgs|txts|text messages|sms|these|this|stuff|spam}", false},
	{"stop {the|these|your|all|all the|all these|all your|all of these|all of the} {texts|messages|msgs|txts|text messages|spam}", false},
	{"^ stop {texting|txting|messaging|msging|contacting|spamming|sending} $", false},
	{"remove {me|my number|this number|my phone number|my phone}", false},
	{"delete {my number|this number|my phone number|me from}", false},
	{"lose my number", false},
	{"take {me|my number|this number} off {of|} {your|the|this|ur|that|these|all|all your|all the|} {mailing|texting|text|contact|sms|call|calling|marketing|} {list|lists}", false},
	{"^ take me off $", false},
	{"{put|add} {me|my number|this number} {on|to} {your|the|ur|} {do not call|do not contact|do not text|dont call|dont text|dont contact|dnc|no contact|no text} list", false},
	{"unsubscribe {me|this number|my number|from}", false},
	{"{want|wish|like|need|wanna} {to|} {unsubscribe|opt out|be removed|be taken off}", false},
	{"opt {me|this number|my number} out", false},
	{"leave me alone", false},
	{"no more {texts|messages|msgs|txts|text messages|texting|sms}", false},
	{"{revoke|withdraw} {my|} consent", false},
	{"i {dont|do not} consent", false},
}

// phrasesByFirst indexes the expanded patterns by their first word, so matching costs one
// map lookup per word of the message.
var phrasesByFirst = func() map[string][]phrase {
	m := map[string][]phrase{}
	for _, pt := range patterns {
		for _, s := range expand(pt.pattern) {
			words := strings.Fields(s)
			p := phrase{imperative: pt.imperative}
			if words[0] == "^" && words[len(words)-1] == "$" {
				p.anchored = true
				words = words[1 : len(words)-1]
			}
			p.words = words
			m[words[0]] = append(m[words[0]], p)
		}
	}
	return m
}()

// expand returns every string the pattern denotes, expanding the first {…} group and
// recursing on the rest. Groups do not nest.
func expand(pattern string) []string {
	open := strings.IndexByte(pattern, '{')
	if open < 0 {
		return []string{pattern}
	}
	end := open + strings.IndexByte(pattern[open:], '}')
	var out []string
	for _, alt := range strings.Split(pattern[open+1:end], "|") {
		out = append(out, expand(pattern[:open]+alt+pattern[end+1:])...)
	}
	return out
}
