package twilio_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openteli/teli/internal/carrier"
	"github.com/openteli/teli/internal/carrier/twilio"
	"github.com/openteli/teli/internal/carrier/twilio/twiliotest"
	"github.com/openteli/teli/internal/clock"
)

// recorder is a transport that remembers the URLs the adapter requested.
type recorder struct {
	mu   sync.Mutex
	urls []*url.URL
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	r.urls = append(r.urls, req.URL)
	r.mu.Unlock()
	return http.DefaultTransport.RoundTrip(req)
}

func TestFindSentQuery(t *testing.T) {
	rec := &recorder{}
	r := newRig(t, twiliotest.CallbacksManual, func(c *twilio.Config) { c.HTTPClient = &http.Client{Transport: rec} })
	since := time.Date(2026, 3, 1, 0, 1, 0, 0, time.UTC)
	m := carrier.Message{From: sender, To: "+13135550110", Body: "hi"}
	if _, _, err := r.carrier.FindSent(t.Context(), m, since); err != nil {
		t.Fatal(err)
	}
	q := rec.urls[0].Query()
	// The window reaches back two minutes for clock skew, into the previous GMT day.
	if q.Get("To") != m.To || q.Get("From") != m.From || q.Get("DateSent>") != "2026-02-28" || rec.urls[0].Path != "/2010-04-01/Accounts/"+r.fake.AccountSID+"/Messages.json" {
		t.Errorf("FindSent requested %s", rec.urls[0])
	}
}

// TestFindSentAfterUncertainFailure walks the recovery Teli's send job performs.
func TestFindSentAfterUncertainFailure(t *testing.T) {
	r := newRig(t, twiliotest.CallbacksManual, nil)
	m := carrier.Message{ID: "m", From: sender, To: "+13135550111", Body: "hello"}
	since := time.Now()
	r.fake.ServerErrorNext(1)
	_, err := r.carrier.Send(t.Context(), m)
	var se *carrier.SendError
	if !errors.As(err, &se) || !se.Uncertain || !se.Retryable {
		t.Fatalf("Send during a 500: %v, want Retryable and Uncertain", err)
	}
	if got, ok, err := r.carrier.FindSent(t.Context(), m, since); ok || err != nil {
		t.Fatalf("FindSent = %+v, %v, %v; the 500 created nothing", got, ok, err)
	}
	s, err := r.carrier.Send(t.Context(), m)
	if err != nil {
		t.Fatal(err)
	}
	if got, ok, err := r.carrier.FindSent(t.Context(), m, since); !ok || err != nil || got.ProviderID != s.ProviderID {
		t.Fatalf("FindSent = %+v, %v, %v; want %s", got, ok, err, s.ProviderID)
	}
}

func TestFindSentPicksClosestWithinWindow(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 15, 0, 0, 0, time.UTC)
	clk := clock.NewManual(t0)
	fake := twiliotest.New(t, twiliotest.Options{Clock: clk, Callbacks: twiliotest.CallbacksManual})
	c, err := twilio.New(twilio.Config{AccountSID: fake.AccountSID, AuthToken: fake.AuthToken, BaseURL: fake.URL, PublicURL: "https://teli.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	m := carrier.Message{From: sender, To: "+13135550112", Body: "same words"}
	first, err := c.Send(t.Context(), m)
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(10 * time.Minute)
	second, err := c.Send(t.Context(), m)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		since  time.Time
		want   string
		wantOK bool
	}{
		{t0, first.ProviderID, true},
		{t0.Add(10*time.Minute - time.Second), second.ProviderID, true},
		{t0.Add(9 * time.Minute), second.ProviderID, true},
		{t0.Add(13 * time.Minute), "", false}, // both older than since minus the skew allowance
	} {
		got, ok, err := c.FindSent(t.Context(), m, tc.since)
		if err != nil || ok != tc.wantOK || got.ProviderID != tc.want {
			t.Errorf("FindSent(since %s) = %+v, %v, %v; want %q, %v", tc.since.Format(time.TimeOnly), got, ok, err, tc.want, tc.wantOK)
		}
	}
}

func TestFindSentFollowsPages(t *testing.T) {
	r := newRig(t, twiliotest.CallbacksManual, nil)
	since := time.Now()
	to := "+13135550113"
	var oldest carrier.Sent
	for i := range 130 {
		s, err := r.carrier.Send(t.Context(), carrier.Message{From: sender, To: to, Body: fmt.Sprint("message ", i)})
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			oldest = s
		}
	}
	got, ok, err := r.carrier.FindSent(t.Context(), carrier.Message{From: sender, To: to, Body: "message 0"}, since)
	if err != nil || !ok || got.ProviderID != oldest.ProviderID {
		t.Errorf("FindSent = %+v, %v, %v; want %s from the second page", got, ok, err, oldest.ProviderID)
	}
}

// A next_page_uri naming another host is not followed, so credentials stay with Twilio.
func TestFindSentStaysOnHost(t *testing.T) {
	var calls atomic.Int32
	c := rawCarrier(t, func(w http.ResponseWriter, _ *http.Request) {
		calls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"messages":[],"next_page_uri":"https://evil.example/2010-04-01/x.json"}`))
	}, nil)
	if _, ok, err := c.FindSent(t.Context(), carrier.Message{From: sender, To: "+13135550114", Body: "x"}, time.Now()); ok || err != nil || calls.Load() != 1 {
		t.Errorf("FindSent = %v, %v after %d calls; want not found after 1", ok, err, calls.Load())
	}
}
