package outbound

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/openteli/teli/internal/jobargs"
	"github.com/openteli/teli/internal/placeholders"
	"github.com/openteli/teli/internal/teli"
	"github.com/openteli/teli/internal/work"
)

// dripBatch bounds the threads one sweep transaction takes.
const dripBatch = 200

// dripSchedule is a campaign's follow-up sequence: the agent's drip steps, then the campaign's
// own follow-up (custom_follow_up after followup_interval seconds; written by the model when
// only the interval is set).
func dripSchedule(agent teli.Agent, camp teli.Campaign) []teli.DripStep {
	steps := append([]teli.DripStep(nil), agent.DripSchedule...)
	if camp.Settings.FollowupInterval > 0 {
		step := teli.DripStep{DelayHours: float64(camp.Settings.FollowupInterval) / 3600, Type: teli.DripCustom, Message: camp.Settings.CustomFollowUp}
		if strings.TrimSpace(step.Message) == "" {
			step.Type = teli.DripAI
		}
		steps = append(steps, step)
	}
	return steps
}

// dripDelay is how long after the thread's last outbound message step i is due; nil when the
// sequence has no step i.
func dripDelay(steps []teli.DripStep, i int) *time.Duration {
	if i < 0 || i >= len(steps) {
		return nil
	}
	d := time.Duration(steps[i].DelayHours * float64(time.Hour)).Round(time.Second)
	return &d
}

// RunDrips queues every follow-up that is due: a custom step's text with the lead's variables
// filled in, or, for an ai step, a job in which the model writes it. Each is an outbox message
// the send gate checks when it goes (a reply, a takeover or an opt-out since stops it; quiet
// hours hold it; past its validity it expires). It returns how many threads it advanced.
func (s *Service) RunDrips(ctx context.Context) (int, error) {
	total := 0
	for {
		n, err := s.dripBatch(ctx)
		total += n
		if err != nil || n < dripBatch {
			return total, err
		}
	}
}

func (s *Service) dripBatch(ctx context.Context) (int, error) {
	n := 0
	err := s.work.InTx(ctx, func(tx *work.Tx) error {
		now := s.clock.Now()
		threads, err := tx.ClaimDueDrips(ctx, now, dripBatch)
		if err != nil {
			return err
		}
		n = len(threads)
		queued := false
		schedules := map[string][]teli.DripStep{}
		campaigns := map[string]teli.Campaign{}
		for _, th := range threads {
			camp, ok := campaigns[th.CampaignPK]
			if !ok {
				if camp, err = tx.LookupCampaign(ctx, th.TenantID, th.CampaignID); err != nil {
					return err
				}
				agent, err := tx.GetAgent(ctx, th.TenantID, camp.AgentID)
				if err != nil && !errors.Is(err, teli.ErrNotFound) {
					return err
				}
				campaigns[th.CampaignPK], schedules[th.CampaignPK] = camp, dripSchedule(agent, camp)
			}
			q, err := s.queueDrip(ctx, tx, camp, schedules[th.CampaignPK], th, now)
			if err != nil {
				return err
			}
			queued = queued || q
		}
		if !queued {
			return nil
		}
		return tx.Dispatch(ctx)
	})
	return n, err
}

// queueDrip turns one due step into a message (or a job that writes it) and moves the thread
// to the next step. It reports whether it queued a message.
func (s *Service) queueDrip(ctx context.Context, tx Store, camp teli.Campaign, steps []teli.DripStep, th teli.Thread, now time.Time) (bool, error) {
	if th.DripStep >= len(steps) {
		return false, tx.AdvanceDrip(ctx, th.TenantID, th.CampaignPK, th.Phone, th.DripStep, nil)
	}
	step := steps[th.DripStep]
	if err := tx.AdvanceDrip(ctx, th.TenantID, th.CampaignPK, th.Phone, th.DripStep+1, dripDelay(steps, th.DripStep+1)); err != nil {
		return false, err
	}
	if step.Type == teli.DripAI && s.conversation.AIEnabled() {
		return false, tx.Enqueue(ctx, jobargs.AIDrip{TenantID: th.TenantID, CampaignPK: th.CampaignPK, Phone: th.Phone, Step: th.DripStep}, teli.JobOpts{MaxAttempts: 5})
	}
	text := strings.TrimSpace(placeholders.Render(step.Message, th.Vars))
	if text == "" {
		return false, nil // an ai step with no model and no text: nothing to say
	}
	return true, tx.InsertMessages(ctx, []teli.Message{s.outbox.Drip(camp, th.Phone, text, now)})
}
