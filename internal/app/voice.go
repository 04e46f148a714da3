package app

import (
	"fmt"
	"strings"

	"github.com/openteli/teli/internal/config"
	"github.com/openteli/teli/internal/voice"
	"github.com/openteli/teli/internal/voice/retell"
	"github.com/openteli/teli/internal/voice/sandbox"
)

// newVoice builds the configured voice platform: the sandbox, whose calls are simulated, or
// Retell. The sandbox is returned twice: as the platform, and as itself for its phone controls.
func newVoice(cfg config.Config, db Database, o Options) (voice.Telephony, *sandbox.Platform, error) {
	if o.Voice != nil {
		sb, _ := o.Voice.(*sandbox.Platform)
		return o.Voice, sb, nil
	}
	if cfg.Voice.Platform == config.VoiceRetell {
		p, err := newRetell(cfg)
		return p, nil, err
	}
	sb := sandbox.NewWithOptions(db.SandboxVoice(), o.IDs, o.Clock, sandbox.Options{
		Model: o.LLM, IdleTimeout: cfg.Voice.SandboxIdleTimeout,
	})
	return sb, sb, nil
}

// newRetell is the Retell adapter of the configuration. Retell's call events and inbound calls
// reach this server's webhooks, under TELI_PUBLIC_URL.
func newRetell(cfg config.Config) (*retell.Client, error) {
	base := strings.TrimRight(cfg.PublicURL, "/")
	c, err := retell.New(retell.Config{
		APIKey: cfg.Voice.RetellAPIKey, BaseURL: cfg.Voice.RetellBaseURL, Timeout: cfg.Voice.Timeout,
		WebhookURL:        base + "/voice/webhooks/retell",
		InboundWebhookURL: base + "/voice/webhooks/retell/inbound",
	})
	if err != nil {
		return nil, fmt.Errorf("TELI_VOICE_PLATFORM retell: %w", err)
	}
	return c, nil
}
