package gate

import (
	"testing"
	"time"

	"github.com/openteli/teli/internal/quiethours"
)

func TestDecideCall(t *testing.T) {
	detroit := quiethours.Location{Zones: []*time.Location{mustLoad("America/Detroit")}, State: "MI"}
	noon := time.Date(2026, 3, 10, 16, 0, 0, 0, time.UTC)    // 12:00 in Detroit
	night := time.Date(2026, 3, 11, 3, 0, 0, 0, time.UTC)    // 23:00 in Detroit
	morning := time.Date(2026, 3, 11, 12, 0, 0, 0, time.UTC) // 08:00 in Detroit
	campaign := func(edit func(*CallFacts)) CallFacts {
		f := CallFacts{Now: noon, Kind: CallCampaign, CampaignStatus: VoiceActive, Location: detroit,
			CampaignBegin: noon.Add(-time.Hour), CampaignEnd: noon.Add(7 * 24 * time.Hour)}
		if edit != nil {
			edit(&f)
		}
		return f
	}
	tests := []struct {
		name string
		f    CallFacts
		want Decision
	}{
		{"inside the window", campaign(nil), Decision{Verdict: Send}},
		{"campaign ended", campaign(func(f *CallFacts) { f.CampaignStatus = VoiceEnded; f.OptedOut = true }),
			Decision{Verdict: Cancel, Reason: ReasonCampaignEnded}},
		{"an SMS STOP blocks calls", campaign(func(f *CallFacts) { f.OptedOut = true }),
			Decision{Verdict: Block, Reason: ReasonOptedOut}},
		{"do not contact", campaign(func(f *CallFacts) { f.DoNotContact = true }),
			Decision{Verdict: Block, Reason: ReasonDoNotContact}},
		{"past the campaign's end", campaign(func(f *CallFacts) { f.CampaignEnd = noon }),
			Decision{Verdict: Expire, Reason: ReasonExpired}},
		{"paused", campaign(func(f *CallFacts) { f.CampaignStatus = VoicePaused }),
			Decision{Verdict: Wait, Reason: ReasonCampaignPaused, Until: noon.Add(PausedRetry)}},
		{"unknown campaign status", campaign(func(f *CallFacts) { f.CampaignStatus = "" }),
			Decision{Verdict: Wait, Reason: ReasonCampaignStatus, Until: noon.Add(PausedRetry)}},
		{"before the campaign's begin", campaign(func(f *CallFacts) { f.CampaignBegin = noon.Add(2 * time.Hour) }),
			Decision{Verdict: Wait, Reason: ReasonCampaignNotStarted, Until: noon.Add(2 * time.Hour)}},
		{"night waits for the morning", campaign(func(f *CallFacts) { f.Now = night }),
			Decision{Verdict: Wait, Reason: ReasonQuietHours, Until: morning}},
		{"the campaign ends before the morning", campaign(func(f *CallFacts) {
			f.Now, f.CampaignEnd = night, night.Add(time.Hour)
		}), Decision{Verdict: Expire, Reason: ReasonQuietHours}},
		{"an unknown zone is held to every US zone", campaign(func(f *CallFacts) {
			f.Now, f.Location = time.Date(2026, 3, 11, 13, 30, 0, 0, time.UTC), quiethours.Location{} // 06:30 in Los Angeles
		}), Decision{Verdict: Wait, Reason: ReasonQuietHours, Until: time.Date(2026, 3, 11, 18, 0, 0, 0, time.UTC)}}, // 08:00 in Honolulu
		{"another live call to the lead", campaign(func(f *CallFacts) { f.LiveToLead = 1 }),
			Decision{Verdict: Wait, Reason: ReasonLeadOnCall, Until: noon.Add(LeadBusyRetry)}},
		{"number at its limit", campaign(func(f *CallFacts) { f.LiveFromNumber, f.MaxPerNumber = 2, 2 }),
			Decision{Verdict: Wait, Reason: ReasonConcurrency, Until: noon.Add(ConcurrencyRetry)}},
		{"campaign at its limit", campaign(func(f *CallFacts) { f.LiveInCampaign, f.MaxPerCampaign = 5, 5 }),
			Decision{Verdict: Wait, Reason: ReasonConcurrency, Until: noon.Add(ConcurrencyRetry)}},
		{"under the limits", campaign(func(f *CallFacts) { f.LiveFromNumber, f.MaxPerNumber, f.LiveInCampaign, f.MaxPerCampaign = 1, 2, 4, 5 }),
			Decision{Verdict: Send}},
		{"a single call at night goes", CallFacts{Now: night, Kind: CallSingle, Location: detroit}, Decision{Verdict: Send}},
		{"a single call obeys an opt-out", CallFacts{Now: noon, Kind: CallSingle, OptedOut: true},
			Decision{Verdict: Block, Reason: ReasonOptedOut}},
		{"a single call never joins a live one", CallFacts{Now: noon, Kind: CallSingle, LiveToLead: 1},
			Decision{Verdict: Wait, Reason: ReasonLeadOnCall, Until: noon.Add(LeadBusyRetry)}},
		{"an SMS-to-voice call obeys the window", CallFacts{Now: night, Kind: CallSMSToVoice, Location: detroit},
			Decision{Verdict: Wait, Reason: ReasonQuietHours, Until: morning}},
		{"an SMS-to-voice call past its expiry", CallFacts{Now: noon, Kind: CallSMSToVoice, Location: detroit, ExpiresAt: noon},
			Decision{Verdict: Expire, Reason: ReasonExpired}},
		{"an SMS-to-voice call ignores campaign limits", CallFacts{Now: noon, Kind: CallSMSToVoice, Location: detroit,
			LiveInCampaign: 9, MaxPerCampaign: 1}, Decision{Verdict: Send}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := DecideCall(tt.f)
			if got.Verdict != tt.want.Verdict || got.Reason != tt.want.Reason || !got.Until.Equal(tt.want.Until) {
				t.Fatalf("got %v %q until %v, want %v %q until %v", got.Verdict, got.Reason, got.Until,
					tt.want.Verdict, tt.want.Reason, tt.want.Until)
			}
		})
	}
}
