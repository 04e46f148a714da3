package quiethours

import (
	"testing"
	"time"
)

func TestWindowFor(t *testing.T) {
	h := func(n int) time.Duration { return time.Duration(n) * time.Hour }
	tests := []struct {
		state       string
		day         time.Weekday
		open, close time.Duration
	}{
		{"", time.Monday, h(8), h(21)},
		{"", time.Sunday, h(8), h(21)},
		{"NY", time.Saturday, h(8), h(21)}, // listed state without stricter rules
		{"ZZ", time.Monday, h(8), h(21)},   // unknown code
		{"Ontario", time.Monday, h(8), h(21)},
		{"FL", time.Monday, h(8), h(20)},
		{"FL", time.Sunday, h(8), h(20)},
		{"florida", time.Friday, h(8), h(20)},
		{"MD", time.Tuesday, h(8), h(20)},
		{"MS", time.Wednesday, h(8), h(20)},
		{"NJ", time.Thursday, h(8), h(20)},
		{"New Jersey", time.Saturday, h(8), h(20)},
		{"OK", time.Sunday, h(8), h(20)},
		{"CT", time.Monday, h(9), h(20)},
		{"ct", time.Sunday, h(9), h(20)},
		{"RI", time.Monday, h(9), h(18)},
		{"RI", time.Friday, h(9), h(18)},
		{"RI", time.Saturday, h(10), h(17)},
		{"RI", time.Sunday, h(10), h(17)},
		{" Rhode  Island ", time.Sunday, h(10), h(17)},
		{"TX", time.Monday, h(9), h(21)},
		{"TX", time.Saturday, h(9), h(21)},
		{"TX", time.Sunday, h(12), h(21)},
		{"Texas", time.Sunday, h(12), h(21)},
		{"TX", time.Weekday(7), h(8), h(21)}, // out of range: federal
		{"TX", time.Weekday(-1), h(8), h(21)},
	}
	for _, tt := range tests {
		got := WindowFor(tt.state, tt.day)
		if got.Open != tt.open || got.Close != tt.close {
			t.Errorf("WindowFor(%q, %v) = %v–%v, want %v–%v", tt.state, tt.day, got.Open, got.Close, tt.open, tt.close)
		}
	}
}

func TestWindowContains(t *testing.T) {
	w := hm(8, 21)
	tests := []struct {
		tod  time.Duration
		want bool
	}{
		{0, false},
		{8*time.Hour - time.Nanosecond, false},
		{8 * time.Hour, true},
		{20*time.Hour + 59*time.Minute, true},
		{21*time.Hour - time.Nanosecond, true},
		{21 * time.Hour, false},
		{24*time.Hour - time.Nanosecond, false},
	}
	for _, tt := range tests {
		if got := w.Contains(tt.tod); got != tt.want {
			t.Errorf("Contains(%v) = %v, want %v", tt.tod, got, tt.want)
		}
	}
	if (Window{Open: 9 * time.Hour, Close: 9 * time.Hour}).Contains(9 * time.Hour) {
		t.Error("an empty window contains its opening time")
	}
}

// The rules table must stay inside federal law and name real states; a mistake there would
// either send at night or silently never apply.
func TestRulesTable(t *testing.T) {
	for code, wk := range rules {
		if _, ok := byCode[code]; !ok {
			t.Errorf("rules: %q is not a state code", code)
		}
		for d, w := range wk {
			if w.Open >= w.Close {
				t.Errorf("rules[%s][%v] is closed all day: %v–%v", code, time.Weekday(d), w.Open, w.Close)
			}
			if w.Open < federal[d].Open || w.Close > federal[d].Close {
				t.Errorf("rules[%s][%v] = %v–%v is wider than federal", code, time.Weekday(d), w.Open, w.Close)
			}
		}
	}
}

// WindowFor clips to federal, so even a bad table entry cannot widen the window.
func TestClip(t *testing.T) {
	tests := []struct{ in, want Window }{
		{hm(6, 23), hm(8, 21)},
		{hm(9, 23), hm(9, 21)},
		{hm(6, 20), hm(8, 20)},
		{hm(10, 17), hm(10, 17)},
		{hm(22, 23), Window{22 * time.Hour, 21 * time.Hour}}, // empty: closed all day
	}
	for _, tt := range tests {
		if got := clip(daily(tt.in)); got != daily(tt.want) {
			t.Errorf("clip(%v) = %v, want %v every day", tt.in, got[0], tt.want)
		}
	}
}
