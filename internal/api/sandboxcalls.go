package api

import (
	"errors"
	"net/http"

	"github.com/openteli/teli/internal/service/calling"
	"github.com/openteli/teli/internal/teli"
	"github.com/openteli/teli/internal/voice/sandbox"
)

// The sandbox phone: with the sandbox voice platform, a person plays the other end of a call
// through these routes (and `teli sandbox call`). A hosted platform's calls reach real phones,
// so the routes exist only with the sandbox.

// sandboxCallError maps the sandbox phone's refusals onto the envelope.
func sandboxCallError(err error) error {
	switch {
	case errors.Is(err, sandbox.ErrCallNotLive):
		return teli.Errorf(teli.CodeWrongState, "The call is not live: it has ended, or has not been answered yet")
	case errors.Is(err, sandbox.ErrNotStarted):
		return teli.Errorf(teli.CodeUnavailable, "The sandbox phone is not running; try again once the server has started")
	case errors.Is(err, teli.ErrNotFound):
		return teli.NotFound("Call not found")
	}
	return err
}

// sandboxDial is a person calling one of the tenant's numbers.
func (s *Server) sandboxDial(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		From string `json:"from"`
		To   string `json:"to"`
	}
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	c := callerOf(r)
	from, to, err := s.svc.Calling.InboundTarget(r.Context(), c, in.From, in.To)
	if err != nil {
		return err
	}
	platformCallID, err := s.sandboxPhone.Dial(r.Context(), from, to)
	if errors.Is(err, sandbox.ErrNotAnswered) {
		writeOK(w, http.StatusOK, obj{
			"answered": false, "from": from, "to": to,
			"message": "Nobody answered: the number has no inbound agent; the call is in the history as not connected",
		})
		return nil
	}
	if err != nil {
		return sandboxCallError(err)
	}
	call, err := s.svc.Calling.CallByPlatformID(r.Context(), c, platformCallID)
	if err != nil {
		return err
	}
	// The conversation so far (the agent's greeting) is the platform's until the call ends.
	live, err := s.sandboxPhone.GetCall(r.Context(), platformCallID)
	if err != nil {
		return err
	}
	writeOK(w, http.StatusOK, obj{
		"answered": true, "call_id": call.ID, "from": from, "to": to,
		"call_status": calling.WireStatus(call.Status), "transcript": live.Transcript,
	})
	return nil
}

// sandboxSay is the person speaking on a live call.
func (s *Server) sandboxSay(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Text *string `json:"text"`
	}
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	if in.Text == nil || *in.Text == "" {
		return teli.Invalid("text required")
	}
	call, err := s.svc.Calling.FindCall(r.Context(), callerOf(r), r.PathValue("call_id"))
	if err != nil {
		return err
	}
	reply, err := s.sandboxPhone.Say(r.Context(), call.PlatformCallID, *in.Text)
	if err != nil {
		return sandboxCallError(err)
	}
	writeOK(w, http.StatusOK, obj{"call_id": call.ID, "said": *in.Text, "agent_reply": reply})
	return nil
}

// sandboxHangup is the person hanging up.
func (s *Server) sandboxHangup(w http.ResponseWriter, r *http.Request) error {
	if err := noOptions(r); err != nil {
		return err
	}
	call, err := s.svc.Calling.FindCall(r.Context(), callerOf(r), r.PathValue("call_id"))
	if err != nil {
		return err
	}
	if err := s.sandboxPhone.Hangup(r.Context(), call.PlatformCallID); err != nil {
		return sandboxCallError(err)
	}
	writeOK(w, http.StatusOK, obj{"call_id": call.ID, "message": "Call ended"})
	return nil
}
