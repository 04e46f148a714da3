package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/openteli/teli/internal/apitest"
	"github.com/openteli/teli/internal/app"
	"github.com/openteli/teli/internal/carrier/twilio/twiliotest"
	"github.com/openteli/teli/internal/clock"
	"github.com/openteli/teli/internal/config"
)

// twOrgName is the organization every Twilio story sends for; the consent texts name it.
const twOrgName = "Acme Lending"

// twStarting is the SMS agent's starting message; {{first_name}} is each lead's.
const twStarting = "Hi {{first_name}}, are you still looking to refinance?"

// twEnv is the real server, booted with TELI_CARRIER=twilio against an in-process fake Twilio,
// with an organization, an admin user and an SMS agent made through the API.
type twEnv struct {
	t     *testing.T
	app   *app.App
	fake  *twiliotest.Server
	clock *clock.Manual
	// base is the server's address, which is also its TELI_PUBLIC_URL: the fake calls the
	// webhooks there and signs that URL.
	base                   string
	orgID, userID, agentID string
}

// newTwilioEnv boots the server on backend b. mode says when the fake posts status callbacks;
// tweaks adjust the configuration before the server is built.
func newTwilioEnv(t *testing.T, b apitest.Backend, mode twiliotest.CallbackMode, tweaks ...func(*config.Config)) *twEnv {
	t.Helper()
	// PublicURL must be the address the server really listens on, so the port is chosen first.
	base := "http://" + twFreeAddr(t)
	clk := clock.NewManual(apitest.Epoch)
	fake := twiliotest.New(t, twiliotest.Options{Callbacks: mode, InboundURL: base + "/webhooks/twilio/inbound", Clock: clk})

	cfg := config.Defaults()
	cfg.Addr = strings.TrimPrefix(base, "http://")
	cfg.PublicURL = base
	cfg.DatabaseURL = b.URL(t)
	cfg.BootstrapAPIKey = apitest.Key
	cfg.Carrier = config.CarrierTwilio
	cfg.TwilioAccountSID, cfg.TwilioAuthToken, cfg.TwilioBaseURL = fake.AccountSID, fake.AuthToken, fake.URL
	cfg.CarrierTimeout = 5 * time.Second
	cfg.ShutdownTimeout = 10 * time.Second
	for _, tweak := range tweaks {
		tweak(&cfg)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	logger := slog.New(slog.NewTextHandler(twLogWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	a, err := app.New(ctx, cfg, app.Options{Clock: clk, Logger: logger})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	stopped := false
	t.Cleanup(func() {
		// The fake's and the test's HTTP clients share http.DefaultTransport. A connection it
		// dialled but never used looks new to the server, and a graceful shutdown waits 5 s
		// for such connections; closing the idle ones first lets the server stop at once.
		// No fake.Wait here: the server may still be sending, and the fake's WaitGroup must
		// not be waited on while a create request may be adding to it.
		http.DefaultClient.CloseIdleConnections()
		cancel()
		if stopped {
			return
		}
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("server stopped with error: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("server did not stop within 30s of cancel")
		}
	})
	select {
	case addr := <-a.Ready():
		if "http://"+addr != base {
			t.Fatalf("server listens on %s, want %s", addr, base)
		}
	case err := <-done:
		stopped = true
		t.Fatalf("server did not start: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("server did not start within 30s")
	}

	e := &twEnv{t: t, app: a, fake: fake, clock: clk, base: base}
	org := e.do("POST", "/v1/organizations", fmt.Sprintf(`{"name": %q, "contact_email": "owner@acme.example"}`, twOrgName), 200)
	e.orgID = org["organization"].(map[string]any)["unique_id"].(string)
	user := e.do("POST", "/v1/organizations/"+e.orgID+"/users", `{"name": "Jane Doe", "email": "jane@acme.example", "permission": "admin"}`, 200)
	e.userID = user["user"].(map[string]any)["unique_id"].(string)
	agent := e.do("POST", "/v1/agents", fmt.Sprintf(`{"agent_type": "sms", "agent_name": "Refi Qualifier",
		"starting_message": %q, "prompt": "You are a friendly mortgage assistant.",
		"organization_id": %q, "user_id": %q}`, twStarting, e.orgID, e.userID), 200)
	e.agentID = agent["agent_id"].(string)
	return e
}

// twFreeAddr returns a loopback host:port nothing listens on right now.
func twFreeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}

// twLogWriter sends the server's warnings to the test log, shown when a test fails.
type twLogWriter struct{ t *testing.T }

func (w twLogWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// do calls the Teli API with the bootstrap key and fails the test unless the answer has status
// want and Teli's JSON envelope.
func (e *twEnv) do(method, path, body string, want int) map[string]any {
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
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		e.t.Fatalf("%s %s: status %d, body is not JSON: %q", method, path, resp.StatusCode, raw)
	}
	if resp.StatusCode != want || out["powered_by"] != "Teli" {
		e.t.Fatalf("%s %s: status %d (want %d), body %s", method, path, resp.StatusCode, want, raw)
	}
	return out
}

// twLead is one contact of a launch.
type twLead struct{ phone, first string }

// launch starts campaign id sending from from to leads, through POST /v1/campaigns.
func (e *twEnv) launch(id, from string, leads []twLead) {
	e.t.Helper()
	contacts := make([]string, len(leads))
	for i, l := range leads {
		contacts[i] = fmt.Sprintf(`{"phone_number": %q, "first_name": %q}`, l.phone, l.first)
	}
	body := fmt.Sprintf(`{"campaign_id": %q, "campaign_name": "Campaign %s", "organization_id": %q, "user_id": %q,
		"sms_agent_id": %q, "teli_sms_number": %q, "contacts": [%s]}`,
		id, id, e.orgID, e.userID, e.agentID, from, strings.Join(contacts, ","))
	res := e.do("POST", "/v1/campaigns", body, 200)
	if n := res["details"].(map[string]any)["total_contacts"].(float64); int(n) != len(leads) {
		e.t.Fatalf("launch %s opened %v threads, want %d: %v", id, n, len(leads), res)
	}
}

// launchSent launches campaign id sending from from to lead, whose starting message the carrier
// reports queued, then sent, and never more. Once both callbacks are in it returns the message's
// id and Twilio's sid, so that a status callback a story posts is the last word on the message.
func (e *twEnv) launchSent(id, from string, lead twLead) (msgID, sid string) {
	e.t.Helper()
	e.fake.SetScript(lead.phone, twiliotest.Step{Status: "queued"}, twiliotest.Step{Status: "sent"})
	e.launch(id, from, []twLead{lead})
	msg := e.waitStatus(id, 1, "sent")[lead.phone]
	e.waitUntil("the carrier's callbacks are in", func() bool { return len(e.fake.Deliveries()) == 2 })
	return msg["message_id"].(string), msg["provider_message_id"].(string)
}

// twStartingFor renders the agent's starting message for a lead.
func twStartingFor(first string) string {
	return strings.ReplaceAll(twStarting, "{{first_name}}", first)
}

// campaignMessages lists a campaign's messages (GET /v1/campaigns/{id}/messages).
func (e *twEnv) campaignMessages(id string) []map[string]any {
	e.t.Helper()
	return twObjects(e.do("GET", "/v1/campaigns/"+id+"/messages?limit=1000", "", 200)["messages"])
}

// threadMessages lists the messages of the thread of phone in campaign id.
func (e *twEnv) threadMessages(id, phone string) []map[string]any {
	e.t.Helper()
	path := "/v1/campaigns/" + id + "/threads/" + url.PathEscape(phone+"_"+id) + "/messages?limit=1000"
	return twObjects(e.do("GET", path, "", 200)["messages"])
}

// message reads one message (GET /v1/messages/{id}).
func (e *twEnv) message(id string) map[string]any {
	e.t.Helper()
	return e.do("GET", "/v1/messages/"+id, "", 200)["message"].(map[string]any)
}

// contact reads the thread of phone in campaign id as GET /v1/campaigns/{id}/contacts shows it.
func (e *twEnv) contact(id, phone string) map[string]any {
	e.t.Helper()
	for _, c := range twObjects(e.do("GET", "/v1/campaigns/"+id+"/contacts?limit=1000&is_admin=true&user_id="+e.userID, "", 200)["contacts"]) {
		if c["phone_number"] == phone {
			return c
		}
	}
	e.t.Fatalf("campaign %s has no contact %s", id, phone)
	return nil
}

// campaignStatus reads a campaign's status.
func (e *twEnv) campaignStatus(id string) string {
	e.t.Helper()
	return e.do("GET", "/v1/campaigns/"+id, "", 200)["campaign"].(map[string]any)["status"].(string)
}

// sentTo returns the outbound messages the fake accepted for recipient to, oldest first.
func (e *twEnv) sentTo(to string) []twiliotest.Message {
	var out []twiliotest.Message
	for _, m := range e.fake.Messages() {
		if m.Direction == "outbound-api" && m.To == to {
			out = append(out, m)
		}
	}
	return out
}

// sentBody counts the outbound messages the fake accepted for to with exactly body.
func (e *twEnv) sentBody(to, body string) int {
	n := 0
	for _, m := range e.sentTo(to) {
		if m.Body == body {
			n++
		}
	}
	return n
}

// waitUntil polls cond until it holds, failing the test after a deadline. It never waits a
// fixed time for something to happen: it returns as soon as cond is true.
func (e *twEnv) waitUntil(what string, cond func() bool) {
	e.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			e.t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitStatus waits until every message of campaign id has one of the statuses, and returns them
// by phone number.
func (e *twEnv) waitStatus(id string, want int, statuses ...string) map[string]map[string]any {
	e.t.Helper()
	var byPhone map[string]map[string]any
	e.waitUntil(fmt.Sprintf("the %d messages of %s are %v", want, id, statuses), func() bool {
		msgs := e.campaignMessages(id)
		byPhone = map[string]map[string]any{}
		for _, m := range msgs {
			if !twOneOf(m["status"], statuses) {
				return false
			}
			byPhone[m["phone_number"].(string)] = m
		}
		return len(msgs) == want
	})
	return byPhone
}

func twOneOf(v any, set []string) bool {
	for _, s := range set {
		if v == s {
			return true
		}
	}
	return false
}

// twObjects converts a decoded JSON array of objects.
func twObjects(v any) []map[string]any {
	list, _ := v.([]any)
	out := make([]map[string]any, 0, len(list))
	for _, x := range list {
		out = append(out, x.(map[string]any))
	}
	return out
}

// twWebhookReply is how Teli answered a webhook the test posted itself.
type twWebhookReply struct {
	status      int
	contentType string
	body        string
}

// twPostWebhook posts a form to a webhook URL with the given X-Twilio-Signature ("" sends none).
func twPostWebhook(t *testing.T, target string, params url.Values, signature string) twWebhookReply {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, target, strings.NewReader(params.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if signature != "" {
		req.Header.Set("X-Twilio-Signature", signature)
	}
	return twDoWebhook(t, req)
}

// twDoWebhook sends a prepared webhook request (from the fake's InboundRequest or StatusRequest).
func twDoWebhook(t *testing.T, req *http.Request) twWebhookReply {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return twWebhookReply{status: resp.StatusCode, contentType: resp.Header.Get("Content-Type"), body: string(raw)}
}

// twFormOf reads back the form of a request built by the fake, leaving the request usable.
func twFormOf(t *testing.T, req *http.Request) url.Values {
	t.Helper()
	raw, err := io.ReadAll(req.Body)
	if err != nil {
		t.Fatal(err)
	}
	req.Body = io.NopCloser(bytes.NewReader(raw))
	form, err := url.ParseQuery(string(raw))
	if err != nil {
		t.Fatal(err)
	}
	return form
}

// isTwiML reports whether a webhook answer is what Twilio accepts for an inbound message: 200
// with an XML content type and an empty <Response>.
func (r twWebhookReply) isTwiML() bool {
	ct := strings.TrimSpace(strings.SplitN(r.contentType, ";", 2)[0])
	return r.status == http.StatusOK && (ct == "text/xml" || ct == "application/xml") &&
		(strings.Contains(r.body, "<Response></Response>") || strings.Contains(r.body, "<Response/>")) &&
		!strings.Contains(r.body, "<Message")
}

// twIsTwiMLDelivery is isTwiML for a webhook the fake posted.
func twIsTwiMLDelivery(d twiliotest.Delivery) bool {
	return twWebhookReply{status: d.StatusCode, contentType: d.ContentType, body: d.Body}.isTwiML()
}

// twInboundFrom returns the thread's messages the contact sent, with body when body is not "".
func twInboundFrom(msgs []map[string]any, body string) []map[string]any {
	var out []map[string]any
	for _, m := range msgs {
		if m["direction"] == "inbound" && (body == "" || m["message"] == body) {
			out = append(out, m)
		}
	}
	return out
}

// twOutboundWith returns the thread's outbound messages with exactly body.
func twOutboundWith(msgs []map[string]any, body string) []map[string]any {
	var out []map[string]any
	for _, m := range msgs {
		if m["direction"] == "outbound" && m["message"] == body {
			out = append(out, m)
		}
	}
	return out
}

// twErrorCode is a message's error_code as a string, "" when null.
func twErrorCode(m map[string]any) string {
	s, _ := m["error_code"].(string)
	return s
}
