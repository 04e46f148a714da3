package agents

import (
	"reflect"
	"strings"

	"github.com/openteli/teli/internal/service"
	"github.com/openteli/teli/internal/teli"
)

// applyAgentInput validates the present fields of in and copies them onto a, whose Type (and,
// for voice agents, Voice) is already set. It reports which groups of settings changed.
func applyAgentInput(a *teli.Agent, in Input) (Changes, error) {
	var ch Changes
	if err := applyCommon(a, in, &ch); err != nil {
		return ch, err
	}
	if a.Type == teli.AgentSMS {
		return ch, applySMS(a, in, &ch)
	}
	return ch, applyVoice(a, in, &ch)
}

func applyCommon(a *teli.Agent, in Input, ch *Changes) error {
	if in.AgentName != nil {
		name := service.Trim(in.AgentName)
		switch {
		case name == "":
			return teli.Invalid("agent_name cannot be empty")
		case len([]rune(name)) > maxAgentName:
			return teli.Invalid("agent_name must be at most %d characters", maxAgentName)
		}
		a.Name, ch.AgentInfo = name, true
	}
	if in.Prompt != nil {
		if service.Trim(in.Prompt) == "" {
			return teli.Invalid("prompt cannot be empty")
		}
		a.Prompt, ch.AIBehavior = strings.TrimSpace(*in.Prompt), true
	}
	if in.StartingMessage != nil {
		msg := strings.TrimSpace(*in.StartingMessage)
		if msg == "" && a.Type == teli.AgentSMS {
			return teli.Invalid("starting_message cannot be empty for SMS agents")
		}
		a.StartingMessage, ch.AIBehavior = msg, true
	}
	if in.ExtractionField != nil {
		fields, err := teli.ParseExtractionFields(in.ExtractionField)
		if err != nil {
			return err
		}
		a.ExtractionFields, ch.AIBehavior = fields, true
	}
	return nil
}

func applySMS(a *teli.Agent, in Input, ch *Changes) error {
	if in.Tools != nil {
		return teli.Invalid("SMS agents do not support tools")
	}
	if f := firstVoiceField(in); f != "" {
		return teli.Invalid("%s is only supported for voice agents", f)
	}
	if in.DripSchedule != nil {
		steps, err := teli.ParseDripSchedule(in.DripSchedule)
		if err != nil {
			return err
		}
		a.DripSchedule, ch.AIBehavior = steps, true
	}
	return nil
}

func applyVoice(a *teli.Agent, in Input, ch *Changes) error {
	if in.DripSchedule != nil {
		return teli.Invalid("drip_schedule is only supported for SMS agents")
	}
	v := a.Voice
	if in.VoiceID != nil {
		if service.Trim(in.VoiceID) == "" {
			return teli.Invalid("voice_id is required for voice agents")
		}
		v.VoiceID, ch.VoiceSettings = service.Trim(in.VoiceID), true
	}
	if in.Language != nil {
		if !teli.ValidLanguage(service.Trim(in.Language)) {
			return teli.Invalid("language must be one of %s", strings.Join(teli.Languages, ", "))
		}
		v.Language, ch.VoiceSettings = service.Trim(in.Language), true
	}
	if err := applyVoicemail(v, in, ch); err != nil {
		return err
	}
	if in.Tools != nil {
		tools, err := teli.ParseTools(in.Tools)
		if err != nil {
			return err
		}
		v.Tools, ch.AIBehavior = tools, true
	}
	if in.KnowledgeBaseIDs != nil {
		ids, err := knowledgeBaseIDs(*in.KnowledgeBaseIDs)
		if err != nil {
			return err
		}
		v.KnowledgeBaseIDs, ch.AIBehavior = ids, true
	}
	if in.KBConfig != nil {
		if err := in.KBConfig.Validate(); err != nil {
			return err
		}
		v.KBConfig, ch.AIBehavior = in.KBConfig, true
	}
	return applySettings(v, in.VoiceSettings, ch)
}

func applyVoicemail(v *teli.VoiceConfig, in Input, ch *Changes) error {
	detect, enable := in.DetectVoicemail, in.EnableVoicemailDetection
	if detect != nil && enable != nil && *detect != *enable {
		return teli.Invalid("detect_voicemail and enable_voicemail_detection disagree; send one of them")
	}
	if enable == nil {
		enable = detect
	}
	if enable != nil {
		v.VoicemailDetection, ch.VoiceSettings = *enable, true
	}
	if in.VoicemailMessage != nil {
		v.VoicemailMessage, ch.VoiceSettings = strings.TrimSpace(*in.VoicemailMessage), true
	}
	return nil
}

// applySettings merges the tuning fields that were sent over the stored ones.
func applySettings(v *teli.VoiceConfig, sent teli.VoiceSettings, ch *Changes) error {
	if err := sent.Validate(); err != nil {
		return err
	}
	dst, src := reflect.ValueOf(&v.Settings).Elem(), reflect.ValueOf(sent)
	for i := range src.NumField() {
		if f := src.Field(i); !f.IsNil() {
			dst.Field(i).Set(f)
			ch.VoiceSettings = true
		}
	}
	return nil
}

func knowledgeBaseIDs(ids []string) ([]string, error) {
	out := make([]string, 0, len(ids))
	seen := map[string]bool{}
	for i, id := range ids {
		id = strings.TrimSpace(id)
		if id == "" {
			return nil, teli.Invalid("knowledge_base_ids[%d] cannot be empty", i)
		}
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out, nil
}

// firstVoiceField names the first voice-only field present in in, or "".
func firstVoiceField(in Input) string {
	present := []struct {
		name string
		set  bool
	}{
		{"voice_id", in.VoiceID != nil},
		{"detect_voicemail", in.DetectVoicemail != nil},
		{"enable_voicemail_detection", in.EnableVoicemailDetection != nil},
		{"voicemail_message", in.VoicemailMessage != nil},
		{"language", in.Language != nil},
		{"knowledge_base_ids", in.KnowledgeBaseIDs != nil},
		{"kb_config", in.KBConfig != nil},
	}
	for _, p := range present {
		if p.set {
			return p.name
		}
	}
	return firstSetSetting(in.VoiceSettings)
}

// firstSetSetting names the first tuning field that is set, by its JSON name.
func firstSetSetting(s teli.VoiceSettings) string {
	v, t := reflect.ValueOf(s), reflect.TypeOf(s)
	for i := range v.NumField() {
		if !v.Field(i).IsNil() {
			name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
			return name
		}
	}
	return ""
}
