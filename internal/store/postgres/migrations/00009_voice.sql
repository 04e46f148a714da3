-- Voice calling: numbers on the voice platform, voice campaigns with their leads, and calls.
-- The calls table is also the call outbox: queued rows are claimed by the call dispatcher and
-- placed through the calling gate, then moved forward by the platform's reports. The SQLite
-- migration 00010 creates the same tables, columns and indexes.

-- +goose Up
CREATE TABLE voice_numbers (
    id                text        NOT NULL PRIMARY KEY,
    tenant_id         text        NOT NULL REFERENCES tenants (id),
    organization_id   text        NOT NULL REFERENCES organizations (unique_id),
    user_id           text        NOT NULL REFERENCES users (unique_id),
    phone_number      text        NOT NULL,
    area_code         text        NOT NULL,
    nickname          text        NOT NULL,
    type              text        NOT NULL,
    inbound_agent_id  text        NOT NULL, -- '' when unset
    outbound_agent_id text        NOT NULL, -- '' when unset
    created_at        timestamptz NOT NULL,
    released_at       timestamptz
);

-- A phone number is held by one live row at a time; released rows stay as history.
CREATE UNIQUE INDEX voice_numbers_live_idx ON voice_numbers (phone_number) WHERE released_at IS NULL;
-- A tenant's number, live or released, by phone number.
CREATE INDEX voice_numbers_phone_idx ON voice_numbers (phone_number, released_at);
CREATE INDEX voice_numbers_organization_idx ON voice_numbers (tenant_id, organization_id, created_at);

CREATE TABLE voice_campaigns (
    pk                 text        NOT NULL PRIMARY KEY,
    campaign_id        text        NOT NULL,
    tenant_id          text        NOT NULL REFERENCES tenants (id),
    organization_id    text        NOT NULL REFERENCES organizations (unique_id),
    user_id            text        NOT NULL REFERENCES users (unique_id),
    agent_id           text        NOT NULL REFERENCES agents (id),
    caller_number      text        NOT NULL,
    number_pool        text        NOT NULL, -- JSON array of E.164 numbers
    begin_at           timestamptz NOT NULL,
    end_at             timestamptz NOT NULL,
    redial_enabled     boolean     NOT NULL,
    retry_limit        integer     NOT NULL,
    call_interval_days integer     NOT NULL,
    status             text        NOT NULL,
    created_at         timestamptz NOT NULL,
    modified_at        timestamptz NOT NULL,
    deleted_at         timestamptz
);

-- A deleted campaign frees its campaign_id for a new one.
CREATE UNIQUE INDEX voice_campaigns_id_idx ON voice_campaigns (tenant_id, campaign_id) WHERE deleted_at IS NULL;
CREATE INDEX voice_campaigns_organization_idx ON voice_campaigns (organization_id, user_id, created_at);
-- The campaigns that keep an agent in use.
CREATE INDEX voice_campaigns_agent_idx ON voice_campaigns (tenant_id, agent_id)
    WHERE deleted_at IS NULL AND status IN ('active', 'paused');

CREATE TABLE voice_leads (
    campaign_pk text    NOT NULL REFERENCES voice_campaigns (pk),
    phone       text    NOT NULL,
    variables   text    NOT NULL, -- JSON object of dynamic variables
    attempts    integer NOT NULL,
    settled     boolean NOT NULL,
    PRIMARY KEY (campaign_pk, phone)
);

CREATE TABLE calls (
    id                   text        NOT NULL PRIMARY KEY,
    tenant_id            text        NOT NULL,
    organization_id      text        NOT NULL,
    user_id              text        NOT NULL,
    campaign_pk          text,                  -- NULL outside a voice campaign
    sms_campaign_pk      text,                  -- NULL unless the SMS agent asked for the call
    agent_id             text        NOT NULL,
    voice_agent_id       text        NOT NULL,
    direction            text        NOT NULL CHECK (direction IN ('outbound', 'inbound')),
    purpose              text        NOT NULL,
    from_number          text        NOT NULL,
    to_number            text        NOT NULL,
    lead                 text        NOT NULL,
    status               text        NOT NULL,
    reason               text        NOT NULL,
    attempt              integer     NOT NULL,
    not_before           timestamptz NOT NULL,
    expires_at           timestamptz,
    variables            text        NOT NULL, -- JSON object of dynamic variables
    platform             text        NOT NULL,
    platform_call_id     text        NOT NULL, -- '' until the platform accepted the call
    started_at           timestamptz,
    ended_at             timestamptz,
    duration_ms          bigint      NOT NULL,
    disconnection_reason text        NOT NULL,
    transcript           text        NOT NULL,
    transcript_object    text,                  -- JSON array, verbatim; NULL when none
    analysis             text,                  -- JSON CallAnalysis; NULL when none
    -- Copied out of analysis so that listing filters on them; NULL without an analysis.
    user_sentiment       text,
    call_successful      boolean,
    cost                 text,                  -- JSON, verbatim; NULL when none
    recording_url        text        NOT NULL,
    extraction           text,                  -- JSON Extraction; NULL when none
    extracted_at         timestamptz,
    claim_token          text,
    followed_up_at       timestamptz,
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL
);

-- The dispatcher's queue, and the claims whose dispatcher may have died, found by claim age.
CREATE INDEX calls_due_idx ON calls (not_before, id) WHERE status = 'queued';
CREATE INDEX calls_placing_idx ON calls (updated_at, id) WHERE status = 'placing';
-- The calling gate's counts of live calls: to a lead, from a number, in a campaign.
CREATE INDEX calls_live_lead_idx ON calls (organization_id, lead) WHERE status IN ('placing', 'dialing', 'ongoing');
CREATE INDEX calls_live_from_idx ON calls (from_number) WHERE status IN ('placing', 'dialing', 'ongoing');
CREATE INDEX calls_live_campaign_idx ON calls (campaign_pk) WHERE status IN ('placing', 'dialing', 'ongoing');
-- A campaign's queued calls, canceled when it ends or is deleted.
CREATE INDEX calls_campaign_queued_idx ON calls (campaign_pk) WHERE status = 'queued';
-- Reports name a call by the platform's id.
CREATE UNIQUE INDEX calls_platform_idx ON calls (platform, platform_call_id) WHERE platform_call_id <> '';
-- Listing an organization's calls, newest first by start (else creation) time.
CREATE INDEX calls_list_idx ON calls (tenant_id, organization_id, coalesce(started_at, created_at), id);
-- A number's extracted calls.
CREATE INDEX calls_extractions_idx ON calls (tenant_id, lead, coalesce(started_at, created_at), id)
    WHERE extraction IS NOT NULL;
-- Placed calls whose end may never have been reported, least recently updated first.
CREATE INDEX calls_stale_idx ON calls (updated_at, id)
    WHERE status IN ('dialing', 'ongoing') AND platform_call_id <> '';

-- +goose Down
DROP TABLE calls;
DROP TABLE voice_leads;
DROP TABLE voice_campaigns;
DROP TABLE voice_numbers;
