package segment

import (
	"strings"
	"unicode/utf8"
)

// NormalizeGSM rewrites the typography that language models emit into GSM-7 equivalents, so
// that one curly apostrophe does not silently switch a reply to UCS-2 and more than double its
// cost (70 instead of 160 characters per segment).
//
// It is meant for AI-written text only. Text a person wrote (human sends, starting messages an
// operator typed) is sent as written: the author chose those characters, and compliance.md §5
// forbids rewriting them.
//
// Replacements:
//   - curly and low single quotes, prime, reversed prime, backtick, acute accent → '
//   - curly and low double quotes, double primes → "
//   - hyphen, non-breaking hyphen, figure dash, en and em dash, horizontal bar, minus sign → -
//   - bullets (•, ‣, ◦, ⁃) → -
//   - horizontal ellipsis → ...
//   - no-break, narrow, thin, em/en and other Unicode spaces, and tab → ' '
//   - line and paragraph separators → "\n"
//   - zero-width space, word joiner, byte-order mark and soft hyphen → removed
//   - zero-width joiner and non-joiner, left-to-right and right-to-left marks → removed only
//     when the visible characters on both sides are GSM-7; next to an emoji or a non-GSM letter
//     they are kept, because there they shape the text (👨‍👩‍👧 families, Persian, Indic
//     scripts) and the message is UCS-2 anyway.
//
// Nothing else changes: emoji, accented letters outside GSM-7, guillemets and other symbols
// stay, and the message is then UCS-2 as its content requires. Each invalid UTF-8 sequence
// becomes U+FFFD first: no carrier can send such bytes, and left in place they could join into
// a different rune once an invisible rune between them is removed. The result is valid UTF-8
// and stable: NormalizeGSM(NormalizeGSM(s)) == NormalizeGSM(s), and a string already in GSM-7
// comes back unchanged.
func NormalizeGSM(s string) string {
	if _, ok := gsmLen(s); ok {
		return s // fast path for the common case, and a guarantee that GSM-7 text is untouched
	}
	s = strings.ToValidUTF8(s, string(utf8.RuneError))
	var b strings.Builder
	b.Grow(len(s))
	prev := visNone // the last visible rune written, as it will read after normalising
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if invisible(r) {
			i = writeInvisibleRun(&b, s, i, prev)
			continue
		}
		if rep, ok := replacements[r]; ok {
			b.WriteString(rep)
		} else {
			b.WriteRune(r)
		}
		prev = classify(r)
		i += size
	}
	return b.String()
}

// replacements maps typographic runes to GSM-7 text. Keys are never GSM-7 themselves
// (tested), so GSM-7 text is a fixed point.
var replacements = map[rune]string{
	'\u2018': "'", '\u2019': "'", '\u201A': "'", '\u201B': "'", // curly and low single quotes
	'\u2032': "'", '\u2035': "'", // prime, reversed prime
	'`': "'", '\u00B4': "'", // backtick (Markdown code) and acute accent used as apostrophes
	'\u201C': `"`, '\u201D': `"`, '\u201E': `"`, '\u201F': `"`, // curly and low double quotes
	'\u2033': `"`, '\u2036': `"`, // double prime, reversed double prime
	'\u2010': "-", '\u2011': "-", '\u2012': "-", '\u2013': "-", '\u2014': "-", '\u2015': "-", // dashes
	'\u2212': "-",                                              // minus sign
	'\u2022': "-", '\u2023': "-", '\u25E6': "-", '\u2043': "-", // bullets
	'\u2026': "...", // ellipsis
	'\t':     " ",
	'\u00A0': " ", '\u1680': " ", '\u2000': " ", '\u2001': " ", '\u2002': " ", '\u2003': " ",
	'\u2004': " ", '\u2005': " ", '\u2006': " ", '\u2007': " ", '\u2008': " ", '\u2009': " ",
	'\u200A': " ", '\u202F': " ", '\u205F': " ", '\u3000': " ",
	'\u2028': "\n", '\u2029': "\n", // line and paragraph separators
}

// dropped are invisible runes that never carry meaning in an SMS.
var dropped = map[rune]bool{
	'\u200B': true, // zero-width space
	'\u2060': true, // word joiner
	'\uFEFF': true, // zero-width no-break space / byte-order mark
	'\u00AD': true, // soft hyphen
}

// contextual are invisible runes that matter next to emoji and complex scripts only.
var contextual = map[rune]bool{
	'\u200C': true, // zero-width non-joiner
	'\u200D': true, // zero-width joiner
	'\u200E': true, // left-to-right mark
	'\u200F': true, // right-to-left mark
}

func invisible(r rune) bool { return dropped[r] || contextual[r] }

// vis classifies the visible neighbour of an invisible rune.
type vis int

const (
	visNone  vis = iota // start or end of the text
	visGSM              // GSM-7 once normalised
	visOther            // stays outside GSM-7 (emoji, non-GSM letter, U+FFFD)
)

// classify tells how r reads after normalisation: replaced runes become GSM-7. Deciding on the
// normalised form is what keeps NormalizeGSM idempotent.
func classify(r rune) vis {
	if _, ok := replacements[r]; ok || septets(r) > 0 {
		return visGSM
	}
	return visOther
}

// writeInvisibleRun handles the run of invisible runes starting at i, given the visible rune
// before it, and returns the index after the run. Contextual runes survive when either visible
// neighbour stays outside GSM-7.
func writeInvisibleRun(b *strings.Builder, s string, i int, prev vis) int {
	end := i
	for end < len(s) {
		r, size := utf8.DecodeRuneInString(s[end:])
		if !invisible(r) {
			break
		}
		end += size
	}
	next := visNone
	if end < len(s) {
		r, _ := utf8.DecodeRuneInString(s[end:])
		next = classify(r)
	}
	keep := prev == visOther || next == visOther
	for _, r := range s[i:end] {
		if keep && contextual[r] {
			b.WriteRune(r)
		}
	}
	return end
}
