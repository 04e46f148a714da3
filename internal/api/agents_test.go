package api_test

import (
	"strings"
	"testing"

	"github.com/openteli/teli/internal/apitest"
)

// The hosted API's own example bodies (create-sms, create-voice pages).
const (
	smsAgentBody = `{
		"agent_type": "sms",
		"agent_name": "Mortgage Lead Qualifier",
		"starting_message": "Hi {{first_name}}, this is Sarah from ABC Mortgage. Are you still looking to refinance?",
		"prompt": "You are a friendly mortgage assistant. Qualify the lead: credit score, loan amount, timeline.",
		"organization_id": "${org}",
		"user_id": "${admin}",
		"extraction_fields": ["credit_score", "loan_amount", {"name": "interested", "type": "boolean"}, {"name": "timeline", "description": "When they want to close"}],
		"drip_schedule": [
			{"day": 1, "message": "Just checking in, {{first_name}}!"},
			{"delay_hours": 72, "type": "ai"},
			{"delay_hours": 120, "type": "custom", "message": "Last follow-up from ABC Mortgage."}
		]
	}`
	voiceAgentBody = `{
		"agent_type": "voice",
		"agent_name": "Sales Agent",
		"starting_message": "Hi {{first_name}}, this is Alex from Acme. Do you have a minute?",
		"prompt": "You are a helpful sales agent for Acme.",
		"organization_id": "${org}",
		"user_id": "${admin}",
		"voice_id": "11labs-Adrian",
		"detect_voicemail": true,
		"voicemail_message": "Hi, this is Alex from Acme, please call us back.",
		"language": "en-US",
		"voice_speed": 1.1,
		"interruption_sensitivity": 0.8,
		"enable_backchannel": true,
		"ambient_sound": "call-center",
		"extraction_fields": ["scheduled_time"],
		"knowledge_base_ids": ["knowledge_base_7a0682ce5fc02413"],
		"kb_config": {"top_k": 3, "filter_score": 0.6},
		"tools": [
			{"type": "end_call", "name": "end_call", "description": "End the call when the conversation is over"},
			{"type": "transfer_call", "name": "transfer_to_sales", "description": "Transfer to a human",
			 "transfer_destination": {"type": "predefined", "number": "+14155551234"},
			 "transfer_option": {"type": "warm_transfer", "on_hold_music": "relaxing_sound"}}
		]
	}`
)

func TestAgents(t *testing.T) {
	scenario(t, "agents", func(srv *apitest.Server, vars map[string]string) []apitest.Step {
		users := "/v1/organizations/${org}/users"
		return []apitest.Step{
			{Name: "a regular user", Method: "POST", Path: users, Body: `{"name": "Uma User", "email": "uma@example.com"}`,
				Capture: map[string]string{"uma": "user.unique_id"}},
			{Name: "create SMS agent (spec example)", Method: "POST", Path: "/v1/agents", Body: smsAgentBody,
				Capture: map[string]string{"sms": "agent_id"}},
			{Name: "create voice agent (spec example)", Method: "POST", Path: "/v1/agents", Body: voiceAgentBody,
				Capture: map[string]string{"voice": "agent_id", "voice_platform_id": "voice_agent_id"}},
			{Name: "uma's own SMS agent, minimal", Method: "POST", Path: "/v1/agents",
				Body:    `{"agent_type": "sms", "agent_name": "Uma bot", "starting_message": "Hello!", "prompt": "Be nice.", "organization_id": "${org}", "user_id": "${uma}"}`,
				Capture: map[string]string{"uma_agent": "agent_id"}},
			{Name: "voice agent with defaults", Method: "POST", Path: "/v1/agents",
				Body: `{"agent_type": "voice", "agent_name": "Receptionist", "prompt": "Answer questions.", "organization_id": "${org}", "user_id": "${uma}"}`},

			{Name: "required fields missing", Method: "POST", Path: "/v1/agents", Body: `{"agent_type": "sms", "prompt": "x"}`},
			{Name: "unknown agent_type", Method: "POST", Path: "/v1/agents", Body: `{"agent_type": "fax", "agent_name": "A", "organization_id": "${org}", "user_id": "${admin}"}`},
			{Name: "agent_type missing", Method: "POST", Path: "/v1/agents", Body: `{"agent_name": "A", "organization_id": "${org}", "user_id": "${admin}"}`},
			{Name: "empty voice_id", Method: "POST", Path: "/v1/agents", Body: `{"agent_type": "voice", "agent_name": "A", "prompt": "p", "voice_id": "", "organization_id": "${org}", "user_id": "${admin}"}`},
			{Name: "prompt missing", Method: "POST", Path: "/v1/agents", Body: `{"agent_type": "sms", "agent_name": "A", "starting_message": "Hi", "organization_id": "${org}", "user_id": "${admin}"}`},
			{Name: "starting_message missing on SMS", Method: "POST", Path: "/v1/agents", Body: `{"agent_type": "sms", "agent_name": "A", "prompt": "p", "organization_id": "${org}", "user_id": "${admin}"}`},
			{Name: "wrong type for agent_name", Method: "POST", Path: "/v1/agents", Body: `{"agent_type": "sms", "agent_name": ["A"], "organization_id": "${org}", "user_id": "${admin}"}`},
			{Name: "wrong type for voice_speed", Method: "POST", Path: "/v1/agents", Body: `{"agent_type": "voice", "agent_name": "A", "prompt": "p", "voice_speed": "fast", "organization_id": "${org}", "user_id": "${admin}"}`},
			{Name: "voice_speed out of range", Method: "POST", Path: "/v1/agents", Body: `{"agent_type": "voice", "agent_name": "A", "prompt": "p", "voice_speed": 9, "organization_id": "${org}", "user_id": "${admin}"}`},
			{Name: "tools on SMS agent", Method: "POST", Path: "/v1/agents", Body: `{"agent_type": "sms", "agent_name": "A", "starting_message": "Hi", "prompt": "p", "tools": [], "organization_id": "${org}", "user_id": "${admin}"}`},
			{Name: "voice field on SMS agent", Method: "POST", Path: "/v1/agents", Body: `{"agent_type": "sms", "agent_name": "A", "starting_message": "Hi", "prompt": "p", "voice_id": "11labs-Josh", "organization_id": "${org}", "user_id": "${admin}"}`},
			{Name: "drips on voice agent", Method: "POST", Path: "/v1/agents", Body: `{"agent_type": "voice", "agent_name": "A", "prompt": "p", "drip_schedule": [{"day": 1, "message": "x"}], "organization_id": "${org}", "user_id": "${admin}"}`},
			{Name: "custom drip without message", Method: "POST", Path: "/v1/agents", Body: `{"agent_type": "sms", "agent_name": "A", "starting_message": "Hi", "prompt": "p", "drip_schedule": [{"delay_hours": 4, "type": "custom"}], "organization_id": "${org}", "user_id": "${admin}"}`},
			{Name: "bad extraction field", Method: "POST", Path: "/v1/agents", Body: `{"agent_type": "sms", "agent_name": "A", "starting_message": "Hi", "prompt": "p", "extraction_fields": [{"name": "score", "type": "date"}], "organization_id": "${org}", "user_id": "${admin}"}`},
			{Name: "tool name not snake_case", Method: "POST", Path: "/v1/agents", Body: `{"agent_type": "voice", "agent_name": "A", "prompt": "p", "tools": [{"type": "end_call", "name": "End Call"}], "organization_id": "${org}", "user_id": "${admin}"}`},
			{Name: "unknown organization", Method: "POST", Path: "/v1/agents", Body: `{"agent_type": "sms", "agent_name": "A", "starting_message": "Hi", "prompt": "p", "organization_id": "1x1", "user_id": "${admin}"}`},
			{Name: "other tenant's organization", Method: "POST", Path: "/v1/agents", Body: `{"agent_type": "sms", "agent_name": "A", "starting_message": "Hi", "prompt": "p", "organization_id": "${other_org}", "user_id": "${other_user}"}`},
			{Name: "user of another organization", Method: "POST", Path: "/v1/agents", Body: `{"agent_type": "sms", "agent_name": "A", "starting_message": "Hi", "prompt": "p", "organization_id": "${org}", "user_id": "${other_user}"}`},
			{Name: "oversized body", Method: "POST", Path: "/v1/agents", Body: `{"agent_type": "sms", "prompt": "` + strings.Repeat("x", 1<<20) + `"}`},

			{Name: "admin lists all, nothing from failed creates", Method: "GET", Path: "/v1/agents?organization_id=${org}&user_id=${admin}&is_admin=true"},
			{Name: "admin lists voice only", Method: "GET", Path: "/v1/agents?organization_id=${org}&user_id=${admin}&is_admin=true&agent_type=voice"},
			{Name: "user lists own", Method: "GET", Path: "/v1/agents?organization_id=${org}&user_id=${uma}"},
			{Name: "non-admin claims is_admin", Method: "GET", Path: "/v1/agents?organization_id=${org}&user_id=${uma}&is_admin=true"},
			{Name: "is_admin without user", Method: "GET", Path: "/v1/agents?organization_id=${org}&is_admin=true"},
			{Name: "organization_id missing", Method: "GET", Path: "/v1/agents?user_id=${admin}"},
			{Name: "user_id missing", Method: "GET", Path: "/v1/agents?organization_id=${org}"},
			{Name: "bad is_admin", Method: "GET", Path: "/v1/agents?organization_id=${org}&user_id=${admin}&is_admin=maybe"},
			{Name: "bad agent_type filter", Method: "GET", Path: "/v1/agents?organization_id=${org}&user_id=${admin}&is_admin=true&agent_type=fax"},
			{Name: "list other tenant's organization", Method: "GET", Path: "/v1/agents?organization_id=${other_org}&user_id=${other_user}&is_admin=true"},

			{Name: "get SMS agent", Method: "GET", Path: "/v1/agents/${sms}"},
			{Name: "get voice agent by voice_agent_id", Method: "GET", Path: "/v1/agents/${voice_platform_id}"},
			{Name: "get unknown", Method: "GET", Path: "/v1/agents/1x1"},
			{Name: "get other tenant's", Method: "GET", Path: "/v1/agents/${other_agent}"},

			{Name: "update SMS agent", Method: "PATCH", Path: "/v1/agents/${sms}",
				Body: `{"agent_name": "Mortgage Qualifier v2", "drip_schedule": [{"delay_hours": 24, "type": "reminder", "message": "Reminder!"}], "extraction_fields": ["credit_score"]}`},
			{Name: "update voice agent", Method: "PATCH", Path: "/v1/agents/${voice}",
				Body: `{"voice_id": "11labs-Rachel", "voice_temperature": 0.5, "prompt": "You are concise.", "enable_voicemail_detection": false}`},
			{Name: "update nothing", Method: "PATCH", Path: "/v1/agents/${sms}", Body: `{"colour": "blue"}`},
			{Name: "update agent_type", Method: "PATCH", Path: "/v1/agents/${sms}", Body: `{"agent_type": "voice"}`},
			{Name: "update empty name", Method: "PATCH", Path: "/v1/agents/${sms}", Body: `{"agent_name": " "}`},
			{Name: "update tools here", Method: "PATCH", Path: "/v1/agents/${voice}", Body: `{"tools": []}`},
			{Name: "update other tenant's", Method: "PATCH", Path: "/v1/agents/${other_agent}", Body: `{"agent_name": "Mine now"}`},
			{Name: "get SMS agent after update", Method: "GET", Path: "/v1/agents/${sms}"},
			{Name: "get voice agent after update", Method: "GET", Path: "/v1/agents/${voice}"},

			{Name: "replace tools", Method: "PATCH", Path: "/v1/agents/${voice}/tools", Body: `{"tools": [
				{"type": "end_call", "name": "end_call"},
				{"type": "custom", "name": "lookup_order", "description": "Look up an order", "url": "https://api.example.com/orders/{{order_id}}", "method": "GET", "headers": {"Authorization": "Bearer x"}, "speak_after_execution": true},
				{"type": "transfer_call", "name": "to_billing", "transfer_destination": {"type": "predefined", "number": "+13135550100", "extension": "12"}}
			]}`},
			{Name: "tools: duplicate names", Method: "PATCH", Path: "/v1/agents/${voice}/tools", Body: `{"tools": [{"type": "end_call", "name": "bye"}, {"type": "end_call", "name": "bye"}]}`},
			{Name: "tools: transfer without destination", Method: "PATCH", Path: "/v1/agents/${voice}/tools", Body: `{"tools": [{"type": "transfer_call", "name": "xfer"}]}`},
			{Name: "tools: unknown type", Method: "PATCH", Path: "/v1/agents/${voice}/tools", Body: `{"tools": [{"type": "teleport", "name": "beam"}]}`},
			{Name: "tools: missing", Method: "PATCH", Path: "/v1/agents/${voice}/tools", Body: `{}`},
			{Name: "tools: SMS agent", Method: "PATCH", Path: "/v1/agents/${sms}/tools", Body: `{"tools": []}`},
			{Name: "tools: other tenant's", Method: "PATCH", Path: "/v1/agents/${other_agent}/tools", Body: `{"tools": []}`},
			{Name: "voice agent keeps the valid tools", Method: "GET", Path: "/v1/agents/${voice}"},

			{Name: "delete other tenant's", Method: "DELETE", Path: "/v1/agents/${other_agent}"},
			{Name: "delete SMS agent", Method: "DELETE", Path: "/v1/agents/${sms}"},
			{Name: "delete voice agent", Method: "DELETE", Path: "/v1/agents/${voice}"},
			{Name: "delete again", Method: "DELETE", Path: "/v1/agents/${sms}"},
			{Name: "get deleted", Method: "GET", Path: "/v1/agents/${voice}"},
			{Name: "list after deletes", Method: "GET", Path: "/v1/agents?organization_id=${org}&user_id=${admin}&is_admin=true"},
			{Name: "user totals count live agents", Method: "GET", Path: users},
		}
	})
}
