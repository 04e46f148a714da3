-- The order in which messages were committed, so that a poller reading forward never misses a
-- message whose transaction committed after later ones. SQLite's write transactions are
-- serialised, so numbering a campaign's messages as they are inserted numbers them in commit
-- order. Rows written before this column existed keep their insertion order (their rowid).

-- +goose Up
ALTER TABLE messages ADD COLUMN seq INTEGER;
UPDATE messages SET seq = rowid;
CREATE INDEX messages_campaign_commit_idx ON messages (campaign_pk, seq, message_id);

-- +goose Down
DROP INDEX messages_campaign_commit_idx;
ALTER TABLE messages DROP COLUMN seq;
