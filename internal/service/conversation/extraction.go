package conversation

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/openteli/teli/internal/extraction"
	"github.com/openteli/teli/internal/jobargs"
	"github.com/openteli/teli/internal/keyword"
	"github.com/openteli/teli/internal/phone"
	"github.com/openteli/teli/internal/service"
	"github.com/openteli/teli/internal/teli"
	"github.com/openteli/teli/internal/work"
)

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
	req := extraction.Request{
		Medium: extraction.SMS, Objective: camp.Settings.ObjectivePrompt,
		Fields: extraction.MergeFields(fields, camp.Settings.ExtractionFields),
	}
	for _, m := range history {
		if m.Inbound || sentOrPending(m.Status) {
			req.Turns = append(req.Turns, extraction.Turn{Contact: m.Inbound, Text: m.Body})
		}
	}
	res, err := extraction.Run(ctx, s.llm, s.ai.Timeout, req)
	if err != nil {
		return err
	}
	return s.saveExtraction(ctx, camp, th, history[at], res.Extraction)
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
