package teli

import (
	"math"
	"slices"
)

// Validate checks the ranges of kb_config: top_k 1–10, filter_score 0–1.
func (k KBConfig) Validate() error {
	if k.TopK != nil && (*k.TopK < 1 || *k.TopK > 10) {
		return Invalid("kb_config.top_k must be between 1 and 10")
	}
	if k.FilterScore != nil && !inRange(*k.FilterScore, 0, 1) {
		return Invalid("kb_config.filter_score must be between 0 and 1")
	}
	return nil
}

// AmbientSounds are the accepted ambient_sound values (besides null or "" for none).
var AmbientSounds = []string{
	"coffee-shop", "convention-hall", "summer-outdoor", "mountain-outdoor", "static-noise", "call-center",
}

// DataStorageSettings are the accepted data_storage_setting values.
var DataStorageSettings = []string{"everything", "everything_except_pii", "basic_attributes_only"}

// Validate checks the documented ranges of the voice tuning fields (spec 1.1.6 and the voice
// platform's limits); unset (nil) fields pass, and so does an empty ambient_sound (none). The
// first violation found is returned.
func (v VoiceSettings) Validate() error {
	floats := []struct {
		name   string
		v      *float64
		lo, hi float64
	}{
		{"voice_temperature", v.VoiceTemperature, 0, 2},
		{"voice_speed", v.VoiceSpeed, 0.5, 2},
		{"volume", v.Volume, 0, 2},
		{"responsiveness", v.Responsiveness, 0, 1},
		{"interruption_sensitivity", v.InterruptionSensitivity, 0, 1},
		{"backchannel_frequency", v.BackchannelFrequency, 0, 1},
		{"ambient_sound_volume", v.AmbientSoundVolume, 0, 2},
	}
	for _, f := range floats {
		if f.v != nil && !inRange(*f.v, f.lo, f.hi) {
			return Invalid("%s must be between %g and %g", f.name, f.lo, f.hi)
		}
	}
	if v.AmbientSound != nil && *v.AmbientSound != "" && !slices.Contains(AmbientSounds, *v.AmbientSound) {
		return Invalid("ambient_sound must be null or one of %s", oneOf(AmbientSounds))
	}
	const noMax = math.MaxInt
	ints := []struct {
		name   string
		v      *int
		lo, hi int
	}{
		{"voicemail_detection_timeout_ms", v.VoicemailDetectionTimeoutMS, 5000, 180000},
		{"reminder_trigger_ms", v.ReminderTriggerMS, 0, noMax},
		{"reminder_max_count", v.ReminderMaxCount, 0, noMax},
		{"end_call_after_silence_ms", v.EndCallAfterSilenceMS, 10000, noMax},
		{"max_call_duration_ms", v.MaxCallDurationMS, 60000, 7200000},
		{"begin_message_delay_ms", v.BeginMessageDelayMS, 0, 5000},
		{"ring_duration_ms", v.RingDurationMS, 0, noMax},
	}
	for _, f := range ints {
		if f.v == nil || (*f.v >= f.lo && *f.v <= f.hi) {
			continue
		}
		if f.hi == noMax {
			return Invalid("%s must be at least %d", f.name, f.lo)
		}
		return Invalid("%s must be between %d and %d", f.name, f.lo, f.hi)
	}
	if v.DataStorageSetting != nil && !slices.Contains(DataStorageSettings, *v.DataStorageSetting) {
		return Invalid("data_storage_setting must be one of %s", oneOf(DataStorageSettings))
	}
	return nil
}

// Languages are the voice languages the API accepts, in the documented order.
var Languages = []string{"en-US", "en-GB", "es-ES", "es-419", "fr-FR", "de-DE", "ja-JP", "zh-CN", "multi"}

// ValidLanguage reports whether s is one of Languages (exact, case-sensitive match).
func ValidLanguage(s string) bool { return slices.Contains(Languages, s) }
