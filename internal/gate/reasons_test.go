package gate

import (
	"testing"

	"github.com/openteli/teli/internal/teli"
)

// TestCampaignEffectsUseGateReasons keeps the domain's lifecycle rules and the gate speaking of
// the same stored reasons: a pause is released by the reason the gate holds messages with, and
// an end cancels with the reason the gate cancels with.
func TestCampaignEffectsUseGateReasons(t *testing.T) {
	if got := teli.EffectsOf(teli.CampaignActive).Release; got != ReasonCampaignPaused {
		t.Errorf("resuming releases %q, the gate holds paused messages as %q", got, ReasonCampaignPaused)
	}
	if got := teli.EffectsOf(teli.CampaignEnded).Cancel.Reason; got != ReasonCampaignEnded {
		t.Errorf("ending cancels as %q, the gate as %q", got, ReasonCampaignEnded)
	}
	if e := teli.EffectsOf(teli.CampaignPaused); len(e.Cancel.Senders) > 0 || e.Release != "" || e.StopDrips {
		t.Errorf("pausing changes messages: %+v; the gate alone holds them", e)
	}
}
