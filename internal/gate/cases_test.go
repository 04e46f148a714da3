package gate

import (
	"strings"
	"testing"
	"time"

	"github.com/openteli/teli/internal/quiethours"
	"github.com/openteli/teli/internal/segment"
)

// TestDecideCases covers the boundaries and the rules the matrix does not: exemptions, defaults,
// case-insensitive values and expiry that cuts a wait short.
func TestDecideCases(t *testing.T) {
	validity := quiethours.DefaultValidity
	grace := quiethours.DefaultReplyGrace
	tests := []struct {
		name   string
		sender Sender
		edit   func(*Facts)
		want   Decision
	}{
		// Senders.
		{"empty sender", "", nil, Decision{Verdict: Block, Reason: ReasonUnknownSender}},
		{"sender is case-sensitive", "AI", nil, Decision{Verdict: Block, Reason: ReasonUnknownSender}},
		{"unknown sender even when all is clear", "robot", nil, Decision{Verdict: Block, Reason: ReasonUnknownSender}},

		// Ownership.
		{"owner any case", AI, func(f *Facts) { f.Owner = "AI" }, send},
		{"empty owner blocks AI", AI, func(f *Facts) { f.Owner = "" }, blockOwner},
		{"unknown owner blocks drip", Drip, func(f *Facts) { f.Owner = "agent" }, blockOwner},
		{"takeover before the starting message", Campaign, func(f *Facts) { f.Owner = OwnerHuman }, blockOwner},
		{"human owner, human sends", Human, func(f *Facts) { f.Owner = OwnerHuman }, send},
		{"bulk to a human-owned thread", Bulk, func(f *Facts) { f.Owner = OwnerHuman }, send},
		{"ownership before campaign pause", Drip, func(f *Facts) { f.Owner = OwnerHuman; f.CampaignStatus = StatusPaused }, blockOwner},

		// Campaign status.
		{"lower-case paused", Drip, func(f *Facts) { f.CampaignStatus = "paused" }, waitPause},
		{"padded ended", AI, func(f *Facts) { f.CampaignStatus = " ended " }, cancelEnd},
		{"completed keeps conversations", AI, func(f *Facts) { f.CampaignStatus = StatusCompleted }, send},
		{"processing sends the launch", Campaign, func(f *Facts) { f.CampaignStatus = "processing" }, send},
		{"empty status waits", Drip, func(f *Facts) { f.CampaignStatus = "" }, waitStatus},
		{"empty status: human unaffected", Human, func(f *Facts) { f.CampaignStatus = "" }, send},
		{"ended: system still confirms", System, func(f *Facts) {
			f.CampaignStatus = StatusEnded
			f.OptedOut, f.OptOutConfirmation = true, true
		}, send},
		{"ended before ownership", AI, func(f *Facts) { f.CampaignStatus = StatusEnded; f.Owner = OwnerHuman }, cancelEnd},
		{"paused and at night: no Until", Drip, func(f *Facts) { f.CampaignStatus = StatusPaused; f.Now = night }, waitPause},
		{"paused but stale: expire", Drip, func(f *Facts) { f.CampaignStatus = StatusPaused; f.CreatedAt = noon.Add(-validity - 1) }, expire},

		// Consent.
		{"opt-out confirmation", System, func(f *Facts) { f.OptedOut, f.OptOutConfirmation = true, true }, send},
		{"second opt-out confirmation", System, func(f *Facts) {
			f.OptedOut, f.OptOutConfirmation, f.OptOutConfirmed = true, true, true
		}, blockOpt},
		{"HELP answer to an opted-out contact", System, func(f *Facts) { f.OptedOut = true }, blockOpt},
		{"confirmation flag on a human send", Human, func(f *Facts) { f.OptedOut, f.OptOutConfirmation = true, true }, blockOpt},
		{"confirmation flag on an AI send", AI, func(f *Facts) { f.OptedOut, f.OptOutConfirmation = true, true }, blockOpt},
		{"confirmation at night to a DNC number", System, func(f *Facts) {
			f.OptedOut, f.OptOutConfirmation, f.DoNotContact, f.Now = true, true, true, night
		}, send},
		{"confirmation when no longer opted out", System, func(f *Facts) { f.OptOutConfirmation = true }, send},
		{"opted out before DNC", Human, func(f *Facts) { f.OptedOut, f.DoNotContact = true, true }, blockOpt},
		{"consent before the segment cap", AI, func(f *Facts) { f.DoNotContact = true; f.Body = strings.Repeat("x", 2000) }, blockDNC},

		// Drip after a reply.
		{"inbound at the drip's creation instant", Drip, func(f *Facts) { f.LastInboundAt = f.CreatedAt }, send},
		{"inbound a nanosecond after", Drip, func(f *Facts) { f.LastInboundAt = f.CreatedAt.Add(1) }, cancelRep},
		{"inbound before the drip was decided", Drip, func(f *Facts) { f.LastInboundAt = f.CreatedAt.Add(-time.Hour) }, send},
		{"STOP reply is recorded as opt-out", Drip, func(f *Facts) { f.LastInboundAt = f.Now; f.OptedOut = true }, blockOpt},
		{"reply to a drip never recorded", Drip, func(f *Facts) { f.CreatedAt = time.Time{}; f.LastInboundAt = noon }, cancelRep},

		// Segments.
		{"160 GSM characters", AI, func(f *Facts) { f.Body = strings.Repeat("a", 160); f.MaxSegments = 1 }, send},
		{"default cap allows 10 parts", AI, func(f *Facts) { f.Body = strings.Repeat("a", 153*segment.MaxSegments) }, send},
		{"default cap refuses 11 parts", Human, func(f *Facts) { f.Body = strings.Repeat("a", 153*segment.MaxSegments+1) }, blockLong},
		{"negative cap is the default", Bulk, func(f *Facts) { f.Body = strings.Repeat("a", 1000); f.MaxSegments = -3 }, send},
		{"UCS-2 counts 70", System, func(f *Facts) { f.Body = strings.Repeat("é✓", 36); f.MaxSegments = 1 }, blockLong},
		{"too long before expired", Drip, func(f *Facts) { f.Body = strings.Repeat("a", 161); f.MaxSegments = 1; f.CreatedAt = time.Time{} }, blockLong},

		// Expiry.
		{"at the default validity", Drip, func(f *Facts) { f.CreatedAt = noon.Add(-validity) }, send},
		{"a nanosecond past it", Drip, func(f *Facts) { f.CreatedAt = noon.Add(-validity - 1) }, expire},
		{"explicit expiry overrides", Campaign, func(f *Facts) { f.ExpiresAt = noon.Add(-time.Second) }, expire},
		{"explicit expiry, long", Bulk, func(f *Facts) { f.CreatedAt = noon.Add(-48 * time.Hour); f.ExpiresAt = noon.Add(time.Hour) }, send},
		{"explicit expiry at now", AI, func(f *Facts) { f.ExpiresAt = noon }, send},
		{"no creation time: expired", AI, func(f *Facts) { f.CreatedAt = time.Time{} }, expire},
		{"human never expires", Human, func(f *Facts) { f.CreatedAt = time.Time{}; f.ExpiresAt = noon.Add(-time.Hour) }, send},
		{"system never expires", System, func(f *Facts) { f.ExpiresAt = noon.Add(-time.Hour) }, send},
		{"expired before quiet hours", Drip, func(f *Facts) { f.Now = night; f.CreatedAt = night.Add(-validity - 1) }, expire},

		// Quiet hours.
		{"night in New York", Drip, func(f *Facts) { f.Now = night; f.CreatedAt = night },
			Decision{Verdict: Wait, Until: nyOpen, Reason: ReasonQuietHours}},
		{"window opens after expiry", Drip, func(f *Facts) { f.Now = night; f.CreatedAt = night; f.ExpiresAt = nyOpen.Add(-1) },
			Decision{Verdict: Expire, Reason: ReasonQuietHours}},
		{"window opens at expiry", Drip, func(f *Facts) { f.Now = night; f.CreatedAt = night; f.ExpiresAt = nyOpen },
			Decision{Verdict: Wait, Until: nyOpen, Reason: ReasonQuietHours}},
		{"default validity cut by the night", Campaign, func(f *Facts) { f.Now = night; f.CreatedAt = night.Add(-4 * time.Hour) },
			Decision{Verdict: Expire, Reason: ReasonQuietHours}},
		{"unknown zone: every US zone", AI, func(f *Facts) {
			f.Location = quiethours.Location{}
			f.Now = time.Date(2026, 3, 10, 6, 0, 0, 0, newYork)
		},
			Decision{Verdict: Wait, Until: time.Date(2026, 3, 10, 14, 0, 0, 0, newYork), Reason: ReasonQuietHours}}, // 08:00 in Honolulu
		{"state rule: Texas Sunday", Bulk, func(f *Facts) {
			f.Location = quiethours.Location{Zones: []*time.Location{mustLoad("America/Chicago")}, State: "TX"}
			f.Now = time.Date(2026, 3, 15, 10, 0, 0, 0, mustLoad("America/Chicago"))
			f.CreatedAt = f.Now
		}, Decision{Verdict: Wait, Until: time.Date(2026, 3, 15, 12, 0, 0, 0, mustLoad("America/Chicago")), Reason: ReasonQuietHours}},
		{"human at night", Human, func(f *Facts) { f.Now = night }, send},
		{"system at night", System, func(f *Facts) { f.Now = night }, send},

		// AI reply grace.
		{"AI reply within grace", AI, func(f *Facts) { f.Now = night; f.CreatedAt = night; f.LastInboundAt = night.Add(-grace) }, send},
		{"AI reply just past grace", AI, func(f *Facts) { f.Now = night; f.CreatedAt = night; f.LastInboundAt = night.Add(-grace - 1) },
			Decision{Verdict: Wait, Until: nyOpen, Reason: ReasonQuietHours}},
		{"AI reply, longer grace", AI, func(f *Facts) {
			f.Now, f.CreatedAt, f.LastInboundAt, f.ReplyGrace = night, night, night.Add(-time.Hour), 2*time.Hour
		}, send},
		{"AI reply, exemption disabled", AI, func(f *Facts) {
			f.Now, f.CreatedAt, f.LastInboundAt, f.ReplyGrace = night, night, night, -1
		}, Decision{Verdict: Wait, Until: nyOpen, Reason: ReasonQuietHours}},
		{"AI, contact never wrote", AI, func(f *Facts) { f.Now = night; f.CreatedAt = night },
			Decision{Verdict: Wait, Until: nyOpen, Reason: ReasonQuietHours}},
		{"bulk gets no reply grace", Bulk, func(f *Facts) { f.Now = night; f.CreatedAt = night; f.LastInboundAt = night },
			Decision{Verdict: Wait, Until: nyOpen, Reason: ReasonQuietHours}},
		{"grace still rate-limited", AI, func(f *Facts) {
			f.Now, f.CreatedAt, f.LastInboundAt, f.NextSendAt = night, night, night, night.Add(time.Second)
		}, Decision{Verdict: Wait, Until: night.Add(time.Second), Reason: ReasonRateLimit}},

		// Rate limit.
		{"budget free at now", Drip, func(f *Facts) { f.NextSendAt = noon }, send},
		{"budget in the past", Drip, func(f *Facts) { f.NextSendAt = noon.Add(-time.Hour) }, send},
		{"budget a nanosecond away", Drip, func(f *Facts) { f.NextSendAt = noon.Add(1) },
			Decision{Verdict: Wait, Until: noon.Add(1), Reason: ReasonRateLimit}},
		{"budget after expiry", Drip, func(f *Facts) { f.ExpiresAt = noon.Add(time.Minute); f.NextSendAt = noon.Add(2 * time.Minute) },
			Decision{Verdict: Expire, Reason: ReasonRateLimit}},
		{"budget at expiry", Drip, func(f *Facts) { f.ExpiresAt = noon.Add(time.Minute); f.NextSendAt = noon.Add(time.Minute) },
			Decision{Verdict: Wait, Until: noon.Add(time.Minute), Reason: ReasonRateLimit}},
		{"human waits for budget, however long", Human, func(f *Facts) { f.NextSendAt = noon.Add(48 * time.Hour) },
			Decision{Verdict: Wait, Until: noon.Add(48 * time.Hour), Reason: ReasonRateLimit}},
		{"quiet hours before budget", Drip, func(f *Facts) { f.Now = night; f.CreatedAt = night; f.NextSendAt = night.Add(time.Minute) },
			Decision{Verdict: Wait, Until: nyOpen, Reason: ReasonQuietHours}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := base(tt.sender)
			if tt.edit != nil {
				tt.edit(&f)
			}
			if got := Decide(f); !sameDecision(got, tt.want) {
				t.Errorf("Decide = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestVerdictString(t *testing.T) {
	want := map[Verdict]string{0: "invalid", Send: "send", Wait: "wait", Block: "block", Expire: "expire", Cancel: "cancel", 99: "invalid"}
	for v, s := range want {
		if got := v.String(); got != s {
			t.Errorf("Verdict(%d).String() = %q, want %q", int(v), got, s)
		}
	}
}
