package calling

import (
	"context"
	"errors"
	"time"

	"github.com/openteli/teli/internal/teli"
	"github.com/openteli/teli/internal/voice"
)

// StaleBatch is how many stale calls one reconciliation looks up at most.
const StaleBatch = 100

// ReconcileStaleCalls asks the platform what became of placed calls that have had no report
// since before: a webhook the platform gave up on, or a sandbox call interrupted beyond
// recovery, must not leave a call "ongoing" forever, nor its lead unsettled. Each call's answer
// takes the path of a webhook (CallEvent), so what its end sets off happens once. A call the
// platform no longer knows ends as an error. It returns how many calls it looked up.
func (s *Service) ReconcileStaleCalls(ctx context.Context, before time.Time) (int, error) {
	stale, err := s.store.StaleLiveCalls(ctx, before, StaleBatch)
	if err != nil {
		return 0, err
	}
	var errs []error
	for _, call := range stale {
		rec, err := s.platform.GetCall(ctx, call.PlatformCallID)
		if errors.Is(err, teli.ErrNotFound) {
			rec = voice.CallRecord{
				PlatformCallID: call.PlatformCallID, CallID: call.ID, Direction: call.Direction,
				From: call.From, To: call.To, Status: "error", DisconnectionReason: "error_unknown",
			}
		} else if err != nil {
			errs = append(errs, err)
			continue
		}
		if rec.CallID == "" {
			rec.CallID = call.ID
		}
		kind := voice.EventEnded
		switch rec.Status {
		case "registered", "ongoing":
			// Still live at the platform (a long call): nothing ends here; the platform
			// reports its end, or the next sweep asks again.
			kind = voice.EventStarted
		}
		if err := s.CallEvent(ctx, call.Platform, voice.Event{Kind: kind, Call: rec}); err != nil {
			errs = append(errs, err)
		}
	}
	return len(stale), errors.Join(errs...)
}
