package retelltest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
)

// Call is a call the fake holds, in the shape of Retell's call object.
type Call struct {
	CallID              string            `json:"call_id"`
	CallType            string            `json:"call_type"`
	AgentID             string            `json:"agent_id"`
	AgentVersion        int               `json:"agent_version"`
	AgentName           string            `json:"agent_name,omitempty"`
	CallStatus          string            `json:"call_status"`
	Direction           string            `json:"direction"`
	FromNumber          string            `json:"from_number"`
	ToNumber            string            `json:"to_number"`
	Metadata            any               `json:"metadata,omitempty"`
	DynamicVariables    map[string]string `json:"retell_llm_dynamic_variables,omitempty"`
	StartTimestamp      *int64            `json:"start_timestamp,omitempty"`
	EndTimestamp        *int64            `json:"end_timestamp,omitempty"`
	DurationMS          *int64            `json:"duration_ms,omitempty"`
	Transcript          string            `json:"transcript,omitempty"`
	TranscriptObject    []Utterance       `json:"transcript_object,omitempty"`
	DisconnectionReason string            `json:"disconnection_reason,omitempty"`
	RecordingURL        string            `json:"recording_url,omitempty"`
	CallAnalysis        *CallAnalysis     `json:"call_analysis,omitempty"`
	CallCost            *CallCost         `json:"call_cost,omitempty"`
}

// Utterance is one entry of a call's transcript_object.
type Utterance struct {
	Role    string `json:"role"`
	Content string `json:"content"`
	Words   []Word `json:"words"`
}

// Word is one word of an utterance, timed in seconds of the recording.
type Word struct {
	Word  string  `json:"word"`
	Start float64 `json:"start"`
	End   float64 `json:"end"`
}

// CallAnalysis is Retell's post-call analysis.
type CallAnalysis struct {
	CallSummary        string         `json:"call_summary"`
	InVoicemail        bool           `json:"in_voicemail"`
	UserSentiment      string         `json:"user_sentiment"`
	CallSuccessful     bool           `json:"call_successful"`
	CustomAnalysisData map[string]any `json:"custom_analysis_data,omitempty"`
}

// CallCost is Retell's call_cost, in cents.
type CallCost struct {
	ProductCosts           []ProductCost `json:"product_costs"`
	TotalDurationSeconds   float64       `json:"total_duration_seconds"`
	TotalDurationUnitPrice float64       `json:"total_duration_unit_price"`
	CombinedCost           float64       `json:"combined_cost"`
}

// ProductCost is one product's share of a call's cost.
type ProductCost struct {
	Product   string  `json:"product"`
	UnitPrice float64 `json:"unit_price"`
	Cost      float64 `json:"cost"`
}

// callState is a call and when the fake created it, which orders calls that have not started.
type callState struct {
	call    Call
	created int64
	seq     int
}

// sortKey orders calls by start_timestamp as list-calls does, placing calls not yet started at
// their creation time.
func (c *callState) sortKey() int64 {
	if c.call.StartTimestamp != nil {
		return *c.call.StartTimestamp
	}
	return c.created
}

// Call returns a copy of the call the fake holds.
func (s *Server) Call(callID string) (Call, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.calls[callID]
	if !ok {
		return Call{}, false
	}
	return clone(c.call), true
}

// Calls lists the calls the fake holds, in the order they were created.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Call, 0, len(s.order))
	for _, id := range s.order {
		out = append(out, clone(s.calls[id].call))
	}
	return out
}

// addCall stores a new call. The caller holds s.mu.
func (s *Server) addCall(c Call) Call {
	c.CallID = s.nextID("call_", 28)
	c.CallType = "phone_call"
	c.CallStatus = "registered"
	if a, ok := s.agents[c.AgentID]; ok {
		c.AgentName, _ = a["agent_name"].(string)
	}
	s.calls[c.CallID] = &callState{call: c, created: s.nowMS(), seq: s.seq}
	s.order = append(s.order, c.CallID)
	return c
}

func (s *Server) createCall(_ *http.Request, body map[string]json.RawMessage) (int, any, *reqError) {
	var req struct {
		From      string            `json:"from_number"`
		To        string            `json:"to_number"`
		Override  string            `json:"override_agent_id"`
		Metadata  any               `json:"metadata"`
		Variables map[string]string `json:"retell_llm_dynamic_variables"`
	}
	fields := map[string]any{
		"from_number": &req.From, "to_number": &req.To, "override_agent_id": &req.Override,
		"metadata": &req.Metadata, "retell_llm_dynamic_variables": &req.Variables,
	}
	for k, dst := range fields {
		if raw, ok := body[k]; ok {
			if err := json.Unmarshal(raw, dst); err != nil {
				return 0, nil, badRequest(fmt.Sprintf("%s has the wrong type", k))
			}
		}
	}
	if req.From == "" {
		return 0, nil, badRequest("from_number is required")
	}
	if req.To == "" {
		return 0, nil, badRequest("to_number is required")
	}
	if !e164RE.MatchString(req.From) || !e164RE.MatchString(req.To) {
		return 0, nil, badRequest("from_number and to_number must be E.164")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	n, ok := s.numbers[req.From]
	if !ok {
		return 0, nil, notFound(fmt.Sprintf("phone number %s not found", req.From))
	}
	agent := req.Override
	if agent != "" {
		if _, ok := s.agents[agent]; !ok {
			return 0, nil, notFound(fmt.Sprintf("agent %s not found", agent))
		}
	} else if agent = (copyNumber(n)).OutboundAgentID(); agent == "" {
		return 0, nil, badRequest("the from number has no outbound agent and no override_agent_id was given")
	}
	c := s.addCall(Call{
		AgentID: agent, Direction: "outbound", FromNumber: req.From, ToNumber: req.To,
		Metadata: req.Metadata, DynamicVariables: req.Variables,
	})
	return http.StatusCreated, clone(c), nil
}

func (s *Server) getCall(r *http.Request, _ map[string]json.RawMessage) (int, any, *reqError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.calls[r.PathValue("id")]
	if !ok {
		return 0, nil, notFound("")
	}
	return http.StatusOK, clone(c.call), nil
}

// listFilter is list-calls' filter_criteria, the criteria the fake applies.
type listFilter struct {
	CallID     []string            `json:"call_id"`
	AgentID    []string            `json:"agent_id"`
	CallStatus []string            `json:"call_status"`
	CallType   []string            `json:"call_type"`
	Direction  []string            `json:"direction"`
	FromNumber []string            `json:"from_number"`
	ToNumber   []string            `json:"to_number"`
	Metadata   map[string][]string `json:"metadata"`
}

func (s *Server) listCalls(_ *http.Request, body map[string]json.RawMessage) (int, any, *reqError) {
	var req struct {
		Filter        *listFilter `json:"filter_criteria"`
		SortOrder     string      `json:"sort_order"`
		Limit         *int        `json:"limit"`
		PaginationKey string      `json:"pagination_key"`
	}
	raw, _ := json.Marshal(body)
	if err := json.Unmarshal(raw, &req); err != nil {
		return 0, nil, badRequest("filter_criteria, sort_order, limit or pagination_key has the wrong type")
	}
	limit := 50
	if req.Limit != nil {
		if *req.Limit < 1 || *req.Limit > 1000 {
			return 0, nil, badRequest("limit must be between 1 and 1000")
		}
		limit = *req.Limit
	}
	switch req.SortOrder {
	case "", "descending", "ascending":
	default:
		return 0, nil, badRequest("sort_order must be ascending or descending")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var f listFilter
	if req.Filter != nil {
		f = *req.Filter
	}
	matched := []*callState{}
	for _, id := range s.order {
		if c := s.calls[id]; s.matches(f, c.call) {
			matched = append(matched, c)
		}
	}
	sort.SliceStable(matched, func(i, j int) bool {
		a, b := matched[i], matched[j]
		if a.sortKey() != b.sortKey() {
			return a.sortKey() < b.sortKey()
		}
		return a.seq < b.seq
	})
	if req.SortOrder != "ascending" {
		slices.Reverse(matched)
	}
	if req.PaginationKey != "" {
		i := slices.IndexFunc(matched, func(c *callState) bool { return c.call.CallID == req.PaginationKey })
		if i < 0 {
			return 0, nil, badRequest("pagination_key is not a call of this list")
		}
		matched = matched[i+1:]
	}
	if len(matched) > limit {
		matched = matched[:limit]
	}
	out := make([]Call, 0, len(matched))
	for _, c := range matched {
		out = append(out, clone(c.call))
	}
	return http.StatusOK, out, nil
}

// matches applies a filter to a call; every criterion given must hold. The caller holds s.mu.
func (s *Server) matches(f listFilter, c Call) bool {
	in := func(vals []string, v string) bool { return len(vals) == 0 || slices.Contains(vals, v) }
	if !in(f.CallID, c.CallID) || !in(f.AgentID, c.AgentID) || !in(f.CallStatus, c.CallStatus) ||
		!in(f.CallType, c.CallType) || !in(f.Direction, c.Direction) ||
		!in(f.FromNumber, c.FromNumber) || !in(f.ToNumber, c.ToNumber) {
		return false
	}
	if !s.metadataFilter {
		return true
	}
	md, _ := c.Metadata.(map[string]any)
	for key, vals := range f.Metadata {
		// Values are matched as strings.
		v, ok := md[strings.TrimPrefix(key, "metadata.")]
		if !ok || !slices.Contains(vals, fmt.Sprint(v)) {
			return false
		}
	}
	return true
}
