package conversation

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/openteli/teli/internal/keyword"
	"github.com/openteli/teli/internal/teli"
)

// ConsentTexts are the compliance messages; {{organization}} becomes the organization's name.
type ConsentTexts struct {
	OptOut string
	OptIn  string
	Help   string
}

// consentKeyword is the consent keyword an inbound message carries, if any, and how it was
// recognised: a keyword, or a revocation in the contact's own words.
func consentKeyword(body string, optedOut bool) (kind keyword.Kind, source string) {
	kind, source = keyword.Classify(body, optedOut), "keyword"
	if kind == keyword.None && keyword.RevocationPhrase(body) {
		kind, source = keyword.OptOut, "phrase"
	}
	return kind, source
}

// applyKeyword carries out a consent keyword inside the processing transaction. It returns the
// outcome to store and the compliance reply to queue, if any.
func (s *Service) applyKeyword(ctx context.Context, tx Store, kind keyword.Kind, source string, camp teli.Campaign, org teli.Organization, in teli.Message) (string, *teli.Message, error) {
	// A keyword takes effect when it arrived; a revocation the model recognised, when it did.
	at := in.CreatedAt
	if source == "ai" {
		at = s.clock.Now()
	}
	sup := teli.Suppression{
		TenantID: in.TenantID, OrganizationID: in.OrganizationID, Phone: in.Phone, Kind: teli.SuppressOptOut,
		Source: source, MessageID: in.ID, Detail: detailOf(in.Body), At: at,
	}
	var changed bool
	var err error
	var outcome, text string
	var purpose teli.Purpose
	switch kind {
	case keyword.OptOut:
		changed, err = tx.Suppress(ctx, sup)
		outcome, text, purpose = InboundOptOut, s.consent.OptOut, teli.PurposeOptOutConfirmation
	case keyword.OptIn:
		changed, err = tx.Unsuppress(ctx, sup)
		outcome, text, purpose = InboundOptIn, s.consent.OptIn, teli.PurposeOptInConfirmation
	case keyword.Help:
		changed, outcome, text, purpose = true, InboundHelp, s.consent.Help, teli.PurposeHelp
	default:
		return InboundRouted, nil, nil
	}
	if err != nil || !changed {
		// A repeated STOP, or START from a number that was not opted out: no second reply.
		return outcome, nil, err
	}
	reply := s.outbox.Message(camp, in.Phone, strings.ReplaceAll(text, "{{organization}}", org.Name), at)
	reply.Sender, reply.Purpose = teli.SenderSystem, purpose
	return outcome, &reply, nil
}

// detailOf keeps the start of a message for the audit trail.
func detailOf(body string) string {
	const most = 160
	body = strings.TrimSpace(body)
	if len(body) <= most {
		return body
	}
	cut := most
	for cut > 0 && !utf8.RuneStart(body[cut]) {
		cut--
	}
	return body[:cut]
}
