package app_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/openteli/teli/internal/apitest"
	"github.com/openteli/teli/internal/jobargs"
	"github.com/openteli/teli/internal/teli"
)

// The stories below drive whole conversations through the real server, over HTTP, with the
// sandbox carrier and a clock the test moves. Every number's area code puts it in one US zone:
// 313 Detroit (Eastern), 312 Chicago (Central), 303 Denver (Mountain), 213 Los Angeles
// (Pacific). Friday 2026-01-23 is a winter day: UTC-5, -6, -7 and -8.

const sendingNumber = "+13135727768"

// storyEnv is one booted server with an organization, an admin and an SMS agent.
type storyEnv struct {
	t     *testing.T
	srv   *apitest.Server
	c     client
	org   string
	admin string
	agent string
}

func newStory(t *testing.T, b apitest.Backend, start time.Time) *storyEnv {
	t.Helper()
	srv := apitest.NewServer(t, b)
	srv.Clock.Set(start)
	h := httptest.NewServer(srv.App.Handler())
	t.Cleanup(h.Close)
	e := &storyEnv{t: t, srv: srv, c: client{t: t, base: h.URL, key: apitest.Key}, org: srv.OrgID, admin: srv.AdminID}
	agent := e.c.do("POST", "/v1/agents", fmt.Sprintf(`{"agent_type": "sms", "agent_name": "Qualifier",
		"starting_message": "Hi {{first_name}}, still looking to refinance?", "prompt": "Be helpful.",
		"organization_id": %q, "user_id": %q}`, e.org, e.admin), 200)
	e.agent = agent["agent_id"].(string)
	return e
}

// launch starts a live campaign to the given numbers (first names Lead0, Lead1, …).
func (e *storyEnv) launch(id string, phones ...string) {
	e.t.Helper()
	var contacts []string
	for i, p := range phones {
		contacts = append(contacts, fmt.Sprintf(`{"phone_number": %q, "first_name": "Lead%d"}`, p, i))
	}
	e.launchContacts(id, contacts...)
}

// launchContacts starts a live campaign to the given contact objects.
func (e *storyEnv) launchContacts(id string, contacts ...string) {
	e.t.Helper()
	e.c.do("POST", "/v1/campaigns", fmt.Sprintf(`{"campaign_id": %q, "campaign_name": %q, "organization_id": %q,
		"user_id": %q, "sms_agent_id": %q, "teli_sms_number": %q, "contacts": [%s]}`,
		id, id, e.org, e.admin, e.agent, sendingNumber, strings.Join(contacts, ",")), 200)
}

// wake runs a dispatch now, as the scheduled wake-up job would once its time comes: the job
// queue schedules on the real clock, the stories move a manual one.
func (e *storyEnv) wake() {
	e.t.Helper()
	if err := e.srv.App.Store().Enqueue(context.Background(), jobargs.Dispatch{}, teli.JobOpts{}); err != nil {
		e.t.Fatal(err)
	}
}

// threadMessages returns a thread's messages, oldest first.
func (e *storyEnv) threadMessages(campaign, phone string) []map[string]any {
	e.t.Helper()
	page := e.c.do("GET", "/v1/campaigns/"+campaign+"/threads/"+url.PathEscape(phone+"_"+campaign)+"/messages?limit=1000", "", 200)
	raw := page["messages"].([]any)
	out := make([]map[string]any, len(raw))
	for i, m := range raw {
		out[len(raw)-1-i] = m.(map[string]any)
	}
	return out
}

// statuses summarises a thread as "sender:status[/reason]" per message, oldest first.
func (e *storyEnv) statuses(campaign, phone string) string {
	e.t.Helper()
	var parts []string
	for _, m := range e.threadMessages(campaign, phone) {
		s := fmt.Sprintf("%s:%s", m["sender"], m["status"])
		if r, ok := m["status_reason"].(string); ok && r != "" {
			s += "/" + r
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

// waitStatuses waits until a thread reads want.
func (e *storyEnv) waitStatuses(campaign, phone, want string) {
	e.t.Helper()
	var got string
	deadline := time.Now().Add(20 * time.Second)
	for {
		if got = e.statuses(campaign, phone); got == want {
			return
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("thread %s of %s: got %q, want %q", phone, campaign, got, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (e *storyEnv) campaignStatus(id string) string {
	e.t.Helper()
	return e.c.do("GET", "/v1/campaigns/"+id, "", 200)["campaign"].(map[string]any)["status"].(string)
}

func (e *storyEnv) reply(from, body string) {
	e.t.Helper()
	e.c.do("POST", "/v1/sandbox/inbound", fmt.Sprintf(`{"from": %q, "to": %q, "body": %q}`, from, sendingNumber, body), 200)
}

var (
	detroit = "+13135550101"
	chicago = "+13125550102"
	denver  = "+13035550103"
	la      = "+12135550104"
)

func TestStories(t *testing.T) {
	for _, b := range apitest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			t.Run("StartingMessagesFollowEachRecipientsWindow", func(t *testing.T) { storyTimeZones(t, b) })
			t.Run("ReplyAndHumanTakeover", func(t *testing.T) { storyTakeover(t, b) })
			t.Run("StopAcrossCampaigns", func(t *testing.T) { storyStop(t, b) })
			t.Run("PauseResumeEnd", func(t *testing.T) { storyLifecycle(t, b) })
			t.Run("IdempotentManualSend", func(t *testing.T) { storyIdempotency(t, b) })
			t.Run("DripsInTheWindowUntilAReply", func(t *testing.T) { storyDrips(t, b) })
		})
	}
}

// storyTimeZones launches at 08:30 in Detroit, when it is still night further west, and walks
// the clock through the morning: each starting message goes out when its recipient's window
// opens, never before.
func storyTimeZones(t *testing.T, b apitest.Backend) {
	e := newStory(t, b, time.Date(2026, 1, 23, 13, 30, 0, 0, time.UTC)) // 08:30 Eastern
	e.launch("tz", detroit, chicago, denver, la)
	// A Detroit number whose lead lives in California: the lead's own zone decides.
	const movedWest = "+13135550199"
	e.launchContacts("moved", fmt.Sprintf(`{"phone_number": %q, "first_name": "Mo", "time_zone": "America/Los_Angeles"}`, movedWest))
	e.waitStatuses("moved", movedWest, "agent:queued/quiet_hours")
	e.waitStatuses("tz", detroit, "agent:delivered")
	for _, p := range []string{chicago, denver, la} {
		e.waitStatuses("tz", p, "agent:queued/quiet_hours")
	}
	steps := []struct {
		at        time.Time
		delivered []string
	}{
		{time.Date(2026, 1, 23, 13, 59, 0, 0, time.UTC), nil},              // 07:59 Central: still closed
		{time.Date(2026, 1, 23, 14, 0, 0, 0, time.UTC), []string{chicago}}, // 08:00 Central
		{time.Date(2026, 1, 23, 15, 0, 0, 0, time.UTC), []string{denver}},  // 08:00 Mountain
		{time.Date(2026, 1, 23, 16, 0, 0, 0, time.UTC), []string{la}},      // 08:00 Pacific
	}
	done := map[string]bool{detroit: true}
	for _, s := range steps {
		e.srv.Clock.Set(s.at)
		e.wake()
		for _, p := range s.delivered {
			done[p] = true
			e.waitStatuses("tz", p, "agent:delivered")
		}
		for _, p := range []string{chicago, denver, la} {
			if !done[p] {
				e.waitStatuses("tz", p, "agent:queued/quiet_hours")
			}
		}
		if !done[la] {
			e.waitStatuses("moved", movedWest, "agent:queued/quiet_hours")
		}
	}
	e.waitStatuses("moved", movedWest, "agent:delivered")
	if st := e.campaignStatus("tz"); st != "COMPLETED" {
		t.Fatalf("every lead got its starting message; campaign is %s", st)
	}
}

// storyTakeover: a reply lands in its thread; a person's message to a contact whose starting
// message still waits for the window takes the thread over, goes out at once (people are not
// held to quiet hours), and the AI's message never goes out, even after the window opens.
func storyTakeover(t *testing.T, b apitest.Backend) {
	e := newStory(t, b, time.Date(2026, 1, 23, 13, 30, 0, 0, time.UTC))
	e.launch("takeover", detroit, la)
	e.waitStatuses("takeover", detroit, "agent:delivered")
	e.reply(detroit, "Yes, tell me more")
	e.waitStatuses("takeover", detroit, "agent:delivered contact:received")

	e.waitStatuses("takeover", la, "agent:queued/quiet_hours")
	sent := e.c.do("POST", "/v1/sms/send", fmt.Sprintf(`{"campaign_id": "takeover", "phone_number": "(213) 555-0104",
		"message": "Hi, this is Jane from the team.", "user_id": %q}`, e.admin), 200)
	if sent["phone_number"] != la || sent["human_takeover"] != true {
		t.Fatalf("send: %v", sent)
	}
	e.waitStatuses("takeover", la, "agent:canceled/human_takeover human:delivered")
	msgs := e.threadMessages("takeover", la)
	if msgs[1]["sent_by_user_id"] != e.admin || msgs[1]["message"] != "Hi, this is Jane from the team." {
		t.Fatalf("human message: %v", msgs[1])
	}
	e.srv.Clock.Set(time.Date(2026, 1, 23, 17, 0, 0, 0, time.UTC))
	e.wake()
	e.c.do("POST", "/v1/sms/send", `{"campaign_id": "takeover", "phone_number": "+12135550104", "message": "Following up."}`, 200)
	e.waitStatuses("takeover", la, "agent:canceled/human_takeover human:delivered human:delivered")

	contacts := e.c.do("GET", "/v1/campaigns/takeover/contacts?user_id="+e.admin+"&is_admin=true", "", 200)["contacts"].([]any)
	for _, raw := range contacts {
		ct := raw.(map[string]any)
		human := ct["phone_number"] == la
		if ct["human_takeover"] != human || ct["ai_active"] == human {
			t.Fatalf("contact %v: takeover must be %v", ct, human)
		}
	}
}

// storyStop: STOP in one campaign suppresses the number across the organization, with one
// confirmation; a later campaign's starting message to it is blocked; a bulk send skips it; a
// person cannot text it either; START lifts it with one confirmation; HELP gets the help text.
func storyStop(t *testing.T, b apitest.Backend) {
	e := newStory(t, b, time.Date(2026, 1, 23, 18, 0, 0, 0, time.UTC)) // 13:00 Eastern
	e.launch("first", detroit, chicago)
	e.waitStatuses("first", detroit, "agent:delivered")
	e.reply(detroit, "Stop.")
	e.waitStatuses("first", detroit, "agent:delivered contact:received system:delivered")
	confirm := e.threadMessages("first", detroit)[2]["message"].(string)
	if !strings.Contains(confirm, "unsubscribed") || !strings.Contains(confirm, "Reply START") {
		t.Fatalf("opt-out confirmation: %q", confirm)
	}
	e.reply(detroit, "STOP")
	e.waitStatuses("first", detroit, "agent:delivered contact:received system:delivered contact:received")

	e.launch("second", detroit, denver)
	e.waitStatuses("second", detroit, "agent:blocked/opted_out")
	e.waitStatuses("second", denver, "agent:delivered")

	bulk := e.c.do("POST", "/v1/sms/bulk-send", fmt.Sprintf(`{"campaign_id": "first", "phone_numbers": [%q, %q],
		"message": "Rates dropped today, {{first_name}}!"}`, detroit, chicago), 200)
	if bulk["sent"] != 1.0 || bulk["skipped"] != 1.0 || bulk["failed"] != 0.0 {
		t.Fatalf("bulk send: %v", bulk)
	}
	e.waitStatuses("first", chicago, "agent:delivered broadcast:delivered")
	if got := e.threadMessages("first", chicago)[1]["message"]; got != "Rates dropped today, Lead1!" {
		t.Fatalf("bulk message rendered as %q", got)
	}
	refused := e.c.do("POST", "/v1/sms/send", fmt.Sprintf(`{"campaign_id": "first", "phone_number": %q, "message": "Hello?"}`, detroit), 400)
	if !strings.Contains(refused["error"].(string), "opted out") {
		t.Fatalf("manual send to an opted-out contact: %v", refused)
	}

	// Replies land in the thread where the conversation is going on: the first campaign's, as
	// the second one never reached the contact.
	e.reply(detroit, "START")
	e.waitStatuses("first", detroit, "agent:delivered contact:received system:delivered contact:received contact:received system:delivered")
	e.reply(detroit, "help")
	e.waitStatuses("first", detroit, "agent:delivered contact:received system:delivered contact:received contact:received system:delivered contact:received system:delivered")
	if help := e.threadMessages("first", detroit)[7]["message"].(string); !strings.Contains(help, "reply STOP") {
		t.Fatalf("help text: %q", help)
	}
	e.waitStatuses("second", detroit, "agent:blocked/opted_out")
	e.c.do("POST", "/v1/sms/send", fmt.Sprintf(`{"campaign_id": "first", "phone_number": %q, "message": "Welcome back."}`, detroit), 200)
	e.waitStatuses("first", detroit, "agent:delivered contact:received system:delivered contact:received contact:received system:delivered contact:received system:delivered human:delivered")

	// Usage counts segments: every outbound message that reached the carrier, every inbound one.
	wantOut, wantIn := 0.0, 0.0
	for _, camp := range []string{"first", "second"} {
		for _, raw := range e.c.do("GET", "/v1/campaigns/"+camp+"/messages?limit=1000", "", 200)["messages"].([]any) {
			m := raw.(map[string]any)
			switch {
			case m["sender_type"] == "user":
				wantIn += m["segments"].(float64)
			case m["status"] == "delivered":
				wantOut += m["segments"].(float64)
			}
		}
	}
	org := e.c.do("GET", "/v1/organizations/"+e.org, "", 200)["organization"].(map[string]any)
	if org["total_sms_outbound"] != wantOut || org["total_sms_inbound"] != wantIn || wantIn != 4 {
		t.Fatalf("usage: %v out, %v in; the messages say %v and %v", org["total_sms_outbound"], org["total_sms_inbound"], wantOut, wantIn)
	}
}

// storyLifecycle: launches at night so nothing can go out, then pauses one campaign and ends
// another. When morning comes the paused campaign's messages wait, and go out once resumed;
// the ended campaign's never do.
func storyLifecycle(t *testing.T, b apitest.Backend) {
	e := newStory(t, b, time.Date(2026, 1, 23, 8, 0, 0, 0, time.UTC)) // 03:00 Eastern
	e.launch("paused", detroit, chicago)
	e.launch("ended", denver, la)
	e.waitStatuses("paused", detroit, "agent:queued/quiet_hours")
	e.waitStatuses("ended", la, "agent:queued/quiet_hours")
	if got := e.c.do("POST", "/v1/campaigns/paused/pause", "", 200); got["status"] != "PAUSED" {
		t.Fatalf("pause: %v", got)
	}
	ended := e.c.do("POST", "/v1/campaigns/ended/end", "", 200)
	if ended["status"] != "ENDED" {
		t.Fatalf("end: %v", ended)
	}
	e.waitStatuses("ended", la, "agent:canceled/campaign_ended")
	e.waitStatuses("ended", denver, "agent:canceled/campaign_ended")

	e.srv.Clock.Set(time.Date(2026, 1, 23, 20, 0, 0, 0, time.UTC)) // afternoon everywhere
	e.wake()
	e.waitStatuses("paused", detroit, "agent:queued/campaign_paused")
	e.waitStatuses("paused", chicago, "agent:queued/campaign_paused")
	if st := e.campaignStatus("ended"); st != "ENDED" {
		t.Fatalf("ended campaign is %s", st)
	}
	e.c.do("POST", "/v1/campaigns/ended/resume", "", 409)
	if got := e.c.do("POST", "/v1/campaigns/paused/resume", "", 200); got["status"] != "ACTIVE" {
		t.Fatalf("resume: %v", got)
	}
	e.waitStatuses("paused", detroit, "agent:delivered")
	e.waitStatuses("paused", chicago, "agent:delivered")
	e.waitStatuses("ended", la, "agent:canceled/campaign_ended")
	if st := e.campaignStatus("paused"); st != "COMPLETED" {
		t.Fatalf("resumed campaign after every starting message: %s", st)
	}
}

// storyIdempotency: a retried manual send with the same Idempotency-Key answers the first
// response and sends nothing new.
func storyIdempotency(t *testing.T, b apitest.Backend) {
	e := newStory(t, b, time.Date(2026, 1, 23, 18, 0, 0, 0, time.UTC))
	e.launch("idem", detroit)
	e.waitStatuses("idem", detroit, "agent:delivered")
	body := fmt.Sprintf(`{"campaign_id": "idem", "phone_number": %q, "message": "One time only."}`, detroit)
	first := e.post("/v1/sms/send", body, "key-1")
	second := e.post("/v1/sms/send", body, "key-1")
	if first.body != second.body || first.replayed || !second.replayed {
		t.Fatalf("retry answered %q (replayed %v), first %q", second.body, second.replayed, first.body)
	}
	e.waitStatuses("idem", detroit, "agent:delivered human:delivered")
	if other := e.post("/v1/sms/send", strings.Replace(body, "One time", "Another time", 1), "key-1"); other.status != 400 {
		t.Fatalf("same key, different request: %d %s", other.status, other.body)
	}
}

type rawResponse struct {
	status   int
	body     string
	replayed bool
}

func (e *storyEnv) post(path, body, key string) rawResponse {
	e.t.Helper()
	req, _ := http.NewRequest("POST", e.c.base+path, strings.NewReader(body))
	req.Header.Set("X-API-Key", e.c.key)
	req.Header.Set("Idempotency-Key", key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return rawResponse{status: resp.StatusCode, body: string(data), replayed: resp.Header.Get("Idempotent-Replayed") == "true"}
}

// storyDrips: an agent with two follow-ups. Each is timed from the thread's last outbound
// message, waits for the recipient's window, and stops for good once the lead replies.
func storyDrips(t *testing.T, b apitest.Backend) {
	start := time.Date(2026, 1, 23, 18, 0, 0, 0, time.UTC) // Friday 13:00 Eastern
	e := newStory(t, b, start)
	agent := e.c.do("POST", "/v1/agents", fmt.Sprintf(`{"agent_type": "sms", "agent_name": "Dripper",
		"starting_message": "Hi {{first_name}}!", "prompt": "Be helpful.", "organization_id": %q, "user_id": %q,
		"drip_schedule": [{"delay_hours": 10, "type": "custom", "message": "Still there, {{first_name}}?"},
		                  {"day": 2, "message": "Last check from us."}]}`, e.org, e.admin), 200)
	e.agent = agent["agent_id"].(string)
	quiet, talker := detroit, chicago
	e.launch("drips", quiet, talker)
	e.waitStatuses("drips", quiet, "agent:delivered")
	e.waitStatuses("drips", talker, "agent:delivered")
	e.reply(talker, "Who is this?")
	e.waitStatuses("drips", talker, "agent:delivered contact:received")

	// sweep runs the drip sweep at a given time, as the periodic job would, and then a
	// dispatch; it returns how many follow-ups came due.
	sweep := func(at time.Time) int {
		t.Helper()
		e.srv.Clock.Set(at)
		n, err := e.srv.App.Outbound().RunDrips(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		e.wake()
		return n
	}
	if n := sweep(start.Add(10*time.Hour - time.Minute)); n != 0 {
		t.Fatalf("%d follow-ups before the first was due", n)
	}
	// Due at 04:00 UTC, 23:00 in Detroit: it waits for the morning.
	if n := sweep(start.Add(10 * time.Hour)); n != 1 {
		t.Fatalf("%d follow-ups due; want 1 (the lead who replied gets none)", n)
	}
	e.waitStatuses("drips", quiet, "agent:delivered drip:queued/quiet_hours")
	sweep(start.Add(19 * time.Hour)) // Saturday 08:00 Eastern
	e.waitStatuses("drips", quiet, "agent:delivered drip:delivered")
	if got := e.threadMessages("drips", quiet)[1]["message"]; got != "Still there, Lead0?" {
		t.Fatalf("first drip: %q", got)
	}
	// The second step is due two days after the first drip went out.
	if n := sweep(start.Add(19*time.Hour + 47*time.Hour)); n != 0 {
		t.Fatalf("second follow-up came due early (%d)", n)
	}
	if n := sweep(start.Add(19*time.Hour + 48*time.Hour)); n != 1 {
		t.Fatalf("second follow-up: %d due", n)
	}
	e.waitStatuses("drips", quiet, "agent:delivered drip:delivered drip:delivered")
	if n := sweep(start.Add(400 * time.Hour)); n != 0 {
		t.Fatalf("%d follow-ups after the sequence ended", n)
	}
	e.waitStatuses("drips", talker, "agent:delivered contact:received")
}
