package bench

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"runtime/metrics"
	"strconv"
	"strings"
	"time"

	"github.com/openteli/teli/internal/teli"
)

// fromNumber sends every bench campaign. Its area code is none of the recipients'.
const fromNumber = "+13135550100"

// areaCodes are single-zone area codes whose states follow the federal 08:00–21:00 window on
// every day, east to west, then Guam: together they cover most hours of the day.
var areaCodes = []struct{ code, zone string }{
	{"212", "America/New_York"},
	{"312", "America/Chicago"},
	{"303", "America/Denver"},
	{"206", "America/Los_Angeles"},
	{"808", "Pacific/Honolulu"},
	{"671", "Pacific/Guam"},
}

// audience is whom a bench campaign texts: numbers of one area code whose zone is inside its
// delivery window for the whole run, so the send gate holds none of them back.
type audience struct {
	areaCode string
	zone     *time.Location
	// clock is nil for the system clock; when no zone is comfortably inside its window right
	// now, a clock shifted to noon in New York (offset is the shift).
	clock  teli.Clock
	offset time.Duration
}

// pickAudience chooses the first area code whose local time is at least a quarter of an hour
// after the window opens and 45 minutes before it closes; when there is none (about an hour a
// day, UTC morning), New York numbers with a clock shifted to noon there.
func pickAudience(now time.Time) (audience, error) {
	for _, ac := range areaCodes {
		z, err := time.LoadLocation(ac.zone)
		if err != nil {
			return audience{}, err
		}
		local := now.In(z)
		tod := time.Duration(local.Hour())*time.Hour + time.Duration(local.Minute())*time.Minute
		if tod >= 8*time.Hour+15*time.Minute && tod < 20*time.Hour+15*time.Minute {
			return audience{areaCode: ac.code, zone: z}, nil
		}
	}
	z, err := time.LoadLocation(areaCodes[0].zone)
	if err != nil {
		return audience{}, err
	}
	local := now.In(z)
	noon := time.Date(local.Year(), local.Month(), local.Day(), 12, 0, 0, 0, z)
	offset := noon.Sub(now)
	return audience{areaCode: areaCodes[0].code, zone: z, clock: shiftedClock{offset}, offset: offset}, nil
}

// number is the i-th recipient (i < 8,000,000): exchanges 200–999 are all valid NANP numbers.
func (a audience) number(i int) string {
	return "+1" + a.areaCode + strconv.Itoa(2000000+i)
}

// now is the audience's clock reading.
func (a audience) now() time.Time {
	if a.clock == nil {
		return time.Now()
	}
	return a.clock.Now()
}

// describe says which numbers and clock the run uses.
func (a audience) describe() string {
	clk := "system clock"
	if a.clock != nil {
		clk = fmt.Sprintf("server clock shifted by %v", a.offset.Round(time.Second))
	}
	return fmt.Sprintf("+1 %s numbers (%s, %s local, %s)", a.areaCode, a.zone, a.now().In(a.zone).Format("Mon 15:04"), clk)
}

// shiftedClock is the system clock moved by a fixed offset: time still passes.
type shiftedClock struct{ offset time.Duration }

func (c shiftedClock) Now() time.Time {
	return time.Now().Add(c.offset).UTC().Truncate(time.Microsecond)
}

// sandboxHexLen is the length of the random part of a sandbox provider id.
const sandboxHexLen = 32

// replicaIDs marks the sandbox provider ids a replica mints with its number as first hex digit,
// so the database tells which replica handed each message to the carrier. Every other id is
// left alone.
type replicaIDs struct {
	teli.IDSource
	tag byte
}

func (r replicaIDs) Hex(n int) string {
	h := r.IDSource.Hex(n)
	if n == sandboxHexLen {
		return string(r.tag) + h[1:]
	}
	return h
}

// campaignBody is the POST /v1/campaigns request for n contacts of the audience.
func campaignBody(id, org, user, agent string, aud audience, n int, dryRun bool) []byte {
	var b bytes.Buffer
	b.Grow(n*80 + 512) // about 76 bytes a contact: one allocation, no regrowth
	fmt.Fprintf(&b, `{"campaign_id": %q, "campaign_name": "Bench launch", "organization_id": %q,`+
		` "user_id": %q, "sms_agent_id": %q, "teli_sms_number": %q, "dry_run": %t, "contacts": [`,
		id, org, user, agent, fromNumber, dryRun)
	names := []string{"Ann", "Bob", "Carla", "Dmitri", "Eve", "Farah", "Gus", "Hana"}
	for i := range n {
		if i > 0 {
			b.WriteString(",\n")
		}
		fmt.Fprintf(&b, `{"phone_number": %q, "first_name": %q, "last_name": "Lee"}`, aud.number(i), names[i%len(names)])
	}
	b.WriteString("]}")
	return b.Bytes()
}

// launchResponse is what the bench reads of POST /v1/campaigns.
type launchResponse struct {
	Details struct {
		TotalContacts int `json:"total_contacts"`
		Invalid       int `json:"invalid_leads_count"`
	} `json:"details"`
}

// newCampaignID is a unique campaign_id in the documented format.
func newCampaignID() string {
	return fmt.Sprintf("%dx%018d", time.Now().UnixMilli(), time.Now().UnixNano()%1e18)
}

// createSMSAgent creates the SMS agent bench campaigns run.
func createSMSAgent(ctx context.Context, c *client, org, user string) (string, error) {
	var a struct {
		AgentID string `json:"agent_id"`
	}
	err := c.do(ctx, "POST", "/v1/agents", agentBody(org, user), &a)
	return a.AgentID, err
}

// memory is the process's resident set, from /proc/self/status.
type memory struct {
	peak, now int64 // VmHWM and VmRSS, bytes; 0 when unknown
}

func readMemory() memory {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return memory{}
	}
	var m memory
	for line := range strings.Lines(string(b)) {
		name, rest, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) != 2 || f[1] != "kB" {
			continue
		}
		kb, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			continue
		}
		switch name {
		case "VmHWM":
			m.peak = kb << 10
		case "VmRSS":
			m.now = kb << 10
		}
	}
	return m
}

// resetPeakRSS restarts VmHWM from the current RSS (Linux ≥ 4.0); false when it cannot.
func resetPeakRSS() bool {
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
}

// mb prints a byte count in MB (10^6 bytes), or "unknown".
func mb(n int64) string {
	if n <= 0 {
		return "unknown"
	}
	return fmt.Sprintf("%.1f MB", float64(n)/1e6)
}

// heapSampler records the Go runtime's memory peaks while a phase runs: the live heap (as of
// each garbage collection) and all memory the runtime has mapped. Beside VmHWM they tell how
// much of the peak RSS is live data, how much is garbage the collector let accumulate (GOGC),
// and how much is outside the Go heap (SQLite's page cache, thread stacks, the binary).
type heapSampler struct {
	stop chan struct{}
	done chan heapPeaks
}

type heapPeaks struct {
	live, mapped uint64
}

func sampleHeap(every time.Duration) *heapSampler {
	s := &heapSampler{stop: make(chan struct{}), done: make(chan heapPeaks, 1)}
	go func() {
		samples := []metrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/memory/classes/total:bytes"},
			{Name: "/gc/cycles/total:gc-cycles"}}
		metrics.Read(samples)
		// The live heap is measured by each collection: one that ended before the phase began
		// says nothing about it.
		startCycles := uint64Of(samples[2])
		var p heapPeaks
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			metrics.Read(samples)
			if uint64Of(samples[2]) > startCycles {
				p.live = max(p.live, uint64Of(samples[0]))
			}
			p.mapped = max(p.mapped, uint64Of(samples[1]))
			select {
			case <-tick.C:
			case <-s.stop:
				s.done <- p
				return
			}
		}
	}()
	return s
}

func uint64Of(s metrics.Sample) uint64 {
	if s.Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s.Value.Uint64()
}

// liveText prints the live peak, or why there is none.
func (p heapPeaks) liveText() string {
	if p.live == 0 {
		return "unknown (no collection ended)"
	}
	return mb(int64(p.live))
}

// peaks stops the sampler and returns what it saw.
func (s *heapSampler) peaks() heapPeaks {
	close(s.stop)
	return <-s.done
}
