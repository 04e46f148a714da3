package api_test

import (
	"strings"
	"testing"

	"github.com/openteli/teli/internal/apitest"
)

// multipartCSV builds a multipart/form-data body with the upload's form fields and a CSV file.
func multipartCSV(fields map[string]string, csv string) (body string, contentType string) {
	const boundary = "teli-test-boundary"
	var b strings.Builder
	for _, k := range []string{"list_id", "organization_id", "user_id"} {
		if v, ok := fields[k]; ok {
			b.WriteString("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + k + "\"\r\n\r\n" + v + "\r\n")
		}
	}
	if csv != "" {
		b.WriteString("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"leads.csv\"\r\n" +
			"Content-Type: text/csv\r\n\r\n" + csv + "\r\n")
	}
	b.WriteString("--" + boundary + "--\r\n")
	return b.String(), "multipart/form-data; boundary=" + boundary
}

func TestContacts(t *testing.T) {
	scenario(t, "contacts", func(srv *apitest.Server, vars map[string]string) []apitest.Step {
		upload := map[string]string{"list_id": "${group}", "organization_id": "${org}", "user_id": "${admin}"}
		csvBody, csvType := multipartCSV(upload,
			"Phone,FirstName,Last,Email,Zip,fico_score\r\n"+
				"(313) 555-0101,Ada,Lovelace,ada@example.com,48201,780\r\n"+
				"313-555-0102,Alan,Turing,,02139,\r\n"+
				"12,Bad,Number,,,\r\n"+
				"+1 313 555 0101,Ada,Again,,,\r\n")
		noFile, noFileType := multipartCSV(upload, "")
		noPhone, noPhoneType := multipartCSV(upload, "name,email\r\nX,x@example.com\r\n")
		return []apitest.Step{
			{Name: "a regular user", Method: "POST", Path: "/v1/organizations/${org}/users", Body: `{"name": "Uma User", "email": "uma@example.com"}`,
				Capture: map[string]string{"uma": "user.unique_id"}},
			{Name: "create group (spec example)", Method: "POST", Path: "/v1/contacts/groups",
				Body:    `{"organization_id": "${org}", "user_id": "${admin}", "group_name": "November Leads", "description": "Leads from the November expo"}`,
				Capture: map[string]string{"group": "group_id"}},
			{Name: "uma's group", Method: "POST", Path: "/v1/contacts/groups",
				Body:    `{"organization_id": "${org}", "user_id": "${uma}", "group_name": "Uma's list"}`,
				Capture: map[string]string{"uma_group": "group_id"}},
			{Name: "group: fields missing", Method: "POST", Path: "/v1/contacts/groups", Body: `{"organization_id": "${org}"}`},
			{Name: "group: other tenant's organization", Method: "POST", Path: "/v1/contacts/groups", Body: `{"organization_id": "${other_org}", "user_id": "${other_user}", "group_name": "x"}`},

			{Name: "upload JSON contacts", Method: "POST", Path: "/v1/contacts/lists", Body: `{"list_id": "${group}", "organization_id": "${org}", "user_id": "${admin}", "contacts": [
				{"phone_number": "+13135550001", "first_name": "John", "last_name": "Doe", "email": "john@example.com", "company_name": "Acme", "fico_score": 720, "state": "MI"},
				{"phone_number": "3135550002", "first_name": "Jane"},
				{"phone_number": "(313) 555-0003", "first_name": "Jim", "do_not_call": true},
				{"phone_number": "not a phone"},
				{"first_name": "No Phone"},
				{"phone_number": "+1 313 555 0002", "first_name": "Jane again"}
			]}`},
			{Name: "upload CSV (header aliases, custom column)", Method: "POST", Path: "/v1/contacts/lists", Body: csvBody,
				Headers: map[string]string{"Content-Type": csvType}},
			{Name: "upload CSV without a file", Method: "POST", Path: "/v1/contacts/lists", Body: noFile, Headers: map[string]string{"Content-Type": noFileType}},
			{Name: "upload CSV without a phone column", Method: "POST", Path: "/v1/contacts/lists", Body: noPhone, Headers: map[string]string{"Content-Type": noPhoneType}},
			{Name: "upload: no contacts", Method: "POST", Path: "/v1/contacts/lists", Body: `{"list_id": "${group}", "organization_id": "${org}", "user_id": "${admin}", "contacts": []}`},
			{Name: "upload: unknown group", Method: "POST", Path: "/v1/contacts/lists", Body: `{"list_id": "1x1", "organization_id": "${org}", "user_id": "${admin}", "contacts": [{"phone_number": "+13135550009"}]}`},
			{Name: "upload: fields missing", Method: "POST", Path: "/v1/contacts/lists", Body: `{"contacts": [{"phone_number": "+13135550009"}]}`},
			{Name: "upload: other tenant", Method: "POST", Path: "/v1/contacts/lists", Body: `{"list_id": "${group}", "organization_id": "${org}", "user_id": "${admin}", "contacts": [{"phone_number": "+13135550009"}]}`, Key: "${other_key}"},

			{Name: "single contact into a group", Method: "POST", Path: "/v1/contacts",
				Body:    `{"organization_id": "${org}", "user_id": "${uma}", "list_id": "${uma_group}", "phone_number": "+14155550100", "first_name": "Sam", "opportunity_value": "$500", "external_id": "crm-42"}`,
				Capture: map[string]string{"sam": "contact_id"}},
			{Name: "single contact, no group: Manual Entries is created", Method: "POST", Path: "/v1/contacts",
				Body: `{"organization_id": "${org}", "user_id": "${uma}", "phone_number": "+14155550101"}`},
			{Name: "single contact, no group again: reused", Method: "POST", Path: "/v1/contacts",
				Body: `{"organization_id": "${org}", "user_id": "${uma}", "phone_number": "+14155550102"}`},
			{Name: "single contact into a new named list", Method: "POST", Path: "/v1/contacts",
				Body: `{"organization_id": "${org}", "user_id": "${uma}", "list_name": "Walk-ins", "phone_number": "+14155550103"}`},
			{Name: "single contact: phone missing", Method: "POST", Path: "/v1/contacts", Body: `{"organization_id": "${org}", "user_id": "${uma}"}`},
			{Name: "single contact: bad phone", Method: "POST", Path: "/v1/contacts", Body: `{"organization_id": "${org}", "user_id": "${uma}", "phone_number": "555"}`},
			{Name: "single contact: unknown group", Method: "POST", Path: "/v1/contacts", Body: `{"organization_id": "${org}", "user_id": "${uma}", "list_id": "1x1", "phone_number": "+14155550104"}`},

			{Name: "group contacts as admin", Method: "GET", Path: "/v1/contacts/lists/${group}/contacts?user_id=${admin}&is_admin=true"},
			{Name: "own group as user", Method: "GET", Path: "/v1/contacts/lists/${uma_group}/contacts?user_id=${uma}"},
			{Name: "someone else's group as user", Method: "GET", Path: "/v1/contacts/lists/${group}/contacts?user_id=${uma}"},
			{Name: "group contacts: unknown group", Method: "GET", Path: "/v1/contacts/lists/1x1/contacts?user_id=${admin}&is_admin=true"},
			{Name: "group contacts: other tenant", Method: "GET", Path: "/v1/contacts/lists/${group}/contacts?user_id=${admin}&is_admin=true", Key: "${other_key}"},

			{Name: "org leads, all", Method: "GET", Path: "/v1/organizations/${org}/leads?user_id=${admin}&is_admin=true"},
			{Name: "org leads, page 2 of 3", Method: "GET", Path: "/v1/organizations/${org}/leads?user_id=${admin}&is_admin=true&page=2&page_size=3"},
			{Name: "org leads of one group", Method: "GET", Path: "/v1/organizations/${org}/leads?user_id=${admin}&is_admin=true&group_id=${uma_group}"},
			{Name: "org leads by phone, any format", Method: "GET", Path: "/v1/organizations/${org}/leads?user_id=${admin}&is_admin=true&phone_number=(313)%20555-0101"},
			{Name: "org leads of a user", Method: "GET", Path: "/v1/organizations/${org}/leads?user_id=${uma}"},
			{Name: "org leads: unknown user", Method: "GET", Path: "/v1/organizations/${org}/leads?user_id=1x1"},
			{Name: "org leads: bad page", Method: "GET", Path: "/v1/organizations/${org}/leads?user_id=${admin}&is_admin=true&page=0"},
			{Name: "org leads: page too large", Method: "GET", Path: "/v1/organizations/${org}/leads?user_id=${admin}&is_admin=true&page=1&page_size=500"},
			{Name: "org leads: other tenant's organization", Method: "GET", Path: "/v1/organizations/${other_org}/leads?user_id=${other_user}&is_admin=true"},

			{Name: "delete leads (prefixed id, unknown id)", Method: "POST", Path: "/v1/contacts/leads/delete", Body: `{"lead_ids": ["${sam}", "1x1"], "group_id": "${uma_group}"}`},
			{Name: "delete leads: empty", Method: "POST", Path: "/v1/contacts/leads/delete", Body: `{"lead_ids": []}`},
			{Name: "delete leads: unknown group", Method: "POST", Path: "/v1/contacts/leads/delete", Body: `{"lead_ids": ["1x1"], "group_id": "1x1"}`},
			{Name: "uma's group after the delete", Method: "GET", Path: "/v1/contacts/lists/${uma_group}/contacts?user_id=${uma}"},
		}
	})
}

// TestCreateContactWithANumericPhone: POST /v1/contacts reads a JSON number as the digits it
// spells, as campaign contacts do, and keeps a long number exact.
func TestCreateContactWithANumericPhone(t *testing.T) {
	eachBackend(t, func(t *testing.T, c caller) {
		_, out := c.do("POST", "/v1/contacts", `{"organization_id": "${org}", "user_id": "${admin}", "list_name": "Numbers",
			"phone_number": 3135550199, "external_id": 12345678901234567890}`, 201)
		_, got := c.do("GET", "/v1/contacts/lists/"+out["list_id"].(string)+"/contacts?user_id=${admin}&is_admin=true", "", 200)
		leads := got["contacts"].([]any)
		if len(leads) != 1 {
			t.Fatalf("%d contacts in the list, want 1", len(leads))
		}
		l := leads[0].(map[string]any)
		if l["phone_number"] != "+13135550199" || l["external_id"] != "12345678901234567890" {
			t.Errorf("phone_number %v, external_id %v", l["phone_number"], l["external_id"])
		}
		_, out = c.do("POST", "/v1/contacts", `{"organization_id": "${org}", "user_id": "${admin}", "phone_number": null}`, 400)
		if out["error"] != "organization_id, user_id, and phone_number are required" {
			t.Errorf("null phone: %q", out["error"])
		}
	})
}
