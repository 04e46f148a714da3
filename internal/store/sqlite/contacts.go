package sqlite

import (
	"context"
	"strings"
	"time"

	"github.com/openteli/teli/internal/store/rowjson"
	"github.com/openteli/teli/internal/teli"
)

// importChunk bounds how many phones one lookup of existing leads names.
const importChunk = 500

// CreateGroup inserts g.
func (s *Store) CreateGroup(ctx context.Context, g teli.ContactGroup) error {
	_, err := s.write().ExecContext(ctx,
		`INSERT INTO contact_groups (unique_id, record_id, tenant_id, organization_id,
		     created_by_user_id, name, description, created_at)
		 VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		g.UniqueID, g.RecordID, g.TenantID, g.OrganizationID, g.CreatedByUserID, g.Name,
		g.Description, micros(g.CreatedAt))
	return wrapErr("create group", err)
}

const groupSelect = `SELECT g.unique_id, g.record_id, g.tenant_id, g.organization_id,
	g.created_by_user_id, g.name, g.description, g.created_at,
	(SELECT COUNT(*) FROM group_members m JOIN leads l ON l.unique_id = m.lead_id
	 WHERE m.group_id = g.unique_id AND l.deleted_at IS NULL)
	FROM contact_groups g`

// GetGroup returns the tenant's group with this id, TotalLeads counted.
func (s *Store) GetGroup(ctx context.Context, tenantID, id string) (teli.ContactGroup, error) {
	g, err := scanGroup(s.read().QueryRowContext(ctx,
		groupSelect+` WHERE g.tenant_id = ? AND g.unique_id = ?`, tenantID, id))
	return g, wrapErr("get group", err)
}

// FindGroup returns the group of this organization and creator named name.
func (s *Store) FindGroup(ctx context.Context, tenantID, organizationID, userID, name string) (teli.ContactGroup, error) {
	g, err := scanGroup(s.read().QueryRowContext(ctx,
		groupSelect+` WHERE g.tenant_id = ? AND g.organization_id = ? AND g.created_by_user_id = ?
		  AND g.name = ? ORDER BY g.created_at LIMIT 1`, tenantID, organizationID, userID, name))
	return g, wrapErr("find group", err)
}

func scanGroup(r scanner) (teli.ContactGroup, error) {
	var g teli.ContactGroup
	var created int64
	err := r.Scan(&g.UniqueID, &g.RecordID, &g.TenantID, &g.OrganizationID, &g.CreatedByUserID,
		&g.Name, &g.Description, &created, &g.TotalLeads)
	g.CreatedAt = fromMicros(created)
	return g, err
}

// ImportLeads merges leads into the organization's live leads and adds them all to the group,
// in one transaction, looking existing phones up a chunk at a time.
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
	for i, l := range chunk {
		if old, ok := existing[l.Phone]; ok {
			l = old.Merge(l)
			err = s.updateLead(ctx, l)
		} else {
			err = s.insertLead(ctx, l)
		}
		if err != nil {
			return nil, err
		}
		if _, err := s.write().ExecContext(ctx,
			`INSERT INTO group_members (group_id, lead_id, added_at) VALUES (?, ?, ?)
			 ON CONFLICT DO NOTHING`, groupID, l.UniqueID, micros(l.ModifiedAt)); err != nil {
			return nil, err
		}
		out[i] = l
	}
	return out, nil
}

func (s *Store) liveLeadsByPhone(ctx context.Context, orgID string, leads []teli.Lead) (map[string]teli.Lead, error) {
	args := []any{orgID}
	for _, l := range leads {
		args = append(args, l.Phone)
	}
	// With several phones in the list SQLite's planner prefers the (organization, created)
	// index and scans every lead of the organization per chunk, which made large imports
	// quadratic; the phone index is what this lookup needs.
	rows, err := s.read().QueryContext(ctx,
		`SELECT `+leadColumns+` FROM leads INDEXED BY leads_organization_phone_idx
		 WHERE organization_id = ? AND deleted_at IS NULL
		   AND phone IN (?`+strings.Repeat(", ?", len(leads)-1)+`)`, args...)
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

func (s *Store) insertLead(ctx context.Context, l teli.Lead) error {
	fields, err := rowjson.EncodeFields(l.Fields)
	if err != nil {
		return err
	}
	_, err = s.write().ExecContext(ctx,
		`INSERT INTO leads (unique_id, record_id, tenant_id, organization_id, user_id, phone,
		     first_name, last_name, email, company, fields, do_not_call, created_at, modified_at)
		 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		l.UniqueID, l.RecordID, l.TenantID, l.OrganizationID, l.UserID, l.Phone, l.FirstName,
		l.LastName, l.Email, l.Company, fields, boolInt(l.DoNotCall), micros(l.CreatedAt),
		micros(l.ModifiedAt))
	return err
}

func (s *Store) updateLead(ctx context.Context, l teli.Lead) error {
	fields, err := rowjson.EncodeFields(l.Fields)
	if err != nil {
		return err
	}
	_, err = s.write().ExecContext(ctx,
		`UPDATE leads SET first_name = ?, last_name = ?, email = ?, company = ?, fields = ?,
		     do_not_call = ?, modified_at = ?
		 WHERE unique_id = ?`,
		l.FirstName, l.LastName, l.Email, l.Company, fields, boolInt(l.DoNotCall),
		micros(l.ModifiedAt), l.UniqueID)
	return err
}

const leadColumns = `unique_id, record_id, tenant_id, organization_id, user_id, phone, first_name,
	last_name, email, company, fields, do_not_call, created_at, modified_at`

// ListLeads returns the page of live leads f selects, oldest first, and their total.
func (s *Store) ListLeads(ctx context.Context, f teli.LeadFilter) ([]teli.Lead, int, error) {
	where := ` FROM leads WHERE tenant_id = ? AND organization_id = ? AND deleted_at IS NULL`
	args := []any{f.TenantID, f.OrganizationID}
	if f.UserID != "" {
		where += ` AND user_id = ?`
		args = append(args, f.UserID)
	}
	if f.Phone != "" {
		where += ` AND phone = ?`
		args = append(args, f.Phone)
	}
	if f.GroupID != "" {
		where += ` AND unique_id IN (SELECT lead_id FROM group_members WHERE group_id = ?)`
		args = append(args, f.GroupID)
	}
	var total int
	if err := s.read().QueryRowContext(ctx, `SELECT COUNT(*)`+where, args...).Scan(&total); err != nil {
		return nil, 0, wrapErr("count leads", err)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	rows, err := s.read().QueryContext(ctx, `SELECT `+leadColumns+where+
		` ORDER BY created_at, unique_id LIMIT ? OFFSET ?`, append(args, limit, f.Offset)...)
	if err != nil {
		return nil, 0, wrapErr("list leads", err)
	}
	list, err := collect(rows, scanLead)
	return list, total, wrapErr("list leads", err)
}

// DeleteLeads soft-deletes the tenant's live leads among ids and drops their memberships.
func (s *Store) DeleteLeads(ctx context.Context, tenantID string, ids []string, at time.Time) (int, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	deleted := 0
	err := s.inTx(ctx, func(tx *Store) error {
		in := `(?` + strings.Repeat(", ?", len(ids)-1) + `)`
		args := make([]any, 0, len(ids)+2)
		args = append(args, micros(at), tenantID)
		for _, id := range ids {
			args = append(args, id)
		}
		res, err := tx.write().ExecContext(ctx,
			`UPDATE leads SET deleted_at = ? WHERE tenant_id = ? AND deleted_at IS NULL
			   AND unique_id IN `+in, args...)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		deleted = int(n)
		if err != nil {
			return err
		}
		_, err = tx.write().ExecContext(ctx,
			`DELETE FROM group_members WHERE lead_id IN (SELECT unique_id FROM leads
			   WHERE tenant_id = ? AND deleted_at IS NOT NULL AND unique_id IN `+in+`)`, args[1:]...)
		return err
	})
	return deleted, wrapErr("delete leads", err)
}

func scanLead(r scanner) (teli.Lead, error) {
	var l teli.Lead
	var fields string
	var dnc int
	var created, modified int64
	err := r.Scan(&l.UniqueID, &l.RecordID, &l.TenantID, &l.OrganizationID, &l.UserID, &l.Phone,
		&l.FirstName, &l.LastName, &l.Email, &l.Company, &fields, &dnc, &created, &modified)
	if err != nil {
		return l, err
	}
	l.DoNotCall = dnc == 1
	l.CreatedAt, l.ModifiedAt = fromMicros(created), fromMicros(modified)
	l.Fields, err = rowjson.DecodeFields(fields)
	return l, err
}
