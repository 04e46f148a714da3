// Package twilio is the carrier adapter for Twilio Programmable Messaging: sending, fetching
// and listing messages over Twilio's REST API, and verifying and decoding its inbound and
// status-callback webhooks (X-Twilio-Signature).
//
// It is a small hand-written client rather than github.com/twilio/twilio-go. The SDK hard-codes
// the api.twilio.com host (its BaseURL only swaps the domain suffix, and edge/region settings
// rewrite hostnames), so aiming it at the in-process fake in twiliotest takes a URL-rewriting
// transport; and it is a very large generated module for the three REST calls and one
// signature check Teli needs. Here Config.BaseURL points anywhere, and every byte on the wire is
// ours to test.
package twilio

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/openteli/teli/internal/carrier"
	"github.com/openteli/teli/internal/clock"
	"github.com/openteli/teli/internal/teli"
)

// Name is the Twilio carrier's name, as used in webhook paths.
const Name = "twilio"

// DefaultBaseURL is Twilio's REST API.
const DefaultBaseURL = "https://api.twilio.com"

// DefaultTimeout bounds each REST call when Config.Timeout is zero (twilio-go's default too).
const DefaultTimeout = 10 * time.Second

// apiVersion is the only Messaging API version Twilio serves.
const apiVersion = "2010-04-01"

// Config configures the adapter.
type Config struct {
	// AccountSID ("AC…") names the account in every API path and is the Basic-auth user.
	AccountSID string
	// AuthToken is the Basic-auth password and the key of webhook signatures.
	AuthToken string
	// BaseURL is the REST API's scheme and host; DefaultBaseURL when empty. Tests point it at
	// twiliotest's fake.
	BaseURL string
	// PublicURL is the base URL under which Twilio reaches Teli's webhooks (https://teli.example.com).
	// Status-callback URLs are built on it, and signatures are checked against PublicURL plus
	// the request's path and query, because Twilio signs the URL it called, not the one a proxy
	// forwarded to.
	PublicURL string
	// HTTPClient makes the REST calls; a client that does not follow redirects when nil.
	HTTPClient *http.Client
	// Timeout bounds each REST call; DefaultTimeout when zero.
	Timeout time.Duration
	// Clock turns an HTTP-date Retry-After into a delay; the system clock when nil.
	Clock teli.Clock
}

// Carrier is the Twilio adapter. It is safe for concurrent use.
type Carrier struct {
	accountSID string
	authToken  string
	apiBase    string // scheme://host of the REST API, no trailing slash
	publicURL  string // no trailing slash
	client     *http.Client
	timeout    time.Duration
	clock      teli.Clock
}

var _ carrier.Carrier = (*Carrier)(nil)

// New validates cfg, fills its defaults and returns the adapter.
func New(cfg Config) (*Carrier, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	c := &Carrier{
		accountSID: cfg.AccountSID,
		authToken:  cfg.AuthToken,
		apiBase:    strings.TrimRight(cfg.BaseURL, "/"),
		publicURL:  strings.TrimRight(cfg.PublicURL, "/"),
		client:     cfg.HTTPClient,
		timeout:    cfg.Timeout,
		clock:      cfg.Clock,
	}
	if c.apiBase == "" {
		c.apiBase = DefaultBaseURL
	}
	if c.client == nil {
		// A redirected POST would silently turn into a GET; Twilio never redirects API calls.
		c.client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	if c.timeout == 0 {
		c.timeout = DefaultTimeout
	}
	if c.clock == nil {
		c.clock = clock.System{}
	}
	return c, nil
}

func (cfg Config) validate() error {
	var errs []error
	if !strings.HasPrefix(cfg.AccountSID, "AC") {
		errs = append(errs, errors.New("AccountSID must be an account SID (AC…)"))
	}
	if cfg.AuthToken == "" {
		errs = append(errs, errors.New("AuthToken is required"))
	}
	if cfg.BaseURL != "" {
		errs = append(errs, checkURL("BaseURL", cfg.BaseURL))
	}
	errs = append(errs, checkURL("PublicURL", cfg.PublicURL))
	if u, err := url.Parse(cfg.PublicURL); err == nil && strings.Contains(u.Host, "_") {
		// Twilio refuses a StatusCallback whose hostname has an underscore: every send would fail.
		errs = append(errs, errors.New("PublicURL host must not contain underscores (Twilio refuses such callback URLs)"))
	}
	if cfg.Timeout < 0 {
		errs = append(errs, errors.New("Timeout must not be negative"))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("twilio config: %w", err)
	}
	return nil
}

// checkURL accepts an absolute http(s) URL without query or fragment, since paths are appended.
func checkURL(field, raw string) error {
	u, err := url.Parse(raw)
	switch {
	case raw == "":
		return fmt.Errorf("%s is required", field)
	case err != nil:
		return fmt.Errorf("%s: %w", field, err)
	case u.Scheme != "http" && u.Scheme != "https", u.Host == "":
		return fmt.Errorf("%s %q must be an absolute http or https URL", field, raw)
	case u.RawQuery != "" || u.Fragment != "":
		return fmt.Errorf("%s %q must not have a query or fragment", field, raw)
	}
	return nil
}

// Name returns "twilio".
func (*Carrier) Name() string { return Name }

// messagesURL is the Messages list resource, without the ".json" suffix.
func (c *Carrier) messagesURL() string {
	return c.apiBase + "/" + apiVersion + "/Accounts/" + url.PathEscape(c.accountSID) + "/Messages"
}
