package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openteli/teli/internal/apitest"
	"github.com/openteli/teli/internal/app"
	"github.com/openteli/teli/internal/clock"
	"github.com/openteli/teli/internal/config"
	"github.com/openteli/teli/internal/ids"
	"github.com/openteli/teli/internal/llm"
	"github.com/openteli/teli/internal/llm/openai"
	"github.com/openteli/teli/internal/llm/openai/openaitest"
	"github.com/openteli/teli/internal/segment"
	"github.com/openteli/teli/internal/teli"
	"github.com/openteli/teli/internal/voice"
)

// The AI stories boot the real server with the sandbox carrier and a language model behind the
// OpenAI-compatible fake (openaitest), over real HTTP. They observe the Teli API, what the fake
// received, and (for facts the API does not show) the store and the server's log.

const (
	aiFrom        = "+13135727768" // the campaigns' sending number
	aiModel       = "gpt-test"
	aiKey         = "sk-test-0123456789"
	aiAgentPrompt = "You are Riley, a friendly mortgage assistant for Acme Lending."
	aiStarting    = "Hi {{first_name}}, still looking to refinance?"
	aiDeadline    = 30 * time.Second
)

// aiOptions adjust a server; zero values keep the defaults.
type aiOptions struct {
	noLLM       bool          // run without a language model
	burstWindow time.Duration // cfg.AIBurstWindow
	dailyCap    int           // cfg.AIDailyCap
	// configure, when set, adjusts the configuration last (voice limits, timeouts).
	configure func(*config.Config)
	// voice, when set, is the voice platform instead of the sandbox (a Retell adapter on a fake).
	voice voice.Telephony
}

// aiEnv is one booted server with an organization, an admin user and an SMS agent.
type aiEnv struct {
	t     *testing.T
	app   *app.App
	clock *clock.Manual
	fake  *aiFake // nil without a model
	logs  *aiLogs
	base  string
	org   string
	admin string
	agent string
}

// newAIEnv boots the app on a fresh database of backend b, like apitest.NewServer, with the
// fake model (unless o.noLLM), a manual clock at apitest.Epoch (a Friday afternoon in every US
// zone) and the job queue started. Everything stops when the test ends.
func newAIEnv(t *testing.T, b apitest.Backend, o aiOptions) *aiEnv {
	t.Helper()
	if time.Now().Before(apitest.Epoch.Add(time.Hour)) {
		// Jobs are scheduled on the app's clock and run on the real one.
		t.Fatalf("the AI stories need apitest.Epoch (%s) in the real past", apitest.Epoch)
	}
	ctx := context.Background()
	clk := clock.NewManual(apitest.Epoch)
	e := &aiEnv{t: t, clock: clk, logs: &aiLogs{t: t}}
	var provider llm.Provider
	if !o.noLLM {
		// Created before the app, so that it is closed after the app has stopped.
		e.fake = newAIFake(t)
		client, err := openai.New(openai.Config{
			BaseURL: e.fake.URL, APIKey: aiKey, Model: aiModel, Timeout: 20 * time.Second,
			Retry: llm.RetryPolicy{BaseDelay: 10 * time.Millisecond, MaxDelay: 50 * time.Millisecond},
		})
		if err != nil {
			t.Fatal(err)
		}
		provider = client
	}
	cfg := config.Defaults()
	cfg.DatabaseURL = b.URL(t)
	cfg.JobWorkers = 4
	if o.burstWindow > 0 {
		cfg.AIBurstWindow = o.burstWindow
	}
	if o.dailyCap > 0 {
		cfg.AIDailyCap = o.dailyCap
	}
	if o.configure != nil {
		o.configure(&cfg)
	}
	t.Cleanup(e.logs.stop) // runs last: nothing logs into the test once it is over
	a, err := app.New(ctx, cfg, app.Options{
		Clock: clk, IDs: &ids.Sequence{Millis: apitest.Epoch.UnixMilli()},
		Logger: slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelInfo})),
		LLM:    provider, Voice: o.voice,
	})
	if err != nil {
		t.Fatalf("boot app: %v", err)
	}
	e.app = a
	r, err := a.Tenancy().Bootstrap(ctx, apitest.Key)
	if err != nil || !r.Created {
		t.Fatalf("bootstrap: created=%v err=%v", r.Created, err)
	}
	if err := a.StartJobs(ctx); err != nil {
		t.Fatalf("start jobs: %v", err)
	}
	t.Cleanup(func() {
		if e.fake != nil {
			e.fake.releaseAll() // a held model call must not hold up the job queue's stop
		}
		stopCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		if err := a.StopJobs(stopCtx); err != nil {
			t.Errorf("stop jobs: %v", err)
		}
		if err := a.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	h := httptest.NewServer(a.Handler())
	t.Cleanup(h.Close)
	e.base, e.org, e.admin = h.URL, r.Organization.UniqueID, r.Admin.UniqueID
	agent := e.do("POST", "/v1/agents", fmt.Sprintf(`{"agent_type": "sms", "agent_name": "Riley",
		"starting_message": %q, "prompt": %q, "organization_id": %q, "user_id": %q,
		"extraction_fields": ["credit_score", {"name": "loan_amount", "description": "Loan amount in dollars", "type": "number"}]}`,
		aiStarting, aiAgentPrompt, e.org, e.admin), 200)
	e.agent = agent["agent_id"].(string)
	return e
}

// do calls the API with the bootstrap key and fails unless the answer has status want.
func (e *aiEnv) do(method, path, body string, want int) map[string]any {
	e.t.Helper()
	req, err := http.NewRequest(method, e.base+path, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("X-API-Key", apitest.Key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		e.t.Fatalf("%s %s: body is not JSON: %v", method, path, err)
	}
	if resp.StatusCode != want || out["powered_by"] != "Teli" {
		e.t.Fatalf("%s %s: status %d (want %d), body %v", method, path, resp.StatusCode, want, out)
	}
	return out
}

// launch starts a live campaign from aiFrom with the given contact objects; settings are
// extra campaign fields ("objective_prompt": …), or empty.
func (e *aiEnv) launch(id, settings string, contacts ...string) {
	e.t.Helper()
	if settings != "" {
		settings = ", " + settings
	}
	e.do("POST", "/v1/campaigns", fmt.Sprintf(`{"campaign_id": %q, "campaign_name": %q, "organization_id": %q,
		"user_id": %q, "sms_agent_id": %q, "teli_sms_number": %q, "contacts": [%s]%s}`,
		id, id, e.org, e.admin, e.agent, aiFrom, strings.Join(contacts, ","), settings), 200)
}

// lead is a contact object with a first name.
func aiLead(phone, first string) string {
	return fmt.Sprintf(`{"phone_number": %q, "first_name": %q}`, phone, first)
}

// inject delivers a contact's message through the sandbox carrier.
func (e *aiEnv) inject(from, body string) {
	e.t.Helper()
	e.do("POST", "/v1/sandbox/inbound", fmt.Sprintf(`{"from": %q, "to": %q, "body": %q}`, from, aiFrom, body), 200)
}

// messages returns a thread's messages, oldest first.
func (e *aiEnv) messages(campaign, phone string) []map[string]any {
	e.t.Helper()
	page := e.do("GET", "/v1/campaigns/"+campaign+"/threads/"+url.PathEscape(phone+"_"+campaign)+"/messages?limit=1000", "", 200)
	raw := page["messages"].([]any)
	out := make([]map[string]any, len(raw))
	for i, m := range raw {
		out[len(raw)-1-i] = m.(map[string]any)
	}
	return out
}

// bySender returns the bodies of a thread's messages from sender, oldest first.
func (e *aiEnv) bySender(campaign, phone, sender string) []string {
	e.t.Helper()
	var out []string
	for _, m := range e.messages(campaign, phone) {
		if m["sender"] == sender {
			out = append(out, m["message"].(string))
		}
	}
	return out
}

// statuses summarises a thread as "sender:status[/reason]" per message, oldest first.
func (e *aiEnv) statuses(campaign, phone string) string {
	e.t.Helper()
	var parts []string
	for _, m := range e.messages(campaign, phone) {
		s := fmt.Sprintf("%s:%s", m["sender"], m["status"])
		if r, ok := m["status_reason"].(string); ok && r != "" {
			s += "/" + r
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

// waitStatuses waits until a thread reads want.
func (e *aiEnv) waitStatuses(campaign, phone, want string) {
	e.t.Helper()
	var got string
	e.waitFor(fmt.Sprintf("thread %s of %s reads %q", phone, campaign, want), func() bool {
		got = e.statuses(campaign, phone)
		return got == want
	}, func() string { return "it reads " + got })
}

// contact returns a campaign's thread as GET /v1/campaigns/{id}/contacts shows it.
func (e *aiEnv) contact(campaign, phone string) map[string]any {
	e.t.Helper()
	for _, raw := range e.do("GET", "/v1/campaigns/"+campaign+"/contacts?is_admin=true&user_id="+e.admin, "", 200)["contacts"].([]any) {
		if c := raw.(map[string]any); c["phone_number"] == phone {
			return c
		}
	}
	e.t.Fatalf("campaign %s has no contact %s", campaign, phone)
	return nil
}

// extraction returns GET /v1/sms/extractions/{thread_id}, the + URL-encoded.
func (e *aiEnv) extraction(campaign, phone string) map[string]any {
	e.t.Helper()
	return e.do("GET", "/v1/sms/extractions/"+url.PathEscape(phone+"_"+campaign), "", 200)
}

// thread reads a thread from the store, for what the API does not show.
func (e *aiEnv) thread(campaign, phone string) teli.Thread {
	e.t.Helper()
	th, err := e.app.Store().RouteInbound(context.Background(), aiFrom, phone)
	if err != nil {
		e.t.Fatal(err)
	}
	if th.CampaignID != campaign {
		e.t.Fatalf("the newest thread of %s is in campaign %s, not %s", phone, th.CampaignID, campaign)
	}
	return th
}

// record writes an outbound message into a thread directly, for states the API cannot
// produce in an agent's thread (a person's message there, a canceled follow-up).
func (e *aiEnv) record(campaign, phone, sender string, purpose teli.Purpose, status teli.MessageStatus, body string) {
	e.t.Helper()
	th := e.thread(campaign, phone)
	now := e.clock.Now()
	count := segment.Of(body)
	m := teli.Message{
		ID: fmt.Sprintf("msg_test%020d", time.Now().UnixNano()), TenantID: th.TenantID, OrganizationID: th.OrganizationID,
		CampaignPK: th.CampaignPK, Phone: th.Phone, Sender: sender, Purpose: purpose, From: aiFrom, To: th.Phone,
		Body: body, Status: status, Segments: count.Segments, Encoding: string(count.Encoding),
		NotBefore: now, CreatedAt: now, UpdatedAt: now, Provider: "sandbox",
	}
	if status == teli.MessageCanceled {
		m.Reason = "test"
	}
	if err := e.app.Store().InsertMessages(context.Background(), []teli.Message{m}); err != nil {
		e.t.Fatal(err)
	}
}

// waitFor polls cond until it holds, failing after aiDeadline; detail, when given, says what
// was seen last.
func (e *aiEnv) waitFor(what string, cond func() bool, detail ...func() string) {
	e.t.Helper()
	deadline := time.Now().Add(aiDeadline)
	for !cond() {
		if time.Now().After(deadline) {
			msg := "timed out waiting until " + what
			for _, d := range detail {
				msg += ": " + d()
			}
			e.t.Fatal(msg)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// aiFake is the OpenAI-compatible fake model. Reply requests (with tools) and extraction
// requests (with response_format) have their own queues of answers; when a queue is empty a
// default answer is given.
type aiFake struct {
	*openaitest.Server

	mu     sync.Mutex
	queues [2][]openaitest.Reply // aiReplyKind, aiExtractionKind
	// holds, when set, make the next request of their kind wait until released.
	holds    [2]*aiHold
	releases []func()
}

// aiHold holds one request: held is closed when it arrives, hold releases it.
type aiHold struct{ hold, held chan struct{} }

// Kinds of model requests.
const (
	aiReplyKind      = 0
	aiExtractionKind = 1
)

// aiDefaultReply and aiDefaultExtraction answer when nothing was pushed.
const (
	aiDefaultReply      = "Thanks! A loan officer can walk you through it."
	aiDefaultExtraction = `{"extracted_fields": {}, "lead_outcome": "pending", "objective_met": false,
		"do_not_message": false, "call_transferred": false, "call_scheduled": false, "call_scheduled_time": ""}`
)

func newAIFake(t *testing.T) *aiFake {
	f := &aiFake{}
	f.Server = openaitest.New(t, openaitest.Options{APIKey: aiKey, Models: []string{aiModel}, Handler: f.answer})
	return f
}

func kindOf(req *openaitest.ChatRequest) int {
	if req.ResponseFormat != nil {
		return aiExtractionKind
	}
	return aiReplyKind
}

func (f *aiFake) answer(req *openaitest.ChatRequest) openaitest.Reply {
	k := kindOf(req)
	f.mu.Lock()
	h := f.holds[k]
	f.holds[k] = nil
	r := openaitest.Reply{Content: aiDefaultReply}
	if k == aiExtractionKind {
		r = openaitest.Reply{Content: aiDefaultExtraction}
	}
	if q := f.queues[k]; len(q) > 0 {
		r, f.queues[k] = q[0], q[1:]
	}
	f.mu.Unlock()
	if h != nil {
		close(h.held)
		select {
		case <-h.hold:
		case <-time.After(aiDeadline):
		}
	}
	return r
}

// pushReply and pushExtraction queue answers.
func (f *aiFake) pushReply(rs ...openaitest.Reply)      { f.push(aiReplyKind, rs) }
func (f *aiFake) pushExtraction(rs ...openaitest.Reply) { f.push(aiExtractionKind, rs) }

func (f *aiFake) push(k int, rs []openaitest.Reply) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.queues[k] = append(f.queues[k], rs...)
}

// holdNextReply and holdNextExtraction make the next request of their kind wait; they return
// a channel closed when that request has arrived, and release, which lets it be answered.
func (f *aiFake) holdNextReply() (arrived <-chan struct{}, release func()) {
	return f.holdNext(aiReplyKind)
}

func (f *aiFake) holdNextExtraction() (arrived <-chan struct{}, release func()) {
	return f.holdNext(aiExtractionKind)
}

func (f *aiFake) holdNext(k int) (<-chan struct{}, func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	h := &aiHold{hold: make(chan struct{}), held: make(chan struct{})}
	f.holds[k] = h
	var once sync.Once
	release := func() { once.Do(func() { close(h.hold) }) }
	f.releases = append(f.releases, release)
	return h.held, release
}

// releaseAll lets every held request go, when a story ends early.
func (f *aiFake) releaseAll() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, release := range f.releases {
		release()
	}
}

// arrived waits until a held request has come.
func (e *aiEnv) arrived(held <-chan struct{}, what string) {
	e.t.Helper()
	select {
	case <-held:
	case <-time.After(aiDeadline):
		e.t.Fatalf("timed out waiting for the %s", what)
	}
}

// requests returns the chat requests of one kind, in arrival order, with the status each got.
func (f *aiFake) requests(extraction bool) []openaitest.Request {
	var out []openaitest.Request
	for _, r := range f.Requests() {
		if r.Chat != nil && (kindOf(r.Chat) == aiExtractionKind) == extraction {
			out = append(out, r)
		}
	}
	return out
}

func (f *aiFake) replyRequests() []openaitest.Request      { return f.requests(false) }
func (f *aiFake) extractionRequests() []openaitest.Request { return f.requests(true) }

// checkValid fails the test if Teli sent the fake anything it refused as malformed, or
// anything but chat completions.
func (f *aiFake) checkValid(t *testing.T) {
	t.Helper()
	for i, r := range f.Requests() {
		if r.Path != "/v1/chat/completions" || r.Chat == nil || r.Status == http.StatusBadRequest || r.Status == http.StatusNotFound || r.Status == http.StatusUnauthorized {
			t.Errorf("request %d to the model: %s %s answered %d: %s", i, r.Method, r.Path, r.Status, r.Body)
		}
	}
}

// aiTurns renders a chat request's messages as "role: text" lines, for comparisons.
func aiTurns(req *openaitest.ChatRequest) []string {
	out := make([]string, len(req.Messages))
	for i, m := range req.Messages {
		out[i] = m.Role + ": " + m.Text()
	}
	return out
}

// aiToolNames lists the tools a request offered.
func aiToolNames(req *openaitest.ChatRequest) []string {
	var out []string
	for _, tl := range req.Tools {
		out = append(out, tl.Function.Name)
	}
	return out
}

// aiLogs keeps the server's log lines so stories can wait for what only the log says; warnings
// and errors also go to the test log.
type aiLogs struct {
	t       *testing.T
	mu      sync.Mutex
	lines   []string
	stopped bool
}

func (l *aiLogs) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	line := string(bytes.TrimRight(p, "\n"))
	l.lines = append(l.lines, line)
	if !l.stopped && (strings.Contains(line, "level=WARN") || strings.Contains(line, "level=ERROR")) {
		l.t.Log(line)
	}
	return len(p), nil
}

func (l *aiLogs) stop() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.stopped = true
}

// count reports how many log lines contain every one of parts.
func (l *aiLogs) count(parts ...string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
next:
	for _, line := range l.lines {
		for _, p := range parts {
			if !strings.Contains(line, p) {
				continue next
			}
		}
		n++
	}
	return n
}
