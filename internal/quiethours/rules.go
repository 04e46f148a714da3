// Package quiethours decides when a message may be handed to the carrier, judged in the
// recipient's local time (compliance spec §3).
//
// The pieces, in the order a sender uses them:
//
//   - Resolve turns what is known about a contact (time zone, state, ZIP, phone number) into a
//     Location: the candidate time zones the recipient may be in, and the state whose rules apply.
//   - Check says whether a message may go now, and if not, the earliest instant it may. The
//     window must be open in every candidate zone, so a guess about the zone never makes a
//     message arrive at night.
//   - Expired drops messages that waited too long; ReplyAllowed is the exemption for a direct
//     reply to the contact's own message.
//
// Windows are wall-clock times ("08:00 local"), not elapsed time since midnight, so DST days
// open at 08:00 like any other. Which messages are subject to quiet hours (not human sends, per
// spec §3) is the caller's decision, as is checking at hand-off to the carrier rather than when
// scheduling.
//
// Everything here is pure computation and safe for concurrent use. The only data read are the
// time zone rules; time/tzdata compiles them in, so hosts without zoneinfo work the same.
package quiethours

import (
	"time"
	_ "time/tzdata" // zone rules must not depend on what the host has installed
)

// Window is the part of one local day during which messages may be delivered: from Open
// (inclusive) to Close (exclusive), both measured as wall-clock time since local midnight, so
// 8*time.Hour means 08:00 even on a DST day. A Window with Open >= Close is closed all day.
type Window struct{ Open, Close time.Duration }

// Contains reports whether the wall-clock time of day tod (time since local midnight) falls in
// the window.
func (w Window) Contains(tod time.Duration) bool { return w.Open <= tod && tod < w.Close }

// week is a jurisdiction's windows indexed by time.Weekday.
type week [7]Window

// hm builds a window from whole hours, the only granularity the rules use so far.
func hm(open, close int) Window {
	return Window{Open: time.Duration(open) * time.Hour, Close: time.Duration(close) * time.Hour}
}

// daily repeats one window on every day of the week.
func daily(w Window) week { return week{w, w, w, w, w, w, w} }

// federal is the baseline everywhere: 47 CFR 64.1200(c)(1), no calls before 08:00 or after 21:00
// at the called party's location. It is the key "" in rules.
var federal = daily(hm(8, 21))

// rules holds the stricter state windows (compliance spec §3, vendor summary). Keys are USPS
// two-letter codes. This table is the only place to change when a state changes its law; a
// state not listed follows the federal baseline. WindowFor also clips every entry to the federal
// window, so a typo here can narrow delivery but never widen it past federal law.
var rules = map[string]week{
	"FL": daily(hm(8, 20)),
	"MD": daily(hm(8, 20)),
	"MS": daily(hm(8, 20)),
	"NJ": daily(hm(8, 20)),
	"OK": daily(hm(8, 20)),
	"CT": daily(hm(9, 20)),
	// RI: the weekend hours are the vendor's reading, which the spec asks to confirm.
	"RI": {
		time.Sunday:    hm(10, 17),
		time.Monday:    hm(9, 18),
		time.Tuesday:   hm(9, 18),
		time.Wednesday: hm(9, 18),
		time.Thursday:  hm(9, 18),
		time.Friday:    hm(9, 18),
		time.Saturday:  hm(10, 17),
	},
	"TX": {
		time.Sunday:    hm(12, 21),
		time.Monday:    hm(9, 21),
		time.Tuesday:   hm(9, 21),
		time.Wednesday: hm(9, 21),
		time.Thursday:  hm(9, 21),
		time.Friday:    hm(9, 21),
		time.Saturday:  hm(9, 21),
	},
}

// WindowFor returns the delivery window on weekday day for a recipient in state, given as a
// two-letter code or a full name, in any case ("TX", "tx", "Texas"). An empty or unknown state,
// or an out-of-range weekday, gets the federal baseline. The result never extends beyond the
// federal window.
func WindowFor(state string, day time.Weekday) Window {
	if day < time.Sunday || day > time.Saturday {
		return federal[time.Monday]
	}
	return weekFor(state)[day]
}

// weekFor returns a state's seven windows, already clipped to the federal ones. Check calls it
// once per Location rather than normalising the state name for every instant it tests.
func weekFor(state string) week {
	s, ok := rules[stateCode(state)]
	if !ok {
		return federal
	}
	return clip(s)
}

// clip narrows each day of a state's week to the federal window of that day.
func clip(s week) week {
	w := federal
	for d := range w {
		w[d] = Window{Open: max(w[d].Open, s[d].Open), Close: min(w[d].Close, s[d].Close)}
	}
	return w
}
