package outbound

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/openteli/teli/internal/contacts"
	"github.com/openteli/teli/internal/phone"
	"github.com/openteli/teli/internal/placeholders"
	"github.com/openteli/teli/internal/service"
	"github.com/openteli/teli/internal/service/leads"
	"github.com/openteli/teli/internal/teli"
	"github.com/openteli/teli/internal/work"
)

// StartingMessageValidity is how long a starting message may wait for its recipient's window
// before it is dropped as stale. Every window opens within a day, so only a paused campaign
// can make one expire.
const StartingMessageValidity = 24 * time.Hour

// CampaignInput is the body of POST /v1/campaigns.
type CampaignInput struct {
	CampaignID             *string            `json:"campaign_id"`
	CampaignName           *string            `json:"campaign_name"`
	OrganizationID         *string            `json:"organization_id"`
	UserID                 *string            `json:"user_id"`
	SMSAgentID             *string            `json:"sms_agent_id"`
	TeliSMSNumber          *string            `json:"teli_sms_number"`
	Contacts               *[]json.RawMessage `json:"contacts"`
	EnableSMSToVoice       *bool              `json:"enable_sms_to_voice"`
	VoiceAgentID           *string            `json:"voice_agent_id"`
	OutboundNumber         *string            `json:"outbound_number"`
	DryRun                 *bool              `json:"dry_run"`
	EnableNumberValidation *bool              `json:"enable_number_validation"`
	MMSMediaURL            *string            `json:"mms_media_url"`
	FollowupInterval       *int               `json:"followup_interval"`
	CustomFollowUp         *string            `json:"custom_follow_up"`
	ObjectivePrompt        *string            `json:"objective_prompt"`
	ExtractionFields       json.RawMessage    `json:"extraction_fields"`
}

// Launch is what a campaign launch did.
type Launch struct {
	Campaign teli.Campaign
	Agent    teli.Agent
	// Opened is how many threads got a starting message.
	Opened int
	// HasDrips says whether the threads have a follow-up sequence.
	HasDrips bool
}

var errCampaignNotFound = teli.NotFound("Campaign not found")

// CreateCampaign creates and launches an SMS campaign: valid contacts become leads and threads,
// each gets the agent's starting message queued in the outbox, and invalid ones are counted with
// their reasons. Everything commits in one transaction with the job that dispatches the messages.
// A launch with no contact it can message creates nothing.
func (s *Service) CreateCampaign(ctx context.Context, c service.Caller, in CampaignInput) (Launch, error) {
	camp, agent, err := s.newCampaign(ctx, c, in)
	if err != nil {
		return Launch{}, err
	}
	if len(*in.Contacts) == 0 {
		return Launch{}, teli.Invalid("contacts must be a non-empty array")
	}
	usable, invalid := usableContacts(contacts.ParseJSON(*in.Contacts))
	if len(usable) == 0 {
		return Launch{}, noValidContacts(invalid)
	}
	camp.InvalidLeads = append(camp.InvalidLeads, invalid...)
	if camp.Settings.DryRun {
		// Every message of a dry run is recorded as sent at once.
		camp.Status = teli.CampaignCompleted
	}
	owner := teli.User{UniqueID: camp.UserID, TenantID: c.TenantID, OrganizationID: camp.OrganizationID}
	var launch Launch
	err = s.work.InTx(ctx, func(tx *work.Tx) error {
		if err := tx.CreateCampaign(ctx, camp); err != nil {
			if errors.Is(err, teli.ErrConflict) {
				return teli.Invalid("Campaign %s already exists", camp.ID)
			}
			return err
		}
		if err := s.suppressDoNotCall(ctx, tx, camp, camp.InvalidLeads); err != nil {
			return err
		}
		opened, err := s.openThreads(ctx, tx, camp, agent, owner, usable)
		launch = Launch{Campaign: camp, Agent: agent, Opened: len(opened), HasDrips: len(dripSchedule(agent, camp)) > 0}
		if err != nil || len(opened) == 0 || camp.Settings.DryRun {
			return err
		}
		return tx.DispatchBulk(ctx, len(opened))
	})
	launch.Campaign.TotalContacts = launch.Opened
	return launch, err
}

// newCampaign validates the request into a campaign record.
func (s *Service) newCampaign(ctx context.Context, c service.Caller, in CampaignInput) (teli.Campaign, teli.Agent, error) {
	if service.Missing(in.CampaignID, in.CampaignName, in.OrganizationID, in.UserID, in.SMSAgentID, in.TeliSMSNumber) || in.Contacts == nil {
		return teli.Campaign{}, teli.Agent{}, teli.Invalid("campaign_id, campaign_name, organization_id, user_id, sms_agent_id, teli_sms_number, and contacts are required")
	}
	if err := teli.CheckClientID("campaign_id", service.Trim(in.CampaignID)); err != nil {
		return teli.Campaign{}, teli.Agent{}, err
	}
	user, err := s.access.Member(ctx, c, service.Trim(in.OrganizationID), service.Trim(in.UserID))
	if err != nil {
		return teli.Campaign{}, teli.Agent{}, err
	}
	agent, err := s.store.GetAgent(ctx, c.TenantID, service.Trim(in.SMSAgentID))
	if errors.Is(err, teli.ErrNotFound) || (err == nil && agent.OrganizationID != user.OrganizationID) {
		err = service.ErrAgentNotFound
	}
	if err != nil {
		return teli.Campaign{}, agent, err
	}
	if agent.Type != teli.AgentSMS {
		return teli.Campaign{}, agent, teli.Invalid("sms_agent_id must name an SMS agent")
	}
	from, err := phone.Normalize(service.Trim(in.TeliSMSNumber))
	if err != nil {
		return teli.Campaign{}, agent, teli.Invalid("teli_sms_number: %v", err)
	}
	settings, err := campaignSettings(in)
	if err != nil {
		return teli.Campaign{}, agent, err
	}
	now := s.clock.Now()
	return teli.Campaign{
		PK: s.ids.UniqueID(), ID: service.Trim(in.CampaignID), TenantID: c.TenantID,
		OrganizationID: user.OrganizationID, UserID: user.UniqueID, AgentID: agent.ID,
		FromNumber: from, Name: service.Trim(in.CampaignName), Status: teli.CampaignActive,
		Settings: settings, CreatedAt: now, ModifiedAt: now,
	}, agent, nil
}

func campaignSettings(in CampaignInput) (teli.CampaignSettings, error) {
	set := teli.CampaignSettings{
		EnableSMSToVoice:       in.EnableSMSToVoice != nil && *in.EnableSMSToVoice,
		DryRun:                 in.DryRun != nil && *in.DryRun,
		EnableNumberValidation: in.EnableNumberValidation != nil && *in.EnableNumberValidation,
		MMSMediaURL:            service.Trim(in.MMSMediaURL), CustomFollowUp: service.Trim(in.CustomFollowUp),
		ObjectivePrompt: service.Trim(in.ObjectivePrompt), VoiceAgentID: service.Trim(in.VoiceAgentID),
	}
	if in.FollowupInterval != nil {
		if *in.FollowupInterval < 0 {
			return set, teli.Invalid("followup_interval must not be negative")
		}
		set.FollowupInterval = *in.FollowupInterval
	}
	if set.EnableSMSToVoice {
		if set.VoiceAgentID == "" || service.Trim(in.OutboundNumber) == "" {
			return set, teli.Invalid("voice_agent_id and outbound_number are required when enable_sms_to_voice is true")
		}
		out, err := phone.Normalize(service.Trim(in.OutboundNumber))
		if err != nil {
			return set, teli.Invalid("outbound_number: %v", err)
		}
		set.OutboundNumber = out
	}
	if in.ExtractionFields != nil {
		fields, err := teli.ParseExtractionFields(in.ExtractionFields)
		if err != nil {
			return set, err
		}
		set.ExtractionFields = fields
	}
	return set, nil
}

// noValidContacts is the error of a launch whose every contact was rejected.
func noValidContacts(invalid []teli.InvalidLead) error {
	return service.NoneValid(invalid, "contacts", "row")
}

// usableContacts splits parsed contacts into those a campaign can message and the invalid
// ones, with reasons. A contact flagged do_not_call is not messaged (and joins the
// organization's do-not-contact list in openThreads).
func usableContacts(parsed contacts.Result) (usable []contacts.Contact, invalid []teli.InvalidLead) {
	for _, r := range parsed.Rejected {
		invalid = append(invalid, teli.InvalidLead{Row: r.Row, Phone: r.Phone, Reason: r.Reason})
	}
	for _, ct := range parsed.Contacts {
		if ct.DoNotCall {
			invalid = append(invalid, teli.InvalidLead{Row: ct.Row, Phone: ct.Phone, Reason: "do_not_call"})
			continue
		}
		usable = append(usable, ct)
	}
	return usable, invalid
}

// openThreads makes the contacts leads of the organization (in the campaign's group), opens a
// thread per lead the campaign does not have yet and queues each its starting message. It
// returns the threads it opened.
func (s *Service) openThreads(ctx context.Context, tx Store, camp teli.Campaign, agent teli.Agent, owner teli.User, list []contacts.Contact) ([]teli.Thread, error) {
	if len(list) == 0 {
		return nil, nil
	}
	group, err := s.campaignGroup(ctx, tx, camp)
	if err != nil {
		return nil, err
	}
	stored, err := tx.ImportLeads(ctx, group.UniqueID, leads.FromContacts(s.ids, owner, list, s.clock.Now()))
	if err != nil {
		return nil, err
	}
	steps := dripSchedule(agent, camp)
	threads := make([]teli.Thread, len(stored))
	first := make([]teli.Message, len(stored))
	for i, l := range stored {
		vars := placeholders.LeadVars(list[i].Vars())
		threads[i] = teli.Thread{
			CampaignPK: camp.PK, Phone: l.Phone, TenantID: camp.TenantID, OrganizationID: camp.OrganizationID,
			CampaignID: camp.ID, LeadID: l.UniqueID, Owner: teli.OwnerAI, LeadOutcome: "pending",
			Vars: vars, CreatedAt: s.clock.Now(), DripDelay: dripDelay(steps, 0),
		}
		first[i] = s.startingMessage(camp, l.Phone, placeholders.Render(agent.StartingMessage, vars))
	}
	return tx.AddThreads(ctx, threads, first)
}

// suppressDoNotCall puts the contacts flagged do_not_call on the organization's do-not-contact
// list (spec/compliance.md §2), so no campaign or bulk send of the organization messages them.
func (s *Service) suppressDoNotCall(ctx context.Context, tx Store, camp teli.Campaign, invalid []teli.InvalidLead) error {
	for _, l := range invalid {
		if l.Reason != "do_not_call" {
			continue
		}
		_, err := tx.Suppress(ctx, teli.Suppression{
			TenantID: camp.TenantID, OrganizationID: camp.OrganizationID, Phone: l.Phone,
			Kind: teli.SuppressDoNotContact, Source: "lead", UserID: camp.UserID,
			Detail: "do_not_call in campaign " + camp.ID, At: s.clock.Now(),
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// campaignGroup returns the contact group holding a campaign's leads, creating it on first use.
func (s *Service) campaignGroup(ctx context.Context, tx Store, camp teli.Campaign) (teli.ContactGroup, error) {
	name := "Campaign " + camp.ID
	group, err := tx.FindGroup(ctx, camp.TenantID, camp.OrganizationID, camp.UserID, name)
	if !errors.Is(err, teli.ErrNotFound) {
		return group, err
	}
	group = teli.ContactGroup{
		UniqueID: s.ids.UniqueID(), RecordID: s.ids.UUID(), TenantID: camp.TenantID,
		OrganizationID: camp.OrganizationID, CreatedByUserID: camp.UserID,
		Name: name, Description: "Leads of campaign " + camp.Name, CreatedAt: s.clock.Now(),
	}
	return group, tx.CreateGroup(ctx, group)
}

// startingMessage is the first message of a thread, queued for the dispatcher; in a dry run it
// is recorded as sent at once and never reaches a carrier.
func (s *Service) startingMessage(camp teli.Campaign, to, body string) teli.Message {
	now := s.clock.Now()
	expires := now.Add(StartingMessageValidity)
	m := s.outbox.Message(camp, to, body, now)
	m.Sender, m.Purpose, m.MediaURL, m.ExpiresAt = teli.SenderAgent, teli.PurposeStarting, camp.Settings.MMSMediaURL, &expires
	return m
}

// lookupCampaign is GetCampaign without the totals, for paths that do not show them.
func (s *Service) lookupCampaign(ctx context.Context, c service.Caller, id string) (teli.Campaign, error) {
	camp, err := s.store.LookupCampaign(ctx, c.TenantID, id)
	if errors.Is(err, teli.ErrNotFound) {
		return camp, errCampaignNotFound
	}
	return camp, err
}

// GetCampaign returns one of the caller's campaigns by campaign_id.
func (s *Service) GetCampaign(ctx context.Context, c service.Caller, id string) (teli.Campaign, error) {
	camp, err := s.store.GetCampaign(ctx, c.TenantID, id)
	if errors.Is(err, teli.ErrNotFound) {
		return camp, errCampaignNotFound
	}
	return camp, err
}

// ListCampaigns lists an organization's campaigns visible to the caller.
func (s *Service) ListCampaigns(ctx context.Context, c service.Caller, sc service.ListScope) ([]teli.Campaign, error) {
	owner, err := s.access.Owner(ctx, c, sc)
	if err != nil {
		return nil, err
	}
	return s.store.ListCampaigns(ctx, c.TenantID, sc.OrganizationID, owner)
}

// MessageQuery selects a page of messages: forward in commit order from After (a page's Resume)
// or Since, else back from Before (a page's Oldest, or a time) or from the newest. After wins
// over Since, and both over Before. See teli.MessageFilter.
type MessageQuery struct {
	After  teli.CommitKey
	Since  time.Time
	Before teli.MessagePosition
	Limit  int
}

// filter is the store's filter of q for one campaign (and thread).
func (q MessageQuery) filter(tenantID, campaignPK, phone string) teli.MessageFilter {
	f := teli.MessageFilter{TenantID: tenantID, CampaignPK: campaignPK, Phone: phone, After: q.After, Since: q.Since, Limit: q.Limit}
	if q.After == (teli.CommitKey{}) && q.Since.IsZero() {
		f.Before = q.Before
	}
	return f
}

// MessagePage is a page of a campaign's messages, newest first, and where to read on.
type MessagePage struct {
	Campaign teli.Campaign
	teli.MessageList
}

// CampaignMessages returns a page of a campaign's messages (see MessageQuery).
func (s *Service) CampaignMessages(ctx context.Context, c service.Caller, id string, q MessageQuery) (MessagePage, error) {
	camp, err := s.lookupCampaign(ctx, c, id)
	if err != nil {
		return MessagePage{}, err
	}
	list, err := s.store.ListMessages(ctx, q.filter(c.TenantID, camp.PK, ""))
	return MessagePage{Campaign: camp, MessageList: list}, err
}
