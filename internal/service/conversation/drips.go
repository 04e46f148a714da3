package conversation

import (
	"context"
	"fmt"

	"github.com/openteli/teli/internal/jobargs"
	"github.com/openteli/teli/internal/llm"
	"github.com/openteli/teli/internal/teli"
	"github.com/openteli/teli/internal/work"
)

// WriteDrip has the model write an ai follow-up step from the conversation, and queues it if
// the thread is still the agent's and the contact has not written since.
func (s *Service) WriteDrip(ctx context.Context, job jobargs.AIDrip) error {
	th, err := s.store.GetThread(ctx, job.TenantID, job.CampaignPK, job.Phone)
	if err != nil || th.Owner != teli.OwnerAI || th.LastInboundAt != nil || s.llm == nil {
		return ignoreNotFound(err)
	}
	camp, err := s.store.LookupCampaign(ctx, th.TenantID, th.CampaignID)
	if err != nil {
		return err
	}
	agent, err := s.store.GetAgent(ctx, th.TenantID, camp.AgentID)
	if err != nil {
		return ignoreNotFound(err)
	}
	history, err := s.threadHistory(ctx, th)
	if err != nil {
		return err
	}
	now := s.clock.Now()
	req := s.replyRequest(camp, agent, th, history, now)
	req.Tools = nil
	req.System += "\n\nThe contact has not answered. Write one short, friendly follow-up that invites a reply; " +
		"do not repeat earlier messages word for word."
	req.Messages = append(req.Messages, llm.Message{Role: llm.RoleUser, Content: "[no reply from the contact yet]"})
	callCtx, cancel := context.WithTimeout(ctx, s.ai.Timeout)
	resp, err := s.llm.Complete(callCtx, req)
	cancel()
	if err != nil {
		return fmt.Errorf("drip: %w", err)
	}
	text := s.fitAIText(resp.Text)
	if text == "" {
		return nil
	}
	return s.work.InTx(ctx, func(tx *work.Tx) error {
		cur, err := tx.GetThread(ctx, th.TenantID, th.CampaignPK, th.Phone)
		if err != nil || cur.Owner != teli.OwnerAI || cur.LastInboundAt != nil {
			return err
		}
		return tx.QueueMessages(ctx, s.outbox.Drip(camp, th.Phone, text, s.clock.Now()))
	})
}
