package contacts

import (
	"maps"
	"testing"
)

func TestFieldKey(t *testing.T) {
	tests := []struct{ in, want string }{
		{"phone_number", "phone_number"},
		{"Phone Number", "phone_number"},
		{" PHONE-NUMBER ", "phone_number"},
		{"\uFEFFphone", "phone"}, // a byte-order mark glued to the first header cell
		{"First  Name", "first_name"},
		{"first.name", "first_name"},
		{"__first__name__", "first_name"},
		{"Phone #", "phone"},
		{"Loan Amount ($)", "loan_amount"},
		{"Address Line 1", "address_line_1"},
		{"firstName", "firstname"}, // camelCase is not split; the alias table knows "firstname"
		{"Prénom", "prénom"},
		{"Straße", "straße"},
		{"a\x00b", "a_b"},
		{"a\xffb", "a_b"}, // invalid UTF-8 is a separator, never kept
		{"", ""},
		{"  ", ""},
		{"#", ""},
		{"\uFEFF", ""},
	}
	for _, tt := range tests {
		if got := FieldKey(tt.in); got != tt.want {
			t.Errorf("FieldKey(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestAliases(t *testing.T) {
	tests := []struct{ key, want string }{
		// The spec's CSV aliases.
		{"phone", "phone_number"}, {"mobile", "phone_number"}, {"cell", "phone_number"},
		{"firstname", "first_name"}, {"first", "first_name"},
		{"lastname", "last_name"}, {"last", "last_name"},
		{"address", "address_line_1"}, {"street", "address_line_1"},
		{"zip", "zip_code"}, {"postal_code", "zip_code"},
		// Additions.
		{"phonenumber", "phone_number"}, {"mobile_phone", "phone_number"}, {"cell_phone", "phone_number"},
		{"mobilephone", "phone_number"}, {"cellphone", "phone_number"},
		{"e_mail", "email"}, {"email_address", "email"}, {"emailaddress", "email"},
		{"company_name", "company"}, {"companyname", "company"},
		{"uniqueid", "unique_id"}, {"donotcall", "do_not_call"},
		{"zipcode", "zip_code"}, {"postalcode", "zip_code"}, {"timezone", "time_zone"},
		{"addressline1", "address_line_1"}, {"leadsource", "lead_source"}, {"externalid", "external_id"},
		{"ficoscore", "fico_score"},
	}
	for _, tt := range tests {
		if got := aliases[tt.key]; got != tt.want {
			t.Errorf("aliases[%q] = %q, want %q", tt.key, got, tt.want)
		}
	}
	// Every alias resolves in one step: a target is never itself an alias of something else.
	for k, v := range aliases {
		if w, ok := aliases[v]; ok && w != v {
			t.Errorf("alias %q → %q → %q", k, v, w)
		}
		if FieldKey(k) != k {
			t.Errorf("alias %q is not in canonical form", k)
		}
	}
}

func TestParseDoNotCall(t *testing.T) {
	tests := []struct {
		in     string
		want   bool
		reason string
	}{
		{"", false, ""}, {"false", false, ""}, {"no", false, ""}, {"0", false, ""}, {"NO", false, ""},
		{"true", true, ""}, {"yes", true, ""}, {"1", true, ""}, {"True", true, ""}, {"YES", true, ""},
		{"maybe", false, `do_not_call must be true or false, not "maybe"`},
		{"2", false, `do_not_call must be true or false, not "2"`},
		{"1.0", false, `do_not_call must be true or false, not "1.0"`},
	}
	for _, tt := range tests {
		got, reason := parseDoNotCall(tt.in)
		if got != tt.want || reason != tt.reason {
			t.Errorf("parseDoNotCall(%q) = %v, %q; want %v, %q", tt.in, got, reason, tt.want, tt.reason)
		}
	}
}

func TestCleanValue(t *testing.T) {
	tests := []struct{ in, want string }{
		{"  Ann  ", "Ann"},
		{"\tA B\r\n", "A B"},
		{"\u00a0Ann\u00a0", "Ann"},
		{"a\x00b", "ab"},
		{"a\xffb", "a\uFFFDb"},
		{"line 1\nline 2", "line 1\nline 2"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := cleanValue(tt.in); got != tt.want {
			t.Errorf("cleanValue(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestVars(t *testing.T) {
	tests := []struct {
		name string
		c    Contact
		want map[string]string
	}{
		{
			name: "standard and custom fields",
			c: Contact{Phone: "+13137316433", FirstName: "Ann", LastName: "Lee", Email: "ann@example.com",
				Company: "Acme", Fields: map[string]string{"city": "Detroit", "fico_score": "720"},
				UniqueID: "u1", DoNotCall: true},
			want: map[string]string{"phone_number": "+13137316433", "first_name": "Ann", "last_name": "Lee",
				"email": "ann@example.com", "company": "Acme", "company_name": "Acme",
				"city": "Detroit", "fico_score": "720"},
		},
		{
			name: "standard names present even when empty",
			c:    Contact{Phone: "+13137316433"},
			want: map[string]string{"phone_number": "+13137316433", "first_name": "", "last_name": "",
				"email": "", "company": "", "company_name": ""},
		},
		{
			name: "a hand-built Fields entry never overrides a standard field",
			c:    Contact{Phone: "+13137316433", FirstName: "Ann", Fields: map[string]string{"first_name": "Bob", "company_name": "X"}},
			want: map[string]string{"phone_number": "+13137316433", "first_name": "Ann", "last_name": "",
				"email": "", "company": "", "company_name": ""},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.c.Vars()
			if !maps.Equal(got, tt.want) {
				t.Errorf("Vars() = %v, want %v", got, tt.want)
			}
			got["city"] = "changed"
			if tt.c.Fields != nil && tt.c.Fields["city"] == "changed" {
				t.Error("Vars shares its map with Fields")
			}
		})
	}
}
