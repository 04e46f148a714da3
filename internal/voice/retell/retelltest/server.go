// Package retelltest is an in-process fake of Retell AI's REST API and webhooks, for testing
// the retell adapter (and whatever is built on it) over real HTTP.
//
// It serves the endpoints Teli uses: create/get/update/delete of Retell LLMs, agents and phone
// numbers, POST /v2/create-phone-call, GET /v2/get-call/{id} and POST /v2/list-calls. It keeps
// state in memory, checks the Bearer key (401), refuses what Retell refuses (missing required
// fields → 400, unknown ids → 404) with Retell's {"status":"error","message":…} body, and
// signs the webhooks it sends as Retell does. A test can inject failures, drive a call through
// its life, and read back everything the fake holds.
package retelltest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// Server is a fake Retell. Its methods are safe for concurrent use.
type Server struct {
	// APIKey is the key every request must carry as "Authorization: Bearer <key>", and the key
	// webhooks are signed with unless SetWebhookKey chose another. Set by New; read-only.
	APIKey string

	srv    *httptest.Server
	mux    *http.ServeMux
	closed chan struct{}
	once   sync.Once

	mu             sync.Mutex
	webhookKey     string
	now            func() time.Time
	seq            int
	llms           map[string]map[string]any
	agents         map[string]map[string]any
	numbers        map[string]*Number
	calls          map[string]*callState
	order          []string
	faults         []*fault
	requests       []Request
	metadataFilter bool
}

// Request is one request the fake received, as it arrived.
type Request struct {
	Method string
	Path   string
	Header http.Header
	Body   []byte
}

// Fault is what an injected failure does to a request.
type Fault struct {
	// Status answers with this status (500 when zero) and Retell's error body: Message, or
	// Retell's usual message for the status.
	Status  int
	Message string
	// Drop closes the connection without an answer.
	Drop bool
	// Hang holds the request unanswered until the client gives up (or the fake is closed).
	Hang bool
	// After lets the request take effect first: what it creates is created, and then its
	// answer is replaced by the fault. That is a request whose outcome the client cannot know.
	After bool
}

type fault struct {
	path string
	left int
	f    Fault
}

// New starts a fake Retell on a loopback port. Close it when done.
func New() *Server {
	s := &Server{
		APIKey:         "key_fake0retell0api0key0000",
		closed:         make(chan struct{}),
		now:            time.Now,
		llms:           map[string]map[string]any{},
		agents:         map[string]map[string]any{},
		numbers:        map[string]*Number{},
		calls:          map[string]*callState{},
		metadataFilter: true,
	}
	s.webhookKey = s.APIKey
	s.mux = http.NewServeMux()
	s.routes()
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// URL is the fake's base URL, the adapter's BaseURL.
func (s *Server) URL() string { return s.srv.URL }

// Close stops the fake, releasing any request held by a Hang fault.
func (s *Server) Close() {
	s.once.Do(func() { close(s.closed) })
	s.srv.Close()
}

// SetClock replaces the fake's clock (timestamps of calls and of webhook signatures).
func (s *Server) SetClock(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = now
}

// SetWebhookKey makes the fake sign webhooks with key instead of APIKey.
func (s *Server) SetWebhookKey(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.webhookKey = key
}

// SetMetadataFilter turns list-calls' metadata filter on (the default) or off. Off, the filter
// is ignored and every call matching the other criteria is listed, to test a client that must
// not trust the filter alone.
func (s *Server) SetMetadataFilter(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.metadataFilter = on
}

// Inject makes the next n requests to path fail as f says. A path ending in "/" matches every
// path under it ("/delete-agent/"); any other must match exactly ("/v2/create-phone-call").
func (s *Server) Inject(path string, n int, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &fault{path: path, left: n, f: f})
}

// FailNext answers the next n requests to path with status, without acting on them.
func (s *Server) FailNext(path string, n, status int) { s.Inject(path, n, Fault{Status: status}) }

// DropNext acts on the next n requests to path, then drops their connections unanswered.
func (s *Server) DropNext(path string, n int) { s.Inject(path, n, Fault{Drop: true, After: true}) }

// Requests returns every request received so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// Count is how many requests with method were made to path (matched as in Inject).
func (s *Server) Count(method, path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.requests {
		if r.Method == method && pathMatches(path, r.Path) {
			n++
		}
	}
	return n
}

func pathMatches(pattern, path string) bool {
	if strings.HasSuffix(pattern, "/") {
		return strings.HasPrefix(path, pattern)
	}
	return pattern == path
}

// serve authenticates, records and applies faults before routing.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeError(w, http.StatusBadRequest, "")
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))

	s.mu.Lock()
	s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Body: body})
	var f *Fault
	authorized := r.Header.Get("Authorization") == "Bearer "+s.APIKey
	if authorized {
		for _, ft := range s.faults {
			if ft.left > 0 && pathMatches(ft.path, r.URL.Path) {
				ft.left--
				fc := ft.f
				f = &fc
				break
			}
		}
	}
	s.mu.Unlock()

	if !authorized {
		writeError(w, http.StatusUnauthorized, "")
		return
	}
	if f == nil {
		s.mux.ServeHTTP(w, r)
		return
	}
	if f.After {
		// Acting on the request into a recorder changes the state; the recorded answer is what
		// the client never gets.
		s.mux.ServeHTTP(httptest.NewRecorder(), r)
	}
	switch {
	case f.Drop:
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return
			}
		}
		panic(http.ErrAbortHandler)
	case f.Hang:
		select {
		case <-r.Context().Done():
		case <-s.closed:
		}
	default:
		status := f.Status
		if status == 0 {
			status = http.StatusInternalServerError
		}
		writeError(w, status, f.Message)
	}
}

// messages are Retell's documented messages for its error statuses.
var messages = map[int]string{
	400: "Invalid request format, please check API reference.",
	401: "API key is missing or invalid.",
	402: "Trial has ended, please add payment method.",
	403: "Forbidden",
	404: "The requested resource was not found.",
	422: "Cannot find requested asset under given api key.",
	429: "Account rate limited, please throttle your requests.",
	500: "An unexpected server error occurred.",
}

// writeError writes Retell's error body.
func writeError(w http.ResponseWriter, status int, msg string) {
	if msg == "" {
		msg = messages[status]
	}
	if msg == "" {
		msg = http.StatusText(status)
	}
	writeJSON(w, status, map[string]string{"status": "error", "message": msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
}

// reqError is a refusal: its status and message.
type reqError struct {
	status int
	msg    string
}

func badRequest(msg string) *reqError { return &reqError{http.StatusBadRequest, msg} }
func notFound(msg string) *reqError   { return &reqError{http.StatusNotFound, msg} }

// handle adapts a handler that returns its answer or its refusal.
func handle(h func(r *http.Request, body map[string]json.RawMessage) (int, any, *reqError)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var body map[string]json.RawMessage
		if r.Method == http.MethodPost || r.Method == http.MethodPatch {
			raw, _ := io.ReadAll(r.Body)
			if len(bytes.TrimSpace(raw)) == 0 {
				raw = []byte("{}")
			}
			if err := json.Unmarshal(raw, &body); err != nil || body == nil {
				writeError(w, http.StatusBadRequest, "")
				return
			}
		}
		status, v, rerr := h(r, body)
		if rerr != nil {
			writeError(w, rerr.status, rerr.msg)
			return
		}
		if v == nil {
			w.WriteHeader(status)
			return
		}
		writeJSON(w, status, v)
	}
}

func (s *Server) routes() {
	m := s.mux
	m.Handle("POST /create-retell-llm", handle(s.createLLM))
	m.Handle("GET /get-retell-llm/{id}", handle(s.getLLM))
	m.Handle("PATCH /update-retell-llm/{id}", handle(s.updateLLM))
	m.Handle("DELETE /delete-retell-llm/{id}", handle(s.deleteLLM))
	m.Handle("POST /create-agent", handle(s.createAgent))
	m.Handle("GET /get-agent/{id}", handle(s.getAgent))
	m.Handle("PATCH /update-agent/{id}", handle(s.updateAgent))
	m.Handle("DELETE /delete-agent/{id}", handle(s.deleteAgent))
	m.Handle("POST /create-phone-number", handle(s.createNumber))
	m.Handle("GET /get-phone-number/{number}", handle(s.getNumber))
	m.Handle("PATCH /update-phone-number/{number}", handle(s.updateNumber))
	m.Handle("DELETE /delete-phone-number/{number}", handle(s.deleteNumber))
	m.Handle("POST /v2/create-phone-call", handle(s.createCall))
	m.Handle("GET /v2/get-call/{id}", handle(s.getCall))
	m.Handle("POST /v2/list-calls", handle(s.listCalls))
	m.Handle("/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "")
	}))
}

// nextID returns prefix followed by width hex digits, unique within the fake.
func (s *Server) nextID(prefix string, width int) string {
	s.seq++
	const hex = "0123456789abcdef"
	b := make([]byte, width)
	n := s.seq
	for i := width - 1; i >= 0; i-- {
		b[i] = hex[n%16]
		n /= 16
	}
	return prefix + string(b)
}

// nowMS is the fake's clock in milliseconds since the epoch. The caller holds s.mu.
func (s *Server) nowMS() int64 { return s.now().UnixMilli() }

// clone deep-copies a JSON-shaped value.
func clone[T any](v T) T {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	var out T
	if err := json.Unmarshal(b, &out); err != nil {
		panic(err)
	}
	return out
}

// LLM returns a copy of the Retell LLM with llmID as the API would answer it.
func (s *Server) LLM(llmID string) (map[string]any, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.llms[llmID]
	if !ok {
		return nil, false
	}
	return clone(l), true
}

// Agent returns a copy of the agent with agentID as the API would answer it.
func (s *Server) Agent(agentID string) (map[string]any, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.agents[agentID]
	if !ok {
		return nil, false
	}
	return clone(a), true
}

// LLMIDs lists the LLMs the fake holds, sorted.
func (s *Server) LLMIDs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return sortedKeys(s.llms)
}

// AgentIDs lists the agents the fake holds, sorted.
func (s *Server) AgentIDs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return sortedKeys(s.agents)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
