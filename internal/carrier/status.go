package carrier

// Status is a message's delivery status, spelled as Twilio spells it.
type Status string

// The lifecycle of a message. Outbound: accepted → queued → sending → sent → one of delivered,
// undelivered, failed, canceled (→ read on channels with read receipts). Inbound: received.
const (
	StatusAccepted    Status = "accepted"
	StatusQueued      Status = "queued"
	StatusSending     Status = "sending"
	StatusSent        Status = "sent"
	StatusDelivered   Status = "delivered"
	StatusUndelivered Status = "undelivered"
	StatusFailed      Status = "failed"
	StatusReceived    Status = "received"
	StatusRead        Status = "read"
	StatusCanceled    Status = "canceled"
)

// rankFinal is the rank every final verdict shares. Sharing it means the first verdict to
// arrive wins: a late "undelivered" cannot overwrite "delivered" or the other way round.
const rankFinal = 5

var ranks = map[Status]int{
	StatusAccepted:    1,
	StatusQueued:      2,
	StatusSending:     3,
	StatusSent:        4,
	StatusDelivered:   rankFinal,
	StatusUndelivered: rankFinal,
	StatusFailed:      rankFinal,
	StatusCanceled:    rankFinal,
	StatusReceived:    rankFinal,
	// A read receipt can only follow delivery, so it is the one step past a final verdict.
	StatusRead: rankFinal + 1,
}

// Rank orders statuses along the lifecycle so that callbacks arriving out of order never move
// a message backwards: store an update only when Supersedes says so. Final statuses outrank
// sent, which outranks sending, queued and accepted. Unknown statuses (a value a provider added
// later) rank 0 and so never replace a known one.
func (s Status) Rank() int { return ranks[s] }

// Final reports whether s is a verdict after which only a read receipt can follow.
func (s Status) Final() bool { return s.Rank() >= rankFinal }

// Supersedes reports whether s should replace current: only a strictly higher rank does, so
// duplicates and late, lower-ranked callbacks are ignored.
func (s Status) Supersedes(current Status) bool { return s.Rank() > current.Rank() }
