package api

import (
	"context"
	"errors"
	"io"
	"net/http"

	"github.com/openteli/teli/internal/voice"
)

// VoicePlatform is a hosted voice platform whose webhooks the server takes.
type VoicePlatform interface {
	voice.Webhooks
	Name() string
}

// SandboxPhone plays the person at the other end of sandbox voice calls.
type SandboxPhone interface {
	// Dial calls one of the sandbox's numbers from a person's number; it returns the platform's
	// call id, or an error when nobody answers (the number has no inbound agent).
	Dial(ctx context.Context, from, to string) (string, error)
	// Say is the person speaking on a live call; it returns what the agent answered.
	Say(ctx context.Context, platformCallID, text string) (string, error)
	Hangup(ctx context.Context, platformCallID string) error
	// GetCall is the call as the platform has it now: its transcript so far.
	GetCall(ctx context.Context, platformCallID string) (voice.CallRecord, error)
}

// maxVoiceWebhook caps a voice webhook's body: a call object with a long transcript.
const maxVoiceWebhook = 4 << 20

// voicePlatformFor returns the hosted voice platform the path names; others are 404.
func (s *Server) voicePlatformFor(r *http.Request) (VoicePlatform, bool) {
	if s.voice == nil || r.PathValue("platform") != s.voice.Name() {
		return nil, false
	}
	return s.voice, true
}

// voiceWebhook reads a voice webhook of the platform the path names, within its cap, and
// parses it with parse; a request that cannot be taken is answered here, and ok is false.
func voiceWebhook[T any](s *Server, w http.ResponseWriter, r *http.Request, parse func(VoicePlatform, *http.Request, []byte) (T, error)) (VoicePlatform, T, bool) {
	var zero T
	p, ok := s.voicePlatformFor(r)
	if !ok {
		s.voiceWebhookError(w, r, errUnknownPlatform)
		return nil, zero, false
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxVoiceWebhook))
	if err != nil {
		s.voiceWebhookError(w, r, err)
		return nil, zero, false
	}
	v, err := parse(p, r, body)
	if err != nil {
		s.voiceWebhookError(w, r, err)
		return nil, zero, false
	}
	return p, v, true
}

// voiceEvent takes a call webhook (call_started, call_ended, call_analyzed): verified, then
// applied; a 500 makes the platform retry, and a retry changes nothing twice.
func (s *Server) voiceEvent(w http.ResponseWriter, r *http.Request) error {
	p, e, ok := voiceWebhook(s, w, r, VoicePlatform.ParseEvent)
	if !ok {
		return nil
	}
	if err := s.svc.Calling.CallEvent(r.Context(), p.Name(), e); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// voiceInbound takes the platform's question of who answers an incoming call.
func (s *Server) voiceInbound(w http.ResponseWriter, r *http.Request) error {
	p, in, ok := voiceWebhook(s, w, r, VoicePlatform.ParseInbound)
	if !ok {
		return nil
	}
	answer, err := s.svc.Calling.AnswerInbound(r.Context(), p.Name(), in)
	if err != nil {
		return err
	}
	out, err := p.InboundResponse(answer)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(out)
	return nil
}

var errUnknownPlatform = errors.New("no such voice platform")

// voiceWebhookError answers a voice webhook that cannot be taken: 403 for one not provably from
// the platform (nothing is recorded), 404 for a platform this server does not use, 400 else.
func (s *Server) voiceWebhookError(w http.ResponseWriter, r *http.Request, err error) {
	status, text := http.StatusBadRequest, "Malformed webhook request"
	var tooLarge *http.MaxBytesError
	switch {
	case errors.Is(err, voice.ErrUnauthorized):
		status, text = http.StatusForbidden, "Invalid webhook signature"
	case errors.Is(err, errUnknownPlatform):
		status, text = http.StatusNotFound, "Not found"
	case errors.As(err, &tooLarge):
		status, text = http.StatusRequestEntityTooLarge, "Request body too large"
	}
	s.log.WarnContext(r.Context(), "voice webhook refused", "route", r.Pattern, "status", status, "err", err)
	writeJSON(w, status, obj{"success": false, "error": text, "powered_by": poweredBy})
}
