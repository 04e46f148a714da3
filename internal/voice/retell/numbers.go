package retell

import (
	"context"
	"fmt"
	"net/url"
	"strconv"

	"github.com/openteli/teli/internal/voice"
)

// canadianAreaCodes are the NANP area codes of Canada. Retell buys numbers per country
// (country_code US or CA) and defaults to US, so a Canadian area code has to say so.
var canadianAreaCodes = map[string]bool{}

func init() {
	for _, ac := range []string{
		"204", "226", "236", "249", "250", "257", "263", "289", "306", "343", "354", "365",
		"367", "368", "382", "387", "403", "416", "418", "428", "431", "437", "438", "450",
		"468", "474", "506", "514", "519", "548", "579", "581", "584", "587", "600", "604",
		"613", "639", "647", "672", "683", "705", "709", "742", "753", "778", "780", "782",
		"807", "819", "825", "867", "873", "879", "902", "905", "942",
	} {
		canadianAreaCodes[ac] = true
	}
}

// phoneNumber is Retell's PhoneNumberResponse, as far as Teli reads it.
type phoneNumber struct {
	PhoneNumber string `json:"phone_number"`
	Pretty      string `json:"phone_number_pretty"`
	Type        string `json:"phone_number_type"`
	AreaCode    int    `json:"area_code"`
}

// ProvisionNumber buys a number in the requested area code. Retell chooses the number; the
// answer is the number it bought.
func (c *Client) ProvisionNumber(ctx context.Context, r voice.NumberRequest) (voice.Number, error) {
	ac, err := strconv.Atoi(r.AreaCode)
	if err != nil || len(r.AreaCode) != 3 || ac < 200 {
		return voice.Number{}, fmt.Errorf("retell: provision number: %q is not a US or Canadian area code", r.AreaCode)
	}
	country := "US"
	if canadianAreaCodes[r.AreaCode] {
		country = "CA"
	}
	body := map[string]any{"area_code": ac, "country_code": country}
	if r.Nickname != "" {
		body["nickname"] = r.Nickname
	}
	if c.inboundWebhookURL != "" {
		body["inbound_webhook_url"] = c.inboundWebhookURL
	}
	var pn phoneNumber
	if err := c.do(ctx, "POST", "/create-phone-number", body, &pn); err != nil {
		return voice.Number{}, fmt.Errorf("retell: provision number in %s: %w", r.AreaCode, err)
	}
	n := voice.Number{PhoneNumber: pn.PhoneNumber, Pretty: pn.Pretty, AreaCode: r.AreaCode, Type: pn.Type}
	if pn.AreaCode != 0 {
		n.AreaCode = strconv.Itoa(pn.AreaCode)
	}
	return n, nil
}

// BindNumber sets which agents answer and place calls on the number. Bindings are written as
// Retell's weighted agent lists with one agent of weight 1: the single-agent fields
// (inbound_agent_id, outbound_agent_id) are no longer supported since 2026-03-31. A zero Ref is
// null, which leaves the number without an agent in that direction.
func (c *Client) BindNumber(ctx context.Context, phone string, b voice.Binding) error {
	body := map[string]any{
		"inbound_agents":  agentList(b.Inbound),
		"outbound_agents": agentList(b.Outbound),
	}
	if b.Nickname != "" {
		body["nickname"] = b.Nickname
	}
	if c.inboundWebhookURL != "" {
		body["inbound_webhook_url"] = c.inboundWebhookURL
	}
	if err := c.do(ctx, "PATCH", "/update-phone-number/"+url.PathEscape(phone), body, nil); err != nil {
		return fmt.Errorf("retell: bind number %s: %w", phone, err)
	}
	return nil
}

// agentList is the weighted agent list binding ref, or nil (JSON null) for none.
func agentList(ref voice.Ref) any {
	if ref.AgentID == "" {
		return nil
	}
	return []map[string]any{{"agent_id": ref.AgentID, "weight": 1}}
}

// ReleaseNumber deletes the number from the account; one already gone is not an error.
func (c *Client) ReleaseNumber(ctx context.Context, phone string) error {
	err := c.do(ctx, "DELETE", "/delete-phone-number/"+url.PathEscape(phone), nil, nil)
	if err != nil && !notFound(err) {
		return fmt.Errorf("retell: release number %s: %w", phone, err)
	}
	return nil
}
