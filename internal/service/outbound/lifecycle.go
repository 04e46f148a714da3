package outbound

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	"github.com/openteli/teli/internal/contacts"
	"github.com/openteli/teli/internal/service"
	"github.com/openteli/teli/internal/teli"
	"github.com/openteli/teli/internal/work"
)

// MaxAddLeads bounds one add-leads request; larger lists go through POST /v1/campaigns.
const MaxAddLeads = 100000

// AddLeadsInput is the body of POST /v1/campaigns/{campaign_id}/leads.
type AddLeadsInput struct {
	Clients *[]json.RawMessage `json:"clients"`
}

// LeadsAdded is what adding leads did.
type LeadsAdded struct {
	Campaign teli.Campaign
	Added    int
	// Skipped counts numbers already in the campaign or repeated in the request.
	Skipped int
	// Invalid lists the clients that could not be used, with reasons.
	Invalid []teli.InvalidLead
	// DripsScheduled counts the new leads whose follow-up sequence is set to run.
	DripsScheduled int
}

// AddLeads adds leads to a running campaign: numbers are normalised, those already in the
// campaign are skipped, and each new lead gets a thread and its starting message. A completed
// campaign becomes active again; an ended one takes no leads.
func (s *Service) AddLeads(ctx context.Context, c service.Caller, campaignID string, in AddLeadsInput) (LeadsAdded, error) {
	if in.Clients == nil {
		return LeadsAdded{}, teli.Invalid("clients is required")
	}
	if len(*in.Clients) > MaxAddLeads {
		return LeadsAdded{}, teli.Invalid("clients may hold at most %d leads", MaxAddLeads)
	}
	camp, err := s.lookupCampaign(ctx, c, campaignID)
	if err != nil {
		return LeadsAdded{}, err
	}
	if camp.Status == teli.CampaignEnded {
		return LeadsAdded{}, teli.Invalid("Campaign %s has ended and takes no new leads", camp.ID)
	}
	agent, err := s.store.GetAgent(ctx, c.TenantID, camp.AgentID)
	if errors.Is(err, teli.ErrNotFound) {
		return LeadsAdded{}, teli.Invalid("The campaign's SMS agent was deleted; it takes no new leads")
	}
	if err != nil {
		return LeadsAdded{}, err
	}
	parsed := contacts.ParseJSON(*in.Clients)
	res := LeadsAdded{Campaign: camp}
	usable, invalid := usableContacts(parsed)
	for _, l := range invalid {
		if strings.HasPrefix(l.Reason, "duplicate of row") {
			res.Skipped++
		} else {
			res.Invalid = append(res.Invalid, l)
		}
	}
	owner := teli.User{UniqueID: camp.UserID, TenantID: c.TenantID, OrganizationID: camp.OrganizationID}
	err = s.work.InTx(ctx, func(tx *work.Tx) error {
		if err := s.suppressDoNotCall(ctx, tx, camp, invalid); err != nil {
			return err
		}
		opened, err := s.openThreads(ctx, tx, camp, agent, owner, usable)
		if err != nil {
			return err
		}
		res.Added = len(opened)
		res.Skipped += len(usable) - len(opened)
		if len(dripSchedule(agent, camp)) > 0 {
			res.DripsScheduled = res.Added
		}
		if len(opened) == 0 || camp.Settings.DryRun {
			return nil
		}
		if camp.Status == teli.CampaignCompleted {
			if _, err := tx.ChangeCampaignStatus(ctx, teli.CampaignStatusChange{
				TenantID: c.TenantID, CampaignPK: camp.PK, Action: teli.ActionReopen, At: s.clock.Now(),
			}); err != nil {
				return err
			}
		}
		return tx.DispatchBulk(ctx, len(opened))
	})
	return res, err
}

// PauseCampaign holds every automated message of the campaign at the gate (starting messages,
// drips, AI replies and bulk sends wait); a person's messages still go out.
func (s *Service) PauseCampaign(ctx context.Context, c service.Caller, campaignID string) (teli.Campaign, error) {
	return s.changeStatus(ctx, c, campaignID, teli.ActionPause, "paused")
}

// ResumeCampaign makes every message the pause held due again; each is re-checked at the gate
// (quiet hours, expiry, ownership, consent) before it goes.
func (s *Service) ResumeCampaign(ctx context.Context, c service.Caller, campaignID string) (teli.Campaign, error) {
	return s.changeStatus(ctx, c, campaignID, teli.ActionResume, "resumed")
}

// EndCampaign cancels every pending automated message of the campaign, for good.
func (s *Service) EndCampaign(ctx context.Context, c service.Caller, campaignID string) (teli.Campaign, error) {
	return s.changeStatus(ctx, c, campaignID, teli.ActionEnd, "ended")
}

// changeStatus carries out a lifecycle action; done names it in the refusal of one the
// campaign's status does not allow ("cannot be paused").
func (s *Service) changeStatus(ctx context.Context, c service.Caller, campaignID string, action teli.CampaignAction, done string) (teli.Campaign, error) {
	camp, err := s.lookupCampaign(ctx, c, campaignID)
	if err != nil {
		return camp, err
	}
	err = s.work.InTx(ctx, func(tx *work.Tx) error {
		_, err := tx.ChangeCampaignStatus(ctx, teli.CampaignStatusChange{
			TenantID: c.TenantID, CampaignPK: camp.PK, Action: action, At: s.clock.Now(),
		})
		if err != nil {
			return err
		}
		if t, _ := teli.TransitionOf(action); t.To != teli.CampaignActive {
			return nil
		}
		return tx.Dispatch(ctx)
	})
	if errors.Is(err, teli.ErrConflict) {
		// The status the store found, which may be newer than the one read above.
		if camp, err = s.lookupCampaign(ctx, c, campaignID); err != nil {
			return camp, err
		}
		return camp, teli.Errorf(teli.CodeWrongState, "Campaign %s is %s and cannot be %s", camp.ID, strings.ToLower(string(camp.Status)), done)
	}
	if err != nil {
		return camp, err
	}
	return s.lookupCampaign(ctx, c, campaignID)
}
