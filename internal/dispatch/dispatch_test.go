package dispatch_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/openteli/teli/internal/apitest"
	"github.com/openteli/teli/internal/app"
	"github.com/openteli/teli/internal/carrier/sandbox"
	"github.com/openteli/teli/internal/clock"
	"github.com/openteli/teli/internal/config"
	"github.com/openteli/teli/internal/dispatch"
	"github.com/openteli/teli/internal/ids"
	"github.com/openteli/teli/internal/teli"
)

// world is a campaign with one AI-owned thread per phone, each with a queued starting message.
type world struct {
	store teli.Store
	clk   *clock.Manual
	camp  teli.Campaign
	disp  *dispatch.Dispatcher
}

func newWorld(t *testing.T, b apitest.Backend, start time.Time, phones ...string) world {
	t.Helper()
	ctx := context.Background()
	cfg := config.Defaults()
	cfg.DatabaseURL = b.URL(t)
	db, err := app.OpenDatabase(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	clk := clock.NewManual(start)
	seq := &ids.Sequence{Millis: start.UnixMilli()}
	org := teli.Organization{UniqueID: "org", RecordID: "org-r", TenantID: "t", Name: "Org", Status: "active", SMSRegistrationStatus: "approved", CreatedAt: start, ModifiedAt: start}
	user := teli.User{UniqueID: "u", RecordID: "u-r", TenantID: "t", OrganizationID: "org", Name: "U", Email: "u@example.com", Permission: teli.PermissionAdmin, Status: "active", CreatedAt: start, ModifiedAt: start}
	agent := teli.Agent{ID: "a", UniqueID: "a", RecordID: "a-r", TenantID: "t", OrganizationID: "org", CreatedByUserID: "u", Type: teli.AgentSMS, Name: "A", StartingMessage: "Hi", Prompt: "p", CreatedAt: start, ModifiedAt: start}
	camp := teli.Campaign{PK: "pk", ID: "camp", TenantID: "t", OrganizationID: "org", UserID: "u", AgentID: "a", FromNumber: "+13135727768", Name: "C", Status: teli.CampaignActive, CreatedAt: start, ModifiedAt: start}
	for _, step := range []error{
		db.CreateTenant(ctx, teli.Tenant{ID: "t", Name: "T", CreatedAt: start}),
		db.CreateOrganization(ctx, org), db.CreateUser(ctx, user), db.CreateAgent(ctx, agent), db.CreateCampaign(ctx, camp),
	} {
		if step != nil {
			t.Fatal(step)
		}
	}
	var threads []teli.Thread
	var msgs []teli.Message
	expires := start.Add(24 * time.Hour)
	for _, p := range phones {
		threads = append(threads, teli.Thread{CampaignPK: "pk", Phone: p, TenantID: "t", OrganizationID: "org", CampaignID: "camp", LeadID: "l" + p, Owner: teli.OwnerAI, LeadOutcome: "pending", CreatedAt: start})
		msgs = append(msgs, teli.Message{ID: "msg" + p, TenantID: "t", OrganizationID: "org", CampaignPK: "pk", Phone: p, Sender: teli.SenderAgent, From: camp.FromNumber, To: p, Body: "Hi", Status: teli.MessageQueued, Segments: 1, Encoding: "GSM-7", NotBefore: start, ExpiresAt: &expires, CreatedAt: start, UpdatedAt: start})
	}
	if _, err := db.AddThreads(ctx, threads, msgs); err != nil {
		t.Fatal(err)
	}
	d := &dispatch.Dispatcher{Store: db, Carrier: sandbox.New(seq), Clock: clk, Log: slog.New(slog.DiscardHandler)}
	return world{store: db, clk: clk, camp: camp, disp: d}
}

func (w world) statuses(t *testing.T) map[string]teli.Message {
	t.Helper()
	list, err := w.store.ListMessages(context.Background(), teli.MessageFilter{TenantID: "t", CampaignPK: "pk"})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]teli.Message{}
	for _, m := range list.Messages {
		out[m.Phone] = m
	}
	return out
}

// TestQuietHoursHoldThenSend: at 07:30 in New York, 04:30 in Los Angeles, nothing goes out; the
// dispatcher asks to be woken at each window's opening, and each message goes out then, once.
func TestQuietHoursHoldThenSend(t *testing.T) {
	const ny, la = "+12125550100", "+13105550100" // area codes 212 (New York) and 310 (Los Angeles)
	for _, b := range apitest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			start := time.Date(2026, 1, 23, 12, 30, 0, 0, time.UTC) // Friday 07:30 EST
			w := newWorld(t, b, start, ny, la)
			var wakes []time.Time
			w.disp.Wake = func(_ context.Context, at time.Time) error { wakes = append(wakes, at); return nil }

			if sent, _, err := w.disp.Run(context.Background()); err != nil || sent != 0 {
				t.Fatalf("before 08:00 anywhere: sent %d, err %v", sent, err)
			}
			st := w.statuses(t)
			nyOpen, laOpen := time.Date(2026, 1, 23, 13, 0, 0, 0, time.UTC), time.Date(2026, 1, 23, 16, 0, 0, 0, time.UTC)
			if st[ny].Reason != "quiet_hours" || !st[ny].NotBefore.Equal(nyOpen) || !st[la].NotBefore.Equal(laOpen) {
				t.Fatalf("held messages: %+v / %+v", st[ny], st[la])
			}
			if len(wakes) != 1 || !wakes[0].Equal(nyOpen) {
				t.Fatalf("wake-ups %v, want one at %v", wakes, nyOpen)
			}
			w.clk.Set(nyOpen)
			if sent, _, _ := w.disp.Run(context.Background()); sent != 1 {
				t.Fatalf("at 08:00 New York: sent %d, want 1", sent)
			}
			w.clk.Set(laOpen)
			if sent, _, _ := w.disp.Run(context.Background()); sent != 1 {
				t.Fatalf("at 08:00 Los Angeles: sent %d, want 1", sent)
			}
			for p, m := range w.statuses(t) {
				if m.Status != teli.MessageDelivered || m.ProviderID == "" || m.Provider != "sandbox" {
					t.Fatalf("%s: %+v", p, m)
				}
			}
			if sent, _, _ := w.disp.Run(context.Background()); sent != 0 {
				t.Fatal("a delivered message went out again")
			}
		})
	}
}

// TestStaleMessageExpires: a starting message that could not go out within its validity is
// dropped, not sent late.
func TestStaleMessageExpires(t *testing.T) {
	const ny = "+12125550100"
	start := time.Date(2026, 1, 23, 16, 0, 0, 0, time.UTC)
	w := newWorld(t, apitest.Backends()[0], start, ny)
	w.clk.Set(start.Add(25 * time.Hour))
	if sent, _, err := w.disp.Run(context.Background()); err != nil || sent != 0 {
		t.Fatalf("sent %d, err %v", sent, err)
	}
	if m := w.statuses(t)[ny]; m.Status != teli.MessageExpired {
		t.Fatalf("stale message: %+v", m)
	}
}
