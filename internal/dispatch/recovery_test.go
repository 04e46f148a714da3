package dispatch_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/openteli/teli/internal/apitest"
	"github.com/openteli/teli/internal/carrier"
	"github.com/openteli/teli/internal/carrier/twilio"
	"github.com/openteli/teli/internal/carrier/twilio/twiliotest"
	"github.com/openteli/teli/internal/dispatch"
	"github.com/openteli/teli/internal/teli"
)

// TestReclaimAsksTheCarrierFirst: a dispatcher claimed two messages, handed one to Twilio and
// died before recording anything. Once the claim's lease has run out another dispatcher takes
// both over: the one Twilio already has is recorded with Twilio's id and not sent again, the
// other is sent.
func TestReclaimAsksTheCarrierFirst(t *testing.T) {
	for _, b := range apitest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			start := time.Date(2026, 1, 23, 18, 0, 0, 0, time.UTC)
			sent, lost := "+13135550101", "+13135550102"
			w := newWorld(t, b, start, sent, lost)
			fake := twiliotest.New(t, twiliotest.Options{Callbacks: twiliotest.CallbacksManual})
			tw, err := twilio.New(twilio.Config{AccountSID: fake.AccountSID, AuthToken: fake.AuthToken, BaseURL: fake.URL, PublicURL: "https://teli.example"})
			if err != nil {
				t.Fatal(err)
			}
			w.disp.Carrier = tw
			w.disp.Lease, w.disp.CarrierTimeout = time.Minute, 10*time.Second

			claimed, err := w.store.ClaimDue(ctx, teli.ClaimRequest{Now: start, Limit: 10, Token: "dead"})
			if err != nil || len(claimed) != 2 {
				t.Fatalf("claim: %v %v", claimed, err)
			}
			var first carrier.Sent
			for _, m := range claimed {
				if m.To == sent {
					first, err = tw.Send(ctx, carrier.Message{ID: m.ID, From: m.From, To: m.To, Body: m.Body})
					if err != nil {
						t.Fatal(err)
					}
				}
			}
			// Within the lease nothing is touched.
			w.clk.Set(start.Add(30 * time.Second))
			if n, _, err := w.disp.Run(ctx); err != nil || n != 0 {
				t.Fatalf("within the lease sent %d, %v", n, err)
			}
			w.clk.Set(start.Add(2 * time.Minute))
			if n, _, err := w.disp.Run(ctx); err != nil || n != 2 {
				t.Fatalf("after the lease handed over %d, %v", n, err)
			}
			got := w.statuses(t)
			handed := func(m teli.Message) bool { return m.Status == teli.MessageSent || m.Status == teli.MessageDelivered }
			if got[sent].ProviderID != first.ProviderID || !handed(got[sent]) {
				t.Fatalf("the message Twilio had: %+v, want provider id %s", got[sent], first.ProviderID)
			}
			if !handed(got[lost]) || got[lost].ProviderID == "" || got[lost].ProviderID == first.ProviderID {
				t.Fatalf("the message Twilio never got: %+v", got[lost])
			}
			perTo := map[string]int{}
			for _, m := range fake.Messages() {
				perTo[m.To]++
			}
			if perTo[sent] != 1 || perTo[lost] != 1 {
				t.Fatalf("messages at Twilio per recipient: %v", perTo)
			}
		})
	}
}

// TestRateLimitSharedByDispatchers: three dispatchers drain one campaign from one sending
// number limited to 2 messages a second (burst 2). However they interleave, each second of the
// clock lets exactly two more out, and every message goes out once.
func TestRateLimitSharedByDispatchers(t *testing.T) {
	for _, b := range apitest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			start := time.Date(2026, 1, 23, 18, 0, 0, 0, time.UTC)
			var phones []string
			for i := range 10 {
				phones = append(phones, fmt.Sprintf("+1313555%04d", i))
			}
			w := newWorld(t, b, start, phones...)
			limits := dispatch.Limits{NumberPerSecond: 2, Burst: 2}
			var ds []*dispatch.Dispatcher
			for range 3 {
				d := *w.disp
				d.Limits = limits
				ds = append(ds, &d)
			}
			total := 0
			for second := 0; total < len(phones); second++ {
				if second > 10 {
					t.Fatalf("only %d sent after %d seconds", total, second)
				}
				w.clk.Set(start.Add(time.Duration(second) * time.Second))
				var mu sync.Mutex
				now := 0
				var wg sync.WaitGroup
				for _, d := range ds {
					wg.Go(func() {
						n, _, err := d.Run(ctx)
						if err != nil {
							t.Error(err)
						}
						mu.Lock()
						now += n
						mu.Unlock()
					})
				}
				wg.Wait()
				if now != 2 {
					t.Fatalf("second %d: %d sent, want 2", second, now)
				}
				total += now
			}
			for _, m := range w.statuses(t) {
				if m.Status != teli.MessageDelivered {
					t.Fatalf("undelivered: %+v", m)
				}
			}
		})
	}
}
