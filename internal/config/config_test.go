package config

import (
	"log/slog"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestDefaults(t *testing.T) {
	c, err := Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	kind, target, _ := c.Database()
	if c.Addr != "127.0.0.1:8080" || kind != SQLite || target != "data/teli.db" || c.LogLevel != slog.LevelInfo {
		t.Fatalf("unexpected defaults: %+v %s %s", c, kind, target)
	}
}

func TestOverrides(t *testing.T) {
	c, err := Load(env(map[string]string{
		"TELI_ADDR": ":9090", "TELI_DATA_DIR": "/tmp/x", "TELI_LOG_LEVEL": "debug",
		"TELI_SHUTDOWN_TIMEOUT": "5s", "TELI_JOB_WORKERS": "3", "TELI_MAX_BODY_BYTES": "4096",
		"TELI_DATABASE_URL": "postgres://u:p@h/db", "TELI_BOOTSTRAP_API_KEY": "0123456789abcdef",
	}))
	if err != nil {
		t.Fatal(err)
	}
	kind, target, _ := c.Database()
	if c.Addr != ":9090" || c.LogLevel != slog.LevelDebug || c.ShutdownTimeout != 5*time.Second ||
		c.JobWorkers != 3 || c.MaxBodyBytes != 4096 || kind != Postgres || target != "postgres://u:p@h/db" {
		t.Fatalf("overrides not applied: %+v", c)
	}
	c, err = Load(env(map[string]string{"TELI_DATABASE_URL": "sqlite:///var/teli.db"}))
	if err != nil {
		t.Fatal(err)
	}
	if _, target, _ := c.Database(); target != "/var/teli.db" {
		t.Fatalf("sqlite path = %q", target)
	}
}

func TestBadValuesNameTheirVariable(t *testing.T) {
	cases := map[string]string{
		"TELI_ADDR":              "nonsense",
		"TELI_LOG_LEVEL":         "loud",
		"TELI_LOG_FORMAT":        "xml",
		"TELI_MAX_BODY_BYTES":    "ten",
		"TELI_MAX_UPLOAD_BYTES":  "12",
		"TELI_SHUTDOWN_TIMEOUT":  "-1s",
		"TELI_JOB_WORKERS":       "0",
		"TELI_DATABASE_URL":      "mysql://u:secret@h/db",
		"TELI_BOOTSTRAP_API_KEY": "short",
	}
	for name, value := range cases {
		_, err := Load(env(map[string]string{name: value}))
		if err == nil || !strings.Contains(err.Error(), name+":") {
			t.Errorf("%s=%q: error %v does not name the variable", name, value, err)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("%s: error leaks a password: %v", name, err)
		}
	}
}
