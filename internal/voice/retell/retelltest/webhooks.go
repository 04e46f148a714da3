package retelltest

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// webhookClient delivers webhooks with Retell's 10 s timeout.
var webhookClient = &http.Client{Timeout: 10 * time.Second}

// SignWith is Retell's webhook signature of body at time at, made with key: the value of the
// X-Retell-Signature header, "v=<ms>,d=<hex HMAC-SHA256(key, body + ms)>".
func SignWith(key string, body []byte, at time.Time) string {
	ts := strconv.FormatInt(at.UnixMilli(), 10)
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write(body)
	mac.Write([]byte(ts))
	return "v=" + ts + ",d=" + hex.EncodeToString(mac.Sum(nil))
}

// Sign signs body at time at with the fake's webhook key.
func (s *Server) Sign(body []byte, at time.Time) string {
	s.mu.Lock()
	key := s.webhookKey
	s.mu.Unlock()
	return SignWith(key, body, at)
}

// post delivers a signed JSON body and returns the answer's status and body.
func (s *Server) post(url string, body []byte) (int, []byte, error) {
	s.mu.Lock()
	sig := SignWith(s.webhookKey, body, s.now())
	s.mu.Unlock()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Retell-Signature", sig)
	resp, err := webhookClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	return resp.StatusCode, answer, err
}

// WebhookBody is the body the fake would send for event on the call: {"event", "call"}, the
// call as Retell reports it at that event. call_started carries the call's basic information,
// call_ended everything but call_analysis, and any other event the whole call.
func (s *Server) WebhookBody(event, callID string) ([]byte, error) {
	s.mu.Lock()
	st, ok := s.calls[callID]
	var c Call
	if ok {
		c = clone(st.call)
	}
	s.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("retelltest: no call %s", callID)
	}
	switch event {
	case "call_started":
		c.EndTimestamp, c.DurationMS = nil, nil
		c.Transcript, c.TranscriptObject, c.DisconnectionReason, c.RecordingURL = "", nil, "", ""
		c.CallAnalysis, c.CallCost = nil, nil
	case "call_ended":
		c.CallAnalysis = nil
	}
	return json.Marshal(struct {
		Event string `json:"event"`
		Call  Call   `json:"call"`
	}{event, c})
}

// SendWebhook posts a signed call webhook for event on the call to url, as Retell does, and
// returns the status the receiver answered. The fake does not retry.
func (s *Server) SendWebhook(url, event, callID string) (int, error) {
	body, err := s.WebhookBody(event, callID)
	if err != nil {
		return 0, err
	}
	status, _, err := s.post(url, body)
	return status, err
}

// InboundReply is the call_inbound object of an inbound webhook's answer.
type InboundReply struct {
	OverrideAgentID      string            `json:"override_agent_id,omitempty"`
	OverrideAgentVersion any               `json:"override_agent_version,omitempty"`
	DynamicVariables     map[string]string `json:"dynamic_variables,omitempty"`
	Metadata             any               `json:"metadata,omitempty"`
	AgentOverride        json.RawMessage   `json:"agent_override,omitempty"`
}

// InboundResult is what became of an inbound call offered through the inbound webhook.
type InboundResult struct {
	// StatusCode is the receiver's answer status.
	StatusCode int
	// Reply is the decoded answer (zero unless the status was 2xx).
	Reply InboundReply
	// Raw is the answer's body as received.
	Raw []byte
	// AgentID is the agent that took the call: the override, else the number's inbound agent;
	// empty when the call was left unanswered.
	AgentID string
	// CallID is the inbound call the fake created for it, empty when unanswered.
	CallID string
}

// SignedInbound rings the number to (one the fake holds) from the number from: it posts a
// signed call_inbound webhook to url and acts on the answer as Retell does. The override
// agent takes the call; without one the number's inbound agent does; without that the call is
// not answered. A failed webhook falls back to the number's inbound agent (the fake does not
// retry first).
func (s *Server) SignedInbound(url, from, to string) (InboundResult, error) {
	s.mu.Lock()
	n, ok := s.numbers[to]
	var num Number
	if ok {
		num = copyNumber(n)
	}
	s.mu.Unlock()
	if !ok {
		return InboundResult{}, fmt.Errorf("retelltest: %s is not a number of the account", to)
	}
	payload := map[string]any{"from_number": from, "to_number": to}
	if len(num.InboundAgents) > 0 {
		payload["agent_id"] = num.InboundAgents[0].AgentID
		if v := num.InboundAgents[0].AgentVersion; v != nil {
			payload["agent_version"] = v
		}
	}
	body, err := json.Marshal(map[string]any{"event": "call_inbound", "call_inbound": payload})
	if err != nil {
		return InboundResult{}, err
	}
	status, answer, err := s.post(url, body)
	if err != nil {
		return InboundResult{}, err
	}
	res := InboundResult{StatusCode: status, Raw: answer, AgentID: num.InboundAgentID()}
	var variables map[string]string
	var metadata any
	if status >= 200 && status <= 299 {
		var w struct {
			CallInbound *InboundReply `json:"call_inbound"`
		}
		if err := json.Unmarshal(answer, &w); err != nil {
			return res, fmt.Errorf("retelltest: the inbound webhook answered %q: %w", answer, err)
		}
		if w.CallInbound != nil {
			res.Reply = *w.CallInbound
		}
		if res.Reply.OverrideAgentID != "" {
			res.AgentID = res.Reply.OverrideAgentID
		}
		variables, metadata = res.Reply.DynamicVariables, res.Reply.Metadata
	}
	if res.AgentID == "" {
		return res, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.agents[res.AgentID]; !ok {
		return res, fmt.Errorf("retelltest: the inbound call's agent %s does not exist", res.AgentID)
	}
	c := s.addCall(Call{
		AgentID: res.AgentID, Direction: "inbound", FromNumber: from, ToNumber: to,
		Metadata: metadata, DynamicVariables: variables,
	})
	res.CallID = c.CallID
	return res, nil
}
