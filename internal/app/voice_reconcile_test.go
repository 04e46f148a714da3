package app_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/openteli/teli/internal/apitest"
	"github.com/openteli/teli/internal/config"
	"github.com/openteli/teli/internal/jobargs"
	"github.com/openteli/teli/internal/teli"
	"github.com/openteli/teli/internal/voice/retell"
	"github.com/openteli/teli/internal/voice/retell/retelltest"
)

// TestStaleCallsAreAskedFor: a call whose end the platform never reported (its webhooks were
// lost) does not stay "ongoing" forever: once it has gone without any report for
// TELI_STALE_CALL_AFTER, the call sweep asks the platform, and what the platform answers takes
// the webhook's path (the call ends, its transcript is kept). A call the platform no longer
// knows at all ends as an error.
func TestStaleCallsAreAskedFor(t *testing.T) {
	for _, b := range apitest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			fake := retelltest.New()
			t.Cleanup(fake.Close)
			platform, err := retell.New(retell.Config{APIKey: fake.APIKey, BaseURL: fake.URL(), Timeout: 2 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			e := newAIEnv(t, b, aiOptions{voice: platform, configure: func(c *config.Config) {
				c.Voice.StaleCallAfter = time.Hour
			}})
			a := e.do("POST", "/v1/agents", fmt.Sprintf(`{"agent_type": "voice", "agent_name": "Alex", "prompt": "Be brief.",
				"organization_id": %q, "user_id": %q}`, e.org, e.admin), 200)
			n := e.do("POST", "/v1/voice/phone-numbers/create", fmt.Sprintf(`{"area_code": "313", "user_id": %q, "organization_id": %q}`, e.admin, e.org), 200)
			number := n["phone_number"].(string)
			placed := e.do("POST", "/v1/voice/calls", fmt.Sprintf(`{"from_number": %q, "to_number": "+13135550123", "voice_agent_id": %q}`,
				number, a["voice_agent_id"]), 201)
			id := placed["call_id"].(string)
			get := func() map[string]any {
				return e.do("GET", "/v1/voice/calls/"+url.PathEscape(id), "", 200)["call"].(map[string]any)
			}
			e.waitFor("the call is placed", func() bool { return get()["call_status"] == "registered" })
			calls := fake.Calls()
			if len(calls) != 1 {
				t.Fatalf("the fake holds %d calls", len(calls))
			}
			if err := fake.EndCall(calls[0].CallID, "agent_hangup", "Agent: Hello?\nUser: Hi!\n"); err != nil {
				t.Fatal(err)
			}

			// A call Retell never heard of, placed (by this story's hand) long ago.
			tenant := get()["tenant_id"].(string)
			at := e.clock.Now()
			lost := teli.Call{
				ID: "call_" + strings.Repeat("7", 27), TenantID: tenant, OrganizationID: e.org, UserID: e.admin,
				Direction: teli.DirectionOutbound, Purpose: teli.CallPurposeSingle, From: number, To: "+13135550124",
				Lead: "+13135550124", Status: teli.CallDialing, Attempt: 1, NotBefore: at, Platform: "retell",
				PlatformCallID: "call_retell_never_heard_of_it", CreatedAt: at, UpdatedAt: at,
			}
			if err := e.app.Store().InsertCalls(context.Background(), []teli.Call{lost}); err != nil {
				t.Fatal(err)
			}

			sweep := func() {
				if err := e.app.Store().Enqueue(context.Background(), jobargs.CallSweep{}, teli.JobOpts{}); err != nil {
					t.Fatal(err)
				}
			}
			e.clock.Advance(61 * time.Minute)
			sweep()
			e.waitFor("the sweep asks about the call", func() bool { return get()["call_status"] == "ended" })
			got := get()
			if got["transcript"] != "Agent: Hello?\nUser: Hi!\n" || got["disconnection_reason"] != "agent_hangup" || got["recording_url"] == nil {
				t.Errorf("reconciled call: %v", got)
			}
			e.waitFor("the unknown call ends as an error", func() bool {
				c, err := e.app.Store().GetCall(context.Background(), tenant, lost.ID)
				return err == nil && c.Status == teli.CallError && c.DisconnectionReason == "error_unknown"
			})
			if n := fake.Count("POST", "/v2/create-phone-call"); n != 1 {
				t.Errorf("%d calls placed, want 1", n)
			}
		})
	}
}
