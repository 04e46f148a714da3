package sandbox_test

import (
	"errors"
	"net/http/httptest"
	"testing"

	"github.com/openteli/teli/internal/carrier"
	"github.com/openteli/teli/internal/carrier/carriertest"
	"github.com/openteli/teli/internal/carrier/sandbox"
	"github.com/openteli/teli/internal/ids"
)

func TestContract(t *testing.T) {
	carriertest.Run(t, func(t *testing.T) carriertest.Harness {
		return carriertest.Harness{Carrier: sandbox.New(nil), From: "+13135550000"}
	})
}

func TestSendMintsDeterministicIDs(t *testing.T) {
	c := sandbox.New(&ids.Sequence{})
	m := carrier.Message{ID: "m1", From: "+13135550000", To: "+13135550001", Body: "hi"}
	for _, want := range []string{"SBX00000000000000000000000000000001", "SBX00000000000000000000000000000002"} {
		got, err := c.Send(t.Context(), m)
		if err != nil || got != (carrier.Sent{ProviderID: want, Status: carrier.StatusDelivered}) {
			t.Fatalf("Send = %+v, %v; want %s delivered", got, err, want)
		}
	}
}

func TestFetchChecksFormat(t *testing.T) {
	c := sandbox.New(nil)
	for id, ok := range map[string]bool{
		"SBX0123456789abcdef0123456789abcdef":  true,
		"SBX0123456789ABCDEF0123456789abcdef":  false, // minted ids are lowercase
		"SBX0123456789abcdef0123456789abcde":   false,
		"SM0123456789abcdef0123456789abcdef0":  false,
		"SBX0123456789abcdef0123456789abcdefg": false,
		"":                                     false,
	} {
		u, err := c.Fetch(t.Context(), id)
		if ok && (err != nil || u != (carrier.StatusUpdate{ProviderID: id, Status: carrier.StatusDelivered})) {
			t.Errorf("Fetch(%q) = %+v, %v; want delivered", id, u, err)
		}
		if !ok && !errors.Is(err, carrier.ErrNotFound) {
			t.Errorf("Fetch(%q) error = %v, want ErrNotFound", id, err)
		}
	}
}

func TestAckInboundIsNoContent(t *testing.T) {
	rec := httptest.NewRecorder()
	sandbox.New(nil).AckInbound(rec)
	if rec.Code != 204 || rec.Body.Len() != 0 {
		t.Errorf("AckInbound = %d %q, want 204 and no body", rec.Code, rec.Body)
	}
}
