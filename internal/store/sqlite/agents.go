package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/openteli/teli/internal/store/rowjson"
	"github.com/openteli/teli/internal/teli"
)

// CreateAgent inserts a; ErrConflict if any of its ids (voice_agent_id included) exists.
func (s *Store) CreateAgent(ctx context.Context, a teli.Agent) error {
	doc, err := rowjson.EncodeAgent(a)
	if err != nil {
		return wrapErr("create agent", err)
	}
	_, err = s.write().ExecContext(ctx,
		`INSERT INTO agents (id, unique_id, record_id, tenant_id, organization_id,
		     created_by_user_id, agent_type, name, starting_message, prompt, extraction_fields,
		     drip_schedule, voice_agent_id, voice, created_at, modified_at)
		 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.ID, a.UniqueID, a.RecordID, a.TenantID, a.OrganizationID, a.CreatedByUserID,
		string(a.Type), a.Name, a.StartingMessage, a.Prompt, doc.Fields, doc.Drips,
		rowjson.VoiceAgentID(a), doc.Voice, micros(a.CreatedAt), micros(a.ModifiedAt))
	return wrapErr("create agent", err)
}

const agentColumns = `id, unique_id, record_id, tenant_id, organization_id, created_by_user_id,
	agent_type, name, starting_message, prompt, extraction_fields, drip_schedule, voice,
	created_at, modified_at`

// GetAgent finds the tenant's live agent whose agent_id, unique_id or voice_agent_id is id.
// Should two agents match different columns, the agent_id match wins, then unique_id.
func (s *Store) GetAgent(ctx context.Context, tenantID, id string) (teli.Agent, error) {
	row := s.read().QueryRowContext(ctx,
		`SELECT `+agentColumns+` FROM agents
		 WHERE tenant_id = ? AND deleted_at IS NULL
		   AND (id = ? OR unique_id = ? OR voice_agent_id = ?)
		 ORDER BY CASE WHEN id = ? THEN 0 WHEN unique_id = ? THEN 1 ELSE 2 END
		 LIMIT 1`,
		tenantID, id, id, id, id, id)
	a, err := scanAgent(row)
	return a, wrapErr("get agent", err)
}

// ListAgents lists the live agents of one organization, newest first, optionally only those of
// one creator or one type.
func (s *Store) ListAgents(ctx context.Context, f teli.AgentFilter) ([]teli.Agent, error) {
	// Filters are appended rather than written as "(? = '' OR col = ?)": that form keeps the
	// planner from using the creator index, and a user's list would scan the whole organization.
	q := `SELECT ` + agentColumns + ` FROM agents
		 WHERE tenant_id = ? AND organization_id = ? AND deleted_at IS NULL`
	args := []any{f.TenantID, f.OrganizationID}
	if f.CreatedBy != "" {
		q += ` AND created_by_user_id = ?`
		args = append(args, f.CreatedBy)
	}
	if f.Type != "" {
		q += ` AND agent_type = ?`
		args = append(args, string(f.Type))
	}
	rows, err := s.read().QueryContext(ctx, q+` ORDER BY created_at DESC, id DESC`, args...)
	if err != nil {
		return nil, wrapErr("list agents", err)
	}
	list, err := collect(rows, scanAgent)
	return list, wrapErr("list agents", err)
}

// UpdateAgent rewrites name, starting message, prompt, extraction fields, drip schedule, voice
// config and modified_at of a live agent matched on tenant and ID. Ids, type, owner and
// created_at never change.
func (s *Store) UpdateAgent(ctx context.Context, a teli.Agent) error {
	doc, err := rowjson.EncodeAgent(a)
	if err != nil {
		return wrapErr("update agent", err)
	}
	res, err := s.write().ExecContext(ctx,
		`UPDATE agents SET name = ?, starting_message = ?, prompt = ?, extraction_fields = ?,
		     drip_schedule = ?, voice_agent_id = ?, voice = ?, modified_at = ?
		 WHERE tenant_id = ? AND id = ? AND deleted_at IS NULL`,
		a.Name, a.StartingMessage, a.Prompt, doc.Fields, doc.Drips, rowjson.VoiceAgentID(a), doc.Voice,
		micros(a.ModifiedAt), a.TenantID, a.ID)
	return mustAffect("update agent", res, err)
}

// DeleteAgent soft-deletes the tenant's live agent with this agent_id.
func (s *Store) DeleteAgent(ctx context.Context, tenantID, id string, at time.Time) error {
	res, err := s.write().ExecContext(ctx,
		`UPDATE agents SET deleted_at = ? WHERE tenant_id = ? AND id = ? AND deleted_at IS NULL`,
		micros(at), tenantID, id)
	return mustAffect("delete agent", res, err)
}

func scanAgent(r scanner) (teli.Agent, error) {
	var a teli.Agent
	var doc rowjson.Agent
	var voice sql.NullString
	var created, modified int64
	err := r.Scan(&a.ID, &a.UniqueID, &a.RecordID, &a.TenantID, &a.OrganizationID,
		&a.CreatedByUserID, &a.Type, &a.Name, &a.StartingMessage, &a.Prompt, &doc.Fields,
		&doc.Drips, &voice, &created, &modified)
	if err != nil {
		return a, err
	}
	if voice.Valid {
		doc.Voice = &voice.String
	}
	a.CreatedAt = fromMicros(created)
	a.ModifiedAt = fromMicros(modified)
	return a, doc.DecodeInto(&a)
}
