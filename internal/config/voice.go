package config

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Voice platform kinds.
const (
	// VoiceSandbox is the built-in voice platform: calls are simulated, a person plays the other
	// end through /v1/sandbox/calls, nothing reaches a phone network.
	VoiceSandbox = "sandbox"
	// VoiceRetell places and takes calls through Retell AI, the platform behind the hosted
	// "Teli Voice".
	VoiceRetell = "retell"
)

// VoiceConfig is the voice platform and the limits of calling.
type VoiceConfig struct {
	// Platform is TELI_VOICE_PLATFORM: VoiceSandbox or VoiceRetell.
	Platform string
	// RetellAPIKey is TELI_RETELL_API_KEY (RETELL_API_KEY is read too); Retell also signs its
	// webhooks with it. RetellBaseURL (TELI_RETELL_BASE_URL) overrides the API's address.
	RetellAPIKey  string
	RetellBaseURL string
	// Timeout bounds one request to the voice platform (TELI_VOICE_TIMEOUT).
	Timeout time.Duration
	// CallLease is how long a call being placed stays claimed before another dispatcher
	// reconciles it (TELI_CALL_LEASE); it must exceed Timeout.
	CallLease time.Duration
	// MaxCallsPerNumber and MaxCallsPerCampaign bound the live calls from one caller number
	// and in one voice campaign (TELI_MAX_CALLS_PER_NUMBER, TELI_MAX_CALLS_PER_CAMPAIGN; 0 is
	// no bound).
	MaxCallsPerNumber   int
	MaxCallsPerCampaign int
	// StaleCallAfter is how long a placed call may go without any report before the platform
	// is asked what became of it (TELI_STALE_CALL_AFTER).
	StaleCallAfter time.Duration
	// SandboxIdleTimeout ends a sandbox call whose person says nothing for that long
	// (TELI_SANDBOX_CALL_IDLE).
	SandboxIdleTimeout time.Duration
}

// defaultVoice is the voice configuration when no variable is set.
func defaultVoice() VoiceConfig {
	return VoiceConfig{
		Platform: VoiceSandbox, Timeout: 15 * time.Second, CallLease: 2 * time.Minute,
		MaxCallsPerNumber: 5, MaxCallsPerCampaign: 20,
		StaleCallAfter: 2 * time.Hour, SandboxIdleTimeout: 2 * time.Minute,
	}
}

// loadVoice reads the voice platform's settings.
func (c *Config) loadVoice(getenv func(string) string, errs *[]error) {
	str := func(dst *string, names ...string) {
		for _, name := range names {
			if v := strings.TrimSpace(getenv(name)); v != "" {
				*dst = v
				return
			}
		}
	}
	v := &c.Voice
	str(&v.Platform, "TELI_VOICE_PLATFORM")
	str(&v.RetellAPIKey, "TELI_RETELL_API_KEY", "RETELL_API_KEY")
	str(&v.RetellBaseURL, "TELI_RETELL_BASE_URL")
	duration(getenv, "TELI_VOICE_TIMEOUT", &v.Timeout, errs)
	duration(getenv, "TELI_CALL_LEASE", &v.CallLease, errs)
	duration(getenv, "TELI_STALE_CALL_AFTER", &v.StaleCallAfter, errs)
	duration(getenv, "TELI_SANDBOX_CALL_IDLE", &v.SandboxIdleTimeout, errs)
	wholeNumber(getenv, "TELI_MAX_CALLS_PER_NUMBER", 0, 10000, &v.MaxCallsPerNumber, errs)
	wholeNumber(getenv, "TELI_MAX_CALLS_PER_CAMPAIGN", 0, 100000, &v.MaxCallsPerCampaign, errs)
}

// validateVoice checks the voice settings: the choice, the credentials Retell needs, and that
// the call lease outlasts a platform request.
func (c Config) validateVoice() []error {
	var errs []error
	v := c.Voice
	switch v.Platform {
	case VoiceSandbox:
	case VoiceRetell:
		if v.RetellAPIKey == "" {
			errs = append(errs, errors.New("TELI_RETELL_API_KEY: required when TELI_VOICE_PLATFORM is retell (RETELL_API_KEY is read too)"))
		}
		if c.PublicURL == "" {
			errs = append(errs, errors.New("TELI_PUBLIC_URL: required when TELI_VOICE_PLATFORM is retell, since Retell must reach the call webhooks"))
		}
	default:
		errs = append(errs, fmt.Errorf("TELI_VOICE_PLATFORM: %q must be %s or %s", v.Platform, VoiceSandbox, VoiceRetell))
	}
	if v.RetellBaseURL != "" {
		if err := checkBaseURL(v.RetellBaseURL); err != nil {
			errs = append(errs, fmt.Errorf("TELI_RETELL_BASE_URL: %w", err))
		}
	}
	if v.CallLease <= v.Timeout {
		errs = append(errs, fmt.Errorf("TELI_CALL_LEASE: %s must be longer than TELI_VOICE_TIMEOUT (%s): a lease shorter than a platform request could let another dispatcher reclaim a call being placed", v.CallLease, v.Timeout))
	}
	return errs
}
