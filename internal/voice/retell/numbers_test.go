package retell_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/openteli/teli/internal/voice"
	"github.com/openteli/teli/internal/voice/retell"
)

const inboundHook = "https://teli.example/v1/webhooks/retell/inbound"

func TestProvisionNumber(t *testing.T) {
	t.Parallel()
	s, c := setup(t, func(cfg *retell.Config) { cfg.InboundWebhookURL = inboundHook })
	n, err := c.ProvisionNumber(context.Background(), voice.NumberRequest{AreaCode: "313", Nickname: "Detroit"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(n.PhoneNumber, "+1313") || len(n.PhoneNumber) != 12 {
		t.Fatalf("PhoneNumber = %q", n.PhoneNumber)
	}
	want := "+1 313-" + n.PhoneNumber[5:8] + "-" + n.PhoneNumber[8:]
	if n.Pretty != want || n.Type != "retell-twilio" || n.AreaCode != "313" {
		t.Fatalf("number = %+v, want Pretty %q, Type retell-twilio, AreaCode 313", n, want)
	}
	held, ok := s.Number(n.PhoneNumber)
	if !ok {
		t.Fatal("the fake holds no such number")
	}
	if held.Nickname != "Detroit" || held.CountryCode != "US" || held.InboundWebhookURL != inboundHook {
		t.Fatalf("held = %+v", held)
	}
}

func TestProvisionCanadianNumber(t *testing.T) {
	t.Parallel()
	s, c := setup(t)
	n, err := c.ProvisionNumber(context.Background(), voice.NumberRequest{AreaCode: "416"})
	if err != nil {
		t.Fatal(err)
	}
	if held, _ := s.Number(n.PhoneNumber); held.CountryCode != "CA" {
		t.Fatalf("country_code = %q, want CA", held.CountryCode)
	}
}

func TestProvisionNumberBadAreaCode(t *testing.T) {
	t.Parallel()
	s, c := setup(t)
	for _, ac := range []string{"", "31", "3133", "abc", "013", "-13"} {
		if _, err := c.ProvisionNumber(context.Background(), voice.NumberRequest{AreaCode: ac}); err == nil {
			t.Errorf("area code %q accepted", ac)
		}
	}
	if n := len(s.Requests()); n != 0 {
		t.Fatalf("%d requests sent", n)
	}
}

func TestBindNumber(t *testing.T) {
	t.Parallel()
	s, c := setup(t, func(cfg *retell.Config) { cfg.InboundWebhookURL = inboundHook })
	ctx := context.Background()
	in := createAgent(t, c, sampleSpec())
	out := createAgent(t, c, sampleSpec())
	phone := s.AddNumber("+13135550100").PhoneNumber

	if err := c.BindNumber(ctx, phone, voice.Binding{Inbound: in, Outbound: out, Nickname: "Main line"}); err != nil {
		t.Fatal(err)
	}
	n, _ := s.Number(phone)
	if n.InboundAgentID() != in.AgentID || n.OutboundAgentID() != out.AgentID {
		t.Fatalf("bound %+v / %+v", n.InboundAgents, n.OutboundAgents)
	}
	if n.InboundAgents[0].Weight != 1 || n.Nickname != "Main line" || n.InboundWebhookURL != inboundHook {
		t.Fatalf("number = %+v", n)
	}

	// A zero Ref clears that direction.
	if err := c.BindNumber(ctx, phone, voice.Binding{Outbound: in}); err != nil {
		t.Fatal(err)
	}
	n, _ = s.Number(phone)
	if n.InboundAgentID() != "" || n.OutboundAgentID() != in.AgentID || n.Nickname != "Main line" {
		t.Fatalf("after clearing inbound: %+v", n)
	}

	// The single-agent fields are no longer supported by Retell; nothing relies on them.
	for _, r := range s.Requests() {
		if r.Method != "PATCH" {
			continue
		}
		var body map[string]json.RawMessage
		if err := json.Unmarshal(r.Body, &body); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"inbound_agent_id", "outbound_agent_id"} {
			if _, ok := body[k]; ok {
				t.Errorf("update-phone-number sent %s", k)
			}
		}
	}
}

func TestBindNumberErrors(t *testing.T) {
	t.Parallel()
	s, c := setup(t)
	ctx := context.Background()
	var apiErr *retell.APIError
	err := c.BindNumber(ctx, "+13135550100", voice.Binding{})
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown number: err = %v", err)
	}
	phone := s.AddNumber("+13135550101").PhoneNumber
	err = c.BindNumber(ctx, phone, voice.Binding{Inbound: voice.Ref{AgentID: "agent_missing"}})
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown agent: err = %v", err)
	}
}

func TestReleaseNumber(t *testing.T) {
	t.Parallel()
	s, c := setup(t)
	ctx := context.Background()
	phone := s.AddNumber("+13135550100").PhoneNumber
	if err := c.ReleaseNumber(ctx, phone); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Number(phone); ok {
		t.Fatal("the number is still held")
	}
	if err := c.ReleaseNumber(ctx, phone); err != nil {
		t.Fatalf("releasing again: %v", err)
	}
	other := s.AddNumber("+13135550101").PhoneNumber
	s.FailNext("/delete-phone-number/", 1, http.StatusInternalServerError)
	if err := c.ReleaseNumber(ctx, other); err == nil {
		t.Fatal("a 500 was reported as released")
	}
}
