-- Tenancy, users and agents. Times are INTEGER unix microseconds UTC; JSON values are TEXT.
-- The PostgreSQL migration of the same number creates the same tables, columns and indexes.

-- +goose Up
CREATE TABLE tenants (
    id         TEXT    NOT NULL PRIMARY KEY,
    name       TEXT    NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE api_keys (
    id         TEXT    NOT NULL PRIMARY KEY,
    tenant_id  TEXT    NOT NULL REFERENCES tenants (id),
    name       TEXT    NOT NULL,
    prefix     TEXT    NOT NULL,
    hash       TEXT    NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
) STRICT;

CREATE INDEX api_keys_tenant_created_idx ON api_keys (tenant_id, created_at);

CREATE TABLE organizations (
    unique_id               TEXT    NOT NULL PRIMARY KEY,
    record_id               TEXT    NOT NULL UNIQUE,
    tenant_id               TEXT    NOT NULL REFERENCES tenants (id),
    name                    TEXT    NOT NULL,
    contact_email           TEXT    NOT NULL,
    status                  TEXT    NOT NULL,
    sms_active              INTEGER NOT NULL CHECK (sms_active IN (0, 1)),
    -- NULL rather than '' so a future uniqueness rule on numbers ignores orgs without one.
    teli_sms_number         TEXT,
    sms_registration_status TEXT    NOT NULL,
    created_at              INTEGER NOT NULL,
    modified_at             INTEGER NOT NULL
) STRICT;

CREATE INDEX organizations_tenant_created_idx ON organizations (tenant_id, created_at);

CREATE TABLE users (
    unique_id       TEXT    NOT NULL PRIMARY KEY,
    record_id       TEXT    NOT NULL UNIQUE,
    tenant_id       TEXT    NOT NULL REFERENCES tenants (id),
    organization_id TEXT    NOT NULL REFERENCES organizations (unique_id),
    name            TEXT    NOT NULL,
    email           TEXT    NOT NULL,
    -- Lower-cased copy of email: the case-insensitive uniqueness rule is a plain unique index.
    email_lower     TEXT    NOT NULL,
    phone           TEXT,
    permission      TEXT    NOT NULL,
    status          TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    modified_at     INTEGER NOT NULL,
    UNIQUE (organization_id, email_lower)
) STRICT;

CREATE INDEX users_organization_created_idx ON users (organization_id, created_at);

CREATE TABLE agents (
    id                 TEXT    NOT NULL PRIMARY KEY,
    unique_id          TEXT    NOT NULL UNIQUE,
    record_id          TEXT    NOT NULL UNIQUE,
    tenant_id          TEXT    NOT NULL REFERENCES tenants (id),
    organization_id    TEXT    NOT NULL REFERENCES organizations (unique_id),
    created_by_user_id TEXT    NOT NULL REFERENCES users (unique_id),
    agent_type         TEXT    NOT NULL CHECK (agent_type IN ('sms', 'voice')),
    name               TEXT    NOT NULL,
    starting_message   TEXT    NOT NULL,
    prompt             TEXT    NOT NULL,
    extraction_fields  TEXT    NOT NULL, -- JSON array of ExtractionField
    drip_schedule      TEXT    NOT NULL, -- JSON array of DripStep
    -- Copied out of voice so lookups by the platform's id use an index; NULLs never collide.
    voice_agent_id     TEXT UNIQUE,
    voice              TEXT,             -- JSON VoiceConfig, NULL for SMS agents
    created_at         INTEGER NOT NULL,
    modified_at        INTEGER NOT NULL,
    deleted_at         INTEGER
) STRICT;

-- Listing an organization's agents (admins) and one creator's agents (users), newest first,
-- straight from the index order.
CREATE INDEX agents_organization_idx ON agents (organization_id, deleted_at, created_at, id);
CREATE INDEX agents_organization_creator_idx ON agents (organization_id, created_by_user_id, deleted_at, created_at, id);
-- Serves User.TotalAgents, counted when users are listed.
CREATE INDEX agents_creator_idx ON agents (created_by_user_id, deleted_at);

CREATE TABLE voice_sandbox_agents (
    voice_agent_id TEXT    NOT NULL PRIMARY KEY,
    voice_llm_id   TEXT    NOT NULL,
    config         TEXT    NOT NULL, -- JSON, kept verbatim
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
) STRICT;

-- +goose Down
DROP TABLE voice_sandbox_agents;
DROP TABLE agents;
DROP TABLE users;
DROP TABLE organizations;
DROP TABLE api_keys;
DROP TABLE tenants;
