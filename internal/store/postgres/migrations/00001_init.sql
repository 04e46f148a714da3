-- Tenancy, users and agents. The SQLite migration of the same number creates the same tables,
-- columns and indexes; JSON values are text here too, so both backends keep documents verbatim.

-- +goose Up
CREATE TABLE tenants (
    id         text        NOT NULL PRIMARY KEY,
    name       text        NOT NULL,
    created_at timestamptz NOT NULL
);

CREATE TABLE api_keys (
    id         text        NOT NULL PRIMARY KEY,
    tenant_id  text        NOT NULL REFERENCES tenants (id),
    name       text        NOT NULL,
    prefix     text        NOT NULL,
    hash       text        NOT NULL UNIQUE,
    created_at timestamptz NOT NULL,
    revoked_at timestamptz
);

CREATE INDEX api_keys_tenant_created_idx ON api_keys (tenant_id, created_at);

CREATE TABLE organizations (
    unique_id               text        NOT NULL PRIMARY KEY,
    record_id               text        NOT NULL UNIQUE,
    tenant_id               text        NOT NULL REFERENCES tenants (id),
    name                    text        NOT NULL,
    contact_email           text        NOT NULL,
    status                  text        NOT NULL,
    sms_active              boolean     NOT NULL,
    -- NULL rather than '' so a future uniqueness rule on numbers ignores orgs without one.
    teli_sms_number         text,
    sms_registration_status text        NOT NULL,
    created_at              timestamptz NOT NULL,
    modified_at             timestamptz NOT NULL
);

CREATE INDEX organizations_tenant_created_idx ON organizations (tenant_id, created_at);

CREATE TABLE users (
    unique_id       text        NOT NULL PRIMARY KEY,
    record_id       text        NOT NULL UNIQUE,
    tenant_id       text        NOT NULL REFERENCES tenants (id),
    organization_id text        NOT NULL REFERENCES organizations (unique_id),
    name            text        NOT NULL,
    email           text        NOT NULL,
    -- Lower-cased copy of email: the case-insensitive uniqueness rule is a plain unique index.
    email_lower     text        NOT NULL,
    phone           text,
    permission      text        NOT NULL,
    status          text        NOT NULL,
    created_at      timestamptz NOT NULL,
    modified_at     timestamptz NOT NULL,
    UNIQUE (organization_id, email_lower)
);

CREATE INDEX users_organization_created_idx ON users (organization_id, created_at);

CREATE TABLE agents (
    id                 text        NOT NULL PRIMARY KEY,
    unique_id          text        NOT NULL UNIQUE,
    record_id          text        NOT NULL UNIQUE,
    tenant_id          text        NOT NULL REFERENCES tenants (id),
    organization_id    text        NOT NULL REFERENCES organizations (unique_id),
    created_by_user_id text        NOT NULL REFERENCES users (unique_id),
    agent_type         text        NOT NULL CHECK (agent_type IN ('sms', 'voice')),
    name               text        NOT NULL,
    starting_message   text        NOT NULL,
    prompt             text        NOT NULL,
    extraction_fields  text        NOT NULL, -- JSON array of ExtractionField
    drip_schedule      text        NOT NULL, -- JSON array of DripStep
    -- Copied out of voice so lookups by the platform's id use an index; NULLs never collide.
    voice_agent_id     text UNIQUE,
    voice              text,                 -- JSON VoiceConfig, NULL for SMS agents
    created_at         timestamptz NOT NULL,
    modified_at        timestamptz NOT NULL,
    deleted_at         timestamptz
);

-- Listing an organization's agents (admins) and one creator's agents (users), newest first,
-- straight from the index order.
CREATE INDEX agents_organization_idx ON agents (organization_id, deleted_at, created_at, id);
CREATE INDEX agents_organization_creator_idx ON agents (organization_id, created_by_user_id, deleted_at, created_at, id);
-- Serves User.TotalAgents, counted when users are listed.
CREATE INDEX agents_creator_idx ON agents (created_by_user_id, deleted_at);

CREATE TABLE voice_sandbox_agents (
    voice_agent_id text        NOT NULL PRIMARY KEY,
    voice_llm_id   text        NOT NULL,
    config         text        NOT NULL, -- JSON, kept verbatim
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL
);

-- +goose Down
DROP TABLE voice_sandbox_agents;
DROP TABLE agents;
DROP TABLE users;
DROP TABLE organizations;
DROP TABLE api_keys;
DROP TABLE tenants;
