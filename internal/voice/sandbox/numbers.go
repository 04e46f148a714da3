package sandbox

import (
	"context"
	"errors"
	"fmt"

	"github.com/openteli/teli/internal/teli"
	"github.com/openteli/teli/internal/voice"
)

// NumberType is the provider type of the sandbox's numbers.
const NumberType = "sandbox"

// The sandbox numbers of an area code are +1 {area} 555 {line}, line from firstLine up: 555-0100
// to 555-0199 are set aside for fiction, so the first hundred numbers of an area code are ones no
// real phone has, and the sandbox dials nothing anyway.
const (
	firstLine = 100
	lastLine  = 9999
)

// ProvisionNumber allocates the first free number of the area code, from +1 {area} 555-0100
// upward.
func (p *Platform) ProvisionNumber(ctx context.Context, r voice.NumberRequest) (voice.Number, error) {
	area := r.AreaCode
	if !threeDigits(area) {
		return voice.Number{}, fmt.Errorf("sandbox voice: area code %q is not three digits", area)
	}
	for line := firstLine; line <= lastLine; line++ {
		phone := fmt.Sprintf("+1%s555%04d", area, line)
		_, err := p.store.GetNumber(ctx, phone)
		if err == nil {
			continue
		}
		if !errors.Is(err, teli.ErrNotFound) {
			return voice.Number{}, err
		}
		n := teli.SandboxNumber{PhoneNumber: phone, Nickname: r.Nickname, CreatedAt: p.clock.Now()}
		if err := p.store.PutNumber(ctx, n); err != nil {
			return voice.Number{}, err
		}
		return voice.Number{
			PhoneNumber: phone, Pretty: fmt.Sprintf("+1 %s-555-%04d", area, line),
			AreaCode: area, Type: NumberType,
		}, nil
	}
	return voice.Number{}, fmt.Errorf("sandbox voice: every number of area code %s is taken", area)
}

// BindNumber records which agents answer and place the number's calls; a number the sandbox
// does not hold is ErrNotFound.
func (p *Platform) BindNumber(ctx context.Context, phone string, b voice.Binding) error {
	n, err := p.store.GetNumber(ctx, phone)
	if err != nil {
		return fmt.Errorf("sandbox voice: bind %s: %w", phone, err)
	}
	n.InboundAgentID, n.OutboundAgentID, n.Nickname = b.Inbound.AgentID, b.Outbound.AgentID, b.Nickname
	return p.store.PutNumber(ctx, n)
}

// ReleaseNumber gives the number back; one the sandbox does not hold is not an error.
func (p *Platform) ReleaseNumber(ctx context.Context, phone string) error {
	err := p.store.DeleteNumber(ctx, phone)
	if errors.Is(err, teli.ErrNotFound) {
		return nil
	}
	return err
}

// Number returns what the sandbox holds of one of its numbers (for inspection and tests).
func (p *Platform) Number(ctx context.Context, phone string) (teli.SandboxNumber, error) {
	return p.store.GetNumber(ctx, phone)
}

func threeDigits(s string) bool {
	return len(s) == 3 && isDigits(s)
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
