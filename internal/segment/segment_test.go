package segment

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestOf(t *testing.T) {
	a := func(n int) string { return strings.Repeat("a", n) }
	e := func(n int) string { return strings.Repeat("ê", n) } // ê is not GSM-7
	tests := []struct {
		name string
		body string
		want Count
	}{
		{"empty is billed as one segment", "", Count{GSM7, 1, 0}},
		{"plain ASCII", "Hello", Count{GSM7, 1, 5}},
		{"newline and carriage return are GSM", "a\r\nb", Count{GSM7, 1, 4}},
		{"160 septets fit one segment", a(160), Count{GSM7, 1, 160}},
		{"161 septets need two parts", a(161), Count{GSM7, 2, 161}},
		{"306 septets fill two parts exactly", a(306), Count{GSM7, 2, 306}},
		{"307 septets need three parts", a(307), Count{GSM7, 3, 307}},
		{"10 full parts", a(1530), Count{GSM7, 10, 1530}},
		{"one septet over 10 parts", a(1531), Count{GSM7, 11, 1531}},
		{"euro counts 2", "€", Count{GSM7, 1, 2}},
		{"escape chars count 2 each", "^{}\\[]~|€\f", Count{GSM7, 1, 20}},
		{"159 septets plus an escape pair is 161", a(159) + "€", Count{GSM7, 2, 161}},
		{"158 septets plus an escape pair is 160", a(158) + "{", Count{GSM7, 1, 160}},
		// 152 + 2 + 152 = 306 septets is 2 parts by arithmetic, but '{' cannot be split
		// after septet 152, so it opens part 2 and the last 'b' spills into part 3.
		{"escape pair never split across parts", a(152) + "{" + strings.Repeat("b", 152), Count{GSM7, 3, 306}},
		{"escape pair that fits at the end of a part", a(151) + "{" + strings.Repeat("b", 153), Count{GSM7, 2, 306}},
		{"GSM accented letters", "Ça, ç, ñ, ü, ö, ä, à, è, é, ù, ì, ò, Ø, ø, Å, å, Æ, æ, ß, É, Ä, Ö, Ñ, Ü", Count{GSM7, 1, 71}},
		{"Greek capitals in GSM", "ΔΦΓΛΩΠΨΣΘΞ", Count{GSM7, 1, 10}},
		{"GSM symbols", "@£$¥¤§¡¿_", Count{GSM7, 1, 9}},
		{"one non-GSM letter switches to UCS-2", "Hello ê", Count{UCS2, 1, 7}},
		{"curly apostrophe switches to UCS-2", "It’s", Count{UCS2, 1, 4}},
		{"backtick is not GSM", "`", Count{UCS2, 1, 1}},
		{"tab is not GSM", "a\tb", Count{UCS2, 1, 3}},
		{"NUL is not GSM (0x00 is @)", "\x00", Count{UCS2, 1, 1}},
		{"ESC itself is not a character", "\x1b", Count{UCS2, 1, 1}},
		{"extension chars count 1 in UCS-2", "€ê", Count{UCS2, 1, 2}},
		{"70 UCS-2 units fit one segment", e(70), Count{UCS2, 1, 70}},
		{"71 UCS-2 units need two parts", e(71), Count{UCS2, 2, 71}},
		{"134 UCS-2 units fill two parts", e(134), Count{UCS2, 2, 134}},
		{"135 UCS-2 units need three parts", e(135), Count{UCS2, 3, 135}},
		{"670 UCS-2 units are 10 parts", e(670), Count{UCS2, 10, 670}},
		{"emoji is a surrogate pair", "😀", Count{UCS2, 1, 2}},
		{"35 emoji fit one segment", strings.Repeat("😀", 35), Count{UCS2, 1, 70}},
		{"36 emoji need two parts", strings.Repeat("😀", 36), Count{UCS2, 2, 72}},
		// 66 + 2 + 66 = 134 units is 2 parts by arithmetic, but the pair cannot start at
		// unit 67 of part 1.
		{"surrogate pair never split across parts", e(66) + "😀" + e(66), Count{UCS2, 3, 134}},
		{"surrogate pair that fits at the end of a part", e(65) + "😀" + e(67), Count{UCS2, 2, 134}},
		{"mathematical bold letter is outside the BMP", "𝐀", Count{UCS2, 1, 2}},
		{"CJK is one unit each", "你好", Count{UCS2, 1, 2}},
		{"emoji with variation selector", "❤️", Count{UCS2, 1, 2}},
		{"family emoji with joiners", "👨‍👩‍👧", Count{UCS2, 1, 8}},
		{"invalid UTF-8 counts as U+FFFD", "a\xffb", Count{UCS2, 1, 3}},
		{"mixed message", "Hi Ann 👋 see you at 3?", Count{UCS2, 1, 23}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Of(tt.body); got != tt.want {
				t.Errorf("Of(%q) = %+v, want %+v", tt.body, got, tt.want)
			}
		})
	}
}

func TestFits(t *testing.T) {
	tests := []struct {
		name string
		body string
		max  int
		want bool
	}{
		{"empty fits one", "", 1, true},
		{"160 fits one", strings.Repeat("a", 160), 1, true},
		{"161 does not fit one", strings.Repeat("a", 161), 1, false},
		{"161 fits two", strings.Repeat("a", 161), 2, true},
		{"10 parts fit the default", strings.Repeat("a", 1530), MaxSegments, true},
		{"11 parts exceed the default", strings.Repeat("a", 1531), MaxSegments, false},
		{"zero means the default: fits", strings.Repeat("a", 1530), 0, true},
		{"zero means the default: too long", strings.Repeat("a", 1531), 0, false},
		{"negative means the default", strings.Repeat("a", 1531), -1, false},
		{"a higher cap", strings.Repeat("a", 1531), 16, true},
		{"UCS-2 at the default cap", strings.Repeat("ê", 670), 0, true},
		{"UCS-2 over the default cap", strings.Repeat("ê", 671), 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Fits(tt.body, tt.max); got != tt.want {
				t.Errorf("Fits(len %d, %d) = %v, want %v", len(tt.body), tt.max, got, tt.want)
			}
		})
	}
}

// TestAlphabet checks the table itself: 127 distinct characters plus the escape, and the
// letters people most often assume are (or are not) GSM-7.
func TestAlphabet(t *testing.T) {
	seen := map[rune]bool{}
	for code, r := range basic {
		if code == 0x1B {
			if r != 0 {
				t.Errorf("0x1B must be the escape, got %q", r)
			}
			continue
		}
		if seen[r] {
			t.Errorf("rune %q appears twice in the basic table", r)
		}
		seen[r] = true
		if septets(r) != 1 {
			t.Errorf("septets(%q) = %d, want 1", r, septets(r))
		}
	}
	if len(seen) != 127 {
		t.Errorf("basic table has %d characters, want 127", len(seen))
	}
	for r := range extension {
		if seen[r] {
			t.Errorf("%q is in both tables", r)
		}
		if septets(r) != 2 {
			t.Errorf("septets(%q) = %d, want 2", r, septets(r))
		}
	}
	for _, r := range "çÇØøÅåÆæßÉΔΦΓΛΩΠΨΣΘΞ¡¿ÄÖÑÜ§àäöñüèéùìò£¥¤@$_" {
		if septets(r) != 1 {
			t.Errorf("septets(%q) = %d, want 1", r, septets(r))
		}
	}
	for _, r := range "êáíóúâîôûëïÁÍÓÚÈÙÌÒãõ`\t\x00\x1b’“—…" {
		if septets(r) != 0 {
			t.Errorf("septets(%q) = %d, want 0 (not GSM-7)", r, septets(r))
		}
	}
	// Greek capitals that look Latin are not in the table; only the ten distinct ones are.
	for _, r := range "ΑΒΕΖΗΙΚΜΝΟΡΤΥΧαβγ" {
		if septets(r) != 0 {
			t.Errorf("septets(%q) = %d, want 0", r, septets(r))
		}
	}
}

// FuzzOf checks the counting invariants on arbitrary input.
func FuzzOf(f *testing.F) {
	for _, s := range []string{"", "Hello", "€{}", "It’s", "😀", strings.Repeat("a", 152) + "{" + strings.Repeat("b", 152),
		strings.Repeat("ê", 66) + "😀" + strings.Repeat("ê", 66), "a\xffb", "👨‍👩‍👧", strings.Repeat("€", 81)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		c := Of(body)
		allGSM, septetSum, utf16Sum := true, 0, 0
		for _, r := range body {
			if septets(r) == 0 {
				allGSM = false
			}
			septetSum += septets(r)
			utf16Sum += utf16Units(r)
		}
		single, part, units := ucsSingle, ucsPart, utf16Sum
		if allGSM {
			single, part, units = gsmSingle, gsmPart, septetSum
		}
		if (c.Encoding == GSM7) != allGSM {
			t.Fatalf("Of(%q).Encoding = %s, allGSM = %v", body, c.Encoding, allGSM)
		}
		if c.Units != units {
			t.Fatalf("Of(%q).Units = %d, want %d", body, c.Units, units)
		}
		if c.Segments < 1 {
			t.Fatalf("Of(%q).Segments = %d < 1", body, c.Segments)
		}
		if units <= single && c.Segments != 1 {
			t.Fatalf("Of(%q) = %+v: fits one segment", body, c)
		}
		if units > single {
			// At least the arithmetic minimum; at most one unit wasted per part.
			lo, hi := ceil(units, part), ceil(units, part-1)
			if c.Segments < lo || c.Segments > hi {
				t.Fatalf("Of(%q) = %+v: segments outside [%d, %d]", body, c, lo, hi)
			}
		}
		if Fits(body, c.Segments) != true || (c.Segments > 1 && Fits(body, c.Segments-1)) {
			t.Fatalf("Fits disagrees with Of for %q (%+v)", body, c)
		}
		if utf8.ValidString(body) && c.Encoding == UCS2 && c.Units < utf8.RuneCountInString(body) {
			t.Fatalf("UCS-2 units %d < runes for %q", c.Units, body)
		}
	})
}

func ceil(a, b int) int { return (a + b - 1) / b }
