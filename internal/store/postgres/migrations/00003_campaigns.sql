-- SMS campaigns, their threads (one per lead and campaign) and messages. The messages table is
-- also the outbox: queued rows are claimed by the dispatcher and sent through the send gate.

-- +goose Up
CREATE TABLE campaigns (
    pk              text NOT NULL PRIMARY KEY,
    campaign_id     text NOT NULL,
    tenant_id       text NOT NULL REFERENCES tenants (id),
    organization_id text NOT NULL REFERENCES organizations (unique_id),
    user_id         text NOT NULL REFERENCES users (unique_id),
    agent_id        text NOT NULL REFERENCES agents (id),
    from_number     text NOT NULL,
    name            text NOT NULL,
    status          text NOT NULL,
    settings        text NOT NULL, -- JSON CampaignSettings
    invalid_leads   text NOT NULL, -- JSON array of InvalidLead
    created_at      timestamptz NOT NULL,
    modified_at     timestamptz NOT NULL,
    UNIQUE (tenant_id, campaign_id)
);

CREATE INDEX campaigns_organization_idx ON campaigns (organization_id, user_id, created_at);

CREATE TABLE threads (
    campaign_pk      text NOT NULL REFERENCES campaigns (pk),
    phone            text NOT NULL,
    tenant_id        text NOT NULL,
    organization_id  text NOT NULL,
    campaign_id      text NOT NULL,
    lead_id          text NOT NULL,
    owner            text NOT NULL CHECK (owner IN ('ai', 'human')),
    assigned_user_id text,
    lead_outcome     text NOT NULL,
    vars             text NOT NULL, -- JSON object of template variables
    last_inbound_at  timestamptz,
    last_outbound_at timestamptz,
    created_at       timestamptz NOT NULL,
    PRIMARY KEY (campaign_pk, phone)
);

CREATE TABLE messages (
    message_id      text NOT NULL PRIMARY KEY,
    tenant_id       text NOT NULL,
    organization_id text NOT NULL,
    campaign_pk     text NOT NULL,
    phone           text NOT NULL,
    inbound         boolean NOT NULL,
    sender          text NOT NULL,
    sent_by_user_id text,
    from_number     text NOT NULL,
    to_number       text NOT NULL,
    body            text NOT NULL,
    media_url       text NOT NULL,
    status          text NOT NULL,
    reason          text NOT NULL,
    segments        integer NOT NULL,
    encoding        text NOT NULL,
    not_before      timestamptz NOT NULL,
    expires_at      timestamptz,
    claim_token     text,
    provider        text NOT NULL,
    provider_id     text,
    error_code      text NOT NULL,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    FOREIGN KEY (campaign_pk, phone) REFERENCES threads (campaign_pk, phone)
);

-- The dispatcher's queue: due rows in order, and nothing else, in the index.
CREATE INDEX messages_due_idx ON messages (not_before, message_id) WHERE status = 'queued';
CREATE INDEX messages_campaign_idx ON messages (campaign_pk, created_at, message_id);
CREATE INDEX messages_thread_idx ON messages (campaign_pk, phone, created_at, message_id);
CREATE UNIQUE INDEX messages_provider_idx ON messages (provider, provider_id) WHERE provider_id IS NOT NULL;

-- +goose Down
DROP TABLE messages;
DROP TABLE threads;
DROP TABLE campaigns;
