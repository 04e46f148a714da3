package teli

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// wantInvalid fails unless err is a *Error with CodeInvalid and exactly the message want.
func wantInvalid(t *testing.T, label string, err error, want string) {
	t.Helper()
	var e *Error
	switch {
	case err == nil:
		t.Errorf("%s: no error, want %q", label, want)
	case !errors.As(err, &e):
		t.Errorf("%s: error %T %q is not a *teli.Error", label, err, err)
	case e.Code != CodeInvalid:
		t.Errorf("%s: code %d, want CodeInvalid", label, e.Code)
	case e.Message != want:
		t.Errorf("%s: error %q\n\twant %q", label, e.Message, want)
	}
}

// repeatJSON builds a JSON array of n copies of item, item formatted with its index.
func repeatJSON(n int, item string) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = fmt.Sprintf(item, i)
	}
	return "[" + strings.Join(parts, ",") + "]"
}

func TestParseDripSchedule(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []DripStep
		wantErr string
	}{
		{name: "null", in: `null`, want: nil},
		{name: "empty input", in: ``, want: nil},
		{name: "empty array", in: `[]`, want: []DripStep{}},
		{name: "day shape", in: `[{"day":1,"message":"Hi again"},{"day":3,"message":"Still there?"}]`,
			want: []DripStep{{24, DripCustom, "Hi again"}, {72, DripCustom, "Still there?"}}},
		{name: "day zero", in: `[{"day":0,"message":"now"}]`, want: []DripStep{{0, DripCustom, "now"}}},
		{name: "day max", in: `[{"day":365,"message":"a year"}]`, want: []DripStep{{8760, DripCustom, "a year"}}},
		{name: "fractional day", in: `[{"day":0.5,"message":"half"}]`, want: []DripStep{{12, DripCustom, "half"}}},
		{name: "delay_hours shape", in: `[{"delay_hours":24,"type":"ai"},{"delay_hours":48,"type":"custom","message":"x"}]`,
			want: []DripStep{{24, DripAI, ""}, {48, DripCustom, "x"}}},
		{name: "reminder type", in: `[{"delay_hours":2,"type":"reminder","message":"Reminder!"}]`,
			want: []DripStep{{2, DripReminder, "Reminder!"}}},
		{name: "delay_hours max and fractional", in: `[{"delay_hours":8760,"message":"m"},{"delay_hours":1.5,"message":"n"}]`,
			want: []DripStep{{8760, DripCustom, "m"}, {1.5, DripCustom, "n"}}},
		{name: "type defaults to custom", in: `[{"delay_hours":5,"message":"m"}]`, want: []DripStep{{5, DripCustom, "m"}}},
		{name: "null type defaults to custom", in: `[{"delay_hours":5,"type":null,"message":"m"}]`, want: []DripStep{{5, DripCustom, "m"}}},
		{name: "empty type defaults to custom", in: `[{"delay_hours":5,"type":"","message":"m"}]`, want: []DripStep{{5, DripCustom, "m"}}},
		{name: "type case-insensitive", in: `[{"delay_hours":5,"type":" AI "}]`, want: []DripStep{{5, DripAI, ""}}},
		{name: "ai message optional but kept", in: `[{"delay_hours":5,"type":"ai","message":"  be gentle "}]`,
			want: []DripStep{{5, DripAI, "be gentle"}}},
		{name: "ai null message", in: `[{"delay_hours":5,"type":"ai","message":null}]`, want: []DripStep{{5, DripAI, ""}}},
		{name: "message trimmed", in: `[{"day":1,"message":"  hi \n"}]`, want: []DripStep{{24, DripCustom, "hi"}}},
		{name: "unknown keys ignored", in: `[{"day":1,"message":"m","sent":false,"extra":{"a":1}}]`,
			want: []DripStep{{24, DripCustom, "m"}}},
		{name: "null day with delay_hours", in: `[{"day":null,"delay_hours":3,"message":"m"}]`, want: []DripStep{{3, DripCustom, "m"}}},
		{name: "shapes mixed, order kept", in: `[{"delay_hours":72,"message":"b"},{"day":1,"message":"a"}]`,
			want: []DripStep{{72, DripCustom, "b"}, {24, DripCustom, "a"}}},
		{name: "50 steps", in: repeatJSON(50, `{"day":%d,"message":"m"}`), want: func() []DripStep {
			s := make([]DripStep, 50)
			for i := range s {
				s[i] = DripStep{float64(24 * i), DripCustom, "m"}
			}
			return s
		}()},

		{name: "object", in: `{"day":1}`, wantErr: "drip_schedule must be an array"},
		{name: "string", in: `"daily"`, wantErr: "drip_schedule must be an array"},
		{name: "number", in: `3`, wantErr: "drip_schedule must be an array"},
		{name: "invalid JSON", in: `[{"day":1,]`, wantErr: "drip_schedule must be an array"},
		{name: "51 steps", in: repeatJSON(51, `{"day":1,"message":"m%d"}`), wantErr: "drip_schedule may have at most 50 steps"},
		{name: "item not object", in: `[{"day":1,"message":"m"},"later"]`, wantErr: "drip_schedule[1] must be an object"},
		{name: "item null", in: `[null]`, wantErr: "drip_schedule[0] must be an object"},
		{name: "day string", in: `[{"day":"1","message":"m"}]`, wantErr: "drip_schedule[0].day must be a number"},
		{name: "day bool", in: `[{"day":true,"message":"m"}]`, wantErr: "drip_schedule[0].day must be a number"},
		{name: "delay_hours string", in: `[{"delay_hours":"24","message":"m"}]`, wantErr: "drip_schedule[0].delay_hours must be a number"},
		{name: "neither", in: `[{"message":"m"}]`, wantErr: "drip_schedule[0] needs either day or delay_hours"},
		{name: "both", in: `[{"day":1,"delay_hours":24,"message":"m"}]`, wantErr: "drip_schedule[0] must have either day or delay_hours, not both"},
		{name: "negative day", in: `[{"day":-1,"message":"m"}]`, wantErr: "drip_schedule[0].day must be between 0 and 365"},
		{name: "day too big", in: `[{"day":366,"message":"m"}]`, wantErr: "drip_schedule[0].day must be between 0 and 365"},
		{name: "negative hours", in: `[{"delay_hours":-0.5,"message":"m"}]`, wantErr: "drip_schedule[0].delay_hours must be between 0 and 8760"},
		{name: "hours too big", in: `[{"delay_hours":8761,"message":"m"}]`, wantErr: "drip_schedule[0].delay_hours must be between 0 and 8760"},
		{name: "type not string", in: `[{"delay_hours":1,"type":1,"message":"m"}]`, wantErr: "drip_schedule[0].type must be a string"},
		{name: "type unknown", in: `[{"delay_hours":1,"type":"sms","message":"m"}]`, wantErr: "drip_schedule[0].type must be one of custom, ai, reminder"},
		{name: "message not string", in: `[{"day":1,"message":42}]`, wantErr: "drip_schedule[0].message must be a string"},
		{name: "ai message not string", in: `[{"day":1,"type":"ai","message":["x"]}]`, wantErr: "drip_schedule[0].message must be a string"},
		{name: "custom needs message", in: `[{"day":1,"message":"ok"},{"delay_hours":48,"type":"custom"}]`,
			wantErr: "drip_schedule[1].message is required for custom steps"},
		{name: "default custom needs message", in: `[{"day":2}]`, wantErr: "drip_schedule[0].message is required for custom steps"},
		{name: "blank message", in: `[{"day":2,"message":"  \t"}]`, wantErr: "drip_schedule[0].message is required for custom steps"},
		{name: "null message", in: `[{"day":2,"message":null}]`, wantErr: "drip_schedule[0].message is required for custom steps"},
		{name: "reminder needs message", in: `[{"delay_hours":2,"type":"reminder","message":""}]`,
			wantErr: "drip_schedule[0].message is required for reminder steps"},
	}
	for _, tt := range tests {
		got, err := ParseDripSchedule(json.RawMessage(tt.in))
		if tt.wantErr != "" {
			wantInvalid(t, tt.name, err, tt.wantErr)
			continue
		}
		if err != nil {
			t.Errorf("%s: unexpected error %v", tt.name, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: got %#v\n\twant %#v", tt.name, got, tt.want)
		}
	}
}

func TestDripStepDay(t *testing.T) {
	tests := []struct {
		hours float64
		day   int
		ok    bool
	}{
		{0, 0, true},
		{24, 1, true},
		{72, 3, true},
		{8760, 365, true},
		{12, 0, false},
		{25, 0, false},
		{36.5, 0, false},
		{-24, 0, false},
	}
	for _, tt := range tests {
		day, ok := DripStep{DelayHours: tt.hours}.Day()
		if day != tt.day || ok != tt.ok {
			t.Errorf("Day() of %v hours = %d, %v; want %d, %v", tt.hours, day, ok, tt.day, tt.ok)
		}
	}
}

func TestParseExtractionFields(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []ExtractionField
		wantErr string
	}{
		{name: "null", in: `null`, want: nil},
		{name: "empty input", in: ``, want: nil},
		{name: "empty array", in: `[]`, want: []ExtractionField{}},
		{name: "bare names", in: `["credit_score","loan_amount"," timeline "]`, want: []ExtractionField{
			{Name: "credit_score", Type: "string", Bare: true},
			{Name: "loan_amount", Type: "string", Bare: true},
			{Name: "timeline", Type: "string", Bare: true},
		}},
		{name: "objects and mixing", in: `["interested",{"name":"budget","description":" Monthly budget ","type":"number"},{"name":"owns_home","type":"boolean"},{"name":"notes"}]`,
			want: []ExtractionField{
				{Name: "interested", Type: "string", Bare: true},
				{Name: "budget", Description: "Monthly budget", Type: "number"},
				{Name: "owns_home", Type: "boolean"},
				{Name: "notes", Type: "string"},
			}},
		{name: "object type string explicit", in: `[{"name":"city","type":"string","description":""}]`,
			want: []ExtractionField{{Name: "city", Type: "string"}}},
		{name: "type case-insensitive", in: `[{"name":"x","type":"Boolean"}]`, want: []ExtractionField{{Name: "x", Type: "boolean"}}},
		{name: "null description and type", in: `[{"name":"x","description":null,"type":null}]`,
			want: []ExtractionField{{Name: "x", Type: "string"}}},
		{name: "unknown keys ignored", in: `[{"name":"x","required":true}]`, want: []ExtractionField{{Name: "x", Type: "string"}}},
		{name: "name trimmed in object", in: `[{"name":"  Age "}]`, want: []ExtractionField{{Name: "Age", Type: "string"}}},
		{name: "64-char name", in: `["a` + strings.Repeat("b", 63) + `"]`,
			want: []ExtractionField{{Name: "a" + strings.Repeat("b", 63), Type: "string", Bare: true}}},
		{name: "50 fields", in: repeatJSON(50, `"f%d"`), want: func() []ExtractionField {
			f := make([]ExtractionField, 50)
			for i := range f {
				f[i] = ExtractionField{Name: fmt.Sprintf("f%d", i), Type: "string", Bare: true}
			}
			return f
		}()},

		{name: "object", in: `{"name":"x"}`, wantErr: "extraction_fields must be an array"},
		{name: "string", in: `"credit_score"`, wantErr: "extraction_fields must be an array"},
		{name: "51 fields", in: repeatJSON(51, `"f%d"`), wantErr: "extraction_fields may have at most 50 fields"},
		{name: "number item", in: `["a",7]`, wantErr: "extraction_fields[1] must be a field name or an object with a name"},
		{name: "null item", in: `[null]`, wantErr: "extraction_fields[0] must be a field name or an object with a name"},
		{name: "array item", in: `[["a"]]`, wantErr: "extraction_fields[0] must be a field name or an object with a name"},
		{name: "empty string", in: `["  "]`, wantErr: "extraction_fields[0] must not be empty"},
		{name: "object without name", in: `[{"description":"d"}]`, wantErr: "extraction_fields[0].name is required"},
		{name: "object blank name", in: `[{"name":" "}]`, wantErr: "extraction_fields[0].name is required"},
		{name: "object name not string", in: `[{"name":5}]`, wantErr: "extraction_fields[0].name must be a string"},
		{name: "description not string", in: `[{"name":"a","description":1}]`, wantErr: "extraction_fields[0].description must be a string"},
		{name: "type not string", in: `[{"name":"a","type":true}]`, wantErr: "extraction_fields[0].type must be a string"},
		{name: "type unknown", in: `[{"name":"a","type":"date"}]`, wantErr: "extraction_fields[0].type must be one of string, boolean, number"},
		{name: "bare name with space", in: `["loan amount"]`,
			wantErr: "extraction_fields[0] 'loan amount' must start with a letter and contain only letters, digits and _ (at most 64 characters)"},
		{name: "bare name leading digit", in: `["1st_choice"]`,
			wantErr: "extraction_fields[0] '1st_choice' must start with a letter and contain only letters, digits and _ (at most 64 characters)"},
		{name: "object name leading underscore", in: `[{"name":"_x"}]`,
			wantErr: "extraction_fields[0].name '_x' must start with a letter and contain only letters, digits and _ (at most 64 characters)"},
		{name: "object name with dash", in: `[{"name":"first-name"}]`,
			wantErr: "extraction_fields[0].name 'first-name' must start with a letter and contain only letters, digits and _ (at most 64 characters)"},
		{name: "65-char name", in: `["a` + strings.Repeat("b", 64) + `"]`,
			wantErr: "extraction_fields[0] 'a" + strings.Repeat("b", 64) + "' must start with a letter and contain only letters, digits and _ (at most 64 characters)"},
		{name: "duplicate bare", in: `["a","b","a"]`, wantErr: "extraction_fields[2] 'a' duplicates extraction_fields[0]"},
		{name: "duplicate ignoring case, mixed forms", in: `["credit_score",{"name":"Credit_Score"}]`,
			wantErr: "extraction_fields[1].name 'Credit_Score' duplicates extraction_fields[0]"},
	}
	for _, tt := range tests {
		got, err := ParseExtractionFields(json.RawMessage(tt.in))
		if tt.wantErr != "" {
			wantInvalid(t, tt.name, err, tt.wantErr)
			continue
		}
		if err != nil {
			t.Errorf("%s: unexpected error %v", tt.name, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: got %#v\n\twant %#v", tt.name, got, tt.want)
		}
	}
}

func TestExtractionFieldsForJSON(t *testing.T) {
	if got := ExtractionFieldsForJSON(nil); got == nil || len(got) != 0 {
		t.Errorf("nil: got %#v", got)
	}
	if got := ExtractionFieldsForJSON([]ExtractionField{}); got == nil || len(got) != 0 {
		t.Errorf("empty: got %#v", got)
	}

	// Round trip: what was parsed is echoed in the form it was sent.
	in := `["credit_score",{"name":"budget","description":"Monthly budget","type":"number"},{"name":"notes"},{"name":"ok","type":"boolean","description":""}]`
	fields, err := ParseExtractionFields(json.RawMessage(in))
	if err != nil {
		t.Fatal(err)
	}
	got, err := json.Marshal(ExtractionFieldsForJSON(fields))
	if err != nil {
		t.Fatal(err)
	}
	want := `["credit_score",{"description":"Monthly budget","name":"budget","type":"number"},{"name":"notes","type":"string"},{"name":"ok","type":"boolean"}]`
	if string(got) != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}

	// A non-bare field without a type reports "string".
	one := ExtractionFieldsForJSON([]ExtractionField{{Name: "x"}})
	if !reflect.DeepEqual(one, []any{map[string]any{"name": "x", "type": "string"}}) {
		t.Errorf("typeless field: got %#v", one)
	}
}

func TestEffectiveDescription(t *testing.T) {
	tests := []struct {
		field ExtractionField
		want  string
	}{
		{ExtractionField{Name: "credit_score", Description: "FICO, as a number"}, "FICO, as a number"},
		{ExtractionField{Name: "timeline", Description: "  When they plan to buy "}, "When they plan to buy"},
		{ExtractionField{Name: "credit_score"}, "The lead's credit score as a number only (e.g. 750), without any surrounding words"},
		{ExtractionField{Name: "Credit_Score"}, "The lead's credit score as a number only (e.g. 750), without any surrounding words"},
		{ExtractionField{Name: "interest_rate"}, "The interest rate as a percentage (e.g. 6.5% or 5.25); keep the % sign if it was spoken"},
		{ExtractionField{Name: "loan_balance"}, "The loan balance as an amount (e.g. 250000 or $250k)"},
		{ExtractionField{Name: "scheduled_time"}, `The date and time mentioned for the appointment or callback (e.g. "tomorrow at 3pm")`},
		{ExtractionField{Name: "appointment_date"}, `The date and time mentioned for the appointment or callback (e.g. "tomorrow at 3pm")`},
		{ExtractionField{Name: "phone_number"}, "The lead's phone number, formatted as XXX-XXX-XXXX"},
		{ExtractionField{Name: "email"}, "The lead's email address, exactly as provided"},
		{ExtractionField{Name: "timeline", Bare: true}, "The lead's timeline, as stated in the conversation"},
		{ExtractionField{Name: "loan_amount"}, "The lead's loan amount, as stated in the conversation"},
		{ExtractionField{Name: "monthly_income", Description: "   "}, "The lead's monthly income, as stated in the conversation"},
		{ExtractionField{Name: "Preferred_Contact_Time", Type: "string"}, "The lead's Preferred Contact Time, as stated in the conversation"},
	}
	for _, tt := range tests {
		if got := tt.field.EffectiveDescription(); got != tt.want {
			t.Errorf("%+v: got %q\n\twant %q", tt.field, got, tt.want)
		}
	}
}

func TestParseTools(t *testing.T) {
	const supported = "end_call, transfer_call, custom, check_availability_cal, book_appointment_cal, press_digit, send_sms, agent_swap, extract_dynamic_variable"
	tests := []struct {
		name    string
		in      string
		want    []string // compact JSON of each returned tool
		wantErr string
	}{
		{name: "empty array", in: `[]`, want: []string{}},
		{name: "end_call, unknown keys kept in order", in: `[ { "type": "end_call", "name": "end_call", "description": "Hang up", "speak_during_execution": true, "zeta": {"a": [1, 2]} } ]`,
			want: []string{`{"type":"end_call","name":"end_call","description":"Hang up","speak_during_execution":true,"zeta":{"a":[1,2]}}`}},
		{name: "description optional and null", in: `[{"type":"end_call","name":"a"},{"type":"press_digit","name":"b","description":null}]`,
			want: []string{`{"type":"end_call","name":"a"}`, `{"type":"press_digit","name":"b","description":null}`}},
		{name: "common-only types", in: `[{"type":"send_sms","name":"s","sms_content":{"type":"static","content":"x"}},{"type":"agent_swap","name":"swap_1","agent_id":"agent_x"},{"type":"extract_dynamic_variable","name":"e","variables":[]}]`,
			want: []string{
				`{"type":"send_sms","name":"s","sms_content":{"type":"static","content":"x"}}`,
				`{"type":"agent_swap","name":"swap_1","agent_id":"agent_x"}`,
				`{"type":"extract_dynamic_variable","name":"e","variables":[]}`,
			}},
		{name: "64-char name", in: `[{"type":"end_call","name":"` + strings.Repeat("a", 64) + `"}]`,
			want: []string{`{"type":"end_call","name":"` + strings.Repeat("a", 64) + `"}`}},
		{name: "50 tools", in: repeatJSON(50, `{"type":"end_call","name":"t%d"}`), want: func() []string {
			s := make([]string, 50)
			for i := range s {
				s[i] = fmt.Sprintf(`{"type":"end_call","name":"t%d"}`, i)
			}
			return s
		}()},

		// transfer_call
		{name: "transfer cold gets default option", in: `[{"type":"transfer_call","name":"transfer","transfer_destination":{"type":"predefined","number":"+13137316433"}}]`,
			want: []string{`{"type":"transfer_call","name":"transfer","transfer_destination":{"type":"predefined","number":"+13137316433"},"transfer_option":{"type":"cold_transfer"}}`}},
		{name: "transfer null option replaced in place", in: `[{"type":"transfer_call","transfer_option":null,"name":"t","transfer_destination":{"type":"predefined","number":"+15551234567"}}]`,
			want: []string{`{"type":"transfer_call","transfer_option":{"type":"cold_transfer"},"name":"t","transfer_destination":{"type":"predefined","number":"+15551234567"}}`}},
		{name: "transfer option without type gets cold", in: `[{"type":"transfer_call","name":"t","transfer_destination":{"type":"predefined","number":"+442079460958"},"transfer_option":{"show_transferee_as_caller":true},"x":1}]`,
			want: []string{`{"type":"transfer_call","name":"t","transfer_destination":{"type":"predefined","number":"+442079460958"},"transfer_option":{"show_transferee_as_caller":true,"type":"cold_transfer"},"x":1}`}},
		{name: "transfer warm with music and extension", in: `[{"type":"transfer_call","name":"t","transfer_destination":{"type":"predefined","number":"+13137316433","extension":"0123"},"transfer_option":{"type":"warm_transfer","on_hold_music":"relaxing_sound","show_transferee_as_caller":false}}]`,
			want: []string{`{"type":"transfer_call","name":"t","transfer_destination":{"type":"predefined","number":"+13137316433","extension":"0123"},"transfer_option":{"type":"warm_transfer","on_hold_music":"relaxing_sound","show_transferee_as_caller":false}}`}},
		{name: "transfer all hold musics", in: `[` +
			`{"type":"transfer_call","name":"a","transfer_destination":{"type":"predefined","number":"+13137316433"},"transfer_option":{"type":"warm_transfer","on_hold_music":"none"}},` +
			`{"type":"transfer_call","name":"b","transfer_destination":{"type":"predefined","number":"+13137316433"},"transfer_option":{"type":"warm_transfer","on_hold_music":"uplifting_beats"}},` +
			`{"type":"transfer_call","name":"c","transfer_destination":{"type":"predefined","number":"+13137316433"},"transfer_option":{"type":"warm_transfer","on_hold_music":"ringtone"}}]`,
			want: []string{
				`{"type":"transfer_call","name":"a","transfer_destination":{"type":"predefined","number":"+13137316433"},"transfer_option":{"type":"warm_transfer","on_hold_music":"none"}}`,
				`{"type":"transfer_call","name":"b","transfer_destination":{"type":"predefined","number":"+13137316433"},"transfer_option":{"type":"warm_transfer","on_hold_music":"uplifting_beats"}}`,
				`{"type":"transfer_call","name":"c","transfer_destination":{"type":"predefined","number":"+13137316433"},"transfer_option":{"type":"warm_transfer","on_hold_music":"ringtone"}}`,
			}},
		{name: "transfer to variable", in: `[{"type":"transfer_call","name":"t","transfer_destination":{"type":"predefined","number":"{{ manager_phone }}"},"transfer_option":{"type":"cold_transfer"}}]`,
			want: []string{`{"type":"transfer_call","name":"t","transfer_destination":{"type":"predefined","number":"{{ manager_phone }}"},"transfer_option":{"type":"cold_transfer"}}`}},

		// custom
		{name: "custom minimal", in: `[{"type":"custom","name":"lookup","url":"https://api.example.com/lookup"}]`,
			want: []string{`{"type":"custom","name":"lookup","url":"https://api.example.com/lookup"}`}},
		{name: "custom full", in: `[{"type":"custom","name":"crm","description":"CRM","url":"http://crm.local:8080/leads/{{lead_id}}?x=1","method":"PATCH","headers":{"Authorization":"Bearer {{token}}"},"query_params":{"q":"1"},"parameters":{"type":"object","properties":{"a":{"type":"string"}},"required":["a"]},"speak_after_execution":true,"timeout_ms":1000,"response_variables":{"v":"$.v"}}]`,
			want: []string{`{"type":"custom","name":"crm","description":"CRM","url":"http://crm.local:8080/leads/{{lead_id}}?x=1","method":"PATCH","headers":{"Authorization":"Bearer {{token}}"},"query_params":{"q":"1"},"parameters":{"type":"object","properties":{"a":{"type":"string"}},"required":["a"]},"speak_after_execution":true,"timeout_ms":1000,"response_variables":{"v":"$.v"}}`}},
		{name: "custom variable host, every method, max timeout", in: `[` +
			`{"type":"custom","name":"a","url":"https://{{host}}/x","method":"GET","timeout_ms":600000},` +
			`{"type":"custom","name":"b","url":"https://x.io","method":"POST","headers":{}},` +
			`{"type":"custom","name":"c","url":"HTTPS://x.io","method":"PUT"},` +
			`{"type":"custom","name":"d","url":"https://x.io","method":"DELETE","headers":null}]`,
			want: []string{
				`{"type":"custom","name":"a","url":"https://{{host}}/x","method":"GET","timeout_ms":600000}`,
				`{"type":"custom","name":"b","url":"https://x.io","method":"POST","headers":{}}`,
				`{"type":"custom","name":"c","url":"HTTPS://x.io","method":"PUT"}`,
				`{"type":"custom","name":"d","url":"https://x.io","method":"DELETE","headers":null}`,
			}},

		// Cal.com
		{name: "cal tools", in: `[{"type":"check_availability_cal","name":"check","cal_api_key":"cal_live_x","event_type_id":123,"timezone":"America/New_York"},{"type":"book_appointment_cal","name":"book","cal_api_key":"k","event_type_id":"{{event_id}}"}]`,
			want: []string{
				`{"type":"check_availability_cal","name":"check","cal_api_key":"cal_live_x","event_type_id":123,"timezone":"America/New_York"}`,
				`{"type":"book_appointment_cal","name":"book","cal_api_key":"k","event_type_id":"{{event_id}}"}`,
			}},

		// Whole-list errors.
		{name: "null", in: `null`, wantErr: "tools must be an array"},
		{name: "empty input", in: ``, wantErr: "tools must be an array"},
		{name: "object", in: `{"type":"end_call"}`, wantErr: "tools must be an array"},
		{name: "51 tools", in: repeatJSON(51, `{"type":"end_call","name":"t%d"}`), wantErr: "tools may have at most 50 entries"},

		// Common fields.
		{name: "item not object", in: `["end_call"]`, wantErr: "tools[0] must be an object"},
		{name: "item null", in: `[{"type":"end_call","name":"a"},null]`, wantErr: "tools[1] must be an object"},
		{name: "type missing", in: `[{"name":"a"}]`, wantErr: "tools[0].type is required"},
		{name: "type empty", in: `[{"type":"","name":"a"}]`, wantErr: "tools[0].type is required"},
		{name: "type not string", in: `[{"type":1,"name":"a"}]`, wantErr: "tools[0].type must be a string"},
		{name: "type unsupported", in: `[{"type":"code","name":"a"}]`, wantErr: "tools[0].type 'code' is not supported (supported: " + supported + ")"},
		{name: "type case-sensitive", in: `[{"type":"End_Call","name":"a"}]`, wantErr: "tools[0].type 'End_Call' is not supported (supported: " + supported + ")"},
		{name: "name missing", in: `[{"type":"end_call"}]`, wantErr: "tools[0].name is required"},
		{name: "name blank", in: `[{"type":"end_call","name":"  "}]`, wantErr: "tools[0].name is required"},
		{name: "name not string", in: `[{"type":"end_call","name":7}]`, wantErr: "tools[0].name must be a string"},
		{name: "name upper case", in: `[{"type":"end_call","name":"EndCall"}]`, wantErr: "tools[0].name must be snake_case (a-z, 0-9, _)"},
		{name: "name dash", in: `[{"type":"end_call","name":"end-call"}]`, wantErr: "tools[0].name must be snake_case (a-z, 0-9, _)"},
		{name: "name space", in: `[{"type":"end_call","name":" end_call"}]`, wantErr: "tools[0].name must be snake_case (a-z, 0-9, _)"},
		{name: "name too long", in: `[{"type":"end_call","name":"` + strings.Repeat("a", 65) + `"}]`, wantErr: "tools[0].name must be at most 64 characters"},
		{name: "name duplicate", in: `[{"type":"end_call","name":"a"},{"type":"end_call","name":"b"},{"type":"press_digit","name":"a"}]`,
			wantErr: "tools[2].name 'a' is already used by tools[0]"},
		{name: "description not string", in: `[{"type":"end_call","name":"a","description":{}}]`, wantErr: "tools[0].description must be a string"},

		// transfer_call
		{name: "transfer no destination", in: `[{"type":"transfer_call","name":"t"}]`, wantErr: "tools[0].transfer_destination is required"},
		{name: "transfer destination not object", in: `[{"type":"transfer_call","name":"t","transfer_destination":"+13137316433"}]`,
			wantErr: "tools[0].transfer_destination must be an object"},
		{name: "transfer destination type missing", in: `[{"type":"transfer_call","name":"t","transfer_destination":{"number":"+13137316433"}}]`,
			wantErr: "tools[0].transfer_destination.type must be 'predefined'"},
		{name: "transfer destination inferred", in: `[{"type":"transfer_call","name":"t","transfer_destination":{"type":"inferred","prompt":"p"}}]`,
			wantErr: "tools[0].transfer_destination.type must be 'predefined'"},
		{name: "transfer destination type not string", in: `[{"type":"transfer_call","name":"t","transfer_destination":{"type":1}}]`,
			wantErr: "tools[0].transfer_destination.type must be a string"},
		{name: "transfer number missing", in: `[{"type":"transfer_call","name":"t","transfer_destination":{"type":"predefined"}}]`,
			wantErr: "tools[0].transfer_destination.number is required"},
		{name: "transfer number not string", in: `[{"type":"transfer_call","name":"t","transfer_destination":{"type":"predefined","number":13137316433}}]`,
			wantErr: "tools[0].transfer_destination.number must be a string"},
		{name: "transfer number not E.164", in: `[{"type":"transfer_call","name":"t","transfer_destination":{"type":"predefined","number":"(313) 731-6433"}}]`,
			wantErr: "tools[0].transfer_destination.number must be an E.164 phone number (like +13137316433) or a {{variable}}"},
		{name: "transfer number without plus", in: `[{"type":"transfer_call","name":"t","transfer_destination":{"type":"predefined","number":"13137316433"}}]`,
			wantErr: "tools[0].transfer_destination.number must be an E.164 phone number (like +13137316433) or a {{variable}}"},
		{name: "transfer number impossible", in: `[{"type":"transfer_call","name":"t","transfer_destination":{"type":"predefined","number":"+1555"}}]`,
			wantErr: "tools[0].transfer_destination.number must be an E.164 phone number (like +13137316433) or a {{variable}}"},
		{name: "transfer number half variable", in: `[{"type":"transfer_call","name":"t","transfer_destination":{"type":"predefined","number":"+1{{area}}5551234"}}]`,
			wantErr: "tools[0].transfer_destination.number must be an E.164 phone number (like +13137316433) or a {{variable}}"},
		{name: "transfer extension letters", in: `[{"type":"transfer_call","name":"t","transfer_destination":{"type":"predefined","number":"+13137316433","extension":"12a"}}]`,
			wantErr: "tools[0].transfer_destination.extension must contain only digits"},
		{name: "transfer extension empty", in: `[{"type":"transfer_call","name":"t","transfer_destination":{"type":"predefined","number":"+13137316433","extension":""}}]`,
			wantErr: "tools[0].transfer_destination.extension must contain only digits"},
		{name: "transfer extension number", in: `[{"type":"transfer_call","name":"t","transfer_destination":{"type":"predefined","number":"+13137316433","extension":12}}]`,
			wantErr: "tools[0].transfer_destination.extension must be a string"},
		{name: "transfer option not object", in: `[{"type":"transfer_call","name":"t","transfer_destination":{"type":"predefined","number":"+13137316433"},"transfer_option":"cold_transfer"}]`,
			wantErr: "tools[0].transfer_option must be an object"},
		{name: "transfer option bad type", in: `[{"type":"transfer_call","name":"t","transfer_destination":{"type":"predefined","number":"+13137316433"},"transfer_option":{"type":"agentic_warm_transfer"}}]`,
			wantErr: "tools[0].transfer_option.type must be 'cold_transfer' or 'warm_transfer'"},
		{name: "transfer option type not string", in: `[{"type":"transfer_call","name":"t","transfer_destination":{"type":"predefined","number":"+13137316433"},"transfer_option":{"type":2}}]`,
			wantErr: "tools[0].transfer_option.type must be a string"},
		{name: "transfer hold music on cold", in: `[{"type":"transfer_call","name":"t","transfer_destination":{"type":"predefined","number":"+13137316433"},"transfer_option":{"type":"cold_transfer","on_hold_music":"ringtone"}}]`,
			wantErr: "tools[0].transfer_option.on_hold_music is only allowed for warm_transfer"},
		{name: "transfer hold music on default cold", in: `[{"type":"transfer_call","name":"t","transfer_destination":{"type":"predefined","number":"+13137316433"},"transfer_option":{"on_hold_music":"none"}}]`,
			wantErr: "tools[0].transfer_option.on_hold_music is only allowed for warm_transfer"},
		{name: "transfer hold music unknown", in: `[{"type":"transfer_call","name":"t","transfer_destination":{"type":"predefined","number":"+13137316433"},"transfer_option":{"type":"warm_transfer","on_hold_music":"jazz"}}]`,
			wantErr: "tools[0].transfer_option.on_hold_music must be one of none, relaxing_sound, uplifting_beats, ringtone"},
		{name: "transfer hold music not string", in: `[{"type":"transfer_call","name":"t","transfer_destination":{"type":"predefined","number":"+13137316433"},"transfer_option":{"type":"warm_transfer","on_hold_music":true}}]`,
			wantErr: "tools[0].transfer_option.on_hold_music must be a string"},
		{name: "transfer show caller not bool", in: `[{"type":"transfer_call","name":"t","transfer_destination":{"type":"predefined","number":"+13137316433"},"transfer_option":{"show_transferee_as_caller":"yes"}}]`,
			wantErr: "tools[0].transfer_option.show_transferee_as_caller must be true or false"},

		// custom
		{name: "custom url missing", in: `[{"type":"custom","name":"c"}]`, wantErr: "tools[0].url is required"},
		{name: "custom url not string", in: `[{"type":"custom","name":"c","url":1}]`, wantErr: "tools[0].url must be a string"},
		{name: "custom url ftp", in: `[{"type":"custom","name":"c","url":"ftp://x.io/a"}]`, wantErr: "tools[0].url must be an http:// or https:// URL"},
		{name: "custom url relative", in: `[{"type":"custom","name":"c","url":"/api/x"}]`, wantErr: "tools[0].url must be an http:// or https:// URL"},
		{name: "custom url no host", in: `[{"type":"custom","name":"c","url":"https://"}]`, wantErr: "tools[0].url must be an http:// or https:// URL"},
		{name: "custom url space in host", in: `[{"type":"custom","name":"c","url":"https://exa mple.com/x"}]`, wantErr: "tools[0].url must be an http:// or https:// URL"},
		{name: "custom url leading space", in: `[{"type":"custom","name":"c","url":" https://x.io"}]`, wantErr: "tools[0].url must be an http:// or https:// URL"},
		{name: "custom url bare variable", in: `[{"type":"custom","name":"c","url":"{{webhook}}"}]`, wantErr: "tools[0].url must be an http:// or https:// URL"},
		{name: "custom method lower case", in: `[{"type":"custom","name":"c","url":"https://x.io","method":"get"}]`,
			wantErr: "tools[0].method must be one of GET, POST, PUT, PATCH, DELETE"},
		{name: "custom method unknown", in: `[{"type":"custom","name":"c","url":"https://x.io","method":"HEAD"}]`,
			wantErr: "tools[0].method must be one of GET, POST, PUT, PATCH, DELETE"},
		{name: "custom method not string", in: `[{"type":"custom","name":"c","url":"https://x.io","method":1}]`,
			wantErr: "tools[0].method must be a string"},
		{name: "custom headers array", in: `[{"type":"custom","name":"c","url":"https://x.io","headers":["a"]}]`,
			wantErr: "tools[0].headers must be an object"},
		{name: "custom header value number", in: `[{"type":"custom","name":"c","url":"https://x.io","headers":{"A":"1","X-Retry":3}}]`,
			wantErr: "tools[0].headers.X-Retry must be a string"},
		{name: "custom query_params not object", in: `[{"type":"custom","name":"c","url":"https://x.io","query_params":"a=1"}]`,
			wantErr: "tools[0].query_params must be an object"},
		{name: "custom query param value null", in: `[{"type":"custom","name":"c","url":"https://x.io","query_params":{"a":null}}]`,
			wantErr: "tools[0].query_params.a must be a string"},
		{name: "custom parameters not object", in: `[{"type":"custom","name":"c","url":"https://x.io","parameters":[]}]`,
			wantErr: "tools[0].parameters must be an object"},
		{name: "custom parameters without type", in: `[{"type":"custom","name":"c","url":"https://x.io","parameters":{"properties":{}}}]`,
			wantErr: "tools[0].parameters.type must be 'object'"},
		{name: "custom parameters wrong type", in: `[{"type":"custom","name":"c","url":"https://x.io","parameters":{"type":"array"}}]`,
			wantErr: "tools[0].parameters.type must be 'object'"},
		{name: "custom speak_after_execution string", in: `[{"type":"custom","name":"c","url":"https://x.io","speak_after_execution":"true"}]`,
			wantErr: "tools[0].speak_after_execution must be true or false"},
		{name: "custom timeout too small", in: `[{"type":"custom","name":"c","url":"https://x.io","timeout_ms":999}]`,
			wantErr: "tools[0].timeout_ms must be a whole number between 1000 and 600000"},
		{name: "custom timeout too big", in: `[{"type":"custom","name":"c","url":"https://x.io","timeout_ms":600001}]`,
			wantErr: "tools[0].timeout_ms must be a whole number between 1000 and 600000"},
		{name: "custom timeout fractional", in: `[{"type":"custom","name":"c","url":"https://x.io","timeout_ms":1500.5}]`,
			wantErr: "tools[0].timeout_ms must be a whole number between 1000 and 600000"},
		{name: "custom timeout string", in: `[{"type":"custom","name":"c","url":"https://x.io","timeout_ms":"2000"}]`,
			wantErr: "tools[0].timeout_ms must be a whole number between 1000 and 600000"},

		// Cal.com
		{name: "cal key missing", in: `[{"type":"check_availability_cal","name":"c","event_type_id":1}]`, wantErr: "tools[0].cal_api_key is required"},
		{name: "cal key blank", in: `[{"type":"book_appointment_cal","name":"c","cal_api_key":" ","event_type_id":1}]`, wantErr: "tools[0].cal_api_key is required"},
		{name: "cal key not string", in: `[{"type":"book_appointment_cal","name":"c","cal_api_key":5,"event_type_id":1}]`, wantErr: "tools[0].cal_api_key must be a string"},
		{name: "cal event missing", in: `[{"type":"check_availability_cal","name":"c","cal_api_key":"k"}]`, wantErr: "tools[0].event_type_id is required"},
		{name: "cal event blank", in: `[{"type":"check_availability_cal","name":"c","cal_api_key":"k","event_type_id":""}]`, wantErr: "tools[0].event_type_id is required"},
		{name: "cal event bool", in: `[{"type":"book_appointment_cal","name":"c","cal_api_key":"k","event_type_id":true}]`,
			wantErr: "tools[0].event_type_id must be a number or a string"},
		{name: "cal timezone empty", in: `[{"type":"book_appointment_cal","name":"c","cal_api_key":"k","event_type_id":1,"timezone":""}]`,
			wantErr: "tools[0].timezone must be a time zone name such as America/New_York"},
		{name: "cal timezone not string", in: `[{"type":"book_appointment_cal","name":"c","cal_api_key":"k","event_type_id":1,"timezone":-5}]`,
			wantErr: "tools[0].timezone must be a string"},
	}
	for _, tt := range tests {
		got, err := ParseTools(json.RawMessage(tt.in))
		if tt.wantErr != "" {
			wantInvalid(t, tt.name, err, tt.wantErr)
			continue
		}
		if err != nil {
			t.Errorf("%s: unexpected error %v", tt.name, err)
			continue
		}
		gotS := make([]string, len(got))
		for i, g := range got {
			gotS[i] = string(g)
			if !json.Valid(g) {
				t.Errorf("%s: tool %d is not valid JSON: %s", tt.name, i, g)
			}
		}
		if !reflect.DeepEqual(gotS, tt.want) {
			t.Errorf("%s: got  %q\n\twant %q", tt.name, gotS, tt.want)
		}
	}
}

func TestKBConfigValidate(t *testing.T) {
	i := func(v int) *int { return &v }
	f := func(v float64) *float64 { return &v }
	tests := []struct {
		name    string
		kb      KBConfig
		wantErr string
	}{
		{name: "unset", kb: KBConfig{}},
		{name: "low edges", kb: KBConfig{TopK: i(1), FilterScore: f(0)}},
		{name: "high edges", kb: KBConfig{TopK: i(10), FilterScore: f(1)}},
		{name: "typical", kb: KBConfig{TopK: i(3), FilterScore: f(0.6)}},
		{name: "top_k 0", kb: KBConfig{TopK: i(0)}, wantErr: "kb_config.top_k must be between 1 and 10"},
		{name: "top_k 11", kb: KBConfig{TopK: i(11)}, wantErr: "kb_config.top_k must be between 1 and 10"},
		{name: "filter_score negative", kb: KBConfig{FilterScore: f(-0.1)}, wantErr: "kb_config.filter_score must be between 0 and 1"},
		{name: "filter_score above 1", kb: KBConfig{FilterScore: f(1.01)}, wantErr: "kb_config.filter_score must be between 0 and 1"},
	}
	for _, tt := range tests {
		err := tt.kb.Validate()
		if tt.wantErr != "" {
			wantInvalid(t, tt.name, err, tt.wantErr)
		} else if err != nil {
			t.Errorf("%s: unexpected error %v", tt.name, err)
		}
	}
}

func TestVoiceSettingsValidate(t *testing.T) {
	i := func(v int) *int { return &v }
	f := func(v float64) *float64 { return &v }
	s := func(v string) *string { return &v }
	tests := []struct {
		name    string
		vs      VoiceSettings
		wantErr string
	}{
		{name: "unset", vs: VoiceSettings{}},
		{name: "low edges", vs: VoiceSettings{
			VoiceTemperature: f(0), VoiceSpeed: f(0.5), Volume: f(0), Responsiveness: f(0),
			InterruptionSensitivity: f(0), BackchannelFrequency: f(0), AmbientSound: s(""),
			AmbientSoundVolume: f(0), VoicemailDetectionTimeoutMS: i(5000), ReminderTriggerMS: i(0),
			ReminderMaxCount: i(0), EndCallAfterSilenceMS: i(10000), MaxCallDurationMS: i(60000),
			BeginMessageDelayMS: i(0), RingDurationMS: i(0), DataStorageSetting: s("everything"),
		}},
		{name: "high edges", vs: VoiceSettings{
			VoiceTemperature: f(2), VoiceSpeed: f(2), Volume: f(2), Responsiveness: f(1),
			InterruptionSensitivity: f(1), BackchannelFrequency: f(1), AmbientSound: s("call-center"),
			AmbientSoundVolume: f(2), VoicemailDetectionTimeoutMS: i(180000), ReminderTriggerMS: i(1 << 30),
			ReminderMaxCount: i(1000), EndCallAfterSilenceMS: i(1 << 30), MaxCallDurationMS: i(7200000),
			BeginMessageDelayMS: i(5000), RingDurationMS: i(1 << 30), DataStorageSetting: s("basic_attributes_only"),
		}},
		{name: "other enum values", vs: VoiceSettings{AmbientSound: s("coffee-shop"), DataStorageSetting: s("everything_except_pii")}},
		{name: "ambient sounds 2", vs: VoiceSettings{AmbientSound: s("convention-hall")}},
		{name: "ambient sounds 3", vs: VoiceSettings{AmbientSound: s("summer-outdoor")}},
		{name: "ambient sounds 4", vs: VoiceSettings{AmbientSound: s("mountain-outdoor")}},
		{name: "ambient sounds 5", vs: VoiceSettings{AmbientSound: s("static-noise")}},
		{name: "fields without rules", vs: VoiceSettings{VoiceEmotion: s("calm"), STTMode: s("fast"), BackchannelWords: []string{"right"}}},

		{name: "voice_temperature low", vs: VoiceSettings{VoiceTemperature: f(-0.1)}, wantErr: "voice_temperature must be between 0 and 2"},
		{name: "voice_temperature high", vs: VoiceSettings{VoiceTemperature: f(2.1)}, wantErr: "voice_temperature must be between 0 and 2"},
		{name: "voice_speed low", vs: VoiceSettings{VoiceSpeed: f(0.49)}, wantErr: "voice_speed must be between 0.5 and 2"},
		{name: "voice_speed high", vs: VoiceSettings{VoiceSpeed: f(2.5)}, wantErr: "voice_speed must be between 0.5 and 2"},
		{name: "volume low", vs: VoiceSettings{Volume: f(-1)}, wantErr: "volume must be between 0 and 2"},
		{name: "volume high", vs: VoiceSettings{Volume: f(3)}, wantErr: "volume must be between 0 and 2"},
		{name: "responsiveness low", vs: VoiceSettings{Responsiveness: f(-0.01)}, wantErr: "responsiveness must be between 0 and 1"},
		{name: "responsiveness high", vs: VoiceSettings{Responsiveness: f(1.5)}, wantErr: "responsiveness must be between 0 and 1"},
		{name: "interruption_sensitivity low", vs: VoiceSettings{InterruptionSensitivity: f(-1)}, wantErr: "interruption_sensitivity must be between 0 and 1"},
		{name: "interruption_sensitivity high", vs: VoiceSettings{InterruptionSensitivity: f(2)}, wantErr: "interruption_sensitivity must be between 0 and 1"},
		{name: "backchannel_frequency low", vs: VoiceSettings{BackchannelFrequency: f(-1)}, wantErr: "backchannel_frequency must be between 0 and 1"},
		{name: "backchannel_frequency high", vs: VoiceSettings{BackchannelFrequency: f(1.1)}, wantErr: "backchannel_frequency must be between 0 and 1"},
		{name: "ambient_sound unknown", vs: VoiceSettings{AmbientSound: s("rain")},
			wantErr: "ambient_sound must be null or one of coffee-shop, convention-hall, summer-outdoor, mountain-outdoor, static-noise, call-center"},
		{name: "ambient_sound case", vs: VoiceSettings{AmbientSound: s("Coffee-Shop")},
			wantErr: "ambient_sound must be null or one of coffee-shop, convention-hall, summer-outdoor, mountain-outdoor, static-noise, call-center"},
		{name: "ambient_sound_volume low", vs: VoiceSettings{AmbientSoundVolume: f(-0.5)}, wantErr: "ambient_sound_volume must be between 0 and 2"},
		{name: "ambient_sound_volume high", vs: VoiceSettings{AmbientSoundVolume: f(2.01)}, wantErr: "ambient_sound_volume must be between 0 and 2"},
		{name: "voicemail timeout low", vs: VoiceSettings{VoicemailDetectionTimeoutMS: i(4999)}, wantErr: "voicemail_detection_timeout_ms must be between 5000 and 180000"},
		{name: "voicemail timeout high", vs: VoiceSettings{VoicemailDetectionTimeoutMS: i(180001)}, wantErr: "voicemail_detection_timeout_ms must be between 5000 and 180000"},
		{name: "reminder_trigger_ms negative", vs: VoiceSettings{ReminderTriggerMS: i(-1)}, wantErr: "reminder_trigger_ms must be at least 0"},
		{name: "reminder_max_count negative", vs: VoiceSettings{ReminderMaxCount: i(-1)}, wantErr: "reminder_max_count must be at least 0"},
		{name: "end_call_after_silence_ms low", vs: VoiceSettings{EndCallAfterSilenceMS: i(9999)}, wantErr: "end_call_after_silence_ms must be at least 10000"},
		{name: "max_call_duration_ms low", vs: VoiceSettings{MaxCallDurationMS: i(59999)}, wantErr: "max_call_duration_ms must be between 60000 and 7200000"},
		{name: "max_call_duration_ms high", vs: VoiceSettings{MaxCallDurationMS: i(7200001)}, wantErr: "max_call_duration_ms must be between 60000 and 7200000"},
		{name: "begin_message_delay_ms low", vs: VoiceSettings{BeginMessageDelayMS: i(-1)}, wantErr: "begin_message_delay_ms must be between 0 and 5000"},
		{name: "begin_message_delay_ms high", vs: VoiceSettings{BeginMessageDelayMS: i(5001)}, wantErr: "begin_message_delay_ms must be between 0 and 5000"},
		{name: "ring_duration_ms negative", vs: VoiceSettings{RingDurationMS: i(-5)}, wantErr: "ring_duration_ms must be at least 0"},
		{name: "data_storage_setting unknown", vs: VoiceSettings{DataStorageSetting: s("none")},
			wantErr: "data_storage_setting must be one of everything, everything_except_pii, basic_attributes_only"},
		{name: "data_storage_setting empty", vs: VoiceSettings{DataStorageSetting: s("")},
			wantErr: "data_storage_setting must be one of everything, everything_except_pii, basic_attributes_only"},
	}
	for _, tt := range tests {
		err := tt.vs.Validate()
		if tt.wantErr != "" {
			wantInvalid(t, tt.name, err, tt.wantErr)
		} else if err != nil {
			t.Errorf("%s: unexpected error %v", tt.name, err)
		}
	}
}

func TestValidLanguage(t *testing.T) {
	want := []string{"en-US", "en-GB", "es-ES", "es-419", "fr-FR", "de-DE", "ja-JP", "zh-CN", "multi"}
	if !reflect.DeepEqual(Languages, want) {
		t.Errorf("Languages = %v, want %v", Languages, want)
	}
	for _, l := range want {
		if !ValidLanguage(l) {
			t.Errorf("ValidLanguage(%q) = false", l)
		}
	}
	for _, l := range []string{"", "en", "en-us", "EN-US", "pt-BR", "Multi", " en-US", "es-MX"} {
		if ValidLanguage(l) {
			t.Errorf("ValidLanguage(%q) = true", l)
		}
	}
}
