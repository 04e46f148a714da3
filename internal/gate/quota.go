package gate

import (
	"math"
	"time"
)

// dayLayout is the form of DailyQuota.Day.
const dayLayout = "2006-01-02"

// DailyQuota counts the messages an organization sent on one local calendar day, against a
// daily cap such as a carrier's per-brand daily limit (spec/compliance.md §4). Like Bucket, the
// dispatcher stores it and updates it in the claiming transaction. The zero DailyQuota has
// counted nothing.
type DailyQuota struct {
	// Day is the local date counted, YYYY-MM-DD in the organization's zone.
	Day string
	// Used is how many messages were granted on Day.
	Used int
}

// Take grants up to n messages at now against limit per local day in loc (nil means UTC). It
// returns the updated quota, how many were granted, and, when fewer than n were, the next local
// midnight, when the count starts again (zero otherwise). A limit ≤ 0 means unlimited: all n are
// granted, and still counted, so that a limit set during the day knows what the day has used.
//
// A quota whose Day is tomorrow is kept, not reset: another replica whose clock is slightly
// ahead already started the new day, and resetting would hand that day's budget out twice. A Day
// that does not parse, or lies more than a day ahead, is corrupt and starts over.
func (q DailyQuota) Take(now time.Time, loc *time.Location, limit, n int) (DailyQuota, int, time.Time) {
	q = q.roll(now, loc)
	if n <= 0 {
		return q, 0, time.Time{}
	}
	if limit <= 0 {
		q.Used = addSat(q.Used, n)
		return q, n, time.Time{}
	}
	granted := min(n, max(limit-q.Used, 0))
	q.Used += granted
	if granted == n {
		return q, granted, time.Time{}
	}
	return q, granted, dayAfter(q.Day, loc)
}

// NextAt returns the earliest instant at which Take would grant one message: now if it would
// grant one now, else the next local midnight. It changes nothing (see Bucket.NextAt).
func (q DailyQuota) NextAt(now time.Time, loc *time.Location, limit int) time.Time {
	if limit <= 0 {
		return now
	}
	q = q.roll(now, loc)
	if q.Used < limit {
		return now
	}
	return dayAfter(q.Day, loc)
}

// roll returns the quota to count against at now: q itself on the same local day (or the next,
// see Take), else a fresh count for today. A negative Used, which Take never stores, counts as
// zero.
func (q DailyQuota) roll(now time.Time, loc *time.Location) DailyQuota {
	if loc == nil {
		loc = time.UTC
	}
	var buf [len(dayLayout) + 8]byte // room for five-digit years; no allocation on the hot path
	today := now.In(loc).AppendFormat(buf[:0], dayLayout)
	q.Used = max(q.Used, 0)
	if q.Day == string(today) {
		return q
	}
	fresh := DailyQuota{Day: string(today)}
	day, err := time.Parse(dayLayout, q.Day)
	if err != nil {
		return fresh
	}
	y, m, d := now.In(loc).Date()
	if day.Equal(time.Date(y, m, d+1, 0, 0, 0, 0, time.UTC)) {
		return q // tomorrow: another replica is already there
	}
	return fresh
}

// dayAfter returns the instant local day day+1 begins in loc: its midnight, or, in a zone whose
// clocks skip midnight on that date, the first instant after the jump. time.Date resolves a
// skipped midnight to either side of the gap and may land on the previous evening (São Paulo
// on 2018-11-04 gives 23:00 on the 3rd); the end of that evening's zone period is then the
// moment the day begins.
func dayAfter(day string, loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	d, err := time.Parse(dayLayout, day)
	if err != nil {
		return time.Time{} // not reached: Day comes from roll, which formats it
	}
	want := d.AddDate(0, 0, 1)
	t := time.Date(want.Year(), want.Month(), want.Day(), 0, 0, 0, 0, loc)
	if y, m, dd := t.Date(); time.Date(y, m, dd, 0, 0, 0, 0, time.UTC).Before(want) {
		if _, end := t.ZoneBounds(); end.After(t) {
			t = end
		}
	}
	return t
}

// addSat adds n ≥ 0 to used without overflowing: counting unlimited sends must not wrap to a
// negative count that a later limit would read as budget left.
func addSat(used, n int) int {
	if used > math.MaxInt-n {
		return math.MaxInt
	}
	return used + n
}
