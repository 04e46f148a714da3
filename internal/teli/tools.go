package teli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/openteli/teli/internal/phone"
)

// Voice tool types.
const (
	ToolEndCall                = "end_call"
	ToolTransferCall           = "transfer_call"
	ToolCustom                 = "custom"
	ToolCheckAvailabilityCal   = "check_availability_cal"
	ToolBookAppointmentCal     = "book_appointment_cal"
	ToolPressDigit             = "press_digit"
	ToolSendSMS                = "send_sms"
	ToolAgentSwap              = "agent_swap"
	ToolExtractDynamicVariable = "extract_dynamic_variable"
)

// ToolTypes lists the supported voice tool types, in the order error messages name them.
var ToolTypes = []string{
	ToolEndCall, ToolTransferCall, ToolCustom, ToolCheckAvailabilityCal, ToolBookAppointmentCal,
	ToolPressDigit, ToolSendSMS, ToolAgentSwap, ToolExtractDynamicVariable,
}

var (
	toolNameRE     = regexp.MustCompile(`^[a-z0-9_]+$`)
	placeholderRE  = regexp.MustCompile(`\{\{\s*[A-Za-z_][A-Za-z0-9_.]*\s*\}\}`)
	wholeVarRE     = regexp.MustCompile(`^\{\{\s*[A-Za-z_][A-Za-z0-9_.]*\s*\}\}$`)
	digitsRE       = regexp.MustCompile(`^[0-9]+$`)
	httpMethods    = []string{"GET", "POST", "PUT", "PATCH", "DELETE"}
	transferTypes  = []string{"cold_transfer", "warm_transfer"}
	onHoldMusics   = []string{"none", "relaxing_sound", "uplifting_beats", "ringtone"}
	defaultTransOp = json.RawMessage(`{"type":"cold_transfer"}`)
	coldTransfer   = json.RawMessage(`"cold_transfer"`)
)

// ParseTools validates the tools array of a voice agent and returns each tool as compact JSON,
// in input order, with every key the caller sent kept in its order (unknown keys are forwarded to
// the voice platform). Every tool needs a supported type, a unique snake_case name of at most 64
// characters and an optional string description; transfer_call, custom and the Cal.com tools
// have their own fields checked. A transfer_call without transfer_option gets
// {"type":"cold_transfer"} added, and a transfer_option without type gets "type":"cold_transfer"
// (the documented default), since the voice platform requires both.
// null or a non-array is an error: the tools endpoint requires the array.
func ParseTools(raw json.RawMessage) ([]json.RawMessage, error) {
	items, ok := asArray(raw)
	if !ok {
		return nil, Invalid("tools must be an array")
	}
	if len(items) > MaxTools {
		return nil, Invalid("tools may have at most %d entries", MaxTools)
	}
	out := make([]json.RawMessage, 0, len(items))
	names := map[string]int{}
	for i, item := range items {
		path := fmt.Sprintf("tools[%d]", i)
		o, ok := asObject(item)
		if !ok {
			return nil, Invalid("%s must be an object", path)
		}
		typ, err := o.requiredStr(path, "type")
		if err != nil {
			return nil, err
		}
		if !slices.Contains(ToolTypes, typ) {
			return nil, Invalid("%s.type '%s' is not supported (supported: %s)", path, typ, oneOf(ToolTypes))
		}
		name, err := o.requiredStr(path, "name")
		if err != nil {
			return nil, err
		}
		switch {
		case len(name) > MaxToolNameLen:
			return nil, Invalid("%s.name must be at most %d characters", path, MaxToolNameLen)
		case !toolNameRE.MatchString(name):
			return nil, Invalid("%s.name must be snake_case (a-z, 0-9, _)", path)
		}
		if j, dup := names[name]; dup {
			return nil, Invalid("%s.name '%s' is already used by tools[%d]", path, name, j)
		}
		names[name] = i
		if _, _, err := o.str(path, "description"); err != nil {
			return nil, err
		}

		var compact bytes.Buffer
		if err := json.Compact(&compact, item); err != nil {
			return nil, Invalid("%s is not valid JSON", path)
		}
		tool := json.RawMessage(compact.Bytes())

		switch typ {
		case ToolTransferCall:
			if err := checkTransferTool(path, o); err != nil {
				return nil, err
			}
			switch opt, _ := asObject(o["transfer_option"]); {
			case opt == nil:
				tool = setMember(tool, "transfer_option", defaultTransOp)
			case !opt.has("type"):
				tool = setMember(tool, "transfer_option", setMember(o["transfer_option"], "type", coldTransfer))
			}
		case ToolCustom:
			if err := checkCustomTool(path, o); err != nil {
				return nil, err
			}
		case ToolCheckAvailabilityCal, ToolBookAppointmentCal:
			if err := checkCalTool(path, o); err != nil {
				return nil, err
			}
		}
		out = append(out, tool)
	}
	return out, nil
}

// setMember sets key to value in the JSON object o and returns it compacted. An existing member
// is replaced where it stands (later duplicates of the key are dropped); a new one is appended.
// Every other member keeps its place and bytes.
func setMember(o json.RawMessage, key string, value json.RawMessage) json.RawMessage {
	dec := json.NewDecoder(bytes.NewReader(o))
	var b bytes.Buffer
	b.WriteByte('{')
	if _, err := dec.Token(); err != nil { // the opening brace
		return o
	}
	n, done := 0, false
	write := func(k string, v []byte) {
		if n > 0 {
			b.WriteByte(',')
		}
		n++
		kb, _ := json.Marshal(k)
		b.Write(kb)
		b.WriteByte(':')
		b.Write(v)
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return o
		}
		k, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return o
		}
		switch {
		case k != key:
			write(k, v)
		case !done:
			write(k, value)
			done = true
		}
	}
	if !done {
		write(key, value)
	}
	b.WriteByte('}')
	var c bytes.Buffer
	if err := json.Compact(&c, b.Bytes()); err != nil {
		return o
	}
	return c.Bytes()
}

func checkTransferTool(path string, o obj) error {
	dest, ok, err := o.object(path, "transfer_destination")
	if err != nil {
		return err
	}
	if !ok {
		return Invalid("%s.transfer_destination is required", path)
	}
	dpath := path + ".transfer_destination"
	if t, _, err := dest.str(dpath, "type"); err != nil {
		return err
	} else if t != "predefined" {
		return Invalid("%s.type must be 'predefined'", dpath)
	}
	number, err := dest.requiredStr(dpath, "number")
	if err != nil {
		return err
	}
	if !wholeVarRE.MatchString(number) && !phone.IsE164(number) {
		return Invalid("%s.number must be an E.164 phone number (like +13137316433) or a {{variable}}", dpath)
	}
	if ext, ok, err := dest.str(dpath, "extension"); err != nil {
		return err
	} else if ok && !digitsRE.MatchString(ext) {
		return Invalid("%s.extension must contain only digits", dpath)
	}

	opt, ok, err := o.object(path, "transfer_option")
	if err != nil || !ok {
		return err
	}
	opath := path + ".transfer_option"
	t, _, err := opt.str(opath, "type")
	if err != nil {
		return err
	}
	if t == "" {
		t = "cold_transfer"
	} else if !slices.Contains(transferTypes, t) {
		return Invalid("%s.type must be 'cold_transfer' or 'warm_transfer'", opath)
	}
	if opt.has("on_hold_music") {
		if t != "warm_transfer" {
			return Invalid("%s.on_hold_music is only allowed for warm_transfer", opath)
		}
		m, _, err := opt.str(opath, "on_hold_music")
		if err != nil {
			return err
		}
		if !slices.Contains(onHoldMusics, m) {
			return Invalid("%s.on_hold_music must be one of %s", opath, oneOf(onHoldMusics))
		}
	}
	return opt.boolean(opath, "show_transferee_as_caller")
}

func checkCustomTool(path string, o obj) error {
	u, err := o.requiredStr(path, "url")
	if err != nil {
		return err
	}
	if !validToolURL(u) {
		return Invalid("%s.url must be an http:// or https:// URL", path)
	}
	if m, ok, err := o.str(path, "method"); err != nil {
		return err
	} else if ok && !slices.Contains(httpMethods, m) {
		return Invalid("%s.method must be one of %s", path, oneOf(httpMethods))
	}
	if err := o.stringMap(path, "headers"); err != nil {
		return err
	}
	if err := o.stringMap(path, "query_params"); err != nil {
		return err
	}
	if params, ok, err := o.object(path, "parameters"); err != nil {
		return err
	} else if ok {
		if t, _ := asString(params["type"]); t != "object" {
			return Invalid("%s.parameters.type must be 'object'", path)
		}
	}
	if err := o.boolean(path, "speak_after_execution"); err != nil {
		return err
	}
	if o.has("timeout_ms") {
		f, ok := asNumber(o["timeout_ms"])
		if !ok || f != math.Trunc(f) || !inRange(f, 1000, 600000) {
			return Invalid("%s.timeout_ms must be a whole number between 1000 and 600000", path)
		}
	}
	return nil
}

// validToolURL accepts absolute http(s) URLs with a host; {{variable}} placeholders may stand
// anywhere, the host included.
func validToolURL(s string) bool {
	s = placeholderRE.ReplaceAllString(s, "var")
	u, err := url.Parse(s)
	if err != nil {
		return false
	}
	scheme := strings.ToLower(u.Scheme)
	return (scheme == "http" || scheme == "https") && u.Host != ""
}

func checkCalTool(path string, o obj) error {
	if _, err := o.requiredStr(path, "cal_api_key"); err != nil {
		return err
	}
	switch id := o["event_type_id"]; jsonKind(id) {
	case "", "null":
		return Invalid("%s.event_type_id is required", path)
	case "number":
	case "string":
		if s, _ := asString(id); strings.TrimSpace(s) == "" {
			return Invalid("%s.event_type_id is required", path)
		}
	default:
		return Invalid("%s.event_type_id must be a number or a string", path)
	}
	if tz, ok, err := o.str(path, "timezone"); err != nil {
		return err
	} else if ok && strings.TrimSpace(tz) == "" {
		return Invalid("%s.timezone must be a time zone name such as America/New_York", path)
	}
	return nil
}
