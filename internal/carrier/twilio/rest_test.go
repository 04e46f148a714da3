package twilio_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/openteli/teli/internal/carrier"
	"github.com/openteli/teli/internal/carrier/twilio"
	"github.com/openteli/teli/internal/carrier/twilio/twiliotest"
	"github.com/openteli/teli/internal/clock"
)

func TestNewValidatesConfig(t *testing.T) {
	good := twilio.Config{AccountSID: "AC1", AuthToken: "tok", PublicURL: "https://teli.example.com/base/"}
	if _, err := twilio.New(good); err != nil {
		t.Fatalf("New(%+v): %v", good, err)
	}
	for name, edit := range map[string]func(*twilio.Config){
		"no account":       func(c *twilio.Config) { c.AccountSID = "" },
		"API key as SID":   func(c *twilio.Config) { c.AccountSID = "SK123" },
		"no token":         func(c *twilio.Config) { c.AuthToken = "" },
		"no public URL":    func(c *twilio.Config) { c.PublicURL = "" },
		"relative public":  func(c *twilio.Config) { c.PublicURL = "/teli" },
		"public query":     func(c *twilio.Config) { c.PublicURL = "https://teli.example.com/?a=1" },
		"ftp base":         func(c *twilio.Config) { c.BaseURL = "ftp://api.twilio.com" },
		"negative timeout": func(c *twilio.Config) { c.Timeout = -time.Second },
	} {
		cfg := good
		edit(&cfg)
		if _, err := twilio.New(cfg); err == nil {
			t.Errorf("%s: New accepted %+v", name, cfg)
		}
	}
}

func TestSendPostsTwilioForm(t *testing.T) {
	r := newRig(t, twiliotest.CallbacksManual, nil)
	m := carrier.Message{ID: "msg 1/ä", From: sender, To: "+13135550101", Body: "See the photos", MediaURLs: []string{"https://e.x/a.jpg", "https://e.x/b.png"}}
	s, err := r.carrier.Send(t.Context(), m)
	if err != nil {
		t.Fatal(err)
	}
	got := r.fake.Messages()
	if len(got) != 1 {
		t.Fatalf("fake holds %d messages, want 1", len(got))
	}
	wantCallback := r.rcv.URL + "/webhooks/twilio/status/msg%201%2F%C3%A4"
	if g := got[0]; g.Sid != s.ProviderID || g.To != m.To || g.From != m.From || g.Body != m.Body ||
		!slices.Equal(g.MediaURLs, m.MediaURLs) || g.StatusCallback != wantCallback {
		t.Errorf("fake recorded %+v, want %+v with callback %s", g, m, wantCallback)
	}
	if !strings.HasPrefix(s.ProviderID, "MM") || len(s.ProviderID) != 34 || s.Status != carrier.StatusQueued {
		t.Errorf("Send = %+v, want an MM sid of 34 characters, queued", s)
	}
	checkDelivered(t, r.fake.DeliverCallbacks())
	if u := r.rcv.NextStatus(t); u.MessageID != m.ID {
		t.Errorf("callback routed to %q, want %q", u.MessageID, m.ID)
	}
}

func TestSendRefusals(t *testing.T) {
	r := newRig(t, twiliotest.CallbacksManual, nil)
	base := carrier.Message{ID: "m", From: sender, To: "+13135550102", Body: "hi"}
	for name, c := range map[string]struct {
		edit func(*carrier.Message)
		code string
	}{
		"From not on the account": {func(m *carrier.Message) { m.From = "+13135559999" }, "21606"},
		"body too long":           {func(m *carrier.Message) { m.Body = strings.Repeat("é", 1601) }, "21617"},
		"no To":                   {func(m *carrier.Message) { m.To = "" }, "21604"},
	} {
		m := base
		c.edit(&m)
		_, err := r.carrier.Send(t.Context(), m)
		var se *carrier.SendError
		if !errors.As(err, &se) || se.Code != c.code || se.Retryable || se.OptedOut || se.InvalidNumber {
			t.Errorf("%s: %v, want permanent %s", name, err, c.code)
		}
	}
}

func TestBadCredentialsArePermanent(t *testing.T) {
	r := newRig(t, twiliotest.CallbacksManual, func(c *twilio.Config) { c.AuthToken = "wrong" })
	_, err := r.carrier.Send(t.Context(), carrier.Message{From: sender, To: "+13135550103", Body: "hi"})
	var se *carrier.SendError
	if !errors.As(err, &se) || se.Code != "20003" || se.Retryable {
		t.Fatalf("Send with a wrong token: %v, want permanent 20003", err)
	}
}

// rawCarrier points the adapter at a plain HTTP server, for answers the fake never gives.
func rawCarrier(t *testing.T, h http.HandlerFunc, edit func(*twilio.Config)) *twilio.Carrier {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	cfg := twilio.Config{AccountSID: "AC1", AuthToken: "tok", BaseURL: srv.URL, PublicURL: "https://teli.example.com"}
	if edit != nil {
		edit(&cfg)
	}
	c, err := twilio.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestUnusualAnswers(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for name, c := range map[string]struct {
		handler http.HandlerFunc
		want    carrier.SendError
	}{
		"proxy error page": {func(w http.ResponseWriter, _ *http.Request) {
			http.Error(w, "<html>bad gateway</html>", http.StatusBadGateway)
		}, carrier.SendError{Code: "http_502", Retryable: true, Uncertain: true}},
		"503 with an HTTP-date": {func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Retry-After", now.Add(90*time.Second).Format(http.TimeFormat))
			w.WriteHeader(http.StatusServiceUnavailable)
		}, carrier.SendError{Code: "http_503", Retryable: true, Uncertain: true, RetryAfter: 90 * time.Second}},
		"429 without a body": {func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusTooManyRequests)
		}, carrier.SendError{Code: "http_429", Retryable: true}},
		"created but undecodable": {func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusCreated)
			_, _ = w.Write([]byte("{not json"))
		}, carrier.SendError{Code: "bad_response", Retryable: true, Uncertain: true}},
		"created without a sid": {func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusCreated)
			_, _ = w.Write([]byte(`{"status":"queued"}`))
		}, carrier.SendError{Code: "bad_response", Retryable: true, Uncertain: true}},
		"timeout": {func(_ http.ResponseWriter, r *http.Request) {
			// Read the body first: only then does net/http notice the client hanging up.
			_, _ = io.Copy(io.Discard, r.Body)
			<-r.Context().Done() // answer only when the client gives up
		}, carrier.SendError{Code: "transport", Retryable: true, Uncertain: true}},
	} {
		t.Run(name, func(t *testing.T) {
			carr := rawCarrier(t, c.handler, func(cfg *twilio.Config) {
				cfg.Clock = clock.NewManual(now)
				cfg.Timeout = 100 * time.Millisecond
			})
			_, err := carr.Send(t.Context(), carrier.Message{ID: "m", From: sender, To: "+13135550104", Body: "hi"})
			var se *carrier.SendError
			if !errors.As(err, &se) {
				t.Fatalf("Send error %v, want a SendError", err)
			}
			got := *se
			got.Message = ""
			if got != c.want {
				t.Errorf("Send error %+v, want %+v", got, c.want)
			}
		})
	}
}

func TestTransportErrorIsUncertain(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close() // nothing listens any more
	c, err := twilio.New(twilio.Config{AccountSID: "AC1", AuthToken: "tok", BaseURL: srv.URL, PublicURL: "https://teli.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Send(t.Context(), carrier.Message{From: sender, To: "+13135550105", Body: "hi"})
	var se *carrier.SendError
	if !errors.As(err, &se) || !se.Retryable || !se.Uncertain {
		t.Fatalf("Send to a dead server: %v, want Retryable and Uncertain", err)
	}
	_, _, err = c.FindSent(t.Context(), carrier.Message{From: sender, To: "+13135550105", Body: "hi"}, time.Now())
	if err == nil || strings.Contains(err.Error(), "555") {
		t.Errorf("FindSent on a dead server: %v, want an error that quotes no phone number", err)
	}
}

func TestFetchFailedMessage(t *testing.T) {
	r := newRig(t, twiliotest.CallbacksManual, nil)
	to := "+13135550106"
	r.fake.SetScript(to, twiliotest.Step{Status: "queued"}, twiliotest.Step{Status: "undelivered", ErrorCode: 30003})
	s, err := r.carrier.Send(t.Context(), carrier.Message{ID: "m", From: sender, To: to, Body: "hi"})
	if err != nil {
		t.Fatal(err)
	}
	u, err := r.carrier.Fetch(t.Context(), s.ProviderID)
	if err != nil || u.ProviderID != s.ProviderID || u.Status != carrier.StatusUndelivered || u.ErrorCode != "30003" || u.ErrorMessage == "" {
		t.Errorf("Fetch = %+v, %v; want undelivered 30003 with a message", u, err)
	}
}

func TestPublicURLWithUnderscoreRefused(t *testing.T) {
	if _, err := twilio.New(twilio.Config{AccountSID: "AC1", AuthToken: "t", PublicURL: "https://my_host.example.com"}); err == nil {
		t.Error("New accepted a callback host Twilio refuses")
	}
}
