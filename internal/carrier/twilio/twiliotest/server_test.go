package twiliotest_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/openteli/teli/internal/carrier/twilio/twiliotest"
	"github.com/openteli/teli/internal/clock"
)

// call makes a raw API request, as any Twilio client would, and decodes the JSON answer.
func call(t *testing.T, s *twiliotest.Server, method, path string, form url.Values, token string) (int, http.Header, map[string]any) {
	t.Helper()
	var body *strings.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	} else {
		body = strings.NewReader("")
	}
	req, err := http.NewRequest(method, s.URL+"/2010-04-01/Accounts/"+s.AccountSID+path, body)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(s.AccountSID, token)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("%s %s: undecodable answer: %v", method, path, err)
	}
	return resp.StatusCode, resp.Header, out
}

func TestCreateAnswersTheMessageResource(t *testing.T) {
	at := time.Date(2015, 7, 30, 20, 12, 31, 0, time.UTC)
	s := twiliotest.New(t, twiliotest.Options{Clock: clock.NewManual(at), Callbacks: twiliotest.CallbacksManual})
	code, _, m := call(t, s, http.MethodPost, "/Messages.json", url.Values{"To": {"+15558675310"}, "From": {"+15017122661"}, "Body": {"Join Earth's mightiest heroes."}}, s.AuthToken)
	if code != http.StatusCreated {
		t.Fatalf("create answered %d %v", code, m)
	}
	want := map[string]any{
		"account_sid": s.AccountSID, "api_version": "2010-04-01", "body": "Join Earth's mightiest heroes.",
		"date_created": "Thu, 30 Jul 2015 20:12:31 +0000", "date_sent": nil, "direction": "outbound-api",
		"error_code": nil, "from": "+15017122661", "num_media": "0", "num_segments": "1", "price": nil,
		"sid": "SM00000000000000000000000000000001", "status": "queued", "to": "+15558675310",
		"uri": "/2010-04-01/Accounts/" + s.AccountSID + "/Messages/SM00000000000000000000000000000001.json",
	}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("%s = %#v, want %#v", k, m[k], v)
		}
	}
	_, _, fetched := call(t, s, http.MethodGet, "/Messages/SM00000000000000000000000000000001.json", nil, s.AuthToken)
	if fetched["status"] != "delivered" || fetched["date_sent"] != "Thu, 30 Jul 2015 20:12:31 +0000" {
		t.Errorf("fetched %v, want delivered with a date_sent", fetched)
	}
}

func TestErrorsLikeTwilio(t *testing.T) {
	s := twiliotest.New(t, twiliotest.Options{Numbers: []string{"+13135550000"}, Callbacks: twiliotest.CallbacksManual})
	s.Unsubscribe("+13135550000", "+13135550002")
	ok := url.Values{"From": {"+13135550000"}, "To": {"+13135550001"}, "Body": {"hi"}}
	with := func(k, v string) url.Values {
		f := url.Values{}
		for kk, vv := range ok {
			f[kk] = vv
		}
		f.Set(k, v)
		return f
	}
	for name, c := range map[string]struct {
		form  url.Values
		token string
		code  int
		twErr float64
	}{
		"bad credentials":   {ok, "wrong", 401, 20003},
		"no To":             {with("To", ""), s.AuthToken, 400, 21604},
		"no From":           {with("From", ""), s.AuthToken, 400, 21603},
		"no body":           {with("Body", ""), s.AuthToken, 400, 21602},
		"invalid To":        {with("To", "+1663214"), s.AuthToken, 400, 21211},
		"To is From":        {with("To", "+13135550000"), s.AuthToken, 400, 21211},
		"foreign From":      {with("From", "+13135550009"), s.AuthToken, 400, 21606},
		"unsubscribed":      {with("To", "+13135550002"), s.AuthToken, 400, 21610},
		"body over 1600":    {with("Body", strings.Repeat("x", 1601)), s.AuthToken, 400, 21617},
		"media, no body ok": {with("Body", ""), s.AuthToken, 201, 0},
	} {
		if name == "media, no body ok" {
			c.form.Set("MediaUrl", "https://e.x/a.jpg")
		}
		code, _, body := call(t, s, http.MethodPost, "/Messages.json", c.form, c.token)
		if code != c.code || c.twErr != 0 && (body["code"] != c.twErr || body["status"] != float64(c.code) || body["message"] == "" || body["more_info"] == "") {
			t.Errorf("%s: %d %v, want %d with code %v", name, code, body, c.code, c.twErr)
		}
	}
}

func TestFaults(t *testing.T) {
	s := twiliotest.New(t, twiliotest.Options{Callbacks: twiliotest.CallbacksManual})
	s.ThrottleNext(2, 3*time.Second)
	s.ServerErrorNext(1)
	for _, want := range []float64{20429, 20429, 20500} {
		_, hdr, body := call(t, s, http.MethodGet, "/Messages.json", nil, s.AuthToken)
		if body["code"] != want || want == 20429 && hdr.Get("Retry-After") != "3" {
			t.Errorf("answer %v (Retry-After %q), want code %v", body, hdr.Get("Retry-After"), want)
		}
	}
	if code, _, _ := call(t, s, http.MethodGet, "/Messages.json", nil, s.AuthToken); code != http.StatusOK {
		t.Errorf("after the faults: %d, want 200", code)
	}
}

func TestListFiltersAndPages(t *testing.T) {
	clk := clock.NewManual(time.Date(2026, 3, 1, 23, 59, 0, 0, time.UTC))
	s := twiliotest.New(t, twiliotest.Options{Clock: clk, Callbacks: twiliotest.CallbacksManual})
	send := func(to, body string) {
		if code, _, m := call(t, s, http.MethodPost, "/Messages.json", url.Values{"From": {"+13135550000"}, "To": {to}, "Body": {body}}, s.AuthToken); code != 201 {
			t.Fatalf("create: %d %v", code, m)
		}
	}
	send("+13135550001", "day one")
	clk.Advance(2 * time.Minute)
	for i := range 3 {
		send("+13135550001", "day two "+string(rune('a'+i)))
	}
	send("+13135550002", "someone else")
	q := url.Values{"To": {"+13135550001"}, "DateSent>": {"2026-03-02"}, "PageSize": {"2"}}
	_, _, page := call(t, s, http.MethodGet, "/Messages.json?"+q.Encode(), nil, s.AuthToken)
	if msgs := page["messages"].([]any); len(msgs) != 2 || page["next_page_uri"] == nil || page["previous_page_uri"] != nil {
		t.Fatalf("first page %v", page)
	}
	next := strings.TrimPrefix(page["next_page_uri"].(string), "/2010-04-01/Accounts/"+s.AccountSID)
	_, _, page = call(t, s, http.MethodGet, next, nil, s.AuthToken)
	if msgs := page["messages"].([]any); len(msgs) != 1 || page["next_page_uri"] != nil || msgs[0].(map[string]any)["body"] != "day two a" {
		t.Errorf("second page %v", page)
	}
	q = url.Values{"To": {"+13135550001"}, "DateSent<": {"2026-03-01"}}
	if _, _, page = call(t, s, http.MethodGet, "/Messages.json?"+q.Encode(), nil, s.AuthToken); len(page["messages"].([]any)) != 1 {
		t.Errorf("DateSent< 2026-03-01: %v", page)
	}
}

func TestScriptedCallbacksAreSigned(t *testing.T) {
	got := make(chan *http.Request, 10)
	rcv := newEchoServer(t, got)
	s := twiliotest.New(t, twiliotest.Options{Callbacks: twiliotest.CallbacksManual})
	s.SetScript("", twiliotest.Step{Status: "delivered"}, twiliotest.Step{Status: "sent"}, twiliotest.Step{Status: "undelivered", ErrorCode: 30003})
	form := url.Values{"From": {"+13135550000"}, "To": {"+13135550001"}, "Body": {"hi"}, "StatusCallback": {rcv + "/cb/m1"}}
	call(t, s, http.MethodPost, "/Messages.json", form, s.AuthToken)
	ds := s.DeliverCallbacks()
	if len(ds) != 3 {
		t.Fatalf("%d callbacks, want 3", len(ds))
	}
	for i, want := range []string{"delivered", "sent", "undelivered"} {
		d := ds[i]
		if d.StatusCode != 200 || d.Params.Get("MessageStatus") != want || d.Params.Get("SmsStatus") != want {
			t.Errorf("callback %d: %+v, want %s", i, d, want)
		}
		req := <-got
		if sig := req.Header.Get("X-Twilio-Signature"); sig != twiliotest.Sign(s.AuthToken, rcv+"/cb/m1", d.Params) {
			t.Errorf("callback %d signature %q does not match its URL and parameters", i, sig)
		}
	}
	if ds[2].Params.Get("ErrorCode") != "30003" || ds[0].Params.Has("ErrorCode") || !ds[0].Params.Has("RawDlrDoneDate") {
		t.Errorf("ErrorCode/RawDlrDoneDate placement wrong: %v / %v", ds[0].Params, ds[2].Params)
	}
	if m := s.Messages()[0]; m.Status != "undelivered" || m.ErrorCode != 30003 {
		t.Errorf("message ends %s %d, want the last verdict, undelivered 30003", m.Status, m.ErrorCode)
	}
}
