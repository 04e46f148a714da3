package retell_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openteli/teli/internal/teli"
	"github.com/openteli/teli/internal/voice"
	"github.com/openteli/teli/internal/voice/retell"
	"github.com/openteli/teli/internal/voice/retell/retelltest"
)

// The test vector of contracts.md §2.9.
const (
	vectorBody   = `{"event":"call_ended"}`
	vectorKey    = "test-api-key"
	vectorTS     = 1700000000000
	vectorHeader = "v=1700000000000,d=07024cabe7dd8f6d1c6e4a8324ca92c812e6ad4a7ee506c04f7e462e3321823e"
)

func TestSignatureKnownVector(t *testing.T) {
	t.Parallel()
	at := time.UnixMilli(vectorTS)
	if err := retell.VerifySignature(vectorHeader, []byte(vectorBody), []byte(vectorKey), at); err != nil {
		t.Fatalf("the spec's vector does not verify: %v", err)
	}
	// The fake signs the same way, so what it sends is what Retell sends.
	if got := retelltest.SignWith(vectorKey, []byte(vectorBody), at); got != vectorHeader {
		t.Fatalf("the fake signs %q, want %q", got, vectorHeader)
	}
}

func TestSignatureRejections(t *testing.T) {
	t.Parallel()
	body := []byte(vectorBody)
	key := []byte(vectorKey)
	at := time.UnixMilli(vectorTS)
	digest := vectorHeader[len("v=1700000000000,d="):]
	cases := []struct {
		name   string
		header string
		body   []byte
		key    []byte
		now    time.Time
		ok     bool
	}{
		{"vector", vectorHeader, body, key, at, true},
		{"uppercase hex", "v=1700000000000,d=" + strings.ToUpper(digest), body, key, at, true},
		{"4m59s late", vectorHeader, body, key, at.Add(4*time.Minute + 59*time.Second), true},
		{"4m early", vectorHeader, body, key, at.Add(-4 * time.Minute), true},
		{"leading zero in v", "v=01700000000000,d=" + digest, body, key, at, true},
		{"unsigned", "", body, key, at, false},
		{"stale", vectorHeader, body, key, at.Add(5*time.Minute + time.Millisecond), false},
		{"from the future", vectorHeader, body, key, at.Add(-6 * time.Minute), false},
		{"other key", vectorHeader, body, []byte("another-key"), at, false},
		{"body changed", vectorHeader, []byte(`{"event":"call_ended" }`), key, at, false},
		{"timestamp changed", "v=1700000000001,d=" + digest, body, key, at, false},
		{"digest only", "d=" + digest, body, key, at, false},
		{"timestamp only", "v=1700000000000", body, key, at, false},
		{"short digest", vectorHeader[:len(vectorHeader)-1], body, key, at, false},
		{"long digest", vectorHeader + "0", body, key, at, false},
		{"spaces", "v=1700000000000, d=" + digest, body, key, at, false},
		{"trailing field", vectorHeader + ",x=1", body, key, at, false},
		{"not hex", "v=1700000000000,d=" + strings.Repeat("g", 64), body, key, at, false},
		{"huge timestamp", "v=99999999999999999999999,d=" + digest, body, key, at, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := retell.VerifySignature(tc.header, tc.body, tc.key, tc.now)
			if tc.ok && err != nil {
				t.Fatalf("rejected: %v", err)
			}
			if !tc.ok && !errors.Is(err, voice.ErrUnauthorized) {
				t.Fatalf("err = %v, want ErrUnauthorized", err)
			}
		})
	}
}

// signedRequest builds a webhook request carrying header as its signature.
func signedRequest(body []byte, header string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/v1/webhooks/retell", bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	if header != "" {
		r.Header.Set(retell.SignatureHeader, header)
	}
	return r
}

func TestParseEventRefusesUnverified(t *testing.T) {
	t.Parallel()
	clk := newClock(time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC))
	c, err := retell.New(retell.Config{APIKey: "key_account", Now: clk.now})
	if err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"event":"call_ended","call":{"call_id":"call_1","call_status":"ended"}}`)
	cases := map[string]string{
		"unsigned": "",
		"forged":   retelltest.SignWith("key_attacker", body, clk.now()),
		"stale":    retelltest.SignWith("key_account", body, clk.now().Add(-10*time.Minute)),
		"garbage":  "sha256=abc",
	}
	for name, header := range cases {
		if _, err := c.ParseEvent(signedRequest(body, header), body); !errors.Is(err, voice.ErrUnauthorized) {
			t.Errorf("%s: err = %v, want ErrUnauthorized", name, err)
		}
		if _, err := c.ParseInbound(signedRequest(body, header), body); !errors.Is(err, voice.ErrUnauthorized) {
			t.Errorf("%s inbound: err = %v, want ErrUnauthorized", name, err)
		}
	}
	good := retelltest.SignWith("key_account", body, clk.now())
	if _, err := c.ParseEvent(signedRequest(body, good), body); err != nil {
		t.Fatalf("a good signature: %v", err)
	}
}

func TestParseEventWebhookKey(t *testing.T) {
	t.Parallel()
	c, err := retell.New(retell.Config{APIKey: "key_api", WebhookKey: "key_webhook_badge"})
	if err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"event":"call_started","call":{"call_id":"call_1","call_status":"ongoing"}}`)
	now := time.Now()
	if _, err := c.ParseEvent(signedRequest(body, retelltest.SignWith("key_webhook_badge", body, now)), body); err != nil {
		t.Fatalf("signed with the webhook key: %v", err)
	}
	if _, err := c.ParseEvent(signedRequest(body, retelltest.SignWith("key_api", body, now)), body); !errors.Is(err, voice.ErrUnauthorized) {
		t.Fatalf("signed with the other key: err = %v", err)
	}
}

func TestParseEventVectorBodyIsNotACall(t *testing.T) {
	t.Parallel()
	c, err := retell.New(retell.Config{APIKey: vectorKey, Now: func() time.Time { return time.UnixMilli(vectorTS) }})
	if err != nil {
		t.Fatal(err)
	}
	// The signature verifies; the body then lacks a call, which is a bad request, not a forgery.
	_, err = c.ParseEvent(signedRequest([]byte(vectorBody), vectorHeader), []byte(vectorBody))
	if err == nil || errors.Is(err, voice.ErrUnauthorized) {
		t.Fatalf("err = %v, want a decoding error", err)
	}
}

// fullCall is a call object with every field the adapter maps, as Retell sends it.
const fullCall = `{
  "call_id": "call_119c3f8e47135a29e65947eeb34cf12d",
  "call_type": "phone_call",
  "agent_id": "agent_86f826bf8f59bacd5c10ae948a",
  "agent_version": 3,
  "agent_name": "Front desk",
  "call_status": "ended",
  "direction": "outbound",
  "from_number": "+13135550100",
  "to_number": "+12125550123",
  "metadata": {"teli_call_id": "c_01HZX", "campaign": 7},
  "retell_llm_dynamic_variables": {"first_name": "Ada"},
  "collected_dynamic_variables": {"previous_node": "end"},
  "start_timestamp": 1714575845000,
  "end_timestamp": 1714575906500,
  "duration_ms": 61500,
  "transcript": "Agent: Hi Ada.\nUser: Hello.\n",
  "transcript_object": [
    {"role": "agent", "content": "Hi Ada.", "words": [{"word": "Hi", "start": 0.5, "end": 0.7}, {"word": "Ada.", "start": 0.7, "end": 1.1}]},
    {"role": "user", "content": "Hello.", "words": [{"word": "Hello.", "start": 1.9, "end": 2.3}]}
  ],
  "recording_url": "https://dxc03zgurdly9.cloudfront.net/call_119c/recording.wav",
  "disconnection_reason": "voicemail_reached",
  "call_analysis": {
    "call_summary": "Reached voicemail.",
    "in_voicemail": true,
    "user_sentiment": "Neutral",
    "call_successful": false,
    "custom_analysis_data": {"callback_requested": false, "score": 2}
  },
  "call_cost": {
    "product_costs": [{"product": "elevenlabs_tts", "unit_price": 0.1167, "cost": 11.96}],
    "total_duration_seconds": 62,
    "total_duration_unit_price": 0.1933,
    "combined_cost": 11.98
  },
  "latency": {"e2e": {"p50": 800}},
  "telephony_identifier": {"twilio_call_sid": "CA123"}
}`

func TestParseEventFullCallObject(t *testing.T) {
	t.Parallel()
	for _, property := range []string{"call", "data"} {
		t.Run(property, func(t *testing.T) {
			t.Parallel()
			c, err := retell.New(retell.Config{APIKey: "key_account"})
			if err != nil {
				t.Fatal(err)
			}
			body := []byte(`{"event":"call_analyzed","` + property + `":` + fullCall + `}`)
			e, err := c.ParseEvent(signedRequest(body, retelltest.SignWith("key_account", body, time.Now())), body)
			if err != nil {
				t.Fatal(err)
			}
			start, end := time.UnixMilli(1714575845000).UTC(), time.UnixMilli(1714575906500).UTC()
			want := voice.CallRecord{
				PlatformCallID: "call_119c3f8e47135a29e65947eeb34cf12d", CallID: "c_01HZX",
				Direction: "outbound", AgentID: "agent_86f826bf8f59bacd5c10ae948a",
				From: "+13135550100", To: "+12125550123", Status: "ended",
				StartedAt: &start, EndedAt: &end, DurationMS: 61500,
				DisconnectionReason: "voicemail_reached", Transcript: "Agent: Hi Ada.\nUser: Hello.\n",
				Analysis: &teli.CallAnalysis{
					Summary: "Reached voicemail.", InVoicemail: true, UserSentiment: "Neutral",
					Custom: map[string]any{"callback_requested": false, "score": float64(2)},
				},
				RecordingURL: "https://dxc03zgurdly9.cloudfront.net/call_119c/recording.wav",
				Variables:    map[string]string{"first_name": "Ada"},
			}
			got := e.Call
			// The raw parts are compared as JSON values.
			var gotTO, wantTO, gotCost, wantCost any
			var full map[string]json.RawMessage
			mustUnmarshal(t, []byte(fullCall), &full)
			mustUnmarshal(t, got.TranscriptObject, &gotTO)
			mustUnmarshal(t, full["transcript_object"], &wantTO)
			mustUnmarshal(t, got.Cost, &gotCost)
			mustUnmarshal(t, full["call_cost"], &wantCost)
			if !reflect.DeepEqual(gotTO, wantTO) || !reflect.DeepEqual(gotCost, wantCost) {
				t.Fatalf("transcript_object %s, call_cost %s", got.TranscriptObject, got.Cost)
			}
			got.TranscriptObject, got.Cost = nil, nil
			if e.Kind != voice.EventAnalyzed || !reflect.DeepEqual(got, want) {
				t.Fatalf("event %q\n got %+v\nwant %+v", e.Kind, got, want)
			}
		})
	}
}

func mustUnmarshal(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
}

// receiver is a webhook endpoint built on the client, as the server's handler would be.
type receiver struct {
	mu      sync.Mutex
	events  []voice.Event
	inbound []voice.InboundCall
	answer  voice.InboundAnswer
}

func (rc *receiver) serve(c *retell.Client) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		fail := func(err error) {
			if errors.Is(err, voice.ErrUnauthorized) {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			w.WriteHeader(http.StatusBadRequest)
		}
		rc.mu.Lock()
		defer rc.mu.Unlock()
		if r.URL.Path == "/inbound" {
			in, err := c.ParseInbound(r, body)
			if err != nil {
				fail(err)
				return
			}
			rc.inbound = append(rc.inbound, in)
			out, err := c.InboundResponse(rc.answer)
			if err != nil {
				w.WriteHeader(http.StatusInternalServerError)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			w.Write(out)
			return
		}
		e, err := c.ParseEvent(r, body)
		if err != nil {
			fail(err)
			return
		}
		rc.events = append(rc.events, e)
		w.WriteHeader(http.StatusNoContent)
	})
}

func TestWebhookRoundTrip(t *testing.T) {
	t.Parallel()
	s, c, req := callSetup(t)
	ctx := context.Background()
	rc := &receiver{}
	hook := httptest.NewServer(rc.serve(c))
	t.Cleanup(hook.Close)

	placed, err := c.PlaceCall(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	id := placed.PlatformCallID
	send := func(event string) {
		t.Helper()
		status, err := s.SendWebhook(hook.URL, event, id)
		if err != nil || status != http.StatusNoContent {
			t.Fatalf("%s: status %d, %v", event, status, err)
		}
	}
	if err := s.Progress(id, "ongoing"); err != nil {
		t.Fatal(err)
	}
	send(voice.EventStarted)
	if err := s.EndCall(id, "agent_hangup", "Agent: Goodbye.\n"); err != nil {
		t.Fatal(err)
	}
	send(voice.EventEnded)
	if err := s.Analyze(id, retelltest.CallAnalysis{CallSummary: "Short call.", UserSentiment: "Neutral"}); err != nil {
		t.Fatal(err)
	}
	send(voice.EventAnalyzed)

	rc.mu.Lock()
	events := rc.events
	rc.mu.Unlock()
	if len(events) != 3 {
		t.Fatalf("%d events received", len(events))
	}
	started, ended, analyzed := events[0], events[1], events[2]
	if started.Kind != voice.EventStarted || started.Call.Status != "ongoing" || started.Call.StartedAt == nil ||
		started.Call.EndedAt != nil || started.Call.CallID != req.CallID {
		t.Fatalf("call_started = %+v", started)
	}
	if ended.Kind != voice.EventEnded || ended.Call.Analysis != nil || ended.Call.Transcript != "Agent: Goodbye.\n" ||
		ended.Call.DisconnectionReason != "agent_hangup" || ended.Call.Cost == nil {
		t.Fatalf("call_ended = %+v", ended)
	}
	// call_analyzed carries the same call object get-call answers.
	rec, err := c.GetCall(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if analyzed.Kind != voice.EventAnalyzed || !reflect.DeepEqual(analyzed.Call, rec) {
		t.Fatalf("call_analyzed\n got %+v\nwant %+v", analyzed.Call, rec)
	}
}

func TestWebhookForgedByOtherAccount(t *testing.T) {
	t.Parallel()
	s, c, req := callSetup(t)
	rc := &receiver{}
	hook := httptest.NewServer(rc.serve(c))
	t.Cleanup(hook.Close)
	placed, err := c.PlaceCall(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	s.SetWebhookKey("key_someone_else")
	status, err := s.SendWebhook(hook.URL, voice.EventEnded, placed.PlatformCallID)
	if err != nil || status != http.StatusUnauthorized {
		t.Fatalf("status %d, %v", status, err)
	}
	if len(rc.events) != 0 {
		t.Fatal("a forged event was accepted")
	}
}

func TestWebhookStale(t *testing.T) {
	t.Parallel()
	s, c, req := callSetup(t)
	rc := &receiver{}
	hook := httptest.NewServer(rc.serve(c))
	t.Cleanup(hook.Close)
	placed, err := c.PlaceCall(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	// A replay of a delivery signed an hour ago.
	s.SetClock(func() time.Time { return time.Now().Add(-time.Hour) })
	status, err := s.SendWebhook(hook.URL, voice.EventEnded, placed.PlatformCallID)
	if err != nil || status != http.StatusUnauthorized {
		t.Fatalf("status %d, %v", status, err)
	}
}

func TestInboundAnswered(t *testing.T) {
	t.Parallel()
	s, c := setup(t)
	ctx := context.Background()
	ref := createAgent(t, c, sampleSpec())
	phone := s.AddNumber("+13135550100").PhoneNumber
	rc := &receiver{answer: voice.InboundAnswer{Agent: ref, Variables: map[string]string{"first_name": "Ada"}}}
	hook := httptest.NewServer(rc.serve(c))
	t.Cleanup(hook.Close)

	res, err := s.SignedInbound(hook.URL+"/inbound", "+12125550123", phone)
	if err != nil {
		t.Fatal(err)
	}
	if len(rc.inbound) != 1 || rc.inbound[0] != (voice.InboundCall{From: "+12125550123", To: phone}) {
		t.Fatalf("inbound = %+v", rc.inbound)
	}
	if res.StatusCode != http.StatusOK || res.Reply.OverrideAgentID != ref.AgentID ||
		!reflect.DeepEqual(res.Reply.DynamicVariables, map[string]string{"first_name": "Ada"}) {
		t.Fatalf("result = %+v (%s)", res, res.Raw)
	}
	if res.CallID == "" {
		t.Fatal("the call was not answered")
	}
	rec, err := c.GetCall(ctx, res.CallID)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Direction != teli.DirectionInbound || rec.CallID != "" || rec.AgentID != ref.AgentID ||
		rec.From != "+12125550123" || rec.Variables["first_name"] != "Ada" {
		t.Fatalf("inbound call = %+v", rec)
	}
}

func TestInboundUnanswered(t *testing.T) {
	t.Parallel()
	s, c := setup(t)
	phone := s.AddNumber("+13135550100").PhoneNumber
	rc := &receiver{}
	hook := httptest.NewServer(rc.serve(c))
	t.Cleanup(hook.Close)
	res, err := s.SignedInbound(hook.URL+"/inbound", "+12125550123", phone)
	if err != nil {
		t.Fatal(err)
	}
	if string(res.Raw) != `{"call_inbound":{}}` || res.CallID != "" || len(s.Calls()) != 0 {
		t.Fatalf("result = %+v (%s), calls %v", res, res.Raw, s.Calls())
	}
}

func TestInboundResponseShape(t *testing.T) {
	t.Parallel()
	c, err := retell.New(retell.Config{APIKey: "key_x"})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		answer voice.InboundAnswer
		want   string
	}{
		{voice.InboundAnswer{Agent: voice.Ref{AgentID: "agent_1", LLMID: "llm_1"}, Variables: map[string]string{"first_name": "Ada"}},
			`{"call_inbound":{"override_agent_id":"agent_1","dynamic_variables":{"first_name":"Ada"}}}`},
		{voice.InboundAnswer{Agent: voice.Ref{AgentID: "agent_1"}}, `{"call_inbound":{"override_agent_id":"agent_1"}}`},
		{voice.InboundAnswer{}, `{"call_inbound":{}}`},
		{voice.InboundAnswer{Variables: map[string]string{"x": "y"}}, `{"call_inbound":{}}`},
	}
	for _, tc := range cases {
		got, err := c.InboundResponse(tc.answer)
		if err != nil || string(got) != tc.want {
			t.Errorf("InboundResponse(%+v) = %s, %v; want %s", tc.answer, got, err, tc.want)
		}
	}
}

func TestParseInboundBodies(t *testing.T) {
	t.Parallel()
	c, err := retell.New(retell.Config{APIKey: "key_x"})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		body string
		want voice.InboundCall
		ok   bool
	}{
		{`{"event":"call_inbound","call_inbound":{"agent_id":"agent_12345","agent_version":1,"from_number":"+14155552671","to_number":"+14155550100"}}`,
			voice.InboundCall{From: "+14155552671", To: "+14155550100"}, true},
		{`{"event":"call_inbound","call_inbound":{"from_number":"+14155552671","to_number":"+14155550100"},"event_timestamp":1714575845000}`,
			voice.InboundCall{From: "+14155552671", To: "+14155550100"}, true},
		{`{"from_number":"+14155552671","to_number":"+14155550100"}`, voice.InboundCall{From: "+14155552671", To: "+14155550100"}, true},
		{`{"event":"call_ended","call_inbound":{"from_number":"+14155552671","to_number":"+14155550100"}}`, voice.InboundCall{}, false},
		{`{"event":"call_inbound","call_inbound":{"from_number":"+14155552671"}}`, voice.InboundCall{}, false},
		{`not json`, voice.InboundCall{}, false},
	}
	for _, tc := range cases {
		body := []byte(tc.body)
		got, err := c.ParseInbound(signedRequest(body, retelltest.SignWith("key_x", body, time.Now())), body)
		if tc.ok && (err != nil || got != tc.want) {
			t.Errorf("%s: %+v, %v", tc.body, got, err)
		}
		if !tc.ok && (err == nil || errors.Is(err, voice.ErrUnauthorized)) {
			t.Errorf("%s: err = %v, want a decoding error", tc.body, err)
		}
	}
}
