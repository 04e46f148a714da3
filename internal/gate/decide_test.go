package gate

import (
	"strings"
	"testing"
	"time"

	"github.com/openteli/teli/internal/quiethours"
)

func mustLoad(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

var (
	newYork = mustLoad("America/New_York")
	tokyo   = mustLoad("Asia/Tokyo")

	nyLoc    = quiethours.Location{Zones: []*time.Location{newYork}}
	tokyoLoc = quiethours.Location{Zones: []*time.Location{tokyo}}

	// noon is a Tuesday noon in New York, inside every window; it is 01:00 in Tokyo.
	noon = time.Date(2026, 3, 10, 12, 0, 0, 0, newYork)
	// tokyoOpen is when the window next opens in Tokyo after noon: 08:00 JST, 19:00 in New York.
	tokyoOpen = time.Date(2026, 3, 11, 8, 0, 0, 0, tokyo)
	// night is 23:00 the same day in New York; the window opens again at nyOpen.
	night  = time.Date(2026, 3, 10, 23, 0, 0, 0, newYork)
	nyOpen = time.Date(2026, 3, 11, 8, 0, 0, 0, newYork)
)

var allSenders = []Sender{Campaign, Drip, AI, Human, Bulk, System}

// base returns facts for which every sender gets Send: daytime, AI-owned, active campaign,
// decided an hour ago, short body, budget available.
func base(s Sender) Facts {
	return Facts{
		Now:            noon,
		Sender:         s,
		Owner:          OwnerAI,
		CampaignStatus: StatusActive,
		Location:       nyLoc,
		CreatedAt:      noon.Add(-time.Hour),
		Body:           "Hi Ana, are you still looking for a home in Austin?",
	}
}

// obstacle is one reason a message may not go, applied to base facts.
type obstacle struct {
	name  string
	apply func(*Facts)
}

// obstacles are listed in the order Decide checks them, which TestDecideOrder relies on.
var obstacles = []obstacle{
	{"ended", func(f *Facts) { f.CampaignStatus = StatusEnded }},
	{"human_owner", func(f *Facts) { f.Owner = OwnerHuman }},
	{"opted_out", func(f *Facts) { f.OptedOut = true }},
	{"dnc", func(f *Facts) { f.DoNotContact = true }},
	{"replied", func(f *Facts) { f.LastInboundAt = f.Now.Add(-30 * time.Minute) }},
	{"too_long", func(f *Facts) { f.Body = strings.Repeat("a", 161); f.MaxSegments = 1 }},
	{"expired", func(f *Facts) { f.CreatedAt = f.Now.Add(-13 * time.Hour) }},
	{"paused", func(f *Facts) { f.CampaignStatus = StatusPaused }},
	{"unknown_status", func(f *Facts) { f.CampaignStatus = "ARCHIVED" }},
	{"night", func(f *Facts) { f.Location = tokyoLoc }},
	{"rate", func(f *Facts) { f.NextSendAt = f.Now.Add(time.Minute) }},
}

var (
	send       = Decision{Verdict: Send}
	cancelEnd  = Decision{Verdict: Cancel, Reason: ReasonCampaignEnded}
	blockOwner = Decision{Verdict: Block, Reason: ReasonOwnership}
	blockOpt   = Decision{Verdict: Block, Reason: ReasonOptedOut}
	blockDNC   = Decision{Verdict: Block, Reason: ReasonDoNotContact}
	cancelRep  = Decision{Verdict: Cancel, Reason: ReasonReplied}
	blockLong  = Decision{Verdict: Block, Reason: ReasonTooLong}
	expire     = Decision{Verdict: Expire, Reason: ReasonExpired}
	waitPause  = Decision{Verdict: Wait, Reason: ReasonCampaignPaused}
	waitStatus = Decision{Verdict: Wait, Reason: ReasonCampaignStatus}
	waitNight  = Decision{Verdict: Wait, Until: tokyoOpen, Reason: ReasonQuietHours}
	waitRate   = Decision{Verdict: Wait, Until: noon.Add(time.Minute), Reason: ReasonRateLimit}
)

// matrix is the decision for each single obstacle and each sender, in allSenders order:
// Campaign, Drip, AI, Human, Bulk, System.
var matrix = map[string][6]Decision{
	"ended":          {cancelEnd, cancelEnd, cancelEnd, send, cancelEnd, send},
	"human_owner":    {blockOwner, blockOwner, blockOwner, send, send, send},
	"opted_out":      {blockOpt, blockOpt, blockOpt, blockOpt, blockOpt, blockOpt},
	"dnc":            {blockDNC, blockDNC, blockDNC, send, blockDNC, send},
	"replied":        {send, cancelRep, send, send, send, send},
	"too_long":       {blockLong, blockLong, blockLong, blockLong, blockLong, blockLong},
	"expired":        {expire, expire, expire, send, expire, send},
	"paused":         {waitPause, waitPause, waitPause, send, waitPause, send},
	"unknown_status": {waitStatus, waitStatus, waitStatus, send, waitStatus, send},
	"night":          {waitNight, waitNight, waitNight, send, waitNight, send},
	"rate":           {waitRate, waitRate, waitRate, waitRate, waitRate, waitRate},
}

func TestDecideBaseSends(t *testing.T) {
	for _, s := range allSenders {
		if got := Decide(base(s)); got != send {
			t.Errorf("%s: Decide(base) = %+v, want Send", s, got)
		}
	}
}

// TestDecideMatrix checks every sender against every single obstacle.
func TestDecideMatrix(t *testing.T) {
	for _, o := range obstacles {
		want, ok := matrix[o.name]
		if !ok {
			t.Fatalf("no matrix row for %s", o.name)
		}
		for i, s := range allSenders {
			f := base(s)
			o.apply(&f)
			if got := Decide(f); !sameDecision(got, want[i]) {
				t.Errorf("%s, %s: got %+v, want %+v", o.name, s, got, want[i])
			}
		}
	}
}

// TestDecideOrder checks every pair of obstacles for every sender: the one checked first wins,
// and when it does not apply to the sender the other decides.
func TestDecideOrder(t *testing.T) {
	statusOnes := map[string]bool{"ended": true, "paused": true, "unknown_status": true}
	for i, a := range obstacles {
		for _, b := range obstacles[i+1:] {
			if statusOnes[a.name] && statusOnes[b.name] {
				continue // both set CampaignStatus
			}
			for k, s := range allSenders {
				f := base(s)
				a.apply(&f)
				b.apply(&f)
				want := matrix[a.name][k]
				if want.Verdict == Send {
					want = matrix[b.name][k]
				}
				if got := Decide(f); !sameDecision(got, want) {
					t.Errorf("%s+%s, %s: got %+v, want %+v", a.name, b.name, s, got, want)
				}
			}
		}
	}
}

// sameDecision compares decisions by instant rather than by time.Time representation.
func sameDecision(a, b Decision) bool {
	return a.Verdict == b.Verdict && a.Reason == b.Reason && a.Until.Equal(b.Until)
}
