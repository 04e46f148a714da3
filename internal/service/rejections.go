package service

import (
	"fmt"
	"strings"

	"github.com/openteli/teli/internal/teli"
)

// ShownRejections is how many refused leads or contacts the error of a launch without a valid
// one lists; the count covers the rest.
const ShownRejections = 10

// NoneValid is the error of a launch whose every lead was refused: a campaign that can reach
// nobody is a mistake to fix, not a campaign to keep. Its detail lists the first refusals as
// invalid_leads does ("row 3 (+1313…): reason"), so the caller sees what to fix; item names what
// was refused ("contacts", "leads") and each entry's kind ("row", "lead").
func NoneValid(invalid []teli.InvalidLead, item, entry string) error {
	reasons := make([]string, 0, min(len(invalid), ShownRejections+1))
	for i, l := range invalid {
		if i == ShownRejections {
			reasons = append(reasons, fmt.Sprintf("and %d more", len(invalid)-i))
			break
		}
		if l.Phone == "" {
			reasons = append(reasons, fmt.Sprintf("%s %d: %s", entry, l.Row, l.Reason))
		} else {
			reasons = append(reasons, fmt.Sprintf("%s %d (%s): %s", entry, l.Row, l.Phone, l.Reason))
		}
	}
	err := teli.Invalid("No valid %s (%d rejected); the campaign was not created", item, len(invalid))
	err.Detail = strings.Join(reasons, "; ")
	return err
}
