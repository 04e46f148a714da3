package retell

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"time"

	"github.com/openteli/teli/internal/voice"
)

// SignatureHeader carries Retell's signature of a webhook (and of a custom tool invocation).
const SignatureHeader = "X-Retell-Signature"

// SignatureTolerance is how far a signature's timestamp may be from now, either way: Retell's
// own verifier allows five minutes, which bounds how long a captured request can be replayed.
const SignatureTolerance = 5 * time.Minute

// signatureRE is the header's form, v=<timestamp ms>,d=<hex HMAC-SHA256>.
var signatureRE = regexp.MustCompile(`^v=(\d+),d=([0-9a-fA-F]{64})$`)

// VerifySignature checks an X-Retell-Signature value against the raw body it came with:
// d must be hex(HMAC-SHA256(key, body + decimal(v))) and v, in milliseconds since the epoch,
// within SignatureTolerance of now. Anything else is voice.ErrUnauthorized. The body must be
// the bytes as received: re-encoded JSON would not verify.
func VerifySignature(header string, body, key []byte, now time.Time) error {
	if header == "" {
		return fmt.Errorf("%w: no %s header", voice.ErrUnauthorized, SignatureHeader)
	}
	m := signatureRE.FindStringSubmatch(header)
	if m == nil {
		return fmt.Errorf("%w: malformed %s header", voice.ErrUnauthorized, SignatureHeader)
	}
	ts, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil {
		return fmt.Errorf("%w: malformed timestamp", voice.ErrUnauthorized)
	}
	if d := now.Sub(time.UnixMilli(ts)); d > SignatureTolerance || d < -SignatureTolerance {
		return fmt.Errorf("%w: timestamp %d is outside the %s tolerance", voice.ErrUnauthorized, ts, SignatureTolerance)
	}
	got, err := hex.DecodeString(m[2])
	if err != nil {
		return fmt.Errorf("%w: malformed digest", voice.ErrUnauthorized)
	}
	mac := hmac.New(sha256.New, key)
	mac.Write(body)
	// Retell's signer appends the timestamp as a number converted back to text, so the
	// canonical decimal is signed, not the header's digits (which could carry leading zeros).
	mac.Write([]byte(strconv.FormatInt(ts, 10)))
	if !hmac.Equal(mac.Sum(nil), got) {
		return fmt.Errorf("%w: digest mismatch", voice.ErrUnauthorized)
	}
	return nil
}

func (c *Client) verify(r *http.Request, body []byte) error {
	return VerifySignature(r.Header.Get(SignatureHeader), body, c.webhookKey, c.now())
}

// ParseEvent verifies and decodes a call webhook, {"event": …, "call": {call object}}. The
// deprecated "data" property is read when "call" is absent. Events beyond call_started,
// call_ended and call_analyzed (transcript_updated, transfer_*) are returned under their own
// name with the call as reported, for the receiver to ignore or use.
func (c *Client) ParseEvent(r *http.Request, body []byte) (voice.Event, error) {
	if err := c.verify(r, body); err != nil {
		return voice.Event{}, err
	}
	var w struct {
		Event string          `json:"event"`
		Call  json.RawMessage `json:"call"`
		Data  json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(body, &w); err != nil {
		return voice.Event{}, fmt.Errorf("retell: webhook: %w", err)
	}
	if w.Event == "" {
		return voice.Event{}, errors.New("retell: webhook: no event")
	}
	raw := present(w.Call)
	if raw == nil {
		raw = present(w.Data)
	}
	if raw == nil {
		return voice.Event{}, fmt.Errorf("retell: webhook %s: no call object", w.Event)
	}
	var co callObject
	if err := json.Unmarshal(raw, &co); err != nil {
		return voice.Event{}, fmt.Errorf("retell: webhook %s: %w", w.Event, err)
	}
	if co.CallID == "" {
		return voice.Event{}, fmt.Errorf("retell: webhook %s: the call has no call_id", w.Event)
	}
	return voice.Event{Kind: w.Event, Call: co.record()}, nil
}

// ParseInbound verifies and decodes an inbound-call webhook:
// {"event": "call_inbound", "call_inbound": {agent_id?, agent_version?, from_number, to_number}}.
// The call does not exist yet, so there is no call id.
func (c *Client) ParseInbound(r *http.Request, body []byte) (voice.InboundCall, error) {
	if err := c.verify(r, body); err != nil {
		return voice.InboundCall{}, err
	}
	type numbers struct {
		From string `json:"from_number"`
		To   string `json:"to_number"`
	}
	var w struct {
		Event       string   `json:"event"`
		CallInbound *numbers `json:"call_inbound"`
		numbers
	}
	if err := json.Unmarshal(body, &w); err != nil {
		return voice.InboundCall{}, fmt.Errorf("retell: inbound webhook: %w", err)
	}
	if w.Event != "" && w.Event != "call_inbound" {
		return voice.InboundCall{}, fmt.Errorf("retell: inbound webhook: event %q is not call_inbound", w.Event)
	}
	n := w.numbers
	if w.CallInbound != nil {
		n = *w.CallInbound
	}
	if n.From == "" || n.To == "" {
		return voice.InboundCall{}, errors.New("retell: inbound webhook: from_number and to_number are required")
	}
	return voice.InboundCall{From: n.From, To: n.To}, nil
}

// InboundResponse answers an inbound-call webhook:
// {"call_inbound": {"override_agent_id": …, "dynamic_variables": {…}}}. A zero Agent answers
// {"call_inbound": {}}, which overrides nothing: the call is then left unanswered only if the
// number has no inbound agent of its own, since Retell falls back to that agent.
func (c *Client) InboundResponse(a voice.InboundAnswer) ([]byte, error) {
	type decision struct {
		OverrideAgentID  string            `json:"override_agent_id,omitempty"`
		DynamicVariables map[string]string `json:"dynamic_variables,omitempty"`
	}
	var d decision
	if a.Agent.AgentID != "" {
		d.OverrideAgentID = a.Agent.AgentID
		if len(a.Variables) > 0 {
			d.DynamicVariables = a.Variables
		}
	}
	return json.Marshal(struct {
		CallInbound decision `json:"call_inbound"`
	}{d})
}
