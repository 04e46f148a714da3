package retell_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openteli/teli/internal/teli"
	"github.com/openteli/teli/internal/voice"
	"github.com/openteli/teli/internal/voice/retell"
	"github.com/openteli/teli/internal/voice/retell/retelltest"
)

// setup starts a fake Retell and a client pointed at it.
func setup(t *testing.T, configure ...func(*retell.Config)) (*retelltest.Server, *retell.Client) {
	t.Helper()
	s := retelltest.New()
	t.Cleanup(s.Close)
	cfg := retell.Config{APIKey: s.APIKey, BaseURL: s.URL(), Timeout: 5 * time.Second}
	for _, f := range configure {
		f(&cfg)
	}
	c, err := retell.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s, c
}

// clock is a settable clock for the fake and the client.
type clock struct{ ms atomic.Int64 }

func newClock(t time.Time) *clock {
	c := &clock{}
	c.set(t)
	return c
}

func (c *clock) set(t time.Time)     { c.ms.Store(t.UnixMilli()) }
func (c *clock) now() time.Time      { return time.UnixMilli(c.ms.Load()).UTC() }
func (c *clock) add(d time.Duration) { c.ms.Add(d.Milliseconds()) }

func ptr[T any](v T) *T { return &v }

// sampleSpec is an agent spec using every kind of field the adapter maps.
func sampleSpec() voice.AgentSpec {
	return voice.AgentSpec{
		AgentName:          "Front desk",
		Prompt:             "You are the front desk of Acme Dental.",
		BeginMessage:       "Hi {{first_name}}, this is Acme Dental.",
		VoiceID:            "11labs-Adrian",
		Language:           "en-US",
		VoicemailDetection: true,
		VoicemailMessage:   "Please call us back.",
		Tools: []json.RawMessage{
			json.RawMessage(`{"type":"end_call","name":"end_call","description":"End the call when done."}`),
		},
		KnowledgeBaseIDs: []string{"knowledge_base_7a0682ce5fc02413"},
		KBConfig:         &teli.KBConfig{TopK: ptr(3), FilterScore: ptr(0.6)},
		Settings: teli.VoiceSettings{
			VoiceSpeed:       ptr(1.2),
			AmbientSound:     ptr(""),
			BoostedKeywords:  []string{"Acme"},
			ReminderMaxCount: ptr(2),
		},
	}
}

func createAgent(t *testing.T, c *retell.Client, spec voice.AgentSpec) voice.Ref {
	t.Helper()
	ref, err := c.CreateAgent(context.Background(), spec)
	if err != nil {
		t.Fatalf("CreateAgent: %v", err)
	}
	return ref
}

// jsonOf re-encodes v for comparisons that ignore Go types (float64 vs int).
func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestNewRequiresAPIKey(t *testing.T) {
	t.Parallel()
	if _, err := retell.New(retell.Config{}); err == nil {
		t.Fatal("New without an API key succeeded")
	}
	c, err := retell.New(retell.Config{APIKey: "key_x"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Name() != "retell" {
		t.Fatalf("Name() = %q", c.Name())
	}
}

func TestCreateAgentWritesLLMAndAgent(t *testing.T) {
	t.Parallel()
	s, c := setup(t, func(cfg *retell.Config) { cfg.WebhookURL = "https://teli.example/v1/webhooks/retell" })
	ref := createAgent(t, c, sampleSpec())
	if !strings.HasPrefix(ref.AgentID, "agent_") || !strings.HasPrefix(ref.LLMID, "llm_") {
		t.Fatalf("ref = %+v", ref)
	}

	llm, ok := s.LLM(ref.LLMID)
	if !ok {
		t.Fatalf("no LLM %s on the fake", ref.LLMID)
	}
	wantLLM := map[string]string{
		"general_prompt":     `"You are the front desk of Acme Dental."`,
		"begin_message":      `"Hi {{first_name}}, this is Acme Dental."`,
		"general_tools":      `[{"description":"End the call when done.","name":"end_call","type":"end_call"}]`,
		"knowledge_base_ids": `["knowledge_base_7a0682ce5fc02413"]`,
		"kb_config":          `{"filter_score":0.6,"top_k":3}`,
		"start_speaker":      `"agent"`,
	}
	for k, want := range wantLLM {
		if got := jsonOf(t, llm[k]); got != want {
			t.Errorf("LLM %s = %s, want %s", k, got, want)
		}
	}

	agent, ok := s.Agent(ref.AgentID)
	if !ok {
		t.Fatalf("no agent %s on the fake", ref.AgentID)
	}
	wantAgent := map[string]string{
		"response_engine":    `{"llm_id":"` + ref.LLMID + `","type":"retell-llm"}`,
		"voice_id":           `"11labs-Adrian"`,
		"agent_name":         `"Front desk"`,
		"language":           `"en-US"`,
		"voicemail_option":   `{"action":{"text":"Please call us back.","type":"static_text"}}`,
		"voice_speed":        `1.2`,
		"boosted_keywords":   `["Acme"]`,
		"reminder_max_count": `2`,
		"ambient_sound":      `null`,
		"webhook_url":        `"https://teli.example/v1/webhooks/retell"`,
	}
	for k, want := range wantAgent {
		got, present := agent[k]
		if !present {
			t.Errorf("agent has no %s", k)
			continue
		}
		if g := jsonOf(t, got); g != want {
			t.Errorf("agent %s = %s, want %s", k, g, want)
		}
	}
	// The legacy voicemail fields are gone from Retell's API; voicemail_option replaces them.
	for _, k := range []string{"enable_voicemail_detection", "voicemail_message", "voice_temperature"} {
		if _, present := agent[k]; present {
			t.Errorf("agent carries %s", k)
		}
	}
}

func TestCreateAgentVoicemail(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		detect  bool
		message string
		want    string
	}{
		{"off", false, "ignored", `null`},
		{"hang up", true, "", `{"action":{"type":"hangup"}}`},
		{"leave a message", true, "Call {{company}} back", `{"action":{"text":"Call {{company}} back","type":"static_text"}}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, c := setup(t)
			spec := sampleSpec()
			spec.VoicemailDetection, spec.VoicemailMessage = tc.detect, tc.message
			ref := createAgent(t, c, spec)
			agent, _ := s.Agent(ref.AgentID)
			if got := jsonOf(t, agent["voicemail_option"]); got != tc.want {
				t.Fatalf("voicemail_option = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestCreateAgentLeavesNoOrphanLLM(t *testing.T) {
	t.Parallel()
	for _, status := range []int{http.StatusBadRequest, http.StatusUnprocessableEntity, http.StatusInternalServerError} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			t.Parallel()
			s, c := setup(t)
			s.FailNext("/create-agent", 1, status)
			_, err := c.CreateAgent(context.Background(), sampleSpec())
			var apiErr *retell.APIError
			if !errors.As(err, &apiErr) || apiErr.StatusCode != status {
				t.Fatalf("err = %v, want the %d", err, status)
			}
			if ids := s.LLMIDs(); len(ids) != 0 {
				t.Fatalf("LLMs left behind: %v", ids)
			}
			if ids := s.AgentIDs(); len(ids) != 0 {
				t.Fatalf("agents created: %v", ids)
			}
			if n := s.Count("POST", "/create-retell-llm"); n != 1 {
				t.Fatalf("%d LLMs created, want 1 (then deleted)", n)
			}
		})
	}
}

func TestCreateAgentReportsFailedCleanup(t *testing.T) {
	t.Parallel()
	s, c := setup(t)
	s.FailNext("/create-agent", 1, http.StatusInternalServerError)
	s.FailNext("/delete-retell-llm/", 1, http.StatusInternalServerError)
	_, err := c.CreateAgent(context.Background(), sampleSpec())
	if err == nil || !strings.Contains(err.Error(), "deleting its LLM") {
		t.Fatalf("err = %v, want it to name the failed clean-up", err)
	}
}

func TestCreateAgentRequiresVoice(t *testing.T) {
	t.Parallel()
	s, c := setup(t)
	spec := sampleSpec()
	spec.VoiceID = ""
	if _, err := c.CreateAgent(context.Background(), spec); err == nil {
		t.Fatal("created an agent without a voice")
	}
	if n := len(s.Requests()); n != 0 {
		t.Fatalf("%d requests sent for an agent Retell would refuse", n)
	}
}

func TestCreateAgentRefusedLLM(t *testing.T) {
	t.Parallel()
	s, c := setup(t)
	spec := sampleSpec()
	spec.KBConfig = &teli.KBConfig{TopK: ptr(11)}
	_, err := c.CreateAgent(context.Background(), spec)
	var apiErr *retell.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusBadRequest {
		t.Fatalf("err = %v, want Retell's 400", err)
	}
	if n := s.Count("POST", "/create-agent"); n != 0 {
		t.Fatalf("create-agent called %d times after the LLM was refused", n)
	}
}

func TestUpdateAgentReplacesConfiguration(t *testing.T) {
	t.Parallel()
	s, c := setup(t)
	ref := createAgent(t, c, sampleSpec())

	spec := voice.AgentSpec{
		AgentName:    "Night desk",
		Prompt:       "You answer after hours.",
		BeginMessage: "",
		VoiceID:      "retell-Cimo",
		Language:     "es-ES",
		Settings:     teli.VoiceSettings{AmbientSound: ptr("coffee-shop")},
	}
	if err := c.UpdateAgent(context.Background(), ref, spec); err != nil {
		t.Fatal(err)
	}
	llm, _ := s.LLM(ref.LLMID)
	wantLLM := map[string]string{
		"general_prompt":     `"You answer after hours."`,
		"begin_message":      `""`,
		"general_tools":      `[]`,
		"knowledge_base_ids": `[]`,
		"kb_config":          `null`,
		"start_speaker":      `"user"`,
	}
	for k, want := range wantLLM {
		if got := jsonOf(t, llm[k]); got != want {
			t.Errorf("LLM %s = %s, want %s", k, got, want)
		}
	}
	agent, _ := s.Agent(ref.AgentID)
	wantAgent := map[string]string{
		"agent_name":       `"Night desk"`,
		"voice_id":         `"retell-Cimo"`,
		"language":         `"es-ES"`,
		"voicemail_option": `null`,
		"boosted_keywords": `null`,
		"ambient_sound":    `"coffee-shop"`,
		"response_engine":  `{"llm_id":"` + ref.LLMID + `","type":"retell-llm"}`,
	}
	for k, want := range wantAgent {
		if got := jsonOf(t, agent[k]); got != want {
			t.Errorf("agent %s = %s, want %s", k, got, want)
		}
	}
	if n := len(s.LLMIDs()) + len(s.AgentIDs()); n != 2 {
		t.Fatalf("%d objects on the fake after an update, want the same 2", n)
	}
}

func TestUpdateAgentFindsItsLLM(t *testing.T) {
	t.Parallel()
	s, c := setup(t)
	ref := createAgent(t, c, sampleSpec())
	spec := sampleSpec()
	spec.Prompt = "Changed."
	if err := c.UpdateAgent(context.Background(), voice.Ref{AgentID: ref.AgentID}, spec); err != nil {
		t.Fatal(err)
	}
	llm, _ := s.LLM(ref.LLMID)
	if llm["general_prompt"] != "Changed." {
		t.Fatalf("general_prompt = %v", llm["general_prompt"])
	}
}

func TestUpdateUnknownAgent(t *testing.T) {
	t.Parallel()
	_, c := setup(t)
	err := c.UpdateAgent(context.Background(), voice.Ref{AgentID: "agent_missing", LLMID: "llm_missing"}, sampleSpec())
	var apiErr *retell.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusNotFound {
		t.Fatalf("err = %v, want a 404", err)
	}
}

func TestDeleteAgent(t *testing.T) {
	t.Parallel()
	s, c := setup(t)
	ref := createAgent(t, c, sampleSpec())
	ctx := context.Background()
	if err := c.DeleteAgent(ctx, ref); err != nil {
		t.Fatal(err)
	}
	if len(s.LLMIDs()) != 0 || len(s.AgentIDs()) != 0 {
		t.Fatalf("left on the fake: LLMs %v, agents %v", s.LLMIDs(), s.AgentIDs())
	}
	// Retell answers 404 for what is gone: a retried delete succeeds.
	if err := c.DeleteAgent(ctx, ref); err != nil {
		t.Fatalf("deleting again: %v", err)
	}
	if n := s.Count("DELETE", "/delete-agent/"); n != 2 {
		t.Fatalf("delete-agent called %d times, want 2", n)
	}
}

func TestDeleteAgentHalfGone(t *testing.T) {
	t.Parallel()
	s, c := setup(t)
	ref := createAgent(t, c, sampleSpec())
	ctx := context.Background()
	// A previous attempt deleted the agent, then failed on the LLM.
	s.FailNext("/delete-retell-llm/", 1, http.StatusInternalServerError)
	if err := c.DeleteAgent(ctx, ref); err == nil {
		t.Fatal("a failed LLM deletion was reported as success")
	}
	if len(s.AgentIDs()) != 0 || len(s.LLMIDs()) != 1 {
		t.Fatalf("agents %v, LLMs %v", s.AgentIDs(), s.LLMIDs())
	}
	if err := c.DeleteAgent(ctx, ref); err != nil {
		t.Fatalf("retry: %v", err)
	}
	if len(s.LLMIDs()) != 0 {
		t.Fatalf("LLM left: %v", s.LLMIDs())
	}
}

func TestDeleteAgentFailure(t *testing.T) {
	t.Parallel()
	s, c := setup(t)
	ref := createAgent(t, c, sampleSpec())
	s.FailNext("/delete-agent/", 1, http.StatusInternalServerError)
	if err := c.DeleteAgent(context.Background(), ref); err == nil {
		t.Fatal("a 500 was reported as success")
	}
	// The LLM is kept while the agent that uses it still exists.
	if len(s.AgentIDs()) != 1 || len(s.LLMIDs()) != 1 {
		t.Fatalf("agents %v, LLMs %v", s.AgentIDs(), s.LLMIDs())
	}
}

func TestAuthAndErrorBody(t *testing.T) {
	t.Parallel()
	s, _ := setup(t)
	c, err := retell.New(retell.Config{APIKey: "key_wrong", BaseURL: s.URL()})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GetCall(context.Background(), "call_1")
	var apiErr *retell.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("err = %v, want an APIError", err)
	}
	if apiErr.StatusCode != http.StatusUnauthorized || apiErr.Message != "API key is missing or invalid." {
		t.Fatalf("APIError = %+v", apiErr)
	}
	if msg := err.Error(); !strings.Contains(msg, "401") || !strings.Contains(msg, "API key is missing or invalid.") {
		t.Fatalf("error text %q names neither status nor message", msg)
	}
	reqs := s.Requests()
	if len(reqs) != 1 || reqs[0].Header.Get("Authorization") != "Bearer key_wrong" {
		t.Fatalf("requests = %+v", reqs)
	}
}

func TestRequestsAreBoundedByTimeout(t *testing.T) {
	t.Parallel()
	s, c := setup(t, func(cfg *retell.Config) { cfg.Timeout = 100 * time.Millisecond })
	s.Inject("/get-agent/", 1, retelltest.Fault{Hang: true})
	err := c.UpdateAgent(context.Background(), voice.Ref{AgentID: "agent_x"}, sampleSpec())
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the deadline", err)
	}
}

func TestSpecOfRoundTrip(t *testing.T) {
	t.Parallel()
	// What Teli stores for a voice agent reaches Retell unchanged.
	s, c := setup(t)
	a := teli.Agent{
		Name: "Sales", Prompt: "Sell.", StartingMessage: "Hello {{first_name}}",
		Voice: &teli.VoiceConfig{VoiceID: "11labs-Adrian", Language: "en-GB", Settings: teli.VoiceSettings{Responsiveness: ptr(0.8)}},
	}
	ref := createAgent(t, c, voice.SpecOf(a))
	agent, _ := s.Agent(ref.AgentID)
	llm, _ := s.LLM(ref.LLMID)
	got := map[string]any{"agent_name": agent["agent_name"], "language": agent["language"],
		"responsiveness": agent["responsiveness"], "begin_message": llm["begin_message"]}
	want := map[string]any{"agent_name": "Sales", "language": "en-GB", "responsiveness": 0.8, "begin_message": "Hello {{first_name}}"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}
