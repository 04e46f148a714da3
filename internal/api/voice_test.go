package api_test

import (
	"testing"

	"github.com/openteli/teli/internal/apitest"
)

// The voice surface's contract: numbers, campaigns, call history and extraction, their
// validation and tenancy. Campaigns here begin in the future, so no call is placed while the
// scenario runs and every response is the same on each run; calls placed and answered are the
// end-to-end stories' (package app).
func TestVoice(t *testing.T) {
	scenario(t, "voice", func(srv *apitest.Server, vars map[string]string) []apitest.Step {
		users := "/v1/organizations/${org}/users"
		numbers := "/v1/voice/phone-numbers"
		later := `"campaign_begin_time": "2026-03-02T15:00:00Z", "campaign_end_time": "2026-03-09T15:00:00Z"`
		return []apitest.Step{
			{Name: "a regular user", Method: "POST", Path: users, Body: `{"name": "Uma User", "email": "uma@example.com"}`,
				Capture: map[string]string{"uma": "user.unique_id"}},
			{Name: "voice agent", Method: "POST", Path: "/v1/agents", Body: voiceAgentBody,
				Capture: map[string]string{"voice": "agent_id", "voice_platform_id": "voice_agent_id"}},
			{Name: "SMS agent", Method: "POST", Path: "/v1/agents", Body: smsAgentBody,
				Capture: map[string]string{"sms": "agent_id"}},

			{Name: "provision a number", Method: "POST", Path: numbers + "/create",
				Body:    `{"area_code": "313", "user_id": "${admin}", "organization_id": "${org}", "tenant_id": "default", "nickname": "Main Sales Line"}`,
				Capture: map[string]string{"main": "phone_number"}},
			{Name: "provision uma's number", Method: "POST", Path: numbers + "/create",
				Body:    `{"area_code": "415", "user_id": "${uma}", "organization_id": "${org}"}`,
				Capture: map[string]string{"umas": "phone_number"}},
			{Name: "provision a second number in the same area code", Method: "POST", Path: numbers + "/create",
				Body: `{"area_code": "313", "user_id": "${admin}", "organization_id": "${org}"}`},
			{Name: "provision: area_code missing", Method: "POST", Path: numbers + "/create", Body: `{"user_id": "${admin}", "organization_id": "${org}"}`},
			{Name: "provision: user_id missing", Method: "POST", Path: numbers + "/create", Body: `{"area_code": "313", "organization_id": "${org}"}`},
			{Name: "provision: organization_id missing", Method: "POST", Path: numbers + "/create", Body: `{"area_code": "313", "user_id": "${admin}"}`},
			{Name: "provision: not an area code", Method: "POST", Path: numbers + "/create", Body: `{"area_code": "123", "user_id": "${admin}", "organization_id": "${org}"}`},
			{Name: "provision: user of another tenant", Method: "POST", Path: numbers + "/create", Body: `{"area_code": "313", "user_id": "${other_user}", "organization_id": "${other_org}"}`},

			{Name: "admin lists the organization's numbers", Method: "GET", Path: numbers + "?organization_id=${org}&user_id=${admin}&is_admin=true"},
			{Name: "uma lists her own", Method: "GET", Path: numbers + "?organization_id=${org}&user_id=${uma}"},
			{Name: "uma claims is_admin", Method: "GET", Path: numbers + "?organization_id=${org}&user_id=${uma}&is_admin=true"},
			{Name: "phone_type sms lists none here", Method: "GET", Path: numbers + "?organization_id=${org}&user_id=${admin}&phone_type=sms"},
			{Name: "bad phone_type", Method: "GET", Path: numbers + "?organization_id=${org}&user_id=${admin}&phone_type=fax"},
			{Name: "list: organization_id missing", Method: "GET", Path: numbers + "?user_id=${admin}"},

			{Name: "bind agents and nickname", Method: "POST", Path: numbers + "/${main}/update-agent",
				Body: `{"inbound_agent_id": "${voice_platform_id}", "outbound_agent_id": "${voice}", "nickname": "Front desk"}`},
			{Name: "bind: nothing to change", Method: "POST", Path: numbers + "/${main}/update-agent", Body: `{}`},
			{Name: "bind: SMS agent", Method: "POST", Path: numbers + "/${main}/update-agent", Body: `{"inbound_agent_id": "${sms}"}`},
			{Name: "bind: unknown agent", Method: "POST", Path: numbers + "/${main}/update-agent", Body: `{"outbound_agent_id": "agent_nope"}`},
			{Name: "bind: other tenant's agent", Method: "POST", Path: numbers + "/${main}/update-agent", Body: `{"outbound_agent_id": "${other_agent}"}`},
			{Name: "bind: wrong type", Method: "POST", Path: numbers + "/${main}/update-agent", Body: `{"nickname": 7}`},
			{Name: "bind with the other tenant's key", Method: "POST", Path: numbers + "/${main}/update-agent", Key: "${other_key}", Body: `{"nickname": "x"}`},
			{Name: "list numbers of the other tenant's organization", Method: "GET", Path: numbers + "?organization_id=${other_org}&user_id=${other_user}&is_admin=true"},
			{Name: "bind: unknown number", Method: "POST", Path: numbers + "/+13135550199/update-agent", Body: `{"nickname": "x"}`},
			{Name: "delete the agent a number answers with", Method: "DELETE", Path: "/v1/agents/${voice}"},
			{Name: "null clears the inbound agent, the rest stays", Method: "POST", Path: numbers + "/${main}/update-agent", Body: `{"inbound_agent_id": null}`},
			{Name: "empty string clears the outbound agent", Method: "POST", Path: numbers + "/${main}/update-agent", Body: `{"outbound_agent_id": ""}`},
			{Name: "list shows the bindings", Method: "GET", Path: numbers + "?organization_id=${org}&user_id=${admin}"},

			{Name: "campaign: agent missing", Method: "POST", Path: "/v1/voice/campaigns",
				Body: `{"agent_outbound_number": "${main}", "leads": [{"phone_number": "+13135550123"}], "organization_id": "${org}", "user_id": "${admin}"}`},
			{Name: "campaign: caller number missing", Method: "POST", Path: "/v1/voice/campaigns",
				Body: `{"voice_agent_id": "${voice_platform_id}", "leads": [{"phone_number": "+13135550123"}], "organization_id": "${org}", "user_id": "${admin}"}`},
			{Name: "campaign: leads missing", Method: "POST", Path: "/v1/voice/campaigns",
				Body: `{"voice_agent_id": "${voice_platform_id}", "agent_outbound_number": "${main}", "leads": [], "organization_id": "${org}", "user_id": "${admin}"}`},
			{Name: "campaign: caller number not ours", Method: "POST", Path: "/v1/voice/campaigns",
				Body: `{"voice_agent_id": "${voice_platform_id}", "agent_outbound_number": "+12125550100", "leads": [{"phone_number": "+13135550123"}], "organization_id": "${org}", "user_id": "${admin}"}`},
			{Name: "campaign: SMS agent", Method: "POST", Path: "/v1/voice/campaigns",
				Body: `{"voice_agent_id": "${sms}", "agent_outbound_number": "${main}", "leads": [{"phone_number": "+13135550123"}], "organization_id": "${org}", "user_id": "${admin}"}`},
			{Name: "campaign: end before begin", Method: "POST", Path: "/v1/voice/campaigns",
				Body: `{"voice_agent_id": "${voice_platform_id}", "agent_outbound_number": "${main}", "leads": [{"phone_number": "+13135550123"}], "organization_id": "${org}", "user_id": "${admin}", "campaign_begin_time": "2026-03-02T15:00:00Z", "campaign_end_time": "2026-03-01T15:00:00Z"}`},
			{Name: "campaign: retry_limit out of range", Method: "POST", Path: "/v1/voice/campaigns",
				Body: `{"voice_agent_id": "${voice_platform_id}", "agent_outbound_number": "${main}", "leads": [{"phone_number": "+13135550123"}], "organization_id": "${org}", "user_id": "${admin}", "redial_enabled": true, "redial_config": {"retry_limit": 50}}`},
			{Name: "campaign: no valid lead", Method: "POST", Path: "/v1/voice/campaigns",
				Body: `{"voice_agent_id": "${voice_platform_id}", "agent_outbound_number": "${main}", "leads": [{"first_name": "No phone"}, {"phone_number": "12"}], "organization_id": "${org}", "user_id": "${admin}"}`},
			{Name: "campaign: other tenant's organization", Method: "POST", Path: "/v1/voice/campaigns",
				Body: `{"voice_agent_id": "${voice_platform_id}", "agent_outbound_number": "${main}", "leads": [{"phone_number": "+13135550123"}], "organization_id": "${other_org}", "user_id": "${other_user}"}`},
			{Name: "create a campaign", Method: "POST", Path: "/v1/voice/campaigns",
				Body: `{"campaign_id": "vc 1", "voice_agent_id": "${voice_platform_id}", "agent_outbound_number": "${main}",
					"number_pool": [{"phone_number": "${main}"}], "organization_id": "${org}", "user_id": "${admin}", "tenant_id": "default",
					"redial_enabled": true, "redial_config": {"retry_limit": 2, "call_interval_days": 1}, ` + later + `,
					"leads": [
						{"phone_number": "+13135550123", "first_name": "Ada", "last_name": "Lovelace", "loan_amount": "350000"},
						{"phone_number": "(313) 555-0124", "first_name": "Grace"},
						{"first_name": "No phone"},
						{"phone_number": "+13135550125", "first_name": "Dee", "do_not_call": true}
					]}`},
			{Name: "the same campaign_id again", Method: "POST", Path: "/v1/voice/campaigns",
				Body: `{"campaign_id": "vc 1", "voice_agent_id": "${voice_platform_id}", "agent_outbound_number": "${main}", "leads": [{"phone_number": "+13135550123"}], "organization_id": "${org}", "user_id": "${admin}", ` + later + `}`},
			{Name: "a campaign with a generated id", Method: "POST", Path: "/v1/voice/campaigns",
				Body:    `{"voice_agent_id": "${voice_platform_id}", "agent_outbound_number": "${main}", "leads": [{"phone_number": "+13135550126"}], "organization_id": "${org}", "user_id": "${admin}", ` + later + `}`,
				Capture: map[string]string{"generated": "campaign_id"}},

			{Name: "list campaigns", Method: "GET", Path: "/v1/voice/campaigns?organization_id=${org}&user_id=${admin}&is_admin=true"},
			{Name: "list: organization_id missing", Method: "GET", Path: "/v1/voice/campaigns"},
			{Name: "uma sees none of the admin's", Method: "GET", Path: "/v1/voice/campaigns?organization_id=${org}&user_id=${uma}"},
			{Name: "get with progress", Method: "GET", Path: "/v1/voice/campaigns/vc%201"},
			{Name: "get unknown", Method: "GET", Path: "/v1/voice/campaigns/vc%202"},
			{Name: "get with the other tenant's key", Method: "GET", Path: "/v1/voice/campaigns/vc%201", Key: "${other_key}"},
			{Name: "pause with the other tenant's key", Method: "POST", Path: "/v1/voice/campaigns/vc%201/pause", Key: "${other_key}"},
			{Name: "list campaigns of the other tenant's organization", Method: "GET", Path: "/v1/voice/campaigns?organization_id=${other_org}&user_id=${other_user}&is_admin=true"},
			{Name: "pause", Method: "POST", Path: "/v1/voice/campaigns/vc%201/pause"},
			{Name: "pause again", Method: "POST", Path: "/v1/voice/campaigns/vc%201/pause"},
			{Name: "pause with options", Method: "POST", Path: "/v1/voice/campaigns/vc%201/pause", Body: `{"reason": "lunch"}`},
			{Name: "resume with the other tenant's key", Method: "POST", Path: "/v1/voice/campaigns/vc%201/resume", Key: "${other_key}"},
			{Name: "resume", Method: "POST", Path: "/v1/voice/campaigns/vc%201/resume"},
			{Name: "resume unknown", Method: "POST", Path: "/v1/voice/campaigns/nope/resume"},
			{Name: "delete the agent a campaign calls with", Method: "DELETE", Path: "/v1/agents/${voice}"},
			{Name: "delete a campaign", Method: "DELETE", Path: "/v1/voice/campaigns/vc%201"},
			{Name: "get deleted", Method: "GET", Path: "/v1/voice/campaigns/vc%201"},
			{Name: "delete again", Method: "DELETE", Path: "/v1/voice/campaigns/vc%201"},
			{Name: "delete with the other tenant's key", Method: "DELETE", Path: "/v1/voice/campaigns/${generated}", Key: "${other_key}"},

			{Name: "history: ended calls (none yet)", Method: "GET", Path: "/v1/voice/calls?organization_id=${org}&user_id=${admin}&is_admin=true"},
			{Name: "history: organization_id missing", Method: "GET", Path: "/v1/voice/calls?user_id=${admin}"},
			{Name: "history: bad call_status", Method: "GET", Path: "/v1/voice/calls?organization_id=${org}&user_id=${admin}&call_status=ringing"},
			{Name: "history: bad direction", Method: "GET", Path: "/v1/voice/calls?organization_id=${org}&user_id=${admin}&direction=sideways"},
			{Name: "history: bad sentiment", Method: "GET", Path: "/v1/voice/calls?organization_id=${org}&user_id=${admin}&user_sentiment=ecstatic"},
			{Name: "history: bad success", Method: "GET", Path: "/v1/voice/calls?organization_id=${org}&user_id=${admin}&call_successful=perhaps"},
			{Name: "history: bad after_date", Method: "GET", Path: "/v1/voice/calls?organization_id=${org}&user_id=${admin}&after_date=yesterday"},
			{Name: "history: limit above 100", Method: "GET", Path: "/v1/voice/calls?organization_id=${org}&user_id=${admin}&limit=101"},
			{Name: "history: the other tenant's organization", Method: "GET", Path: "/v1/voice/calls?organization_id=${other_org}&user_id=${other_user}&is_admin=true"},
			{Name: "get an unknown call", Method: "GET", Path: "/v1/voice/calls/call_00000000000000000000000000"},
			{Name: "extraction of an unknown call", Method: "GET", Path: "/v1/voice/calls/call_00000000000000000000000000/extractions"},
			{Name: "extractions of a number without calls", Method: "GET", Path: "/v1/voice/extractions/phone/+13135550123?organization_id=${org}"},
			{Name: "extractions: not a phone number", Method: "GET", Path: "/v1/voice/extractions/phone/hello"},
			{Name: "extractions: the other tenant's organization", Method: "GET", Path: "/v1/voice/extractions/phone/+13135550123?organization_id=${other_org}"},

			{Name: "single call: fields missing", Method: "POST", Path: "/v1/voice/calls", Body: `{"to_number": "+13135550123"}`},
			{Name: "single call: from a number not ours", Method: "POST", Path: "/v1/voice/calls",
				Body: `{"from_number": "+12125550100", "to_number": "+13135550123", "voice_agent_id": "${voice_platform_id}"}`},
			{Name: "single call: bad to_number", Method: "POST", Path: "/v1/voice/calls",
				Body: `{"from_number": "${main}", "to_number": "12", "voice_agent_id": "${voice_platform_id}"}`},
			{Name: "single call: SMS agent", Method: "POST", Path: "/v1/voice/calls",
				Body: `{"from_number": "${main}", "to_number": "+13135550123", "voice_agent_id": "${sms}"}`},
			{Name: "single call: with the other tenant's key", Method: "POST", Path: "/v1/voice/calls", Key: "${other_key}",
				Body: `{"from_number": "${main}", "to_number": "+13135550123", "voice_agent_id": "${voice_platform_id}"}`},

			{Name: "a webhook of a platform not in use", Method: "POST", Path: "/voice/webhooks/retell", Key: "-", Body: `{"event": "call_ended"}`},
			{Name: "sandbox: say on an unknown call", Method: "POST", Path: "/v1/sandbox/calls/call_00000000000000000000000000/say", Body: `{"text": "hello"}`},
			{Name: "sandbox: say nothing", Method: "POST", Path: "/v1/sandbox/calls/call_00000000000000000000000000/say", Body: `{}`},
			{Name: "sandbox: dial a number not ours", Method: "POST", Path: "/v1/sandbox/calls", Body: `{"from": "+13135550123", "to": "+12125550100"}`},
			{Name: "sandbox: dial without from", Method: "POST", Path: "/v1/sandbox/calls", Body: `{"to": "${main}"}`},

			{Name: "release uma's number", Method: "DELETE", Path: numbers + "/${umas}"},
			{Name: "release it again", Method: "DELETE", Path: numbers + "/${umas}"},
			{Name: "release an unknown number", Method: "DELETE", Path: numbers + "/+13135550199"},
			{Name: "release with the other tenant's key", Method: "DELETE", Path: numbers + "/${main}", Key: "${other_key}"},
			{Name: "released numbers leave the list", Method: "GET", Path: numbers + "?organization_id=${org}&user_id=${admin}&is_admin=true"},
			{Name: "bind a released number", Method: "POST", Path: numbers + "/${umas}/update-agent", Body: `{"nickname": "x"}`},
			{Name: "delete the other campaign", Method: "DELETE", Path: "/v1/voice/campaigns/${generated}"},
			{Name: "the voice agent is free to go", Method: "DELETE", Path: "/v1/agents/${voice}"},
		}
	})
}
