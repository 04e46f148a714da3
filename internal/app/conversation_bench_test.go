package app_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openteli/teli/internal/apitest"
	"github.com/openteli/teli/internal/app"
	"github.com/openteli/teli/internal/carrier"
	"github.com/openteli/teli/internal/carrier/sandbox"
	"github.com/openteli/teli/internal/config"
	"github.com/openteli/teli/internal/llm/openai"
	"github.com/openteli/teli/internal/llm/openai/openaitest"
)

// timingCarrier is the sandbox carrier, telling the benchmark when each message to a number is
// handed over.
type timingCarrier struct {
	*sandbox.Carrier
	mu      sync.Mutex
	waiters map[string]chan time.Time
}

func (c *timingCarrier) Send(ctx context.Context, m carrier.Message) (carrier.Sent, error) {
	sent, err := c.Carrier.Send(ctx, m)
	c.mu.Lock()
	ch := c.waiters[m.To]
	c.mu.Unlock()
	if ch != nil && strings.HasPrefix(m.Body, "Reply ") {
		select {
		case ch <- time.Now():
		default:
		}
	}
	return sent, err
}

// BenchmarkInboundToReply measures the server's own overhead on a conversation turn: from a
// contact's message arriving (POST /v1/sandbox/inbound) to the agent's reply being handed to
// the carrier, with the model answering instantly, no burst window, and 500 conversations in
// flight, each sending its next message as soon as it has the reply. It reports p50 and p99
// of that latency and the inbound messages per second the server absorbed.
//
//	go test ./internal/app -run '^$' -bench InboundToReply -benchtime 1x
//	TELI_TEST_POSTGRES_URL=postgres://… go test ./internal/app -run '^$' -bench InboundToReply -benchtime 1x
func BenchmarkInboundToReply(b *testing.B) {
	for _, backend := range apitest.Backends() {
		b.Run(backend.Name, func(b *testing.B) {
			inboundToReply(b, backend, benchConversations, 10*time.Second)
		})
	}
}

func inboundToReply(b *testing.B, backend apitest.Backend, conversations int, runFor time.Duration) {
	fake := openaitest.New(b, openaitest.Options{Handler: func(r *openaitest.ChatRequest) openaitest.Reply {
		if r.ResponseFormat != nil { // an extraction
			return openaitest.Reply{Content: `{"extracted_fields": {}, "lead_outcome": "pending", "objective_met": false,
				"do_not_message": false, "call_transferred": false, "call_scheduled": false, "call_scheduled_time": ""}`}
		}
		return openaitest.Reply{Content: "Reply ok"}
	}})
	model, err := openai.New(openai.Config{BaseURL: fake.URL, APIKey: "sk-bench", Model: "gpt-bench"})
	if err != nil {
		b.Fatal(err)
	}
	cfg := config.Defaults()
	cfg.Addr, cfg.DatabaseURL = "127.0.0.1:0", backend.URL(b)
	cfg.BootstrapAPIKey = apitest.Key
	cfg.AIBurstWindow, cfg.AIDailyCap = 0, 1000
	cfg.JobWorkers = 50
	timing := &timingCarrier{Carrier: sandbox.New(nil), waiters: map[string]chan time.Time{}}
	ctx, cancel := context.WithCancel(context.Background())
	// The clock is the system's: an AI reply right after a contact's message is exempt from
	// quiet hours, so the time of day does not matter.
	a, err := app.New(ctx, cfg, app.Options{LLM: model, Carrier: timing, Stdout: io.Discard})
	if err != nil {
		b.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	base := "http://" + <-a.Ready()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			b.Error(err)
		}
	}()
	phones := benchLaunch(b, base, conversations)
	timing.mu.Lock()
	for _, p := range phones {
		timing.waiters[p] = make(chan time.Time, 4)
	}
	timing.mu.Unlock()

	b.ResetTimer()
	start := time.Now()
	var mu sync.Mutex
	var latencies []time.Duration
	var wg sync.WaitGroup
	for i, p := range phones {
		wg.Go(func() {
			for turn := 0; time.Since(start) < runFor; turn++ {
				sentAt := time.Now()
				if err := benchPost(base+"/v1/sandbox/inbound", fmt.Sprintf(`{"from": %q, "to": "+13135727768", "body": "question %d from %d"}`, p, turn, i)); err != nil {
					b.Error(err)
					return
				}
				select {
				case at := <-timing.waiters[p]:
					mu.Lock()
					latencies = append(latencies, at.Sub(sentAt))
					mu.Unlock()
				case <-time.After(60 * time.Second):
					b.Errorf("%s: no reply within 60s", p)
					return
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	slices.Sort(latencies)
	pct := func(q float64) float64 {
		return float64(latencies[int(q*float64(len(latencies)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.5), "p50_ms")
	b.ReportMetric(pct(0.99), "p99_ms")
	b.ReportMetric(float64(len(latencies))/elapsed.Seconds(), "inbound/s")
	b.Logf("%s: %d turns in %v over %d conversations: p50 %.1f ms, p99 %.1f ms, max %.1f ms, %.0f inbound messages/s",
		backend.Name, len(latencies), elapsed.Round(time.Millisecond), conversations, pct(0.5), pct(0.99),
		float64(latencies[len(latencies)-1].Microseconds())/1000, float64(len(latencies))/elapsed.Seconds())
}

// benchLaunch creates an agent and launches a campaign of n leads and returns their numbers.
func benchLaunch(b *testing.B, base string, n int) []string {
	b.Helper()
	get := func(path string) string {
		req, _ := http.NewRequest("GET", base+path, nil)
		req.Header.Set("X-API-Key", apitest.Key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		defer resp.Body.Close()
		data, _ := io.ReadAll(resp.Body)
		return string(data)
	}
	org := between(get("/v1/organizations"), `"unique_id":"`, `"`)
	admin := between(get("/v1/organizations/"+org+"/users"), `"unique_id":"`, `"`)
	agentBody := fmt.Sprintf(`{"agent_type": "sms", "agent_name": "Bench", "starting_message": "Hi!", "prompt": "Answer briefly.",
		"organization_id": %q, "user_id": %q}`, org, admin)
	agent := between(mustPost(b, base+"/v1/agents", agentBody), `"agent_id":"`, `"`)
	var contacts []string
	var phones []string
	for i := range n {
		p := fmt.Sprintf("+1313555%04d", i)
		phones = append(phones, p)
		contacts = append(contacts, fmt.Sprintf(`{"phone_number": %q}`, p))
	}
	mustPost(b, base+"/v1/campaigns", fmt.Sprintf(`{"campaign_id": "bench", "campaign_name": "Bench", "organization_id": %q,
		"user_id": %q, "sms_agent_id": %q, "teli_sms_number": "+13135727768", "contacts": [%s]}`,
		org, admin, agent, strings.Join(contacts, ",")))
	return phones
}

func between(s, from, to string) string {
	_, rest, ok := strings.Cut(s, from)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(rest, to)
	return v
}

func mustPost(b *testing.B, url, body string) string {
	b.Helper()
	req, _ := http.NewRequest("POST", url, strings.NewReader(body))
	req.Header.Set("X-API-Key", apitest.Key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		b.Fatalf("POST %s: %d %s", url, resp.StatusCode, data)
	}
	return string(data)
}

func benchPost(url, body string) error {
	req, _ := http.NewRequest("POST", url, strings.NewReader(body))
	req.Header.Set("X-API-Key", apitest.Key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		data, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("%d %s", resp.StatusCode, data)
	}
	return nil
}

// benchConversations is how many conversations are in flight (TELI_BENCH_CONVERSATIONS).
var benchConversations = func() int {
	var n int
	if _, err := fmt.Sscan(os.Getenv("TELI_BENCH_CONVERSATIONS"), &n); err != nil || n <= 0 {
		return 500
	}
	return n
}()
