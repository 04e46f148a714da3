-- A thread's life after launch: why each message exists, the organization's suppression list
-- with its audit trail, inbound webhooks stored before processing, idempotent request results,
-- and the throughput budgets every replica draws from.

-- +goose Up
ALTER TABLE messages ADD COLUMN purpose text NOT NULL DEFAULT '';

-- Claimed rows whose dispatcher may have died, found by claim age.
CREATE INDEX messages_sending_idx ON messages (updated_at) WHERE status = 'sending';
-- Starting messages not yet settled: a campaign is COMPLETED when it has none.
CREATE INDEX messages_pending_start_idx ON messages (campaign_pk)
    WHERE purpose = 'starting' AND status IN ('queued', 'sending');
-- Inbound routing: the newest thread of a number.
CREATE INDEX threads_phone_idx ON threads (phone, created_at);
CREATE INDEX threads_assignee_idx ON threads (campaign_pk, assigned_user_id);
CREATE INDEX campaigns_from_number_idx ON campaigns (from_number);

CREATE TABLE suppressions (
    organization_id text NOT NULL,
    phone           text NOT NULL,
    kind            text NOT NULL CHECK (kind IN ('opt_out', 'do_not_contact')),
    tenant_id       text NOT NULL,
    source          text NOT NULL,
    message_id      text NOT NULL,
    user_id         text NOT NULL,
    created_at      timestamptz NOT NULL,
    PRIMARY KEY (organization_id, phone, kind)
);

CREATE TABLE suppression_events (
    seq             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id       text NOT NULL,
    organization_id text NOT NULL,
    phone           text NOT NULL,
    kind            text NOT NULL,
    action          text NOT NULL CHECK (action IN ('added', 'lifted')),
    source          text NOT NULL,
    message_id      text NOT NULL,
    user_id         text NOT NULL,
    detail          text NOT NULL,
    created_at      timestamptz NOT NULL
);

CREATE INDEX suppression_events_phone_idx ON suppression_events (organization_id, phone, seq);

CREATE TABLE inbound_events (
    provider     text NOT NULL,
    provider_id  text NOT NULL,
    from_number  text NOT NULL,
    to_number    text NOT NULL,
    body         text NOT NULL,
    media_urls   text NOT NULL, -- JSON array
    received_at  timestamptz NOT NULL,
    outcome      text NOT NULL,
    message_id   text NOT NULL,
    processed_at timestamptz,
    PRIMARY KEY (provider, provider_id)
);

CREATE TABLE idempotency_keys (
    tenant_id    text NOT NULL,
    key          text NOT NULL,
    request_hash text NOT NULL,
    status_code  integer NOT NULL,
    body         bytea NOT NULL,
    created_at   timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, key)
);

CREATE TABLE rate_budgets (
    key        text NOT NULL PRIMARY KEY,
    tokens     double precision NOT NULL,
    updated_at timestamptz, -- NULL: the bucket was never used (it is full)
    day        text NOT NULL,
    used       integer NOT NULL
);

-- +goose Down
DROP TABLE rate_budgets;
DROP TABLE idempotency_keys;
DROP TABLE inbound_events;
DROP TABLE suppression_events;
DROP TABLE suppressions;
DROP INDEX campaigns_from_number_idx;
DROP INDEX threads_assignee_idx;
DROP INDEX threads_phone_idx;
DROP INDEX messages_pending_start_idx;
DROP INDEX messages_sending_idx;
ALTER TABLE messages DROP COLUMN purpose;
