package retelltest

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"regexp"
	"slices"
	"sort"
)

// e164RE is an E.164 number.
var e164RE = regexp.MustCompile(`^\+[1-9][0-9]{1,14}$`)

// Number is a phone number the fake holds, in the shape of Retell's PhoneNumberResponse.
type Number struct {
	PhoneNumber       string        `json:"phone_number"`
	Pretty            string        `json:"phone_number_pretty"`
	Type              string        `json:"phone_number_type"`
	AreaCode          int           `json:"area_code,omitempty"`
	Nickname          string        `json:"nickname,omitempty"`
	InboundAgents     []AgentWeight `json:"inbound_agents"`
	OutboundAgents    []AgentWeight `json:"outbound_agents"`
	InboundWebhookURL string        `json:"inbound_webhook_url,omitempty"`
	LastModification  int64         `json:"last_modification_timestamp"`
	// CountryCode is the country_code it was bought with (not part of Retell's answer).
	CountryCode string `json:"-"`
}

// AgentWeight is one entry of a number's weighted agent list.
type AgentWeight struct {
	AgentID      string  `json:"agent_id"`
	AgentVersion any     `json:"agent_version,omitempty"`
	Weight       float64 `json:"weight"`
}

// InboundAgentID is the agent that answers calls to the number (the first of its inbound
// agents), or "".
func (n Number) InboundAgentID() string {
	if len(n.InboundAgents) == 0 {
		return ""
	}
	return n.InboundAgents[0].AgentID
}

// OutboundAgentID is the agent calls from the number use by default, or "".
func (n Number) OutboundAgentID() string {
	if len(n.OutboundAgents) == 0 {
		return ""
	}
	return n.OutboundAgents[0].AgentID
}

// Number returns a copy of the number the fake holds.
func (s *Server) Number(phone string) (Number, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, ok := s.numbers[phone]
	if !ok {
		return Number{}, false
	}
	return copyNumber(n), true
}

// Numbers lists the numbers the fake holds, sorted by number.
func (s *Server) Numbers() []Number {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Number, 0, len(s.numbers))
	for _, n := range s.numbers {
		out = append(out, copyNumber(n))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].PhoneNumber < out[j].PhoneNumber })
	return out
}

// AddNumber gives the account a number, as if it had been bought earlier.
func (s *Server) AddNumber(phone string) Number {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := &Number{PhoneNumber: phone, Pretty: pretty(phone), Type: "retell-twilio", CountryCode: "US", LastModification: s.nowMS()}
	if len(phone) == 12 {
		fmt.Sscanf(phone[2:5], "%d", &n.AreaCode)
	}
	s.numbers[phone] = n
	return copyNumber(n)
}

// copyNumber copies n, its agent lists included.
func copyNumber(n *Number) Number {
	c := *n
	c.InboundAgents = slices.Clone(n.InboundAgents)
	c.OutboundAgents = slices.Clone(n.OutboundAgents)
	return c
}

// pretty formats a NANP number as Retell does ("+1 313-731-6433").
func pretty(phone string) string {
	if len(phone) != 12 || phone[:2] != "+1" {
		return phone
	}
	return fmt.Sprintf("+1 %s-%s-%s", phone[2:5], phone[5:8], phone[8:])
}

// agentList validates a weighted agent list (null clears it). The caller holds s.mu.
func (s *Server) agentList(name string, raw json.RawMessage) ([]AgentWeight, *reqError) {
	var list []AgentWeight
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, badRequest(name + " must be an array of {agent_id, weight}")
	}
	total := 0.0
	for i, a := range list {
		if a.AgentID == "" {
			return nil, badRequest(fmt.Sprintf("%s[%d].agent_id is required", name, i))
		}
		if _, ok := s.agents[a.AgentID]; !ok {
			return nil, notFound(fmt.Sprintf("agent %s not found", a.AgentID))
		}
		if a.Weight <= 0 || a.Weight > 1 {
			return nil, badRequest(fmt.Sprintf("%s[%d].weight must be greater than 0 and at most 1", name, i))
		}
		total += a.Weight
	}
	if len(list) > 0 && math.Abs(total-1) > 1e-9 {
		return nil, badRequest(name + " weights must add up to 1")
	}
	if len(list) == 0 {
		return nil, nil
	}
	return list, nil
}

// applyNumberFields applies the writable fields of a create or update request. The legacy
// single-agent fields (inbound_agent_id, outbound_agent_id) have not been supported since
// 2026-03-31 and are ignored, so a client that still sends them binds nothing.
func (s *Server) applyNumberFields(n *Number, body map[string]json.RawMessage) *reqError {
	for _, k := range []string{"inbound_agents", "outbound_agents"} {
		raw, ok := body[k]
		if !ok {
			continue
		}
		list, e := s.agentList(k, raw)
		if e != nil {
			return e
		}
		if k == "inbound_agents" {
			n.InboundAgents = list
		} else {
			n.OutboundAgents = list
		}
	}
	for _, k := range []string{"nickname", "inbound_webhook_url"} {
		raw, ok := body[k]
		if !ok {
			continue
		}
		var v *string
		if err := json.Unmarshal(raw, &v); err != nil {
			return badRequest(k + " must be a string or null")
		}
		val := ""
		if v != nil {
			val = *v
		}
		if k == "nickname" {
			n.Nickname = val
		} else {
			n.InboundWebhookURL = val
		}
	}
	return nil
}

func (s *Server) createNumber(_ *http.Request, body map[string]json.RawMessage) (int, any, *reqError) {
	var req struct {
		AreaCode    *int    `json:"area_code"`
		CountryCode *string `json:"country_code"`
		PhoneNumber *string `json:"phone_number"`
	}
	for k, dst := range map[string]any{"area_code": &req.AreaCode, "country_code": &req.CountryCode, "phone_number": &req.PhoneNumber} {
		if raw, ok := body[k]; ok {
			if err := json.Unmarshal(raw, dst); err != nil {
				return 0, nil, badRequest(fmt.Sprintf("%s has the wrong type", k))
			}
		}
	}
	country := "US"
	if req.CountryCode != nil {
		if *req.CountryCode != "US" && *req.CountryCode != "CA" {
			return 0, nil, badRequest("country_code must be US or CA")
		}
		country = *req.CountryCode
	}
	if req.AreaCode != nil && (*req.AreaCode < 200 || *req.AreaCode > 999) {
		return 0, nil, badRequest("area_code must be a 3-digit area code")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var phone string
	switch {
	case req.PhoneNumber != nil:
		if !e164RE.MatchString(*req.PhoneNumber) {
			return 0, nil, badRequest("phone_number must be E.164")
		}
		phone = *req.PhoneNumber
		if _, held := s.numbers[phone]; held {
			return 0, nil, &reqError{http.StatusConflict, "phone number already exists"}
		}
	default:
		ac := 415
		if req.AreaCode != nil {
			ac = *req.AreaCode
		}
		s.seq++
		phone = fmt.Sprintf("+1%03d555%04d", ac, 100+s.seq%9900)
		for s.numbers[phone] != nil {
			s.seq++
			phone = fmt.Sprintf("+1%03d555%04d", ac, 100+s.seq%9900)
		}
	}
	n := &Number{PhoneNumber: phone, Pretty: pretty(phone), Type: "retell-twilio", CountryCode: country}
	if len(phone) == 12 && phone[:2] == "+1" {
		fmt.Sscanf(phone[2:5], "%d", &n.AreaCode)
	}
	if e := s.applyNumberFields(n, body); e != nil {
		return 0, nil, e
	}
	n.LastModification = s.nowMS()
	s.numbers[phone] = n
	return http.StatusCreated, copyNumber(n), nil
}

func (s *Server) getNumber(r *http.Request, _ map[string]json.RawMessage) (int, any, *reqError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, ok := s.numbers[r.PathValue("number")]
	if !ok {
		return 0, nil, notFound("")
	}
	return http.StatusOK, copyNumber(n), nil
}

func (s *Server) updateNumber(r *http.Request, body map[string]json.RawMessage) (int, any, *reqError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, ok := s.numbers[r.PathValue("number")]
	if !ok {
		return 0, nil, notFound("")
	}
	// Validate on a copy so that a refused update changes nothing.
	next := *n
	if e := s.applyNumberFields(&next, body); e != nil {
		return 0, nil, e
	}
	next.LastModification = s.nowMS()
	*n = next
	return http.StatusOK, copyNumber(n), nil
}

func (s *Server) deleteNumber(r *http.Request, _ map[string]json.RawMessage) (int, any, *reqError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	phone := r.PathValue("number")
	if _, ok := s.numbers[phone]; !ok {
		return 0, nil, notFound("")
	}
	delete(s.numbers, phone)
	return http.StatusNoContent, nil, nil
}
