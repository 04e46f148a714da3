package store

import (
	"context"

	"github.com/openteli/teli/internal/teli"
)

// CreateCampaign inserts c; ErrConflict when the tenant already has its campaign_id.
func (s *Store) CreateCampaign(ctx context.Context, c teli.Campaign) error {
	doc, err := encodeCampaign(c)
	if err != nil {
		return s.wrap("create campaign", err)
	}
	_, err = s.write().Exec(ctx,
		`INSERT INTO campaigns (pk, campaign_id, tenant_id, organization_id, user_id, agent_id,
		     from_number, name, status, settings, invalid_leads, created_at, modified_at)
		 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		c.PK, c.ID, c.TenantID, c.OrganizationID, c.UserID, c.AgentID, c.FromNumber, c.Name,
		string(c.Status), doc.Settings, doc.InvalidLeads, c.CreatedAt, c.ModifiedAt)
	return s.wrap("create campaign", err)
}

const campaignSelect = `SELECT c.pk, c.campaign_id, c.tenant_id, c.organization_id, c.user_id,
	c.agent_id, c.from_number, c.name, c.status, c.settings, c.invalid_leads, c.created_at,
	c.modified_at,
	(SELECT COUNT(*) FROM threads t WHERE t.campaign_pk = c.pk),
	(SELECT COUNT(*) FROM messages m WHERE m.campaign_pk = c.pk)
	FROM campaigns c`

// campaignRecord is campaignSelect without the totals, which count rows.
const campaignRecord = `SELECT c.pk, c.campaign_id, c.tenant_id, c.organization_id, c.user_id,
	c.agent_id, c.from_number, c.name, c.status, c.settings, c.invalid_leads, c.created_at,
	c.modified_at, 0, 0 FROM campaigns c`

// LookupCampaign finds the tenant's campaign by campaign_id, without its totals.
func (s *Store) LookupCampaign(ctx context.Context, tenantID, campaignID string) (teli.Campaign, error) {
	c, err := scanCampaign(s.read().QueryRow(ctx,
		campaignRecord+` WHERE c.tenant_id = $1 AND c.campaign_id = $2`, tenantID, campaignID))
	return c, s.wrap("look up campaign", err)
}

// GetCampaign finds the tenant's campaign by campaign_id.
func (s *Store) GetCampaign(ctx context.Context, tenantID, campaignID string) (teli.Campaign, error) {
	c, err := scanCampaign(s.read().QueryRow(ctx,
		campaignSelect+` WHERE c.tenant_id = $1 AND c.campaign_id = $2`, tenantID, campaignID))
	return c, s.wrap("get campaign", err)
}

// ListCampaigns lists an organization's campaigns, newest first, optionally one user's.
func (s *Store) ListCampaigns(ctx context.Context, tenantID, organizationID, userID string) ([]teli.Campaign, error) {
	q := campaignSelect + ` WHERE c.tenant_id = $1 AND c.organization_id = $2`
	args := []any{tenantID, organizationID}
	if userID != "" {
		q += ` AND c.user_id = $3`
		args = append(args, userID)
	}
	rows, err := s.read().Query(ctx, q+` ORDER BY c.created_at DESC, c.pk DESC`, args...)
	if err != nil {
		return nil, s.wrap("list campaigns", err)
	}
	list, err := Collect(rows, scanCampaign)
	return list, s.wrap("list campaigns", err)
}

func scanCampaign(r Row) (teli.Campaign, error) {
	var c teli.Campaign
	var settings, invalid string
	err := r.Scan(&c.PK, &c.ID, &c.TenantID, &c.OrganizationID, &c.UserID, &c.AgentID,
		&c.FromNumber, &c.Name, &c.Status, &settings, &invalid, &c.CreatedAt, &c.ModifiedAt,
		&c.TotalContacts, &c.TotalMessages)
	if err != nil {
		return c, err
	}
	return c, campaignDocs{Settings: settings, InvalidLeads: invalid}.decodeInto(&c)
}

// addChunk bounds how many threads one batch of AddThreads writes, so a launch of any size
// travels in round trips of a bounded size.
const addChunk = 1000

// AddThreads opens the threads the campaign does not have yet and queues their first messages,
// a chunk at a time: one batch inserts the threads, a second the first messages of those that
// were new.
func (s *Store) AddThreads(ctx context.Context, threads []teli.Thread, first []teli.Message) ([]teli.Thread, error) {
	firstOf := make(map[[2]string][]teli.Message, len(first))
	for _, m := range first {
		k := [2]string{m.CampaignPK, m.Phone}
		firstOf[k] = append(firstOf[k], m)
	}
	var opened []teli.Thread
	err := s.inTx(ctx, func(tx *Store) error {
		var err error
		opened, err = inChunks(threads, addChunk, func(chunk []teli.Thread) ([]teli.Thread, error) {
			return tx.addThreadChunk(ctx, chunk, firstOf)
		})
		return err
	})
	return opened, s.wrap("add threads", err)
}

func (s *Store) addThreadChunk(ctx context.Context, threads []teli.Thread, firstOf map[[2]string][]teli.Message) ([]teli.Thread, error) {
	batch := make([]Statement, len(threads))
	for i, t := range threads {
		st, err := insertThread(t)
		if err != nil {
			return nil, err
		}
		batch[i] = st
	}
	inserted, err := s.write().ExecBatch(ctx, batch)
	if err != nil {
		return nil, err
	}
	var opened []teli.Thread
	var messages []Statement
	for i, t := range threads {
		if inserted[i] == 0 {
			continue // the campaign has this phone already
		}
		opened = append(opened, t)
		for _, m := range firstOf[[2]string{t.CampaignPK, t.Phone}] {
			messages = append(messages, s.insertMessage(m))
		}
	}
	_, err = s.write().ExecBatch(ctx, messages)
	return opened, err
}

// insertThread is the statement that opens t unless its campaign has its phone already.
func insertThread(t teli.Thread) (Statement, error) {
	vars, err := encodeFields(t.Vars)
	if err != nil {
		return Statement{}, err
	}
	return Statement{
		SQL: `INSERT INTO threads (campaign_pk, phone, tenant_id, organization_id, campaign_id, lead_id,
		     owner, assigned_user_id, lead_outcome, vars, last_inbound_at, last_outbound_at, created_at,
		     drip_step, drip_delay)
		 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) ON CONFLICT DO NOTHING`,
		Args: []any{t.CampaignPK, t.Phone, t.TenantID, t.OrganizationID, t.CampaignID, t.LeadID, string(t.Owner),
			NullIfEmpty(t.AssignedUserID), t.LeadOutcome, vars, t.LastInboundAt, t.LastOutboundAt, t.CreatedAt,
			t.DripStep, seconds(t.DripDelay)},
	}, nil
}
