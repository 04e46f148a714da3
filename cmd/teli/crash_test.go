package main

import (
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openteli/teli/internal/carrier/twilio/twiliotest"
	"github.com/openteli/teli/internal/quiethours"
	"github.com/openteli/teli/internal/store/dbtest"
)

// openAreaCode returns a NANP area code whose zone is inside the sending window now and for the
// next two hours, so tests that run the real binary on the real clock are never held by quiet
// hours, whatever the time of day they run. The candidates' zones span UTC-4 to UTC+10.
func openAreaCode(t *testing.T) string {
	t.Helper()
	now := time.Now()
	for _, code := range []string{"787", "313", "312", "303", "213", "907", "808", "671"} {
		loc, err := quiethours.Resolve(quiethours.Recipient{Phone: "+1" + code + "5550100"})
		if err != nil {
			continue
		}
		if ok, _ := quiethours.Check(now, loc); !ok {
			continue
		}
		if ok, _ := quiethours.Check(now.Add(2*time.Hour), loc); ok {
			return code
		}
	}
	t.Fatal("no candidate area code is inside its sending window now")
	return ""
}

// freeAddr returns a free local address, so a server's public URL can be known before it starts.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// twilioEnv is the environment of a serve process that sends through the fake Twilio.
func twilioEnv(fake *twiliotest.Server, addr string, extra ...string) []string {
	return append([]string{
		"TELI_ADDR=" + addr, "TELI_CARRIER=twilio", "TELI_PUBLIC_URL=http://" + addr,
		"TELI_TWILIO_ACCOUNT_SID=" + fake.AccountSID, "TELI_TWILIO_AUTH_TOKEN=" + fake.AuthToken,
		"TELI_TWILIO_BASE_URL=" + fake.URL,
		// A short lease so that a killed server's claims are taken over within the test.
		"TELI_SEND_LEASE=3s", "TELI_CARRIER_TIMEOUT=2s",
	}, extra...)
}

// launchBody is a campaign of n leads on numbers of one area code.
func launchBody(id, code string, n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, `{"campaign_id": %q, "campaign_name": "Crash trial", "organization_id": "{{org}}",
		"user_id": "{{admin}}", "sms_agent_id": "{{agent}}", "teli_sms_number": "+13135727768", "contacts": [`, id)
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"phone_number": "+1%s55%05d", "first_name": "L%d"}`, code, i, i)
	}
	b.WriteString("]}")
	return b.String()
}

// TestCrashDuringLaunchSendsEachStartingMessageOnce kills the server with SIGKILL at random
// points while it launches and sends a 5,000-lead campaign through (fake) Twilio, restarts it,
// and checks that every lead received exactly one starting message: none lost, none twice.
func TestCrashDuringLaunchSendsEachStartingMessageOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("crash trials run the real binary for several seconds")
	}
	bin := buildBinary(t)
	code := openAreaCode(t)
	const leads = 5000
	for trial := range 3 {
		t.Run(fmt.Sprintf("trial%d", trial), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), uint64(trial)))
			fake := twiliotest.New(t, twiliotest.Options{Callbacks: twiliotest.CallbacksManual})
			dataDir := t.TempDir()
			addr := freeAddr(t)
			const key = "crash-trial-bootstrap-key"
			env := twilioEnv(fake, addr, "TELI_DATA_DIR="+dataDir, "TELI_BOOTSTRAP_API_KEY="+key)
			s := startServe(t, bin, env...)
			all := []*started{s}
			defer func() {
				if t.Failed() {
					for i, p := range all {
						t.Logf("server %d stderr:\n%s", i, p.stderr)
					}
				}
			}()
			ids := setupOrg(t, s.base, key)
			body := launchBody("crash", code, leads)
			for k, v := range ids {
				body = strings.ReplaceAll(body, "{{"+k+"}}", v)
			}

			// Launch and kill at a random moment, twice: during or after the launch request,
			// while messages are being handed to Twilio.
			go postRaw(s.base+"/v1/campaigns", key, body)
			kills := 0
			for range 2 {
				time.Sleep(time.Duration(200+rng.IntN(2800)) * time.Millisecond)
				if err := s.cmd.Process.Kill(); err != nil {
					t.Fatal(err)
				}
				_ = s.cmd.Wait()
				kills++
				t.Logf("killed after %d messages reached Twilio", len(fake.Messages()))
				s = startServe(t, bin, env...)
				all = append(all, s)
			}
			// The launch may have died before it committed: then the client retries it.
			if getStatus(t, s.base+"/v1/campaigns/crash", key) == http.StatusNotFound {
				t.Log("the launch never committed; retrying it")
				post(t, s.base+"/v1/campaigns", key, body)
			}
			deadline := time.Now().Add(60 * time.Second)
			for {
				c := getJSON(t, s.base+"/v1/campaigns/crash", key)["campaign"].(map[string]any)
				if c["status"] == "COMPLETED" {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("campaign not completed within 60s: %v; %d at Twilio", c["status"], len(fake.Messages()))
				}
				time.Sleep(100 * time.Millisecond)
			}
			perTo := map[string]int{}
			for _, m := range fake.Messages() {
				perTo[m.To]++
			}
			if len(perTo) != leads {
				t.Fatalf("%d leads reached, want %d", len(perTo), leads)
			}
			for to, n := range perTo {
				if n != 1 {
					for _, m := range fake.Messages() {
						if m.To == to {
							t.Logf("at Twilio: %s %s %v", m.Sid, m.Body, m.DateCreated)
						}
					}
					t.Logf("in Teli: %v", getJSON(t, s.base+"/v1/campaigns/crash/threads/"+strings.ReplaceAll(to, "+", "%2B")+"_crash/messages", key))
					t.Fatalf("%s received %d starting messages", to, n)
				}
			}
			s.stop(t)
		})
	}
}

// setupOrg creates an SMS agent on a fresh server and returns the ids a launch needs.
func setupOrg(t *testing.T, base, key string) map[string]string {
	t.Helper()
	orgs := getJSON(t, base+"/v1/organizations", key)["organizations"].([]any)
	org := orgs[0].(map[string]any)["unique_id"].(string)
	users := getJSON(t, base+"/v1/organizations/"+org+"/users", key)["users"].([]any)
	admin := users[0].(map[string]any)["unique_id"].(string)
	agent := post(t, base+"/v1/agents", key, fmt.Sprintf(`{"agent_type": "sms", "agent_name": "A",
		"starting_message": "Hi {{first_name}}!", "prompt": "p", "organization_id": %q, "user_id": %q}`, org, admin))
	return map[string]string{"org": org, "admin": admin, "agent": agent["agent_id"].(string)}
}

// postRaw posts and ignores the outcome: the server may die under it.
func postRaw(url, key, body string) {
	req, _ := http.NewRequest("POST", url, strings.NewReader(body))
	req.Header.Set("X-API-Key", key)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
	}
}

func getStatus(t *testing.T, url, key string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("X-API-Key", key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestTwoServersShareOnePostgresCampaign runs two serve processes on one PostgreSQL database
// against one campaign, with the sending number limited to 20 messages a second: every lead
// gets one message, and at no moment did the pair send faster than the limit allows.
func TestTwoServersShareOnePostgresCampaign(t *testing.T) {
	dbURL := dbtest.EmptyPostgresURL(t)
	if code, _, stderr := runCmd(t, map[string]string{"TELI_DATABASE_URL": dbURL}, "migrate"); code != 0 {
		t.Fatalf("migrate: %s", stderr)
	}
	bin := buildBinary(t)
	code := openAreaCode(t)
	fake := twiliotest.New(t, twiliotest.Options{Callbacks: twiliotest.CallbacksManual})
	const (
		key   = "two-servers-bootstrap-key"
		rate  = 20
		burst = 5
		leads = 200
	)
	var servers [2]*started
	var wg sync.WaitGroup
	for i := range servers {
		wg.Go(func() {
			servers[i] = startServe(t, bin, twilioEnv(fake, freeAddr(t), "TELI_DATABASE_URL="+dbURL,
				"TELI_BOOTSTRAP_API_KEY="+key, fmt.Sprintf("TELI_RATE_NUMBER_PER_SECOND=%d", rate),
				fmt.Sprintf("TELI_RATE_BURST=%d", burst))...)
		})
	}
	wg.Wait()
	ids := setupOrg(t, servers[0].base, key)
	body := launchBody("pair", code, leads)
	for k, v := range ids {
		body = strings.ReplaceAll(body, "{{"+k+"}}", v)
	}
	post(t, servers[1].base+"/v1/campaigns", key, body)
	deadline := time.Now().Add(60 * time.Second)
	for len(fake.Messages()) < leads {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d messages after 60s", len(fake.Messages()), leads)
		}
		time.Sleep(50 * time.Millisecond)
	}
	msgs := fake.Messages()
	perTo := map[string]int{}
	var times []time.Time
	for _, m := range msgs {
		perTo[m.To]++
		times = append(times, m.DateCreated)
	}
	for to, n := range perTo {
		if n != 1 {
			t.Fatalf("%s received %d messages", to, n)
		}
	}
	// Twilio dates messages to the second. Messages dated within k consecutive seconds were
	// sent within less than k seconds, so the pair may have sent at most the burst plus k times
	// the rate. Arrivals trail the grants by up to one carrier call, hence the small slack.
	const slack = 2
	slices.SortFunc(times, time.Time.Compare)
	perSecond := map[int64]int{}
	for _, at := range times {
		perSecond[at.Unix()]++
	}
	first, last := times[0].Unix(), times[len(times)-1].Unix()
	for from := first; from <= last; from++ {
		n := 0
		for to := from; to <= last; to++ {
			n += perSecond[to]
			k := float64(to - from + 1)
			if allowed := burst + rate*k + slack; float64(n) > allowed {
				t.Fatalf("%d messages dated within %v seconds; the limit allows %.0f", n, k, allowed)
			}
		}
	}
	elapsed := times[len(times)-1].Sub(times[0])
	t.Logf("%d messages in %v through two servers (limit %d/s, burst %d)", leads, elapsed, rate, burst)
	for _, s := range servers {
		s.stop(t)
	}
}
