package twiliotest

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/openteli/teli/internal/phone"
)

// Message is a message the fake holds, outbound (accepted by the API) or inbound (sent with
// SendInbound).
type Message struct {
	// Sid is SM (or MM, with media) + 32 hex digits; AccountSID the owning account.
	Sid, AccountSID string
	// From, To, Body and MediaURLs are as sent.
	From, To, Body string
	MediaURLs      []string
	// StatusCallback is the URL the create request named, "" if none.
	StatusCallback string
	// Direction is "outbound-api" or "inbound".
	Direction string
	// Status and ErrorCode are where the message ends up: the last final step of its script
	// (or the last step when none is final). The create response itself always says queued.
	Status    string
	ErrorCode int
	// DateCreated is when the API accepted it; DateSent when it left Twilio (zero if never).
	DateCreated, DateSent time.Time
}

// maxBody is Twilio's limit on a message body, in characters.
const maxBody = 1600

// create implements CreateMessage, validating like Twilio in Twilio's order.
func (s *Server) create(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeError(w, http.StatusBadRequest, 20001, "Invalid request body")
		return
	}
	f := r.PostForm
	m := &Message{
		AccountSID: s.AccountSID, From: f.Get("From"), To: f.Get("To"), Body: f.Get("Body"),
		MediaURLs: f["MediaUrl"], StatusCallback: f.Get("StatusCallback"), Direction: "outbound-api",
	}
	if code, msg := s.refuse(m); code != 0 {
		writeError(w, http.StatusBadRequest, code, msg)
		return
	}
	script := s.accept(m)
	calls := s.callbacksFor(m, script)
	if s.mode == CallbacksSync {
		s.deliverAll(calls)
	}
	queued := *m
	queued.Status, queued.ErrorCode, queued.DateSent = "queued", 0, time.Time{}
	writeJSON(w, http.StatusCreated, render(&queued))
	switch s.mode {
	case CallbacksAsync:
		go func() {
			s.deliverAll(calls)
			s.mu.Lock()
			s.inflight--
			if s.inflight == 0 {
				s.idle.Broadcast()
			}
			s.mu.Unlock()
		}()
	case CallbacksManual:
		s.mu.Lock()
		s.pending = append(s.pending, calls...)
		s.mu.Unlock()
	}
}

// refuse returns Twilio's error code and text for a create request it would reject.
func (s *Server) refuse(m *Message) (int, string) {
	switch {
	case m.To == "":
		return 21604, "A 'To' phone number is required."
	case m.From == "":
		return 21603, "A 'From' phone number is required."
	case m.Body == "" && len(m.MediaURLs) == 0:
		return 21602, "Message body is required."
	case utf8.RuneCountInString(m.Body) > maxBody:
		return 21617, "The concatenated message body exceeds the 1600 character limit."
	case !phone.IsE164(m.To) || m.To == m.From:
		return 21211, fmt.Sprintf("The 'To' number %s is not a valid phone number.", m.To)
	case len(s.numbers) > 0 && !s.numbers[m.From], len(s.numbers) == 0 && !phone.IsE164(m.From):
		return 21606, fmt.Sprintf("The From phone number %s is not a valid, SMS-capable inbound phone number or short code for your account.", m.From)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.unsubscribed[pair{m.From, m.To}] {
		return 21610, "Attempt to send to unsubscribed recipient"
	}
	return 0, ""
}

// accept assigns the sid, settles the message's final state from its script, and stores it.
func (s *Server) accept(m *Message) []Step {
	s.mu.Lock()
	defer s.mu.Unlock()
	script := s.scripts[m.To]
	if script == nil {
		script = s.scripts[""]
	}
	m.Sid = s.nextSid(len(m.MediaURLs) > 0)
	if s.mode == CallbacksAsync {
		s.inflight++
	}
	m.DateCreated = s.clock.Now().UTC().Truncate(time.Second)
	m.Status, m.ErrorCode = outcome(script)
	if m.Status != "queued" && m.Status != "failed" && m.Status != "canceled" {
		m.DateSent = m.DateCreated // left Twilio at once: the fake has no queue
	}
	s.store(m)
	return slices.Clone(script)
}

// nextSid mints SM (or MM for media) + 32 hex digits from a counter, so sids are predictable.
func (s *Server) nextSid(mms bool) string {
	s.seq++
	if mms {
		return fmt.Sprintf("MM%032x", s.seq)
	}
	return fmt.Sprintf("SM%032x", s.seq)
}

func (s *Server) store(m *Message) {
	s.messages = append(s.messages, m)
	s.bySid[m.Sid] = m
}

// fetch implements FetchMessage.
func (s *Server) fetch(w http.ResponseWriter, r *http.Request) {
	sid, ok := strings.CutSuffix(r.PathValue("file"), ".json")
	s.mu.Lock()
	m, found := s.bySid[sid]
	var snapshot Message
	if found {
		snapshot = *m
	}
	s.mu.Unlock()
	if !ok || !found {
		writeError(w, http.StatusNotFound, 20404, "The requested resource "+r.URL.Path+" was not found")
		return
	}
	writeJSON(w, http.StatusOK, render(&snapshot))
}

// Messages returns copies of every message the fake holds, oldest first.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Message, 0, len(s.messages))
	for _, m := range s.messages {
		c := *m
		c.MediaURLs = slices.Clone(m.MediaURLs)
		out = append(out, c)
	}
	return out
}

// render is the Message resource JSON: RFC 2822 dates in GMT, counts as strings, error_code an
// integer or null.
func render(m *Message) map[string]any {
	uri := "/2010-04-01/Accounts/" + m.AccountSID + "/Messages/" + m.Sid
	var errorCode, errorMessage any
	if m.ErrorCode != 0 {
		errorCode, errorMessage = m.ErrorCode, fmt.Sprintf("Error %d", m.ErrorCode)
	}
	return map[string]any{
		"account_sid": m.AccountSID, "api_version": "2010-04-01", "body": m.Body,
		"date_created": rfc2822(m.DateCreated), "date_sent": rfc2822(m.DateSent),
		"date_updated": rfc2822(m.DateCreated), "direction": m.Direction,
		"error_code": errorCode, "error_message": errorMessage, "from": m.From,
		"messaging_service_sid": nil, "num_media": fmt.Sprint(len(m.MediaURLs)),
		"num_segments": fmt.Sprint(segments(m.Body)), "price": nil, "price_unit": "USD",
		"sid": m.Sid, "status": m.Status, "to": m.To, "uri": uri + ".json",
		"subresource_uris": map[string]string{"media": uri + "/Media.json"},
	}
}

// rfc2822 formats t as Twilio does ("Thu, 30 Jul 2015 20:12:31 +0000"), or null when zero.
func rfc2822(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(time.RFC1123Z)
}

// segments approximates Twilio's count: 160 characters fit one GSM-7 segment, 153 each when
// split. (UCS-2 bodies would split sooner; nothing in Teli reads this field.)
func segments(body string) int {
	n := utf8.RuneCountInString(body)
	if n <= 160 {
		return 1
	}
	return (n + 152) / 153
}
