package app

import (
	"fmt"

	"github.com/openteli/teli/internal/carrier"
	sandboxcarrier "github.com/openteli/teli/internal/carrier/sandbox"
	"github.com/openteli/teli/internal/carrier/twilio"
	"github.com/openteli/teli/internal/config"
	"github.com/openteli/teli/internal/teli"
)

// NewCarrier builds the SMS carrier cfg.Carrier names: the sandbox, drawing provider ids from
// ids, or the Twilio adapter, which uses clk to read Retry-After dates. It is the one place that
// maps the setting to an adapter, so the server and tools that send agree on the carrier.
func NewCarrier(cfg config.Config, ids teli.IDSource, clk teli.Clock) (carrier.Carrier, error) {
	switch cfg.Carrier {
	case config.CarrierSandbox:
		return sandboxcarrier.New(ids), nil
	case config.CarrierTwilio:
		c, err := twilio.New(twilio.Config{
			AccountSID: cfg.TwilioAccountSID,
			AuthToken:  cfg.TwilioAuthToken,
			BaseURL:    cfg.TwilioBaseURL,
			PublicURL:  cfg.PublicURL,
			Timeout:    cfg.CarrierTimeout,
			Clock:      clk,
		})
		if err != nil {
			return nil, fmt.Errorf("TELI_CARRIER=twilio: %w", err)
		}
		return c, nil
	default:
		return nil, fmt.Errorf("TELI_CARRIER: %q must be %s or %s", cfg.Carrier, config.CarrierSandbox, config.CarrierTwilio)
	}
}

// isSandbox reports whether c is the sandbox carrier, or a wrapper of it that keeps its name
// (benchmarks time the sandbox's hand-offs), whose contacts' replies are injected through
// POST /v1/sandbox/inbound.
func isSandbox(c carrier.Carrier) bool { return c.Name() == sandboxcarrier.Name }
