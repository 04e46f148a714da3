package placeholders

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxInner bounds the text between the braces of a placeholder. Names are short
// ("company_address_line_1"); the bound keeps every parse attempt, and so Render and
// Variables, linear in the template's length whatever its content.
const maxInner = 100

// placeholder is one valid {{name}} found in a string: its byte span and normalised name.
type placeholder struct {
	start, end int
	name       string
}

// scan finds all the placeholders of s, left to right.
func scan(s string) []placeholder {
	var out []placeholder
	for i := 0; ; {
		p, ok := next(s, i)
		if !ok {
			return out
		}
		out = append(out, p)
		i = p.end
	}
}

// next finds the first placeholder of s at or after i. Where a "{{" does not open a valid
// placeholder, the search resumes one byte later, so "{{{x}}}" holds the placeholder {{x}}
// wrapped in literal braces.
func next(s string, i int) (placeholder, bool) {
	for i+1 < len(s) {
		j := strings.Index(s[i:], "{{")
		if j < 0 {
			break
		}
		i += j
		if p, ok := parseAt(s, i); ok {
			return p, true
		}
		i++
	}
	return placeholder{}, false
}

// parseAt parses a placeholder at s[i:], which must start with "{{".
func parseAt(s string, i int) (placeholder, bool) {
	if !strings.HasPrefix(s[i:], "{{") {
		return placeholder{}, false
	}
	j := i + 2
	for j < len(s) && j-i-2 <= maxInner {
		r, size := utf8.DecodeRuneInString(s[j:]) // invalid bytes decode to U+FFFD: not a name rune
		if !nameRune(r) {
			break
		}
		j += size
	}
	if j-i-2 > maxInner || !strings.HasPrefix(s[j:], "}}") {
		return placeholder{}, false
	}
	name := Key(s[i+2 : j])
	if name == "" {
		return placeholder{}, false // "{{}}", "{{ }}", "{{__}}": nothing to name
	}
	return placeholder{start: i, end: j + 2, name: name}, true
}

// nameRune reports whether r may appear between the braces of a placeholder.
func nameRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '-' || r == ' ' || r == '\t'
}
