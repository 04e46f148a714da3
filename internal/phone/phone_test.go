package phone

import (
	"slices"
	"testing"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr string
	}{
		// NANP shorthands.
		{in: "3137316433", want: "+13137316433"},
		{in: "(313) 731-6433", want: "+13137316433"},
		{in: "313.731.6433", want: "+13137316433"},
		{in: "13137316433", want: "+13137316433"},
		{in: "1-313-731-6433", want: "+13137316433"},
		{in: " 13137316433", want: "+13137316433"}, // a '+' that a URL decoder turned into a space
		{in: "+1 (313) 731-6433", want: "+13137316433"},
		{in: "+13137316433", want: "+13137316433"},
		{in: "\t+13137316433\n", want: "+13137316433"},
		// Possible but unassigned: the spec's own examples.
		{in: "+15551234567", want: "+15551234567"},
		{in: "5551234567", want: "+15551234567"},
		{in: "+1 800 555 0199", want: "+18005550199"},
		// International numbers need '+'.
		{in: "+44 20 7946 0958", want: "+442079460958"},
		{in: "+44 (0)20 7946 0958", want: "+442079460958"}, // national prefix dropped
		{in: "+33 1 23 45 67 89", want: "+33123456789"},
		{in: "+81 3-1234-5678", want: "+81312345678"},
		{in: "+86 10 1234 5678", want: "+861012345678"},
		{in: "+49 30 123456", want: "+4930123456"},
		// Only a leading '+' counts; others are stripped like punctuation.
		{in: "1+313+731+6433", want: "+13137316433"},

		{in: "", wantErr: `"" is not a phone number`},
		{in: "   ", wantErr: `"   " is not a phone number`},
		{in: "+", wantErr: `"+" is not a phone number`},
		{in: "abc", wantErr: `"abc" is not a phone number`},
		{in: "1-800-FLOWERS", wantErr: `"1-800-FLOWERS" is not a phone number`},
		{in: "+13137316433 ext 12", wantErr: `"+13137316433 ext 12" is not a phone number`},
		{in: "call 3137316433", wantErr: `"call 3137316433" is not a phone number`},
		{in: "+1313٧316433", wantErr: `"+1313٧316433" is not a phone number`},
		{in: "12345", wantErr: `"12345" is not a phone number: include the country code, starting with +`},
		{in: "442079460958", wantErr: `"442079460958" is not a phone number: include the country code, starting with +`},
		{in: "23137316433", wantErr: `"23137316433" is not a phone number: include the country code, starting with +`},
		{in: "313731643", wantErr: `"313731643" is not a phone number: include the country code, starting with +`},
		{in: "+15551234", wantErr: `"+15551234" is not a phone number: too short`}, // local-only length
		{in: "+1555", wantErr: `"+1555" is not a phone number: too short`},
		{in: "+1555123456789", wantErr: `"+1555123456789" is not a phone number: too long`},
		{in: "+999123456", wantErr: `"+999123456" is not a phone number: unknown country code`},
		{in: "+0123456789", wantErr: `"+0123456789" is not a phone number: unknown country code`},
		{in: "+1234567890123456789012", wantErr: `"+1234567890123456789012" is not a phone number: too long`},
	}
	for _, tt := range tests {
		got, err := Normalize(tt.in)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("Normalize(%q) = %q, %v; want error %q", tt.in, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("Normalize(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestIsE164(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"+13137316433", true},
		{"+15551234567", true},
		{"+442079460958", true},
		{"+861012345678", true},
		{"13137316433", false},     // no '+'
		{"3137316433", false},      // no country code
		{"+1 313-731-6433", false}, // formatted
		{"+4402079460958", false},  // national prefix kept: not canonical
		{"+15551234", false},       // local only
		{"+999123456", false},      // unknown country code
		{"+0123456789", false},
		{"+", false},
		{"", false},
		{"+1313731643a", false},
		{"+12345678901234567", false}, // more than 15 digits
	}
	for _, tt := range tests {
		if got := IsE164(tt.in); got != tt.want {
			t.Errorf("IsE164(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestPretty(t *testing.T) {
	tests := []struct{ in, want string }{
		{"+13137316433", "+1 313-731-6433"},
		{"+15551234567", "+1 555-123-4567"},
		{"+18005550199", "+1 800-555-0199"},
		{"+14165550123", "+1 416-555-0123"}, // Canada is NANP too
		{"+442079460958", "+44 20 7946 0958"},
		{"+33123456789", "+33 1 23 45 67 89"},
		{"+81312345678", "+81 3-1234-5678"},
		{"13137316433", "+1 313-731-6433"}, // lenient: normalised first
		{"not a number", "not a number"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Pretty(tt.in); got != tt.want {
			t.Errorf("Pretty(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestTimeZones(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"+13137316433", []string{"America/New_York"}},
		{"+12135550123", []string{"America/Los_Angeles"}},
		{"+442079460958", []string{"Europe/London"}},
		{"+81312345678", []string{"Asia/Tokyo"}},
		{"garbage", nil},
		{"", nil},
	}
	for _, tt := range tests {
		if got := TimeZones(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("TimeZones(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}

	// An unassigned NANP area code maps to the whole plan's zones, not to a single one.
	if got := TimeZones("+15551234567"); len(got) < 2 || !slices.Contains(got, "America/Chicago") {
		t.Errorf("TimeZones(+15551234567) = %v, want every NANP zone", got)
	}

	// The result is a copy: changing it must not alter later answers.
	z := TimeZones("+13137316433")
	z[0] = "Mars/Olympus_Mons"
	if got := TimeZones("+13137316433"); got[0] != "America/New_York" {
		t.Errorf("TimeZones shares its slice with the geocoding table: %v", got)
	}
}

// TestNormalizeIsIdempotent: a normalised number normalises to itself, so a stored number fed
// back in (a second upload, a dedupe) matches.
func TestNormalizeIsIdempotent(t *testing.T) {
	for _, in := range []string{"+810000000000", "+44 (0)20 7946 0958", "(313) 555-0101", "+15551234567", "+8613800138000"} {
		out, err := Normalize(in)
		if err != nil {
			continue
		}
		if again, err := Normalize(out); err != nil || again != out {
			t.Errorf("Normalize(%q) = %q, but Normalize(%q) = %q, %v", in, out, out, again, err)
		}
	}
	if _, err := Normalize("+810000000000"); err == nil {
		t.Error("+810000000000 collapses on every pass and must be refused")
	}
}

func FuzzNormalize(f *testing.F) {
	for _, seed := range []string{"+810000000000", "(313) 555-0101", "+44 (0)20 7946 0958", "12", "+1"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, err := Normalize(in)
		if err != nil {
			return
		}
		if again, err := Normalize(out); err != nil || again != out || !IsE164(out) {
			t.Fatalf("Normalize(%q) = %q is not a fixed point: %q, %v", in, out, again, err)
		}
	})
}

// FuzzIsE164 holds the fast path to its definition: s is canonical exactly when Normalize
// returns it unchanged.
func FuzzIsE164(f *testing.F) {
	for _, seed := range []string{"+13135550101", "+12005550100", "+11235550100", "+447911123456", "+1313555010", "+131355501012", "+810000000000", "+1"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := Normalize(s)
		if want := err == nil && n == s; IsE164(s) != want {
			t.Fatalf("IsE164(%q) = %v; Normalize gives %q, %v", s, !want, n, err)
		}
	})
}

// BenchmarkIsE164 measures the check the sandbox carrier and the send gate's zone lookup make
// on every message.
func BenchmarkIsE164(b *testing.B) {
	for _, s := range []string{"+13135550101", "+447911123456"} {
		b.Run(s, func(b *testing.B) {
			for b.Loop() {
				IsE164(s)
			}
		})
	}
}
