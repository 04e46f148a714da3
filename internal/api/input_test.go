package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/openteli/teli/internal/apitest"
	"github.com/openteli/teli/internal/store/dbtest"
)

// Tests of bad input at the boundary: the text rule (NUL and invalid UTF-8), values of the
// wrong type, and the fuzz target over every route that takes a JSON body (fuzz_test.go).

// inputServer is a quiet test server (no background jobs, so the database changes only through
// requests) with the records the input tests address, made through the API.
type inputServer struct {
	h  http.Handler
	fp *dbtest.Fingerprinter
	// vars fill the ${name} placeholders of paths and bodies: org, admin, user, agent,
	// voice_agent, voice_number, campaign, list, lead and message.
	vars map[string]string
}

func newInputServer(t testing.TB, b apitest.Backend) *inputServer {
	t.Helper()
	srv, h := quietServer(t, b)
	s := &inputServer{h: h, fp: dbtest.NewFingerprinter(t, srv.DatabaseURL),
		vars: map[string]string{"org": srv.OrgID, "admin": srv.AdminID, "campaign": "camp_input"}}
	s.create(t, "user", "user.unique_id", "POST", "/v1/organizations/${org}/users",
		`{"name": "Uma User", "email": "uma@example.com"}`)
	s.create(t, "agent", "agent_id", "POST", "/v1/agents", `{"agent_type": "sms", "agent_name": "Refi bot",
		"starting_message": "Hi {{first_name}}", "prompt": "Be brief.", "organization_id": "${org}", "user_id": "${admin}"}`)
	s.create(t, "voice_agent", "agent_id", "POST", "/v1/agents", `{"agent_type": "voice", "agent_name": "Caller",
		"prompt": "Be brief.", "organization_id": "${org}", "user_id": "${admin}"}`)
	s.create(t, "voice_number", "phone_number", "POST", "/v1/voice/phone-numbers/create",
		`{"area_code": "313", "user_id": "${admin}", "organization_id": "${org}"}`)
	s.create(t, "campaign", "campaign_id", "POST", "/v1/campaigns", `{"campaign_id": "${campaign}", "campaign_name": "Refi",
		"organization_id": "${org}", "user_id": "${admin}", "sms_agent_id": "${agent}", "teli_sms_number": "+13135727768",
		"contacts": [{"phone_number": "+13135550001", "first_name": "Ann"}, {"phone_number": "+13135550002", "first_name": "Bo"}]}`)
	s.create(t, "list", "list_id", "POST", "/v1/contacts", `{"phone_number": "+13135550009", "first_name": "Cy",
		"list_name": "Expo", "organization_id": "${org}", "user_id": "${admin}"}`)
	s.create(t, "lead", "contact_id", "POST", "/v1/contacts", `{"phone_number": "+13135550008", "list_id": "${list}",
		"organization_id": "${org}", "user_id": "${admin}"}`)
	s.create(t, "message", "message_id", "POST", "/v1/sms/send",
		`{"campaign_id": "${campaign}", "phone_number": "+13135550001", "message": "Hi Ann, a person here."}`)
	return s
}

// create makes a record and keeps the string at field (dotted: "user.unique_id") of the answer
// as vars[name].
func (s *inputServer) create(t testing.TB, name, field, method, path, body string) {
	t.Helper()
	status, out := s.do(t, method, path, body, nil)
	var v any = out
	for _, part := range strings.Split(field, ".") {
		m, _ := v.(map[string]any)
		v = m[part]
	}
	id, _ := v.(string)
	if status != http.StatusOK && status != http.StatusCreated || id == "" {
		t.Fatalf("%s %s: %d %v", method, path, status, out)
	}
	s.vars[name] = id
}

// do sends one request with the test key and returns the status and the JSON answer.
func (s *inputServer) do(t testing.TB, method, path, body string, header http.Header) (int, map[string]any) {
	t.Helper()
	rec := s.serve(method, s.fill(path), s.fill(body), header)
	var out map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatalf("%s %s: %d, the answer is not a JSON object: %q", method, path, rec.Code, rec.Body)
	}
	return rec.Code, out
}

func (s *inputServer) serve(method, path, body string, header http.Header) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("X-API-Key", apitest.Key)
	for k, v := range header {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	s.h.ServeHTTP(rec, req)
	return rec
}

// fill replaces ${name} with vars[name].
func (s *inputServer) fill(v string) string {
	for k, val := range s.vars {
		v = strings.ReplaceAll(v, "${"+k+"}", val)
	}
	return v
}

// fingerprint is what the database holds now.
func (s *inputServer) fingerprint(t testing.TB) dbtest.Fingerprint {
	t.Helper()
	fp, err := s.fp.Take(context.Background())
	if err != nil {
		t.Fatalf("fingerprint: %v", err)
	}
	return fp
}

// refused checks that an answer is Teli's error envelope, exactly, and returns its text.
func refused(t testing.TB, status int, out map[string]any) string {
	t.Helper()
	text, ok := out["error"].(string)
	if status < 400 || status >= 500 || out["success"] != false || out["powered_by"] != "Teli" || !ok || text == "" || len(out) != 3 {
		t.Fatalf("answered %d %v, want a 4xx in Teli's error envelope", status, out)
	}
	return text
}

// notText is the text rule's answer for field.
func notText(field string) string {
	return field + " must be valid UTF-8 text without NUL characters"
}

// TestTextRule sends NUL and invalid UTF-8 everywhere an API caller can put text: JSON body
// fields (as the \u0000 escape and as raw bytes), query values, the Idempotency-Key header,
// path ids and contact uploads. Each is refused with a 4xx in the envelope, naming the field
// (path ids get the resource's not-found), identically on both databases, and changes nothing.
func TestTextRule(t *testing.T) {
	csv, csvType := multipartCSV(map[string]string{"list_id": "${list}", "organization_id": "${org}", "user_id": "${admin}"},
		"phone,first_name\r\n+13135550101,Ann\r\n+13135550102,Jos\xe9\r\n")
	badListID, badListIDType := multipartCSV(map[string]string{"list_id": "a\x00b", "organization_id": "${org}", "user_id": "${admin}"},
		"phone\r\n+13135550101\r\n")
	idem := func(key string) http.Header { return http.Header{"Idempotency-Key": {key}} }
	send := `{"campaign_id": "${campaign}", "phone_number": "+13135550002", "message": "Hi"}`
	tests := []struct {
		name, method, path, body string
		header                   http.Header
		status                   int
		want                     string
	}{
		// JSON body fields.
		{"agent_name with NUL", "POST", "/v1/agents", `{"agent_type": "sms", "agent_name": "a\u0000b", "starting_message": "Hi",
			"prompt": "Be brief.", "organization_id": "${org}", "user_id": "${admin}"}`, nil, 400, notText("agent_name")},
		{"agent_name with a raw Latin-1 byte", "POST", "/v1/agents", `{"agent_type": "sms", "agent_name": "Caf` + "\xe9" + `", "starting_message": "Hi",
			"prompt": "Be brief.", "organization_id": "${org}", "user_id": "${admin}"}`, nil, 400, notText("agent_name")},
		{"starting_message with NUL", "POST", "/v1/agents", `{"agent_type": "sms", "agent_name": "Bot", "starting_message": "Hi\u0000",
			"prompt": "Be brief.", "organization_id": "${org}", "user_id": "${admin}"}`, nil, 400, notText("starting_message")},
		{"a drip step's message", "POST", "/v1/agents", `{"agent_type": "sms", "agent_name": "Bot", "starting_message": "Hi",
			"prompt": "Be brief.", "organization_id": "${org}", "user_id": "${admin}",
			"drip_schedule": [{"day": 1, "message": "ok"}, {"day": 2, "message": "` + "\xc3" + `"}]}`, nil, 400, notText("drip_schedule[1].message")},
		{"a field name with NUL", "POST", "/v1/agents", `{"agent\u0000name": "Bot"}`, nil, 400, notText("field names")},
		{"patched prompt with NUL", "PATCH", "/v1/agents/${agent}", `{"prompt": "a\u0000b"}`, nil, 400, notText("prompt")},
		{"organization name", "POST", "/v1/organizations", `{"name": "Acme\u0000", "contact_email": "a@example.com"}`, nil, 400, notText("name")},
		{"user name", "POST", "/v1/organizations/${org}/users", `{"name": "` + "\xff" + `", "email": "b@example.com"}`, nil, 400, notText("name")},
		{"patched user name", "PATCH", "/v1/organizations/${org}/users/${user}", `{"name": "U\u0000"}`, nil, 400, notText("name")},
		{"group name", "POST", "/v1/contacts/groups", `{"organization_id": "${org}", "user_id": "${admin}", "group_name": "G\u0000"}`, nil, 400, notText("group_name")},
		{"campaign_name", "POST", "/v1/campaigns", `{"campaign_id": "c2", "campaign_name": "R\u0000", "organization_id": "${org}", "user_id": "${admin}",
			"sms_agent_id": "${agent}", "teli_sms_number": "+13135727768", "contacts": [{"phone_number": "+13135550003"}]}`, nil, 400, notText("campaign_name")},
		{"campaign_id with a raw byte", "POST", "/v1/campaigns", `{"campaign_id": "c` + "\x80" + `", "campaign_name": "R", "organization_id": "${org}", "user_id": "${admin}",
			"sms_agent_id": "${agent}", "teli_sms_number": "+13135727768", "contacts": [{"phone_number": "+13135550003"}]}`, nil, 400, notText("campaign_id")},
		{"a campaign contact's name", "POST", "/v1/campaigns", `{"campaign_id": "c3", "campaign_name": "R", "organization_id": "${org}", "user_id": "${admin}",
			"sms_agent_id": "${agent}", "teli_sms_number": "+13135727768", "contacts": [{"phone_number": "+13135550003"}, {"phone_number": "+13135550004", "first_name": "D\u0000"}]}`,
			nil, 400, notText("contacts[1].first_name")},
		{"added leads", "POST", "/v1/campaigns/${campaign}/leads", `{"clients": [{"phone_number": "+13135550005", "notes": "` + "\xed\xa0\x80" + `"}]}`, nil, 400, notText("clients[0].notes")},
		{"sms text", "POST", "/v1/sms/send", `{"campaign_id": "${campaign}", "phone_number": "+13135550002", "message": "Hi\u0000"}`, nil, 400, notText("message")},
		{"mms media_url", "POST", "/v1/mms/send", `{"campaign_id": "${campaign}", "phone_number": "+13135550002", "media_url": "https://x.example/` + "\xff" + `"}`, nil, 400, notText("media_url")},
		{"bulk text", "POST", "/v1/sms/bulk-send", `{"campaign_id": "${campaign}", "phone_numbers": ["+13135550002"], "message": "` + "\xf0\x9f" + `"}`, nil, 400, notText("message")},
		{"a bulk number", "POST", "/v1/sms/bulk-send", `{"campaign_id": "${campaign}", "phone_numbers": ["+13135550002", "+1313\u00005550001"], "message": "Hi"}`, nil, 400, notText("phone_numbers[1]")},
		{"sandbox inbound body", "POST", "/v1/sandbox/inbound", `{"from": "+13135550002", "to": "+13135727768", "body": "Yes\u0000"}`, nil, 400, notText("body")},
		{"thread assignee", "POST", "/v1/threads/assign", `{"campaign_id": "${campaign}", "phone_number": "+13135550002", "assigned_user_id": "${user}\u0000"}`, nil, 400, notText("assigned_user_id")},
		{"lead ids to delete", "POST", "/v1/contacts/leads/delete", `{"lead_ids": ["${lead}", "` + "\xff" + `"]}`, nil, 400, notText("lead_ids[1]")},
		{"a contact's field", "POST", "/v1/contacts", `{"phone_number": "+13135550006", "city": "D\u0000", "organization_id": "${org}", "user_id": "${admin}"}`, nil, 400, notText("city")},
		{"a contact's field name", "POST", "/v1/contacts", `{"phone_number": "+13135550006", "` + "\xff" + `": "x", "organization_id": "${org}", "user_id": "${admin}"}`, nil, 400, notText("field names")},
		{"an uploaded contact's field name", "POST", "/v1/contacts/lists", `{"list_id": "${list}", "organization_id": "${org}", "user_id": "${admin}",
			"contacts": [{"phone_number": "+13135550007", "a\u0000": "x"}]}`, nil, 400, notText("field names in contacts[0]")},

		// Query values.
		{"user_id with NUL", "GET", "/v1/agents?organization_id=${org}&user_id=a%00b", "", nil, 400, notText("user_id")},
		{"organization_id with %FF", "GET", "/v1/agents?organization_id=%FF&user_id=${admin}", "", nil, 400, notText("organization_id")},
		{"a query parameter name", "GET", "/v1/agents?organization_id=${org}&user_id=${admin}&%C3=1", "", nil, 400, notText("query parameter names")},
		{"a lead search by phone", "GET", "/v1/organizations/${org}/leads?user_id=${admin}&is_admin=true&phone_number=%2B1313%FF", "", nil, 400, notText("phone_number")},

		// Path ids: the resource's own not-found.
		{"agent id %FF", "GET", "/v1/agents/%FF", "", nil, 404, "Agent not found"},
		{"agent id with NUL", "GET", "/v1/agents/a%00b", "", nil, 404, "Agent not found"},
		{"patch an agent %FF", "PATCH", "/v1/agents/%FF", `{"prompt": "New"}`, nil, 404, "Agent not found"},
		{"agent id %FF under the dashboard prefix", "GET", "/api/proxy/v1/agents/%FF", "", nil, 404, "Agent not found"},
		{"campaign id %FF", "GET", "/v1/campaigns/%FF", "", nil, 404, "Campaign not found"},
		{"pause a campaign %FF", "POST", "/v1/campaigns/%FF/pause", "", nil, 404, "Campaign not found"},
		{"organization id %FF", "GET", "/v1/organizations/%FF", "", nil, 404, "Organization not found"},
		{"users of organization %FF", "GET", "/v1/organizations/%FF/users", "", nil, 404, "Organization not found"},
		{"message id %C3", "GET", "/v1/messages/%C3", "", nil, 404, "Message not found"},
		{"list id %FF", "GET", "/v1/contacts/lists/%FF/contacts?user_id=${admin}", "", nil, 404, "Group Not Found"},

		// Headers read as text.
		{"Idempotency-Key with a raw byte", "POST", "/v1/sms/send", send, idem("key-\xff"), 400, notText("Idempotency-Key")},
		{"Idempotency-Key with NUL", "POST", "/v1/sms/bulk-send", `{"campaign_id": "${campaign}", "phone_numbers": ["+13135550002"], "message": "Hi"}`,
			idem("k\x00"), 400, notText("Idempotency-Key")},

		// Contact uploads: the whole upload is refused, naming the row and column.
		{"CSV upload with a Latin-1 name", "POST", "/v1/contacts/lists", csv, http.Header{"Content-Type": {csvType}}, 400,
			notText("row 2, column first_name")},
		{"CSV upload with a NUL list_id", "POST", "/v1/contacts/lists", badListID, http.Header{"Content-Type": {badListIDType}}, 400, notText("list_id")},
		{"JSON upload with a raw byte", "POST", "/v1/contacts/lists", `{"list_id": "${list}", "organization_id": "${org}", "user_id": "${admin}",
			"contacts": [{"phone_number": "+13135550007", "first_name": "` + "\xe9" + `"}]}`, nil, 400, notText("contacts[0].first_name")},

		// A value of the wrong type in an array is named with its index.
		{"a bulk number that is not a string", "POST", "/v1/sms/bulk-send", `{"campaign_id": "${campaign}", "phone_numbers": ["+13135550002", 5], "message": "Hi"}`,
			nil, 400, "phone_numbers[1] must be a string"},
	}
	for _, b := range apitest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			s := newInputServer(t, b)
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					before := s.fingerprint(t)
					status, out := s.do(t, tt.method, tt.path, tt.body, tt.header)
					if text := refused(t, status, out); status != tt.status || text != tt.want {
						t.Errorf("answered %d %q, want %d %q", status, text, tt.status, tt.want)
					}
					if diff := dbtest.Diff(before, s.fingerprint(t)); diff != "" {
						t.Errorf("the refused request changed %s", diff)
					}
				})
			}
		})
	}
}
