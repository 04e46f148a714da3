package gate

import (
	"testing"
	"time"

	"github.com/openteli/teli/internal/quiethours"
)

// BenchmarkDecide measures the gate on the paths a dispatcher batch takes: most messages pass
// every check (send), some are refused early (blocked), some wait for the window (quiet_hours,
// the costliest: it computes the next opening), some are AI replies at night, and contacts
// with no known zone are checked against every US zone.
//
//	go test ./internal/gate -run='^$' -bench=Decide -benchmem
func BenchmarkDecide(b *testing.B) {
	cases := []struct {
		name string
		edit func(*Facts)
	}{
		{"send", nil},
		{"send_all_us", func(f *Facts) {
			f.Location = quiethours.Location{}
			f.Now = time.Date(2026, 3, 10, 15, 0, 0, 0, newYork)
		}},
		{"blocked", func(f *Facts) { f.OptedOut = true }},
		{"quiet_hours", func(f *Facts) { f.Now = night; f.CreatedAt = night }},
		{"quiet_hours_all_us", func(f *Facts) { f.Now = night; f.CreatedAt = night; f.Location = quiethours.Location{} }},
		{"ai_reply_at_night", func(f *Facts) { f.Now, f.CreatedAt, f.LastInboundAt = night, night, night }},
		{"rate_limit", func(f *Facts) { f.NextSendAt = noon.Add(time.Second) }},
	}
	for _, c := range cases {
		f := base(Drip)
		if c.name == "ai_reply_at_night" {
			f = base(AI)
		}
		if c.edit != nil {
			c.edit(&f)
		}
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Decide(f)
			}
		})
	}
}

// BenchmarkBucketTake measures one message taken from a busy bucket, as the dispatcher does for
// each message it sends.
func BenchmarkBucketTake(b *testing.B) {
	b.ReportAllocs()
	bucket := Bucket{}
	now := t0
	for b.Loop() {
		now = now.Add(time.Millisecond)
		bucket, _, _ = bucket.Take(now, 100, 10, 1)
	}
}

// BenchmarkDailyQuotaTake measures one message counted against a daily quota.
func BenchmarkDailyQuotaTake(b *testing.B) {
	b.ReportAllocs()
	q := DailyQuota{}
	now := t0
	for b.Loop() {
		now = now.Add(time.Millisecond)
		q, _, _ = q.Take(now, newYork, 0, 1)
	}
}
