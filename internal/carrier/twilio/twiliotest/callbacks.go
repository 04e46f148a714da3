package twiliotest

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Step is one status callback in a message's script.
type Step struct {
	// Status is the MessageStatus posted ("sent", "failed" …).
	Status string
	// ErrorCode, when not zero, is posted as ErrorCode (30003 for an unreachable handset, say).
	ErrorCode int
}

// DefaultScript is what a message goes through unless SetScript says otherwise:
// queued → sent → delivered.
func DefaultScript() []Step {
	return []Step{{Status: "queued"}, {Status: "sent"}, {Status: "delivered"}}
}

// SetScript sets the status callbacks posted for messages later sent to recipient to, in order;
// to == "" sets the default for everyone else. Scripts can fail a message
// ({queued} {failed 30003}), repeat a step, or put steps out of order ({delivered} {sent}).
// An empty script posts no callbacks and leaves the message queued.
func (s *Server) SetScript(to string, steps ...Step) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.scripts[to] = slices.Clone(steps)
	if s.scripts[to] == nil {
		s.scripts[to] = []Step{}
	}
}

// finalStatuses end a message's life at Twilio.
var finalStatuses = map[string]bool{"delivered": true, "undelivered": true, "failed": true, "canceled": true}

// outcome is where a script leaves the message: its last final step, else its last step.
func outcome(script []Step) (string, int) {
	for i := len(script) - 1; i >= 0; i-- {
		if finalStatuses[script[i].Status] {
			return script[i].Status, script[i].ErrorCode
		}
	}
	if len(script) == 0 {
		return "queued", 0
	}
	last := script[len(script)-1]
	return last.Status, last.ErrorCode
}

// callback is one signed POST waiting to be made.
type callback struct {
	url    string
	params url.Values
}

// Delivery records one webhook the fake posted and how the receiver answered.
type Delivery struct {
	// URL and Params are what was posted (signed with the account's auth token).
	URL    string
	Params url.Values
	// StatusCode, ContentType and Body are the receiver's answer; StatusCode is 0 when the
	// request failed, and Err says why.
	StatusCode  int
	ContentType string
	Body        string
	Err         error
}

// callbacksFor builds m's status callbacks; none when the create request named no URL.
func (s *Server) callbacksFor(m *Message, script []Step) []callback {
	if m.StatusCallback == "" {
		return nil
	}
	out := make([]callback, 0, len(script))
	for _, st := range script {
		out = append(out, callback{url: m.StatusCallback, params: s.statusParams(m, st)})
	}
	return out
}

// statusParams are the parameters of a status callback. ErrorCode is only sent with an error,
// RawDlrDoneDate only with a carrier verdict, as Twilio does.
func (s *Server) statusParams(m *Message, st Step) url.Values {
	p := url.Values{
		"AccountSid": {m.AccountSID}, "ApiVersion": {"2010-04-01"}, "From": {m.From}, "To": {m.To},
		"MessageSid": {m.Sid}, "SmsSid": {m.Sid}, "MessageStatus": {st.Status}, "SmsStatus": {st.Status},
	}
	if st.ErrorCode != 0 {
		p.Set("ErrorCode", strconv.Itoa(st.ErrorCode))
	}
	if st.Status == "delivered" || st.Status == "undelivered" {
		p.Set("RawDlrDoneDate", s.clock.Now().UTC().Format("0601021504"))
	}
	return p
}

// StatusRequest builds a signed status callback to callbackURL for the message with sid (the
// message need not exist: its From and To are then left out), for tests that post callbacks
// themselves — to tamper with them, say.
func (s *Server) StatusRequest(callbackURL, sid string, st Step) (*http.Request, error) {
	s.mu.Lock()
	m := Message{Sid: sid, AccountSID: s.AccountSID}
	if known, ok := s.bySid[sid]; ok {
		m = *known
	}
	s.mu.Unlock()
	p := s.statusParams(&m, st)
	if m.From == "" {
		p.Del("From")
		p.Del("To")
	}
	return s.signedPost(callbackURL, p)
}

// DeliverCallbacks posts the callbacks held in CallbacksManual mode, in order, and returns how
// each was answered.
func (s *Server) DeliverCallbacks() []Delivery {
	s.mu.Lock()
	calls := s.pending
	s.pending = nil
	s.mu.Unlock()
	return s.deliverAll(calls)
}

// Wait blocks until the background callbacks (CallbacksAsync) of every message accepted so far
// are done.
func (s *Server) Wait() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for s.inflight > 0 {
		s.idle.Wait()
	}
}

// Deliveries returns every webhook the fake has posted so far, in order of completion.
func (s *Server) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.deliveries)
}

func (s *Server) deliverAll(calls []callback) []Delivery {
	out := make([]Delivery, 0, len(calls))
	for _, c := range calls {
		out = append(out, s.post(c.url, c.params))
	}
	return out
}

// post makes one signed form POST and records the answer.
func (s *Server) post(target string, params url.Values) Delivery {
	d := Delivery{URL: target, Params: params}
	req, err := s.signedPost(target, params)
	if err == nil {
		var resp *http.Response
		if resp, err = s.client.Do(req); err == nil {
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
			_ = resp.Body.Close()
			d.StatusCode, d.ContentType, d.Body = resp.StatusCode, resp.Header.Get("Content-Type"), string(body)
		}
	}
	d.Err = err
	s.mu.Lock()
	s.deliveries = append(s.deliveries, d)
	s.mu.Unlock()
	return d
}

// signedPost builds a form POST to target carrying X-Twilio-Signature, as Twilio sends webhooks.
func (s *Server) signedPost(target string, params url.Values) (*http.Request, error) {
	req, err := http.NewRequest(http.MethodPost, target, strings.NewReader(params.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("User-Agent", "TwilioProxy/1.1")
	req.Header.Set("X-Twilio-Signature", Sign(s.AuthToken, target, params))
	return req, nil
}

// Sign computes X-Twilio-Signature as Twilio does: base64(HMAC-SHA1(authToken, fullURL followed
// by each parameter's name and value, parameters sorted by name)).
func Sign(authToken, fullURL string, params url.Values) string {
	names := make([]string, 0, len(params))
	for name := range params {
		names = append(names, name)
	}
	sort.Strings(names)
	mac := hmac.New(sha1.New, []byte(authToken))
	_, _ = io.WriteString(mac, fullURL)
	for _, name := range names {
		for _, v := range params[name] {
			_, _ = io.WriteString(mac, name+v)
		}
	}
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}
