package sandbox

import (
	"errors"
	"testing"

	"github.com/openteli/teli/internal/teli"
	"github.com/openteli/teli/internal/voice"
)

func TestNumbers(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{}) // holds +13135550100
	ctx := t.Context()
	provision := func(area string) voice.Number {
		t.Helper()
		n, err := e.p.ProvisionNumber(ctx, voice.NumberRequest{AreaCode: area, Nickname: "main"})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if e.from != "+13135550100" {
		t.Fatalf("first number %s", e.from)
	}
	n := provision("313")
	if n != (voice.Number{PhoneNumber: "+13135550101", Pretty: "+1 313-555-0101", AreaCode: "313", Type: "sandbox"}) {
		t.Fatalf("%+v", n)
	}
	if n := provision("248"); n.PhoneNumber != "+12485550100" || n.Pretty != "+1 248-555-0100" {
		t.Fatalf("another area code: %+v", n)
	}
	// A released number is free again, and the first free one is handed out.
	if err := e.p.ReleaseNumber(ctx, "+13135550100"); err != nil {
		t.Fatal(err)
	}
	if err := e.p.ReleaseNumber(ctx, "+13135550100"); err != nil {
		t.Fatalf("releasing a number not held: %v", err)
	}
	if n := provision("313"); n.PhoneNumber != "+13135550100" {
		t.Fatalf("after release: %+v", n)
	}
	if n := provision("313"); n.PhoneNumber != "+13135550102" {
		t.Fatalf("next: %+v", n)
	}
	for _, bad := range []string{"", "31", "3134", "31a"} {
		if _, err := e.p.ProvisionNumber(ctx, voice.NumberRequest{AreaCode: bad}); err == nil {
			t.Errorf("area code %q accepted", bad)
		}
	}

	inbound, err := e.p.CreateAgent(ctx, testAgent)
	if err != nil {
		t.Fatal(err)
	}
	b := voice.Binding{Inbound: inbound, Outbound: e.agent, Nickname: "front desk"}
	if err := e.p.BindNumber(ctx, "+13135550101", b); err != nil {
		t.Fatal(err)
	}
	got, err := e.p.Number(ctx, "+13135550101")
	if err != nil || got.InboundAgentID != inbound.AgentID || got.OutboundAgentID != e.agent.AgentID || got.Nickname != "front desk" {
		t.Fatalf("bound: %+v, %v", got, err)
	}
	// A zero Ref clears a binding.
	if err := e.p.BindNumber(ctx, "+13135550101", voice.Binding{Outbound: e.agent}); err != nil {
		t.Fatal(err)
	}
	if got, err := e.p.Number(ctx, "+13135550101"); err != nil || got.InboundAgentID != "" || got.OutboundAgentID != e.agent.AgentID || got.Nickname != "" {
		t.Fatalf("rebound: %+v, %v", got, err)
	}
	if err := e.p.BindNumber(ctx, "+13135559999", b); !errors.Is(err, teli.ErrNotFound) {
		t.Fatalf("binding a number not held: %v", err)
	}
	if e.p.Name() != "sandbox" {
		t.Fatalf("name %q", e.p.Name())
	}
}
