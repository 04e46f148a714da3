// Package config reads the server's settings from TELI_* environment variables, fills in
// defaults and validates them. An invalid value is reported with the name of its variable.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/openteli/teli/internal/apikey"
)

// Database kinds.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// Config is the whole server configuration.
type Config struct {
	// Addr is the listen address (TELI_ADDR).
	Addr string
	// DataDir holds the SQLite database and other local state (TELI_DATA_DIR).
	DataDir string
	// DatabaseURL selects the database (TELI_DATABASE_URL): empty for SQLite in DataDir,
	// "sqlite:PATH" for an SQLite file elsewhere, "postgres://…" for PostgreSQL.
	DatabaseURL string
	// BootstrapAPIKey, when set, is the key created on first start instead of a random one.
	BootstrapAPIKey string
	// LogLevel and LogFormat shape the log (TELI_LOG_LEVEL, TELI_LOG_FORMAT: text or json).
	LogLevel  slog.Level
	LogFormat string
	// MaxBodyBytes caps a request body (TELI_MAX_BODY_BYTES).
	MaxBodyBytes int64
	// MaxUploadBytes caps a contact upload, CSV or JSON (TELI_MAX_UPLOAD_BYTES).
	MaxUploadBytes int64
	// ShutdownTimeout bounds a graceful stop (TELI_SHUTDOWN_TIMEOUT).
	ShutdownTimeout time.Duration
	// JobWorkers is how many background jobs run at once (TELI_JOB_WORKERS).
	JobWorkers int
}

// Defaults returns the configuration used when no variable is set.
func Defaults() Config {
	return Config{
		Addr:            "127.0.0.1:8080",
		DataDir:         "data",
		LogLevel:        slog.LevelInfo,
		LogFormat:       "text",
		MaxBodyBytes:    1 << 20,
		MaxUploadBytes:  64 << 20,
		ShutdownTimeout: 30 * time.Second,
		JobWorkers:      10,
	}
}

// Load builds a Config from the environment, as seen through getenv, and validates it.
func Load(getenv func(string) string) (Config, error) {
	c := Defaults()
	var errs []error
	str := func(name string, dst *string) {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			*dst = v
		}
	}
	str("TELI_ADDR", &c.Addr)
	str("TELI_DATA_DIR", &c.DataDir)
	str("TELI_DATABASE_URL", &c.DatabaseURL)
	str("TELI_LOG_FORMAT", &c.LogFormat)
	c.BootstrapAPIKey = getenv("TELI_BOOTSTRAP_API_KEY")

	if v := getenv("TELI_LOG_LEVEL"); v != "" {
		if err := c.LogLevel.UnmarshalText([]byte(v)); err != nil {
			errs = append(errs, fmt.Errorf("TELI_LOG_LEVEL: %q is not one of debug, info, warn, error", v))
		}
	}
	byteSize(getenv, "TELI_MAX_BODY_BYTES", &c.MaxBodyBytes, &errs)
	byteSize(getenv, "TELI_MAX_UPLOAD_BYTES", &c.MaxUploadBytes, &errs)
	if v := getenv("TELI_SHUTDOWN_TIMEOUT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			errs = append(errs, fmt.Errorf("TELI_SHUTDOWN_TIMEOUT: %q must be a positive duration such as 30s", v))
		}
		c.ShutdownTimeout = d
	}
	if v := getenv("TELI_JOB_WORKERS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			errs = append(errs, fmt.Errorf("TELI_JOB_WORKERS: %q must be a whole number from 1 to 1000", v))
		}
		c.JobWorkers = n
	}
	if err := errors.Join(errs...); err != nil {
		return c, err
	}
	return c, c.Validate()
}

// byteSize reads a size in bytes (at least 1 KiB) from variable name into dst.
func byteSize(getenv func(string) string, name string, dst *int64, errs *[]error) {
	v := getenv(name)
	if v == "" {
		return
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 1024 {
		*errs = append(*errs, fmt.Errorf("%s: %q must be a whole number of bytes, at least 1024", name, v))
	}
	*dst = n
}

// Validate checks values that parsed but make no sense together or alone.
func (c Config) Validate() error {
	var errs []error
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		errs = append(errs, fmt.Errorf("TELI_ADDR: %q is not host:port (%v)", c.Addr, err))
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, fmt.Errorf("TELI_LOG_FORMAT: %q must be text or json", c.LogFormat))
	}
	if _, _, err := c.Database(); err != nil {
		errs = append(errs, err)
	}
	if k := c.BootstrapAPIKey; k != "" && (len(k) < apikey.MinLength || strings.TrimSpace(k) != k) {
		errs = append(errs, fmt.Errorf("TELI_BOOTSTRAP_API_KEY: must be at least %d characters with no surrounding spaces", apikey.MinLength))
	}
	return errors.Join(errs...)
}

// Database returns the database kind and its target: a file path for SQLite, the URL for
// PostgreSQL.
func (c Config) Database() (kind, target string, err error) {
	u := c.DatabaseURL
	switch {
	case u == "":
		return SQLite, filepath.Join(c.DataDir, "teli.db"), nil
	case strings.HasPrefix(u, "postgres://"), strings.HasPrefix(u, "postgresql://"):
		return Postgres, u, nil
	case strings.HasPrefix(u, "sqlite:"):
		path := strings.TrimPrefix(strings.TrimPrefix(u, "sqlite:"), "//")
		if path == "" {
			return "", "", errors.New("TELI_DATABASE_URL: sqlite: needs a file path, as in sqlite:/var/lib/teli/teli.db")
		}
		return SQLite, path, nil
	default:
		return "", "", fmt.Errorf("TELI_DATABASE_URL: %q must start with postgres://, postgresql:// or sqlite:", redact(u))
	}
}

// redact hides a password in a URL-ish string before it is printed.
func redact(u string) string {
	at := strings.LastIndex(u, "@")
	scheme := strings.Index(u, "://")
	if at < 0 || scheme < 0 || at < scheme {
		return u
	}
	creds := u[scheme+3 : at]
	if i := strings.Index(creds, ":"); i >= 0 {
		creds = creds[:i] + ":xxxxx"
	}
	return u[:scheme+3] + creds + u[at:]
}
