package outbound

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/openteli/teli/internal/phone"
	"github.com/openteli/teli/internal/placeholders"
	"github.com/openteli/teli/internal/service"
	"github.com/openteli/teli/internal/teli"
	"github.com/openteli/teli/internal/work"
)

// MaxBulkNumbers bounds one bulk send.
const MaxBulkNumbers = 10000

// ManualInput is the body of POST /v1/sms/send and POST /v1/mms/send. UserID (or
// sent_by_user_id), when given, names the person sending; it is recorded on the message.
type ManualInput struct {
	CampaignID   *string `json:"campaign_id"`
	PhoneNumber  *string `json:"phone_number"`
	Message      *string `json:"message"`
	MediaURL     *string `json:"media_url"`
	UserID       *string `json:"user_id"`
	SentByUserID *string `json:"sent_by_user_id"`
}

// ManualSend is what a manual send did.
type ManualSend struct {
	Phone      string `json:"phone_number"`
	CampaignID string `json:"campaign_id"`
	MediaURL   string `json:"media_url,omitempty"`
	MessageID  string `json:"message_id"`
	Replayed   bool   `json:"-"`
}

// SendSMS sends a person's message to one contact of a campaign: the thread becomes
// human-owned for good and every pending AI, drip and starting message of it is canceled, in
// the same transaction that queues the message. A message the send gate would refuse as too
// long is refused here, before any of that happens.
func (s *Service) SendSMS(ctx context.Context, c service.Caller, in ManualInput, idem Idempotency) (ManualSend, error) {
	if service.Missing(in.CampaignID, in.PhoneNumber) || in.Message == nil {
		return ManualSend{}, teli.Invalid("Missing required fields: campaign_id, phone_number, message")
	}
	if strings.TrimSpace(*in.Message) == "" {
		return ManualSend{}, teli.Invalid("Message text cannot be empty")
	}
	if err := service.CheckSegments(strings.TrimSpace(*in.Message)); err != nil {
		return ManualSend{}, err
	}
	in.MediaURL = nil
	return s.sendManual(ctx, c, in, idem)
}

// SendMMS is SendSMS with a picture: media_url is required, the text optional.
func (s *Service) SendMMS(ctx context.Context, c service.Caller, in ManualInput, idem Idempotency) (ManualSend, error) {
	if service.Missing(in.CampaignID, in.PhoneNumber, in.MediaURL) {
		return ManualSend{}, teli.Invalid("Missing required fields: campaign_id, phone_number, media_url")
	}
	if u, err := url.Parse(service.Trim(in.MediaURL)); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ManualSend{}, teli.Invalid("media_url must be a public http:// or https:// URL")
	}
	if err := service.CheckSegments(service.Trim(in.Message)); err != nil {
		return ManualSend{}, err
	}
	return s.sendManual(ctx, c, in, idem)
}

func (s *Service) sendManual(ctx context.Context, c service.Caller, in ManualInput, idem Idempotency) (ManualSend, error) {
	var res ManualSend
	if done, err := s.replayFirst(ctx, c, idem, &res); done || err != nil {
		res.Replayed = done
		return res, err
	}
	num, err := contactNumber(service.Trim(in.PhoneNumber))
	if err != nil {
		return ManualSend{}, teli.Invalid("phone_number: %v", err)
	}
	camp, th, err := s.campaignClient(ctx, c, service.Trim(in.CampaignID), num)
	if err != nil {
		return ManualSend{}, err
	}
	sender, err := s.sendingUser(ctx, c, camp, in)
	if err != nil {
		return ManualSend{}, err
	}
	if err := s.refuseOptedOut(ctx, camp.OrganizationID, th.Phone); err != nil {
		return ManualSend{}, err
	}
	now := s.clock.Now()
	body := ""
	if in.Message != nil {
		body = strings.TrimSpace(*in.Message)
	}
	msg := s.outbox.Message(camp, th.Phone, body, now)
	msg.Sender, msg.Purpose, msg.SentByUserID, msg.MediaURL = teli.SenderHuman, teli.PurposeManual, sender, service.Trim(in.MediaURL)
	msg.ExpiresAt = nil
	res = ManualSend{Phone: th.Phone, CampaignID: camp.ID, MediaURL: msg.MediaURL, MessageID: msg.ID}
	res.Replayed, err = s.idempotent(ctx, c, idem, &res, func(tx *work.Tx) error {
		if _, err := tx.TakeOverThread(ctx, teli.TakeOver{TenantID: c.TenantID, CampaignPK: camp.PK, Phone: th.Phone, At: now}); err != nil {
			return err
		}
		if err := tx.InsertMessages(ctx, []teli.Message{msg}); err != nil {
			return err
		}
		// A person's message is part of the conversation the lead's fields are read from.
		if err := s.conversation.ScheduleExtraction(ctx, tx, th, msg.ID); err != nil {
			return err
		}
		return tx.Dispatch(ctx)
	})
	return res, err
}

// campaignClient finds a campaign's thread by the contact's number, already normalised, with
// the manual-send endpoints' 404 "Client {phone} not found in campaign {campaign_id}".
func (s *Service) campaignClient(ctx context.Context, c service.Caller, campaignID, num string) (teli.Campaign, teli.Thread, error) {
	camp, th, err := s.campaignThread(ctx, c, campaignID, num)
	if teli.CodeOf(err) == teli.CodeNotFound {
		return camp, th, teli.NotFound("Client %s not found in campaign %s", num, campaignID)
	}
	return camp, th, err
}

// contactNumber normalises the number a send is addressed to. A number that is not one is the
// caller's mistake to fix, not a contact missing from the campaign, so it is not the 404.
func contactNumber(raw string) (string, error) {
	return phone.Normalize(service.LenientPlus(raw))
}

// sendingUser checks the optional user named as the sender.
func (s *Service) sendingUser(ctx context.Context, c service.Caller, camp teli.Campaign, in ManualInput) (string, error) {
	id := service.Trim(in.SentByUserID)
	if id == "" {
		id = service.Trim(in.UserID)
	}
	if id == "" {
		return "", nil
	}
	u, err := s.access.User(ctx, c, camp.OrganizationID, id)
	return u.UniqueID, err
}

// refuseOptedOut refuses any message, a person's included, to a number that opted out.
func (s *Service) refuseOptedOut(ctx context.Context, orgID, num string) error {
	kinds, err := s.store.Suppressions(ctx, orgID, num)
	if err != nil {
		return err
	}
	if slices.Contains(kinds, teli.SuppressOptOut) {
		return teli.Invalid("%s has opted out of messages from this organization; it can only opt back in by texting START", num)
	}
	return nil
}

// BulkInput is the body of POST /v1/sms/bulk-send.
type BulkInput struct {
	CampaignID   *string   `json:"campaign_id"`
	PhoneNumbers *[]string `json:"phone_numbers"`
	Message      *string   `json:"message"`
}

// BulkResult is one number's result in a bulk send.
type BulkResult struct {
	Phone  string `json:"phone_number"`
	Status string `json:"status"` // sent, failed or skipped
	Error  string `json:"error,omitempty"`
	// Reason says why a number was skipped: opted_out, do_not_contact or duplicate.
	Reason    string `json:"reason,omitempty"`
	MessageID string `json:"message_id,omitempty"`
}

// Bulk is what a bulk send did.
type Bulk struct {
	Total    int          `json:"total"`
	Sent     int          `json:"sent"`
	Failed   int          `json:"failed"`
	Skipped  int          `json:"skipped"`
	Results  []BulkResult `json:"results"`
	Replayed bool         `json:"-"`
}

// BulkSend queues one message, its {{vars}} filled from each lead, to each listed contact of a
// campaign. The AI stays in charge of the threads. A number that is not a phone number fails,
// as do one not in the campaign and one whose filled-in text is longer than the send gate
// allows; one that opted out or is on the do-not-contact list is skipped; none of them stops
// the others.
func (s *Service) BulkSend(ctx context.Context, c service.Caller, in BulkInput, idem Idempotency) (Bulk, error) {
	if service.Trim(in.CampaignID) == "" || in.Message == nil {
		return Bulk{}, teli.Invalid("Missing required fields: campaign_id, phone_numbers, message")
	}
	if in.PhoneNumbers == nil || len(*in.PhoneNumbers) == 0 {
		return Bulk{}, teli.Invalid("phone_numbers must be a non-empty array")
	}
	if len(*in.PhoneNumbers) > MaxBulkNumbers {
		return Bulk{}, teli.Invalid("phone_numbers may hold at most %d numbers", MaxBulkNumbers)
	}
	text := strings.TrimSpace(*in.Message)
	if text == "" {
		return Bulk{}, teli.Invalid("Message text cannot be empty")
	}
	// A text without {{variables}} is the same for every recipient: if it is too long, it is
	// too long for all of them. One with variables is checked once filled in, per recipient.
	if len(placeholders.Variables(text)) == 0 {
		if err := service.CheckSegments(text); err != nil {
			return Bulk{}, err
		}
	}
	var out Bulk
	if done, err := s.replayFirst(ctx, c, idem, &out); done || err != nil {
		out.Replayed = done
		return out, err
	}
	camp, err := s.lookupCampaign(ctx, c, service.Trim(in.CampaignID))
	if err != nil {
		return Bulk{}, err
	}
	if camp.Status == teli.CampaignEnded {
		return Bulk{}, teli.Invalid("Campaign %s has ended and takes no new messages", camp.ID)
	}
	now := s.clock.Now()
	var msgs []teli.Message
	out = Bulk{Total: len(*in.PhoneNumbers), Results: make([]BulkResult, 0, len(*in.PhoneNumbers))}
	seen := map[string]bool{}
	for _, raw := range *in.PhoneNumbers {
		r, msg, err := s.bulkOne(ctx, c, camp, raw, text, now, seen)
		if err != nil {
			return Bulk{}, err
		}
		switch r.Status {
		case "sent":
			out.Sent++
			msgs = append(msgs, msg)
		case "failed":
			out.Failed++
		default:
			out.Skipped++
		}
		out.Results = append(out.Results, r)
	}
	out.Replayed, err = s.idempotent(ctx, c, idem, &out, func(tx *work.Tx) error {
		if len(msgs) == 0 {
			return nil
		}
		return tx.QueueMessages(ctx, msgs...)
	})
	return out, err
}

// bulkOne decides one number of a bulk send.
func (s *Service) bulkOne(ctx context.Context, c service.Caller, camp teli.Campaign, raw, text string, now time.Time, seen map[string]bool) (BulkResult, teli.Message, error) {
	num, err := contactNumber(raw)
	if err != nil {
		return BulkResult{Phone: strings.TrimSpace(raw), Status: "failed", Error: err.Error()}, teli.Message{}, nil
	}
	_, th, err := s.campaignClient(ctx, c, camp.ID, num)
	if teli.CodeOf(err) == teli.CodeNotFound {
		return BulkResult{Phone: strings.TrimSpace(raw), Status: "failed", Error: err.Error()}, teli.Message{}, nil
	}
	if err != nil {
		return BulkResult{}, teli.Message{}, err
	}
	r := BulkResult{Phone: th.Phone, Status: "skipped"}
	if seen[th.Phone] {
		r.Reason = "duplicate"
		return r, teli.Message{}, nil
	}
	seen[th.Phone] = true
	kinds, err := s.store.Suppressions(ctx, camp.OrganizationID, th.Phone)
	if err != nil {
		return r, teli.Message{}, err
	}
	if slices.Contains(kinds, teli.SuppressOptOut) {
		r.Reason = "opted_out"
		return r, teli.Message{}, nil
	}
	if slices.Contains(kinds, teli.SuppressDoNotContact) {
		r.Reason = string(teli.SuppressDoNotContact)
		return r, teli.Message{}, nil
	}
	body := placeholders.Render(text, th.Vars)
	if err := service.CheckSegments(body); err != nil {
		return BulkResult{Phone: th.Phone, Status: "failed", Error: err.Error()}, teli.Message{}, nil
	}
	msg := s.outbox.Message(camp, th.Phone, body, now)
	msg.Sender, msg.Purpose = teli.SenderBroadcast, teli.PurposeBulk
	r.Status, r.MessageID = "sent", msg.ID
	return r, msg, nil
}

// GetMessage returns one message of the tenant, with its delivery status and carrier error,
// and the thread it belongs to.
func (s *Service) GetMessage(ctx context.Context, c service.Caller, id string) (teli.Message, teli.Thread, error) {
	m, err := s.store.GetMessage(ctx, c.TenantID, id)
	if errors.Is(err, teli.ErrNotFound) {
		return m, teli.Thread{}, teli.NotFound("Message not found")
	}
	if err != nil {
		return m, teli.Thread{}, err
	}
	th, err := s.store.GetThread(ctx, c.TenantID, m.CampaignPK, m.Phone)
	return m, th, err
}
