package store

import (
	"context"
	"time"

	"github.com/openteli/teli/internal/teli"
)

// importChunk bounds how many leads one lookup and one batch of writes carry.
const importChunk = 500

// CreateGroup inserts g.
func (s *Store) CreateGroup(ctx context.Context, g teli.ContactGroup) error {
	_, err := s.write().Exec(ctx,
		`INSERT INTO contact_groups (unique_id, record_id, tenant_id, organization_id,
		     created_by_user_id, name, description, created_at)
		 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		g.UniqueID, g.RecordID, g.TenantID, g.OrganizationID, g.CreatedByUserID, g.Name,
		g.Description, g.CreatedAt)
	return s.wrap("create group", err)
}

const groupSelect = `SELECT g.unique_id, g.record_id, g.tenant_id, g.organization_id,
	g.created_by_user_id, g.name, g.description, g.created_at,
	(SELECT COUNT(*) FROM group_members m JOIN leads l ON l.unique_id = m.lead_id
	 WHERE m.group_id = g.unique_id AND l.deleted_at IS NULL)
	FROM contact_groups g`

// GetGroup returns the tenant's group with this id, TotalLeads counted.
func (s *Store) GetGroup(ctx context.Context, tenantID, id string) (teli.ContactGroup, error) {
	g, err := scanGroup(s.read().QueryRow(ctx,
		groupSelect+` WHERE g.tenant_id = $1 AND g.unique_id = $2`, tenantID, id))
	return g, s.wrap("get group", err)
}

// FindGroup returns the group of this organization and creator named name.
func (s *Store) FindGroup(ctx context.Context, tenantID, organizationID, userID, name string) (teli.ContactGroup, error) {
	g, err := scanGroup(s.read().QueryRow(ctx,
		groupSelect+` WHERE g.tenant_id = $1 AND g.organization_id = $2
		  AND g.created_by_user_id = $3 AND g.name = $4 ORDER BY g.created_at LIMIT 1`,
		tenantID, organizationID, userID, name))
	return g, s.wrap("find group", err)
}

func scanGroup(r Row) (teli.ContactGroup, error) {
	var g teli.ContactGroup
	err := r.Scan(&g.UniqueID, &g.RecordID, &g.TenantID, &g.OrganizationID, &g.CreatedByUserID,
		&g.Name, &g.Description, &g.CreatedAt, &g.TotalLeads)
	return g, err
}

// ImportLeads merges leads into the organization's live leads and adds them all to the group,
// in one transaction: per chunk, one lookup of existing phones and one batch of writes.
func (s *Store) ImportLeads(ctx context.Context, groupID string, leads []teli.Lead) ([]teli.Lead, error) {
	out := []teli.Lead{}
	err := s.inTx(ctx, func(tx *Store) error {
		stored, err := inChunks(leads, importChunk, func(chunk []teli.Lead) ([]teli.Lead, error) {
			return tx.importChunk(ctx, groupID, chunk)
		})
		out = append(out, stored...)
		return err
	})
	return out, s.wrap("import leads", err)
}

func (s *Store) importChunk(ctx context.Context, groupID string, chunk []teli.Lead) ([]teli.Lead, error) {
	existing, err := s.liveLeadsByPhone(ctx, chunk[0].OrganizationID, chunk)
	if err != nil {
		return nil, err
	}
	out := make([]teli.Lead, len(chunk))
	batch := make([]Statement, 0, 2*len(chunk))
	for i, l := range chunk {
		old, merge := existing[l.Phone]
		if merge {
			l = old.Merge(l)
		}
		write, err := writeLead(l, merge)
		if err != nil {
			return nil, err
		}
		batch = append(batch, write, Statement{
			SQL: `INSERT INTO group_members (group_id, lead_id, added_at) VALUES ($1, $2, $3)
			ON CONFLICT DO NOTHING`,
			Args: []any{groupID, l.UniqueID, l.ModifiedAt},
		})
		out[i] = l
	}
	_, err = s.write().ExecBatch(ctx, batch)
	return out, err
}

func (s *Store) liveLeadsByPhone(ctx context.Context, orgID string, leads []teli.Lead) (map[string]teli.Lead, error) {
	phones := make([]string, len(leads))
	for i, l := range leads {
		phones[i] = l.Phone
	}
	rows, err := s.read().Query(ctx, s.d.LiveLeadsByPhone(leadColumns), orgID, s.d.ListArg(phones))
	if err != nil {
		return nil, err
	}
	list, err := Collect(rows, scanLead)
	found := make(map[string]teli.Lead, len(list))
	for _, l := range list {
		found[l.Phone] = l
	}
	return found, err
}

// writeLead is the insert of a new lead, or the update of a merged one.
func writeLead(l teli.Lead, exists bool) (Statement, error) {
	fields, err := encodeFields(l.Fields)
	if err != nil {
		return Statement{}, err
	}
	if exists {
		return Statement{
			SQL: `UPDATE leads SET first_name = $1, last_name = $2, email = $3, company = $4,
			     fields = $5, do_not_call = $6, modified_at = $7
			 WHERE unique_id = $8`,
			Args: []any{l.FirstName, l.LastName, l.Email, l.Company, fields, l.DoNotCall, l.ModifiedAt, l.UniqueID},
		}, nil
	}
	return Statement{
		SQL: `INSERT INTO leads (unique_id, record_id, tenant_id, organization_id, user_id, phone,
		     first_name, last_name, email, company, fields, do_not_call, created_at, modified_at)
		 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
		Args: []any{l.UniqueID, l.RecordID, l.TenantID, l.OrganizationID, l.UserID, l.Phone, l.FirstName,
			l.LastName, l.Email, l.Company, fields, l.DoNotCall, l.CreatedAt, l.ModifiedAt},
	}, nil
}

// leadColumns are the columns scanLead reads, of the leads table.
const leadColumns = `unique_id, record_id, tenant_id, organization_id, user_id, phone, first_name,
	last_name, email, company, fields, do_not_call, created_at, modified_at`

// ListLeads returns the page of live leads f selects, oldest first, and their total.
func (s *Store) ListLeads(ctx context.Context, f teli.LeadFilter) ([]teli.Lead, int, error) {
	where := newQuery(` FROM leads WHERE tenant_id = $1 AND organization_id = $2 AND deleted_at IS NULL`,
		f.TenantID, f.OrganizationID)
	if f.UserID != "" {
		where.add(` AND user_id = ` + where.arg(f.UserID))
	}
	if f.Phone != "" {
		where.add(` AND phone = ` + where.arg(f.Phone))
	}
	if f.GroupID != "" {
		where.add(` AND unique_id IN (SELECT lead_id FROM group_members WHERE group_id = ` + where.arg(f.GroupID) + `)`)
	}
	var total int
	if err := s.read().QueryRow(ctx, `SELECT COUNT(*)`+where.String(), where.args...).Scan(&total); err != nil {
		return nil, 0, s.wrap("count leads", err)
	}
	page := where.add(` ORDER BY created_at, unique_id LIMIT ` + where.arg(limitOf(f.Limit)) + ` OFFSET ` + where.arg(f.Offset))
	rows, err := s.read().Query(ctx, `SELECT `+leadColumns+page.String(), page.args...)
	if err != nil {
		return nil, 0, s.wrap("list leads", err)
	}
	list, err := Collect(rows, scanLead)
	return list, total, s.wrap("list leads", err)
}

// DeleteLeads soft-deletes the tenant's live leads among ids and drops their memberships.
func (s *Store) DeleteLeads(ctx context.Context, tenantID string, ids []string, at time.Time) (int, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	deleted := 0
	list := s.d.ListArg(ids)
	err := s.inTx(ctx, func(tx *Store) error {
		n, err := tx.write().Exec(ctx,
			`UPDATE leads SET deleted_at = $1
			 WHERE tenant_id = $2 AND deleted_at IS NULL AND `+s.d.InList("unique_id", "$3"), at, tenantID, list)
		if err != nil {
			return err
		}
		deleted = int(n)
		_, err = tx.write().Exec(ctx,
			`DELETE FROM group_members WHERE lead_id IN (SELECT unique_id FROM leads
			   WHERE tenant_id = $1 AND deleted_at IS NOT NULL AND `+s.d.InList("unique_id", "$2")+`)`, tenantID, list)
		return err
	})
	return deleted, s.wrap("delete leads", err)
}

func scanLead(r Row) (teli.Lead, error) {
	var l teli.Lead
	var fields string
	err := r.Scan(&l.UniqueID, &l.RecordID, &l.TenantID, &l.OrganizationID, &l.UserID, &l.Phone,
		&l.FirstName, &l.LastName, &l.Email, &l.Company, &fields, &l.DoNotCall, &l.CreatedAt,
		&l.ModifiedAt)
	if err != nil {
		return l, err
	}
	l.Fields, err = decodeFields(fields)
	return l, err
}
