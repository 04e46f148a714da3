-- SMS campaigns, their threads (one per lead and campaign) and messages. The messages table is
-- also the outbox: queued rows are claimed by the dispatcher and sent through the send gate.

-- +goose Up
CREATE TABLE campaigns (
    pk              TEXT NOT NULL PRIMARY KEY,
    campaign_id     TEXT NOT NULL,
    tenant_id       TEXT NOT NULL REFERENCES tenants (id),
    organization_id TEXT NOT NULL REFERENCES organizations (unique_id),
    user_id         TEXT NOT NULL REFERENCES users (unique_id),
    agent_id        TEXT NOT NULL REFERENCES agents (id),
    from_number     TEXT NOT NULL,
    name            TEXT NOT NULL,
    status          TEXT NOT NULL,
    settings        TEXT NOT NULL, -- JSON CampaignSettings
    invalid_leads   TEXT NOT NULL, -- JSON array of InvalidLead
    created_at      INTEGER NOT NULL,
    modified_at     INTEGER NOT NULL,
    UNIQUE (tenant_id, campaign_id)
) STRICT;

CREATE INDEX campaigns_organization_idx ON campaigns (organization_id, user_id, created_at);

CREATE TABLE threads (
    campaign_pk      TEXT NOT NULL REFERENCES campaigns (pk),
    phone            TEXT NOT NULL,
    tenant_id        TEXT NOT NULL,
    organization_id  TEXT NOT NULL,
    campaign_id      TEXT NOT NULL,
    lead_id          TEXT NOT NULL,
    owner            TEXT NOT NULL CHECK (owner IN ('ai', 'human')),
    assigned_user_id TEXT,
    lead_outcome     TEXT NOT NULL,
    vars             TEXT NOT NULL, -- JSON object of template variables
    last_inbound_at  INTEGER,
    last_outbound_at INTEGER,
    created_at       INTEGER NOT NULL,
    PRIMARY KEY (campaign_pk, phone)
) STRICT;

CREATE TABLE messages (
    message_id      TEXT NOT NULL PRIMARY KEY,
    tenant_id       TEXT NOT NULL,
    organization_id TEXT NOT NULL,
    campaign_pk     TEXT NOT NULL,
    phone           TEXT NOT NULL,
    inbound         INTEGER NOT NULL CHECK (inbound IN (0, 1)),
    sender          TEXT NOT NULL,
    sent_by_user_id TEXT,
    from_number     TEXT NOT NULL,
    to_number       TEXT NOT NULL,
    body            TEXT NOT NULL,
    media_url       TEXT NOT NULL,
    status          TEXT NOT NULL,
    reason          TEXT NOT NULL,
    segments        INTEGER NOT NULL,
    encoding        TEXT NOT NULL,
    not_before      INTEGER NOT NULL,
    expires_at      INTEGER,
    claim_token     TEXT,
    provider        TEXT NOT NULL,
    provider_id     TEXT,
    error_code      TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    FOREIGN KEY (campaign_pk, phone) REFERENCES threads (campaign_pk, phone)
) STRICT;

-- The dispatcher's queue: due rows in order, and nothing else, in the index.
CREATE INDEX messages_due_idx ON messages (not_before, message_id) WHERE status = 'queued';
CREATE INDEX messages_campaign_idx ON messages (campaign_pk, created_at, message_id);
CREATE INDEX messages_thread_idx ON messages (campaign_pk, phone, created_at, message_id);
CREATE UNIQUE INDEX messages_provider_idx ON messages (provider, provider_id) WHERE provider_id IS NOT NULL;

-- +goose Down
DROP TABLE messages;
DROP TABLE threads;
DROP TABLE campaigns;
