package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/openteli/teli/internal/store/rowjson"
	"github.com/openteli/teli/internal/teli"
)

// importChunk bounds how many leads one lookup and one batch of writes carry.
const importChunk = 500

// CreateGroup inserts g.
func (s *Store) CreateGroup(ctx context.Context, g teli.ContactGroup) error {
	_, err := s.q().Exec(ctx,
		`INSERT INTO contact_groups (unique_id, record_id, tenant_id, organization_id,
		     created_by_user_id, name, description, created_at)
		 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		g.UniqueID, g.RecordID, g.TenantID, g.OrganizationID, g.CreatedByUserID, g.Name,
		g.Description, g.CreatedAt)
	return wrapErr("create group", err)
}

const groupSelect = `SELECT g.unique_id, g.record_id, g.tenant_id, g.organization_id,
	g.created_by_user_id, g.name, g.description, g.created_at,
	(SELECT COUNT(*) FROM group_members m JOIN leads l ON l.unique_id = m.lead_id
	 WHERE m.group_id = g.unique_id AND l.deleted_at IS NULL)
	FROM contact_groups g`

// GetGroup returns the tenant's group with this id, TotalLeads counted.
func (s *Store) GetGroup(ctx context.Context, tenantID, id string) (teli.ContactGroup, error) {
	g, err := scanGroup(s.q().QueryRow(ctx,
		groupSelect+` WHERE g.tenant_id = $1 AND g.unique_id = $2`, tenantID, id))
	return g, wrapErr("get group", err)
}

// FindGroup returns the group of this organization and creator named name.
func (s *Store) FindGroup(ctx context.Context, tenantID, organizationID, userID, name string) (teli.ContactGroup, error) {
	g, err := scanGroup(s.q().QueryRow(ctx,
		groupSelect+` WHERE g.tenant_id = $1 AND g.organization_id = $2
		  AND g.created_by_user_id = $3 AND g.name = $4 ORDER BY g.created_at LIMIT 1`,
		tenantID, organizationID, userID, name))
	return g, wrapErr("find group", err)
}

func scanGroup(r pgx.Row) (teli.ContactGroup, error) {
	var g teli.ContactGroup
	err := r.Scan(&g.UniqueID, &g.RecordID, &g.TenantID, &g.OrganizationID, &g.CreatedByUserID,
		&g.Name, &g.Description, &g.CreatedAt, &g.TotalLeads)
	g.CreatedAt = utc(g.CreatedAt)
	return g, err
}

// ImportLeads merges leads into the organization's live leads and adds them all to the group,
// in one transaction: per chunk, one lookup of existing phones and one batch of writes.
func (s *Store) ImportLeads(ctx context.Context, groupID string, leads []teli.Lead) ([]teli.Lead, error) {
	out := make([]teli.Lead, 0, len(leads))
	err := s.inTx(ctx, func(tx *Store) error {
		for start := 0; start < len(leads); start += importChunk {
			chunk := leads[start:min(start+importChunk, len(leads))]
			stored, err := tx.importChunk(ctx, groupID, chunk)
			if err != nil {
				return err
			}
			out = append(out, stored...)
		}
		return nil
	})
	return out, wrapErr("import leads", err)
}

func (s *Store) importChunk(ctx context.Context, groupID string, chunk []teli.Lead) ([]teli.Lead, error) {
	existing, err := s.liveLeadsByPhone(ctx, chunk[0].OrganizationID, chunk)
	if err != nil {
		return nil, err
	}
	out := make([]teli.Lead, len(chunk))
	batch := &pgx.Batch{}
	for i, l := range chunk {
		old, merge := existing[l.Phone]
		if merge {
			l = old.Merge(l)
		}
		if err := queueLead(batch, l, merge); err != nil {
			return nil, err
		}
		batch.Queue(`INSERT INTO group_members (group_id, lead_id, added_at) VALUES ($1, $2, $3)
			ON CONFLICT DO NOTHING`, groupID, l.UniqueID, l.ModifiedAt)
		out[i] = l
	}
	return out, s.q().SendBatch(ctx, batch).Close()
}

func (s *Store) liveLeadsByPhone(ctx context.Context, orgID string, leads []teli.Lead) (map[string]teli.Lead, error) {
	phones := make([]string, len(leads))
	for i, l := range leads {
		phones[i] = l.Phone
	}
	// Spelled as (organization, phone) pairs so the planner uses the phone index; with
	// "phone = ANY($2)" it filtered every lead of the organization per chunk (measured 560 ms
	// per 500 phones at 50,000 leads, against 1.3 ms).
	rows, err := s.q().Query(ctx,
		`SELECT `+leadColumns+` FROM leads
		 WHERE (organization_id, phone) IN (SELECT $1::text, unnest($2::text[])) AND deleted_at IS NULL`, orgID, phones)
	if err != nil {
		return nil, err
	}
	list, err := collect(rows, scanLead)
	found := make(map[string]teli.Lead, len(list))
	for _, l := range list {
		found[l.Phone] = l
	}
	return found, err
}

// queueLead adds the insert of a new lead, or the update of a merged one, to b.
func queueLead(b *pgx.Batch, l teli.Lead, exists bool) error {
	fields, err := rowjson.EncodeFields(l.Fields)
	if err != nil {
		return err
	}
	if exists {
		b.Queue(`UPDATE leads SET first_name = $1, last_name = $2, email = $3, company = $4,
			     fields = $5, do_not_call = $6, modified_at = $7
			 WHERE unique_id = $8`,
			l.FirstName, l.LastName, l.Email, l.Company, fields, l.DoNotCall, l.ModifiedAt, l.UniqueID)
		return nil
	}
	b.Queue(`INSERT INTO leads (unique_id, record_id, tenant_id, organization_id, user_id, phone,
		     first_name, last_name, email, company, fields, do_not_call, created_at, modified_at)
		 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
		l.UniqueID, l.RecordID, l.TenantID, l.OrganizationID, l.UserID, l.Phone, l.FirstName,
		l.LastName, l.Email, l.Company, fields, l.DoNotCall, l.CreatedAt, l.ModifiedAt)
	return nil
}

const leadColumns = `unique_id, record_id, tenant_id, organization_id, user_id, phone, first_name,
	last_name, email, company, fields, do_not_call, created_at, modified_at`

// ListLeads returns the page of live leads f selects, oldest first, and their total.
func (s *Store) ListLeads(ctx context.Context, f teli.LeadFilter) ([]teli.Lead, int, error) {
	where := ` FROM leads WHERE tenant_id = $1 AND organization_id = $2 AND deleted_at IS NULL`
	args := []any{f.TenantID, f.OrganizationID}
	add := func(cond string, v any) {
		args = append(args, v)
		where += fmt.Sprintf(cond, len(args))
	}
	if f.UserID != "" {
		add(` AND user_id = $%d`, f.UserID)
	}
	if f.Phone != "" {
		add(` AND phone = $%d`, f.Phone)
	}
	if f.GroupID != "" {
		add(` AND unique_id IN (SELECT lead_id FROM group_members WHERE group_id = $%d)`, f.GroupID)
	}
	var total int
	if err := s.q().QueryRow(ctx, `SELECT COUNT(*)`+where, args...).Scan(&total); err != nil {
		return nil, 0, wrapErr("count leads", err)
	}
	var limit any // NULL: no limit
	if f.Limit > 0 {
		limit = f.Limit
	}
	page := fmt.Sprintf(` ORDER BY created_at, unique_id LIMIT $%d OFFSET $%d`, len(args)+1, len(args)+2)
	rows, err := s.q().Query(ctx, `SELECT `+leadColumns+where+page, append(args, limit, f.Offset)...)
	if err != nil {
		return nil, 0, wrapErr("list leads", err)
	}
	list, err := collect(rows, scanLead)
	return list, total, wrapErr("list leads", err)
}

// DeleteLeads soft-deletes the tenant's live leads among ids and drops their memberships.
func (s *Store) DeleteLeads(ctx context.Context, tenantID string, ids []string, at time.Time) (int, error) {
	deleted := 0
	err := s.inTx(ctx, func(tx *Store) error {
		tag, err := tx.q().Exec(ctx,
			`UPDATE leads SET deleted_at = $1
			 WHERE tenant_id = $2 AND deleted_at IS NULL AND unique_id = ANY($3)`, at, tenantID, ids)
		if err != nil {
			return err
		}
		deleted = int(tag.RowsAffected())
		_, err = tx.q().Exec(ctx,
			`DELETE FROM group_members WHERE lead_id IN (SELECT unique_id FROM leads
			   WHERE tenant_id = $1 AND deleted_at IS NOT NULL AND unique_id = ANY($2))`, tenantID, ids)
		return err
	})
	return deleted, wrapErr("delete leads", err)
}

func scanLead(r pgx.Row) (teli.Lead, error) {
	var l teli.Lead
	var fields string
	err := r.Scan(&l.UniqueID, &l.RecordID, &l.TenantID, &l.OrganizationID, &l.UserID, &l.Phone,
		&l.FirstName, &l.LastName, &l.Email, &l.Company, &fields, &l.DoNotCall, &l.CreatedAt,
		&l.ModifiedAt)
	if err != nil {
		return l, err
	}
	l.CreatedAt, l.ModifiedAt = utc(l.CreatedAt), utc(l.ModifiedAt)
	l.Fields, err = rowjson.DecodeFields(fields)
	return l, err
}
