package twilio

import (
	"net/url"
	"slices"
	"testing"

	"github.com/openteli/teli/internal/carrier/twilio/twiliotest"
)

// The vectors of spec/contracts.md §1.7 (from twilio-go's request_validator_test.go).
var vectorParams = url.Values{
	"CallSid": {"CA1234567890ABCDE"}, "Caller": {"+14158675309"}, "Digits": {"1234"},
	"From": {"+14158675309"}, "To": {"+18005551212"},
}

func TestSignatureVectors(t *testing.T) {
	other := url.Values{
		"CallSid": {"CA1234567890ABCDE"}, "Caller": {"+12349013030"}, "Digits": {"1234"},
		"From": {"+12349013030"}, "To": {"+18005551212"},
	}
	for _, v := range []struct {
		url    string
		params url.Values
		want   string
	}{
		{"https://mycompany.com/myapp.php?foo=1&bar=2", vectorParams, "RSOYDt4T1cUTdK1PDd93/VVr8B8="},
		{"https://mycompany.com:443/myapp.php?foo=1&bar=2", vectorParams, "kvajT1Ptam85bY51eRf/AJRuM3w="},
		{"https://mycompany.com/myapp.php?foo=1&bar=2", other, "0/KCTR6DLpKmkAf8muzZqo1nDgQ="},
	} {
		if got := signature("12345", v.url, v.params); got != v.want {
			t.Errorf("adapter: signature(%s) = %s, want %s", v.url, got, v.want)
		}
		if got := twiliotest.Sign("12345", v.url, v.params); got != v.want {
			t.Errorf("fake: Sign(%s) = %s, want %s", v.url, got, v.want)
		}
	}
}

// Twilio signs with or without the default port; both must verify against either URL.
func TestSignatureDefaultPort(t *testing.T) {
	for _, sig := range []string{"RSOYDt4T1cUTdK1PDd93/VVr8B8=", "kvajT1Ptam85bY51eRf/AJRuM3w="} {
		for _, u := range []string{"https://mycompany.com/myapp.php?foo=1&bar=2", "https://mycompany.com:443/myapp.php?foo=1&bar=2"} {
			if !validSignature("12345", u, vectorParams, sig) {
				t.Errorf("signature %s refused for %s", sig, u)
			}
		}
	}
	if validSignature("12345", "https://mycompany.com:8443/myapp.php?foo=1&bar=2", vectorParams, "RSOYDt4T1cUTdK1PDd93/VVr8B8=") {
		t.Error("a non-default port was treated as the default one")
	}
	if validSignature("54321", "https://mycompany.com/myapp.php?foo=1&bar=2", vectorParams, "RSOYDt4T1cUTdK1PDd93/VVr8B8=") {
		t.Error("signature accepted under another auth token")
	}
}

func TestURLVariants(t *testing.T) {
	for in, want := range map[string][]string{
		"https://a.example/x?y=1":       {"https://a.example/x?y=1", "https://a.example:443/x?y=1"},
		"https://a.example:443/x":       {"https://a.example:443/x", "https://a.example/x"},
		"http://127.0.0.1:80":           {"http://127.0.0.1:80", "http://127.0.0.1"},
		"http://127.0.0.1:8080/x":       {"http://127.0.0.1:8080/x"},
		"https://[::1]/x":               {"https://[::1]/x", "https://[::1]:443/x"},
		"https://[::1]:443/x%2Fy?a=%7E": {"https://[::1]:443/x%2Fy?a=%7E", "https://[::1]/x%2Fy?a=%7E"},
		"ftp://a.example/x":             {"ftp://a.example/x"},
		"not a url":                     {"not a url"},
	} {
		if got := urlVariants(in); !slices.Equal(got, want) {
			t.Errorf("urlVariants(%q) = %q, want %q", in, got, want)
		}
	}
}

// Repeated parameters keep their order, after the parameters sorted before them.
func TestSignatureRepeatedParams(t *testing.T) {
	p := url.Values{"b": {"2", "1"}, "a": {"z"}}
	want := signature("k", "https://h/p", nil)
	if got := signature("k", "https://h/pazb2b1", nil); got != signature("k", "https://h/p", p) || got == want {
		t.Errorf("repeated parameters are not concatenated as a z b 2 b 1")
	}
}
