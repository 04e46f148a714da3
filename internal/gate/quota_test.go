package gate

import (
	"math"
	"testing"
	"time"
)

func TestDailyQuotaTake(t *testing.T) {
	saoPaulo := mustLoad("America/Sao_Paulo")
	havana := mustLoad("America/Havana")
	lateNY := time.Date(2026, 3, 10, 23, 30, 0, 0, newYork) // already the 11th in UTC
	midnightNY := time.Date(2026, 3, 11, 0, 0, 0, 0, newYork)
	tests := []struct {
		name     string
		q        DailyQuota
		now      time.Time
		loc      *time.Location
		limit, n int
		want     DailyQuota
		granted  int
		nextAt   time.Time
	}{
		{"fresh", DailyQuota{}, lateNY, newYork, 3, 2, DailyQuota{"2026-03-10", 2}, 2, time.Time{}},
		{"local day, not UTC", DailyQuota{"2026-03-10", 1}, lateNY, newYork, 3, 1, DailyQuota{"2026-03-10", 2}, 1, time.Time{}},
		{"partly granted", DailyQuota{"2026-03-10", 2}, lateNY, newYork, 3, 2, DailyQuota{"2026-03-10", 3}, 1, midnightNY},
		{"exhausted", DailyQuota{"2026-03-10", 3}, lateNY, newYork, 3, 1, DailyQuota{"2026-03-10", 3}, 0, midnightNY},
		{"limit lowered below use", DailyQuota{"2026-03-10", 9}, lateNY, newYork, 3, 1, DailyQuota{"2026-03-10", 9}, 0, midnightNY},
		{"new day resets", DailyQuota{"2026-03-09", 3}, lateNY, newYork, 3, 1, DailyQuota{"2026-03-10", 1}, 1, time.Time{}},
		{"long ago resets", DailyQuota{"1999-12-31", 3}, lateNY, newYork, 3, 1, DailyQuota{"2026-03-10", 1}, 1, time.Time{}},
		{"tomorrow kept", DailyQuota{"2026-03-11", 3}, lateNY, newYork, 3, 1, DailyQuota{"2026-03-11", 3}, 0,
			time.Date(2026, 3, 12, 0, 0, 0, 0, newYork)},
		{"two days ahead is corrupt", DailyQuota{"2026-03-12", 3}, lateNY, newYork, 3, 1, DailyQuota{"2026-03-10", 1}, 1, time.Time{}},
		{"garbage day", DailyQuota{"yesterday", 3}, lateNY, newYork, 3, 1, DailyQuota{"2026-03-10", 1}, 1, time.Time{}},
		{"negative use", DailyQuota{"2026-03-10", -5}, lateNY, newYork, 3, 5, DailyQuota{"2026-03-10", 3}, 3, midnightNY},
		{"nil zone is UTC", DailyQuota{}, lateNY, nil, 1, 2, DailyQuota{"2026-03-11", 1}, 1, time.Date(2026, 3, 12, 0, 0, 0, 0, time.UTC)},
		{"n zero", DailyQuota{"2026-03-09", 3}, lateNY, newYork, 3, 0, DailyQuota{"2026-03-10", 0}, 0, time.Time{}},
		{"n negative", DailyQuota{"2026-03-10", 1}, lateNY, newYork, 3, -1, DailyQuota{"2026-03-10", 1}, 0, time.Time{}},
		{"unlimited still counts", DailyQuota{"2026-03-10", 10}, lateNY, newYork, 0, 5, DailyQuota{"2026-03-10", 15}, 5, time.Time{}},
		{"unlimited saturates", DailyQuota{"2026-03-10", math.MaxInt - 1}, lateNY, newYork, -1, 5,
			DailyQuota{"2026-03-10", math.MaxInt}, 5, time.Time{}},
		// Clocks there jump from 23:59:59 to 01:00: the next day begins at 01:00.
		{"midnight skipped (São Paulo)", DailyQuota{}, time.Date(2018, 11, 3, 22, 0, 0, 0, saoPaulo), saoPaulo, 1, 2,
			DailyQuota{"2018-11-03", 1}, 1, time.Date(2018, 11, 4, 3, 0, 0, 0, time.UTC)},
		{"midnight skipped (Havana)", DailyQuota{}, time.Date(2024, 3, 9, 12, 0, 0, 0, havana), havana, 1, 2,
			DailyQuota{"2024-03-09", 1}, 1, time.Date(2024, 3, 10, 5, 0, 0, 0, time.UTC)},
		// Clocks there go back from 00:00 to 23:00: the 16th lasts 25 hours.
		{"hour before midnight repeated (São Paulo)", DailyQuota{}, time.Date(2019, 2, 16, 22, 0, 0, 0, saoPaulo), saoPaulo, 1, 2,
			DailyQuota{"2019-02-16", 1}, 1, time.Date(2019, 2, 17, 3, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, granted, next := tt.q.Take(tt.now, tt.loc, tt.limit, tt.n)
			if q != tt.want || granted != tt.granted || !next.Equal(tt.nextAt) {
				t.Errorf("Take = %+v, %d, %s; want %+v, %d, %s", q, granted, next, tt.want, tt.granted, tt.nextAt)
			}
		})
	}
}

func TestDailyQuotaNextAt(t *testing.T) {
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, newYork)
	midnight := time.Date(2026, 3, 11, 0, 0, 0, 0, newYork)
	tests := []struct {
		name  string
		q     DailyQuota
		limit int
		want  time.Time
	}{
		{"room left", DailyQuota{"2026-03-10", 2}, 3, now},
		{"exhausted", DailyQuota{"2026-03-10", 3}, 3, midnight},
		{"yesterday's", DailyQuota{"2026-03-09", 3}, 3, now},
		{"tomorrow's, exhausted", DailyQuota{"2026-03-11", 3}, 3, time.Date(2026, 3, 12, 0, 0, 0, 0, newYork)},
		{"unlimited", DailyQuota{"2026-03-10", 99}, 0, now},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.q.NextAt(now, newYork, tt.limit); !got.Equal(tt.want) {
				t.Errorf("NextAt = %s, want %s", got, tt.want)
			}
		})
	}
}
