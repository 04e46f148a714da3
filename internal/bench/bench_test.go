package bench

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/openteli/teli/internal/quiethours"
	"github.com/openteli/teli/internal/store/dbtest"
)

// smoke runs the whole API benchmark briefly and checks that every phase printed its line with
// no failed request. It keeps `teli bench api` working; it asserts nothing about speed.
func smoke(t *testing.T, databaseURL string, wantColdStart bool) {
	var out bytes.Buffer
	err := RunAPI(t.Context(), APIOptions{DatabaseURL: databaseURL, Rate: 50, Duration: 300 * time.Millisecond, Concurrency: 4}, &out)
	t.Logf("output:\n%s", &out)
	if err != nil {
		t.Fatal(err)
	}
	for _, phase := range []string{phaseCreate, phaseList, phaseGet, phaseMax} {
		fields := phaseFields(out.String(), phase)
		switch {
		case fields == nil:
			t.Errorf("no line for phase %q", phase)
		case len(fields) != 8:
			t.Errorf("phase %q: want 8 figures, got %q", phase, fields)
		case fields[0] == "0":
			t.Errorf("phase %q made no request", phase)
		case fields[1] != "0":
			t.Errorf("phase %q: %s errors", phase, fields[1])
		}
	}
	if got := strings.Contains(out.String(), "\ncold start"); got != wantColdStart {
		t.Errorf("cold start line printed: %v, want %v", got, wantColdStart)
	}
}

// phaseFields returns the figures printed after a phase's name, or nil without such a line.
func phaseFields(out, phase string) []string {
	for line := range strings.Lines(out) {
		// The name is padded, so the space also tells "GET /v1/agents" from "GET /v1/agents/{id}".
		if rest, ok := strings.CutPrefix(line, phase+" "); ok {
			return strings.Fields(rest)
		}
	}
	return nil
}

func TestRunAPISQLite(t *testing.T) { smoke(t, "", true) }

func TestRunAPIPostgres(t *testing.T) { smoke(t, dbtest.PostgresURL(t), false) }

// launchSmoke launches a small campaign and checks that every figure was printed and that every
// starting message was handed over. It asserts nothing about speed.
func launchSmoke(t *testing.T, databaseURL string, replicas int) {
	var out bytes.Buffer
	err := RunLaunch(t.Context(), LaunchOptions{DatabaseURL: databaseURL, Contacts: 300, Replicas: replicas,
		ExtraDispatchJobs: replicas - 1, Timeout: time.Minute}, &out)
	t.Logf("output:\n%s", &out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"launch: POST /v1/campaigns", "statuses: delivered 300)",
		"messages/s handed to the sandbox carrier", "during the launch request", "during the hand-off",
		"raw INSERT, no index", "raw INSERT, messages' indexes"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if replicas > 1 && !strings.Contains(out.String(), "messages handed over by") {
		t.Error("no per-replica counts")
	}
}

func TestRunLaunchSQLite(t *testing.T) { launchSmoke(t, "", 1) }

func TestRunLaunchPostgresTwoReplicas(t *testing.T) { launchSmoke(t, dbtest.PostgresURL(t), 2) }

func TestRunLaunchRefusesReplicasOnSQLite(t *testing.T) {
	err := RunLaunch(t.Context(), LaunchOptions{Contacts: 1, Replicas: 2}, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "PostgreSQL") {
		t.Fatalf("err = %v, want a refusal naming PostgreSQL", err)
	}
}

// TestRunSend sends a few manual messages at a low rate and checks both phases' lines.
func TestRunSend(t *testing.T) {
	var out bytes.Buffer
	err := RunSend(t.Context(), SendOptions{Rate: 50, Duration: 300 * time.Millisecond, Concurrency: 4, Contacts: 50}, &out)
	t.Logf("output:\n%s", &out)
	if err != nil {
		t.Fatal(err)
	}
	for _, phase := range []string{phaseSend, phaseSendMax} {
		fields := phaseFields(out.String(), phase)
		switch {
		case fields == nil:
			t.Errorf("no line for phase %q", phase)
		case len(fields) != 8:
			t.Errorf("phase %q: want 8 figures, got %q", phase, fields)
		case fields[0] == "0":
			t.Errorf("phase %q made no request", phase)
		case fields[1] != "0":
			t.Errorf("phase %q: %s errors", phase, fields[1])
		}
	}
}

func TestPickAudienceIsInsideTheWindow(t *testing.T) {
	start := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	for h := range 48 {
		now := start.Add(time.Duration(h) * 30 * time.Minute)
		a, err := pickAudience(now)
		if err != nil {
			t.Fatal(err)
		}
		at := now
		if a.clock != nil {
			at = now.Add(a.offset)
		}
		loc, err := quiethours.Resolve(quiethours.Recipient{Phone: a.number(0)})
		if err != nil || len(loc.Zones) != 1 || loc.Zones[0].String() != a.zone.String() {
			t.Fatalf("%v: %s resolves to %v, %v; want %s alone", now, a.number(0), loc.Zones, err, a.zone)
		}
		// The run may last 45 minutes.
		for _, t2 := range []time.Time{at, at.Add(45 * time.Minute)} {
			if ok, _ := quiethours.Check(t2, loc); !ok {
				t.Errorf("%v: %s is outside its window at %v", now, a.number(0), t2.In(a.zone))
			}
		}
	}
}
