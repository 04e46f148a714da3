package api

// routes is the whole route table of the server.
func (s *Server) routes() {
	m := s.mux
	m.Handle("GET /healthz", s.public(s.health))

	m.Handle("POST /v1/organizations", s.authed(s.createOrganization))
	m.Handle("GET /v1/organizations", s.authed(s.listOrganizations))
	m.Handle("GET /v1/organizations/{org_id}", s.authed(s.getOrganization))
	m.Handle("POST /v1/organizations/{org_id}/users", s.authed(s.createUser))
	m.Handle("GET /v1/organizations/{org_id}/users", s.authed(s.listUsers))
	m.Handle("PATCH /v1/organizations/{org_id}/users/{user_id}", s.authed(s.updateUser))

	m.Handle("POST /v1/agents", s.authed(s.createAgent))
	m.Handle("GET /v1/agents", s.authed(s.listAgents))
	m.Handle("GET /v1/agents/{agent_id}", s.authed(s.getAgent))
	m.Handle("PATCH /v1/agents/{agent_id}", s.authed(s.updateAgent))
	m.Handle("DELETE /v1/agents/{agent_id}", s.authed(s.deleteAgent))
	m.Handle("PATCH /v1/agents/{agent_id}/tools", s.authed(s.updateAgentTools))

	m.Handle("POST /v1/contacts/groups", s.authed(s.createGroup))
	m.Handle("POST /v1/contacts/lists", s.upload(s.uploadContacts))
	m.Handle("POST /v1/contacts", s.authed(s.createContact))
	m.Handle("GET /v1/contacts/lists/{list_id}/contacts", s.authed(s.groupContacts))
	m.Handle("POST /v1/contacts/leads/delete", s.authed(s.deleteLeads))
	m.Handle("GET /v1/organizations/{org_id}/leads", s.authed(s.listLeads))

	m.Handle("POST /v1/campaigns", s.upload(s.createCampaign))
	m.Handle("GET /v1/campaigns/{campaign_id}", s.authed(s.getCampaign))
	m.Handle("GET /v1/organizations/{org_id}/campaigns", s.authed(s.listCampaigns))
	m.Handle("GET /v1/campaigns/{campaign_id}/messages", s.authed(s.campaignMessages))
	m.Handle("POST /v1/campaigns/{campaign_id}/leads", s.upload(s.addLeads))
	m.Handle("POST /v1/campaigns/{campaign_id}/pause", s.authed(s.pauseCampaign))
	m.Handle("POST /v1/campaigns/{campaign_id}/resume", s.authed(s.resumeCampaign))
	m.Handle("POST /v1/campaigns/{campaign_id}/end", s.authed(s.endCampaign))
	m.Handle("GET /v1/campaigns/{campaign_id}/contacts", s.authed(s.campaignContacts))
	m.Handle("GET /v1/campaigns/{campaign_id}/threads/{thread_id}/messages", s.authed(s.threadMessages))

	m.Handle("POST /v1/threads/assign", s.authed(s.assignThread))
	m.Handle("POST /v1/threads/unassign", s.authed(s.unassignThread))

	m.Handle("POST /v1/sms/send", s.authed(s.sendSMS))
	m.Handle("POST /v1/mms/send", s.authed(s.sendMMS))
	m.Handle("POST /v1/sms/bulk-send", s.authed(s.bulkSend))
	m.Handle("GET /v1/messages/{message_id}", s.authed(s.getMessage))
	m.Handle("GET /v1/sms/extractions/{thread_id}", s.authed(s.threadExtraction))
	m.Handle("GET /v1/sms/extractions/phone/{phone_number}", s.authed(s.phoneExtractions))

	m.Handle("POST /v1/voice/phone-numbers/create", s.authed(s.createVoiceNumber))
	m.Handle("GET /v1/voice/phone-numbers", s.authed(s.listVoiceNumbers))
	m.Handle("POST /v1/voice/phone-numbers/{phone_number}/update-agent", s.authed(s.updateVoiceNumber))
	m.Handle("DELETE /v1/voice/phone-numbers/{phone_number}", s.authed(s.releaseVoiceNumber))

	m.Handle("POST /v1/voice/campaigns", s.upload(s.createVoiceCampaign))
	m.Handle("GET /v1/voice/campaigns", s.authed(s.listVoiceCampaigns))
	m.Handle("GET /v1/voice/campaigns/{campaign_id}", s.authed(s.getVoiceCampaign))
	m.Handle("POST /v1/voice/campaigns/{campaign_id}/pause", s.authed(s.pauseVoiceCampaign))
	m.Handle("POST /v1/voice/campaigns/{campaign_id}/resume", s.authed(s.resumeVoiceCampaign))
	m.Handle("DELETE /v1/voice/campaigns/{campaign_id}", s.authed(s.deleteVoiceCampaign))

	m.Handle("GET /v1/voice/calls", s.authed(s.listCalls))
	m.Handle("POST /v1/voice/calls", s.authed(s.placeCall))
	m.Handle("GET /v1/voice/calls/{call_id}", s.authed(s.getCall))
	m.Handle("GET /v1/voice/calls/{call_id}/extractions", s.authed(s.callExtraction))
	m.Handle("GET /v1/voice/extractions/phone/{phone_number}", s.authed(s.phoneCallExtractions))

	// Carrier webhooks carry the carrier's signature instead of an API key.
	m.Handle("POST /webhooks/{carrier}/inbound", s.public(s.carrierInbound))
	m.Handle("POST /webhooks/{carrier}/status/{message_id}", s.public(s.carrierStatus))
	if s.serveSandboxInbound {
		m.Handle("POST /v1/sandbox/inbound", s.authed(s.sandboxInbound))
	}
	// Voice platform webhooks carry the platform's signature instead of an API key.
	m.Handle("POST /voice/webhooks/{platform}", s.public(s.voiceEvent))
	m.Handle("POST /voice/webhooks/{platform}/inbound", s.public(s.voiceInbound))
	if s.sandboxPhone != nil {
		m.Handle("POST /v1/sandbox/calls", s.authed(s.sandboxDial))
		m.Handle("POST /v1/sandbox/calls/{call_id}/say", s.authed(s.sandboxSay))
		m.Handle("POST /v1/sandbox/calls/{call_id}/hangup", s.authed(s.sandboxHangup))
	}
}
