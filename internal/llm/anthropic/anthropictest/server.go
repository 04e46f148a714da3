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
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/openteli/teli/internal/llm/internal/llmfake"
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
	fake llmfake.Server[MessagesRequest, Reply]
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
	s.URL = s.fake.Start(tb, s.routes())
	return s
}

// Close stops the server, interrupting delayed answers. Safe to call twice.
func (s *Server) Close() { s.fake.Close() }

// Push queues replies; each request that passes validation takes the next one, and the
// Handler (or DefaultReply) answers once the queue is empty.
func (s *Server) Push(replies ...Reply) { s.fake.Push(replies...) }

// Requests returns every request received so far, in arrival order.
func (s *Server) Requests() []Request {
	var out []Request
	for _, r := range s.fake.Requests() {
		out = append(out, Request{Method: r.Method, Path: r.Path, Header: r.Header, Body: r.Body, Messages: r.Decoded, Status: r.Status})
	}
	return out
}

// Completed counts the requests answered with a complete message.
func (s *Server) Completed() int { return s.fake.Completed() }

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/messages", s.messages)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		i := s.fake.Record(r, nil)
		s.fake.Fail(w, i, APIError(http.StatusNotFound, "not_found_error", "Not Found"))
	})
	return mux
}

func (s *Server) messages(w http.ResponseWriter, r *http.Request) {
	i, req, ok := s.fake.Accept(w, r, s.checkHeaders, decodeRequest,
		func(req *MessagesRequest) *Fault { return req.validate(s.opts.Models) })
	if !ok {
		return
	}
	reply := s.fake.Next(req, s.handler)
	if !s.fake.Hold(w, r, i, s.opts.Latency+reply.Delay, reply.Error, reply.StreamError, req.Stream) {
		return
	}
	id := fmt.Sprintf("anthropictest%011d", s.fake.Seq())
	w.Header().Set("Request-Id", "req_"+id)
	if req.Stream {
		s.fake.Finish(i, llmfake.StreamStatus(reply.StreamError))
		writeStream(w, req, reply, id)
		return
	}
	msg, err := message(req, reply, id)
	if err != nil {
		s.fake.Fail(w, i, APIError(http.StatusInternalServerError, "api_error", err.Error()))
		return
	}
	s.fake.Finish(i, http.StatusOK)
	llmfake.WriteJSON(w, http.StatusOK, msg)
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

// handler answers a request once the queue is empty.
func (s *Server) handler(req *MessagesRequest) Reply {
	if s.opts.Handler != nil {
		return s.opts.Handler(req)
	}
	return DefaultReply(req)
}
