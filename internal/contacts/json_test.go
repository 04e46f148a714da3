package contacts

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// items turns JSON texts into the raw array items ParseJSON takes.
func items(texts ...string) []json.RawMessage {
	out := make([]json.RawMessage, len(texts))
	for i, s := range texts {
		out[i] = json.RawMessage(s)
	}
	return out
}

const (
	ann  = "+13137316433"
	bob  = "+12485550101"
	carl = "+447911123456"
)

func TestParseJSON(t *testing.T) {
	tests := []struct {
		name  string
		items []string
		want  Result
	}{
		{
			name: "all standard fields",
			items: []string{`{"phone_number":"(313) 731-6433","first_name":" Ann ","last_name":"Lee",
				"email":"ann@example.com","company_name":"Acme","unique_id":"u1","do_not_call":false,
				"city":"Detroit","state":"MI","zip_code":"48201","notes":"  met at expo  "}`},
			want: Result{Contacts: []Contact{{Phone: ann, FirstName: "Ann", LastName: "Lee",
				Email: "ann@example.com", Company: "Acme", UniqueID: "u1",
				Fields: map[string]string{"city": "Detroit", "state": "MI", "zip_code": "48201", "notes": "met at expo"}}}},
		},
		{
			name:  "phone alias and a number value",
			items: []string{`{"phone":"3137316433"}`, `{"phone_number":2485550101}`, `{"Mobile":"+44 7911 123456"}`},
			want:  Result{Contacts: []Contact{{Phone: ann}, {Phone: bob}, {Phone: carl}}},
		},
		{
			name: "missing, empty and null phone",
			items: []string{`{"first_name":"Ann"}`, `{"phone_number":""}`, `{"phone_number":"   "}`,
				`{"phone_number":null}`, `{}`},
			want: Result{Rejected: []Rejected{
				{Row: 1, Reason: "phone_number is missing"}, {Row: 2, Reason: "phone_number is missing"},
				{Row: 3, Reason: "phone_number is missing"}, {Row: 4, Reason: "phone_number is missing"},
				{Row: 5, Reason: "phone_number is missing"}}},
		},
		{
			name:  "invalid phones carry phone.Normalize's text",
			items: []string{`{"phone_number":"12"}`, `{"phone_number":"+1313"}`, `{"phone":"1-800-FLOWERS"}`, `{"phone":3.137316433e9}`},
			want: Result{Rejected: []Rejected{
				{Row: 1, Phone: "12", Reason: `"12" is not a phone number: include the country code, starting with +`},
				{Row: 2, Phone: "+1313", Reason: `"+1313" is not a phone number: too short`},
				{Row: 3, Phone: "1-800-FLOWERS", Reason: `"1-800-FLOWERS" is not a phone number`},
				{Row: 4, Phone: "3.137316433e9", Reason: `"3.137316433e9" is not a phone number`}}},
		},
		{
			name:  "items that are not objects",
			items: []string{`["3137316433"]`, `"3137316433"`, `3137316433`, `true`, `null`},
			want: Result{Rejected: []Rejected{
				{Row: 1, Reason: "contact must be a JSON object, not an array"},
				{Row: 2, Reason: "contact must be a JSON object, not a string"},
				{Row: 3, Reason: "contact must be a JSON object, not a number"},
				{Row: 4, Reason: "contact must be a JSON object, not a boolean"},
				{Row: 5, Reason: "contact must be a JSON object, not null"}}},
		},
		{
			name:  "items that are not JSON",
			items: []string{``, `{"phone":`, `{"phone":"3137316433"} {}`},
			want: Result{Rejected: []Rejected{
				{Row: 1, Reason: "contact is not valid JSON: unexpected end"},
				{Row: 2, Reason: "contact is not valid JSON: unexpected end"},
				{Row: 3, Reason: "contact is not valid JSON: unexpected data after the object"}}},
		},
		{
			name: "duplicates after normalisation name the accepted row",
			items: []string{`{"phone":"12"}`, `{"phone":"3137316433"}`, `{"phone":"+1 (313) 731-6433"}`,
				`{"phone":"2485550101"}`, `{"phone_number":13137316433}`},
			want: Result{
				Contacts: []Contact{{Phone: ann}, {Phone: bob}},
				Rejected: []Rejected{
					{Row: 1, Phone: "12", Reason: `"12" is not a phone number: include the country code, starting with +`},
					{Row: 3, Phone: "+1 (313) 731-6433", Reason: "duplicate of row 2"},
					{Row: 5, Phone: "13137316433", Reason: "duplicate of row 2"}}},
		},
		{
			name: "a rejected row claims no phone",
			items: []string{`{"phone":"3137316433","do_not_call":"maybe"}`, `{"phone":"3137316433"}`,
				`{"phone":"3137316433"}`},
			want: Result{
				Contacts: []Contact{{Phone: ann}},
				Rejected: []Rejected{
					{Row: 1, Phone: "3137316433", Reason: `do_not_call must be true or false, not "maybe"`},
					{Row: 3, Phone: "3137316433", Reason: "duplicate of row 2"}}},
		},
		{
			name:  "duplicate unique_id",
			items: []string{`{"phone":"3137316433","unique_id":"u1"}`, `{"phone":"2485550101","unique_id":"u1"}`, `{"phone":"2485550101","unique_id":"u2"}`},
			want: Result{
				Contacts: []Contact{{Phone: ann, UniqueID: "u1"}, {Phone: bob, UniqueID: "u2"}},
				Rejected: []Rejected{{Row: 2, Phone: "2485550101", Reason: `unique_id "u1" is already used by row 1`}}},
		},
		{
			name: "do_not_call spellings",
			items: []string{`{"phone":"3137316433","do_not_call":true}`, `{"phone":"2485550101","do_not_call":"Yes"}`,
				`{"phone":"+447911123456","do_not_call":1}`, `{"phone":"+12485550102","do_not_call":"no"}`,
				`{"phone":"+12485550103","do_not_call":0}`, `{"phone":"+12485550104","doNotCall":"TRUE"}`,
				`{"phone":"+12485550105","do_not_call":null}`, `{"phone":"+12485550106","do_not_call":[true]}`},
			want: Result{
				Contacts: []Contact{{Phone: ann, DoNotCall: true}, {Phone: bob, DoNotCall: true},
					{Phone: carl, DoNotCall: true}, {Phone: "+12485550102"}, {Phone: "+12485550103"},
					{Phone: "+12485550104", DoNotCall: true}, {Phone: "+12485550105"}},
				Rejected: []Rejected{{Row: 8, Phone: "+12485550106",
					Reason: "do_not_call must be text, a number or a boolean, not an array"}}},
		},
		{
			name: "numbers and booleans keep their JSON text; nested values become compact JSON",
			items: []string{`{"phone":"3137316433","fico_score":720,"vip":true,"rate":3.5e-2,
				"tags":[ "a", "b" ],"meta":{"k": 1},"none":[],"nothing":{},"nil":null,"blank":""}`},
			want: Result{Contacts: []Contact{{Phone: ann, Fields: map[string]string{
				"fico_score": "720", "vip": "true", "rate": "3.5e-2", "tags": `["a","b"]`, "meta": `{"k":1}`}}}},
		},
		{
			name: "nested values in Contact's own fields reject the row, phone first",
			items: []string{`{"phone_number":"3137316433","first_name":{"a":1}}`,
				`{"first_name":{"a":1},"phone_number":["3137316433"]}`,
				`{"first_name":{"a":1},"phone_number":"12"}`},
			want: Result{Rejected: []Rejected{
				{Row: 1, Phone: "3137316433", Reason: "first_name must be text, a number or a boolean, not an object"},
				{Row: 2, Phone: `["3137316433"]`, Reason: "phone_number must be text, a number or a boolean, not an array"},
				{Row: 3, Phone: "12", Reason: `"12" is not a phone number: include the country code, starting with +`}}},
		},
		{
			name: "keys are canonicalised and aliased",
			items: []string{`{"Phone Number":"3137316433","First-Name":"Ann","LastName":"Lee","E-Mail":"a@b.c",
				"ZipCode":"48201","timeZone":"America/Detroit","Loan Amount ($)":"5000","Street":"1 Main St",
				"uniqueId":"u9","Company":"Acme"}`},
			want: Result{Contacts: []Contact{{Phone: ann, FirstName: "Ann", LastName: "Lee", Email: "a@b.c",
				Company: "Acme", UniqueID: "u9", Fields: map[string]string{"zip_code": "48201",
					"time_zone": "America/Detroit", "loan_amount": "5000", "address_line_1": "1 Main St"}}}},
		},
		{
			name: "the exact name wins over an alias; the other values are kept under their own names",
			items: []string{`{"phone":"2485550101","phone_number":"3137316433","mobile":"+447911123456"}`,
				`{"phone_number":"","phone":"3137316433"}`,
				`{"email":"a@x.io","Email":"b@x.io","zip":"1","zip_code":"2"}`},
			want: Result{
				Contacts: []Contact{{Phone: ann, Fields: map[string]string{"phone": "2485550101", "mobile": "+447911123456"}}},
				Rejected: []Rejected{
					{Row: 2, Phone: "3137316433", Reason: "duplicate of row 1"},
					{Row: 3, Reason: "phone_number is missing"}}},
		},
		{
			name: "kept duplicates get numbered names that never displace a real field",
			items: []string{`{"phone":"3137316433","email":"a@x.io","Email":"b@x.io","notes":"a","Notes":"b",
				"notes_2":"c","company":"A","company_name":"B","":"anon"}`},
			want: Result{Contacts: []Contact{{Phone: ann, Email: "a@x.io", Company: "A", Fields: map[string]string{
				"email_2": "b@x.io", "notes": "a", "notes_2": "c", "notes_3": "b", "company_name_2": "B",
				"field_9": "anon"}}}},
		},
		{
			name:  "values are made safe to store",
			items: []string{`{"phone":"3137316433","first_name":"A\u0000nn","notes":"` + "caf\xe9" + `"}`},
			want:  Result{Contacts: []Contact{{Phone: ann, FirstName: "Ann", Fields: map[string]string{"notes": "caf\uFFFD"}}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ParseJSON(items(tt.items...))
			if !reflect.DeepEqual(withoutRows(got), tt.want) {
				t.Errorf("ParseJSON:\n got %#v\nwant %#v", got, tt.want)
			}
			checkResult(t, got, len(tt.items))
		})
	}
}

// The decoder's own text follows the prefix; it is encoding/json's to word.
func TestParseJSONSyntaxError(t *testing.T) {
	for _, in := range []string{`{"phone" "x"}`, `{phone:1}`, `{"a":1,}`, "\xff"} {
		got := ParseJSON(items(in))
		if len(got.Rejected) != 1 || !strings.HasPrefix(got.Rejected[0].Reason, "contact is not valid JSON: ") {
			t.Errorf("ParseJSON(%q) = %#v", in, got)
		}
	}
}

func TestParseJSONEmpty(t *testing.T) {
	if got := ParseJSON(nil); !reflect.DeepEqual(got, Result{}) {
		t.Errorf("ParseJSON(nil) = %#v, want the zero Result", got)
	}
}
