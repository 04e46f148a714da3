// Package twiliotest is an in-process fake of Twilio Programmable Messaging, faithful to the
// wire contract Teli relies on (spec/contracts.md §1): the Messages REST API with Basic auth,
// Twilio's validation and error bodies, message JSON, signed status callbacks and signed
// inbound webhooks. Tests of the twilio adapter use it, and so do end-to-end tests that boot
// Teli against it.
//
// It is Twilio's side of the wire and deliberately shares no code with the adapter, so a
// misreading of the protocol in one is caught by the other (the signature test vectors from
// the contract are checked against both).
//
// What it does not model: Messaging Services, scheduling, Twilio's automatic replies to
// STOP/START/HELP (the opt-out block itself is modelled), and message update/delete.
package twiliotest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/openteli/teli/internal/clock"
	"github.com/openteli/teli/internal/teli"
)

// Default credentials, used when Options leaves them empty.
const (
	DefaultAccountSID = "AC0123456789abcdef0123456789abcdef"
	DefaultAuthToken  = "twiliotest-auth-token"
)

// CallbackMode says when status callbacks are posted.
type CallbackMode int

const (
	// CallbacksAsync posts a message's callbacks in order on a background goroutine started as
	// the create request is answered, like Twilio. Wait blocks until they are done.
	CallbacksAsync CallbackMode = iota
	// CallbacksSync posts them before the create request is answered, so they have all been
	// delivered (and have beaten the API response, as they can in production) when Send returns.
	CallbacksSync
	// CallbacksManual holds them until DeliverCallbacks.
	CallbacksManual
)

// Options configures a Server. The zero value is usable.
type Options struct {
	// AccountSID and AuthToken are the accepted credentials; DefaultAccountSID and
	// DefaultAuthToken when empty. AuthToken also signs webhooks.
	AccountSID, AuthToken string
	// Numbers, when set, are the account's phone numbers: a From outside them is refused with
	// 21606. When empty, any valid E.164 From is accepted.
	Numbers []string
	// Callbacks selects when status callbacks are posted.
	Callbacks CallbackMode
	// InboundURL is where SendInbound posts; it can be set later with SetInboundURL.
	InboundURL string
	// Clock dates messages; the system clock when nil.
	Clock teli.Clock
}

// Server is the fake Twilio. Its methods are safe for concurrent use.
type Server struct {
	// URL is the fake's base URL, for the adapter's Config.BaseURL.
	URL string
	// AccountSID and AuthToken are the credentials the fake accepts (read-only).
	AccountSID, AuthToken string

	numbers map[string]bool
	mode    CallbackMode
	clock   teli.Clock
	client  *http.Client
	srv     *httptest.Server

	mu sync.Mutex
	// inflight counts accepted messages whose background callbacks (CallbacksAsync) are not
	// done; it is raised when the message is stored, under mu, so Wait never misses one that
	// Messages already shows. idle is signalled when it falls to zero.
	inflight     int
	idle         *sync.Cond
	seq          int
	messages     []*Message
	bySid        map[string]*Message
	unsubscribed map[pair]bool
	faults       []Fault
	scripts      map[string][]Step
	pending      []callback
	deliveries   []Delivery
	inboundURL   string
}

// pair is a sender → recipient direction, the unit of Twilio's opt-out block.
type pair struct{ from, to string }

// Fault is a canned error answer for one API request.
type Fault struct {
	// HTTPStatus is the response status (429, 500 …).
	HTTPStatus int
	// Code and Message fill Twilio's error body.
	Code    int
	Message string
	// RetryAfter, when positive, is sent as a Retry-After header in whole seconds.
	RetryAfter time.Duration
}

// New starts a fake Twilio; it is closed when tb's test ends.
func New(tb testing.TB, o Options) *Server {
	tb.Helper()
	s := &Server{
		AccountSID:   orDefault(o.AccountSID, DefaultAccountSID),
		AuthToken:    orDefault(o.AuthToken, DefaultAuthToken),
		numbers:      map[string]bool{},
		mode:         o.Callbacks,
		clock:        o.Clock,
		client:       &http.Client{Timeout: 10 * time.Second},
		bySid:        map[string]*Message{},
		unsubscribed: map[pair]bool{},
		scripts:      map[string][]Step{"": DefaultScript()},
		inboundURL:   o.InboundURL,
	}
	s.idle = sync.NewCond(&s.mu)
	if s.clock == nil {
		s.clock = clock.System{}
	}
	for _, n := range o.Numbers {
		s.numbers[n] = true
	}
	s.srv = httptest.NewServer(s.routes())
	s.URL = s.srv.URL
	tb.Cleanup(s.Close)
	return s
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// Close waits for callbacks in flight and stops the server. It is safe to call twice.
func (s *Server) Close() {
	// Requests being handled finish first (they may start callbacks), then the callbacks.
	s.srv.Close()
	s.Wait()
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	const base = "/2010-04-01/Accounts/{account}/Messages"
	mux.HandleFunc("POST "+base+".json", s.api(s.create))
	mux.HandleFunc("GET "+base+".json", s.api(s.list))
	mux.HandleFunc("GET "+base+"/{file}", s.api(s.fetch))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, 20404, "The requested resource "+r.URL.Path+" was not found")
	})
	return mux
}

// api wraps a handler with what every Twilio API request goes through: Basic auth, the
// account in the path, and any queued fault.
func (s *Server) api(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		user, pass, ok := r.BasicAuth()
		if !ok || user != s.AccountSID || pass != s.AuthToken {
			w.Header().Set("WWW-Authenticate", `Basic realm="Twilio API"`)
			writeError(w, http.StatusUnauthorized, 20003, "Authenticate")
			return
		}
		if r.PathValue("account") != s.AccountSID {
			writeError(w, http.StatusNotFound, 20404, "The requested resource "+r.URL.Path+" was not found")
			return
		}
		if f, ok := s.popFault(); ok {
			if f.RetryAfter > 0 {
				w.Header().Set("Retry-After", strconv.Itoa(int(f.RetryAfter.Round(time.Second)/time.Second)))
			}
			writeError(w, f.HTTPStatus, f.Code, f.Message)
			return
		}
		h(w, r)
	}
}

// FailNext makes the next n API requests (of any kind) answer with f.
func (s *Server) FailNext(n int, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.faults = append(s.faults, f)
	}
}

// ThrottleNext makes the next n API requests answer 429 with Twilio's 20429, and a Retry-After
// header when retryAfter is positive.
func (s *Server) ThrottleNext(n int, retryAfter time.Duration) {
	s.FailNext(n, Fault{HTTPStatus: http.StatusTooManyRequests, Code: 20429, Message: "Too Many Requests", RetryAfter: retryAfter})
}

// ServerErrorNext makes the next n API requests answer 500.
func (s *Server) ServerErrorNext(n int) {
	s.FailNext(n, Fault{HTTPStatus: http.StatusInternalServerError, Code: 20500, Message: "Internal Server Error"})
}

func (s *Server) popFault() (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.faults) == 0 {
		return Fault{}, false
	}
	f := s.faults[0]
	s.faults = s.faults[1:]
	return f, true
}

// Unsubscribe blocks sends from Twilio number from to recipient to, as a STOP from to would:
// later sends on that pair fail with 21610.
func (s *Server) Unsubscribe(from, to string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.unsubscribed[pair{from, to}] = true
}

// Resubscribe lifts the block, as a START would.
func (s *Server) Resubscribe(from, to string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.unsubscribed, pair{from, to})
}

// writeError writes Twilio's JSON error body.
func writeError(w http.ResponseWriter, status, code int, message string) {
	writeJSON(w, status, map[string]any{
		"code":      code,
		"message":   message,
		"more_info": "https://www.twilio.com/docs/errors/" + strconv.Itoa(code),
		"status":    status,
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // the client hung up; nothing to do
}
