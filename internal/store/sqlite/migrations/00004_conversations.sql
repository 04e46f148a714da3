-- A thread's life after launch: why each message exists, the organization's suppression list
-- with its audit trail, inbound webhooks stored before processing, idempotent request results,
-- and the throughput budgets every replica draws from.

-- +goose Up
ALTER TABLE messages ADD COLUMN purpose TEXT NOT NULL DEFAULT '';

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
    organization_id TEXT NOT NULL,
    phone           TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('opt_out', 'do_not_contact')),
    tenant_id       TEXT NOT NULL,
    source          TEXT NOT NULL,
    message_id      TEXT NOT NULL,
    user_id         TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    PRIMARY KEY (organization_id, phone, kind)
) STRICT;

CREATE TABLE suppression_events (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id       TEXT NOT NULL,
    organization_id TEXT NOT NULL,
    phone           TEXT NOT NULL,
    kind            TEXT NOT NULL,
    action          TEXT NOT NULL CHECK (action IN ('added', 'lifted')),
    source          TEXT NOT NULL,
    message_id      TEXT NOT NULL,
    user_id         TEXT NOT NULL,
    detail          TEXT NOT NULL,
    created_at      INTEGER NOT NULL
) STRICT;

CREATE INDEX suppression_events_phone_idx ON suppression_events (organization_id, phone, seq);

CREATE TABLE inbound_events (
    provider     TEXT NOT NULL,
    provider_id  TEXT NOT NULL,
    from_number  TEXT NOT NULL,
    to_number    TEXT NOT NULL,
    body         TEXT NOT NULL,
    media_urls   TEXT NOT NULL, -- JSON array
    received_at  INTEGER NOT NULL,
    outcome      TEXT NOT NULL,
    message_id   TEXT NOT NULL,
    processed_at INTEGER,
    PRIMARY KEY (provider, provider_id)
) STRICT;

CREATE TABLE idempotency_keys (
    tenant_id    TEXT NOT NULL,
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status_code  INTEGER NOT NULL,
    body         BLOB NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, key)
) STRICT;

CREATE TABLE rate_budgets (
    key        TEXT NOT NULL PRIMARY KEY,
    tokens     REAL NOT NULL,
    updated_at INTEGER NOT NULL,
    day        TEXT NOT NULL,
    used       INTEGER NOT NULL
) STRICT;

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
