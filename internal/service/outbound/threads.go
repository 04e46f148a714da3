package outbound

import (
	"context"
	"errors"
	"strings"

	"github.com/openteli/teli/internal/phone"
	"github.com/openteli/teli/internal/service"
	"github.com/openteli/teli/internal/teli"
)

// Caps of the thread endpoints (spec §1.4.3–1.4.5).
const (
	DefaultContactsLimit = 1000
	MaxContactsLimit     = 10000
)

// AssignInput is the body of POST /v1/threads/assign.
type AssignInput struct {
	CampaignID     *string `json:"campaign_id"`
	PhoneNumber    *string `json:"phone_number"`
	AssignedUserID *string `json:"assigned_user_id"`
	OrganizationID *string `json:"organization_id"`
	AssignedBy     *string `json:"assigned_by"`
}

// Assignment is what an assignment did.
type Assignment struct {
	Thread teli.Thread
	User   teli.User
}

// AssignThread hands a thread to a person: the AI and every pending automated message of the
// thread stop for good, the lead is qualified, and the thread shows in the user's contacts.
func (s *Service) AssignThread(ctx context.Context, c service.Caller, in AssignInput) (Assignment, error) {
	if service.Missing(in.CampaignID, in.PhoneNumber, in.AssignedUserID) {
		return Assignment{}, teli.Invalid("campaign_id, phone_number, and assigned_user_id are required")
	}
	camp, th, err := s.campaignThread(ctx, c, service.Trim(in.CampaignID), service.Trim(in.PhoneNumber))
	if err != nil {
		return Assignment{}, err
	}
	user, err := s.store.GetUser(ctx, c.TenantID, service.Trim(in.AssignedUserID))
	if errors.Is(err, teli.ErrNotFound) || (err == nil && user.OrganizationID != camp.OrganizationID) {
		return Assignment{}, teli.NotFound("User '%s' not found", service.Trim(in.AssignedUserID))
	}
	if err != nil {
		return Assignment{}, err
	}
	th, err = s.store.TakeOverThread(ctx, teli.TakeOver{
		TenantID: c.TenantID, CampaignPK: camp.PK, Phone: th.Phone, AssignUserID: user.UniqueID, At: s.clock.Now(),
	})
	return Assignment{Thread: th, User: user}, err
}

// UnassignThread clears a thread's assignee. The thread stays with people: the AI does not
// come back.
func (s *Service) UnassignThread(ctx context.Context, c service.Caller, campaignID, phoneNumber string) (teli.Thread, error) {
	campaignID, phoneNumber = strings.TrimSpace(campaignID), strings.TrimSpace(phoneNumber)
	if campaignID == "" || phoneNumber == "" {
		return teli.Thread{}, teli.Invalid("campaign_id and phone_number are required")
	}
	camp, th, err := s.campaignThread(ctx, c, campaignID, phoneNumber)
	if teli.CodeOf(err) == teli.CodeNotFound {
		return th, teli.NotFound("Thread not found")
	}
	if err != nil {
		return th, err
	}
	return th, s.store.UnassignThread(ctx, c.TenantID, camp.PK, th.Phone)
}

// campaignThread finds a campaign's thread by the contact's number, as sent. Unknown campaigns
// and numbers are 404 "Thread not found for {phone} in campaign {campaign_id}".
func (s *Service) campaignThread(ctx context.Context, c service.Caller, campaignID, raw string) (teli.Campaign, teli.Thread, error) {
	num, normErr := phone.Normalize(service.LenientPlus(raw))
	shown := num
	if normErr != nil {
		shown = raw
	}
	notFound := teli.NotFound("Thread not found for %s in campaign %s", shown, campaignID)
	camp, err := s.store.LookupCampaign(ctx, c.TenantID, campaignID)
	if errors.Is(err, teli.ErrNotFound) || normErr != nil {
		return camp, teli.Thread{}, notFound
	}
	if err != nil {
		return camp, teli.Thread{}, err
	}
	th, err := s.store.GetThread(ctx, c.TenantID, camp.PK, num)
	if errors.Is(err, teli.ErrNotFound) {
		return camp, th, notFound
	}
	return camp, th, err
}

// ContactsPage is a page of a campaign's threads.
type ContactsPage struct {
	Threads []teli.ThreadRow
	Total   int
	Limit   int
	Offset  int
}

// CampaignContacts lists a campaign's threads with their assignment and consent state: every
// thread for an admin asking with is_admin=true, otherwise the threads assigned to user_id.
// limit is capped at MaxContactsLimit.
func (s *Service) CampaignContacts(ctx context.Context, c service.Caller, campaignID string, sc service.ListScope, limit, offset int) (ContactsPage, error) {
	camp, err := s.lookupCampaign(ctx, c, campaignID)
	if err != nil {
		return ContactsPage{}, err
	}
	page := ContactsPage{Limit: min(limit, MaxContactsLimit), Offset: offset}
	sc.OrganizationID = camp.OrganizationID
	owner, err := s.access.Owner(ctx, c, sc)
	if err != nil {
		return page, err
	}
	f := teli.ThreadFilter{TenantID: c.TenantID, CampaignPK: camp.PK, AssignedUserID: owner, Limit: page.Limit, Offset: page.Offset}
	page.Threads, page.Total, err = s.store.ListThreads(ctx, f)
	return page, err
}

// ThreadPage is a page of one thread's messages, newest first, and where to read on.
type ThreadPage struct {
	ThreadID   string
	CampaignID string
	teli.MessageList
}

// ThreadMessages returns a page of one thread's messages (see MessageQuery).
func (s *Service) ThreadMessages(ctx context.Context, c service.Caller, campaignID, threadID string, q MessageQuery) (ThreadPage, error) {
	page := ThreadPage{ThreadID: threadID, CampaignID: campaignID}
	camp, err := s.lookupCampaign(ctx, c, campaignID)
	if err != nil {
		return page, err
	}
	// Only messages whose thread id is exactly the one asked for: the id must end with this
	// campaign's id, and what precedes it is the contact's number.
	raw, ok := strings.CutSuffix(service.LenientPlus(threadID), "_"+camp.ID)
	if !ok {
		page.Messages = []teli.Message{}
		return page, nil
	}
	page.MessageList, err = s.store.ListMessages(ctx, q.filter(c.TenantID, camp.PK, raw))
	return page, err
}
