package api_test

import (
	"strings"
	"testing"

	"github.com/openteli/teli/internal/apitest"
)

func TestCampaigns(t *testing.T) {
	scenario(t, "campaigns", func(srv *apitest.Server, vars map[string]string) []apitest.Step {
		launch := func(id, extra string) string {
			return `{"campaign_id": "` + id + `", "campaign_name": "Refi November", "organization_id": "${org}", "user_id": "${admin}",
				"sms_agent_id": "${agent}", "teli_sms_number": "13135727768"` + extra + `}`
		}
		return []apitest.Step{
			{Name: "SMS agent", Method: "POST", Path: "/v1/agents", Body: `{"agent_type": "sms", "agent_name": "Refi bot",
				"starting_message": "Hi {{first_name}}, still looking to refinance with {{company}}?", "prompt": "Be brief.",
				"organization_id": "${org}", "user_id": "${admin}", "drip_schedule": [{"day": 1, "message": "Checking in!"}]}`,
				Capture: map[string]string{"agent": "agent_id"}},
			{Name: "voice agent", Method: "POST", Path: "/v1/agents", Body: `{"agent_type": "voice", "agent_name": "Caller", "prompt": "Call.",
				"organization_id": "${org}", "user_id": "${admin}"}`, Capture: map[string]string{"voice_agent": "agent_id"}},
			{Name: "a regular user", Method: "POST", Path: "/v1/organizations/${org}/users", Body: `{"name": "Uma User", "email": "uma@example.com"}`,
				Capture: map[string]string{"uma": "user.unique_id"}},

			{Name: "launch a dry run", Method: "POST", Path: "/v1/campaigns", Body: launch("1763072374x123456789012345678", `, "dry_run": true,
				"objective_prompt": "Book a call", "extraction_fields": ["credit_score"], "contacts": [
				{"phone_number": "+13135550001", "first_name": "Ann", "company_name": "Acme"},
				{"phone_number": "(415) 555-0002", "first_name": "Bo"},
				{"phone_number": "+13135550003"},
				{"phone_number": "12"},
				{"phone_number": "+13135550005", "do_not_call": true},
				{"phone_number": "313-555-0001", "first_name": "Ann twice"}]`)},
			{Name: "get the campaign", Method: "GET", Path: "/v1/campaigns/1763072374x123456789012345678"},
			{Name: "its messages, newest first", Method: "GET", Path: "/v1/campaigns/1763072374x123456789012345678/messages?limit=2"},
			{Name: "messages since launch: none newer", Method: "GET", Path: "/v1/campaigns/1763072374x123456789012345678/messages?since=2026-01-23T19:30:00Z"},
			{Name: "the same campaign_id again", Method: "POST", Path: "/v1/campaigns", Body: launch("1763072374x123456789012345678", `, "dry_run": true, "contacts": [{"phone_number": "+13135550009"}]`)},
			{Name: "nothing changed by the refused launch", Method: "GET", Path: "/v1/campaigns/1763072374x123456789012345678"},

			{Name: "fields missing", Method: "POST", Path: "/v1/campaigns", Body: `{"campaign_id": "x"}`},
			{Name: "unknown agent", Method: "POST", Path: "/v1/campaigns", Body: `{"campaign_id": "c2", "campaign_name": "n", "organization_id": "${org}", "user_id": "${admin}", "sms_agent_id": "1x1", "teli_sms_number": "+13135727768", "contacts": []}`},
			{Name: "voice agent as sms_agent_id", Method: "POST", Path: "/v1/campaigns", Body: `{"campaign_id": "c2", "campaign_name": "n", "organization_id": "${org}", "user_id": "${admin}", "sms_agent_id": "${voice_agent}", "teli_sms_number": "+13135727768", "contacts": []}`},
			{Name: "bad sending number", Method: "POST", Path: "/v1/campaigns", Body: `{"campaign_id": "c2", "campaign_name": "n", "organization_id": "${org}", "user_id": "${admin}", "sms_agent_id": "${agent}", "teli_sms_number": "555", "contacts": []}`},
			{Name: "sms-to-voice without its fields", Method: "POST", Path: "/v1/campaigns", Body: launch("c3", `, "enable_sms_to_voice": true, "contacts": []`)},
			{Name: "other tenant's agent", Method: "POST", Path: "/v1/campaigns", Body: `{"campaign_id": "c2", "campaign_name": "n", "organization_id": "${org}", "user_id": "${admin}", "sms_agent_id": "${other_agent}", "teli_sms_number": "+13135727768", "contacts": []}`},
			{Name: "an empty campaign is refused", Method: "POST", Path: "/v1/campaigns", Body: launch("empty", `, "contacts": []`)},

			{Name: "list as admin", Method: "GET", Path: "/v1/organizations/${org}/campaigns?user_id=${admin}&is_admin=true"},
			{Name: "list as a user with none", Method: "GET", Path: "/v1/organizations/${org}/campaigns?user_id=${uma}"},
			{Name: "list: user_id missing", Method: "GET", Path: "/v1/organizations/${org}/campaigns"},
			{Name: "get unknown", Method: "GET", Path: "/v1/campaigns/nope"},
			{Name: "get as another tenant", Method: "GET", Path: "/v1/campaigns/empty", Key: "${other_key}"},
			{Name: "messages: bad since", Method: "GET", Path: "/v1/campaigns/empty/messages?since=yesterday"},
			{Name: "messages: bad limit", Method: "GET", Path: "/v1/campaigns/empty/messages?limit=0"},
		}
	})
}

// TestLaunchWithoutValidContacts: a launch that could message nobody is a 400 and creates
// nothing: no campaign, no leads, no do-not-contact entries.
func TestLaunchWithoutValidContacts(t *testing.T) {
	eachBackend(t, func(t *testing.T, c caller) {
		body := func(contacts string) string {
			return `{"campaign_id": "camp_none", "campaign_name": "Refi", "organization_id": "${org}", "user_id": "${admin}",
				"sms_agent_id": "${agent}", "teli_sms_number": "+13135727768", "contacts": ` + contacts + `}`
		}
		if _, out := c.do("POST", "/v1/campaigns", body(`[]`), 400); out["error"] != "contacts must be a non-empty array" {
			t.Errorf("no contacts: %q", out["error"])
		}
		_, out := c.do("POST", "/v1/campaigns", body(`[{"phone_number": "garbage"}, {"first_name": "No phone"}, {"phone_number": "+13135550005", "do_not_call": true}]`), 400)
		if out["error"] != "No valid contacts (3 rejected); the campaign was not created" ||
			out["detail"] != `row 1 (garbage): "garbage" is not a phone number; row 2: phone_number is missing; row 3 (+13135550005): do_not_call` {
			t.Errorf("only invalid contacts: %v", out)
		}
		c.do("GET", "/v1/campaigns/camp_none", "", 404)
		if _, leads := c.do("GET", "/v1/organizations/${org}/leads?user_id=${admin}&is_admin=true", "", 200); leads["total"] != 0.0 {
			t.Errorf("the refused launches left %v leads", leads["total"])
		}
		// Had the do_not_call contact joined the do-not-contact list, this bulk send would skip it.
		c.launch("camp_after", "+13135550005", false)
		_, bulk := c.do("POST", "/v1/sms/bulk-send", `{"campaign_id": "camp_after", "phone_numbers": ["+13135550005"], "message": "Hi"}`, 200)
		if bulk["sent"] != 1.0 {
			t.Errorf("the refused launch put its do_not_call contact on the do-not-contact list: %v", bulk["results"])
		}
	})
}

// TestCampaignIDs: a client's campaign_id is 1 to 100 letters, digits, spaces and . _ ~ -,
// which every id of the spec's examples is.
func TestCampaignIDs(t *testing.T) {
	eachBackend(t, func(t *testing.T, c caller) {
		launch := func(id string, want int) map[string]any {
			_, out := c.do("POST", "/v1/campaigns", `{"campaign_id": "`+id+`", "campaign_name": "Refi", "organization_id": "${org}", "user_id": "${admin}",
				"sms_agent_id": "${agent}", "teli_sms_number": "+13135727768", "dry_run": true, "contacts": [{"phone_number": "+13135550001"}]}`, want)
			return out
		}
		for _, id := range []string{"1763072374x123456789012345678", "json test", "camp_abc123", "refi-2.v1~b", strings.Repeat("x", 100)} {
			launch(id, 200)
		}
		for id, want := range map[string]string{
			strings.Repeat("x", 5000): "campaign_id is 5000 characters; at most 100 are allowed",
			"spring/2026":             `campaign_id may hold only letters, digits, spaces and . _ ~ -, not '/'`,
			"caf\u00e9":               `campaign_id may hold only letters, digits, spaces and . _ ~ -, not 'é'`,
		} {
			if out := launch(id, 400); out["error"] != want {
				t.Errorf("campaign_id %.20q: error %q, want %q", id, out["error"], want)
			}
		}
		c.do("GET", "/v1/campaigns/json%20test", "", 200)
	})
}
