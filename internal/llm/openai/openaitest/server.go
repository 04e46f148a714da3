// Package openaitest is an in-process fake of an OpenAI-compatible chat-completions server,
// faithful to the wire contract in spec/contracts.md §3: POST /v1/chat/completions with Bearer
// auth, OpenAI's request validation and error bodies, chat.completion objects, and SSE streaming
// (chat.completion.chunk events, an optional usage chunk, data: [DONE]) when the request says
// stream:true. Tests script its answers (a queue of Replies, then a Handler that sees the
// decoded request), inject errors in the shapes of OpenAI, llama.cpp and vLLM, add latency, and
// read back every request it received.
//
// It is the server's side of the wire and shares no code with the openai adapter, so a
// misreading of the protocol in one is caught by the other.
//
// What it does not model: n > 1 choices, logprobs, audio and image content, the legacy
// functions/function_call parameters, and any real rate or token accounting (usage is a
// deterministic estimate).
package openaitest

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/openteli/teli/internal/clock"
	"github.com/openteli/teli/internal/llm/internal/llmfake"
	"github.com/openteli/teli/internal/teli"
)

// Options configures a Server. The zero value is usable: any API key, any model, default
// replies, no latency.
type Options struct {
	// APIKey, when set, must arrive as "Authorization: Bearer <APIKey>"; otherwise the fake
	// answers 401 like OpenAI. When empty any key, or none, is accepted, like a local server.
	APIKey string
	// Models, when set, are the only models served; others get 404 model_not_found.
	Models []string
	// Handler answers requests when the queue (Push) is empty; DefaultReply when nil. It is
	// called from the server's goroutines.
	Handler func(*ChatRequest) Reply
	// Latency delays every answer (before any byte is written).
	Latency time.Duration
	// Clock dates responses ("created"); the system clock when nil.
	Clock teli.Clock
}

// Server is the fake. Its methods are safe for concurrent use.
type Server struct {
	// URL is the API root to configure clients with, including /v1
	// ("http://127.0.0.1:PORT/v1").
	URL string

	opts Options
	fake llmfake.Server[ChatRequest, Reply]
}

// Request is one HTTP request as the fake received it.
type Request struct {
	Method, Path string
	Header       http.Header
	// Body is the raw request body.
	Body []byte
	// Chat is the decoded chat-completions request; nil when the body did not decode or the
	// request was for another endpoint.
	Chat *ChatRequest
	// Status is the HTTP status the fake answered with; for a stream that ended in an error
	// event (Reply.StreamError) it is that error's status, though the stream itself began with
	// 200. It is 0 when the client went away before the answer.
	Status int
}

// New starts a fake server; it is closed when tb's test ends.
func New(tb testing.TB, o Options) *Server {
	tb.Helper()
	if o.Clock == nil {
		o.Clock = clock.System{}
	}
	s := &Server{opts: o}
	s.URL = s.fake.Start(tb, s.routes()) + "/v1"
	return s
}

// Close stops the server, interrupting answers that are being delayed. Safe to call twice.
func (s *Server) Close() { s.fake.Close() }

// Push queues replies; each request that passes validation takes the next one, and the
// Handler (or DefaultReply) answers once the queue is empty.
func (s *Server) Push(replies ...Reply) { s.fake.Push(replies...) }

// Requests returns every request received so far, in arrival order.
func (s *Server) Requests() []Request {
	var out []Request
	for _, r := range s.fake.Requests() {
		out = append(out, Request{Method: r.Method, Path: r.Path, Header: r.Header, Body: r.Body, Chat: r.Decoded, Status: r.Status})
	}
	return out
}

// Completed counts the requests answered with a complete chat completion (status 200 and, for
// a stream, no error event).
func (s *Server) Completed() int { return s.fake.Completed() }

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/chat/completions", s.completions)
	mux.HandleFunc("GET /v1/models", s.models)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		i := s.fake.Record(r, nil)
		s.fake.Fail(w, i, apiError(http.StatusNotFound, "invalid_request_error", "",
			fmt.Sprintf("Invalid URL (%s %s)", r.Method, r.URL.Path)))
	})
	return mux
}

func (s *Server) completions(w http.ResponseWriter, r *http.Request) {
	i, req, ok := s.fake.Accept(w, r, s.authorize, decodeChatRequest,
		func(req *ChatRequest) *Fault { return req.validate(s.opts.Models) })
	if !ok {
		return
	}
	reply := s.fake.Next(req, s.handler)
	if !s.fake.Hold(w, r, i, s.opts.Latency+reply.Delay, reply.Error, reply.StreamError, req.Stream) {
		return
	}
	id := fmt.Sprintf("chatcmpl-openaitest%06d", s.fake.Seq())
	created := s.opts.Clock.Now().Unix()
	if req.Stream {
		s.fake.Finish(i, llmfake.StreamStatus(reply.StreamError))
		writeStream(w, req, reply, id, created)
		return
	}
	s.fake.Finish(i, http.StatusOK)
	llmfake.WriteJSON(w, http.StatusOK, completion(req, reply, id, created))
}

// handler answers a request once the queue is empty.
func (s *Server) handler(req *ChatRequest) Reply {
	if s.opts.Handler != nil {
		return s.opts.Handler(req)
	}
	return DefaultReply(req)
}

// authorize checks the Bearer key when one is configured.
func (s *Server) authorize(r *http.Request) *Fault {
	if s.opts.APIKey == "" {
		return nil
	}
	auth := r.Header.Get("Authorization")
	key, ok := strings.CutPrefix(auth, "Bearer ")
	switch {
	case auth == "" || !ok || key == "":
		return apiError(http.StatusUnauthorized, "invalid_request_error", "",
			"You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).").Ptr()
	case key != s.opts.APIKey:
		return apiError(http.StatusUnauthorized, "invalid_request_error", "invalid_api_key",
			"Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.").Ptr()
	}
	return nil
}

func (s *Server) models(w http.ResponseWriter, r *http.Request) {
	i := s.fake.Record(r, nil)
	if f := s.authorize(r); f != nil {
		s.fake.Fail(w, i, *f)
		return
	}
	names := s.opts.Models
	if len(names) == 0 {
		names = []string{"openaitest"}
	}
	data := make([]map[string]any, 0, len(names))
	for _, n := range names {
		data = append(data, map[string]any{"id": n, "object": "model", "created": 0, "owned_by": "openaitest"})
	}
	s.fake.Finish(i, http.StatusOK)
	llmfake.WriteJSON(w, http.StatusOK, map[string]any{"object": "list", "data": data})
}
