package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"time"

	"github.com/openteli/teli/internal/config"
	"github.com/openteli/teli/internal/store/postgres"
)

// benchKey is the bootstrap API key of the server under test. It is fixed so that a PostgreSQL
// database bootstrapped by an earlier run still accepts it.
const benchKey = "teli_bench_key_not_a_secret_0000"

// Phase names, as printed in the first column.
const (
	phaseCreate = "POST /v1/agents"
	phaseList   = "GET /v1/agents"
	phaseGet    = "GET /v1/agents/{id}"
	phaseMax    = "max POST /v1/agents"
	coldStarts  = 5
	listed      = 20 // agents owned by the user whose list is read
)

// APIOptions configure RunAPI; zero values take the defaults.
type APIOptions struct {
	// DatabaseURL is empty for SQLite in a fresh temporary directory (removed afterwards), or a
	// TELI_DATABASE_URL value; a PostgreSQL database is migrated first and then used as is.
	DatabaseURL string
	// Rate is the open-loop arrival rate in requests per second (default 500).
	Rate int
	// Duration is how long each open-loop phase lasts (default 10s); the closed loop runs half.
	Duration time.Duration
	// Concurrency is the number of closed-loop workers of the max-throughput phase (default 32).
	Concurrency int
	// CPUProfile, when set, receives a CPU profile of the load phases.
	CPUProfile io.Writer
}

func (o APIOptions) withDefaults() APIOptions {
	if o.Rate <= 0 {
		o.Rate = 500
	}
	if o.Duration <= 0 {
		o.Duration = 10 * time.Second
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 32
	}
	return o
}

// RunAPI boots the real server in-process on 127.0.0.1, drives its HTTP API through loopback and
// writes one line of figures per phase to out. The load generator shares the machine (and
// GOMAXPROCS) with the server, so figures are a lower bound of a dedicated server's.
func RunAPI(ctx context.Context, o APIOptions, out io.Writer) error {
	o = o.withDefaults()
	tmp, err := os.MkdirTemp("", "teli-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	cfg := serverConfig(filepath.Join(tmp, "main"))
	cfg.DatabaseURL = o.DatabaseURL
	kind, target, err := cfg.Database()
	if err != nil {
		return err
	}
	if kind == config.Postgres {
		if err := postgres.Migrate(ctx, target, nil); err != nil {
			return err
		}
	}
	srv, err := start(ctx, cfg)
	if err != nil {
		return err
	}
	c := newClient(srv.base)
	err = measure(ctx, c, o, kind, out)
	c.hc.CloseIdleConnections() // else shutdown waits for them to time out
	if stopErr := srv.stop(); err == nil {
		err = stopErr
	}
	if err == nil && kind == config.SQLite {
		err = coldStart(ctx, tmp, out)
	}
	return err
}

// measure sets the fixtures up and runs the load phases.
func measure(ctx context.Context, c *client, o APIOptions, kind string, out io.Writer) error {
	f, err := setup(ctx, c)
	if err != nil {
		return fmt.Errorf("bench setup: %w", err)
	}
	fmt.Fprintf(out, "teli bench api: database %s, GOMAXPROCS %d, NumCPU %d, %s %s/%s\n",
		kind, runtime.GOMAXPROCS(0), runtime.NumCPU(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	fmt.Fprintf(out, "open loop: %d req/s for %v per phase, latency from each request's scheduled start;"+
		" max: %d workers back to back for %v\n", o.Rate, o.Duration, o.Concurrency, o.Duration/2)
	fmt.Fprint(out, "lag p99: how late the generator itself started requests (timer resolution, CPU), in ms;"+
		" already inside the latencies\n\n")
	printHeader(out)
	if o.CPUProfile != nil {
		if err := pprof.StartCPUProfile(o.CPUProfile); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}

	create := func(ctx context.Context) error { return c.do(ctx, "POST", "/v1/agents", f.createBody, nil) }
	list := "/v1/agents?organization_id=" + f.org + "&user_id=" + f.reader
	phases := []struct {
		name string
		run  func() sample
	}{
		{phaseCreate, func() sample { return openLoop(ctx, o.Rate, o.Duration, create) }},
		{phaseList, func() sample {
			return openLoop(ctx, o.Rate, o.Duration, func(ctx context.Context) error { return c.do(ctx, "GET", list, nil, nil) })
		}},
		{phaseGet, func() sample {
			return openLoop(ctx, o.Rate, o.Duration, func(ctx context.Context) error {
				return c.do(ctx, "GET", "/v1/agents/"+f.agents[rand.IntN(len(f.agents))], nil, nil)
			})
		}},
		{phaseMax, func() sample { return closedLoop(ctx, o.Concurrency, o.Duration/2, create) }},
	}
	for _, p := range phases {
		p.run().print(out, p.name)
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return nil
}

// fixtures are the ids the phases address.
type fixtures struct {
	org, admin, reader string
	agents             []string // the reader's agents
	createBody         []byte   // an agent of the admin user
}

// setup finds the bootstrap organization and admin, and gives a new user of that organization
// exactly `listed` agents, so the list phase returns the same realistic page every time however
// many agents the other phases have created.
func setup(ctx context.Context, c *client) (fixtures, error) {
	var f fixtures
	var err error
	if f.org, f.admin, err = orgAndAdmin(ctx, c); err != nil {
		return f, err
	}
	var user struct {
		User struct {
			UniqueID string `json:"unique_id"`
		} `json:"user"`
	}
	// A new address each run: a reused PostgreSQL database already has the earlier readers.
	body, _ := json.Marshal(map[string]string{"name": "Bench Reader", "email": fmt.Sprintf("bench-%d@example.com", time.Now().UnixNano())})
	if err := c.do(ctx, "POST", "/v1/organizations/"+f.org+"/users", body, &user); err != nil {
		return f, err
	}
	f.reader = user.User.UniqueID
	for range listed {
		var a struct {
			AgentID string `json:"agent_id"`
		}
		if err := c.do(ctx, "POST", "/v1/agents", agentBody(f.org, f.reader), &a); err != nil {
			return f, err
		}
		f.agents = append(f.agents, a.AgentID)
	}
	f.createBody = agentBody(f.org, f.admin)
	return f, nil
}

// orgAndAdmin finds the bootstrap organization and its admin user.
func orgAndAdmin(ctx context.Context, c *client) (org, admin string, err error) {
	var orgs struct {
		Organizations []struct {
			UniqueID string `json:"unique_id"`
		} `json:"organizations"`
	}
	if err := c.do(ctx, "GET", "/v1/organizations", nil, &orgs); err != nil {
		return "", "", err
	}
	if len(orgs.Organizations) == 0 {
		return "", "", errors.New("the bench key sees no organization")
	}
	org = orgs.Organizations[0].UniqueID
	var users struct {
		Users []struct {
			UniqueID   string `json:"unique_id"`
			Permission string `json:"permission"`
		} `json:"users"`
	}
	if err := c.do(ctx, "GET", "/v1/organizations/"+org+"/users", nil, &users); err != nil {
		return "", "", err
	}
	for _, u := range users.Users {
		if u.Permission == "admin" {
			return org, u.UniqueID, nil
		}
	}
	return "", "", fmt.Errorf("organization %s has no admin user", org)
}

// agentBody is an SMS agent shaped like the hosted API's own example: a few hundred bytes with
// a drip schedule and extraction fields, so validation and storage do their usual work.
func agentBody(org, user string) []byte {
	b, _ := json.Marshal(map[string]any{
		"agent_type": "sms", "agent_name": "Mortgage Lead Qualifier",
		"starting_message": "Hi {{first_name}}, this is Sarah from ABC Mortgage. Are you still looking to refinance?",
		"prompt":           "You are a friendly mortgage assistant. Qualify the lead: credit score, loan amount, timeline.",
		"organization_id":  org, "user_id": user,
		"extraction_fields": []any{"credit_score", "loan_amount",
			map[string]string{"name": "interested", "type": "boolean"},
			map[string]string{"name": "timeline", "description": "When they want to close"}},
		"drip_schedule": []any{
			map[string]any{"day": 1, "message": "Just checking in, {{first_name}}!"},
			map[string]any{"delay_hours": 72, "type": "ai"},
			map[string]any{"delay_hours": 120, "type": "custom", "message": "Last follow-up from ABC Mortgage."}},
	})
	return b
}

// coldStart times app.New on a brand-new SQLite file until the server accepts connections:
// migrations, bootstrap, job queue and listener, what an operator waits for on a first start.
func coldStart(ctx context.Context, tmp string, out io.Writer) error {
	var took []time.Duration
	for i := range coldStarts {
		cfg := serverConfig(filepath.Join(tmp, fmt.Sprintf("cold-%d", i)))
		t0 := time.Now()
		srv, err := start(ctx, cfg)
		if err != nil {
			return err
		}
		took = append(took, time.Since(t0))
		if err := srv.stop(); err != nil {
			return err
		}
	}
	slices.Sort(took)
	fmt.Fprintf(out, "\ncold start, new SQLite file to accepting connections (%d runs): min %s ms, median %s ms\n",
		coldStarts, ms(took[0]), ms(took[len(took)/2]))
	return nil
}

// serverConfig is the configuration of a server under test with its SQLite data in dataDir.
func serverConfig(dataDir string) config.Config {
	cfg := config.Defaults()
	cfg.Addr = "127.0.0.1:0"
	cfg.DataDir = dataDir
	cfg.BootstrapAPIKey = benchKey
	return cfg
}
