package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openteli/teli/internal/apitest"
	"github.com/openteli/teli/internal/carrier/sandbox"
	"github.com/openteli/teli/internal/dispatch"
	"github.com/openteli/teli/internal/jobargs"
)

// Scenarios of conversations: threads and takeover, manual and bulk sends, the campaign
// lifecycle and leads, inbound messages. They run with the server's job queue stopped, because
// every background job draws ids from the same sequence as the requests (the dispatcher's claim
// token, the carrier's provider ids): a job running between two requests would shift every id
// after it. Instead, steps under /_test/ (served by testHooks, never by the API) do the
// background work at a fixed point of the scenario: dispatch the outbox, process an inbound
// message, move the clock. Queued messages therefore stay queued until a scenario dispatches.

// conversationScenario is scenario() with the job queue stopped and the test hooks mounted.
func conversationScenario(t *testing.T, name string, steps func(srv *apitest.Server, vars map[string]string) []apitest.Step) {
	for _, b := range apitest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			srv, h := quietServer(t, b)
			vars := map[string]string{"org": srv.OrgID, "admin": srv.AdminID}
			otherTenant(t, srv, vars)
			apitest.Run(t, h, name, vars, steps(srv, vars))
		})
	}
}

// quietServer boots a test server, stops its job queue and mounts the test hooks.
func quietServer(t testing.TB, b apitest.Backend) (*apitest.Server, *testHooks) {
	t.Helper()
	srv := apitest.NewServer(t, b)
	stopCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.App.StopJobs(stopCtx); err != nil {
		t.Fatal(err)
	}
	return srv, newTestHooks(srv)
}

// testHooks serves the API plus a few /_test/ routes that stand in for the background jobs:
//
//	POST /_test/dispatch                   drain the outbox once, one message at a time
//	POST /_test/process-inbound/{id}       process a stored sandbox inbound message
//	POST /_test/clock?advance={duration}   move the server's clock forward
//	GET  /_test/last-headers               headers of interest of the previous API response
type testHooks struct {
	api  http.Handler
	mux  *http.ServeMux
	disp *dispatch.Dispatcher

	mu   sync.Mutex
	last http.Header
}

// headersOfInterest are the response headers /_test/last-headers reports.
var headersOfInterest = []string{"Idempotent-Replayed", "Allow"}

func newTestHooks(srv *apitest.Server) *testHooks {
	h := &testHooks{api: srv.App.Handler(), mux: http.NewServeMux()}
	h.disp = &dispatch.Dispatcher{
		Store: srv.App.Store(), Carrier: srv.App.Carrier(), Clock: srv.Clock,
		Log: slog.New(slog.DiscardHandler),
		// One send at a time, so the carrier mints provider ids in claim order.
		Concurrency: 1,
	}
	h.mux.HandleFunc("POST /_test/dispatch", func(w http.ResponseWriter, r *http.Request) {
		sent, _, err := h.disp.Run(r.Context())
		reply(w, map[string]any{"sent": sent}, err)
	})
	h.mux.HandleFunc("POST /_test/process-inbound/{id}", func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		err := srv.App.Conversation().ProcessInbound(r.Context(), jobargs.ProcessInbound{Provider: sandbox.Name, ProviderID: id})
		if err != nil {
			reply(w, nil, err)
			return
		}
		e, err := srv.App.Store().GetInbound(r.Context(), sandbox.Name, id)
		reply(w, map[string]any{"outcome": e.Outcome, "message_id": e.MessageID}, err)
	})
	h.mux.HandleFunc("POST /_test/clock", func(w http.ResponseWriter, r *http.Request) {
		d, err := time.ParseDuration(r.URL.Query().Get("advance"))
		if err == nil {
			srv.Clock.Advance(d)
		}
		reply(w, map[string]any{"now": srv.Clock.Now().Format(time.RFC3339Nano)}, err)
	})
	h.mux.HandleFunc("GET /_test/last-headers", func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		defer h.mu.Unlock()
		out := map[string]any{}
		for _, k := range headersOfInterest {
			if v := h.last.Get(k); v != "" {
				out[k] = v
			} else {
				out[k] = nil
			}
		}
		reply(w, out, nil)
	})
	return h
}

func (h *testHooks) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/_test/") {
		h.mux.ServeHTTP(w, r)
		return
	}
	h.api.ServeHTTP(w, r)
	h.mu.Lock()
	h.last = w.Header().Clone()
	h.mu.Unlock()
}

// reply answers a test hook; a failure shows up in the golden file as a 500.
func reply(w http.ResponseWriter, body map[string]any, err error) {
	w.Header().Set("Content-Type", "application/json")
	if err != nil {
		w.WriteHeader(http.StatusInternalServerError)
		body = map[string]any{"hook_error": err.Error()}
	}
	_ = json.NewEncoder(w).Encode(body)
}

// Steps shared by the scenarios.

// smsAgent creates the SMS agent ${agent} of the default organization.
func smsAgent() apitest.Step {
	return apitest.Step{Name: "SMS agent", Method: "POST", Path: "/v1/agents", Body: `{"agent_type": "sms", "agent_name": "Refi bot",
		"starting_message": "Hi {{first_name}}, still looking to refinance?", "prompt": "Be brief.",
		"organization_id": "${org}", "user_id": "${admin}"}`,
		Capture: map[string]string{"agent": "agent_id"}}
}

// user creates a regular user of the default organization and captures its id as v.
func user(v, name, email string) apitest.Step {
	return apitest.Step{Name: "user " + name, Method: "POST", Path: "/v1/organizations/${org}/users",
		Body: `{"name": "` + name + `", "email": "` + email + `"}`, Capture: map[string]string{v: "user.unique_id"}}
}

// launch starts a campaign of ${agent} sending from +13135727768; extra holds more fields,
// starting with a comma.
func launch(name, id, contacts, extra string) apitest.Step {
	return apitest.Step{Name: name, Method: "POST", Path: "/v1/campaigns", Body: `{"campaign_id": "` + id + `", "campaign_name": "Refi",
		"organization_id": "${org}", "user_id": "${admin}", "sms_agent_id": "${agent}", "teli_sms_number": "13135727768",
		"contacts": ` + contacts + extra + `}`}
}

// otherCampaign starts a dry-run campaign of the other tenant, sending from +13135720000 to
// +13135550001, a number the default tenant's campaigns use too.
func otherCampaign() apitest.Step {
	return apitest.Step{Name: "other tenant's campaign, to a number of ours", Method: "POST", Path: "/v1/campaigns", Key: "${other_key}",
		Body: `{"campaign_id": "other_camp", "campaign_name": "Theirs", "organization_id": "${other_org}", "user_id": "${other_user}",
		"sms_agent_id": "${other_agent}", "teli_sms_number": "+13135720000", "dry_run": true,
		"contacts": [{"phone_number": "+13135550001", "first_name": "Theirs"}]}`}
}

func dispatchStep() apitest.Step {
	return apitest.Step{Name: "(test hook) the dispatcher drains the outbox", Method: "POST", Path: "/_test/dispatch"}
}

func processInbound(v string) apitest.Step {
	return apitest.Step{Name: "(test hook) the inbound job processes it", Method: "POST", Path: "/_test/process-inbound/${" + v + "}"}
}

func advanceClock(d string) apitest.Step {
	return apitest.Step{Name: "(test hook) the clock moves on by " + d, Method: "POST", Path: "/_test/clock?advance=" + d}
}

func lastHeaders(name string) apitest.Step {
	return apitest.Step{Name: "(test hook) " + name, Method: "GET", Path: "/_test/last-headers"}
}

func TestThreads(t *testing.T) {
	conversationScenario(t, "threads", func(srv *apitest.Server, vars map[string]string) []apitest.Step {
		contacts := "/v1/campaigns/camp_threads/contacts"
		msgs := "/v1/campaigns/camp_threads/threads/%2B13135550003_camp_threads/messages"
		return []apitest.Step{
			smsAgent(),
			user("uma", "Uma User", "uma@example.com"),
			user("ned", "Ned User", "ned@example.com"),
			launch("launch", "camp_threads", `[{"phone_number": "+13135550001", "first_name": "Ann", "last_name": "Lee", "email": "ann@example.com", "credit_score": "720"},
				{"phone_number": "(415) 555-0002", "first_name": "Bo"}, {"phone_number": "+13135550003", "first_name": "Cy"},
				{"phone_number": "+13135550004", "first_name": "Di"}]`, ""),
			launch("a second campaign", "camp_second", `[{"phone_number": "+13135550005", "first_name": "Eve"}]`, `, "dry_run": true`),
			otherCampaign(),

			// Contacts before any assignment.
			{Name: "contacts: the admin sees all, the AI on every thread", Method: "GET", Path: contacts + "?user_id=${admin}&is_admin=true"},
			{Name: "contacts: a user with no assignments sees none", Method: "GET", Path: contacts + "?user_id=${uma}"},

			// Assign.
			{Name: "assign", Method: "POST", Path: "/v1/threads/assign",
				Body: `{"campaign_id": "camp_threads", "phone_number": "(313) 555-0001", "assigned_user_id": "${uma}", "organization_id": "${org}", "assigned_by": "${admin}"}`},
			{Name: "assign: assigned_user_id missing", Method: "POST", Path: "/v1/threads/assign", Body: `{"campaign_id": "camp_threads", "phone_number": "+13135550001"}`},
			{Name: "assign: empty strings", Method: "POST", Path: "/v1/threads/assign", Body: `{"campaign_id": "", "phone_number": " ", "assigned_user_id": ""}`},
			{Name: "assign: empty object", Method: "POST", Path: "/v1/threads/assign", Body: `{}`},
			{Name: "assign: not JSON", Method: "POST", Path: "/v1/threads/assign", Body: `campaign_id=camp_threads`},
			{Name: "assign: unknown number, shown normalised", Method: "POST", Path: "/v1/threads/assign",
				Body: `{"campaign_id": "camp_threads", "phone_number": "(313) 555-0099", "assigned_user_id": "${uma}"}`},
			{Name: "assign: not a phone number", Method: "POST", Path: "/v1/threads/assign",
				Body: `{"campaign_id": "camp_threads", "phone_number": "12", "assigned_user_id": "${uma}"}`},
			{Name: "assign: number of another campaign only", Method: "POST", Path: "/v1/threads/assign",
				Body: `{"campaign_id": "camp_threads", "phone_number": "+13135550005", "assigned_user_id": "${uma}"}`},
			{Name: "assign: unknown campaign", Method: "POST", Path: "/v1/threads/assign",
				Body: `{"campaign_id": "nope", "phone_number": "+13135550001", "assigned_user_id": "${uma}"}`},
			{Name: "assign: other tenant's campaign and thread", Method: "POST", Path: "/v1/threads/assign",
				Body: `{"campaign_id": "other_camp", "phone_number": "+13135550001", "assigned_user_id": "${uma}"}`},
			{Name: "assign: unknown user", Method: "POST", Path: "/v1/threads/assign",
				Body: `{"campaign_id": "camp_threads", "phone_number": "+14155550002", "assigned_user_id": "1769196600000x000000000000999999"}`},
			{Name: "assign: other tenant's user", Method: "POST", Path: "/v1/threads/assign",
				Body: `{"campaign_id": "camp_threads", "phone_number": "+14155550002", "assigned_user_id": "${other_user}"}`},
			{Name: "assign another thread to another user", Method: "POST", Path: "/v1/threads/assign",
				Body: `{"campaign_id": "camp_threads", "phone_number": "+14155550002", "assigned_user_id": "${ned}"}`},

			// Visibility after assignment.
			{Name: "contacts: Uma sees her thread only, taken over and qualified", Method: "GET", Path: contacts + "?user_id=${uma}"},
			{Name: "contacts: Ned sees his", Method: "GET", Path: contacts + "?user_id=${ned}&is_admin=false"},
			{Name: "contacts: the admin without is_admin sees the threads assigned to the admin", Method: "GET", Path: contacts + "?user_id=${admin}"},
			{Name: "contacts: admin, first page", Method: "GET", Path: contacts + "?user_id=${admin}&is_admin=true&limit=2"},
			{Name: "contacts: admin, next page", Method: "GET", Path: contacts + "?user_id=${admin}&is_admin=true&limit=2&offset=2"},
			{Name: "contacts: offset past the end", Method: "GET", Path: contacts + "?user_id=${admin}&is_admin=true&offset=10"},
			{Name: "contacts: limit above 10000 is capped", Method: "GET", Path: contacts + "?user_id=${admin}&is_admin=true&limit=20000&offset=3"},
			{Name: "contacts: limit not a number", Method: "GET", Path: contacts + "?user_id=${admin}&is_admin=true&limit=ten"},
			{Name: "contacts: limit 0", Method: "GET", Path: contacts + "?user_id=${admin}&is_admin=true&limit=0"},
			{Name: "contacts: negative offset", Method: "GET", Path: contacts + "?user_id=${admin}&is_admin=true&offset=-1"},
			{Name: "contacts: offset not a number", Method: "GET", Path: contacts + "?user_id=${admin}&is_admin=true&offset=1.5"},
			{Name: "contacts: is_admin from a regular user", Method: "GET", Path: contacts + "?user_id=${uma}&is_admin=true"},
			{Name: "contacts: user_id missing", Method: "GET", Path: contacts},
			{Name: "contacts: other tenant's user", Method: "GET", Path: contacts + "?user_id=${other_user}"},
			{Name: "contacts: unknown campaign", Method: "GET", Path: "/v1/campaigns/nope/contacts?user_id=${admin}&is_admin=true"},
			{Name: "contacts: other tenant's campaign", Method: "GET", Path: "/v1/campaigns/other_camp/contacts?user_id=${admin}&is_admin=true"},
			{Name: "assignment canceled the thread's queued starting message", Method: "GET",
				Path: "/v1/campaigns/camp_threads/threads/%2B13135550001_camp_threads/messages"},

			// Unassign.
			{Name: "unassign", Method: "POST", Path: "/v1/threads/unassign", Body: `{"campaign_id": "camp_threads", "phone_number": "313-555-0001"}`},
			{Name: "unassign: phone_number missing", Method: "POST", Path: "/v1/threads/unassign", Body: `{"campaign_id": "camp_threads"}`},
			{Name: "unassign: campaign_id missing", Method: "POST", Path: "/v1/threads/unassign", Body: `{"phone_number": "+13135550001"}`},
			{Name: "unassign: unknown number", Method: "POST", Path: "/v1/threads/unassign", Body: `{"campaign_id": "camp_threads", "phone_number": "+13135550099"}`},
			{Name: "unassign: unknown campaign", Method: "POST", Path: "/v1/threads/unassign", Body: `{"campaign_id": "nope", "phone_number": "+13135550001"}`},
			{Name: "unassign: other tenant's thread", Method: "POST", Path: "/v1/threads/unassign", Body: `{"campaign_id": "other_camp", "phone_number": "+13135550001"}`},
			{Name: "unassign: a thread never assigned", Method: "POST", Path: "/v1/threads/unassign", Body: `{"campaign_id": "camp_threads", "phone_number": "+13135550004"}`},
			{Name: "contacts: Uma no longer sees the thread", Method: "GET", Path: contacts + "?user_id=${uma}"},
			{Name: "contacts: the thread stays with people, unassigned", Method: "GET", Path: contacts + "?user_id=${admin}&is_admin=true&limit=1"},
			{Name: "assign it again, to Ned", Method: "POST", Path: "/v1/threads/assign",
				Body: `{"campaign_id": "camp_threads", "phone_number": "+13135550001", "assigned_user_id": "${ned}"}`},
			{Name: "contacts: Ned now has two", Method: "GET", Path: contacts + "?user_id=${ned}"},
			{Name: "assign: wrong method", Method: "GET", Path: "/v1/threads/assign"},
			lastHeaders("the 405 names the allowed method"),

			// A conversation with Cy, one message a minute: starting message, reply, person.
			dispatchStep(),
			advanceClock("1m"),
			{Name: "Cy replies", Method: "POST", Path: "/v1/sandbox/inbound", Body: `{"from": "+13135550003", "to": "+13135727768", "body": "Yes, what rates?"}`,
				Capture: map[string]string{"cy_reply": "inbound_id"}},
			processInbound("cy_reply"),
			advanceClock("1m"),
			{Name: "a person answers Cy", Method: "POST", Path: "/v1/sms/send",
				Body: `{"campaign_id": "camp_threads", "phone_number": "+13135550003", "message": "Rates start at 5.9%. Call me?", "user_id": "${uma}"}`},

			// Thread messages.
			{Name: "thread messages, newest first", Method: "GET", Path: msgs},
			{Name: "since: strictly after", Method: "GET", Path: msgs + "?since=2026-01-23T19:31:00Z"},
			{Name: "before: strictly before", Method: "GET", Path: msgs + "?before=2026-01-23T19:32:00Z"},
			{Name: "since and before: since wins", Method: "GET", Path: msgs + "?since=2026-01-23T19:30:00Z&before=2026-01-23T19:31:00Z"},
			{Name: "since with an offset", Method: "GET", Path: msgs + "?since=2026-01-23T14:31:00-05:00"},
			{Name: "nothing new since the last message", Method: "GET", Path: msgs + "?since=2026-01-23T19:32:00Z"},
			{Name: "limit 2: has_more", Method: "GET", Path: msgs + "?limit=2"},
			{Name: "next page back", Method: "GET", Path: msgs + "?limit=2&before=2026-01-23T19:31:00Z"},
			{Name: "limit equal to the count: has_more is only a hint", Method: "GET", Path: msgs + "?limit=3"},
			{Name: "thread id with a raw +", Method: "GET", Path: "/v1/campaigns/camp_threads/threads/+13135550003_camp_threads/messages?limit=1"},
			{Name: "dashboard proxy prefix", Method: "GET", Path: "/api/proxy/v1/campaigns/camp_threads/threads/%2B13135550003_camp_threads/messages?limit=1"},
			{Name: "thread id of another campaign: empty", Method: "GET", Path: "/v1/campaigns/camp_threads/threads/%2B13135550005_camp_second/messages"},
			{Name: "the other campaign's own thread", Method: "GET", Path: "/v1/campaigns/camp_second/threads/%2B13135550005_camp_second/messages"},
			{Name: "thread id without the +: empty", Method: "GET", Path: "/v1/campaigns/camp_threads/threads/13135550003_camp_threads/messages"},
			{Name: "unknown number: empty", Method: "GET", Path: "/v1/campaigns/camp_threads/threads/%2B13135550099_camp_threads/messages"},
			{Name: "unknown campaign", Method: "GET", Path: "/v1/campaigns/nope/threads/%2B13135550003_nope/messages"},
			{Name: "other tenant's campaign", Method: "GET", Path: "/v1/campaigns/other_camp/threads/%2B13135550001_other_camp/messages"},
			{Name: "bad since", Method: "GET", Path: msgs + "?since=yesterday"},
			{Name: "bad before", Method: "GET", Path: msgs + "?before=2026-01-23"},
			{Name: "limit 0", Method: "GET", Path: msgs + "?limit=0"},
			{Name: "limit too large", Method: "GET", Path: msgs + "?limit=1001"},
			{Name: "contacts: Cy's thread was taken over by the send", Method: "GET", Path: contacts + "?user_id=${admin}&is_admin=true&offset=1&limit=1"},
		}
	})
}

func TestMessaging(t *testing.T) {
	conversationScenario(t, "messaging", func(srv *apitest.Server, vars map[string]string) []apitest.Step {
		send := func(name, body string) apitest.Step {
			return apitest.Step{Name: name, Method: "POST", Path: "/v1/sms/send", Body: body}
		}
		mms := func(name, body string) apitest.Step {
			return apitest.Step{Name: name, Method: "POST", Path: "/v1/mms/send", Body: body}
		}
		bulk := func(name, body string) apitest.Step {
			return apitest.Step{Name: name, Method: "POST", Path: "/v1/sms/bulk-send", Body: body}
		}
		thread := func(name, phone string) apitest.Step {
			return apitest.Step{Name: name, Method: "GET", Path: "/v1/campaigns/camp_msg/threads/%2B" + phone + "_camp_msg/messages"}
		}
		contacts := "/v1/campaigns/camp_msg/contacts?user_id=${admin}&is_admin=true"
		annSend := `{"campaign_id": "camp_msg", "phone_number": "(313) 555-0001", "message": "Hi Ann, Uma here from the office.", "user_id": "${uma}"}`
		bulkBody := `{"campaign_id": "camp_msg", "message": "Hi {{first_name}}, rates just dropped!",
			"phone_numbers": ["(415) 555-0002", "+13135550099", "415-555-0002", "+13135550004", "+13135550005", "12", "+13135550006"]}`
		return []apitest.Step{
			smsAgent(),
			user("uma", "Uma User", "uma@example.com"),
			launch("launch", "camp_msg", `[{"phone_number": "+13135550001", "first_name": "Ann"}, {"phone_number": "+14155550002", "first_name": "Bo"},
				{"phone_number": "+13135550003", "first_name": "Cy"}, {"phone_number": "+13135550004", "first_name": "Di"},
				{"phone_number": "+13135550005", "first_name": "Ed"}, {"phone_number": "+13135550006", "first_name": "Flo"}]`, ""),
			launch("a launch whose only contact is do-not-call is refused", "camp_dnc", `[{"phone_number": "+13135550005", "do_not_call": true}]`, `, "dry_run": true`),
			{Name: "adding Ed again, flagged do-not-call, puts him on the do-not-contact list", Method: "POST", Path: "/v1/campaigns/camp_msg/leads",
				Body: `{"clients": [{"phone_number": "+13135550005", "do_not_call": true}]}`},
			otherCampaign(),
			{Name: "other tenant's message", Method: "GET", Path: "/v1/campaigns/other_camp/messages", Key: "${other_key}",
				Capture: map[string]string{"other_msg": "messages.0.message_id"}},

			// /v1/sms/send errors.
			send("send: empty object", `{}`),
			send("send: message missing", `{"campaign_id": "camp_msg", "phone_number": "+13135550001"}`),
			send("send: campaign_id empty", `{"campaign_id": "", "phone_number": "+13135550001", "message": "Hi"}`),
			send("send: empty message", `{"campaign_id": "camp_msg", "phone_number": "+13135550001", "message": ""}`),
			send("send: blank message", `{"campaign_id": "camp_msg", "phone_number": "+13135550001", "message": " \n "}`),
			send("send: message not a string", `{"campaign_id": "camp_msg", "phone_number": "+13135550001", "message": 5}`),
			send("send: number not in the campaign, shown normalised", `{"campaign_id": "camp_msg", "phone_number": "(313) 555-0099", "message": "Hi"}`),
			send("send: not a phone number", `{"campaign_id": "camp_msg", "phone_number": "12", "message": "Hi"}`),
			send("send: unknown campaign", `{"campaign_id": "nope", "phone_number": "313.555.0001", "message": "Hi"}`),
			send("send: other tenant's campaign and contact", `{"campaign_id": "other_camp", "phone_number": "+13135550001", "message": "Hi"}`),
			send("send: unknown user_id", `{"campaign_id": "camp_msg", "phone_number": "+13135550001", "message": "Hi", "user_id": "1x1"}`),
			send("send: other tenant's user", `{"campaign_id": "camp_msg", "phone_number": "+13135550001", "message": "Hi", "user_id": "${other_user}"}`),
			{Name: "nothing was sent or taken over by the failed sends", Method: "GET", Path: contacts + "&limit=1"},

			// A person takes Ann's thread over, with an Idempotency-Key.
			{Name: "send", Method: "POST", Path: "/v1/sms/send", Body: annSend, Headers: map[string]string{"Idempotency-Key": "send-ann-1"},
				Capture: map[string]string{"ann_msg": "message_id"}},
			lastHeaders("a first request is not a replay"),
			{Name: "send: retried with the same key and body", Method: "POST", Path: "/v1/sms/send", Body: annSend, Headers: map[string]string{"Idempotency-Key": "send-ann-1"}},
			lastHeaders("the retry is a replay"),
			{Name: "send: same key, different body", Method: "POST", Path: "/v1/sms/send", Headers: map[string]string{"Idempotency-Key": "send-ann-1"},
				Body: `{"campaign_id": "camp_msg", "phone_number": "(313) 555-0001", "message": "Something else", "user_id": "${uma}"}`},
			{Name: "send: same key on another endpoint", Method: "POST", Path: "/v1/mms/send", Headers: map[string]string{"Idempotency-Key": "send-ann-1"},
				Body: `{"campaign_id": "camp_msg", "phone_number": "(313) 555-0001", "message": "Hi Ann, Uma here from the office.", "media_url": "https://cdn.example.com/a.png"}`},
			{Name: "send: a key whose first request failed may be used again", Method: "POST", Path: "/v1/sms/send", Headers: map[string]string{"Idempotency-Key": "send-4"},
				Body: `{"campaign_id": "camp_msg", "phone_number": "+13135550099", "message": "Hi"}`},
			{Name: "send: the same key, corrected", Method: "POST", Path: "/v1/sms/send", Headers: map[string]string{"Idempotency-Key": "send-4"},
				Body: `{"campaign_id": "camp_msg", "phone_number": "+13135550003", "message": "Hi Cy, a person here."}`},
			{Name: "send: Idempotency-Key too long", Method: "POST", Path: "/v1/sms/send", Headers: map[string]string{"Idempotency-Key": strings.Repeat("k", 256)},
				Body: `{"campaign_id": "camp_msg", "phone_number": "+13135550006", "message": "Hi"}`},
			thread("Ann's thread: one human message with its sender, the starting message canceled", "13135550001"),
			{Name: "contacts: Ann's thread taken over and qualified", Method: "GET", Path: contacts + "&limit=1"},
			{Name: "get the message, queued", Method: "GET", Path: "/v1/messages/${ann_msg}"},
			dispatchStep(),
			{Name: "get the message, delivered by the sandbox", Method: "GET", Path: "/v1/messages/${ann_msg}"},
			{Name: "get: unknown message", Method: "GET", Path: "/v1/messages/msg_000000000000000000999999"},
			{Name: "get: other tenant's message", Method: "GET", Path: "/v1/messages/${other_msg}"},
			{Name: "get: the other tenant sees its own", Method: "GET", Path: "/v1/messages/${other_msg}", Key: "${other_key}"},
			{Name: "get: wrong method", Method: "DELETE", Path: "/v1/messages/${ann_msg}"},
			send("send: again on a thread already taken over, without a user", `{"campaign_id": "camp_msg", "phone_number": "+13135550001", "message": "Are you there?"}`),
			thread("the second human message has no sent_by_user_id", "13135550001"),

			// /v1/mms/send.
			mms("mms", `{"campaign_id": "camp_msg", "phone_number": "+1 (313) 555-0003", "media_url": "https://cdn.example.com/flyer.jpg", "message": "Our rates", "sent_by_user_id": "${uma}"}`),
			mms("mms: picture only", `{"campaign_id": "camp_msg", "phone_number": "+13135550003", "media_url": "http://cdn.example.com/a.png"}`),
			mms("mms: media_url missing", `{"campaign_id": "camp_msg", "phone_number": "+13135550003", "message": "Our rates"}`),
			mms("mms: phone_number missing", `{"campaign_id": "camp_msg", "media_url": "https://cdn.example.com/flyer.jpg"}`),
			mms("mms: media_url not http", `{"campaign_id": "camp_msg", "phone_number": "+13135550003", "media_url": "ftp://cdn.example.com/flyer.jpg"}`),
			mms("mms: media_url not a URL", `{"campaign_id": "camp_msg", "phone_number": "+13135550003", "media_url": "flyer.jpg"}`),
			mms("mms: number not in the campaign", `{"campaign_id": "camp_msg", "phone_number": "3135550099", "media_url": "https://cdn.example.com/flyer.jpg"}`),
			thread("Cy's thread: both MMS, with their media", "13135550003"),

			// Di opts out.
			{Name: "Di texts STOP", Method: "POST", Path: "/v1/sandbox/inbound", Body: `{"from": "+13135550004", "to": "+13135727768", "body": "STOP"}`,
				Capture: map[string]string{"di_stop": "inbound_id"}},
			processInbound("di_stop"),
			send("send: a person cannot write to a number that opted out", `{"campaign_id": "camp_msg", "phone_number": "+13135550004", "message": "Sorry to see you go"}`),

			// /v1/sms/bulk-send.
			{Name: "bulk", Method: "POST", Path: "/v1/sms/bulk-send", Body: bulkBody, Headers: map[string]string{"Idempotency-Key": "bulk-1"}},
			{Name: "bulk: retried", Method: "POST", Path: "/v1/sms/bulk-send", Body: bulkBody, Headers: map[string]string{"Idempotency-Key": "bulk-1"}},
			lastHeaders("the bulk retry is a replay"),
			thread("Bo's thread: one bulk message, filled in, from the AI side", "14155550002"),
			thread("Di's thread: no bulk message", "13135550004"),
			{Name: "contacts: the bulk send took no thread over", Method: "GET", Path: contacts + "&limit=2&offset=4"},
			bulk("bulk: empty list", `{"campaign_id": "camp_msg", "phone_numbers": [], "message": "Hi"}`),
			bulk("bulk: phone_numbers missing", `{"campaign_id": "camp_msg", "message": "Hi"}`),
			bulk("bulk: phone_numbers not an array", `{"campaign_id": "camp_msg", "phone_numbers": "+14155550002", "message": "Hi"}`),
			bulk("bulk: message missing", `{"campaign_id": "camp_msg", "phone_numbers": ["+14155550002"]}`),
			bulk("bulk: blank message", `{"campaign_id": "camp_msg", "phone_numbers": ["+14155550002"], "message": "  "}`),
			bulk("bulk: unknown campaign", `{"campaign_id": "nope", "phone_numbers": ["+14155550002"], "message": "Hi"}`),
			bulk("bulk: other tenant's campaign", `{"campaign_id": "other_camp", "phone_numbers": ["+13135550001"], "message": "Hi"}`),
			bulk("bulk: nobody in the campaign", `{"campaign_id": "camp_msg", "phone_numbers": ["+13135550098", "+13135550099"], "message": "Hi"}`),
		}
	})
}

func TestCampaignLifecycle(t *testing.T) {
	conversationScenario(t, "lifecycle", func(srv *apitest.Server, vars map[string]string) []apitest.Step {
		leads := func(name, id, body string) apitest.Step {
			return apitest.Step{Name: name, Method: "POST", Path: "/v1/campaigns/" + id + "/leads", Body: body}
		}
		change := func(name, id, what string) apitest.Step {
			return apitest.Step{Name: name, Method: "POST", Path: "/v1/campaigns/" + id + "/" + what}
		}
		get := func(name, id string) apitest.Step {
			return apitest.Step{Name: name, Method: "GET", Path: "/v1/campaigns/" + id}
		}
		return []apitest.Step{
			smsAgent(),
			launch("launch", "camp_life", `[{"phone_number": "+13135550001", "first_name": "Ann"}, {"phone_number": "+13135550002", "first_name": "Bo"}]`, ""),
			launch("launch a dry run", "camp_life_dry", `[{"phone_number": "+13135550001", "first_name": "Ann"}]`, `, "dry_run": true`),
			launch("launch a one-lead campaign", "camp_small", `[{"phone_number": "+13135550001", "first_name": "Ann"}]`, ""),
			otherCampaign(),

			// Add leads.
			leads("add leads", "camp_life", `{"clients": [
				{"phone_number": "313-555-0001", "first_name": "Ann again"},
				{"phone_number": "+13135550007", "first_name": "Gus", "last_name": "Gray", "email": "gus@example.com", "company_name": "Gray LLC", "loan": "300k"},
				{"phone_number": "(313) 555-0007", "first_name": "Gus twice"},
				{"phone_number": "12", "first_name": "Bad"},
				{"first_name": "No phone"},
				{"phone_number": "+13135550008", "do_not_call": true}]}`),
			get("the campaign counts the new lead", "camp_life"),
			{Name: "contacts: the new lead", Method: "GET", Path: "/v1/campaigns/camp_life/contacts?user_id=${admin}&is_admin=true&offset=2"},
			{Name: "the new lead's starting message is queued", Method: "GET", Path: "/v1/campaigns/camp_life/threads/%2B13135550007_camp_life/messages"},
			leads("add leads: clients missing", "camp_life", `{}`),
			leads("add leads: clients null", "camp_life", `{"clients": null}`),
			leads("add leads: clients not an array", "camp_life", `{"clients": {"phone_number": "+13135550009"}}`),
			leads("add leads: not JSON", "camp_life", `{"clients": [`),
			leads("add leads: empty list", "camp_life", `{"clients": []}`),
			leads("add leads: only numbers already there", "camp_life", `{"clients": [{"phone_number": "+1 313 555 0002"}, {"phone_number": "13135550007"}]}`),
			leads("add leads: unknown campaign", "nope", `{"clients": [{"phone_number": "+13135550009"}]}`),
			leads("add leads: other tenant's campaign", "other_camp", `{"clients": [{"phone_number": "+13135550009"}]}`),
			leads("add leads to a dry run", "camp_life_dry", `{"clients": [{"phone_number": "+13135550002", "first_name": "Bo"}]}`),
			get("the dry run stays completed", "camp_life_dry"),
			{Name: "the dry run's new lead got its starting message at once", Method: "GET", Path: "/v1/campaigns/camp_life_dry/threads/%2B13135550002_camp_life_dry/messages"},

			// Pause and resume.
			change("pause", "camp_life", "pause"),
			get("paused", "camp_life"),
			change("pause: already paused", "camp_life", "pause"),
			leads("a paused campaign takes leads", "camp_life", `{"clients": [{"phone_number": "+13135550009", "first_name": "Hal"}]}`),
			{Name: "a person may still write while paused", Method: "POST", Path: "/v1/sms/send",
				Body: `{"campaign_id": "camp_life", "phone_number": "+13135550002", "message": "Bo, a quick question"}`},
			dispatchStep(),
			{Name: "the pause held Hal's starting message", Method: "GET", Path: "/v1/campaigns/camp_life/threads/%2B13135550009_camp_life/messages"},
			{Name: "the person's message went out", Method: "GET", Path: "/v1/campaigns/camp_life/threads/%2B13135550002_camp_life/messages"},

			// A completed campaign takes leads and becomes active again.
			get("the one-lead campaign completed", "camp_small"),
			leads("add a lead to the completed campaign", "camp_small", `{"clients": [{"phone_number": "+13135550002", "first_name": "Bo"}]}`),
			get("it is active again", "camp_small"),

			change("resume", "camp_life", "resume"),
			get("active", "camp_life"),
			change("resume: not paused", "camp_life", "resume"),
			change("end", "camp_life", "end"),
			get("ended", "camp_life"),
			{Name: "ending canceled Hal's held starting message", Method: "GET", Path: "/v1/campaigns/camp_life/threads/%2B13135550009_camp_life/messages"},
			change("end: already ended", "camp_life", "end"),
			change("pause: ended", "camp_life", "pause"),
			change("resume: ended", "camp_life", "resume"),
			leads("add leads: an ended campaign takes none", "camp_life", `{"clients": [{"phone_number": "+13135550010"}]}`),
			{Name: "a person writes on an ended campaign", Method: "POST", Path: "/v1/sms/send",
				Body: `{"campaign_id": "camp_life", "phone_number": "+13135550001", "message": "Ann, are you still there?"}`},
			change("pause: unknown campaign", "nope", "pause"),
			change("resume: unknown campaign", "nope", "resume"),
			change("end: unknown campaign", "nope", "end"),
			change("end: other tenant's campaign", "other_camp", "end"),
			{Name: "the other tenant's campaign is untouched", Method: "GET", Path: "/v1/campaigns/other_camp", Key: "${other_key}"},
			{Name: "pause: wrong method", Method: "GET", Path: "/v1/campaigns/camp_life/pause"},
			change("pause a completed dry run", "camp_life_dry", "pause"),
			get("the paused dry run", "camp_life_dry"),
		}
	})
}

func TestInbound(t *testing.T) {
	conversationScenario(t, "inbound", func(srv *apitest.Server, vars map[string]string) []apitest.Step {
		inbound := func(name, body string) apitest.Step {
			return apitest.Step{Name: name, Method: "POST", Path: "/v1/sandbox/inbound", Body: body}
		}
		thread := apitest.Step{Name: "Ann's thread", Method: "GET", Path: "/v1/campaigns/camp_in/threads/%2B13135550001_camp_in/messages"}
		return []apitest.Step{
			smsAgent(),
			launch("launch", "camp_in", `[{"phone_number": "+13135550001", "first_name": "Ann"}, {"phone_number": "+13135550002", "first_name": "Bo"}]`, ""),
			otherCampaign(),
			dispatchStep(),

			{Name: "a reply", Method: "POST", Path: "/v1/sandbox/inbound", Body: `{"from": "+13135550001", "to": "+13135727768", "body": "Yes, interested"}`,
				Capture: map[string]string{"reply": "inbound_id"}},
			{Name: "(test hook) the inbound job processes it", Method: "POST", Path: "/_test/process-inbound/${reply}",
				Capture: map[string]string{"reply_msg": "message_id"}},
			{Name: "the reply as a message", Method: "GET", Path: "/v1/messages/${reply_msg}"},
			{Name: "numbers in other formats", Method: "POST", Path: "/v1/sandbox/inbound", Body: `{"from": "(313) 555-0002", "to": "13135727768", "body": "Who is this?"}`,
				Capture: map[string]string{"bo_reply": "inbound_id"}},
			processInbound("bo_reply"),
			inbound("an empty body is a message too", `{"from": "+13135550002", "to": "+13135727768", "body": ""}`),
			inbound("from missing", `{"to": "+13135727768", "body": "Hi"}`),
			inbound("body missing", `{"from": "+13135550001", "to": "+13135727768"}`),
			inbound("empty object", `{}`),
			inbound("from not a phone number", `{"from": "12", "to": "+13135727768", "body": "Hi"}`),
			inbound("to not a phone number", `{"from": "+13135550001", "to": "abc", "body": "Hi"}`),
			inbound("no thread of that number", `{"from": "+13135550099", "to": "+13135727768", "body": "Hi"}`),
			inbound("no campaign sends from that number", `{"from": "+13135550001", "to": "+13135550000", "body": "Hi"}`),
			inbound("other tenant's thread", `{"from": "+13135550001", "to": "+13135720000", "body": "Hi"}`),
			{Name: "the other tenant may inject into its own", Method: "POST", Path: "/v1/sandbox/inbound", Key: "${other_key}",
				Body: `{"from": "+13135550001", "to": "+13135720000", "body": "Hi"}`},
			{Name: "without a key", Method: "POST", Path: "/v1/sandbox/inbound", Key: "-", Body: `{"from": "+13135550001", "to": "+13135727768", "body": "Hi"}`},
			{Name: "wrong method", Method: "GET", Path: "/v1/sandbox/inbound"},

			// Consent keywords.
			{Name: "Ann texts STOP", Method: "POST", Path: "/v1/sandbox/inbound", Body: `{"from": "+13135550001", "to": "+13135727768", "body": "Stop"}`,
				Capture: map[string]string{"stop": "inbound_id"}},
			processInbound("stop"),
			thread,
			{Name: "contacts: Ann opted out", Method: "GET", Path: "/v1/campaigns/camp_in/contacts?user_id=${admin}&is_admin=true&limit=1"},
			{Name: "a person cannot write to her", Method: "POST", Path: "/v1/sms/send", Body: `{"campaign_id": "camp_in", "phone_number": "+13135550001", "message": "Sorry!"}`},
			{Name: "STOP again", Method: "POST", Path: "/v1/sandbox/inbound", Body: `{"from": "+13135550001", "to": "+13135727768", "body": "STOP"}`,
				Capture: map[string]string{"stop2": "inbound_id"}},
			processInbound("stop2"),
			{Name: "START", Method: "POST", Path: "/v1/sandbox/inbound", Body: `{"from": "+13135550001", "to": "+13135727768", "body": "START"}`,
				Capture: map[string]string{"start": "inbound_id"}},
			processInbound("start"),
			dispatchStep(),
			thread,
			{Name: "contacts: Ann opted back in", Method: "GET", Path: "/v1/campaigns/camp_in/contacts?user_id=${admin}&is_admin=true&limit=1"},

			// Carrier webhooks on a sandbox server.
			{Name: "sandbox webhook: the sandbox takes none", Method: "POST", Path: "/webhooks/sandbox/inbound", Key: "-",
				Body: `{"From": "+13135550001", "To": "+13135727768", "Body": "Hi"}`},
			{Name: "twilio webhook: not the active carrier", Method: "POST", Path: "/webhooks/twilio/inbound", Key: "-",
				Body: `{"From": "+13135550001"}`},
			{Name: "status webhook of the sandbox", Method: "POST", Path: "/webhooks/sandbox/status/msg_000000000000000000000001", Key: "-"},
			{Name: "status webhook of twilio", Method: "POST", Path: "/webhooks/twilio/status/msg_000000000000000000000001", Key: "-"},
			{Name: "unknown carrier", Method: "POST", Path: "/webhooks/nope/inbound", Key: "-"},
			{Name: "webhook: wrong method", Method: "GET", Path: "/webhooks/sandbox/inbound", Key: "-"},
			thread,
		}
	})
}

// The tests below assert directly, without a golden file: each states a behaviour the current
// code gets wrong (see the comment on each), and fails until it is fixed.

// caller plays requests against a quiet server and decodes the JSON answers.
type caller struct {
	t *testing.T
	h http.Handler
	// vars fills ${name} placeholders of paths and bodies.
	vars map[string]string
}

func (c caller) fill(s string) string {
	for k, v := range c.vars {
		s = strings.ReplaceAll(s, "${"+k+"}", v)
	}
	return s
}

// do sends a request and fails the test unless the status is want (0: any); it returns the
// status and the decoded body.
func (c caller) do(method, path, body string, want int) (int, map[string]any) {
	c.t.Helper()
	req := httptest.NewRequest(method, c.fill(path), strings.NewReader(c.fill(body)))
	req.Header.Set("X-API-Key", apitest.Key)
	rec := httptest.NewRecorder()
	c.h.ServeHTTP(rec, req)
	var out map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		c.t.Fatalf("%s %s: not JSON: %q", method, path, rec.Body.String())
	}
	if want != 0 && rec.Code != want {
		c.t.Fatalf("%s %s: status %d, want %d: %v", method, path, rec.Code, want, out)
	}
	return rec.Code, out
}

// setup creates the SMS agent ${agent}.
func (c caller) setup() {
	c.t.Helper()
	_, out := c.do("POST", "/v1/agents", `{"agent_type": "sms", "agent_name": "Refi bot", "starting_message": "Hi {{first_name}}!",
		"prompt": "Be brief.", "organization_id": "${org}", "user_id": "${admin}"}`, 200)
	c.vars["agent"] = out["agent_id"].(string)
}

// launch starts a campaign of ${agent} sending from +13135727768 to one contact.
func (c caller) launch(id, phone string, dryRun bool) {
	c.t.Helper()
	c.do("POST", "/v1/campaigns", fmt.Sprintf(`{"campaign_id": %q, "campaign_name": "Refi", "organization_id": "${org}", "user_id": "${admin}",
		"sms_agent_id": "${agent}", "teli_sms_number": "+13135727768", "dry_run": %t, "contacts": [{"phone_number": %q, "first_name": "Cy"}]}`,
		id, dryRun, phone), 200)
}

func (c caller) status(campaignID string) string {
	c.t.Helper()
	_, out := c.do("GET", "/v1/campaigns/"+campaignID, "", 200)
	return out["campaign"].(map[string]any)["status"].(string)
}

func eachBackend(t *testing.T, f func(t *testing.T, c caller)) {
	for _, b := range apitest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			srv, h := quietServer(t, b)
			c := caller{t: t, h: h, vars: map[string]string{"org": srv.OrgID, "admin": srv.AdminID}}
			c.setup()
			f(t, c)
		})
	}
}

// TestInboundReachesTheConversation: a contact's reply belongs to the thread that texted them.
// RouteInbound picks the newest thread of the number pair instead, even one that never sent
// the contact anything (a dry run, or a campaign whose starting message is still queued), so
// the reply lands in that thread and the conversation the contact is answering never sees it.
func TestInboundReachesTheConversation(t *testing.T) {
	for _, tc := range []struct {
		name   string
		dryRun bool
	}{{"a newer dry run", true}, {"a newer campaign that has not texted yet", false}} {
		t.Run(tc.name, func(t *testing.T) {
			eachBackend(t, func(t *testing.T, c caller) {
				c.launch("camp_a", "+13135550003", false)
				c.do("POST", "/_test/dispatch", "", 200)
				c.do("POST", "/v1/sms/send", `{"campaign_id": "camp_a", "phone_number": "+13135550003", "message": "Cy, can I call you?"}`, 200)
				c.do("POST", "/_test/dispatch", "", 200)
				c.launch("camp_b", "+13135550003", tc.dryRun) // not dispatched: nothing of it reached Cy
				_, in := c.do("POST", "/v1/sandbox/inbound", `{"from": "+13135550003", "to": "+13135727768", "body": "Yes, call me"}`, 200)
				c.do("POST", "/_test/process-inbound/"+in["inbound_id"].(string), "", 200)
				_, a := c.do("GET", "/v1/campaigns/camp_a/threads/%2B13135550003_camp_a/messages", "", 200)
				msgs := a["messages"].([]any)
				if len(msgs) == 0 || msgs[0].(map[string]any)["message"] != "Yes, call me" {
					_, b := c.do("GET", "/v1/campaigns/camp_b/threads/%2B13135550003_camp_b/messages?limit=1", "", 200)
					t.Errorf("the reply to camp_a's conversation is not in camp_a's thread; newest of camp_b's thread: %v", b["messages"])
				}
			})
		})
	}
}

// TestDryRunSendsNothing: a dry run "simulates; no real SMS sent" (spec §1.6.1). Only its
// starting messages are simulated: a person's message, a bulk send (and any other message the
// dispatcher takes) go to the carrier, which with Twilio is a real SMS.
func TestDryRunSendsNothing(t *testing.T) {
	eachBackend(t, func(t *testing.T, c caller) {
		c.launch("camp_dry", "+13135550001", true)
		_, human := c.do("POST", "/v1/sms/send", `{"campaign_id": "camp_dry", "phone_number": "+13135550001", "message": "A person here"}`, 200)
		_, bulk := c.do("POST", "/v1/sms/bulk-send", `{"campaign_id": "camp_dry", "phone_numbers": ["+13135550001"], "message": "News!"}`, 200)
		c.do("POST", "/_test/dispatch", "", 200)
		ids := map[string]string{
			"manual": human["message_id"].(string),
			"bulk":   bulk["results"].([]any)[0].(map[string]any)["message_id"].(string),
		}
		for kind, id := range ids {
			_, out := c.do("GET", "/v1/messages/"+id, "", 200)
			m := out["message"].(map[string]any)
			if m["provider"] != "dry_run" || m["provider_message_id"] != nil {
				t.Errorf("%s message of a dry run reached the carrier: provider %v, provider_message_id %v, status %v",
					kind, m["provider"], m["provider_message_id"], m["status"])
			}
		}
	})
}

// TestPauseOfACompletedCampaign: a completed campaign still sends follow-ups and the agent's
// replies, so it may be paused; resumed, it is completed again, and a second pause or resume
// is a 409 naming the status.
func TestPauseOfACompletedCampaign(t *testing.T) {
	for _, dryRun := range []bool{false, true} {
		t.Run(fmt.Sprintf("dry_run=%t", dryRun), func(t *testing.T) {
			eachBackend(t, func(t *testing.T, c caller) {
				c.launch("camp_done", "+13135550001", dryRun)
				c.do("POST", "/_test/dispatch", "", 200)
				if got := c.status("camp_done"); got != "COMPLETED" {
					t.Fatalf("precondition: status %s, want COMPLETED", got)
				}
				c.do("POST", "/v1/campaigns/camp_done/pause", "", 200)
				if _, out := c.do("POST", "/v1/campaigns/camp_done/pause", "", 409); out["error"] != "Campaign camp_done is paused and cannot be paused" {
					t.Errorf("second pause: %q", out["error"])
				}
				c.do("POST", "/v1/campaigns/camp_done/resume", "", 200)
				c.do("POST", "/_test/dispatch", "", 200)
				if got := c.status("camp_done"); got != "COMPLETED" {
					t.Errorf("a completed campaign paused and resumed is %s, want COMPLETED", got)
				}
				if _, out := c.do("POST", "/v1/campaigns/camp_done/resume", "", 409); out["error"] != "Campaign camp_done is completed and cannot be resumed" {
					t.Errorf("resume of a completed campaign: %q", out["error"])
				}
			})
		})
	}
}

// TestBulkSendOnAnEndedCampaign: an ended campaign takes no new leads, but a bulk send to it
// reports every message "sent" although the send gate cancels each one (campaign_ended).
func TestBulkSendOnAnEndedCampaign(t *testing.T) {
	eachBackend(t, func(t *testing.T, c caller) {
		c.launch("camp_end", "+13135550001", false)
		c.do("POST", "/v1/campaigns/camp_end/end", "", 200)
		code, out := c.do("POST", "/v1/sms/bulk-send", `{"campaign_id": "camp_end", "phone_numbers": ["+13135550001"], "message": "News!"}`, 0)
		if code == 400 {
			return
		}
		if out["sent"] != 0.0 {
			c.do("POST", "/_test/dispatch", "", 200)
			id := out["results"].([]any)[0].(map[string]any)["message_id"]
			_, m := c.do("GET", fmt.Sprintf("/v1/messages/%v", id), "", 200)
			t.Errorf("bulk send on an ended campaign answered %d %q, and the message became %v (%v)", code, out["message"],
				m["message"].(map[string]any)["status"], m["message"].(map[string]any)["status_reason"])
		}
	})
}

// TestResumeRefusalText: a refusal names the action refused and the status that refuses it,
// with 409.
func TestResumeRefusalText(t *testing.T) {
	eachBackend(t, func(t *testing.T, c caller) {
		c.launch("camp_r", "+13135550001", false)
		_, active := c.do("POST", "/v1/campaigns/camp_r/resume", "", 409)
		c.do("POST", "/v1/campaigns/camp_r/end", "", 200)
		_, ended := c.do("POST", "/v1/campaigns/camp_r/resume", "", 409)
		for got, want := range map[any]string{
			active["error"]: "Campaign camp_r is active and cannot be resumed",
			ended["error"]:  "Campaign camp_r is ended and cannot be resumed",
		} {
			if got != want {
				t.Errorf("error %q, want %q", got, want)
			}
		}
	})
}
