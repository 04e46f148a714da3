package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/openteli/teli/internal/store/rowjson"
	"github.com/openteli/teli/internal/teli"
)

// CreateAgent inserts a; ErrConflict if any of its ids (voice_agent_id included) exists.
func (s *Store) CreateAgent(ctx context.Context, a teli.Agent) error {
	doc, err := rowjson.EncodeAgent(a)
	if err != nil {
		return wrapErr("create agent", err)
	}
	_, err = s.q().Exec(ctx,
		`INSERT INTO agents (id, unique_id, record_id, tenant_id, organization_id,
		     created_by_user_id, agent_type, name, starting_message, prompt, extraction_fields,
		     drip_schedule, voice_agent_id, voice, created_at, modified_at)
		 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
		a.ID, a.UniqueID, a.RecordID, a.TenantID, a.OrganizationID, a.CreatedByUserID,
		string(a.Type), a.Name, a.StartingMessage, a.Prompt, doc.Fields, doc.Drips,
		rowjson.VoiceAgentID(a), doc.Voice, a.CreatedAt, a.ModifiedAt)
	return wrapErr("create agent", err)
}

const agentColumns = `id, unique_id, record_id, tenant_id, organization_id, created_by_user_id,
	agent_type, name, starting_message, prompt, extraction_fields, drip_schedule, voice,
	created_at, modified_at`

// GetAgent finds the tenant's live agent whose agent_id, unique_id or voice_agent_id is id.
// Should two agents match different columns, the agent_id match wins, then unique_id.
func (s *Store) GetAgent(ctx context.Context, tenantID, id string) (teli.Agent, error) {
	row := s.q().QueryRow(ctx,
		`SELECT `+agentColumns+` FROM agents
		 WHERE tenant_id = $1 AND deleted_at IS NULL
		   AND (id = $2 OR unique_id = $2 OR voice_agent_id = $2)
		 ORDER BY CASE WHEN id = $2 THEN 0 WHEN unique_id = $2 THEN 1 ELSE 2 END
		 LIMIT 1`,
		tenantID, id)
	a, err := scanAgent(row)
	return a, wrapErr("get agent", err)
}

// ListAgents lists the live agents of one organization, newest first, optionally only those of
// one creator or one type.
func (s *Store) ListAgents(ctx context.Context, f teli.AgentFilter) ([]teli.Agent, error) {
	// Filters are appended rather than written as "($3 = '' OR col = $3)": with that form a
	// cached generic plan cannot use the creator index, and a user's list would scan the whole
	// organization.
	q := `SELECT ` + agentColumns + ` FROM agents
		 WHERE tenant_id = $1 AND organization_id = $2 AND deleted_at IS NULL`
	args := []any{f.TenantID, f.OrganizationID}
	if f.CreatedBy != "" {
		args = append(args, f.CreatedBy)
		q += fmt.Sprintf(` AND created_by_user_id = $%d`, len(args))
	}
	if f.Type != "" {
		args = append(args, string(f.Type))
		q += fmt.Sprintf(` AND agent_type = $%d`, len(args))
	}
	rows, err := s.q().Query(ctx, q+` ORDER BY created_at DESC, id DESC`, args...)
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
	tag, err := s.q().Exec(ctx,
		`UPDATE agents SET name = $1, starting_message = $2, prompt = $3, extraction_fields = $4,
		     drip_schedule = $5, voice_agent_id = $6, voice = $7, modified_at = $8
		 WHERE tenant_id = $9 AND id = $10 AND deleted_at IS NULL`,
		a.Name, a.StartingMessage, a.Prompt, doc.Fields, doc.Drips, rowjson.VoiceAgentID(a), doc.Voice,
		a.ModifiedAt, a.TenantID, a.ID)
	return mustAffect("update agent", tag, err)
}

// DeleteAgent soft-deletes the tenant's live agent with this agent_id.
func (s *Store) DeleteAgent(ctx context.Context, tenantID, id string, at time.Time) error {
	tag, err := s.q().Exec(ctx,
		`UPDATE agents SET deleted_at = $1 WHERE tenant_id = $2 AND id = $3 AND deleted_at IS NULL`,
		at, tenantID, id)
	return mustAffect("delete agent", tag, err)
}

func scanAgent(r pgx.Row) (teli.Agent, error) {
	var a teli.Agent
	var doc rowjson.Agent
	err := r.Scan(&a.ID, &a.UniqueID, &a.RecordID, &a.TenantID, &a.OrganizationID,
		&a.CreatedByUserID, &a.Type, &a.Name, &a.StartingMessage, &a.Prompt, &doc.Fields,
		&doc.Drips, &doc.Voice, &a.CreatedAt, &a.ModifiedAt)
	if err != nil {
		return a, err
	}
	a.CreatedAt = utc(a.CreatedAt)
	a.ModifiedAt = utc(a.ModifiedAt)
	return a, doc.DecodeInto(&a)
}
