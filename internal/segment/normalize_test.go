package segment

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestNormalizeGSM(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"GSM text untouched", "Hello {world} €5 [ok] ~ ^ | \\ ç Ç", "Hello {world} €5 [ok] ~ ^ | \\ ç Ç"},
		{"right single quote", "It’s here", "It's here"},
		{"left and right single quotes", "‘quoted’", "'quoted'"},
		{"low and reversed single quotes", "‚a‛", "'a'"},
		{"curly double quotes", "“Hello”", `"Hello"`},
		{"low and reversed double quotes", "„a‟", `"a"`},
		{"primes", "5′ 10″ ‵ ‶", `5' 10" ' "`},
		{"backtick and acute", "`code` it´s", "'code' it's"},
		{"en dash", "9–5", "9-5"},
		{"em dash", "wait—what", "wait-what"},
		{"other dashes", "a‐b‑c‒d―e", "a-b-c-d-e"},
		{"minus sign", "−3°", "-3°"},
		{"ellipsis", "Wait…", "Wait..."},
		{"no-break space", "a\u00a0b", "a b"},
		{"narrow no-break space", "10\u202fam", "10 am"},
		{"thin and hair spaces", "a\u2009b\u200ac", "a b c"},
		{"em and en spaces", "a\u2003b\u2002c", "a b c"},
		{"ideographic space", "a\u3000b", "a b"},
		{"tab", "a\tb", "a b"},
		{"line and paragraph separators", "a\u2028b\u2029c", "a\nb\nc"},
		{"bullets", "• one\n‣ two\n◦ three\n⁃ four", "- one\n- two\n- three\n- four"},
		{"zero-width space removed", "zero\u200bwidth", "zerowidth"},
		{"BOM removed", "\ufeffHi", "Hi"},
		{"word joiner removed", "a\u2060b", "ab"},
		{"soft hyphen removed", "soft\u00adhyphen", "softhyphen"},
		{"joiner between GSM letters removed", "a\u200db", "ab"},
		{"non-joiner between GSM letters removed", "a\u200cb", "ab"},
		{"direction marks around GSM removed", "\u200eHi\u200f", "Hi"},
		{"joiner after a replaced quote removed", "’\u200da", "'a"},
		{"run of invisibles between GSM removed", "a\u200b\u200d\u200b\u200cb", "ab"},
		{"family emoji kept whole", "👨\u200d👩\u200d👧", "👨\u200d👩\u200d👧"},
		{"joiner next to emoji kept", "’\u200d👍", "'\u200d👍"},
		{"joiner after emoji at end kept, ZWSP dropped", "👍\u200b\u200d", "👍\u200d"},
		{"non-joiner in Persian kept", "می\u200cخواهم", "می\u200cخواهم"},
		{"RLM in Hebrew kept", "שלום\u200f!", "שלום\u200f!"},
		{"emoji untouched", "Great 👍 see you 🎉", "Great 👍 see you 🎉"},
		{"emoji with variation selector untouched", "❤️", "❤️"},
		{"quote fixed, emoji kept", "It’s great 👍", "It's great 👍"},
		{"non-GSM accents untouched", "crème brûlée, naïve, São Paulo", "crème brûlée, naïve, São Paulo"},
		{"Cyrillic untouched", "Привет", "Привет"},
		{"CJK untouched", "你好", "你好"},
		{"guillemets untouched", "«Bonjour»", "«Bonjour»"},
		{"other symbols untouched", "→ ✓ ™ © ·", "→ ✓ ™ © ·"},
		{"invalid UTF-8 replaced", "\xff’\xfe", "\uFFFD'\uFFFD"},
		{"joiner next to invalid byte kept", "\xff\u200da", "\uFFFD\u200da"},
		{"invalid bytes never joined into a rune", "\xde\u2060\xbf", "\uFFFD\uFFFD"},
		{"typical LLM reply", "Hi Ann — thanks for reaching out! We’re open 9–5… “Book now” • Free quote",
			`Hi Ann - thanks for reaching out! We're open 9-5... "Book now" - Free quote`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := NormalizeGSM(tt.in)
			if got != tt.want {
				t.Errorf("NormalizeGSM(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if again := NormalizeGSM(got); again != got {
				t.Errorf("not idempotent: NormalizeGSM(%q) = %q", got, again)
			}
		})
	}
}

// TestNormalizeGSMSavesSegments is the reason the function exists.
func TestNormalizeGSMSavesSegments(t *testing.T) {
	in := "Hi Ann — thanks for reaching out! We’re open 9–5 Monday to Friday… “Book now” and we’ll send a free quote. Reply with a time that works for you and we’ll confirm it."
	before, after := Of(in), Of(NormalizeGSM(in))
	if before.Encoding != UCS2 || after.Encoding != GSM7 {
		t.Fatalf("encodings %s → %s, want UCS-2 → GSM-7", before.Encoding, after.Encoding)
	}
	if after.Segments >= before.Segments {
		t.Errorf("segments %d → %d, want fewer", before.Segments, after.Segments)
	}
}

// TestNormalizeTables guards the tables: replacement keys and invisible runes are never
// GSM-7 (else GSM-7 text would change), and every replacement is pure GSM-7.
func TestNormalizeTables(t *testing.T) {
	for r, rep := range replacements {
		if septets(r) != 0 {
			t.Errorf("replacement key %q is GSM-7", r)
		}
		if invisible(r) {
			t.Errorf("%q is both replaced and invisible", r)
		}
		if _, ok := gsmLen(rep); !ok || rep == "" {
			t.Errorf("replacement for %q = %q is not non-empty GSM-7", r, rep)
		}
	}
	for r := range dropped {
		if septets(r) != 0 || contextual[r] {
			t.Errorf("dropped rune %q is GSM-7 or contextual", r)
		}
	}
	for r := range contextual {
		if septets(r) != 0 {
			t.Errorf("contextual rune %q is GSM-7", r)
		}
	}
}

// FuzzNormalizeGSM checks that normalising is stable, leaves GSM-7 alone, removes every
// rune it targets, and never touches what it must not (emoji, non-GSM letters).
func FuzzNormalizeGSM(f *testing.F) {
	for _, s := range []string{"", "plain", "It’s “fine” — really…", "👨\u200d👩\u200d👧", "a\u200db", "’\u200d👍",
		"\xff\u200d", "crème brûlée 👍", "• a\t\u00a0b", "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := NormalizeGSM(s)
		if again := NormalizeGSM(out); again != out {
			t.Fatalf("not idempotent: %q → %q → %q", s, out, again)
		}
		if _, ok := gsmLen(s); ok && out != s {
			t.Fatalf("GSM-7 input changed: %q → %q", s, out)
		}
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 out: %q → %q", s, out)
		}
		for _, r := range out {
			if _, ok := replacements[r]; ok || dropped[r] {
				t.Fatalf("%q left in output %q (input %q)", r, out, s)
			}
		}
		// The runes NormalizeGSM must not touch come out in the same order.
		if a, b := untouchable(strings.ToValidUTF8(s, "\uFFFD")), untouchable(out); !slices.Equal(a, b) {
			t.Fatalf("untouchable runes changed: %q → %q", s, out)
		}
	})
}

// untouchable lists the runes of s that are neither GSM-7 nor targeted by NormalizeGSM.
func untouchable(s string) []rune {
	var rs []rune
	for _, r := range s {
		if _, ok := replacements[r]; !ok && !invisible(r) && septets(r) == 0 {
			rs = append(rs, r)
		}
	}
	return rs
}
