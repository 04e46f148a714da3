package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/openteli/teli/internal/app"
	"github.com/openteli/teli/internal/config"
	"github.com/openteli/teli/internal/store/dbtest"
)

// buildBinary compiles the teli command once per test binary.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "teli")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// started is a running teli serve process.
type started struct {
	cmd     *exec.Cmd
	base    string
	key     string
	elapsed time.Duration
	stderr  *bytes.Buffer
}

// startServe runs `teli serve` on a free port with the given extra environment.
func startServe(t *testing.T, bin string, env ...string) *started {
	t.Helper()
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(append(os.Environ(), "TELI_ADDR=127.0.0.1:0", "TELI_DATABASE_URL="), env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	s := &started{cmd: cmd, stderr: &bytes.Buffer{}}
	cmd.Stderr = s.stderr
	begin := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			if k, ok := strings.CutPrefix(line, "API key (shown once, keep it): "); ok {
				s.key = k
			}
			if addr, ok := strings.CutPrefix(line, "teli listening on "); ok {
				s.base, s.elapsed = addr, time.Since(begin)
				close(ready)
				io.Copy(io.Discard, stdout)
				return
			}
		}
	}()
	select {
	case <-ready:
	case <-time.After(30 * time.Second):
		t.Fatalf("serve did not start; stderr:\n%s", s.stderr)
	}
	return s
}

func (s *started) stop(t *testing.T) {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve exited with %v after SIGTERM; stderr:\n%s", err, s.stderr)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not exit within 30s of SIGTERM")
	}
}

func status(t *testing.T, base, key string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", base+"/v1/organizations", nil)
	req.Header.Set("X-API-Key", key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestServeFreshAndRestart runs the real binary with no configuration but a data directory: it
// creates the directory and database, prints a key once, serves, stops cleanly on SIGTERM, and
// on restart keeps its data and prints no new key.
func TestServeFreshAndRestart(t *testing.T) {
	bin := buildBinary(t)
	dataDir := filepath.Join(t.TempDir(), "nested", "data")

	first := startServe(t, bin, "TELI_DATA_DIR="+dataDir)
	t.Logf("cold start on an empty SQLite database: %v", first.elapsed)
	if !regexp.MustCompile(`^teli_[a-z2-7]{52}$`).MatchString(first.key) {
		t.Fatalf("bootstrap key %q is not in the expected format", first.key)
	}
	if got := status(t, first.base, first.key); got != 200 {
		t.Fatalf("GET with bootstrap key: %d", got)
	}
	first.stop(t)
	if _, err := os.Stat(filepath.Join(dataDir, "teli.db")); err != nil {
		t.Fatalf("database file not created: %v", err)
	}

	second := startServe(t, bin, "TELI_DATA_DIR="+dataDir)
	if second.key != "" {
		t.Fatal("a second start printed a new bootstrap key")
	}
	if got := status(t, second.base, first.key); got != 200 {
		t.Fatalf("the first key stopped working after restart: %d", got)
	}
	second.stop(t)
}

func runCmd(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, func(k string) string { return env[k] }, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestBadConfigurationNamesTheVariable(t *testing.T) {
	code, _, stderr := runCmd(t, map[string]string{"TELI_ADDR": "no-port-here"}, "serve")
	if code != 1 || !strings.Contains(stderr, "TELI_ADDR") {
		t.Fatalf("code %d, stderr %q", code, stderr)
	}
	if code, _, _ := runCmd(t, nil, "frobnicate"); code != 2 {
		t.Fatalf("unknown command: code %d", code)
	}
	if code, out, _ := runCmd(t, nil, "version"); code != 0 || !strings.HasPrefix(out, "teli ") {
		t.Fatalf("version: %d %q", code, out)
	}
}

// bootApp boots the app on env's database, without its job queue; the caller closes it.
func bootApp(t *testing.T, env map[string]string) *app.App {
	t.Helper()
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(context.Background(), cfg, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// apiStatus boots the app on env's database and answers one authenticated request with key.
func apiStatus(t *testing.T, env map[string]string, key string) int {
	t.Helper()
	a := bootApp(t, env)
	defer a.Close()
	req := httptest.NewRequest("GET", "/v1/organizations", nil)
	req.Header.Set("X-API-Key", key)
	rec := httptest.NewRecorder()
	a.Handler().ServeHTTP(rec, req)
	return rec.Code
}

func TestAdminTenantsAndKeys(t *testing.T) {
	env := map[string]string{"TELI_DATA_DIR": t.TempDir()}
	if code, out, errOut := runCmd(t, env, "admin", "tenant", "create", "acme", "-name", "Acme Partners"); code != 0 {
		t.Fatalf("tenant create: %d %s %s", code, out, errOut)
	}
	if code, _, errOut := runCmd(t, env, "admin", "tenant", "create", "acme"); code != 1 || !strings.Contains(errOut, "already exists") {
		t.Fatalf("duplicate tenant: %d %s", code, errOut)
	}
	code, out, errOut := runCmd(t, env, "admin", "key", "create", "-tenant", "acme", "-name", "ci")
	if code != 0 {
		t.Fatalf("key create: %d %s", code, errOut)
	}
	m := regexp.MustCompile(`created key (\S+) for tenant acme\nAPI key \(shown once, keep it\): (teli_\S+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("key create output: %q", out)
	}
	keyID, secret := m[1], m[2]
	_, out, _ = runCmd(t, env, "admin", "key", "list", "-tenant", "acme")
	if !strings.Contains(out, keyID) || strings.Contains(out, secret) || !strings.Contains(out, secret[:12]) {
		t.Fatalf("key list must show the id and prefix, never the secret: %q", out)
	}
	if code, _, errOut := runCmd(t, env, "admin", "key", "create", "-tenant", "nobody"); code != 1 || !strings.Contains(errOut, "not found") {
		t.Fatalf("key for unknown tenant: %d %s", code, errOut)
	}
	if got := apiStatus(t, env, secret); got != 200 {
		t.Fatalf("a fresh key is refused: %d", got)
	}
	if code, _, errOut := runCmd(t, env, "admin", "key", "revoke", keyID); code != 0 {
		t.Fatalf("revoke: %s", errOut)
	}
	if got := apiStatus(t, env, secret); got != 401 {
		t.Fatalf("a revoked key still works: %d", got)
	}
	if code, _, _ := runCmd(t, env, "admin", "key", "revoke", keyID); code != 1 {
		t.Fatal("revoking twice should fail")
	}
	_, out, _ = runCmd(t, env, "admin", "key", "list")
	if !strings.Contains(out, "acme") || strings.Contains(out, "\t-\n") {
		t.Fatalf("list after revoke: %q", out)
	}
	if code, _, _ := runCmd(t, env, "admin", "bogus", "cmd"); code != 2 {
		t.Fatal("unknown admin command should fail")
	}
}

// TestPostgresMigrateThenTwoServers: on PostgreSQL, serve refuses an unmigrated database and says
// what to run; after teli migrate (run twice at once), two serve processes share the database,
// bootstrap it exactly once with TELI_BOOTSTRAP_API_KEY, and see each other's writes.
func TestPostgresMigrateThenTwoServers(t *testing.T) {
	dbURL := dbtest.EmptyPostgresURL(t)
	env := map[string]string{"TELI_DATABASE_URL": dbURL}
	code, _, stderr := runCmd(t, env, "serve")
	if code != 1 || !strings.Contains(stderr, "teli migrate") {
		t.Fatalf("serve on an unmigrated database: code %d, stderr %q", code, stderr)
	}
	var wg sync.WaitGroup
	codes := make([]int, 2)
	for i := range codes {
		wg.Go(func() { codes[i], _, _ = runCmd(t, env, "migrate") })
	}
	wg.Wait()
	if codes[0] != 0 || codes[1] != 0 {
		t.Fatalf("concurrent migrate exit codes %v", codes)
	}

	bin := buildBinary(t)
	const key = "bootstrap-key-for-two-servers"
	servers := make([]*started, 2)
	for i := range servers {
		wg.Go(func() {
			servers[i] = startServe(t, bin, "TELI_DATABASE_URL="+dbURL, "TELI_BOOTSTRAP_API_KEY="+key)
		})
	}
	wg.Wait()
	for _, s := range servers {
		if s.key != "" {
			t.Fatal("a key given in TELI_BOOTSTRAP_API_KEY must not be printed")
		}
	}
	orgs := getJSON(t, servers[0].base+"/v1/organizations", key)
	if orgs["count"].(float64) != 1 {
		t.Fatalf("two servers bootstrapped twice: %v", orgs)
	}
	post(t, servers[0].base+"/v1/organizations", key, `{"name": "Shared", "contact_email": "a@b.example"}`)
	if orgs := getJSON(t, servers[1].base+"/v1/organizations", key); orgs["count"].(float64) != 2 {
		t.Fatalf("second server does not see the first one's write: %v", orgs)
	}
	for _, s := range servers {
		s.stop(t)
	}
}

func getJSON(t *testing.T, url, key string) map[string]any {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("X-API-Key", key)
	return doJSON(t, req)
}

func post(t *testing.T, url, key, body string) map[string]any {
	t.Helper()
	req, _ := http.NewRequest("POST", url, strings.NewReader(body))
	req.Header.Set("X-API-Key", key)
	return doJSON(t, req)
}

func doJSON(t *testing.T, req *http.Request) map[string]any {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != 200 {
		t.Fatalf("%s %s: %d %v %v", req.Method, req.URL, resp.StatusCode, out, err)
	}
	return out
}

// commandLines are every command and subcommand, each as the words that name it.
var commandLines = [][]string{
	{}, {"serve"}, {"migrate"}, {"version"}, {"health"},
	{"admin"}, {"admin", "tenant"}, {"admin", "tenant", "create"}, {"admin", "tenant", "list"},
	{"admin", "key"}, {"admin", "key", "create"}, {"admin", "key", "list"}, {"admin", "key", "revoke"},
	{"bench"}, {"bench", "api"}, {"bench", "launch"}, {"bench", "send"},
	{"sandbox"}, {"sandbox", "reply"},
}

// TestUsageAndHelp: every command and subcommand answers -h, --help and help with its usage on
// stdout and exit 0, and refuses an unknown flag or argument with its usage on stderr and exit
// 2, without touching the data directory, the database or a server. The context is canceled,
// so a command that started anyway could not block the test.
func TestUsageAndHelp(t *testing.T) {
	f := newFakeInbound(t, http.StatusOK, acceptedAnswer)
	dataDir := filepath.Join(t.TempDir(), "never-created")
	env := map[string]string{"TELI_DATA_DIR": dataDir, "TELI_ADDR": strings.TrimPrefix(f.URL, "http://"), "TELI_URL": f.URL, "TELI_API_KEY": "k"}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	runIn := func(args []string) (int, string, string) {
		var out, errOut bytes.Buffer
		code := run(ctx, args, func(k string) string { return env[k] }, &out, &errOut)
		return code, out.String(), errOut.String()
	}
	for _, line := range commandLines {
		for _, help := range []string{"-h", "--help", "help"} {
			args := append(append([]string{}, line...), help)
			code, stdout, stderr := runIn(args)
			if code != 0 || !strings.HasPrefix(stdout, "usage: teli") || stderr != "" {
				t.Errorf("teli %s: exit %d, stdout %.60q, stderr %.200q; want the usage on stdout and 0", strings.Join(args, " "), code, stdout, stderr)
			}
		}
		args := append(append([]string{}, line...), "--bogus")
		if code, stdout, stderr := runIn(args); code != 2 || stdout != "" || !strings.Contains(stderr, "usage: teli") || !strings.Contains(stderr, "bogus") {
			t.Errorf("teli %s: exit %d, stdout %.60q, stderr %.200q; want the problem and the usage on stderr and 2", strings.Join(args, " "), code, stdout, stderr)
		}
	}
	for _, args := range [][]string{
		{"frobnicate"}, {"serve", "now"}, {"migrate", "up"}, {"version", "2"}, {"health", "x"}, {"help", "nothing"},
		{"admin", "user"}, {"admin", "tenant", "delete"}, {"admin", "tenant", "list", "x"}, {"admin", "key", "list", "x"},
		{"admin", "tenant", "create"}, {"admin", "key", "create"}, {"admin", "key", "revoke"}, {"admin", "key", "revoke", "a", "b"},
		{"bench", "everything"}, {"bench", "api", "x"}, {"bench", "launch", "-contacts", "0"}, {"sandbox", "send"}, {"sandbox", "reply", "hi"},
	} {
		if code, stdout, stderr := runIn(args); code != 2 || stdout != "" || !strings.Contains(stderr, "usage: teli") {
			t.Errorf("teli %s: exit %d, stdout %.60q, stderr %.200q; want the usage on stderr and 2", strings.Join(args, " "), code, stdout, stderr)
		}
	}
	if code, stdout, _ := runIn([]string{"help", "serve"}); code != 0 || !strings.HasPrefix(stdout, "usage: teli serve") {
		t.Errorf("teli help serve: exit %d, stdout %.60q", code, stdout)
	}
	if _, err := os.Stat(dataDir); !os.IsNotExist(err) {
		t.Errorf("a help or usage error touched the data directory: %v", err)
	}
	if n := len(f.received()); n != 0 {
		t.Errorf("a help or usage error reached the server %d times", n)
	}
}

// TestHealth: teli health asks the server at TELI_ADDR for /healthz and exits 0 only on 200.
func TestHealth(t *testing.T) {
	a := bootApp(t, map[string]string{"TELI_DATA_DIR": t.TempDir()})
	defer a.Close()
	up := httptest.NewServer(a.Handler())
	defer up.Close()
	_, port, _ := strings.Cut(strings.TrimPrefix(up.URL, "http://"), ":")
	if code, stdout, stderr := runCmd(t, map[string]string{"TELI_ADDR": "0.0.0.0:" + port}, "health"); code != 0 || !strings.Contains(stdout, "ok") {
		t.Errorf("a running server: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	sick := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) }))
	defer sick.Close()
	if code, _, stderr := runCmd(t, nil, "health", "--url", sick.URL); code != 1 || !strings.Contains(stderr, "503") {
		t.Errorf("a server answering 503: exit %d, stderr %q", code, stderr)
	}
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	if code, _, stderr := runCmd(t, map[string]string{"TELI_ADDR": strings.TrimPrefix(down.URL, "http://")}, "health"); code != 1 || stderr == "" {
		t.Errorf("no server: exit %d, stderr %q", code, stderr)
	}
}
