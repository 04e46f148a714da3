package quiethours

import (
	"slices"
	"time"
)

// DefaultValidity is how late a queued message (a drip, a campaign step) may still be sent; past
// it the message is dropped and recorded as expired rather than sent stale (spec §3, §6.8).
const DefaultValidity = 12 * time.Hour

// DefaultReplyGrace is how long after a contact's own message a direct AI reply to it is exempt
// from quiet hours (spec §3): someone who texts at 23:00 expects an answer, not one at 08:00.
const DefaultReplyGrace = 15 * time.Minute

// horizon bounds Check's search: a week, so that every weekday's window is tried in every zone,
// plus a day, because zones' local dates can differ by one. Real rules always find an open
// instant within the first day or two; the rest guards against table mistakes.
const horizon = 8 * 24 * time.Hour

// Check reports whether a message may be handed to the carrier at now for a recipient at loc:
// the local wall-clock time must be inside the window of loc.State in every zone of loc. A
// Location with no zones (the zero Location, or one returned with ErrUnknownZone) is checked
// against AllUS; nil zones are ignored.
//
// When ok, nextOpen is now. Otherwise nextOpen is the earliest instant after now at which the
// window is open in every zone, exact to the nanosecond, found by listing each zone's openings
// and testing them (no stepping, so DST gaps and overlaps, midnight and zones on different days
// need no special cases). If the zones never share an open instant within 8 days, which real
// rules and US zones never cause, nextOpen is the latest of the zones' own next openings, so
// that at least each zone has reached daytime. nextOpen is in now's location.
func Check(now time.Time, loc Location) (ok bool, nextOpen time.Time) {
	return check(now, loc.zones(), weekFor(loc.State))
}

// check is Check for any zones and any week of windows, which lets tests use windows that the
// rules table does not have (opening inside a DST gap, at midnight, never).
func check(now time.Time, zones []*time.Location, w week) (bool, time.Time) {
	now = now.Round(0) // monotonic clock readings would make comparisons with computed instants inconsistent
	if openIn(now, zones, w) {
		return true, now
	}
	end := now.Add(horizon)
	perZone := make([][]time.Time, len(zones))
	var all []time.Time
	for i, z := range zones {
		perZone[i] = openings(nil, now, end, z, w)
		all = append(all, perZone[i]...)
	}
	slices.SortFunc(all, time.Time.Compare)
	for _, t := range all {
		if openIn(t, zones, w) {
			return false, t.In(now.Location())
		}
	}
	// Fallback: the zones never agree. Wait at least until each has opened.
	latest := time.Time{}
	for i, z := range zones {
		for _, t := range perZone[i] { // ascending: openings emits them in order
			if open(t, z, w) {
				if t.After(latest) {
					latest = t
				}
				break
			}
		}
	}
	if latest.IsZero() {
		latest = end // every day closed everywhere: not possible with the rules table
	}
	return false, latest.In(now.Location())
}

// zones returns the zones to check: loc's non-nil zones, or AllUS when there are none.
func (loc Location) zones() []*time.Location {
	var zs []*time.Location
	for _, z := range loc.Zones {
		if z != nil {
			zs = append(zs, z)
		}
	}
	if len(zs) == 0 {
		return allUS
	}
	return zs
}

// open reports whether t falls inside zone z's window of its local weekday. This predicate is
// the definition every other function follows: local wall clock, local weekday, nothing else.
func open(t time.Time, z *time.Location, w week) bool {
	lt := t.In(z)
	// Wall time as shown, not time elapsed since midnight: the two differ on DST days.
	tod := time.Duration(lt.Hour())*time.Hour + time.Duration(lt.Minute())*time.Minute +
		time.Duration(lt.Second())*time.Second + time.Duration(lt.Nanosecond())
	return w[lt.Weekday()].Contains(tod)
}

// openIn reports whether t is inside the window in every zone.
func openIn(t time.Time, zones []*time.Location, w week) bool {
	for _, z := range zones {
		if !open(t, z, w) {
			return false
		}
	}
	return true
}

// openings appends, in ascending order, every instant in [from, end) at which zone z may move
// from closed to open: each local day's opening time, and each UTC-offset change (a DST jump
// can carry the wall clock over an opening time). The earliest instant open in all zones is
// from or one of these, because an intersection of windows starts where some zone's window
// does. Some of the instants may not actually open anything; callers test them.
//
// Between two offset changes local time is UTC plus a constant, so each day's opening is found
// by arithmetic, without asking time.Date to resolve wall times in a gap or an overlap.
func openings(dst []time.Time, from, end time.Time, z *time.Location, w week) []time.Time {
	for t := from; t.Before(end); {
		_, offset := t.In(z).Zone()
		off := time.Duration(offset) * time.Second
		next := periodEnd(t, end, z, offset)
		dst = append(dst, t)
		// Local days touched by [t, next): walk them as UTC dates holding the wall clock.
		first := t.UTC().Add(off)
		day := time.Date(first.Year(), first.Month(), first.Day(), 0, 0, 0, 0, time.UTC)
		for lastWall := next.UTC().Add(off); !day.After(lastWall); day = day.AddDate(0, 0, 1) {
			win := w[day.Weekday()]
			if win.Open >= win.Close {
				continue // closed all day
			}
			at := day.Add(win.Open).Add(-off)
			if !at.Before(t) && at.Before(next) && at.After(dst[len(dst)-1]) {
				dst = append(dst, at)
			}
		}
		t = next
	}
	return dst
}

// periodEnd returns the first instant after t at which zone z's UTC offset (offset at t) may
// change, or end if that is sooner. ZoneBounds gives it directly, except that on the last UTC day
// of a leap year past a zone's last explicit transition it returns an end before t
// (golang/go#81583, 2040-12-31 for example); there, and whenever it fails to move forward, the
// offset is probed minute by minute for at most a day, which is past the faulty day.
func periodEnd(t, end time.Time, z *time.Location, offset int) time.Time {
	_, next := t.In(z).ZoneBounds()
	switch {
	case next.IsZero() || next.After(end):
		return end // the zone's last period, or one running past the horizon
	case next.After(t):
		return next
	}
	limit := t.Add(24 * time.Hour)
	if limit.After(end) {
		limit = end
	}
	return probeChange(t, limit, z, offset)
}

// probeChange returns the first whole second after t, before limit, at which z's offset differs
// from offset, or limit if there is none. tzdata transitions fall on whole seconds; minutes are
// probed first, then the seconds of the minute where the offset changed.
func probeChange(t, limit time.Time, z *time.Location, offset int) time.Time {
	prev := t
	for p := t.Truncate(time.Minute).Add(time.Minute); p.Before(limit); p = p.Add(time.Minute) {
		if _, o := p.In(z).Zone(); o != offset {
			for q := prev.Truncate(time.Second).Add(time.Second); ; q = q.Add(time.Second) {
				if _, o := q.In(z).Zone(); o != offset {
					return q // at the latest p itself
				}
			}
		}
		prev = p
	}
	return limit
}

// Expired reports whether a message scheduled for scheduled is too late to send at now: more
// than validity after its scheduled time. A validity of zero or less means DefaultValidity, so
// an unset field in a job never means "never expires".
func Expired(scheduled, now time.Time, validity time.Duration) bool {
	if validity <= 0 {
		validity = DefaultValidity
	}
	return now.Sub(scheduled) > validity
}

// ReplyAllowed reports whether a direct reply to the contact's message received at lastInbound
// may be sent at now regardless of quiet hours: within grace after it. A grace of zero or less
// turns the exemption off (an organization may choose that); a zero lastInbound (the contact
// never wrote) never allows. An inbound time up to grace ahead of now counts as just received,
// since the carrier's clock and ours may disagree.
func ReplyAllowed(lastInbound, now time.Time, grace time.Duration) bool {
	if grace <= 0 || lastInbound.IsZero() {
		return false
	}
	age := now.Sub(lastInbound)
	return -grace <= age && age <= grace
}
