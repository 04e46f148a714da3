package retell

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/openteli/teli/internal/teli"
	"github.com/openteli/teli/internal/voice"
)

// metadataCallID is the metadata key that carries Teli's call id with a Retell call.
const metadataCallID = "teli_call_id"

// PlaceCall asks Retell to dial r.To from r.From with r.Agent. Our call id travels as the
// call's metadata, so that FindCall can find a call whose acceptance was lost.
//
// Errors are classified for the dispatcher: a lost answer (a timeout or broken connection once
// the request may have been sent, a 5xx, an unreadable 2xx) wraps voice.ErrUnknownOutcome; a
// refusal that would repeat (400, 402, 404, 422 and other 4xx) wraps voice.ErrRejected; 429 and
// a request that never left are plain errors, to be retried. 401 and 403 are plain too: they
// are the account's configuration, not the call's fault, and placing succeeds once it is fixed.
func (c *Client) PlaceCall(ctx context.Context, r voice.CallRequest) (voice.Placed, error) {
	body := map[string]any{
		"from_number": r.From,
		"to_number":   r.To,
		"metadata":    map[string]string{metadataCallID: r.CallID},
	}
	if r.Agent.AgentID != "" {
		body["override_agent_id"] = r.Agent.AgentID
	}
	if len(r.Variables) > 0 {
		body["retell_llm_dynamic_variables"] = r.Variables
	}
	var call struct {
		CallID string `json:"call_id"`
	}
	err := c.do(ctx, "POST", "/v2/create-phone-call", body, &call)
	if err == nil && call.CallID == "" {
		err = &decodeError{method: "POST", path: "/v2/create-phone-call", err: errors.New("no call_id")}
	}
	if err != nil {
		return voice.Placed{}, classifyPlace(r.CallID, err)
	}
	return voice.Placed{PlatformCallID: call.CallID}, nil
}

// classifyPlace wraps a create-phone-call error in the sentinel the dispatcher acts on.
func classifyPlace(callID string, err error) error {
	var (
		api *APIError
		te  *transportError
		de  *decodeError
	)
	switch {
	case errors.As(err, &api):
		switch s := api.StatusCode; {
		case s == http.StatusTooManyRequests, s == http.StatusUnauthorized, s == http.StatusForbidden,
			s == http.StatusRequestTimeout:
			// 408 is a request the server gave up reading: nothing was placed.
			return fmt.Errorf("retell: place call %s: %w", callID, err)
		case s >= 500:
			return fmt.Errorf("retell: place call %s: %w: %w", callID, voice.ErrUnknownOutcome, err)
		case s >= 400:
			return fmt.Errorf("retell: place call %s: %w: %w", callID, voice.ErrRejected, err)
		}
	case errors.As(err, &te):
		if te.sent {
			return fmt.Errorf("retell: place call %s: %w: %w", callID, voice.ErrUnknownOutcome, err)
		}
	case errors.As(err, &de):
		return fmt.Errorf("retell: place call %s: %w: %w", callID, voice.ErrUnknownOutcome, err)
	}
	return fmt.Errorf("retell: place call %s: %w", callID, err)
}

// findPage and findScan bound FindCall's look-up: a page of list-calls, and how many recent
// outbound calls it reads when the metadata filter returns nothing.
const (
	findPage = 100
	findScan = 300
)

// FindCall looks up the call placed for our call id by its metadata. It asks list-calls for
// that metadata value and checks each answer itself. If the filter finds nothing it reads the
// most recent outbound calls as well, because a missed call here means a person is dialled
// twice, while the extra reads are cheap and rare (FindCall only follows a lost answer).
func (c *Client) FindCall(ctx context.Context, callID string) (voice.CallRecord, bool, error) {
	if callID == "" {
		return voice.CallRecord{}, false, errors.New("retell: find call: no call id")
	}
	filtered := listCalls{
		FilterCriteria: map[string]any{
			"metadata":  map[string][]string{metadataCallID: {callID}},
			"direction": []string{"outbound"},
		},
		SortOrder: "descending",
		Limit:     findPage,
	}
	rec, found, _, err := c.findIn(ctx, callID, filtered)
	if err != nil || found {
		return rec, found, err
	}
	scan := listCalls{
		FilterCriteria: map[string]any{"direction": []string{"outbound"}},
		SortOrder:      "descending",
		Limit:          findPage,
	}
	for read := 0; read < findScan; {
		rec, found, page, err := c.findIn(ctx, callID, scan)
		if err != nil || found {
			return rec, found, err
		}
		if len(page) < scan.Limit {
			break
		}
		read += len(page)
		scan.PaginationKey = page[len(page)-1].CallID
	}
	return voice.CallRecord{}, false, nil
}

// listCalls is the POST /v2/list-calls request.
type listCalls struct {
	FilterCriteria map[string]any `json:"filter_criteria,omitempty"`
	SortOrder      string         `json:"sort_order,omitempty"`
	Limit          int            `json:"limit,omitempty"`
	PaginationKey  string         `json:"pagination_key,omitempty"`
}

// findIn reads one page of list-calls and returns the call in it that carries callID.
func (c *Client) findIn(ctx context.Context, callID string, q listCalls) (voice.CallRecord, bool, []callObject, error) {
	var page []callObject
	if err := c.do(ctx, "POST", "/v2/list-calls", q, &page); err != nil {
		return voice.CallRecord{}, false, nil, fmt.Errorf("retell: find call %s: %w", callID, err)
	}
	for _, co := range page {
		if rec := co.record(); rec.CallID == callID {
			return rec, true, page, nil
		}
	}
	return voice.CallRecord{}, false, page, nil
}

// GetCall reads a call object.
func (c *Client) GetCall(ctx context.Context, platformCallID string) (voice.CallRecord, error) {
	var co callObject
	if err := c.do(ctx, "GET", "/v2/get-call/"+url.PathEscape(platformCallID), nil, &co); err != nil {
		var apiErr *APIError
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
			// A call Retell does not know: the reconciler ends ours rather than asking forever.
			return voice.CallRecord{}, fmt.Errorf("retell: get call %s: %w (%w)", platformCallID, teli.ErrNotFound, err)
		}
		return voice.CallRecord{}, fmt.Errorf("retell: get call %s: %w", platformCallID, err)
	}
	return co.record(), nil
}

// callObject is Retell's call object (V2CallResponse), as far as Teli reads it.
type callObject struct {
	CallID              string                     `json:"call_id"`
	CallType            string                     `json:"call_type"`
	AgentID             string                     `json:"agent_id"`
	CallStatus          string                     `json:"call_status"`
	Direction           string                     `json:"direction"`
	FromNumber          string                     `json:"from_number"`
	ToNumber            string                     `json:"to_number"`
	Metadata            json.RawMessage            `json:"metadata"`
	Variables           map[string]json.RawMessage `json:"retell_llm_dynamic_variables"`
	StartTimestamp      *epochMS                   `json:"start_timestamp"`
	EndTimestamp        *epochMS                   `json:"end_timestamp"`
	DurationMS          *epochMS                   `json:"duration_ms"`
	Transcript          string                     `json:"transcript"`
	TranscriptObject    json.RawMessage            `json:"transcript_object"`
	DisconnectionReason string                     `json:"disconnection_reason"`
	CallAnalysis        json.RawMessage            `json:"call_analysis"`
	CallCost            json.RawMessage            `json:"call_cost"`
	RecordingURL        string                     `json:"recording_url"`
}

// epochMS is an integer of milliseconds (a timestamp or a duration); it accepts a JSON number
// written with a fraction or exponent too.
type epochMS int64

func (e *epochMS) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	if n, err := strconv.ParseInt(string(b), 10, 64); err == nil {
		*e = epochMS(n)
		return nil
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return fmt.Errorf("retell: %s is not a number of milliseconds", b)
	}
	*e = epochMS(f)
	return nil
}

// record maps the call object onto the platform-neutral record.
func (co callObject) record() voice.CallRecord {
	rec := voice.CallRecord{
		PlatformCallID:      co.CallID,
		Direction:           co.Direction,
		AgentID:             co.AgentID,
		From:                co.FromNumber,
		To:                  co.ToNumber,
		Status:              co.CallStatus,
		DisconnectionReason: co.DisconnectionReason,
		Transcript:          co.Transcript,
		TranscriptObject:    present(co.TranscriptObject),
		Cost:                present(co.CallCost),
		RecordingURL:        co.RecordingURL,
	}
	var md map[string]json.RawMessage
	if json.Unmarshal(co.Metadata, &md) == nil {
		var id string
		if json.Unmarshal(md[metadataCallID], &id) == nil {
			rec.CallID = id
		}
	}
	if co.StartTimestamp != nil {
		t := time.UnixMilli(int64(*co.StartTimestamp)).UTC()
		rec.StartedAt = &t
	}
	if co.EndTimestamp != nil {
		t := time.UnixMilli(int64(*co.EndTimestamp)).UTC()
		rec.EndedAt = &t
	}
	if co.DurationMS != nil {
		rec.DurationMS = int64(*co.DurationMS)
	} else if rec.StartedAt != nil && rec.EndedAt != nil {
		rec.DurationMS = rec.EndedAt.Sub(*rec.StartedAt).Milliseconds()
	}
	if len(co.Variables) > 0 {
		rec.Variables = make(map[string]string, len(co.Variables))
		for k, v := range co.Variables {
			var s string
			if json.Unmarshal(v, &s) == nil {
				rec.Variables[k] = s
			} else {
				// The API types them as strings; anything else is kept as its JSON text.
				rec.Variables[k] = string(v)
			}
		}
	}
	rec.Analysis = analysisOf(co.CallAnalysis)
	return rec
}

// analysisOf decodes call_analysis; nil when the call has none (yet). A field of an unexpected
// type is dropped rather than losing the whole analysis.
func analysisOf(raw json.RawMessage) *teli.CallAnalysis {
	if present(raw) == nil {
		return nil
	}
	var fields map[string]json.RawMessage
	if json.Unmarshal(raw, &fields) != nil {
		return nil
	}
	a := &teli.CallAnalysis{}
	_ = json.Unmarshal(fields["call_summary"], &a.Summary)
	_ = json.Unmarshal(fields["in_voicemail"], &a.InVoicemail)
	_ = json.Unmarshal(fields["user_sentiment"], &a.UserSentiment)
	_ = json.Unmarshal(fields["call_successful"], &a.Successful)
	var custom map[string]any
	if json.Unmarshal(fields["custom_analysis_data"], &custom) == nil && len(custom) > 0 {
		a.Custom = custom
	}
	return a
}

// present is raw unless it is absent or JSON null.
func present(raw json.RawMessage) json.RawMessage {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 || string(t) == "null" {
		return nil
	}
	return raw
}
