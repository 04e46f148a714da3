// Package config reads the server's settings from TELI_* environment variables, fills in
// defaults and validates them. An invalid value is reported with the name of its variable.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/url"
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

// Carrier kinds.
const (
	// CarrierSandbox accepts every message and reports it delivered, with no phone network.
	CarrierSandbox = "sandbox"
	// CarrierTwilio sends through Twilio Programmable Messaging.
	CarrierTwilio = "twilio"
)

// Default texts of the automatic answers to compliance keywords; {{organization}} becomes the
// organization's name.
const (
	DefaultOptOutText = "{{organization}}: you are unsubscribed and will receive no more messages. Reply START to resubscribe."
	DefaultOptInText  = "{{organization}}: you are subscribed again. Reply STOP to unsubscribe, HELP for help."
	DefaultHelpText   = "{{organization}}: reply STOP to unsubscribe. For help, reply to this message and a person will answer."
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

	// Carrier is the SMS provider (TELI_CARRIER): CarrierSandbox or CarrierTwilio.
	Carrier string
	// PublicURL is the base URL under which the carrier reaches Teli's webhooks
	// (TELI_PUBLIC_URL, e.g. https://teli.example.com). Carriers call it from the internet, so it
	// is the address seen from outside any proxy; required for Twilio, which signs and calls it.
	PublicURL string
	// TwilioAccountSID and TwilioAuthToken are the Twilio credentials (TELI_TWILIO_ACCOUNT_SID,
	// TELI_TWILIO_AUTH_TOKEN; the TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN variables Twilio's own
	// tools use are read when those are unset). The token also verifies webhook signatures, so
	// it is never printed.
	TwilioAccountSID string
	TwilioAuthToken  string
	// TwilioBaseURL overrides Twilio's REST API address (TELI_TWILIO_BASE_URL); empty means the
	// adapter's default, https://api.twilio.com. It exists to point Teli at a fake or a proxy.
	TwilioBaseURL string
	// CarrierTimeout bounds one call to the carrier's API (TELI_CARRIER_TIMEOUT).
	CarrierTimeout time.Duration
	// SendLease is how long a message may stay claimed ("sending") before another dispatcher
	// reconciles it with the carrier (TELI_SEND_LEASE). It must exceed CarrierTimeout, or a
	// send still in flight could be reclaimed and reconciled as if its dispatcher had died.
	SendLease time.Duration

	// RateNumberPerSecond is the most messages one sending number may send per second
	// (TELI_RATE_NUMBER_PER_SECOND); 0 means unlimited.
	RateNumberPerSecond float64
	// RateCampaignPerSecond is the most messages one campaign may send per second
	// (TELI_RATE_CAMPAIGN_PER_SECOND); 0 means unlimited.
	RateCampaignPerSecond float64
	// RateOrgPerDay is the most messages one organization may send per day
	// (TELI_RATE_ORG_PER_DAY); 0 means unlimited.
	RateOrgPerDay int
	// RateBurst is how many messages a per-second budget lets through at once after a quiet
	// spell (TELI_RATE_BURST); at least 1, so a positive rate can always send.
	RateBurst float64

	// OptOutText, OptInText and HelpText answer the STOP, START and HELP keywords
	// (TELI_OPT_OUT_TEXT, TELI_OPT_IN_TEXT, TELI_HELP_TEXT). They are templates:
	// {{organization}} becomes the organization's name, because carriers require the sender to
	// identify itself in these answers.
	OptOutText string
	OptInText  string
	HelpText   string

	// AIBurstWindow is how long the agent waits after an inbound message before answering,
	// so a burst of messages gets one answer (TELI_AI_BURST_WINDOW; 0 answers at once).
	AIBurstWindow time.Duration
	// AIMaxSegments bounds an AI-written message, in SMS segments (TELI_AI_MAX_SEGMENTS).
	AIMaxSegments int
	// AIDailyCap is the most AI messages one thread gets in 24 hours (TELI_AI_DAILY_CAP).
	AIDailyCap int

	// Voice is the voice platform and the limits of calling.
	Voice VoiceConfig
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
		Carrier:         CarrierSandbox,
		CarrierTimeout:  10 * time.Second,
		SendLease:       2 * time.Minute,
		RateBurst:       1,
		OptOutText:      DefaultOptOutText,
		OptInText:       DefaultOptInText,
		HelpText:        DefaultHelpText,
		AIBurstWindow:   4 * time.Second,
		AIMaxSegments:   3,
		AIDailyCap:      10,
		Voice:           defaultVoice(),
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
	duration(getenv, "TELI_SHUTDOWN_TIMEOUT", &c.ShutdownTimeout, &errs)
	if v := getenv("TELI_JOB_WORKERS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			errs = append(errs, fmt.Errorf("TELI_JOB_WORKERS: %q must be a whole number from 1 to 1000", v))
		}
		c.JobWorkers = n
	}
	c.loadCarrier(getenv, &errs)
	c.loadRates(getenv, &errs)
	c.loadAI(getenv, &errs)
	c.loadVoice(getenv, &errs)
	str("TELI_OPT_OUT_TEXT", &c.OptOutText)
	str("TELI_OPT_IN_TEXT", &c.OptInText)
	str("TELI_HELP_TEXT", &c.HelpText)
	if err := errors.Join(errs...); err != nil {
		return c, err
	}
	return c, c.Validate()
}

// loadCarrier reads the carrier choice, its credentials and its timings.
func (c *Config) loadCarrier(getenv func(string) string, errs *[]error) {
	str := func(dst *string, names ...string) {
		for _, name := range names {
			if v := strings.TrimSpace(getenv(name)); v != "" {
				*dst = v
				return
			}
		}
	}
	str(&c.Carrier, "TELI_CARRIER")
	str(&c.PublicURL, "TELI_PUBLIC_URL")
	// Twilio's CLI and SDKs read the unprefixed names, so an operator who already has them set
	// need not repeat the credentials; the TELI_ ones win so Teli can use another account.
	str(&c.TwilioAccountSID, "TELI_TWILIO_ACCOUNT_SID", "TWILIO_ACCOUNT_SID")
	str(&c.TwilioAuthToken, "TELI_TWILIO_AUTH_TOKEN", "TWILIO_AUTH_TOKEN")
	str(&c.TwilioBaseURL, "TELI_TWILIO_BASE_URL")
	duration(getenv, "TELI_CARRIER_TIMEOUT", &c.CarrierTimeout, errs)
	duration(getenv, "TELI_SEND_LEASE", &c.SendLease, errs)
}

// loadAI reads the conversation engine's settings.
func (c *Config) loadAI(getenv func(string) string, errs *[]error) {
	if v := getenv("TELI_AI_BURST_WINDOW"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 || d > time.Hour {
			*errs = append(*errs, fmt.Errorf("TELI_AI_BURST_WINDOW: %q must be a duration from 0s to 1h, such as 4s", v))
		}
		c.AIBurstWindow = d
	}
	wholeNumber(getenv, "TELI_AI_MAX_SEGMENTS", 1, 10, &c.AIMaxSegments, errs)
	wholeNumber(getenv, "TELI_AI_DAILY_CAP", 1, 1000, &c.AIDailyCap, errs)
}

// wholeNumber reads an integer from lo to hi from variable name into dst.
func wholeNumber(getenv func(string) string, name string, lo, hi int, dst *int, errs *[]error) {
	v := getenv(name)
	if v == "" {
		return
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		*errs = append(*errs, fmt.Errorf("%s: %q must be a whole number from %d to %d", name, v, lo, hi))
	}
	*dst = n
}

// loadRates reads the throughput limits.
func (c *Config) loadRates(getenv func(string) string, errs *[]error) {
	rate(getenv, "TELI_RATE_NUMBER_PER_SECOND", 0, &c.RateNumberPerSecond, errs)
	rate(getenv, "TELI_RATE_CAMPAIGN_PER_SECOND", 0, &c.RateCampaignPerSecond, errs)
	rate(getenv, "TELI_RATE_BURST", 1, &c.RateBurst, errs)
	if v := getenv("TELI_RATE_ORG_PER_DAY"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			*errs = append(*errs, fmt.Errorf("TELI_RATE_ORG_PER_DAY: %q must be a whole number, 0 or more (0 means unlimited)", v))
		}
		c.RateOrgPerDay = n
	}
}

// rate reads a finite number no smaller than minimum from variable name into dst.
func rate(getenv func(string) string, name string, minimum float64, dst *float64, errs *[]error) {
	v := getenv(name)
	if v == "" {
		return
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < minimum {
		*errs = append(*errs, fmt.Errorf("%s: %q must be a number, %g or more", name, v, minimum))
	}
	*dst = f
}

// duration reads a positive duration from variable name into dst.
func duration(getenv func(string) string, name string, dst *time.Duration, errs *[]error) {
	v := getenv(name)
	if v == "" {
		return
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		*errs = append(*errs, fmt.Errorf("%s: %q must be a positive duration such as 30s or 2m", name, v))
	}
	*dst = d
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
	errs = append(errs, c.validateCarrier()...)
	errs = append(errs, c.validateVoice()...)
	return errors.Join(errs...)
}

// validateCarrier checks the carrier settings: the choice, the URLs, the credentials a real
// carrier needs, and that the send lease outlasts a carrier call.
func (c Config) validateCarrier() []error {
	var errs []error
	switch c.Carrier {
	case CarrierSandbox, CarrierTwilio:
	default:
		errs = append(errs, fmt.Errorf("TELI_CARRIER: %q must be %s or %s", c.Carrier, CarrierSandbox, CarrierTwilio))
	}
	if c.PublicURL != "" {
		if err := checkBaseURL(c.PublicURL); err != nil {
			errs = append(errs, fmt.Errorf("TELI_PUBLIC_URL: %w", err))
		}
	}
	if c.TwilioBaseURL != "" {
		if err := checkBaseURL(c.TwilioBaseURL); err != nil {
			errs = append(errs, fmt.Errorf("TELI_TWILIO_BASE_URL: %w", err))
		}
	}
	if c.Carrier == CarrierTwilio {
		if c.PublicURL == "" {
			errs = append(errs, errors.New("TELI_PUBLIC_URL: required when TELI_CARRIER is twilio, since Twilio must reach the webhooks"))
		}
		switch {
		case c.TwilioAccountSID == "":
			errs = append(errs, errors.New("TELI_TWILIO_ACCOUNT_SID: required when TELI_CARRIER is twilio (TWILIO_ACCOUNT_SID is read too)"))
		case !strings.HasPrefix(c.TwilioAccountSID, "AC"):
			// An API key SID (SK…) looks similar but names no account, so every send would fail.
			errs = append(errs, fmt.Errorf("TELI_TWILIO_ACCOUNT_SID: %q must be an account SID, starting with AC", c.TwilioAccountSID))
		}
		if c.TwilioAuthToken == "" {
			errs = append(errs, errors.New("TELI_TWILIO_AUTH_TOKEN: required when TELI_CARRIER is twilio (TWILIO_AUTH_TOKEN is read too)"))
		}
	}
	if c.CarrierTimeout <= 0 {
		errs = append(errs, fmt.Errorf("TELI_CARRIER_TIMEOUT: %s must be a positive duration", c.CarrierTimeout))
	}
	if c.SendLease <= c.CarrierTimeout {
		errs = append(errs, fmt.Errorf("TELI_SEND_LEASE: %s must be longer than TELI_CARRIER_TIMEOUT (%s): a lease shorter than a carrier call could let another dispatcher reclaim a send still in flight", c.SendLease, c.CarrierTimeout))
	}
	return errs
}

// checkBaseURL accepts an absolute http(s) URL without query or fragment, because paths are
// appended to it.
func checkBaseURL(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		// Not wrapped: url.Error repeats the URL, and with it any password.
		return fmt.Errorf("%q is not a URL", redact(raw))
	case u.Scheme != "http" && u.Scheme != "https", u.Host == "":
		return fmt.Errorf("%q must be an absolute http or https URL, such as https://teli.example.com", redact(raw))
	case strings.ContainsAny(raw, "?#"):
		return fmt.Errorf("%q must not have a query or fragment", redact(raw))
	}
	return nil
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
