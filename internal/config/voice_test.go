package config

import (
	"strings"
	"testing"
	"time"
)

func TestLoadVoiceDefaults(t *testing.T) {
	c, err := Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	want := VoiceConfig{
		Platform: VoiceSandbox, Timeout: 15 * time.Second, CallLease: 2 * time.Minute,
		MaxCallsPerNumber: 5, MaxCallsPerCampaign: 20, StaleCallAfter: 2 * time.Hour, SandboxIdleTimeout: 2 * time.Minute,
	}
	if c.Voice != want {
		t.Fatalf("voice defaults %+v, want %+v", c.Voice, want)
	}
}

func TestLoadVoiceGoodValues(t *testing.T) {
	c, err := Load(env(map[string]string{
		"TELI_VOICE_PLATFORM": "retell", "RETELL_API_KEY": "key_abc", "TELI_PUBLIC_URL": "https://teli.example.com",
		"TELI_RETELL_BASE_URL": "http://127.0.0.1:9999", "TELI_VOICE_TIMEOUT": "3s", "TELI_CALL_LEASE": "30s",
		"TELI_MAX_CALLS_PER_NUMBER": "0", "TELI_MAX_CALLS_PER_CAMPAIGN": "100", "TELI_STALE_CALL_AFTER": "90m",
		"TELI_SANDBOX_CALL_IDLE": "45s",
	}))
	if err != nil {
		t.Fatal(err)
	}
	want := VoiceConfig{
		Platform: VoiceRetell, RetellAPIKey: "key_abc", RetellBaseURL: "http://127.0.0.1:9999", Timeout: 3 * time.Second,
		CallLease: 30 * time.Second, MaxCallsPerNumber: 0, MaxCallsPerCampaign: 100, StaleCallAfter: 90 * time.Minute,
		SandboxIdleTimeout: 45 * time.Second,
	}
	if c.Voice != want {
		t.Fatalf("voice %+v, want %+v", c.Voice, want)
	}
	// The prefixed key wins over Retell's own variable name.
	c, err = Load(env(map[string]string{"TELI_VOICE_PLATFORM": "retell", "RETELL_API_KEY": "key_abc",
		"TELI_RETELL_API_KEY": "key_teli", "TELI_PUBLIC_URL": "https://teli.example.com"}))
	if err != nil || c.Voice.RetellAPIKey != "key_teli" {
		t.Fatalf("key %q, err %v", c.Voice.RetellAPIKey, err)
	}
}

func TestLoadVoiceBadValuesNameTheirVariable(t *testing.T) {
	retell := func(extra map[string]string) map[string]string {
		m := map[string]string{"TELI_VOICE_PLATFORM": "retell", "TELI_RETELL_API_KEY": "key_abc", "TELI_PUBLIC_URL": "https://teli.example.com"}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	cases := []struct {
		name, variable string
		env            map[string]string
	}{
		{"unknown platform", "TELI_VOICE_PLATFORM", map[string]string{"TELI_VOICE_PLATFORM": "vapi"}},
		{"retell without a key", "TELI_RETELL_API_KEY", map[string]string{"TELI_VOICE_PLATFORM": "retell", "TELI_PUBLIC_URL": "https://teli.example.com"}},
		{"retell without a public URL", "TELI_PUBLIC_URL", map[string]string{"TELI_VOICE_PLATFORM": "retell", "TELI_RETELL_API_KEY": "k"}},
		{"retell base url", "TELI_RETELL_BASE_URL", retell(map[string]string{"TELI_RETELL_BASE_URL": "api.retellai.com"})},
		{"voice timeout word", "TELI_VOICE_TIMEOUT", map[string]string{"TELI_VOICE_TIMEOUT": "soon"}},
		{"call lease not above timeout", "TELI_CALL_LEASE", map[string]string{"TELI_VOICE_TIMEOUT": "30s", "TELI_CALL_LEASE": "30s"}},
		{"call lease negative", "TELI_CALL_LEASE", map[string]string{"TELI_CALL_LEASE": "-1m"}},
		{"per number negative", "TELI_MAX_CALLS_PER_NUMBER", map[string]string{"TELI_MAX_CALLS_PER_NUMBER": "-1"}},
		{"per campaign word", "TELI_MAX_CALLS_PER_CAMPAIGN", map[string]string{"TELI_MAX_CALLS_PER_CAMPAIGN": "many"}},
		{"stale after zero", "TELI_STALE_CALL_AFTER", map[string]string{"TELI_STALE_CALL_AFTER": "0s"}},
		{"sandbox idle word", "TELI_SANDBOX_CALL_IDLE", map[string]string{"TELI_SANDBOX_CALL_IDLE": "long"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(env(tc.env))
			if err == nil || !strings.Contains(err.Error(), tc.variable+":") {
				t.Fatalf("error %v does not name %s", err, tc.variable)
			}
		})
	}
}
