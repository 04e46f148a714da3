package bench

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/openteli/teli/internal/app"
	"github.com/openteli/teli/internal/config"
	"github.com/openteli/teli/internal/store/postgres"
	"github.com/openteli/teli/internal/teli"
)

// Phase names of the send benchmark.
const (
	phaseSend    = "POST /v1/sms/send"
	phaseSendMax = "max POST /v1/sms/send"
)

// SendOptions configure RunSend; zero values take the defaults.
type SendOptions struct {
	// DatabaseURL is as in APIOptions.
	DatabaseURL string
	// Rate is the open-loop arrival rate in requests per second (default 200).
	Rate int
	// Duration is how long the open-loop phase lasts (default 10s); the closed loop runs half.
	Duration time.Duration
	// Concurrency is the number of closed-loop workers (default 32).
	Concurrency int
	// Contacts is the size of the campaign whose threads are messaged (default 10000).
	Contacts int
	// Live launches the campaign for real (starting messages through the sandbox carrier, which
	// the bench waits for) instead of as a dry run.
	Live bool
	// CPUProfile, when set, receives a CPU profile of both phases.
	CPUProfile io.Writer
}

func (o SendOptions) withDefaults() SendOptions {
	if o.Rate <= 0 {
		o.Rate = 200
	}
	if o.Duration <= 0 {
		o.Duration = 10 * time.Second
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 32
	}
	if o.Contacts <= 0 {
		o.Contacts = 10000
	}
	return o
}

// RunSend boots the server, launches a campaign, then sends manual SMS (human takeover) to its
// threads: at a constant arrival rate, then as fast as o.Concurrency clients can. Every request
// of the open loop goes to a thread not messaged before; the closed loop carries on with the
// next threads and starts over at the first when it runs out.
func RunSend(ctx context.Context, o SendOptions, out io.Writer) error {
	o = o.withDefaults()
	tmp, err := os.MkdirTemp("", "teli-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	cfg := serverConfig(filepath.Join(tmp, "main"))
	cfg.DatabaseURL = o.DatabaseURL
	cfg.Carrier = config.CarrierSandbox
	kind, target, err := cfg.Database()
	if err != nil {
		return err
	}
	if kind == config.Postgres {
		if err := postgres.Migrate(ctx, target, nil); err != nil {
			return err
		}
	}
	aud, err := pickAudience(time.Now())
	if err != nil {
		return err
	}
	srv, err := startWith(ctx, cfg, app.Options{Clock: aud.clock})
	if err != nil {
		return err
	}
	db, err := openBenchDB(ctx, cfg)
	if err != nil {
		srv.stop()
		return err
	}
	defer db.close()
	c := newClient(srv.base)
	err = measureSend(ctx, c, db, aud, o, kind, out)
	c.hc.CloseIdleConnections() // else shutdown waits for them to time out
	if stopErr := srv.stop(); err == nil {
		err = stopErr
	}
	return err
}

func measureSend(ctx context.Context, c *client, db benchDB, aud audience, o SendOptions, kind string, out io.Writer) error {
	org, admin, err := orgAndAdmin(ctx, c)
	if err != nil {
		return fmt.Errorf("bench setup: %w", err)
	}
	agent, err := createSMSAgent(ctx, c, org, admin)
	if err != nil {
		return fmt.Errorf("bench setup: %w", err)
	}
	id := newCampaignID()
	c.hc.Timeout = 10 * time.Minute // a large launch takes a while
	var resp launchResponse
	t0 := time.Now()
	if err := c.do(ctx, "POST", "/v1/campaigns", campaignBody(id, org, admin, agent, aud, o.Contacts, !o.Live), &resp); err != nil {
		return fmt.Errorf("bench setup: launch: %w", err)
	}
	launched := time.Since(t0)
	c.hc.Timeout = 30 * time.Second
	pk, err := db.campaignPK(ctx, id)
	if err != nil {
		return err
	}
	mode := "dry run"
	if o.Live {
		mode = "live, waited for every starting message to be handed over"
		for {
			st, err := db.campaignStatus(ctx, pk)
			if err != nil {
				return err
			}
			if st == string(teli.CampaignCompleted) {
				break
			}
			select {
			case <-time.After(20 * time.Millisecond):
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}

	fmt.Fprintf(out, "teli bench send: database %s, GOMAXPROCS %d, NumCPU %d, %s %s/%s\n",
		kind, runtime.GOMAXPROCS(0), runtime.NumCPU(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	fmt.Fprintf(out, "campaign: %d threads (%s; launch took %s ms), %s\n", resp.Details.TotalContacts, mode, ms(launched), aud.describe())
	fmt.Fprintf(out, "open loop: %d req/s for %v, each to a thread not messaged before, latency from each request's"+
		" scheduled start; max: %d workers back to back for %v\n", o.Rate, o.Duration, o.Concurrency, o.Duration/2)
	fmt.Fprint(out, "lag p99: how late the generator itself started requests (timer resolution, CPU), in ms;"+
		" already inside the latencies\n\n")

	var next atomic.Int64
	send := func(ctx context.Context) error {
		i := int(next.Add(1)-1) % o.Contacts
		body := `{"campaign_id": "` + id + `", "phone_number": "` + aud.number(i) +
			`", "message": "Hi, this is Sarah from ABC Mortgage in person: do you have a minute for a call today? (` +
			strconv.Itoa(i) + `)"}`
		return c.do(ctx, "POST", "/v1/sms/send", []byte(body), nil)
	}
	if o.CPUProfile != nil {
		if err := pprof.StartCPUProfile(o.CPUProfile); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	printHeader(out)
	openLoop(ctx, o.Rate, o.Duration, send).print(out, phaseSend)
	if err := ctx.Err(); err != nil {
		return err
	}
	before := next.Load()
	closedLoop(ctx, o.Concurrency, o.Duration/2, send).print(out, phaseSendMax)
	pprof.StopCPUProfile()
	if sent := next.Load(); sent > int64(o.Contacts) {
		fmt.Fprintf(out, "%*s the max phase ran out of fresh threads after %d requests and started over\n",
			phaseWidth, "", int64(o.Contacts)-before)
	}
	counts, err := db.statusCounts(ctx, pk)
	if err == nil {
		fmt.Fprintf(out, "\ncampaign's messages at the end, by status: %s\n", statusList(counts))
	}
	return err
}
