package twilio

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/openteli/teli/internal/carrier"
)

// message is the part of Twilio's Message resource Teli reads.
type message struct {
	Sid          string  `json:"sid"`
	From         string  `json:"from"`
	To           string  `json:"to"`
	Body         string  `json:"body"`
	Status       string  `json:"status"`
	Direction    string  `json:"direction"`
	DateCreated  string  `json:"date_created"`
	ErrorCode    *int    `json:"error_code"`
	ErrorMessage *string `json:"error_message"`
}

// messagePage is one page of the Messages list.
type messagePage struct {
	Messages    []message `json:"messages"`
	NextPageURI string    `json:"next_page_uri"`
}

// Send creates the message with a per-message StatusCallback, so every callback names Teli's
// message id in its URL.
func (c *Carrier) Send(ctx context.Context, m carrier.Message) (carrier.Sent, error) {
	form := url.Values{"To": {m.To}, "From": {m.From}}
	if m.Body != "" {
		form.Set("Body", m.Body)
	}
	for _, u := range m.MediaURLs {
		form.Add("MediaUrl", u)
	}
	if m.ID != "" {
		form.Set("StatusCallback", carrier.StatusCallbackURL(c.publicURL, Name, m.ID))
	}
	var res message
	if _, err := c.call(ctx, http.MethodPost, c.messagesURL()+".json", form, &res); err != nil {
		return carrier.Sent{}, err
	}
	if res.Sid == "" {
		return carrier.Sent{}, &carrier.SendError{Code: "bad_response", Message: "Twilio accepted the message but returned no sid", Retryable: true, Uncertain: true}
	}
	return carrier.Sent{ProviderID: res.Sid, Status: carrier.Status(res.Status)}, nil
}

// Fetch reads the message's current status.
func (c *Carrier) Fetch(ctx context.Context, providerID string) (carrier.StatusUpdate, error) {
	if providerID == "" {
		return carrier.StatusUpdate{}, errors.New("twilio: fetch: empty message sid")
	}
	var res message
	status, err := c.call(ctx, http.MethodGet, c.messagesURL()+"/"+url.PathEscape(providerID)+".json", nil, &res)
	if err != nil {
		return carrier.StatusUpdate{}, notFound(status, err, "fetch "+providerID)
	}
	return res.update(), nil
}

func (m message) update() carrier.StatusUpdate {
	u := carrier.StatusUpdate{ProviderID: m.Sid, Status: carrier.Status(m.Status)}
	if m.ErrorCode != nil && *m.ErrorCode != 0 {
		u.ErrorCode = strconv.Itoa(*m.ErrorCode)
	}
	if m.ErrorMessage != nil {
		u.ErrorMessage = *m.ErrorMessage
	}
	return u
}

// clockSkew widens FindSent's window: since comes from Teli's clock, date_created from
// Twilio's, and a message missed because the clocks disagree would be sent twice.
const clockSkew = 2 * time.Minute

// findPageSize and findMaxPages bound FindSent's listing: one sender to one recipient rarely
// exchanges more than a handful of messages in the window.
const (
	findPageSize = 100
	findMaxPages = 10
)

// FindSent lists messages from m.From to m.To with DateSent on or after since's day (Twilio
// filters DateSent by GMT date) and picks the outbound one with m's body whose date_created is
// closest to since, allowing clockSkew either way. Twilio fills date_sent when a message
// leaves its queue, so one still queued is not listed yet; reconciling a few seconds after the
// failure, as a job retry does, gives it time to leave.
func (c *Carrier) FindSent(ctx context.Context, m carrier.Message, since time.Time) (carrier.Sent, bool, error) {
	from := since.Add(-clockSkew).UTC()
	q := url.Values{"To": {m.To}, "From": {m.From}, "DateSent>": {from.Format(time.DateOnly)}, "PageSize": {strconv.Itoa(findPageSize)}}
	next := c.messagesURL() + ".json?" + q.Encode()
	var best *message
	var bestGap time.Duration
	for range findMaxPages {
		var page messagePage
		if _, err := c.call(ctx, http.MethodGet, next, nil, &page); err != nil {
			return carrier.Sent{}, false, err
		}
		for i := range page.Messages {
			if gap, ok := matches(page.Messages[i], m, since); ok && (best == nil || gap < bestGap) {
				best, bestGap = &page.Messages[i], gap
			}
		}
		if next = c.pageURL(page.NextPageURI); next == "" {
			break
		}
	}
	if best == nil {
		return carrier.Sent{}, false, nil
	}
	return carrier.Sent{ProviderID: best.Sid, Status: carrier.Status(best.Status)}, true, nil
}

// matches reports whether listed is an outbound copy of m created near since, and how far from
// since it was created.
func matches(listed message, m carrier.Message, since time.Time) (time.Duration, bool) {
	if listed.Body != m.Body || listed.To != m.To || listed.From != m.From || !strings.HasPrefix(listed.Direction, "outbound") {
		return 0, false
	}
	created, err := time.Parse(time.RFC1123Z, listed.DateCreated)
	if err != nil {
		// Same sender, recipient, body and day: claiming it is safer than sending twice.
		return time.Duration(1<<63 - 1), true
	}
	gap := created.Sub(since)
	if gap < 0 {
		gap = -gap
	}
	return gap, gap <= clockSkew || created.After(since)
}

// pageURL turns next_page_uri (a path on the API host) into a URL; "" ends the listing. An
// absolute URI is refused so credentials are never sent to another host.
func (c *Carrier) pageURL(uri string) string {
	if !strings.HasPrefix(uri, "/") || strings.HasPrefix(uri, "//") {
		return ""
	}
	return c.apiBase + uri
}
