package config

import (
	"strings"
	"testing"
	"time"
)

// twilioEnv is a complete, valid Twilio configuration that cases add to or override.
func twilioEnv(extra map[string]string) map[string]string {
	m := map[string]string{
		"TELI_CARRIER":            "twilio",
		"TELI_PUBLIC_URL":         "https://teli.example.com",
		"TELI_TWILIO_ACCOUNT_SID": "AC0123456789abcdef0123456789abcdef",
		"TELI_TWILIO_AUTH_TOKEN":  "tok-very-secret-123",
	}
	for k, v := range extra {
		m[k] = v
	}
	return m
}

func TestLoadCarrierAndComplianceDefaults(t *testing.T) {
	c, err := Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	want := Config{
		Carrier: "sandbox", CarrierTimeout: 10 * time.Second, SendLease: 2 * time.Minute, RateBurst: 1,
		OptOutText: "{{organization}}: you are unsubscribed and will receive no more messages. Reply START to resubscribe.",
		OptInText:  "{{organization}}: you are subscribed again. Reply STOP to unsubscribe, HELP for help.",
		HelpText:   "{{organization}}: reply STOP to unsubscribe. For help, reply to this message and a person will answer.",
	}
	got := Config{
		Carrier: c.Carrier, PublicURL: c.PublicURL, TwilioAccountSID: c.TwilioAccountSID,
		TwilioAuthToken: c.TwilioAuthToken, TwilioBaseURL: c.TwilioBaseURL,
		CarrierTimeout: c.CarrierTimeout, SendLease: c.SendLease,
		RateNumberPerSecond: c.RateNumberPerSecond, RateCampaignPerSecond: c.RateCampaignPerSecond,
		RateOrgPerDay: c.RateOrgPerDay, RateBurst: c.RateBurst,
		OptOutText: c.OptOutText, OptInText: c.OptInText, HelpText: c.HelpText,
	}
	if got != want {
		t.Fatalf("defaults:\n got %+v\nwant %+v", got, want)
	}
	if d := Defaults(); d.Carrier != CarrierSandbox || d.SendLease != 2*time.Minute || d.Validate() != nil {
		t.Fatalf("Defaults() = %+v, Validate: %v", d, d.Validate())
	}
}

func TestLoadCarrierGoodValues(t *testing.T) {
	cases := []struct {
		name  string
		env   map[string]string
		check func(Config) bool
	}{
		{"sandbox explicit", map[string]string{"TELI_CARRIER": "sandbox"},
			func(c Config) bool { return c.Carrier == CarrierSandbox }},
		{"twilio complete", twilioEnv(nil), func(c Config) bool {
			return c.Carrier == CarrierTwilio && c.PublicURL == "https://teli.example.com" &&
				c.TwilioAccountSID == "AC0123456789abcdef0123456789abcdef" && c.TwilioAuthToken == "tok-very-secret-123"
		}},
		{"public url with path and port", map[string]string{"TELI_PUBLIC_URL": "http://localhost:8080/teli/"},
			func(c Config) bool { return c.PublicURL == "http://localhost:8080/teli/" }},
		{"public url on sandbox is optional", map[string]string{"TELI_PUBLIC_URL": ""},
			func(c Config) bool { return c.PublicURL == "" }},
		{"twilio base url", twilioEnv(map[string]string{"TELI_TWILIO_BASE_URL": "http://127.0.0.1:9999"}),
			func(c Config) bool { return c.TwilioBaseURL == "http://127.0.0.1:9999" }},
		{"carrier timeout", map[string]string{"TELI_CARRIER_TIMEOUT": "3s"},
			func(c Config) bool { return c.CarrierTimeout == 3*time.Second }},
		{"send lease", map[string]string{"TELI_SEND_LEASE": "90s"},
			func(c Config) bool { return c.SendLease == 90*time.Second }},
		{"lease just over timeout", map[string]string{"TELI_CARRIER_TIMEOUT": "30s", "TELI_SEND_LEASE": "31s"},
			func(c Config) bool { return c.SendLease == 31*time.Second && c.CarrierTimeout == 30*time.Second }},
		{"number rate", map[string]string{"TELI_RATE_NUMBER_PER_SECOND": "1.5"},
			func(c Config) bool { return c.RateNumberPerSecond == 1.5 }},
		{"number rate zero", map[string]string{"TELI_RATE_NUMBER_PER_SECOND": "0"},
			func(c Config) bool { return c.RateNumberPerSecond == 0 }},
		{"campaign rate", map[string]string{"TELI_RATE_CAMPAIGN_PER_SECOND": "0.25"},
			func(c Config) bool { return c.RateCampaignPerSecond == 0.25 }},
		{"org per day", map[string]string{"TELI_RATE_ORG_PER_DAY": "5000"},
			func(c Config) bool { return c.RateOrgPerDay == 5000 }},
		{"burst", map[string]string{"TELI_RATE_BURST": "10"},
			func(c Config) bool { return c.RateBurst == 10 }},
		{"burst fractional above one", map[string]string{"TELI_RATE_BURST": "1.5"},
			func(c Config) bool { return c.RateBurst == 1.5 }},
		{"opt-out text", map[string]string{"TELI_OPT_OUT_TEXT": "{{organization}}: bye."},
			func(c Config) bool { return c.OptOutText == "{{organization}}: bye." }},
		{"opt-in text", map[string]string{"TELI_OPT_IN_TEXT": "Welcome back to {{organization}}."},
			func(c Config) bool { return c.OptInText == "Welcome back to {{organization}}." }},
		{"help text", map[string]string{"TELI_HELP_TEXT": "Call 555-0100."},
			func(c Config) bool { return c.HelpText == "Call 555-0100." }},
		{"blank text keeps default", map[string]string{"TELI_HELP_TEXT": "  "},
			func(c Config) bool { return c.HelpText == DefaultHelpText }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Load(env(tc.env))
			if err != nil {
				t.Fatal(err)
			}
			if !tc.check(c) {
				t.Fatalf("not applied: %+v", c)
			}
		})
	}
}

func TestLoadCarrierBadValuesNameTheirVariable(t *testing.T) {
	cases := []struct {
		name, variable string
		env            map[string]string
	}{
		{"unknown carrier", "TELI_CARRIER", map[string]string{"TELI_CARRIER": "telnyx"}},
		{"carrier wrong case", "TELI_CARRIER", map[string]string{"TELI_CARRIER": "Twilio"}},
		{"public url relative", "TELI_PUBLIC_URL", map[string]string{"TELI_PUBLIC_URL": "/webhooks"}},
		{"public url no scheme", "TELI_PUBLIC_URL", map[string]string{"TELI_PUBLIC_URL": "teli.example.com"}},
		{"public url ftp", "TELI_PUBLIC_URL", map[string]string{"TELI_PUBLIC_URL": "ftp://teli.example.com"}},
		{"public url query", "TELI_PUBLIC_URL", map[string]string{"TELI_PUBLIC_URL": "https://teli.example.com/?a=1"}},
		{"public url empty query", "TELI_PUBLIC_URL", map[string]string{"TELI_PUBLIC_URL": "https://teli.example.com?"}},
		{"public url fragment", "TELI_PUBLIC_URL", map[string]string{"TELI_PUBLIC_URL": "https://teli.example.com/#x"}},
		{"public url unparsable", "TELI_PUBLIC_URL", map[string]string{"TELI_PUBLIC_URL": "https://bad host"}},
		{"twilio base url", "TELI_TWILIO_BASE_URL", map[string]string{"TELI_TWILIO_BASE_URL": "api.twilio.com"}},
		{"twilio sid not an account", "TELI_TWILIO_ACCOUNT_SID", twilioEnv(map[string]string{"TELI_TWILIO_ACCOUNT_SID": "SK0123"})},
		{"carrier timeout word", "TELI_CARRIER_TIMEOUT", map[string]string{"TELI_CARRIER_TIMEOUT": "soon"}},
		{"carrier timeout zero", "TELI_CARRIER_TIMEOUT", map[string]string{"TELI_CARRIER_TIMEOUT": "0s"}},
		{"carrier timeout negative", "TELI_CARRIER_TIMEOUT", map[string]string{"TELI_CARRIER_TIMEOUT": "-1s"}},
		{"send lease bare number", "TELI_SEND_LEASE", map[string]string{"TELI_SEND_LEASE": "120"}},
		{"send lease negative", "TELI_SEND_LEASE", map[string]string{"TELI_SEND_LEASE": "-2m"}},
		{"lease equals timeout", "TELI_SEND_LEASE", map[string]string{"TELI_CARRIER_TIMEOUT": "30s", "TELI_SEND_LEASE": "30s"}},
		{"lease below default timeout", "TELI_SEND_LEASE", map[string]string{"TELI_SEND_LEASE": "5s"}},
		{"lease below raised timeout", "TELI_SEND_LEASE", map[string]string{"TELI_CARRIER_TIMEOUT": "5m"}},
		{"number rate negative", "TELI_RATE_NUMBER_PER_SECOND", map[string]string{"TELI_RATE_NUMBER_PER_SECOND": "-1"}},
		{"number rate word", "TELI_RATE_NUMBER_PER_SECOND", map[string]string{"TELI_RATE_NUMBER_PER_SECOND": "fast"}},
		{"number rate NaN", "TELI_RATE_NUMBER_PER_SECOND", map[string]string{"TELI_RATE_NUMBER_PER_SECOND": "NaN"}},
		{"number rate infinite", "TELI_RATE_NUMBER_PER_SECOND", map[string]string{"TELI_RATE_NUMBER_PER_SECOND": "+Inf"}},
		{"campaign rate negative", "TELI_RATE_CAMPAIGN_PER_SECOND", map[string]string{"TELI_RATE_CAMPAIGN_PER_SECOND": "-0.5"}},
		{"campaign rate word", "TELI_RATE_CAMPAIGN_PER_SECOND", map[string]string{"TELI_RATE_CAMPAIGN_PER_SECOND": "x"}},
		{"org per day negative", "TELI_RATE_ORG_PER_DAY", map[string]string{"TELI_RATE_ORG_PER_DAY": "-5"}},
		{"org per day fraction", "TELI_RATE_ORG_PER_DAY", map[string]string{"TELI_RATE_ORG_PER_DAY": "1.5"}},
		{"burst below one", "TELI_RATE_BURST", map[string]string{"TELI_RATE_BURST": "0.5"}},
		{"burst zero", "TELI_RATE_BURST", map[string]string{"TELI_RATE_BURST": "0"}},
		{"burst word", "TELI_RATE_BURST", map[string]string{"TELI_RATE_BURST": "lots"}},
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

func TestLoadSendLeaseErrorExplainsWhy(t *testing.T) {
	_, err := Load(env(map[string]string{"TELI_CARRIER_TIMEOUT": "30s", "TELI_SEND_LEASE": "20s"}))
	if err == nil || !strings.Contains(err.Error(), "TELI_CARRIER_TIMEOUT") || !strings.Contains(err.Error(), "in flight") {
		t.Fatalf("error does not explain the lease/timeout rule: %v", err)
	}
}

func TestLoadTwilioCredentialFallbacks(t *testing.T) {
	cases := []struct {
		name             string
		env              map[string]string
		wantSID, wantTok string
	}{
		{"unprefixed only", map[string]string{"TWILIO_ACCOUNT_SID": "ACfallback", "TWILIO_AUTH_TOKEN": "tok-fallback"},
			"ACfallback", "tok-fallback"},
		{"prefixed wins", map[string]string{
			"TELI_TWILIO_ACCOUNT_SID": "ACteli", "TWILIO_ACCOUNT_SID": "ACfallback",
			"TELI_TWILIO_AUTH_TOKEN": "tok-teli", "TWILIO_AUTH_TOKEN": "tok-fallback",
		}, "ACteli", "tok-teli"},
		{"blank prefixed falls back", map[string]string{
			"TELI_TWILIO_ACCOUNT_SID": " ", "TWILIO_ACCOUNT_SID": "ACfallback",
			"TELI_TWILIO_AUTH_TOKEN": "", "TWILIO_AUTH_TOKEN": "tok-fallback",
		}, "ACfallback", "tok-fallback"},
		{"mixed", map[string]string{"TELI_TWILIO_ACCOUNT_SID": "ACteli", "TWILIO_AUTH_TOKEN": "tok-fallback"},
			"ACteli", "tok-fallback"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := map[string]string{"TELI_CARRIER": "twilio", "TELI_PUBLIC_URL": "https://teli.example.com"}
			for k, v := range tc.env {
				e[k] = v
			}
			c, err := Load(env(e))
			if err != nil {
				t.Fatal(err)
			}
			if c.TwilioAccountSID != tc.wantSID || c.TwilioAuthToken != tc.wantTok {
				t.Fatalf("sid, token = %q, %q; want %q, %q", c.TwilioAccountSID, c.TwilioAuthToken, tc.wantSID, tc.wantTok)
			}
		})
	}
	// The fallbacks are read for any carrier, so switching TELI_CARRIER is all it takes.
	c, err := Load(env(map[string]string{"TWILIO_ACCOUNT_SID": "ACx", "TWILIO_AUTH_TOKEN": "t"}))
	if err != nil || c.Carrier != CarrierSandbox || c.TwilioAccountSID != "ACx" {
		t.Fatalf("sandbox with Twilio variables set: %+v, %v", c, err)
	}
}

func TestLoadTwilioRequiredFields(t *testing.T) {
	required := []string{"TELI_PUBLIC_URL", "TELI_TWILIO_ACCOUNT_SID", "TELI_TWILIO_AUTH_TOKEN"}
	for _, missing := range required {
		t.Run(missing, func(t *testing.T) {
			_, err := Load(env(twilioEnv(map[string]string{missing: ""})))
			if err == nil || !strings.Contains(err.Error(), missing+": required") {
				t.Fatalf("error %v does not say %s is required", err, missing)
			}
		})
	}
	t.Run("all missing", func(t *testing.T) {
		_, err := Load(env(map[string]string{"TELI_CARRIER": "twilio"}))
		for _, name := range required {
			if err == nil || !strings.Contains(err.Error(), name+": required") {
				t.Errorf("error %v does not say %s is required", err, name)
			}
		}
	})
	t.Run("sandbox needs none", func(t *testing.T) {
		if _, err := Load(env(map[string]string{"TELI_CARRIER": "sandbox"})); err != nil {
			t.Fatal(err)
		}
	})
}

func TestLoadNeverPrintsTheTwilioToken(t *testing.T) {
	const token = "tok-very-secret-123"
	bad := []map[string]string{
		twilioEnv(map[string]string{"TELI_PUBLIC_URL": ""}),
		twilioEnv(map[string]string{"TELI_TWILIO_ACCOUNT_SID": "nope"}),
		twilioEnv(map[string]string{"TELI_CARRIER": "twilioo"}),
		twilioEnv(map[string]string{"TELI_SEND_LEASE": "1s"}),
		{"TELI_CARRIER": "twilio", "TWILIO_AUTH_TOKEN": token},
	}
	for _, e := range bad {
		_, err := Load(env(e))
		if err == nil {
			t.Fatalf("%v: no error", e)
		}
		if strings.Contains(err.Error(), token) {
			t.Fatalf("error leaks the auth token: %v", err)
		}
	}
}

func TestLoadPublicURLErrorHidesPassword(t *testing.T) {
	_, err := Load(env(map[string]string{"TELI_PUBLIC_URL": "https://user:hunter2@teli.example.com/?x=1"}))
	if err == nil || !strings.Contains(err.Error(), "TELI_PUBLIC_URL:") || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("error = %v", err)
	}
}

func TestConfigValidateCarrierSettings(t *testing.T) {
	c := Defaults()
	c.Carrier = CarrierTwilio
	c.PublicURL = "https://teli.example.com"
	c.TwilioAccountSID = "AC1"
	c.TwilioAuthToken = "t"
	if err := c.Validate(); err != nil {
		t.Fatalf("valid twilio config: %v", err)
	}
	c.SendLease = c.CarrierTimeout
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "TELI_SEND_LEASE:") {
		t.Fatalf("lease equal to timeout: %v", err)
	}
	c = Defaults()
	c.Carrier = ""
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "TELI_CARRIER:") {
		t.Fatalf("empty carrier: %v", err)
	}
}

func TestLoadAISettings(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want string // an error mentioning this, or "" for none
		ok   func(Config) bool
	}{
		{map[string]string{}, "", func(c Config) bool {
			return c.AIBurstWindow == 4*time.Second && c.AIMaxSegments == 3 && c.AIDailyCap == 10
		}},
		{map[string]string{"TELI_AI_BURST_WINDOW": "0s", "TELI_AI_MAX_SEGMENTS": "5", "TELI_AI_DAILY_CAP": "20"}, "", func(c Config) bool {
			return c.AIBurstWindow == 0 && c.AIMaxSegments == 5 && c.AIDailyCap == 20
		}},
		{map[string]string{"TELI_AI_BURST_WINDOW": "-1s"}, "TELI_AI_BURST_WINDOW", nil},
		{map[string]string{"TELI_AI_MAX_SEGMENTS": "11"}, "TELI_AI_MAX_SEGMENTS", nil},
		{map[string]string{"TELI_AI_DAILY_CAP": "zero"}, "TELI_AI_DAILY_CAP", nil},
	} {
		c, err := Load(func(k string) string { return tc.env[k] })
		if tc.want != "" {
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%v: error %v, want one naming %s", tc.env, err, tc.want)
			}
			continue
		}
		if err != nil || !tc.ok(c) {
			t.Errorf("%v: %+v, %v", tc.env, c, err)
		}
	}
}
