package teli

import (
	"slices"
	"testing"
)

// TestCampaignTransitions holds the transition table to the lifecycle the README describes.
func TestCampaignTransitions(t *testing.T) {
	all := []CampaignStatus{CampaignActive, CampaignPaused, CampaignCompleted, CampaignEnded}
	allowed := map[CampaignAction][]CampaignStatus{
		ActionPause:    {CampaignActive, CampaignCompleted},
		ActionResume:   {CampaignPaused},
		ActionEnd:      {CampaignActive, CampaignPaused, CampaignCompleted},
		ActionReopen:   {CampaignCompleted},
		ActionComplete: {CampaignActive},
	}
	for a, want := range allowed {
		tr, ok := TransitionOf(a)
		if !ok {
			t.Fatalf("%s: no transition", a)
		}
		for _, from := range all {
			if got := slices.Contains(tr.From, from); got != slices.Contains(want, from) {
				t.Errorf("%s from %s: allowed %t", a, from, got)
			}
		}
	}
	if _, ok := TransitionOf("archive"); ok {
		t.Error("an action that does not exist has a transition")
	}
}
