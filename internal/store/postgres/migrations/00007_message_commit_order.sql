-- The order in which messages were committed, so that a poller reading forward never misses a
-- message whose transaction committed after later ones: each message records the id of the
-- transaction that wrote it, and a forward page reads only messages of transactions older than
-- every transaction still running (pg_snapshot_xmin). Rows written before this column existed
-- share one id and are ordered by message_id.

-- +goose Up
ALTER TABLE messages ADD COLUMN xid xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX messages_campaign_commit_idx ON messages (campaign_pk, xid, message_id);

-- +goose Down
DROP INDEX messages_campaign_commit_idx;
ALTER TABLE messages DROP COLUMN xid;
