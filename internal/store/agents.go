package store

import (
	"context"
	"time"

	"github.com/openteli/teli/internal/teli"
)

// CreateAgent inserts a; ErrConflict if any of its ids (voice_agent_id included) exists.
func (s *Store) CreateAgent(ctx context.Context, a teli.Agent) error {
	doc, err := encodeAgent(a)
	if err != nil {
		return s.wrap("create agent", err)
	}
	_, err = s.write().Exec(ctx,
		`INSERT INTO agents (id, unique_id, record_id, tenant_id, organization_id,
		     created_by_user_id, agent_type, name, starting_message, prompt, extraction_fields,
		     drip_schedule, voice_agent_id, voice, created_at, modified_at)
		 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
		a.ID, a.UniqueID, a.RecordID, a.TenantID, a.OrganizationID, a.CreatedByUserID,
		string(a.Type), a.Name, a.StartingMessage, a.Prompt, doc.Fields, doc.Drips,
		voiceAgentID(a), doc.Voice, a.CreatedAt, a.ModifiedAt)
	return s.wrap("create agent", err)
}

const agentColumns = `id, unique_id, record_id, tenant_id, organization_id, created_by_user_id,
	agent_type, name, starting_message, prompt, extraction_fields, drip_schedule, voice,
	created_at, modified_at`

// GetAgent finds the tenant's live agent whose agent_id, unique_id or voice_agent_id is id.
// Should two agents match different columns, the agent_id match wins, then unique_id.
func (s *Store) GetAgent(ctx context.Context, tenantID, id string) (teli.Agent, error) {
	row := s.read().QueryRow(ctx,
		`SELECT `+agentColumns+` FROM agents
		 WHERE tenant_id = $1 AND deleted_at IS NULL
		   AND (id = $2 OR unique_id = $2 OR voice_agent_id = $2)
		 ORDER BY CASE WHEN id = $2 THEN 0 WHEN unique_id = $2 THEN 1 ELSE 2 END
		 LIMIT 1`,
		tenantID, id)
	a, err := scanAgent(row)
	return a, s.wrap("get agent", err)
}

// ListAgents lists the live agents of one organization, newest first, optionally only those of
// one creator or one type.
func (s *Store) ListAgents(ctx context.Context, f teli.AgentFilter) ([]teli.Agent, error) {
	// Filters are appended rather than written as "($3 = '' OR col = $3)": with that form a
	// cached generic plan cannot use the creator index, and a user's list would scan the whole
	// organization.
	q := newQuery(`SELECT `+agentColumns+` FROM agents
		 WHERE tenant_id = $1 AND organization_id = $2 AND deleted_at IS NULL`, f.TenantID, f.OrganizationID)
	if f.CreatedBy != "" {
		q.add(` AND created_by_user_id = ` + q.arg(f.CreatedBy))
	}
	if f.Type != "" {
		q.add(` AND agent_type = ` + q.arg(string(f.Type)))
	}
	rows, err := s.read().Query(ctx, q.add(` ORDER BY created_at DESC, id DESC`).String(), q.args...)
	if err != nil {
		return nil, s.wrap("list agents", err)
	}
	list, err := Collect(rows, scanAgent)
	return list, s.wrap("list agents", err)
}

// UpdateAgent rewrites name, starting message, prompt, extraction fields, drip schedule, voice
// config and modified_at of a live agent matched on tenant and ID. Ids, type, owner and
// created_at never change.
func (s *Store) UpdateAgent(ctx context.Context, a teli.Agent) error {
	doc, err := encodeAgent(a)
	if err != nil {
		return s.wrap("update agent", err)
	}
	n, err := s.write().Exec(ctx,
		`UPDATE agents SET name = $1, starting_message = $2, prompt = $3, extraction_fields = $4,
		     drip_schedule = $5, voice_agent_id = $6, voice = $7, modified_at = $8
		 WHERE tenant_id = $9 AND id = $10 AND deleted_at IS NULL`,
		a.Name, a.StartingMessage, a.Prompt, doc.Fields, doc.Drips, voiceAgentID(a), doc.Voice,
		a.ModifiedAt, a.TenantID, a.ID)
	return s.mustAffect("update agent", n, err)
}

// DeleteAgent soft-deletes the tenant's live agent with this agent_id.
func (s *Store) DeleteAgent(ctx context.Context, tenantID, id string, at time.Time) error {
	n, err := s.write().Exec(ctx,
		`UPDATE agents SET deleted_at = $1 WHERE tenant_id = $2 AND id = $3 AND deleted_at IS NULL`,
		at, tenantID, id)
	return s.mustAffect("delete agent", n, err)
}

func scanAgent(r Row) (teli.Agent, error) {
	var a teli.Agent
	var doc agentDocs
	err := r.Scan(&a.ID, &a.UniqueID, &a.RecordID, &a.TenantID, &a.OrganizationID,
		&a.CreatedByUserID, &a.Type, &a.Name, &a.StartingMessage, &a.Prompt, &doc.Fields,
		&doc.Drips, &doc.Voice, &a.CreatedAt, &a.ModifiedAt)
	if err != nil {
		return a, err
	}
	return a, doc.decodeInto(&a)
}
