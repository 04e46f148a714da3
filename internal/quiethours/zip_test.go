package quiethours

import "testing"

func TestStateFromZIP(t *testing.T) {
	tests := []struct{ zip, state string }{
		{"10001", "NY"},
		{"33101", "FL"},
		{"75201", "TX"},
		{"96813", "HI"},
		{"99501", "AK"},
		{"99950", "AK"},
		{"02903", "RI"},
		{"06103", "CT"},
		{"07102", "NJ"},
		{"20500", "DC"},
		{"20146", "VA"},
		{"56901", "DC"},
		{"21201", "MD"},
		{"39201", "MS"},
		{"73101", "OK"},
		{"73301", "TX"}, // Austin IRS, inside Oklahoma's range
		{"79901", "TX"},
		{"88510", "TX"}, // El Paso, between New Mexico and Nevada
		{"85001", "AZ"},
		{"89101", "NV"},
		{"90210", "CA"},
		{"97201", "OR"},
		{"98101", "WA"},
		{"00501", "NY"},
		{"00901", "PR"},
		{"00802", "VI"},
		{"96799", "AS"},
		{"96910", "GU"},
		{"96950", "MP"},
		{"96940", ""}, // Palau
		{"96960", ""}, // Marshall Islands
		{"09001", ""}, // APO AE
		{"34001", ""}, // APO AA
		{"96201", ""}, // APO AP
		{"00100", ""}, // unassigned
		{"10001-1234", "NY"},
		{"10001 1234", "NY"},
		{"100011234", "NY"},
		{" 10001\n", "NY"},
		{"", ""},
		{"1000", ""}, // a ZIP that lost its leading zero is not guessed
		{"abcde", ""},
		{"10001-12", ""},
		{"1000112345", ""},
		{"K1A 0B1", ""},
		{"１０００１", ""}, // full-width digits
	}
	for _, tt := range tests {
		if got := stateFromZIP(tt.zip); got != tt.state {
			t.Errorf("stateFromZIP(%q) = %q, want %q", tt.zip, got, tt.state)
		}
	}
}

func TestZIPTable(t *testing.T) {
	prev := -1
	for _, r := range zipRanges {
		if r.lo > r.hi || r.lo <= prev || r.hi > 999 {
			t.Errorf("zipRanges entry %+v out of order or overlapping (previous hi %d)", r, prev)
		}
		prev = r.hi
		if _, ok := byCode[r.state]; !ok {
			t.Errorf("zipRanges entry %+v: unknown state", r)
		}
	}
	for zip, st := range zipExceptions {
		if _, ok := zip5(zip); !ok || len(zip) != 5 {
			t.Errorf("zipExceptions key %q is not a ZIP", zip)
		}
		if _, ok := byCode[st]; st != "" && !ok {
			t.Errorf("zipExceptions[%s] = %q: unknown state", zip, st)
		}
	}
	// Every state, DC and territory has at least one prefix.
	covered := map[string]bool{}
	for _, r := range zipRanges {
		covered[r.state] = true
	}
	for _, st := range zipExceptions {
		covered[st] = true
	}
	for _, s := range states {
		if !covered[s.code] {
			t.Errorf("no ZIP prefix maps to %s", s.code)
		}
	}
}
