package placeholders

import (
	"maps"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestRender(t *testing.T) {
	lead := map[string]string{
		"first_name": "Ann",
		"last_name":  "Lee",
		"company":    "Acme",
		"email":      "ann@example.com",
		"city":       "  Austin ",
		"blank":      "   ",
		"empty":      "",
		"braces":     "{{company}}",
	}
	tests := []struct {
		name, tpl, want string
		vars            map[string]string
	}{
		{"no placeholders", "Hello there!", "Hello there!", lead},
		{"one variable", "Hi {{first_name}},", "Hi Ann,", lead},
		{"several variables", "Hi {{first_name}} {{last_name}} from {{company}}", "Hi Ann Lee from Acme", lead},
		{"padding spaces", "Hi {{ first_name }}!", "Hi Ann!", lead},
		{"padding tabs", "Hi {{\tfirst_name\t}}!", "Hi Ann!", lead},
		{"upper case name", "Hi {{FIRST_NAME}}", "Hi Ann", lead},
		{"mixed case name", "Hi {{First_Name}}", "Hi Ann", lead},
		{"spaced name", "Hi {{First Name}}", "Hi Ann", lead},
		{"hyphenated name", "Hi {{first-name}}", "Hi Ann", lead},
		{"same variable twice", "{{first_name}}, {{first_name}}!", "Ann, Ann!", lead},
		{"adjacent variables", "{{first_name}}{{last_name}}", "AnnLee", lead},
		{"value trimmed", "In {{city}} today", "In Austin today", lead},
		{"email", "Is {{email}} right?", "Is ann@example.com right?", lead},
		{"value not expanded again", "Name: {{braces}}", "Name: {{company}}", lead},
		{"emoji around", "👋 {{first_name}} 🎉", "👋 Ann 🎉", lead},
		{"multi-line", "Hi {{first_name}}\nThanks,\n{{company}}", "Hi Ann\nThanks,\nAcme", lead},
		// first_name fallback.
		{"missing first_name", "Hi {{first_name}},", "Hi there,", map[string]string{}},
		{"empty first_name", "Hi {{first_name}}, how are you?", "Hi there, how are you?", map[string]string{"first_name": ""}},
		{"blank first_name", "Hi {{ First Name }}!", "Hi there!", map[string]string{"first_name": "  "}},
		{"nil vars", "Hi {{first_name}}", "Hi there", nil},
		// Other missing variables are removed and the text tidied.
		{"missing at end", "Thanks from {{company}}", "Thanks from", nil},
		{"missing before period", "Thanks from {{company}}.", "Thanks from.", nil},
		{"missing before comma", "Hi {{nickname}}, welcome", "Hi, welcome", lead},
		{"missing before exclamation", "Welcome {{nickname}}!", "Welcome!", lead},
		{"missing before question mark", "Still at {{address}}?", "Still at?", lead},
		{"missing mid-sentence", "Your {{car}} is ready", "Your is ready", lead},
		{"missing at start", "{{greeting}} Ann", "Ann", lead},
		{"missing at start before comma", "{{greeting}}, thanks!", "thanks!", lead},
		{"missing alone", "{{x}}", "", lead},
		{"missing between spaces", "a  {{x}}  b", "a b", lead},
		{"glued on both sides", "foo{{x}}bar", "foobar", lead},
		{"glued on one side", "foo{{x}} bar", "foo bar", lead},
		{"two missing in a row", "Hello {{title}} {{middle}}!", "Hello!", lead},
		{"missing then present", "Hi {{title}} {{first_name}}!", "Hi Ann!", lead},
		{"dangling comma dropped", "Hi {{first_name}}, {{nickname}}!", "Hi Ann!", lead},
		{"dangling comma before period", "Thanks, {{nickname}}.", "Thanks.", lead},
		{"comma kept before text", "Hi, {{nickname}} welcome", "Hi, welcome", lead},
		{"empty parentheses removed", "Call us ({{phone}}) today", "Call us today", lead},
		{"parentheses kept when filled", "Call {{company}} ({{city}})", "Call Acme (Austin)", lead},
		{"start of parenthesis", "Call ({{phone}} ext 2)", "Call (ext 2)", lead},
		{"missing before newline", "Hi {{nickname}}\nBye", "Hi\nBye", lead},
		{"missing after newline", "Hi\n{{nickname}} there", "Hi\nthere", lead},
		{"missing line start comma", "Hi\n{{x}}, there", "Hi\nthere", lead},
		{"empty value removed", "Hi {{empty}}!", "Hi!", lead},
		{"blank value removed", "Hi {{blank}}!", "Hi!", lead},
		{"name fallback is not applied", "Dear {{name}},", "Dear,", lead},
		// Not placeholders: left literally.
		{"empty braces", "a {{}} b", "a {{}} b", lead},
		{"blank braces", "a {{ }} b", "a {{ }} b", lead},
		{"underscores only", "a {{__}} b", "a {{__}} b", lead},
		{"operator inside", "a {{a+b}} b", "a {{a+b}} b", lead},
		{"dot inside", "{{lead.first_name}}", "{{lead.first_name}}", lead},
		{"newline inside", "{{first\nname}}", "{{first\nname}}", lead},
		{"unclosed", "Hi {{first_name", "Hi {{first_name", lead},
		{"unopened", "Hi first_name}}", "Hi first_name}}", lead},
		{"single braces", "Hi {first_name}", "Hi {first_name}", lead},
		{"one closing brace", "Hi {{first_name}", "Hi {{first_name}", lead},
		{"triple braces", "{{{first_name}}}", "{Ann}", lead},
		{"nested", "{{ {{first_name}} }}", "{{ Ann }}", lead},
		{"handlebars block", "{{#if x}}y{{/if}}", "{{#if x}}y{{/if}}", lead},
		{"literal between valid ones", "{{first_name}} {{}} {{last_name}}", "Ann {{}} Lee", lead},
		// Placeholders that only form once a missing one is removed are handled too.
		{"joined by removal", "{{{{x}}first_name}}", "Ann", lead},
		{"joined by removal, missing", "a {{{{x}}y}} b", "a b", lead},
		{"joined twice", "{{{{{{x}}y}}first_name}}", "Ann", lead},
		{"joined across a split opener", "{{{x}}{first_name}}", "Ann", lead},
		{"joined across a split closer", "{{first_name}{{x}}}", "Ann", lead},
		{"joined across two gaps", "{{fir{{x}}st_{{y}}name}}", "Ann", lead},
		{"not joined across a value", "{{{{company}}x}}", "{{Acmex}}", lead},
		// Names are at most 100 bytes between the braces.
		{"100-byte name", "{{" + strings.Repeat("a", 100) + "}}!", "!", lead},
		{"101-byte name is literal", "{{" + strings.Repeat("a", 101) + "}}", "{{" + strings.Repeat("a", 101) + "}}", lead},
		{"padding counts", "{{" + strings.Repeat(" ", 95) + "first_name }}", "{{" + strings.Repeat(" ", 95) + "first_name }}", lead},
		// Keys of vars not normalised yet.
		{"raw keys looked up", "Hi {{first_name}} at {{company_name}}", "Hi Bo at Bo Inc",
			map[string]string{"First Name": "Bo", "Company Name": "Bo Inc"}},
		{"invalid UTF-8 passes through", "\xff{{first_name}}\xfe", "\xffAnn\xfe", lead},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Render(tt.tpl, tt.vars); got != tt.want {
				t.Errorf("Render(%q) = %q, want %q", tt.tpl, got, tt.want)
			}
		})
	}
}

func TestVariables(t *testing.T) {
	tests := []struct {
		tpl  string
		want []string
	}{
		{"", nil},
		{"no variables", nil},
		{"Hi {{first_name}}", []string{"first_name"}},
		{"{{ First Name }} {{LAST_NAME}} {{first_name}} {{company}}", []string{"first_name", "last_name", "company"}},
		{"{{b}} {{a}} {{b}}", []string{"b", "a"}},
		{"{{}} {{ }} {{a+b}} {{x", nil},
		{"{{{x}}}", []string{"x"}},
		{"{{zip-code}} {{Zip Code}}", []string{"zip_code"}},
		{"{{prénom}}", []string{"prénom"}},
		{"{{2nd_line}}", []string{"2nd_line"}},
	}
	for _, tt := range tests {
		if got := Variables(tt.tpl); !slices.Equal(got, tt.want) {
			t.Errorf("Variables(%q) = %q, want %q", tt.tpl, got, tt.want)
		}
	}
}

func TestKey(t *testing.T) {
	tests := map[string]string{
		"first_name":    "first_name",
		"First Name":    "first_name",
		"FIRST_NAME":    "first_name",
		"first-name":    "first_name",
		"  Zip Code  ":  "zip_code",
		"E-mail":        "e_mail",
		"company.name":  "company_name",
		"__private__":   "private",
		"a__b":          "a_b",
		"a - b":         "a_b",
		"firstName":     "firstname",
		"Prénom":        "prénom",
		"":              "",
		"   ":           "",
		"_-_":           "",
		"Address Line1": "address_line1",
	}
	for in, want := range tests {
		if got := Key(in); got != want {
			t.Errorf("Key(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLeadVars(t *testing.T) {
	tests := []struct {
		name   string
		fields map[string]string
		want   map[string]string
	}{
		{"nil", nil, map[string]string{}},
		{"keys normalised and values trimmed",
			map[string]string{"First Name": " Ann ", "Last-Name": "Lee", "EMAIL": "a@b.c", "Zip Code": "78701"},
			map[string]string{"first_name": "Ann", "last_name": "Lee", "email": "a@b.c", "zip_code": "78701", "name": "Ann Lee"}},
		{"company alias",
			map[string]string{"company_name": "Acme"},
			map[string]string{"company_name": "Acme", "company": "Acme"}},
		{"own company wins",
			map[string]string{"company_name": "Acme Inc", "company": "Acme"},
			map[string]string{"company_name": "Acme Inc", "company": "Acme"}},
		{"empty company replaced by alias",
			map[string]string{"company_name": "Acme", "company": " "},
			map[string]string{"company_name": "Acme", "company": "Acme"}},
		{"name from first only",
			map[string]string{"first_name": "Ann"},
			map[string]string{"first_name": "Ann", "name": "Ann"}},
		{"name from last only",
			map[string]string{"last_name": "Lee", "first_name": ""},
			map[string]string{"last_name": "Lee", "first_name": "", "name": "Lee"}},
		{"own name wins",
			map[string]string{"first_name": "Ann", "last_name": "Lee", "Name": "Dr. Ann Lee"},
			map[string]string{"first_name": "Ann", "last_name": "Lee", "name": "Dr. Ann Lee"}},
		{"no name without parts",
			map[string]string{"email": "a@b.c"},
			map[string]string{"email": "a@b.c"}},
		{"non-empty beats empty",
			map[string]string{"first_name": "", "First Name": "Ann"},
			map[string]string{"first_name": "Ann", "name": "Ann"}},
		{"normal spelling wins",
			map[string]string{"FIRST NAME": "Bob", "First Name": "Cy", "first_name": "Ann"},
			map[string]string{"first_name": "Ann", "name": "Ann"}},
		{"otherwise first in byte order",
			map[string]string{"First Name": "Cy", "FIRST NAME": "Bob"},
			map[string]string{"first_name": "Bob", "name": "Bob"}},
		{"unnamed field dropped",
			map[string]string{"--": "x", "custom field": "y"},
			map[string]string{"custom_field": "y"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := LeadVars(tt.fields); !maps.Equal(got, tt.want) {
				t.Errorf("LeadVars(%v) = %v, want %v", tt.fields, got, tt.want)
			}
		})
	}
}

func TestLeadVarsRender(t *testing.T) {
	vars := LeadVars(map[string]string{"First Name": "Ann", "Last Name": "Lee", "Company Name": "Acme"})
	got := Render("Hi {{first_name}}, this is {{company}} for {{ Name }}.", vars)
	if want := "Hi Ann, this is Acme for Ann Lee."; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// FuzzRender checks that no placeholder survives rendering, that text without placeholders
// is untouched, and that values arrive intact.
func FuzzRender(f *testing.F) {
	for _, s := range []string{"Hi {{first_name}},", "{{x}}, thanks", "a {{}} b", "{{{{x}}y}}", "({{x}})",
		"Hi {{nickname}}, {{company}}!", "\xff{{a}}", "{{ First Name }}", "plain", "{{\n{{x}}, y}}",
		"{{ {{first_name}} }}"} {
		f.Add(s, "company", "Acme")
	}
	f.Fuzz(func(t *testing.T, tpl, name, value string) {
		// Values made of characters that cannot be part of a name ("@!", or empty = missing):
		// any placeholder left in the output would then be made of template text alone.
		// (A value that can, like "Ann" in "{{ {{first_name}} }}", is data and stays literal.)
		inert := map[string]string{"first_name": "@!", Key(name): ""}
		for i, v := range Variables(tpl) {
			if i%2 == 0 && v != Key(name) {
				inert[v] = "@!"
			}
		}
		if out := Render(tpl, inert); len(Variables(out)) > 0 {
			t.Fatalf("Render(%q, %v) = %q still holds %q", tpl, inert, out, Variables(out))
		}

		vars := map[string]string{Key(name): value, "last_name": "Lee"}
		out := Render(tpl, vars)
		if !strings.Contains(tpl, "{{") && out != tpl {
			t.Fatalf("Render(%q) = %q, want it unchanged", tpl, out)
		}
		if utf8.ValidString(tpl) && utf8.ValidString(value) && !utf8.ValidString(out) {
			t.Fatalf("Render(%q) = %q is not valid UTF-8", tpl, out)
		}
		for _, v := range Variables(tpl) {
			if v == "" || Key(v) != v {
				t.Fatalf("Variables(%q) holds unnormalised %q", tpl, v)
			}
		}
		if k := Key(name); k != "" && slices.Contains(Variables(tpl), k) && isWord(value) && !strings.Contains(out, value) {
			t.Fatalf("Render(%q) = %q lost the value %q of %q", tpl, out, value, k)
		}
	})
}

// isWord reports whether v is a non-empty run of ASCII letters and digits: such a value
// survives tidying byte for byte.
func isWord(v string) bool {
	if v == "" {
		return false
	}
	for _, c := range []byte(v) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// TestRenderPathological renders large adversarial templates: many openers, deep joins made
// by removals, long runs of gaps. It checks results, not time; run with -v to see durations.
func TestRenderPathological(t *testing.T) {
	const n = 2000
	deep := strings.Repeat("{{", n) + "x}}" + strings.Repeat("y}}", n)
	tests := []struct{ name, tpl, want string }{
		{"many openers", strings.Repeat("{{", 50*n), strings.Repeat("{{", 50*n)},
		{"many unclosed names", strings.Repeat("{{abc ", 20*n), strings.Repeat("{{abc ", 20*n)},
		{"many gaps", strings.Repeat("a {{x}} ", 20*n), strings.TrimSuffix(strings.Repeat("a ", 20*n), " ")},
		{"long name run before gaps", "{{" + strings.Repeat("a", 50*n) + strings.Repeat("{{x}}", 20*n), "{{" + strings.Repeat("a", 50*n)},
		{"deep joins ending in a value", deep[:len(deep)-6] + "first_name}}", "Ann"},
		{"deep joins", deep, "y}}"}, // n-1 joins: one "y}}" is left over
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Render(tt.tpl, map[string]string{"first_name": "Ann"}); got != tt.want {
				t.Errorf("Render(len %d) = len %d %.40q…, want len %d", len(tt.tpl), len(got), got, len(tt.want))
			}
		})
	}
}
