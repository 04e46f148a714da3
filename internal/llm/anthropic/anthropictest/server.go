// Package anthropictest is an in-process fake of Anthropic's Messages API, faithful to the wire
// contract in spec/contracts.md §3.7: POST /v1/messages with x-api-key and anthropic-version
// headers, the API's request validation (model, max_tokens and messages required, no "system"
// role in messages, tool_use/tool_result pairing), its error envelope
// {"type":"error","error":{…}}, message objects, and streaming with named SSE events
// (message_start … message_stop, ping, error) when the request says stream:true. Tests script
// its answers (a queue of Replies, then a Handler that sees the decoded request), inject errors
// (429 with retry-after, 500, 529 overloaded, 400), add latency, and read back every request.
//
// It is Anthropic's side of the wire and shares no code with the anthropic adapter.
//
// What it does not model: images and documents, extended thinking, server tools, prompt
// caching, batches, token counting and real rate limits (usage is a deterministic estimate).
package anthropictest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"
)

// Options configures a Server. The zero value is usable: any API key, any model, default
// replies, no latency.
type Options struct {
	// APIKey, when set, must arrive as x-api-key; otherwise the fake answers 401. When empty,
	// any non-empty key is accepted (a missing one is still refused, as the real API does).
	APIKey string
	// Models, when set, are the only models served; others get 404 not_found_error.
	Models []string
	// Handler answers requests when the queue (Push) is empty; DefaultReply when nil.
	Handler func(*MessagesRequest) Reply
	// Latency delays every answer (before any byte is written).
	Latency time.Duration
}

// Server is the fake. Its methods are safe for concurrent use.
type Server struct {
	// URL is the API root to configure clients with ("http://127.0.0.1:PORT", no /v1).
	URL string

	opts Options
	srv  *httptest.Server

	mu       sync.Mutex
	queue    []Reply
	requests []Request
	seq      int
}

// Request is one HTTP request as the fake received it.
type Request struct {
	Method, Path string
	Header       http.Header
	// Body is the raw request body.
	Body []byte
	// Messages is the decoded request; nil when the body did not decode.
	Messages *MessagesRequest
	// Status is the HTTP status answered; for a stream that ended in an error event, that
	// error's status. 0 when the client went away first.
	Status int
}

// New starts a fake server; it is closed when tb's test ends.
func New(tb testing.TB, o Options) *Server {
	tb.Helper()
	s := &Server{opts: o}
	s.srv = httptest.NewServer(s.routes())
	s.URL = s.srv.URL
	tb.Cleanup(s.Close)
	return s
}

// Close stops the server, interrupting delayed answers. Safe to call twice.
func (s *Server) Close() {
	s.srv.CloseClientConnections()
	s.srv.Close()
}

// Push queues replies; each request that passes validation takes the next one, and the
// Handler (or DefaultReply) answers once the queue is empty.
func (s *Server) Push(replies ...Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queue = append(s.queue, replies...)
}

// Requests returns every request received so far, in arrival order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// Completed counts the requests answered with a complete message.
func (s *Server) Completed() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.requests {
		if r.Status == http.StatusOK {
			n++
		}
	}
	return n
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/messages", s.messages)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		i := s.record(r, nil)
		s.fail(w, i, APIError(http.StatusNotFound, "not_found_error", "Not Found"))
	})
	return mux
}

func (s *Server) record(r *http.Request, body []byte) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Body: body})
	return len(s.requests) - 1
}

func (s *Server) finish(i, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests[i].Status = status
}

// fail records and writes an error answer.
func (s *Server) fail(w http.ResponseWriter, i int, f Fault) {
	s.finish(i, f.Status)
	writeFault(w, f)
}

func (s *Server) messages(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	i := s.record(r, body)
	if f := s.checkHeaders(r); f != nil {
		s.fail(w, i, *f)
		return
	}
	req, f := decodeRequest(body)
	if f != nil {
		s.fail(w, i, *f)
		return
	}
	s.mu.Lock()
	s.requests[i].Messages = req
	s.mu.Unlock()
	if f := req.validate(s.opts.Models); f != nil {
		s.fail(w, i, *f)
		return
	}
	reply := s.next(req)
	if reply.Error == nil && reply.StreamError != nil && !req.Stream {
		reply.Error = reply.StreamError
	}
	if !wait(r, s.opts.Latency+reply.Delay) {
		s.finish(i, 0)
		return
	}
	if reply.Error != nil {
		s.fail(w, i, *reply.Error)
		return
	}
	id := s.nextID()
	w.Header().Set("Request-Id", "req_"+id)
	if req.Stream {
		status := http.StatusOK
		if reply.StreamError != nil {
			status = reply.StreamError.Status
		}
		s.finish(i, status)
		writeStream(w, req, reply, id)
		return
	}
	msg, err := message(req, reply, id)
	if err != nil {
		s.fail(w, i, APIError(http.StatusInternalServerError, "api_error", err.Error()))
		return
	}
	s.finish(i, http.StatusOK)
	writeJSON(w, http.StatusOK, msg)
}

// checkHeaders applies the API's header rules: an API key, the right one if configured, and
// anthropic-version.
func (s *Server) checkHeaders(r *http.Request) *Fault {
	key := r.Header.Get("X-Api-Key")
	switch {
	case key == "":
		return APIError(http.StatusUnauthorized, "authentication_error", "x-api-key header is required").Ptr()
	case s.opts.APIKey != "" && key != s.opts.APIKey:
		return APIError(http.StatusUnauthorized, "authentication_error", "invalid x-api-key").Ptr()
	case r.Header.Get("Anthropic-Version") == "":
		return APIError(http.StatusBadRequest, "invalid_request_error", "anthropic-version: header is required").Ptr()
	case r.Header.Get("Anthropic-Version") != "2023-06-01" && r.Header.Get("Anthropic-Version") != "2023-01-01":
		return APIError(http.StatusBadRequest, "invalid_request_error",
			fmt.Sprintf("anthropic-version: invalid version %q", r.Header.Get("Anthropic-Version"))).Ptr()
	}
	return nil
}

func (s *Server) next(req *MessagesRequest) Reply {
	s.mu.Lock()
	if len(s.queue) > 0 {
		r := s.queue[0]
		s.queue = s.queue[1:]
		s.mu.Unlock()
		return r
	}
	s.mu.Unlock()
	if s.opts.Handler != nil {
		return s.opts.Handler(req)
	}
	return DefaultReply(req)
}

func (s *Server) nextID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	return fmt.Sprintf("anthropictest%011d", s.seq)
}

func wait(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

func writeFault(w http.ResponseWriter, f Fault) {
	for k, vs := range f.Header {
		w.Header()[k] = vs
	}
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(f.Status)
	_, _ = io.WriteString(w, f.Body)
}
