package gate

import (
	"strings"
	"testing"
	"time"

	"github.com/openteli/teli/internal/quiethours"
	"github.com/openteli/teli/internal/segment"
)

var (
	fuzzSenders  = []Sender{Campaign, Drip, AI, Human, Bulk, System, "", "AI", "broadcast"}
	fuzzOwners   = []string{OwnerAI, OwnerHuman, "", "AI", "Human", "agent"}
	fuzzStatuses = []string{StatusActive, StatusPaused, StatusEnded, StatusCompleted, StatusProcessing,
		"active", "paused", " Ended ", "", "ARCHIVED"}
	fuzzZones = []string{"America/New_York", "America/Chicago", "America/Denver", "America/Phoenix",
		"America/Los_Angeles", "America/Anchorage", "Pacific/Honolulu", "America/Puerto_Rico",
		"Asia/Tokyo", "America/Sao_Paulo", "Australia/Lord_Howe"}
	fuzzStates = []string{"", "TX", "RI", "CT", "FL", "CA"}
)

// FuzzDecide builds arbitrary facts (times folded into 2000–2100, senders, owners and statuses
// from lists that include wrong values) and checks what must hold whatever the input:
//
//   - the decision is well formed (verdict, reason, Until) and deterministic;
//
//   - a Send breaks no rule: ownership, consent, reply, segment cap, expiry, campaign status,
//     quiet hours and budget are each re-checked independently of Decide's code;
//
//   - a Wait ends before the message expires, and looking again at Until never gives the same
//     wait again, so the dispatcher cannot snooze a message in a loop;
//
//   - Block and Cancel do not depend on the time: they are settled, not deferred.
//
//     go test ./internal/gate -run='^$' -fuzz=FuzzDecide -fuzztime=10s
func FuzzDecide(f *testing.F) {
	day := noon.Unix()
	f.Add(uint8(1), uint8(0), uint8(0), uint8(0), day, int64(0), int64(0), int32(-3600), int32(0), "Hi there", int8(0), int32(0), uint8(0), uint8(0))
	f.Add(uint8(2), uint8(0), uint8(0), uint8(0), night.Unix(), int64(-60), int64(0), int32(-60), int32(0), "Still around?", int8(0), int32(30), uint8(0), uint8(1))
	f.Add(uint8(5), uint8(1), uint8(3), uint8(3), night.Unix(), int64(-5), int64(0), int32(0), int32(0), "You are unsubscribed.", int8(0), int32(0), uint8(3), uint8(0))
	f.Add(uint8(3), uint8(1), uint8(1), uint8(8), day, int64(0), int64(0), int32(0), int32(-10), "Hello from Ana 👋", int8(1), int32(86400), uint8(8), uint8(2))
	f.Add(uint8(0), uint8(0), uint8(6), uint8(0), day, int64(0), int64(-1), int32(-50000), int32(40000), "x", int8(-2), int32(-5), uint8(10), uint8(3))
	f.Fuzz(func(t *testing.T, sender, owner, status, flags uint8, nowSec, inboundOff, graceSec int64,
		createdOff, expiresOff int32, body string, maxSeg int8, nextOff int32, zone, state uint8) {
		lo := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
		span := int64(100 * 365 * 24 * 3600)
		now := time.Unix(lo+((nowSec%span)+span)%span, 0).UTC()
		at := func(off int64) time.Time { // zero offset means "not set"
			if off == 0 {
				return time.Time{}
			}
			return now.Add(time.Duration(off) * time.Second)
		}
		loc := quiethours.Location{State: fuzzStates[int(state)%len(fuzzStates)]}
		if z := int(zone) % (len(fuzzZones) + 1); z < len(fuzzZones) {
			loc.Zones = []*time.Location{mustLoad(fuzzZones[z])}
		}
		facts := Facts{
			Now:                now,
			Sender:             fuzzSenders[int(sender)%len(fuzzSenders)],
			Owner:              fuzzOwners[int(owner)%len(fuzzOwners)],
			CampaignStatus:     fuzzStatuses[int(status)%len(fuzzStatuses)],
			OptedOut:           flags&1 != 0,
			OptOutConfirmation: flags&2 != 0,
			OptOutConfirmed:    flags&4 != 0,
			DoNotContact:       flags&8 != 0,
			Location:           loc,
			LastInboundAt:      at(inboundOff % (30 * 24 * 3600)),
			ReplyGrace:         time.Duration(graceSec%(4*3600)) * time.Second,
			CreatedAt:          at(int64(createdOff)),
			ExpiresAt:          at(int64(expiresOff)),
			Body:               body,
			MaxSegments:        int(maxSeg),
			NextSendAt:         at(int64(nextOff)),
		}
		d := Decide(facts)
		if d2 := Decide(facts); d2 != d {
			t.Fatalf("not deterministic: %+v then %+v", d, d2)
		}
		checkWellFormed(t, facts, d)
		if d.Verdict == Send {
			checkSendAllowed(t, facts)
		}
		if d.Verdict == Wait && !d.Until.IsZero() {
			checkWait(t, facts, d)
		}
		if d.Verdict == Block || d.Verdict == Cancel {
			for _, shift := range []time.Duration{-72 * time.Hour, 7 * time.Hour, 30 * 24 * time.Hour} {
				g := facts
				g.Now = now.Add(shift)
				if d2 := Decide(g); d2 != d {
					t.Fatalf("%+v at %s, but %+v at %s", d, now, d2, g.Now)
				}
			}
		}
	})
}

// checkWellFormed checks the shape of d: a valid verdict, a reason exactly when refused, Until
// only on Wait and after now, and a zero Until only for the campaign's state.
func checkWellFormed(t *testing.T, f Facts, d Decision) {
	t.Helper()
	if d.Verdict < Send || d.Verdict > Cancel {
		t.Fatalf("invalid verdict %d", d.Verdict)
	}
	if (d.Reason == "") != (d.Verdict == Send) {
		t.Fatalf("%+v: reason must be empty exactly on Send", d)
	}
	switch {
	case d.Verdict != Wait && !d.Until.IsZero():
		t.Fatalf("%+v: Until on a %s", d, d.Verdict)
	case d.Verdict == Wait && d.Until.IsZero() && d.Reason != ReasonCampaignPaused && d.Reason != ReasonCampaignStatus:
		t.Fatalf("%+v: Wait with no Until", d)
	case d.Verdict == Wait && !d.Until.IsZero() && !d.Until.After(f.Now):
		t.Fatalf("%+v: Until not after now %s", d, f.Now)
	}
	if (f.Sender == Human || f.Sender == System) && (d.Verdict == Expire || d.Verdict == Cancel) {
		t.Fatalf("%+v for a %s message", d, f.Sender)
	}
}

// checkSendAllowed re-checks every rule for a message Decide let through, written from the
// rules rather than from Decide's code.
func checkSendAllowed(t *testing.T, f Facts) {
	t.Helper()
	person := f.Sender == Human || f.Sender == System
	automated := f.Sender == Campaign || f.Sender == Drip || f.Sender == AI || f.Sender == Bulk
	segCap := f.MaxSegments
	if segCap <= 0 {
		segCap = segment.MaxSegments
	}
	expires := f.ExpiresAt
	if expires.IsZero() {
		expires = f.CreatedAt.Add(quiethours.DefaultValidity)
	}
	status := strings.ToUpper(strings.TrimSpace(f.CampaignStatus))
	fail := func(rule string) { t.Helper(); t.Fatalf("Send breaks %s: %+v", rule, f) }
	switch {
	case !person && !automated:
		fail("sender")
	case automated && f.Sender != Bulk && !strings.EqualFold(f.Owner, "ai"):
		fail("ownership")
	case f.OptedOut && !(f.Sender == System && f.OptOutConfirmation && !f.OptOutConfirmed):
		fail("opt-out")
	case f.DoNotContact && !person:
		fail("do-not-contact")
	case f.Sender == Drip && f.LastInboundAt.After(f.CreatedAt):
		fail("drip after reply")
	case segment.Of(f.Body).Segments > segCap:
		fail("segment cap")
	case automated && f.Now.After(expires):
		fail("expiry")
	case automated && status != "ACTIVE" && status != "COMPLETED" && status != "PROCESSING":
		fail("campaign status")
	case f.NextSendAt.After(f.Now):
		fail("rate limit")
	}
	if open, _ := quiethours.Check(f.Now, f.Location); !open && !person {
		grace := f.ReplyGrace
		if grace == 0 {
			grace = quiethours.DefaultReplyGrace
		}
		age := f.Now.Sub(f.LastInboundAt)
		if f.Sender != AI || f.LastInboundAt.IsZero() || grace < 0 || age > grace || age < -grace {
			fail("quiet hours")
		}
	}
}

// checkWait checks that a timed Wait ends no later than the expiry and that the reason for it
// is gone at Until.
func checkWait(t *testing.T, f Facts, d Decision) {
	t.Helper()
	automated := f.Sender != Human && f.Sender != System
	if automated && d.Until.After(expiry(f)) {
		t.Fatalf("%+v: waits past the expiry %s", d, expiry(f))
	}
	g := f
	g.Now = d.Until
	d2 := Decide(g)
	if d2.Verdict == Wait && d2.Reason == d.Reason {
		t.Fatalf("%+v, then at Until %+v again", d, d2)
	}
	if d2.Verdict == Expire && d2.Reason == ReasonExpired {
		t.Fatalf("%+v, then at Until expired", d)
	}
}
