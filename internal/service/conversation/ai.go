package conversation

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/openteli/teli/internal/jobargs"
	"github.com/openteli/teli/internal/llm"
	"github.com/openteli/teli/internal/teli"
	"github.com/openteli/teli/internal/work"
)

// AISettings tune the conversation engine.
type AISettings struct {
	// BurstWindow is how long the agent waits after an inbound message before answering, so
	// that a burst of messages is answered once; a newer message restarts the wait.
	BurstWindow time.Duration
	// MaxSegments bounds an AI message, in SMS segments.
	MaxSegments int
	// DailyCap is the most AI messages one thread gets in 24 hours.
	DailyCap int
	// Timeout bounds one model call.
	Timeout time.Duration
}

// Defaults of AISettings.
const (
	DefaultBurstWindow    = 4 * time.Second
	DefaultAIMaxSegments  = 3
	DefaultAIDailyCap     = 10
	DefaultAITimeout      = 60 * time.Second
	loopRepeats           = 3 // identical inbound messages in a row that mark an auto-responder
	aiReplyValidity       = 15 * time.Minute
	historyMessagesForLLM = 60
)

func (a AISettings) withDefaults() AISettings {
	if a.BurstWindow < 0 {
		a.BurstWindow = 0
	}
	if a.MaxSegments <= 0 {
		a.MaxSegments = DefaultAIMaxSegments
	}
	if a.DailyCap <= 0 {
		a.DailyCap = DefaultAIDailyCap
	}
	if a.Timeout <= 0 {
		a.Timeout = DefaultAITimeout
	}
	return a
}

// AIEnabled reports whether a language model is configured.
func (s *Service) AIEnabled() bool { return s.llm != nil }

// afterInbound schedules what an inbound conversation message sets off, inside its processing
// transaction: the agent's answer to the burst, and a fresh extraction. Without a model the
// thread is marked as waiting for a person instead.
func (s *Service) afterInbound(ctx context.Context, tx *work.Tx, th teli.Thread, msg teli.Message) error {
	if th.Owner != teli.OwnerAI {
		return s.ScheduleExtraction(ctx, tx, th, msg.ID)
	}
	if s.llm == nil {
		return tx.SetAIState(ctx, th.TenantID, th.CampaignPK, th.Phone, teli.AIWaitingForHuman)
	}
	job := jobargs.AIReply{TenantID: th.TenantID, CampaignPK: th.CampaignPK, Phone: th.Phone, InboundID: msg.ID}
	if err := work.Soon(ctx, tx, job, work.Opts{Delay: s.ai.BurstWindow, MaxAttempts: 5}, s.Reply); err != nil {
		return err
	}
	return s.ScheduleExtraction(ctx, tx, th, msg.ID)
}

// Reply answers a thread's latest burst of inbound messages once, as the agent. It does nothing
// when the job is stale (a newer message came, the agent already answered, a person took the
// thread over, the contact opted out), and records why when the agent must stay silent
// (no model, the daily cap, an auto-responder loop). A takeover that happens while the model is
// writing wins: the reply is discarded.
func (s *Service) Reply(ctx context.Context, job jobargs.AIReply) error {
	th, err := s.store.GetThread(ctx, job.TenantID, job.CampaignPK, job.Phone)
	if err != nil || th.Owner != teli.OwnerAI || th.AIState == teli.AILoopDetected {
		// A loop stops the agent on the thread for good: people look at it from there.
		return ignoreNotFound(err)
	}
	history, err := s.threadHistory(ctx, th)
	if err != nil {
		return err
	}
	if !answerable(history, job.InboundID) {
		return nil
	}
	if kinds, err := s.store.Suppressions(ctx, th.OrganizationID, th.Phone); err != nil || slices.Contains(kinds, teli.SuppressOptOut) {
		return err
	}
	if s.llm == nil {
		return s.store.SetAIState(ctx, th.TenantID, th.CampaignPK, th.Phone, teli.AIWaitingForHuman)
	}
	now := s.clock.Now()
	if state := s.guard(history, now); state != teli.AIAnswering {
		s.log.Info("agent stays silent on a thread", "campaign_pk", th.CampaignPK, "reason", state)
		return s.store.SetAIState(ctx, th.TenantID, th.CampaignPK, th.Phone, state)
	}
	camp, err := s.store.LookupCampaign(ctx, th.TenantID, th.CampaignID)
	if err != nil {
		return err
	}
	agent, err := s.store.GetAgent(ctx, th.TenantID, camp.AgentID)
	if err != nil {
		return ignoreNotFound(err) // the agent was deleted: nobody to answer as
	}
	req := s.replyRequest(camp, agent, th, history, now)
	callCtx, cancel := context.WithTimeout(ctx, s.ai.Timeout)
	resp, err := s.llm.Complete(callCtx, req)
	cancel()
	if err != nil && !errors.Is(err, llm.ErrInvalidOutput) {
		return fmt.Errorf("agent reply: %w", err) // the job retries; the checks above keep it single
	}
	return s.commitReply(ctx, camp, th, job.InboundID, resp)
}

// GiveUpReply marks a thread as waiting for a person when the model could not answer it.
func (s *Service) GiveUpReply(ctx context.Context, job jobargs.AIReply) error {
	s.log.Warn("agent could not answer; the thread waits for a person", "campaign_pk", job.CampaignPK)
	return ignoreNotFound(s.store.SetAIState(ctx, job.TenantID, job.CampaignPK, job.Phone, teli.AIWaitingForHuman))
}

// commitReply acts on the model's answer in one transaction, after checking again that the
// thread is still the agent's and nobody wrote since.
func (s *Service) commitReply(ctx context.Context, camp teli.Campaign, th teli.Thread, inboundID string, resp llm.Response) error {
	return s.work.InTx(ctx, func(tx *work.Tx) error {
		cur, err := tx.GetThread(ctx, th.TenantID, th.CampaignPK, th.Phone)
		if err != nil {
			return err
		}
		history, err := s.threadHistoryIn(ctx, tx, cur)
		if err != nil {
			return err
		}
		if cur.Owner != teli.OwnerAI || !answerable(history, inboundID) {
			s.log.Info("agent reply discarded: the thread changed while it was written", "campaign_pk", th.CampaignPK)
			return nil
		}
		// Two writers of one answer (the in-process run and its fallback job) never both send.
		if first, err := tx.ClaimReply(ctx, th.TenantID, th.CampaignPK, th.Phone, inboundID); err != nil || !first {
			return err
		}
		org, err := tx.GetOrganization(ctx, th.TenantID, th.OrganizationID)
		if err != nil {
			return err
		}
		in := history[slices.IndexFunc(history, func(m teli.Message) bool { return m.ID == inboundID })]
		for _, call := range resp.ToolCalls {
			if done, err := s.applyTool(ctx, tx, camp, org, cur, in, call); err != nil || done {
				return err
			}
		}
		text := s.fitAIText(resp.Text)
		if text == "" {
			return nil
		}
		if cur.AIState != teli.AIAnswering {
			if err := tx.SetAIState(ctx, th.TenantID, th.CampaignPK, th.Phone, teli.AIAnswering); err != nil {
				return err
			}
		}
		now := s.clock.Now()
		reply := s.outbox.Message(camp, th.Phone, text, now)
		expires := now.Add(aiReplyValidity)
		reply.Sender, reply.Purpose, reply.ExpiresAt = teli.SenderAgent, teli.PurposeReply, &expires
		return tx.QueueMessages(ctx, reply)
	})
}

// guard decides whether the agent must stay silent: the daily cap or an auto-responder loop.
func (s *Service) guard(history []teli.Message, now time.Time) teli.AIState {
	sent := 0
	for _, m := range history {
		if !m.Inbound && m.Purpose == teli.PurposeReply && now.Sub(m.CreatedAt) < 24*time.Hour && m.Status != teli.MessageCanceled {
			sent++
		}
	}
	if sent >= s.ai.DailyCap {
		return teli.AIDailyCapReached
	}
	if autoResponder(history) {
		return teli.AILoopDetected
	}
	return teli.AIAnswering
}

// autoResponder reports whether the contact's side keeps sending the same text in answer to
// the agent: the last loopRepeats inbound messages are identical and each followed an agent
// reply, which is how two bots talking to each other look.
func autoResponder(history []teli.Message) bool {
	var bodies []string
	answeredAgent := 0
	for i := len(history) - 1; i >= 0 && len(bodies) < loopRepeats; i-- {
		m := history[i]
		if !m.Inbound {
			continue
		}
		bodies = append(bodies, strings.ToLower(strings.Join(strings.Fields(m.Body), " ")))
		if i > 0 && !history[i-1].Inbound && history[i-1].Purpose == teli.PurposeReply {
			answeredAgent++
		}
	}
	if len(bodies) < loopRepeats || answeredAgent < loopRepeats-1 {
		return false
	}
	for _, b := range bodies[1:] {
		if b != bodies[0] {
			return false
		}
	}
	return true
}

// answerable reports whether the burst ending with inboundID still waits for an answer: it is
// the thread's latest inbound message and nothing outbound (other than held automation)
// followed it.
func answerable(history []teli.Message, inboundID string) bool {
	if len(history) == 0 {
		return false
	}
	for i := len(history) - 1; i >= 0; i-- {
		m := history[i]
		if m.Inbound {
			return m.ID == inboundID
		}
		if m.Sender == teli.SenderAgent || m.Sender == teli.SenderHuman {
			return false // already answered, by the agent or a person
		}
	}
	return false
}

// threadHistory returns a thread's messages, oldest first.
func (s *Service) threadHistory(ctx context.Context, th teli.Thread) ([]teli.Message, error) {
	return s.threadHistoryIn(ctx, s.store, th)
}

func (s *Service) threadHistoryIn(ctx context.Context, st Store, th teli.Thread) ([]teli.Message, error) {
	list, err := st.ListMessages(ctx, teli.MessageFilter{TenantID: th.TenantID, CampaignPK: th.CampaignPK, Phone: th.Phone})
	slices.Reverse(list.Messages)
	return list.Messages, err
}

func ignoreNotFound(err error) error {
	if errors.Is(err, teli.ErrNotFound) {
		return nil
	}
	return err
}
