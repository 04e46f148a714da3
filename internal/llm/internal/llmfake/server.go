// Package llmfake is the half of the in-process LLM API fakes (openaitest, anthropictest)
// that no wire protocol decides: an httptest server, the log of the requests it received with
// the status each was answered with, the queue of scripted replies, error answers as a status,
// headers and a raw body, and the writing of JSON bodies and server-sent events.
//
// Each fake keeps its protocol (routes, authentication, request validation, bodies, event
// names) in its own package. The adapters never import this package, so a fake still shares no
// code with the client it checks.
package llmfake

import (
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"
)

// Server is a fake's server and its state. Q is the fake's decoded request type, R its reply
// type. The zero value is ready for Start; its methods are safe for concurrent use.
type Server[Q, R any] struct {
	srv *httptest.Server

	mu       sync.Mutex
	queue    []R
	requests []Request[Q]
	seq      int
}

// Request is one HTTP request as a fake received it.
type Request[Q any] struct {
	Method, Path string
	Header       http.Header
	// Body is the raw request body.
	Body []byte
	// Decoded is the decoded request; nil when the body did not decode or the request was for
	// another endpoint.
	Decoded *Q
	// Status is the HTTP status answered; for a stream that ended in an error event, that
	// error's status. 0 when the client went away before the answer.
	Status int
}

// Start serves h and returns the server's root URL ("http://127.0.0.1:PORT"); the server is
// closed when tb's test ends.
func (s *Server[Q, R]) Start(tb testing.TB, h http.Handler) string {
	tb.Helper()
	s.srv = httptest.NewServer(h)
	tb.Cleanup(s.Close)
	return s.srv.URL
}

// Close stops the server, interrupting answers that are being delayed. Safe to call twice.
func (s *Server[Q, R]) Close() {
	s.srv.CloseClientConnections()
	s.srv.Close()
}

// Push queues replies, which Next hands out in order.
func (s *Server[Q, R]) Push(replies ...R) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queue = append(s.queue, replies...)
}

// Next pops the queue, or, once it is empty, asks answer, outside the lock so that answer may
// block or call the server.
func (s *Server[Q, R]) Next(req *Q, answer func(*Q) R) R {
	s.mu.Lock()
	if len(s.queue) > 0 {
		r := s.queue[0]
		s.queue = s.queue[1:]
		s.mu.Unlock()
		return r
	}
	s.mu.Unlock()
	return answer(req)
}

// Requests returns every request received so far, in arrival order.
func (s *Server[Q, R]) Requests() []Request[Q] {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// Completed counts the requests answered with status 200 (for a stream: one that did not end
// in an error event).
func (s *Server[Q, R]) Completed() int {
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

// Seq returns the next number of a sequence that starts at 1, for the ids of answers.
func (s *Server[Q, R]) Seq() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	return s.seq
}

// Record logs a request and returns its index, for Finish.
func (s *Server[Q, R]) Record(r *http.Request, body []byte) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, Request[Q]{Method: r.Method, Path: r.URL.Path,
		Header: r.Header.Clone(), Body: body})
	return len(s.requests) - 1
}

// Finish records the status request i is answered with. Call it before the answer is
// written, so a client that has read the answer always finds it recorded.
func (s *Server[Q, R]) Finish(i, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests[i].Status = status
}

// Fail records f's status for request i and answers with f.
func (s *Server[Q, R]) Fail(w http.ResponseWriter, i int, f Fault) {
	s.Finish(i, f.Status)
	WriteFault(w, f)
}

// Accept reads and records a request, then applies a protocol's checks in order: check to
// the HTTP request, decode to its body, validate to the decoded request. The first fault is
// the answer and ok is false; otherwise the decoded request is recorded and returned with its
// index.
func (s *Server[Q, R]) Accept(w http.ResponseWriter, r *http.Request, check func(*http.Request) *Fault,
	decode func([]byte) (*Q, *Fault), validate func(*Q) *Fault) (i int, req *Q, ok bool) {
	body, _ := io.ReadAll(r.Body)
	i = s.Record(r, body)
	if f := check(r); f != nil {
		s.Fail(w, i, *f)
		return i, nil, false
	}
	req, f := decode(body)
	if f != nil {
		s.Fail(w, i, *f)
		return i, nil, false
	}
	s.mu.Lock()
	s.requests[i].Decoded = req
	s.mu.Unlock()
	if f := validate(req); f != nil {
		s.Fail(w, i, *f)
		return i, req, false
	}
	return i, req, true
}

// Hold delays the answer to request i by d, then answers with fail, a reply's error, when it
// is not nil, or, for a request that is not streamed, with streamEnd, the error its stream
// would have ended with. It reports whether the caller is still to answer: false once an
// error is written, or when the client went away during the delay (recorded as status 0).
func (s *Server[Q, R]) Hold(w http.ResponseWriter, r *http.Request, i int, d time.Duration,
	fail, streamEnd *Fault, stream bool) bool {
	if fail == nil && !stream {
		fail = streamEnd
	}
	if !wait(r, d) {
		s.Finish(i, 0)
		return false
	}
	if fail != nil {
		s.Fail(w, i, *fail)
		return false
	}
	return true
}

// wait sleeps d, or until the client goes away; it reports whether to go on answering.
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
