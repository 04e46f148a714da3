package retell_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/openteli/teli/internal/teli"
	"github.com/openteli/teli/internal/voice"
	"github.com/openteli/teli/internal/voice/retell"
	"github.com/openteli/teli/internal/voice/retell/retelltest"
)

const (
	fromNumber = "+13135550100"
	toNumber   = "+12125550123"
)

// callSetup is a fake with an agent and a caller number, and a request for a call from it.
func callSetup(t *testing.T, configure ...func(*retell.Config)) (*retelltest.Server, *retell.Client, voice.CallRequest) {
	t.Helper()
	s, c := setup(t, configure...)
	ref := createAgent(t, c, sampleSpec())
	s.AddNumber(fromNumber)
	return s, c, voice.CallRequest{
		CallID: "c_01HZX", From: fromNumber, To: toNumber, Agent: ref,
		Variables: map[string]string{"first_name": "Ada", "company": "Acme"},
	}
}

func TestPlaceCall(t *testing.T) {
	t.Parallel()
	s, c, req := callSetup(t)
	placed, err := c.PlaceCall(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	call, ok := s.Call(placed.PlatformCallID)
	if !ok {
		t.Fatalf("the fake holds no call %s", placed.PlatformCallID)
	}
	if call.FromNumber != fromNumber || call.ToNumber != toNumber || call.AgentID != req.Agent.AgentID ||
		call.Direction != "outbound" || call.CallStatus != "registered" {
		t.Fatalf("call = %+v", call)
	}
	if got := jsonOf(t, call.Metadata); got != `{"teli_call_id":"c_01HZX"}` {
		t.Fatalf("metadata = %s", got)
	}
	if !reflect.DeepEqual(call.DynamicVariables, req.Variables) {
		t.Fatalf("variables = %v", call.DynamicVariables)
	}
}

func TestPlaceCallClassifiesErrors(t *testing.T) {
	t.Parallel()
	type outcome int
	const (
		retryable outcome = iota
		rejected
		unknown
	)
	cases := []struct {
		name   string
		status int
		want   outcome
	}{
		{"400", http.StatusBadRequest, rejected},
		{"402", http.StatusPaymentRequired, rejected},
		{"404", http.StatusNotFound, rejected},
		{"422", http.StatusUnprocessableEntity, rejected},
		{"429", http.StatusTooManyRequests, retryable},
		{"500", http.StatusInternalServerError, unknown},
		{"502", http.StatusBadGateway, unknown},
		{"503", http.StatusServiceUnavailable, unknown},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, c, req := callSetup(t)
			s.FailNext("/v2/create-phone-call", 1, tc.status)
			_, err := c.PlaceCall(context.Background(), req)
			if err == nil {
				t.Fatal("no error")
			}
			got := retryable
			if errors.Is(err, voice.ErrRejected) {
				got = rejected
			}
			if errors.Is(err, voice.ErrUnknownOutcome) {
				if got == rejected {
					t.Fatalf("err = %v is both rejected and unknown", err)
				}
				got = unknown
			}
			if got != tc.want {
				t.Fatalf("err = %v: classified %d, want %d", err, got, tc.want)
			}
			var apiErr *retell.APIError
			if !errors.As(err, &apiErr) || apiErr.StatusCode != tc.status {
				t.Fatalf("err = %v does not carry Retell's status", err)
			}
		})
	}
}

func TestPlaceCallRealRefusals(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		change func(*voice.CallRequest)
	}{
		{"unknown agent", func(r *voice.CallRequest) { r.Agent = voice.Ref{AgentID: "agent_gone"} }},
		{"number not held", func(r *voice.CallRequest) { r.From = "+13135550999" }},
		{"invalid destination", func(r *voice.CallRequest) { r.To = "555-0123" }},
		{"no agent at all", func(r *voice.CallRequest) { r.Agent = voice.Ref{} }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, c, req := callSetup(t)
			tc.change(&req)
			_, err := c.PlaceCall(context.Background(), req)
			if !errors.Is(err, voice.ErrRejected) || errors.Is(err, voice.ErrUnknownOutcome) {
				t.Fatalf("err = %v, want ErrRejected only", err)
			}
			if n := len(s.Calls()); n != 0 {
				t.Fatalf("%d calls placed", n)
			}
		})
	}
}

func TestPlaceCallAuthFailureIsRetryable(t *testing.T) {
	t.Parallel()
	s, _, req := callSetup(t)
	c, err := retell.New(retell.Config{APIKey: "key_revoked", BaseURL: s.URL()})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.PlaceCall(context.Background(), req)
	if err == nil || errors.Is(err, voice.ErrRejected) || errors.Is(err, voice.ErrUnknownOutcome) {
		t.Fatalf("err = %v, want a plain error: the key, not the call, is at fault", err)
	}
}

func TestPlaceCallNeverSentIsRetryable(t *testing.T) {
	t.Parallel()
	_, _, req := callSetup(t)
	refuse := &http.Client{Transport: &http.Transport{
		DialContext: func(context.Context, string, string) (net.Conn, error) {
			return nil, errors.New("connection refused")
		},
	}}
	c, err := retell.New(retell.Config{APIKey: "key_x", BaseURL: "http://retell.invalid", HTTPClient: refuse})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.PlaceCall(context.Background(), req)
	if err == nil || errors.Is(err, voice.ErrUnknownOutcome) || errors.Is(err, voice.ErrRejected) {
		t.Fatalf("err = %v, want a plain error: the request never left", err)
	}
}

// TestLostAnswerIsFoundNotRedialed is the dispatcher's path after a lost answer: the call the
// fake did place is found by our call id, so nobody is dialled twice.
func TestLostAnswerIsFoundNotRedialed(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		fault   retelltest.Fault
		timeout time.Duration
	}{
		{"dropped connection", retelltest.Fault{Drop: true, After: true}, 0},
		{"500 after placing", retelltest.Fault{Status: http.StatusInternalServerError, After: true}, 0},
		{"timeout after placing", retelltest.Fault{Hang: true, After: true}, 200 * time.Millisecond},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, c, req := callSetup(t, func(cfg *retell.Config) {
				if tc.timeout > 0 {
					cfg.Timeout = tc.timeout
				}
			})
			ctx := context.Background()
			// Other calls from the same number are around.
			for i := range 3 {
				other := req
				other.CallID = fmt.Sprintf("c_other%d", i)
				if _, err := c.PlaceCall(ctx, other); err != nil {
					t.Fatal(err)
				}
			}
			s.Inject("/v2/create-phone-call", 1, tc.fault)
			_, err := c.PlaceCall(ctx, req)
			if !errors.Is(err, voice.ErrUnknownOutcome) {
				t.Fatalf("err = %v, want ErrUnknownOutcome", err)
			}
			rec, found, err := c.FindCall(ctx, req.CallID)
			if err != nil || !found {
				t.Fatalf("FindCall = %v, %v", found, err)
			}
			calls := s.Calls()
			placed := calls[len(calls)-1]
			if rec.PlatformCallID != placed.CallID || rec.CallID != req.CallID || rec.To != toNumber {
				t.Fatalf("found %+v, want the call %s the fake placed", rec, placed.CallID)
			}
			if len(calls) != 4 || s.Count("POST", "/v2/create-phone-call") != 4 {
				t.Fatalf("%d calls on the fake, want 4", len(calls))
			}
		})
	}
}

func TestFindCallNotPlaced(t *testing.T) {
	t.Parallel()
	s, c, req := callSetup(t)
	ctx := context.Background()
	if _, err := c.PlaceCall(ctx, req); err != nil {
		t.Fatal(err)
	}
	s.FailNext("/v2/create-phone-call", 1, http.StatusServiceUnavailable)
	other := req
	other.CallID = "c_lost"
	if _, err := c.PlaceCall(ctx, other); !errors.Is(err, voice.ErrUnknownOutcome) {
		t.Fatalf("err = %v", err)
	}
	_, found, err := c.FindCall(ctx, "c_lost")
	if err != nil || found {
		t.Fatalf("FindCall = %v, %v; the 503 placed nothing", found, err)
	}
}

// TestFindCallWithoutMetadataFilter covers a list-calls that ignores the metadata filter:
// FindCall still finds the call among the recent ones, pages beyond the first included.
func TestFindCallWithoutMetadataFilter(t *testing.T) {
	t.Parallel()
	s, c, req := callSetup(t)
	ctx := context.Background()
	clk := newClock(time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC))
	s.SetClock(clk.now)
	s.SetMetadataFilter(false)
	if _, err := c.PlaceCall(ctx, req); err != nil {
		t.Fatal(err)
	}
	for i := range 130 {
		clk.add(time.Second)
		other := req
		other.CallID = fmt.Sprintf("c_later%03d", i)
		if _, err := c.PlaceCall(ctx, other); err != nil {
			t.Fatal(err)
		}
	}
	rec, found, err := c.FindCall(ctx, req.CallID)
	if err != nil || !found || rec.CallID != req.CallID {
		t.Fatalf("FindCall = %+v, %v, %v", rec, found, err)
	}
	if _, found, err := c.FindCall(ctx, "c_never"); err != nil || found {
		t.Fatalf("FindCall(c_never) = %v, %v", found, err)
	}
}

func TestGetCallMapsTheCallObject(t *testing.T) {
	t.Parallel()
	s, c, req := callSetup(t)
	ctx := context.Background()
	t0 := time.Date(2026, 5, 1, 15, 4, 5, 0, time.UTC)
	clk := newClock(t0)
	s.SetClock(clk.now)
	placed, err := c.PlaceCall(ctx, req)
	if err != nil {
		t.Fatal(err)
	}

	rec, err := c.GetCall(ctx, placed.PlatformCallID)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Status != "registered" || rec.StartedAt != nil || rec.Analysis != nil || rec.Cost != nil {
		t.Fatalf("registered call = %+v", rec)
	}

	clk.add(2 * time.Second)
	if err := s.Progress(placed.PlatformCallID, "ongoing"); err != nil {
		t.Fatal(err)
	}
	clk.add(61500 * time.Millisecond)
	transcript := "Agent: Hi Ada, this is Acme Dental.\nUser: Hi, I need a cleaning.\n"
	if err := s.EndCall(placed.PlatformCallID, "user_hangup", transcript); err != nil {
		t.Fatal(err)
	}
	analysis := retelltest.CallAnalysis{
		CallSummary: "Ada booked a cleaning.", UserSentiment: "Positive", CallSuccessful: true,
		CustomAnalysisData: map[string]any{"appointment_booked": true, "slot": "Tuesday 3pm"},
	}
	if err := s.Analyze(placed.PlatformCallID, analysis); err != nil {
		t.Fatal(err)
	}

	rec, err = c.GetCall(ctx, placed.PlatformCallID)
	if err != nil {
		t.Fatal(err)
	}
	start, end := t0.Add(2*time.Second), t0.Add(63500*time.Millisecond)
	if rec.PlatformCallID != placed.PlatformCallID || rec.CallID != req.CallID || rec.Direction != teli.DirectionOutbound ||
		rec.AgentID != req.Agent.AgentID || rec.From != fromNumber || rec.To != toNumber || rec.Status != "ended" {
		t.Fatalf("record = %+v", rec)
	}
	if rec.StartedAt == nil || !rec.StartedAt.Equal(start) || rec.EndedAt == nil || !rec.EndedAt.Equal(end) || rec.DurationMS != 61500 {
		t.Fatalf("times = %v – %v (%d ms), want %v – %v (61500 ms)", rec.StartedAt, rec.EndedAt, rec.DurationMS, start, end)
	}
	if rec.DisconnectionReason != "user_hangup" || rec.Transcript != transcript {
		t.Fatalf("reason %q, transcript %q", rec.DisconnectionReason, rec.Transcript)
	}
	utts := voice.Utterances(rec.TranscriptObject, "")
	if len(utts) != 2 || utts[0].Role != voice.RoleAgent || utts[1].Content != "Hi, I need a cleaning." {
		t.Fatalf("transcript_object = %s", rec.TranscriptObject)
	}
	wantAnalysis := &teli.CallAnalysis{
		Summary: "Ada booked a cleaning.", UserSentiment: "Positive", Successful: true,
		Custom: map[string]any{"appointment_booked": true, "slot": "Tuesday 3pm"},
	}
	if !reflect.DeepEqual(rec.Analysis, wantAnalysis) {
		t.Fatalf("analysis = %+v", rec.Analysis)
	}
	var cost struct {
		CombinedCost float64 `json:"combined_cost"`
		Products     []any   `json:"product_costs"`
	}
	if err := json.Unmarshal(rec.Cost, &cost); err != nil || cost.CombinedCost <= 0 || len(cost.Products) != 2 {
		t.Fatalf("cost = %s (%v)", rec.Cost, err)
	}
	if rec.RecordingURL == "" || !reflect.DeepEqual(rec.Variables, req.Variables) {
		t.Fatalf("recording %q, variables %v", rec.RecordingURL, rec.Variables)
	}
}

func TestGetUnknownCall(t *testing.T) {
	t.Parallel()
	_, c := setup(t)
	_, err := c.GetCall(context.Background(), "call_missing")
	var apiErr *retell.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusNotFound {
		t.Fatalf("err = %v, want a 404", err)
	}
}
