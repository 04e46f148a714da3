package api

import (
	"encoding/json"
	"time"

	"github.com/openteli/teli/internal/service/calling"
	"github.com/openteli/teli/internal/teli"
)

// Call objects under the names the hosted API (and the voice platform behind it) uses: the
// summary of the history list, and the full call object of GET /v1/voice/calls/{call_id}.

// epochMS is a time as epoch milliseconds, or null.
func epochMS(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UnixMilli()
}

// rawOr is a stored JSON value, or fallback when there is none.
func rawOr(v json.RawMessage, fallback any) any {
	if len(v) == 0 {
		return fallback
	}
	return v
}

// analysisFields are the analysis values the summary repeats at top level (null before any).
func analysisFields(a *teli.CallAnalysis) (sentiment, successful, voicemail any) {
	if a == nil {
		return nil, nil, nil
	}
	return nullable(a.UserSentiment), a.Successful, a.InVoicemail
}

// callSummary is a call as the history list shows it.
func callSummary(c teli.Call) obj {
	sentiment, successful, voicemail := analysisFields(c.Analysis)
	return obj{
		"call_id": c.ID, "voice_agent_id": nullable(c.VoiceAgentID), "agent_id": nullable(c.AgentID),
		"organization_id": c.OrganizationID, "user_id": c.UserID, "tenant_id": c.TenantID,
		"from_number": c.From, "to_number": c.To, "direction": c.Direction, "call_type": "phone_call",
		"call_status": calling.WireStatus(c.Status), "status_reason": nullable(c.Reason),
		"start_timestamp": epochMS(c.StartedAt), "end_timestamp": epochMS(c.EndedAt), "duration_ms": c.DurationMS,
		"disconnection_reason": nullable(c.DisconnectionReason),
		"user_sentiment":       sentiment, "call_successful": successful, "in_voicemail": voicemail,
		"recording_url": nullable(c.RecordingURL), "recording_s3_key": nil, "recording_downloaded_at": nil,
		"call_started_at": optionalTime(c.StartedAt), "call_ended_at": optionalTime(c.EndedAt),
		"call_analyzed_at": analyzedAt(c), "created_at": isoTime(c.CreatedAt), "updated_at": isoTime(c.UpdatedAt),
	}
}

// analyzedAt is when the call's analysis was settled: its extraction's time once read, else
// null (an analysis the platform sent stands without a time of its own).
func analyzedAt(c teli.Call) any {
	if c.Analysis == nil {
		return nil
	}
	return optionalTime(c.ExtractedAt)
}

// callDetail is the full call object: the summary with the conversation, its analysis, cost,
// extraction and the variables the agent spoke with.
func callDetail(d calling.CallDetail) obj {
	c := d.Call
	v := callSummary(c)
	v["transcript"] = c.Transcript
	v["transcript_object"] = rawOr(c.TranscriptObject, []any{})
	v["call_cost"] = rawOr(c.Cost, nil)
	v["call_analysis"] = nil
	if c.Analysis != nil {
		an := obj{
			"call_summary": c.Analysis.Summary, "in_voicemail": c.Analysis.InVoicemail,
			"user_sentiment": c.Analysis.UserSentiment, "call_successful": c.Analysis.Successful,
			"custom_analysis_data": c.Analysis.Custom,
		}
		if c.Analysis.Custom == nil {
			an["custom_analysis_data"] = obj{}
		}
		v["call_analysis"] = an
	}
	v["agent_name"], v["agent_version"], v["extraction_config"] = nil, 0, []string{}
	if d.Agent != nil {
		v["agent_name"] = d.Agent.Name
		names := []string{}
		for _, f := range d.Agent.ExtractionFields {
			names = append(names, f.Name)
		}
		v["extraction_config"] = names
	}
	v["extracted_fields"] = extractedFields(c)
	v["extracted_at"] = optionalTime(c.ExtractedAt)
	vars := c.Variables
	if vars == nil {
		vars = map[string]string{}
	}
	v["dynamic_variables"] = vars
	v["metadata"] = obj{"purpose": c.Purpose, "attempt": c.Attempt}
	v["latency"], v["llm_token_usage"], v["telephony_identifier"] = obj{}, nil, nil
	v["data_storage_setting"], v["opt_in_signed_url"] = "everything", false
	return v
}

// extractedFields is what the extraction found, {} until the call has been read.
func extractedFields(c teli.Call) map[string]string {
	if c.Extraction == nil || c.Extraction.Fields == nil {
		return map[string]string{}
	}
	return c.Extraction.Fields
}

// callExtractionView is one call's extraction, as both extraction endpoints show it.
func callExtractionView(x calling.CallExtraction) obj {
	c := x.Call
	_, successful, _ := analysisFields(c.Analysis)
	v := obj{
		"call_id": c.ID, "phone_number": c.Lead, "extraction_config": x.Fields, "extracted_fields": extractedFields(c),
		"extracted_at": optionalTime(c.ExtractedAt), "call_status": calling.WireStatus(c.Status),
		"call_successful": successful, "lead_outcome": nil, "objective_met": nil,
		"start_timestamp": epochMS(c.StartedAt),
	}
	if e := c.Extraction; e != nil {
		v["lead_outcome"], v["objective_met"] = nullable(e.LeadOutcome), e.ObjectiveMet
		v["do_not_message"], v["call_scheduled"] = e.DoNotMessage, e.CallScheduled
		v["call_scheduled_time"] = nullable(e.CallScheduledTime)
	}
	return v
}
