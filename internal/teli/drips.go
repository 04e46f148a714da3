package teli

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
)

var dripTypes = []string{string(DripCustom), string(DripAI), string(DripReminder)}

// ParseDripSchedule validates and normalises the JSON value of an SMS agent's drip_schedule.
//
// JSON null (or no value) yields nil, nil; an empty array yields an empty, non-nil slice, so a
// caller can tell "not sent" from "clear the schedule". Each item is either {day, message} or
// {delay_hours, type, message} (the docs show both): exactly one of day and delay_hours must be
// given, day becoming DelayHours = 24*day. type defaults to "custom" and is matched
// case-insensitively; message is trimmed and required for custom and reminder steps. Unknown keys
// are ignored, a null member counts as absent, and steps keep their input order.
func ParseDripSchedule(raw json.RawMessage) ([]DripStep, error) {
	if isNull(raw) {
		return nil, nil
	}
	items, ok := asArray(raw)
	if !ok {
		return nil, Invalid("drip_schedule must be an array")
	}
	if len(items) > MaxDripSteps {
		return nil, Invalid("drip_schedule may have at most %d steps", MaxDripSteps)
	}
	steps := make([]DripStep, 0, len(items))
	for i, item := range items {
		path := fmt.Sprintf("drip_schedule[%d]", i)
		o, ok := asObject(item)
		if !ok {
			return nil, Invalid("%s must be an object", path)
		}
		day, hasDay, err := o.num(path, "day")
		if err != nil {
			return nil, err
		}
		hours, hasHours, err := o.num(path, "delay_hours")
		if err != nil {
			return nil, err
		}
		var step DripStep
		switch {
		case hasDay && hasHours:
			return nil, Invalid("%s must have either day or delay_hours, not both", path)
		case hasDay:
			if !inRange(day, 0, MaxDripDay) {
				return nil, Invalid("%s.day must be between 0 and %d", path, MaxDripDay)
			}
			step.DelayHours = 24 * day
		case hasHours:
			if !inRange(hours, 0, MaxDripDelayHours) {
				return nil, Invalid("%s.delay_hours must be between 0 and %d", path, MaxDripDelayHours)
			}
			step.DelayHours = hours
		default:
			return nil, Invalid("%s needs either day or delay_hours", path)
		}

		typ, _, err := o.str(path, "type")
		if err != nil {
			return nil, err
		}
		typ = strings.ToLower(strings.TrimSpace(typ))
		switch {
		case typ == "":
			step.Type = DripCustom
		case slices.Contains(dripTypes, typ):
			step.Type = DripType(typ)
		default:
			return nil, Invalid("%s.type must be one of %s", path, oneOf(dripTypes))
		}

		msg, _, err := o.str(path, "message")
		if err != nil {
			return nil, err
		}
		step.Message = strings.TrimSpace(msg)
		if step.Message == "" && step.Type != DripAI {
			return nil, Invalid("%s.message is required for %s steps", path, step.Type)
		}
		steps = append(steps, step)
	}
	return steps, nil
}

// Day returns the step's delay in whole days, and false when DelayHours is not a non-negative
// multiple of 24 (so the step can only be shown as delay_hours).
func (s DripStep) Day() (int, bool) {
	if s.DelayHours < 0 || math.Mod(s.DelayHours, 24) != 0 {
		return 0, false
	}
	return int(s.DelayHours / 24), true
}
