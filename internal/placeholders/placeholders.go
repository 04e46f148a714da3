// Package placeholders fills the {{var}} placeholders of message texts (starting messages,
// drips and follow-ups, called templates here) with a lead's fields, and lists the variables
// a text uses.
//
// Syntax: a placeholder is "{{", a name, "}}". Spaces and tabs may pad the name ("{{ first_name
// }}"). A name is letters, digits, '_', '-' and inner spaces, at most 100 bytes between the
// braces including padding; it is matched case-insensitively
// and snake-cased the same way lead fields are (see Key), so {{First Name}}, {{FIRST_NAME}} and
// {{first_name}} are one variable. Anything else that looks like braces ("{{}}", "{{a+b}}",
// "{{first_name", "{single}") is not a placeholder and stays as literal text, and so do braces
// around a placeholder: "{{{first_name}}}" → "{Ann}".
//
// Fallback rules, so that a missing field never leaks "{{…}}" into a message a lead receives:
//   - {{first_name}} missing or empty becomes "there": "Hi {{first_name}}," → "Hi there,".
//   - Any other missing or empty variable is removed, and the text around it is tidied: the
//     spaces on both sides collapse to one, and to none before , . ! ? ; : ) or at the start
//     or end of a line; a comma, semicolon or colon left dangling before other punctuation or
//     at the start of a line is dropped; "()" left empty is removed.
//     "Hi {{nickname}}, welcome to {{company}}!" → "Hi, welcome to!" (so write templates whose
//     optional parts read well without them).
//   - Values are trimmed; a value of only spaces counts as empty.
//
// Values are inserted as they are and never expanded again: lead data is not template code,
// and expanding it would let a field inject other fields or loop.
//
// Everything here is pure: no I/O, no state, safe for concurrent use.
package placeholders

import (
	"slices"
	"strings"
	"unicode"
)

// firstNameFallback is what {{first_name}} reads when the lead has no first name: "Hi there".
const firstNameFallback = "there"

// Render fills the placeholders of tpl from vars, whose keys are variable names as
// produced by LeadVars or Key. Keys that are not yet normalised are looked up through Key as
// well. See the package documentation for the fallback rules.
func Render(tpl string, vars map[string]string) string {
	if !strings.Contains(tpl, "{{") {
		return tpl
	}
	r := renderer{lookup: lookupIn(vars)}
	r.run(tpl)
	return tidy(string(r.out), r.gaps)
}

// Variables returns the names of the placeholders in tpl, normalised with Key, without
// duplicates, in order of first use. Callers use it to check which lead fields a template
// needs before launching a campaign.
func Variables(tpl string) []string {
	var names []string
	for _, t := range scan(tpl) {
		if !slices.Contains(names, t.name) {
			names = append(names, t.name)
		}
	}
	return names
}

// LeadVars turns a lead's fields into placeholder variables: keys normalised with Key
// ("First Name" → "first_name"), values trimmed, plus two aliases the Teli documentation
// uses: company ← company_name, and name ← first_name + " " + last_name (or whichever of the
// two exists), each only when the lead has no non-empty value of its own.
//
// When several fields normalise to one key ("First Name" and "first_name"), a non-empty value
// beats an empty one, then a key already spelled in normal form wins, then the first key in
// byte order, so the result never depends on map iteration order.
func LeadVars(fields map[string]string) map[string]string {
	vars := normalize(fields)
	if vars["company"] == "" && vars["company_name"] != "" {
		vars["company"] = vars["company_name"]
	}
	if vars["name"] == "" {
		if name := strings.TrimSpace(vars["first_name"] + " " + vars["last_name"]); name != "" {
			vars["name"] = name
		}
	}
	return vars
}

// Key normalises a field or variable name: lower case, every run of characters other than
// letters and digits becomes one '_', and leading and trailing '_' go. "First Name",
// "first-name" and "FIRST_NAME" are all "first_name". Both LeadVars and placeholders use it,
// so a CSV column and the placeholder for it always meet.
func Key(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	pending := false // a separator run seen since the last letter or digit
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			pending = true
			continue
		}
		if pending && b.Len() > 0 {
			b.WriteByte('_')
		}
		pending = false
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// normalize applies Key to every field name and resolves collisions deterministically.
func normalize(fields map[string]string) map[string]string {
	vars := make(map[string]string, len(fields))
	canonical := make(map[string]bool, len(fields))
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		nk := Key(k)
		if nk == "" {
			continue
		}
		v := strings.TrimSpace(fields[k])
		cur, seen := vars[nk]
		switch {
		case !seen, cur == "" && v != "", v != "" && k == nk && !canonical[nk]:
			vars[nk] = v
			canonical[nk] = k == nk
		}
	}
	return vars
}

// lookupIn returns the value function Render uses: the trimmed value of a variable, with the
// first_name fallback. Keys are normalised only if some key needs it.
func lookupIn(vars map[string]string) func(name string) string {
	for k := range vars {
		if Key(k) != k {
			vars = normalize(vars)
			break
		}
	}
	return func(name string) string {
		v := strings.TrimSpace(vars[name])
		if v == "" && name == "first_name" {
			return firstNameFallback
		}
		return v
	}
}
