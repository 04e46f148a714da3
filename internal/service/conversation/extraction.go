package conversation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/openteli/teli/internal/jobargs"
	"github.com/openteli/teli/internal/keyword"
	"github.com/openteli/teli/internal/llm"
	"github.com/openteli/teli/internal/phone"
	"github.com/openteli/teli/internal/service"
	"github.com/openteli/teli/internal/teli"
	"github.com/openteli/teli/internal/work"
)

// extractionSchemaName names the structured output of an extraction.
const extractionSchemaName = "lead_extraction"

// ScheduleExtraction queues a fresh extraction of the thread after its latest message,
// debounced like replies: only the job for the newest message does the work.
func (s *Service) ScheduleExtraction(ctx context.Context, tx Store, th teli.Thread, afterID string) error {
	if s.llm == nil {
		return nil
	}
	job := jobargs.Extract{TenantID: th.TenantID, CampaignPK: th.CampaignPK, Phone: th.Phone, AfterID: afterID}
	return tx.Enqueue(ctx, job, teli.JobOpts{ScheduledAt: s.clock.Now().Add(s.ai.BurstWindow), MaxAttempts: 5})
}

// Extract reads the agent's and campaign's extraction fields, the lead's outcome and flags out
// of the whole conversation with a JSON-schema answer, and stores them on the thread. do_not_message
// is handled like STOP; a dnc outcome puts the number on the do-not-contact list.
func (s *Service) Extract(ctx context.Context, job jobargs.Extract) error {
	th, err := s.store.GetThread(ctx, job.TenantID, job.CampaignPK, job.Phone)
	if err != nil || s.llm == nil {
		return ignoreNotFound(err)
	}
	history, err := s.threadHistory(ctx, th)
	if err != nil {
		return err
	}
	at := slices.IndexFunc(history, func(m teli.Message) bool { return m.ID == job.AfterID })
	if at < 0 {
		return nil
	}
	for _, m := range history[at+1:] {
		if m.Inbound || m.Sender == teli.SenderHuman {
			return nil // a newer message has its own extraction coming
		}
	}
	camp, err := s.store.LookupCampaign(ctx, th.TenantID, th.CampaignID)
	if err != nil {
		return err
	}
	var fields []teli.ExtractionField
	if agent, err := s.store.GetAgent(ctx, th.TenantID, camp.AgentID); err == nil {
		fields = append(fields, agent.ExtractionFields...)
	}
	fields = mergeFields(fields, camp.Settings.ExtractionFields)
	req := extractionRequest(camp, fields, history)
	callCtx, cancel := context.WithTimeout(ctx, s.ai.Timeout)
	resp, err := s.llm.Complete(callCtx, req)
	cancel()
	if err != nil {
		return fmt.Errorf("extraction: %w", err)
	}
	e, err := parseExtraction(resp.JSON, fields)
	if err != nil {
		return fmt.Errorf("extraction: %w", err)
	}
	return s.saveExtraction(ctx, camp, th, history[at], e)
}

// saveExtraction stores e and acts on what it says about consent, in one transaction.
func (s *Service) saveExtraction(ctx context.Context, camp teli.Campaign, th teli.Thread, last teli.Message, e teli.Extraction) error {
	return s.work.InTx(ctx, func(tx *work.Tx) error {
		if err := tx.SaveExtraction(ctx, th.TenantID, th.CampaignPK, th.Phone, e, s.clock.Now()); err != nil {
			return err
		}
		if e.LeadOutcome == teli.OutcomeDNC {
			if _, err := tx.Suppress(ctx, teli.Suppression{
				TenantID: th.TenantID, OrganizationID: th.OrganizationID, Phone: th.Phone,
				Kind: teli.SuppressDoNotContact, Source: "ai", MessageID: last.ID,
				Detail: "lead_outcome dnc", At: s.clock.Now(),
			}); err != nil {
				return err
			}
		}
		if !e.DoNotMessage || !last.Inbound {
			return nil
		}
		org, err := tx.GetOrganization(ctx, th.TenantID, th.OrganizationID)
		if err != nil {
			return err
		}
		_, reply, err := s.applyKeyword(ctx, tx, keyword.OptOut, "ai", camp, org, last)
		if err != nil || reply == nil {
			return err
		}
		return tx.QueueMessages(ctx, *reply)
	})
}

// mergeFields appends the campaign's fields the agent does not already have.
func mergeFields(agent, campaign []teli.ExtractionField) []teli.ExtractionField {
	out := slices.Clone(agent)
	for _, f := range campaign {
		if !slices.ContainsFunc(out, func(g teli.ExtractionField) bool { return strings.EqualFold(g.Name, f.Name) }) {
			out = append(out, f)
		}
	}
	return out
}

// extractionRequest asks for every field (as a string, empty when unknown) and the outcome.
func extractionRequest(camp teli.Campaign, fields []teli.ExtractionField, history []teli.Message) llm.Request {
	props := map[string]any{}
	required := []string{}
	for _, f := range fields {
		props[f.Name] = map[string]any{"type": "string", "description": f.EffectiveDescription() + ". Empty if not stated."}
		required = append(required, f.Name)
	}
	schema := map[string]any{
		"type": "object", "additionalProperties": false,
		"required": []string{"extracted_fields", "lead_outcome", "objective_met", "do_not_message", "call_transferred", "call_scheduled", "call_scheduled_time"},
		"properties": map[string]any{
			"extracted_fields": map[string]any{"type": "object", "additionalProperties": false, "properties": props, "required": required},
			"lead_outcome": map[string]any{"type": "string", "enum": []string{
				teli.OutcomeQualified, teli.OutcomeNotInterested, teli.OutcomeDNC, teli.OutcomeTransferred, teli.OutcomePending}},
			"objective_met":       map[string]any{"type": "boolean"},
			"do_not_message":      map[string]any{"type": "boolean", "description": "The contact asked, in any words, to receive no more messages."},
			"call_transferred":    map[string]any{"type": "boolean"},
			"call_scheduled":      map[string]any{"type": "boolean"},
			"call_scheduled_time": map[string]any{"type": "string", "description": "ISO-8601 time of a scheduled call, or empty."},
		},
	}
	raw, _ := json.Marshal(schema) // a map of plain values always marshals
	var sys strings.Builder
	sys.WriteString("Read the SMS conversation between a business and a contact and extract the requested facts. " +
		"Use only what the contact said or confirmed; leave a field empty when it was not stated. " +
		"lead_outcome: qualified (interested and meets the objective), not_interested, dnc (asked never to be contacted), " +
		"transferred (handed to a person), pending (still talking).")
	if o := strings.TrimSpace(camp.Settings.ObjectivePrompt); o != "" {
		fmt.Fprintf(&sys, " The campaign's objective: %s", o)
	}
	var transcript strings.Builder
	for _, m := range history {
		who := "Business"
		if m.Inbound {
			who = "Contact"
		} else if !sentOrPending(m.Status) {
			continue
		}
		fmt.Fprintf(&transcript, "%s: %s\n", who, m.Body)
	}
	return llm.Request{
		System:   sys.String(),
		Messages: []llm.Message{{Role: llm.RoleUser, Content: transcript.String()}},
		Schema:   &llm.Schema{Name: extractionSchemaName, JSON: raw, Strict: true}, MaxTokens: 800,
	}
}

// parseExtraction reads the model's JSON tolerantly: values of any JSON type become strings,
// unknown fields are dropped, a missing or unknown outcome is pending.
func parseExtraction(raw json.RawMessage, fields []teli.ExtractionField) (teli.Extraction, error) {
	var doc struct {
		Fields            map[string]any `json:"extracted_fields"`
		LeadOutcome       string         `json:"lead_outcome"`
		ObjectiveMet      bool           `json:"objective_met"`
		DoNotMessage      bool           `json:"do_not_message"`
		CallTransferred   bool           `json:"call_transferred"`
		CallScheduled     bool           `json:"call_scheduled"`
		CallScheduledTime string         `json:"call_scheduled_time"`
	}
	if len(raw) == 0 {
		return teli.Extraction{}, errors.New("the model returned no JSON")
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return teli.Extraction{}, fmt.Errorf("the model's JSON does not match the schema: %w", err)
	}
	e := teli.Extraction{
		Fields: map[string]string{}, LeadOutcome: doc.LeadOutcome, ObjectiveMet: doc.ObjectiveMet,
		DoNotMessage: doc.DoNotMessage, CallTransferred: doc.CallTransferred, CallScheduled: doc.CallScheduled,
		CallScheduledTime: modelText(doc.CallScheduledTime),
	}
	for _, f := range fields {
		if v, ok := doc.Fields[f.Name]; ok && v != nil {
			if s := modelText(fmt.Sprint(v)); s != "" {
				e.Fields[f.Name] = s
			}
		}
	}
	switch e.LeadOutcome {
	case teli.OutcomeQualified, teli.OutcomeNotInterested, teli.OutcomeDNC, teli.OutcomeTransferred, teli.OutcomePending:
	default:
		e.LeadOutcome = teli.OutcomePending
	}
	return e, nil
}

// ThreadExtraction returns the latest extraction of a thread, or nil when there is none (the
// spec answers that with 200 and extraction null).
func (s *Service) ThreadExtraction(ctx context.Context, c service.Caller, threadID string) (*teli.Thread, error) {
	raw := service.LenientPlus(threadID)
	i := strings.Index(raw, "_")
	if i < 0 {
		return nil, nil
	}
	num, err := phone.Normalize(raw[:i])
	if err != nil {
		return nil, nil
	}
	camp, err := s.store.LookupCampaign(ctx, c.TenantID, raw[i+1:])
	if errors.Is(err, teli.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	th, err := s.store.GetThread(ctx, c.TenantID, camp.PK, num)
	if errors.Is(err, teli.ErrNotFound) || (err == nil && th.Extraction == nil) {
		return nil, nil
	}
	return &th, err
}

// PhoneExtractions returns every extraction of a number in the tenant, newest first.
func (s *Service) PhoneExtractions(ctx context.Context, c service.Caller, raw string) (string, []teli.Thread, error) {
	num, err := phone.Normalize(service.LenientPlus(raw))
	if err != nil {
		return "", nil, teli.Invalid("phone_number: %v", err)
	}
	list, err := s.store.ListExtractions(ctx, c.TenantID, num)
	return num, list, err
}
