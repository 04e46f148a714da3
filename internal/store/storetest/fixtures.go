package storetest

import (
	"encoding/json"
	"testing"

	"github.com/openteli/teli/internal/teli"
)

// Builders of valid rows. Every field is set to a distinct, non-zero value where the type allows
// it, so a column that is not written or read back shows up as a mismatch.

func newTenant(id string, created int) teli.Tenant {
	return teli.Tenant{ID: id, Name: "Tenant " + id, CreatedAt: at(created)}
}

func newKey(id, tenantID string, created int) teli.APIKey {
	return teli.APIKey{
		ID: id, TenantID: tenantID, Name: "key " + id, Prefix: "tk_" + id[:min(4, len(id))],
		Hash: "hash-" + id, CreatedAt: at(created),
	}
}

func newOrg(tenantID, id string, created int) teli.Organization {
	return teli.Organization{
		UniqueID: id, RecordID: "rec-" + id, TenantID: tenantID, Name: "Org " + id,
		ContactEmail: id + "@example.com", Status: teli.OrgStatusActive, SMSActive: true,
		TeliSMSNumber: "+14155550100", SMSRegistrationStatus: "approved",
		CreatedAt: at(created), ModifiedAt: at(created + 1),
	}
}

func newUser(o teli.Organization, id string, created int) teli.User {
	return teli.User{
		UniqueID: id, RecordID: "rec-" + id, TenantID: o.TenantID, OrganizationID: o.UniqueID,
		Name: "User " + id, Email: "Mixed.Case+" + id + "@Example.com", Phone: "+14155550123",
		Permission: teli.PermissionAdmin, Status: teli.UserStatusActive,
		CreatedAt: at(created), ModifiedAt: at(created + 2),
	}
}

func newSMSAgent(u teli.User, id string, created int) teli.Agent {
	return teli.Agent{
		ID: id, UniqueID: id, RecordID: "rec-" + id, TenantID: u.TenantID,
		OrganizationID: u.OrganizationID, CreatedByUserID: u.UniqueID, Type: teli.AgentSMS,
		Name: "Agent " + id, StartingMessage: "Hi {{first_name}}, it's Sam <& co>",
		Prompt: "You are Sam.\nBe brief.",
		ExtractionFields: []teli.ExtractionField{
			{Name: "credit_score", Bare: true},
			{Name: "loan_amount", Description: "How much they want", Type: teli.FieldNumber},
		},
		DripSchedule: []teli.DripStep{
			{DelayHours: 24, Type: teli.DripCustom, Message: "Still there?"},
			{DelayHours: 72.5, Type: teli.DripAI},
		},
		CreatedAt: at(created), ModifiedAt: at(created + 3),
	}
}

func newVoiceAgent(u teli.User, id, voiceAgentID string, created int) teli.Agent {
	a := newSMSAgent(u, id, created)
	a.UniqueID = "u-" + id
	a.Type = teli.AgentVoice
	a.DripSchedule = nil
	a.Voice = fullVoiceConfig(voiceAgentID)
	return a
}

// fullVoiceConfig sets every field of a VoiceConfig. Its tools are raw JSON with an unknown key
// and characters that HTML-escaping encoders rewrite, so they must come back byte for byte.
func fullVoiceConfig(voiceAgentID string) *teli.VoiceConfig {
	f, i, s, b := 0.75, 4, "calm", true
	return &teli.VoiceConfig{
		VoiceAgentID: voiceAgentID, VoiceLLMID: "llm_" + voiceAgentID, VoiceID: "11labs-Adrian",
		Language: "en-US", VoicemailDetection: true, VoicemailMessage: "Call me back",
		Tools: []json.RawMessage{
			json.RawMessage(`{"type":"end_call","name":"end","description":"a <b> & c"}`),
			json.RawMessage(`{"type":"custom","name":"lookup","x_unknown":{"nested":[1,2.5,null]}}`),
		},
		KnowledgeBaseIDs: []string{"knowledge_base_7a0682ce5fc02413"},
		KBConfig:         &teli.KBConfig{TopK: &i, FilterScore: &f},
		Settings: teli.VoiceSettings{
			VoiceTemperature: &f, VoiceSpeed: &f, Volume: &f, VoiceEmotion: &s, Responsiveness: &f,
			InterruptionSensitivity: &f, EnableBackchannel: &b, BackchannelFrequency: &f,
			BackchannelWords: []string{"yeah", "uh-huh"}, AmbientSound: &s, AmbientSoundVolume: &f,
			VoicemailDetectionTimeoutMS: &i, ReminderTriggerMS: &i, ReminderMaxCount: &i,
			EndCallAfterSilenceMS: &i, MaxCallDurationMS: &i, BeginMessageDelayMS: &i,
			RingDurationMS: &i, STTMode: &s, VocabSpecialization: &s,
			BoostedKeywords: []string{"Teli"}, NormalizeForSpeech: &b, AllowUserDTMF: &b,
			DenoisingMode:        &s,
			PostCallAnalysisData: []json.RawMessage{json.RawMessage(`{"name":"sentiment","type":"string"}`)},
			DataStorageSetting:   &s,
		},
	}
}

// world is two tenants, each with one organization and one user.
type world struct {
	a, b         teli.Tenant
	orgA, orgB   teli.Organization
	userA, userB teli.User
}

// seed writes a world into s.
func seed(t *testing.T, s teli.Store) world {
	t.Helper()
	w := world{a: newTenant("ta", 0), b: newTenant("tb", 0)}
	w.orgA, w.orgB = newOrg("ta", "org-a", 1), newOrg("tb", "org-b", 1)
	w.userA, w.userB = newUser(w.orgA, "user-a", 2), newUser(w.orgB, "user-b", 2)
	ctx := t.Context()
	must(t, s.CreateTenant(ctx, w.a))
	must(t, s.CreateTenant(ctx, w.b))
	must(t, s.CreateOrganization(ctx, w.orgA))
	must(t, s.CreateOrganization(ctx, w.orgB))
	must(t, s.CreateUser(ctx, w.userA))
	must(t, s.CreateUser(ctx, w.userB))
	return w
}
