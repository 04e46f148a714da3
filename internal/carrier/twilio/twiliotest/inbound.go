package twiliotest

import (
	"errors"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"
)

// Twilio's default keywords (spec/contracts.md §1.9); the whole body must be one, in any case.
var (
	optOutWords = map[string]bool{"STOP": true, "STOPALL": true, "UNSUBSCRIBE": true, "CANCEL": true, "END": true, "QUIT": true, "REVOKE": true, "OPTOUT": true}
	optInWords  = map[string]bool{"START": true, "YES": true, "UNSTOP": true}
)

// SetInboundURL sets where SendInbound posts (Teli's /webhooks/twilio/inbound).
func (s *Server) SetInboundURL(u string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inboundURL = u
}

// SendInbound makes contact from text Twilio number to: the fake stores the message, applies
// Twilio's built-in opt-out handling (STOP blocks later sends from to → from with 21610, START
// lifts the block; the webhook is still posted, as Twilio does), and posts a signed inbound
// webhook to the inbound URL. It returns how the webhook was answered.
func (s *Server) SendInbound(from, to, body string, mediaURLs ...string) (Delivery, error) {
	target, m := s.newInbound(from, to, body, mediaURLs)
	if target == "" {
		return Delivery{}, errors.New("twiliotest: no inbound URL set")
	}
	s.mu.Lock()
	s.store(m)
	switch word := strings.ToUpper(strings.TrimSpace(body)); {
	case optOutWords[word]:
		s.unsubscribed[pair{to, from}] = true
	case optInWords[word]:
		delete(s.unsubscribed, pair{to, from})
	}
	s.mu.Unlock()
	d := s.post(target, inboundParams(m))
	return d, d.Err
}

// InboundRequest builds the signed inbound webhook SendInbound would post, without storing or
// sending anything, for tests that post (or tamper with) it themselves.
func (s *Server) InboundRequest(from, to, body string, mediaURLs ...string) (*http.Request, error) {
	target, m := s.newInbound(from, to, body, mediaURLs)
	if target == "" {
		return nil, errors.New("twiliotest: no inbound URL set")
	}
	return s.signedPost(target, inboundParams(m))
}

func (s *Server) newInbound(from, to, body string, mediaURLs []string) (string, *Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now().UTC().Truncate(time.Second)
	return s.inboundURL, &Message{
		Sid: s.nextSid(len(mediaURLs) > 0), AccountSID: s.AccountSID, From: from, To: to, Body: body,
		MediaURLs: mediaURLs, Direction: "inbound", Status: "received", DateCreated: now, DateSent: now,
	}
}

// inboundParams are the parameters of Twilio's inbound-message webhook.
func inboundParams(m *Message) url.Values {
	p := url.Values{
		"MessageSid": {m.Sid}, "SmsSid": {m.Sid}, "SmsMessageSid": {m.Sid}, "AccountSid": {m.AccountSID},
		"From": {m.From}, "To": {m.To}, "Body": {m.Body}, "NumMedia": {strconv.Itoa(len(m.MediaURLs))},
		"NumSegments": {strconv.Itoa(segments(m.Body))}, "SmsStatus": {"received"}, "ApiVersion": {"2010-04-01"},
	}
	for i, u := range m.MediaURLs {
		p.Set("MediaUrl"+strconv.Itoa(i), u)
		p.Set("MediaContentType"+strconv.Itoa(i), contentType(u))
	}
	return p
}

// contentType guesses an attachment's type from its URL, as Twilio would know it from the file.
func contentType(raw string) string {
	u, err := url.Parse(raw)
	if err == nil {
		if t := mime.TypeByExtension(path.Ext(u.Path)); t != "" {
			return t
		}
	}
	return "image/jpeg"
}
