// Package api serves the Teli-compatible /v1 HTTP API. routes.go holds the whole route table;
// handlers decode requests, call the service, and shape responses under the names the hosted
// API uses. Every error leaves through one mapping (envelope.go).
package api

import (
	"cmp"
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/openteli/teli/internal/carrier"
	"github.com/openteli/teli/internal/service"
)

// Server is the HTTP API.
type Server struct {
	svc                 Services
	log                 *slog.Logger
	maxBodyBytes        int64
	maxUploadBytes      int64
	carrier             carrier.Carrier
	serveSandboxInbound bool
	voice               VoicePlatform
	sandboxPhone        SandboxPhone
	mux                 *http.ServeMux
}

// Options configure a Server.
type Options struct {
	Services     Services
	Logger       *slog.Logger
	MaxBodyBytes int64
	// MaxUploadBytes caps contact uploads (CSV files, large JSON lists) instead of MaxBodyBytes.
	MaxUploadBytes int64
	// Carrier is the active carrier, whose webhooks the server takes.
	Carrier carrier.Carrier
	// SandboxInbound serves POST /v1/sandbox/inbound, which injects a contact's reply as if
	// Carrier had received it. The composition root sets it when Carrier is the sandbox: a
	// real carrier's inbound messages arrive only through its signed webhooks.
	SandboxInbound bool
	// Voice is the hosted voice platform whose webhooks the server takes (nil with the sandbox).
	Voice VoicePlatform
	// SandboxPhone, set when the voice platform is the sandbox, serves /v1/sandbox/calls.
	SandboxPhone SandboxPhone
}

// New returns the API with every route registered.
func New(o Options) *Server {
	s := &Server{svc: o.Services, log: o.Logger, maxBodyBytes: o.MaxBodyBytes,
		maxUploadBytes: max(o.MaxUploadBytes, o.MaxBodyBytes), carrier: o.Carrier,
		serveSandboxInbound: o.SandboxInbound, voice: o.Voice, sandboxPhone: o.SandboxPhone, mux: http.NewServeMux()}
	s.routes()
	return s
}

// ServeHTTP routes a request. Requests no route matches get Teli's envelope rather than the
// mux's plain-text 404/405; the hosted API's dashboard prefix /api/proxy is accepted as an alias.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if rest, ok := cutPrefix(r.URL.Path, "/api/proxy/v1/"); ok {
		r2 := r.Clone(r.Context())
		r2.URL.Path = "/v1/" + rest
		r2.URL.RawPath = ""
		r = r2
	}
	h, pattern := s.mux.Handler(r)
	if pattern == "" {
		s.unmatched(w, r, h)
		return
	}
	s.mux.ServeHTTP(w, r)
}

func cutPrefix(p, prefix string) (string, bool) {
	if len(p) >= len(prefix) && p[:len(prefix)] == prefix {
		return p[len(prefix):], true
	}
	return "", false
}

// unmatched answers 404 or 405 (as the mux decided) in the Teli envelope.
func (s *Server) unmatched(w http.ResponseWriter, r *http.Request, h http.Handler) {
	v := &muxVerdict{header: http.Header{}}
	h.ServeHTTP(v, r)
	if allow := v.header.Get("Allow"); allow != "" {
		w.Header().Set("Allow", allow)
	}
	status := cmp.Or(v.status, http.StatusOK)
	msg := "Not found"
	if status == http.StatusMethodNotAllowed {
		msg = "Method not allowed"
	}
	writeJSON(w, status, obj{"success": false, "error": msg, "powered_by": poweredBy})
}

// muxVerdict is what the mux's own handler for an unmatched request writes to: it keeps the
// status and the headers (Allow among them) and drops the plain-text body, so that unmatched
// can answer in the envelope.
type muxVerdict struct {
	header http.Header
	status int
}

func (v *muxVerdict) Header() http.Header { return v.header }

func (v *muxVerdict) WriteHeader(code int) {
	if v.status == 0 {
		v.status = code
	}
}

func (v *muxVerdict) Write(b []byte) (int, error) {
	v.WriteHeader(http.StatusOK)
	return len(b), nil
}

// callerKey carries the authenticated caller in a request's context.
type callerKey struct{}

func callerOf(r *http.Request) service.Caller {
	c, _ := r.Context().Value(callerKey{}).(service.Caller)
	return c
}

// handlerFunc is a handler that may fail; the error is written in the envelope.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// public wraps a handler that needs no API key.
func (s *Server) public(h handlerFunc) http.Handler {
	return s.wrap(h, false, s.maxBodyBytes)
}

// authed wraps a handler that needs a valid X-API-Key.
func (s *Server) authed(h handlerFunc) http.Handler {
	return s.wrap(h, true, s.maxBodyBytes)
}

// upload wraps an authenticated handler that takes a large body (contact uploads).
func (s *Server) upload(h handlerFunc) http.Handler {
	return s.wrap(h, true, s.maxUploadBytes)
}

func (s *Server) wrap(h handlerFunc, auth bool, maxBody int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				s.log.ErrorContext(r.Context(), "handler panicked", "route", r.Pattern, "panic", p)
				if sw.status == 0 {
					writeJSON(sw, http.StatusInternalServerError, obj{"success": false, "error": msgInternal, "powered_by": poweredBy})
				}
			}
			// The route pattern, not the path: paths may hold phone numbers.
			s.log.DebugContext(r.Context(), "request", "method", r.Method, "route", r.Pattern,
				"status", sw.status, "duration", time.Since(start))
		}()
		r.Body = http.MaxBytesReader(sw, r.Body, maxBody)
		if auth {
			c, err := s.svc.Tenancy.Authenticate(r.Context(), r.Header.Get("X-API-Key"))
			if err != nil {
				writeError(sw, r, s.log, err)
				return
			}
			r = r.WithContext(context.WithValue(r.Context(), callerKey{}, c))
			// API callers are held to the text rule; carrier webhooks, the routes without a
			// key, are cleaned by their handlers instead.
			if err := checkRequestText(r); err != nil {
				writeError(sw, r, s.log, err)
				return
			}
		}
		if err := h(sw, r); err != nil {
			writeError(sw, r, s.log, err)
		}
	})
}

// statusWriter remembers the status written, for the log.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}
