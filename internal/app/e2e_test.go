package app_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/openteli/teli/internal/apitest"
	"github.com/openteli/teli/internal/app"
	"github.com/openteli/teli/internal/clock"
	"github.com/openteli/teli/internal/config"
	"github.com/openteli/teli/internal/teli"
)

// TestEndToEnd boots the real server on a free port over an empty database, reads the bootstrap
// key it prints, and walks the agents API with the hosted API's example bodies, over real HTTP.
func TestEndToEnd(t *testing.T) {
	for _, b := range apitest.Backends() {
		t.Run(b.Name, func(t *testing.T) { endToEnd(t, b) })
	}
}

func endToEnd(t *testing.T, b apitest.Backend) {
	cfg := config.Defaults()
	cfg.Addr = "127.0.0.1:0"
	cfg.DatabaseURL = b.URL(t)
	stdout, lines := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	// A fixed daytime clock: quiet hours must not hold the campaign's messages whenever the
	// suite happens to run.
	a, err := app.New(ctx, cfg, app.Options{Stdout: lines, Clock: clock.NewManual(apitest.Epoch)})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx); lines.Close() }()
	key, base := readBanner(t, stdout)
	go io.Copy(io.Discard, stdout)
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("server stopped with error: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("server did not stop within 30s of cancel")
		}
	})

	c := client{t: t, base: base, key: key}
	if orgs := c.do("GET", "/v1/organizations", "", 200); orgs["count"].(float64) != 1 {
		t.Fatalf("bootstrap should create one organization: %v", orgs)
	}
	org := c.do("POST", "/v1/organizations", `{"name": "My Company LLC", "contact_email": "owner@mycompany.example"}`, 200)
	orgID := org["organization"].(map[string]any)["unique_id"].(string)
	user := c.do("POST", "/v1/organizations/"+orgID+"/users", `{"name": "John Smith", "email": "john@example.com", "permission": "admin"}`, 200)
	userID := user["user"].(map[string]any)["unique_id"].(string)

	fill := strings.NewReplacer("{{org}}", orgID, "{{admin}}", userID)
	sms := c.do("POST", "/v1/agents", fill.Replace(smsBody), 200)
	voice := c.do("POST", "/v1/agents", fill.Replace(voiceBody), 200)
	smsID, voiceID := sms["agent_id"].(string), voice["agent_id"].(string)
	voicePlatformID := voice["voice_agent_id"].(string)
	if !regexp.MustCompile(`^agent_[0-9a-f]{26}$`).MatchString(voicePlatformID) ||
		!regexp.MustCompile(`^llm_[0-9a-f]{28}$`).MatchString(voice["voice_llm_id"].(string)) ||
		!regexp.MustCompile(`^\d{13}x\d{18}$`).MatchString(smsID) {
		t.Fatalf("ids not in Teli's formats: %v %v", sms, voice)
	}

	list := c.do("GET", "/v1/agents?organization_id="+orgID+"&user_id="+userID+"&is_admin=true", "", 200)
	if list["count"].(float64) != 2 {
		t.Fatalf("want 2 agents, got %v", list)
	}
	c.do("PATCH", "/v1/agents/"+smsID, `{"agent_name": "Renamed", "drip_schedule": [{"delay_hours": 48, "type": "ai"}]}`, 200)
	c.do("PATCH", "/v1/agents/"+voiceID, `{"voice_id": "11labs-Rachel"}`, 200)
	got := c.do("GET", "/v1/agents/"+smsID, "", 200)["agent"].(map[string]any)
	if got["agent_name"] != "Renamed" || len(got["drip_schedule"].([]any)) != 1 {
		t.Fatalf("update not visible: %v", got)
	}
	waitFor(t, "voice platform receives the new voice", func() bool {
		spec, err := a.SandboxVoice().Agent(context.Background(), voicePlatformID)
		return err == nil && spec.VoiceID == "11labs-Rachel"
	})

	launchAndDeliver(t, c, orgID, userID, smsID)

	c.do("DELETE", "/v1/agents/"+smsID, "", 200)
	c.do("DELETE", "/v1/agents/"+voiceID, "", 200)
	c.do("GET", "/v1/agents/"+voiceID, "", 404)
	// The delete job removes the agent from the voice platform.
	waitFor(t, "voice platform forgets the deleted agent", func() bool {
		_, err := a.SandboxVoice().Agent(context.Background(), voicePlatformID)
		return errors.Is(err, teli.ErrNotFound)
	})
	list = c.do("GET", "/v1/agents?organization_id="+orgID+"&user_id="+userID+"&is_admin=true", "", 200)
	if list["count"].(float64) != 0 {
		t.Fatalf("deleted agents still listed: %v", list)
	}
}

// readBanner reads the lines the server prints at start: the bootstrap key and the address.
func readBanner(t *testing.T, r io.Reader) (key, base string) {
	t.Helper()
	found := make(chan [2]string, 1)
	go func() {
		sc := bufio.NewScanner(r)
		var k string
		for sc.Scan() {
			line := sc.Text()
			if v, ok := strings.CutPrefix(line, "API key (shown once, keep it): "); ok {
				k = v
			}
			if v, ok := strings.CutPrefix(line, "teli listening on "); ok {
				found <- [2]string{k, v}
				return
			}
		}
		close(found)
	}()
	select {
	case f, ok := <-found:
		if !ok || f[0] == "" {
			t.Fatal("server did not print a bootstrap key and an address")
		}
		return f[0], f[1]
	case <-time.After(30 * time.Second):
		t.Fatal("server did not start within 30s")
	}
	return "", ""
}

type client struct {
	t         *testing.T
	base, key string
}

func (c client) do(method, path, body string, want int) map[string]any {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("X-API-Key", c.key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		c.t.Fatalf("%s %s: body is not JSON: %v", method, path, err)
	}
	if resp.StatusCode != want || out["powered_by"] != "Teli" {
		c.t.Fatalf("%s %s: status %d (want %d), body %v", method, path, resp.StatusCode, want, out)
	}
	return out
}

// waitFor polls cond until it holds, failing the test after a deadline.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

const smsBody = `{"agent_type": "sms", "agent_name": "Mortgage Lead Qualifier",
	"starting_message": "Hi {{first_name}}, are you still looking to refinance?",
	"prompt": "You are a friendly mortgage assistant.", "organization_id": "{{org}}", "user_id": "{{admin}}",
	"extraction_fields": ["credit_score", "loan_amount", "interested", "timeline"],
	"drip_schedule": [{"day": 1, "message": "Just checking in!"}]}`

var voiceBody = fmt.Sprintf(`{"agent_type": "voice", "agent_name": "Sales Agent",
	"starting_message": "Hi, this is Alex from Acme.", "prompt": "You are a helpful sales agent.",
	"organization_id": "{{org}}", "user_id": "{{admin}}", "voice_id": "11labs-Adrian",
	"detect_voicemail": true, "voicemail_message": "Please call us back.", "language": "en-US",
	"knowledge_base_ids": ["knowledge_base_7a0682ce5fc02413"], "kb_config": {"top_k": 3, "filter_score": 0.6},
	"tools": [%s]}`, `{"type": "end_call", "name": "end_call", "description": "End the call"}`)

// launchAndDeliver launches a live campaign on the sandbox carrier and waits until the dispatcher
// has handed every starting message to the carrier, exactly one per lead.
func launchAndDeliver(t *testing.T, c client, orgID, userID, agentID string) {
	t.Helper()
	const leads = 40
	var contacts []string
	for i := range leads {
		contacts = append(contacts, fmt.Sprintf(`{"phone_number": "+1313555%04d", "first_name": "Lead%d"}`, i, i))
	}
	body := fmt.Sprintf(`{"campaign_id": "e2e-live", "campaign_name": "Live", "organization_id": %q, "user_id": %q,
		"sms_agent_id": %q, "teli_sms_number": "+13135727768", "contacts": [%s]}`, orgID, userID, agentID, strings.Join(contacts, ","))
	launch := c.do("POST", "/v1/campaigns", body, 200)
	if launch["details"].(map[string]any)["total_contacts"].(float64) != leads {
		t.Fatalf("launch: %v", launch)
	}
	var msgs []any
	waitFor(t, "every starting message delivered by the sandbox carrier", func() bool {
		page := c.do("GET", "/v1/campaigns/e2e-live/messages?limit=1000", "", 200)
		msgs = page["messages"].([]any)
		for _, m := range msgs {
			if m.(map[string]any)["status"] != "delivered" {
				return false
			}
		}
		return len(msgs) == leads
	})
	perPhone := map[string]int{}
	for _, m := range msgs {
		mm := m.(map[string]any)
		perPhone[mm["phone_number"].(string)]++
		if id, _ := mm["provider_message_id"].(string); !strings.HasPrefix(id, "SBX") {
			t.Fatalf("delivered message without a sandbox provider id: %v", mm)
		}
	}
	if len(perPhone) != leads {
		t.Fatalf("%d distinct recipients, want %d", len(perPhone), leads)
	}
	for p, n := range perPhone {
		if n != 1 {
			t.Fatalf("%s got %d starting messages", p, n)
		}
	}
}
