package store

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"time"

	"github.com/openteli/teli/internal/teli"
)

// Calls. The calls table is also the call outbox: a queued outbound call is claimed by the call
// dispatcher (placing), handed to the voice platform, and moved forward by the platform's
// reports, never back (teli.CallRank).

// liveStatuses is the SQL list of teli.CallStatus.Live statuses, spelled as the partial indexes
// of the gate's counts spell it, so that SQLite's planner matches them.
const liveStatuses = `('placing', 'dialing', 'ongoing')`

// callColumns are the columns scanCallInto reads, of a calls table aliased c.
const callColumns = `c.id, c.tenant_id, c.organization_id, c.user_id, c.campaign_pk, c.sms_campaign_pk,
	c.agent_id, c.voice_agent_id, c.direction, c.purpose, c.from_number, c.to_number, c.lead,
	c.status, c.reason, c.attempt, c.not_before, c.expires_at, c.variables, c.platform,
	c.platform_call_id, c.started_at, c.ended_at, c.duration_ms, c.disconnection_reason,
	c.transcript, c.transcript_object, c.analysis, c.cost, c.recording_url, c.extraction,
	c.extracted_at, c.created_at, c.updated_at`

// callDocs holds a call's JSON columns as stored, and the analysis facts copied out of them.
type callDocs struct {
	Variables                                    string
	TranscriptObject, Analysis, Cost, Extraction *string // NULL when absent
	Sentiment                                    *string
	Successful                                   *bool
}

// encodeCall encodes the JSON columns of c.
func encodeCall(c teli.Call) (callDocs, error) {
	var d callDocs
	var err error
	if d.Variables, err = encodeFields(c.Variables); err != nil {
		return d, err
	}
	d.TranscriptObject, d.Cost = rawDoc(c.TranscriptObject), rawDoc(c.Cost)
	if c.Analysis != nil {
		doc, err := encodeJSON(c.Analysis)
		if err != nil {
			return d, err
		}
		sentiment, successful := c.Analysis.UserSentiment, c.Analysis.Successful
		d.Analysis, d.Sentiment, d.Successful = &doc, &sentiment, &successful
	}
	if c.Extraction != nil {
		doc, err := encodeJSON(c.Extraction)
		if err != nil {
			return d, err
		}
		d.Extraction = &doc
	}
	return d, nil
}

// rawDoc stores a platform's JSON verbatim; none (nil or empty) is NULL.
func rawDoc(v json.RawMessage) *string {
	if len(v) == 0 {
		return nil
	}
	doc := string(v)
	return &doc
}

// fromRawDoc reads what rawDoc stored.
func fromRawDoc(doc *string) json.RawMessage {
	if doc == nil {
		return nil
	}
	return json.RawMessage(*doc)
}

// decodeInto fills the JSON-backed fields of c.
func (d callDocs) decodeInto(c *teli.Call) error {
	var err error
	if c.Variables, err = decodeFields(d.Variables); err != nil {
		return err
	}
	c.TranscriptObject, c.Cost = fromRawDoc(d.TranscriptObject), fromRawDoc(d.Cost)
	if c.Analysis, err = decodeOptional[teli.CallAnalysis](deref(d.Analysis)); err != nil {
		return err
	}
	c.Extraction, err = decodeOptional[teli.Extraction](deref(d.Extraction))
	return err
}

// insertCall is the statement that writes c; onConflict, when set, ends it (an ON CONFLICT
// clause).
func insertCall(c teli.Call, onConflict string) (Statement, error) {
	d, err := encodeCall(c)
	if err != nil {
		return Statement{}, err
	}
	return Statement{
		SQL: `INSERT INTO calls (id, tenant_id, organization_id, user_id, campaign_pk, sms_campaign_pk,
		     agent_id, voice_agent_id, direction, purpose, from_number, to_number, lead, status, reason,
		     attempt, not_before, expires_at, variables, platform, platform_call_id, started_at,
		     ended_at, duration_ms, disconnection_reason, transcript, transcript_object, analysis,
		     user_sentiment, call_successful, cost, recording_url, extraction, extracted_at,
		     created_at, updated_at)
		 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
		     $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34, $35, $36)` + onConflict,
		Args: []any{c.ID, c.TenantID, c.OrganizationID, c.UserID, NullIfEmpty(c.CampaignPK),
			NullIfEmpty(c.SMSCampaignPK), c.AgentID, c.VoiceAgentID, c.Direction, c.Purpose, c.From, c.To,
			c.Lead, string(c.Status), c.Reason, c.Attempt, c.NotBefore, c.ExpiresAt, d.Variables,
			c.Platform, c.PlatformCallID, c.StartedAt, c.EndedAt, c.DurationMS, c.DisconnectionReason,
			c.Transcript, d.TranscriptObject, d.Analysis, d.Sentiment, d.Successful, d.Cost,
			c.RecordingURL, d.Extraction, c.ExtractedAt, c.CreatedAt, c.UpdatedAt},
	}, nil
}

// scanCallInto reads callColumns, then extra destinations, from r.
func scanCallInto(r Row, c *teli.Call, extra ...any) error {
	var campaignPK, smsCampaignPK *string
	var d callDocs
	dest := append([]any{&c.ID, &c.TenantID, &c.OrganizationID, &c.UserID, &campaignPK, &smsCampaignPK,
		&c.AgentID, &c.VoiceAgentID, &c.Direction, &c.Purpose, &c.From, &c.To, &c.Lead,
		&c.Status, &c.Reason, &c.Attempt, &c.NotBefore, &c.ExpiresAt, &d.Variables, &c.Platform,
		&c.PlatformCallID, &c.StartedAt, &c.EndedAt, &c.DurationMS, &c.DisconnectionReason,
		&c.Transcript, &d.TranscriptObject, &d.Analysis, &d.Cost, &c.RecordingURL, &d.Extraction,
		&c.ExtractedAt, &c.CreatedAt, &c.UpdatedAt}, extra...)
	if err := r.Scan(dest...); err != nil {
		return err
	}
	c.CampaignPK, c.SMSCampaignPK = deref(campaignPK), deref(smsCampaignPK)
	return d.decodeInto(c)
}

func scanCall(r Row) (teli.Call, error) {
	var c teli.Call
	return c, scanCallInto(r, &c)
}

// InsertCalls writes calls in one transaction; ErrConflict when one's id (or platform call id)
// exists.
func (s *Store) InsertCalls(ctx context.Context, calls []teli.Call) error {
	if len(calls) == 0 {
		return nil
	}
	batch := make([]Statement, len(calls))
	for i, c := range calls {
		st, err := insertCall(c, "")
		if err != nil {
			return s.wrap("insert calls", err)
		}
		batch[i] = st
	}
	err := s.inTx(ctx, func(tx *Store) error {
		_, err := tx.write().ExecBatch(ctx, batch)
		return err
	})
	return s.wrap("insert calls", err)
}

// RecordInboundCall writes c unless a call with its platform call id exists, and reports whether
// it wrote. A call without a platform call id is always written.
func (s *Store) RecordInboundCall(ctx context.Context, c teli.Call) (bool, error) {
	st, err := insertCall(c, ` ON CONFLICT (platform, platform_call_id) WHERE platform_call_id <> '' DO NOTHING`)
	if err != nil {
		return false, s.wrap("record inbound call", err)
	}
	n, err := s.write().Exec(ctx, st.SQL, st.Args...)
	return err == nil && n == 1, s.wrap("record inbound call", err)
}

// ClaimDueCalls claims, under r.Token, up to r.Limit queued outbound calls whose NotBefore has
// come, and up to r.Limit placing calls whose claim is older than r.LeaseExpiredBefore (when set),
// in one transaction; it returns them with the calling gate's facts, oldest due first. The
// claim time is the call's UpdatedAt.
func (s *Store) ClaimDueCalls(ctx context.Context, r teli.CallClaimRequest) ([]teli.ClaimedCall, error) {
	claimed := []teli.ClaimedCall{}
	if r.Limit <= 0 {
		return claimed, nil
	}
	err := s.inTx(ctx, func(tx *Store) error {
		// SKIP LOCKED lets replicas claim side by side, each passing over the rows another
		// one is claiming, and keeps two of them from taking back the same expired claim.
		due, err := tx.callIDs(ctx,
			`SELECT id FROM calls WHERE status = 'queued' AND not_before <= $1 AND direction = 'outbound'
			 ORDER BY not_before, id LIMIT $2`+s.d.SkipLocked(), r.Now, r.Limit)
		if err != nil {
			return err
		}
		var stale []string
		if !r.LeaseExpiredBefore.IsZero() {
			if stale, err = tx.callIDs(ctx,
				`SELECT id FROM calls WHERE status = 'placing' AND updated_at < $1
				 ORDER BY updated_at, id LIMIT $2`+s.d.SkipLocked(), r.LeaseExpiredBefore, r.Limit); err != nil {
				return err
			}
		}
		ids := append(due, stale...)
		if len(ids) == 0 {
			return nil
		}
		if _, err := tx.write().Exec(ctx,
			`UPDATE calls SET status = 'placing', claim_token = $1, updated_at = $2 WHERE `+s.d.InList("id", "$3"),
			r.Token, r.Now, s.d.ListArg(ids)); err != nil {
			return err
		}
		// The live counts leave out the calls of this very claim: which of them may go
		// together is the dispatcher's to decide (they are counted in claim order), whereas
		// counting them here would have each hold back every other.
		rows, err := tx.write().Query(ctx,
			`SELECT `+callColumns+`, coalesce(vc.status, ''), vc.begin_at, vc.end_at,
			     EXISTS (SELECT 1 FROM suppressions s WHERE s.organization_id = c.organization_id
			         AND s.phone = c.lead AND s.kind = 'opt_out'),
			     EXISTS (SELECT 1 FROM suppressions s WHERE s.organization_id = c.organization_id
			         AND s.phone = c.lead AND s.kind = 'do_not_contact'),
			     (SELECT COUNT(*) FROM calls o WHERE o.organization_id = c.organization_id AND o.lead = c.lead
			         AND o.status IN `+liveStatuses+` AND `+notThisClaim+`),
			     (SELECT COUNT(*) FROM calls o WHERE o.from_number = c.from_number
			         AND o.status IN `+liveStatuses+` AND `+notThisClaim+`),
			     CASE WHEN c.campaign_pk IS NULL THEN 0 ELSE (SELECT COUNT(*) FROM calls o
			         WHERE o.campaign_pk = c.campaign_pk AND o.status IN `+liveStatuses+` AND `+notThisClaim+`) END
			 FROM calls c LEFT JOIN voice_campaigns vc ON vc.pk = c.campaign_pk AND vc.deleted_at IS NULL
			 WHERE `+s.d.InList("c.id", "$1")+` ORDER BY c.not_before, c.id`, s.d.ListArg(ids), r.Token)
		if err != nil {
			return err
		}
		claimed, err = Collect(rows, func(r Row) (teli.ClaimedCall, error) {
			var cc teli.ClaimedCall
			var begin, end *time.Time
			err := scanCallInto(r, &cc.Call, &cc.CampaignStatus, &begin, &end, &cc.OptedOut,
				&cc.DoNotContact, &cc.LiveToLead, &cc.LiveFromNumber, &cc.LiveInCampaign)
			if begin != nil {
				cc.CampaignBegin = *begin
			}
			if end != nil {
				cc.CampaignEndAt = *end
			}
			cc.Reclaimed = slices.Contains(stale, cc.ID)
			return cc, err
		})
		return err
	})
	if err != nil {
		return nil, s.wrap("claim due calls", err)
	}
	return claimed, nil
}

// callIDs runs a query selecting call ids.
// notThisClaim is the condition of a call (aliased o) that is not one of the calls claimed under
// the token at $2.
const notThisClaim = `(o.claim_token IS NULL OR o.claim_token <> $2)`

func (s *Store) callIDs(ctx context.Context, sql string, args ...any) ([]string, error) {
	rows, err := s.write().Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	return Collect(rows, func(r Row) (string, error) {
		var id string
		return id, r.Scan(&id)
	})
}

// placedStatuses are the statuses of a call the platform has (or had) in hand: those a report
// can move a call to.
const placedStatuses = `('dialing', 'ongoing', 'ended', 'not_connected', 'error')`

// FinishCalls records the outcomes of calls still claimed under token, in one transaction.
// Outcomes with status placing leave their calls claimed (fate unknown, reconciled once the
// lease runs out). A platform's report can arrive before the dispatcher's outcome and move the
// call past placing, releasing the claim: such a call is not moved back, and only gains the
// platform call id the outcome carries if it has none yet.
func (s *Store) FinishCalls(ctx context.Context, token string, outcomes []teli.CallOutcome) error {
	var batch []Statement
	for _, o := range outcomes {
		if o.Status == teli.CallPlacing {
			continue
		}
		var notBefore *time.Time
		if o.Status == teli.CallQueued {
			notBefore = &o.NotBefore // a gate wait: due again then
		}
		batch = append(batch, Statement{
			SQL: `UPDATE calls SET status = $1, reason = $2, not_before = coalesce($3, not_before),
			     platform = coalesce($4, platform), platform_call_id = coalesce($5, platform_call_id),
			     claim_token = NULL, updated_at = $6
			 WHERE id = $7 AND status = 'placing' AND claim_token = $8`,
			Args: []any{string(o.Status), o.Reason, notBefore, NullIfEmpty(o.Platform),
				NullIfEmpty(o.PlatformCallID), o.At, o.CallID, token},
		})
		if o.PlatformCallID != "" {
			// Does nothing after the statement above applied: that one wrote the id.
			batch = append(batch, Statement{
				SQL: `UPDATE calls SET platform_call_id = $1,
				     platform = CASE WHEN platform = '' THEN $2 ELSE platform END
				 WHERE id = $3 AND platform_call_id = '' AND status IN ` + placedStatuses,
				Args: []any{o.PlatformCallID, o.Platform, o.CallID},
			})
		}
	}
	if len(batch) == 0 {
		return nil
	}
	err := s.inTx(ctx, func(tx *Store) error {
		_, err := tx.write().ExecBatch(ctx, batch)
		return err
	})
	return s.wrap("finish calls", err)
}

// ApplyCallUpdate applies a platform's report to the call it names (by our id when u has one,
// else by the platform's), in one transaction, and returns the call as stored and whether the
// report changed it. The status only moves forward (teli.CallRank); a call the gate or its
// campaign refused (blocked, expired, canceled) was never placed and no report changes it. What
// the report carries overwrites what is stored, except that a report behind the call's status
// (late, out of order) only fills what is still empty. A report that changes nothing writes
// nothing, so UpdatedAt still tells when the call last changed.
func (s *Store) ApplyCallUpdate(ctx context.Context, u teli.CallUpdate) (teli.Call, bool, error) {
	var stored teli.Call
	var changed bool
	err := s.inTx(ctx, func(tx *Store) error {
		cur, err := tx.lockCallForUpdate(ctx, u)
		if err != nil {
			return err
		}
		next, err := mergeUpdate(cur, u)
		if err != nil {
			return err
		}
		if reflect.DeepEqual(next, cur) {
			stored = cur
			return nil
		}
		next.UpdatedAt = storedTime(u.At)
		d, err := encodeCall(next)
		if err != nil {
			return err
		}
		set := `status = $1, platform = $2, platform_call_id = $3, started_at = $4, ended_at = $5,
		     duration_ms = $6, disconnection_reason = $7, transcript = $8, transcript_object = $9,
		     analysis = $10, user_sentiment = $11, call_successful = $12, cost = $13,
		     recording_url = $14, updated_at = $15`
		if teli.CallRank(next.Status) > teli.CallRank(teli.CallPlacing) {
			set += `, claim_token = NULL` // placed: no dispatcher holds it any more
		}
		if _, err := tx.write().Exec(ctx, `UPDATE calls SET `+set+` WHERE id = $16`,
			string(next.Status), next.Platform, next.PlatformCallID, next.StartedAt, next.EndedAt,
			next.DurationMS, next.DisconnectionReason, next.Transcript, d.TranscriptObject,
			d.Analysis, d.Sentiment, d.Successful, d.Cost, next.RecordingURL, next.UpdatedAt, next.ID); err != nil {
			return err
		}
		stored, changed = next, true
		return nil
	})
	if err != nil {
		return teli.Call{}, false, s.wrap("apply call update", err)
	}
	return stored, changed, nil
}

// lockCallForUpdate reads, and locks until the transaction ends, the call u names: the one with
// u.CallID when it is set and exists, else the one with u's platform call id.
func (s *Store) lockCallForUpdate(ctx context.Context, u teli.CallUpdate) (teli.Call, error) {
	if u.CallID != "" {
		c, err := scanCall(s.write().QueryRow(ctx,
			`SELECT `+callColumns+` FROM calls c WHERE c.id = $1`+s.d.ForUpdate(), u.CallID))
		if !errors.Is(err, teli.ErrNotFound) {
			return c, err
		}
	}
	if u.PlatformCallID == "" {
		return teli.Call{}, teli.ErrNotFound
	}
	return scanCall(s.write().QueryRow(ctx,
		`SELECT `+callColumns+` FROM calls c
		 WHERE c.platform = $1 AND c.platform_call_id = $2 AND c.platform_call_id <> ''`+s.d.ForUpdate(),
		u.Platform, u.PlatformCallID))
}

// mergeUpdate is c as the report u leaves it (UpdatedAt aside), in the form a read returns it.
func mergeUpdate(c teli.Call, u teli.CallUpdate) (teli.Call, error) {
	have := teli.CallRank(c.Status)
	if have == teli.CallRank(teli.CallCanceled) {
		return c, nil // never placed: nothing a platform says applies to it
	}
	got := teli.CallRank(u.Status)
	if got == teli.CallRank(teli.CallCanceled) {
		got = -1 // no status a platform reports: the report only fills
	}
	next := c
	if next.PlatformCallID == "" && u.PlatformCallID != "" {
		next.PlatformCallID = u.PlatformCallID
		if u.Platform != "" {
			next.Platform = u.Platform
		}
	}
	if got > have {
		next.Status = u.Status
	}
	overwrite := got >= have
	text := func(dst *string, v string) {
		if v != "" && (overwrite || *dst == "") {
			*dst = v
		}
	}
	when := func(dst **time.Time, v *time.Time) {
		if v != nil && (overwrite || *dst == nil) {
			t := storedTime(*v)
			*dst = &t
		}
	}
	raw := func(dst *json.RawMessage, v json.RawMessage) {
		if len(v) > 0 && (overwrite || len(*dst) == 0) {
			*dst = slices.Clone(v)
		}
	}
	when(&next.StartedAt, u.StartedAt)
	when(&next.EndedAt, u.EndedAt)
	if u.DurationMS != 0 && (overwrite || next.DurationMS == 0) {
		next.DurationMS = u.DurationMS
	}
	text(&next.DisconnectionReason, u.DisconnectionReason)
	text(&next.Transcript, u.Transcript)
	raw(&next.TranscriptObject, u.TranscriptObject)
	raw(&next.Cost, u.Cost)
	text(&next.RecordingURL, u.RecordingURL)
	if u.Analysis != nil && (overwrite || next.Analysis == nil) {
		// Through JSON and back, as a read would return it, so that a repeated report compares
		// equal to what it wrote (an empty custom map reads back as none, numbers as float64).
		doc, err := encodeJSON(u.Analysis)
		if err != nil {
			return c, err
		}
		if next.Analysis, err = decodeOptional[teli.CallAnalysis](doc); err != nil {
			return c, err
		}
	}
	return next, nil
}

// storedTime is t as the store keeps it: UTC, to the microsecond.
func storedTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// ClaimCallFollowUp marks the end of the tenant's call as followed up; true only to the first
// claim, false to every later one, ErrNotFound when the tenant has no such call.
func (s *Store) ClaimCallFollowUp(ctx context.Context, tenantID, callID string, at time.Time) (bool, error) {
	n, err := s.write().Exec(ctx,
		`UPDATE calls SET followed_up_at = $1 WHERE tenant_id = $2 AND id = $3 AND followed_up_at IS NULL`,
		at, tenantID, callID)
	if err != nil {
		return false, s.wrap("claim call follow-up", err)
	}
	if n == 1 {
		return true, nil
	}
	var one int
	err = s.read().QueryRow(ctx, `SELECT 1 FROM calls WHERE tenant_id = $1 AND id = $2`, tenantID, callID).Scan(&one)
	return false, s.wrap("claim call follow-up", err)
}

// StaleLiveCalls lists placed calls (dialing or ongoing, with a platform call id) last updated
// before before, in any tenant, least recently updated first, at most limit (all when ≤ 0).
func (s *Store) StaleLiveCalls(ctx context.Context, before time.Time, limit int) ([]teli.Call, error) {
	rows, err := s.read().Query(ctx,
		`SELECT `+callColumns+` FROM calls c
		 WHERE c.status IN ('dialing', 'ongoing') AND c.platform_call_id <> '' AND c.updated_at < $1
		 ORDER BY c.updated_at, c.id LIMIT $2`, before, limitOf(limit))
	if err != nil {
		return nil, s.wrap("stale live calls", err)
	}
	list, err := Collect(rows, scanCall)
	return list, s.wrap("stale live calls", err)
}

// GetCall returns one call of the tenant.
func (s *Store) GetCall(ctx context.Context, tenantID, callID string) (teli.Call, error) {
	c, err := scanCall(s.read().QueryRow(ctx,
		`SELECT `+callColumns+` FROM calls c WHERE c.tenant_id = $1 AND c.id = $2`, tenantID, callID))
	return c, s.wrap("get call", err)
}

// CallByPlatformID finds a call by its platform's id, in any tenant. Calls not yet accepted by
// a platform all have the id "": none of them is named by it. The condition saying so also lets
// SQLite read through the partial unique index.
func (s *Store) CallByPlatformID(ctx context.Context, platform, platformCallID string) (teli.Call, error) {
	c, err := scanCall(s.read().QueryRow(ctx,
		`SELECT `+callColumns+` FROM calls c
		 WHERE c.platform = $1 AND c.platform_call_id = $2 AND c.platform_call_id <> ''`,
		platform, platformCallID))
	return c, s.wrap("call by platform id", err)
}

// callTime is the time calls are listed by: when the call started, else when it was created.
// The listing index is on this very expression.
const callTime = `coalesce(c.started_at, c.created_at)`

// ListCalls returns the calls f selects, newest first by start (else creation) time, then id.
func (s *Store) ListCalls(ctx context.Context, f teli.CallFilter) ([]teli.Call, error) {
	// Conditions are appended only when set, as in ListAgents, so that plans use the indexes.
	q := newQuery(`SELECT `+callColumns+` FROM calls c WHERE c.tenant_id = $1 AND c.organization_id = $2`,
		f.TenantID, f.OrganizationID)
	if f.UserID != "" {
		q.add(` AND c.user_id = ` + q.arg(f.UserID))
	}
	if f.AgentID != "" {
		q.add(` AND c.agent_id = ` + q.arg(f.AgentID))
	}
	if f.Direction != "" {
		q.add(` AND c.direction = ` + q.arg(f.Direction))
	}
	if len(f.Statuses) > 0 {
		statuses := make([]string, len(f.Statuses))
		for i, st := range f.Statuses {
			statuses[i] = string(st)
		}
		q.add(` AND ` + s.d.InList("c.status", q.arg(s.d.ListArg(statuses))))
	}
	if f.Lead != "" {
		q.add(` AND c.lead = ` + q.arg(f.Lead))
	}
	if f.Sentiment != "" {
		q.add(` AND c.user_sentiment = ` + q.arg(f.Sentiment))
	}
	if f.Successful != nil {
		q.add(` AND c.call_successful = ` + q.arg(*f.Successful))
	}
	if !f.After.IsZero() {
		q.add(` AND ` + callTime + ` > ` + q.arg(f.After))
	}
	if !f.Before.IsZero() {
		q.add(` AND ` + callTime + ` < ` + q.arg(f.Before))
	}
	q.add(` ORDER BY ` + callTime + ` DESC, c.id DESC LIMIT ` + q.arg(limitOf(f.Limit)))
	rows, err := s.read().Query(ctx, q.String(), q.args...)
	if err != nil {
		return nil, s.wrap("list calls", err)
	}
	list, err := Collect(rows, scanCall)
	return list, s.wrap("list calls", err)
}

// SaveCallExtraction stores the extraction of the tenant's call.
func (s *Store) SaveCallExtraction(ctx context.Context, tenantID, callID string, e teli.Extraction, at time.Time) error {
	doc, err := encodeJSON(e)
	if err != nil {
		return s.wrap("save call extraction", err)
	}
	n, err := s.write().Exec(ctx,
		`UPDATE calls SET extraction = $1, extracted_at = $2 WHERE tenant_id = $3 AND id = $4`,
		doc, at, tenantID, callID)
	return s.mustAffect("save call extraction", n, err)
}

// ListCallExtractions returns the tenant's extracted calls with a number (optionally one
// organization's), newest first by start (else creation) time, at most limit (all when ≤ 0).
func (s *Store) ListCallExtractions(ctx context.Context, tenantID, organizationID, phone string, limit int) ([]teli.Call, error) {
	q := newQuery(`SELECT `+callColumns+` FROM calls c
		 WHERE c.tenant_id = $1 AND c.lead = $2 AND c.extraction IS NOT NULL`, tenantID, phone)
	if organizationID != "" {
		q.add(` AND c.organization_id = ` + q.arg(organizationID))
	}
	q.add(` ORDER BY ` + callTime + ` DESC, c.id DESC LIMIT ` + q.arg(limitOf(limit)))
	rows, err := s.read().Query(ctx, q.String(), q.args...)
	if err != nil {
		return nil, s.wrap("list call extractions", err)
	}
	list, err := Collect(rows, scanCall)
	return list, s.wrap("list call extractions", err)
}
