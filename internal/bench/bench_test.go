package bench

import (
	"bytes"
	"strings"
	"testing"
	"time"

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
