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
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openteli/teli/internal/clock"
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
	s.srv = httptest.NewServer(s.routes())
	s.URL = s.srv.URL + "/v1"
	tb.Cleanup(s.Close)
	return s
}

// Close stops the server, interrupting answers that are being delayed. Safe to call twice.
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

// Completed counts the requests answered with a complete chat completion (status 200 and, for
// a stream, no error event).
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
	mux.HandleFunc("POST /v1/chat/completions", s.completions)
	mux.HandleFunc("GET /v1/models", s.models)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		i := s.record(r, nil)
		s.fail(w, i, apiError(http.StatusNotFound, "invalid_request_error", "",
			fmt.Sprintf("Invalid URL (%s %s)", r.Method, r.URL.Path)))
	})
	return mux
}

// record stores a request and returns its index, for finish.
func (s *Server) record(r *http.Request, body []byte) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path,
		Header: r.Header.Clone(), Body: body})
	return len(s.requests) - 1
}

// finish records the status a request is answered with. It is called before the answer is
// written, so a client that has read the answer always finds it recorded.
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

func (s *Server) completions(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	i := s.record(r, body)
	if f, ok := s.authorize(r); !ok {
		s.fail(w, i, f)
		return
	}
	req, f := decodeChatRequest(body)
	if f != nil {
		s.fail(w, i, *f)
		return
	}
	s.mu.Lock()
	s.requests[i].Chat = req
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
	id, created := s.ids()
	if req.Stream {
		status := http.StatusOK
		if reply.StreamError != nil {
			status = reply.StreamError.Status
		}
		s.finish(i, status)
		writeStream(w, req, reply, id, created)
		return
	}
	s.finish(i, http.StatusOK)
	writeJSON(w, http.StatusOK, nil, completion(req, reply, id, created))
}

// authorize checks the Bearer key when one is configured.
func (s *Server) authorize(r *http.Request) (Fault, bool) {
	if s.opts.APIKey == "" {
		return Fault{}, true
	}
	auth := r.Header.Get("Authorization")
	key, ok := strings.CutPrefix(auth, "Bearer ")
	switch {
	case auth == "" || !ok || key == "":
		return apiError(http.StatusUnauthorized, "invalid_request_error", "",
			"You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."), false
	case key != s.opts.APIKey:
		return apiError(http.StatusUnauthorized, "invalid_request_error", "invalid_api_key",
			"Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys."), false
	}
	return Fault{}, true
}

// next pops the queue or asks the Handler.
func (s *Server) next(req *ChatRequest) Reply {
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

// ids returns a fresh completion id and the creation time.
func (s *Server) ids() (string, int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	return fmt.Sprintf("chatcmpl-openaitest%06d", s.seq), s.opts.Clock.Now().Unix()
}

func (s *Server) models(w http.ResponseWriter, r *http.Request) {
	i := s.record(r, nil)
	if f, ok := s.authorize(r); !ok {
		s.fail(w, i, f)
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
	s.finish(i, http.StatusOK)
	writeJSON(w, http.StatusOK, nil, map[string]any{"object": "list", "data": data})
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

func writeJSON(w http.ResponseWriter, status int, header http.Header, v any) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	for k, vs := range header {
		w.Header()[k] = vs
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

// writeFault answers with an error.
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
