-- Follow-up drips: which step a thread is at, how long after the last outbound message the next
-- one is due, and when that is. A reply, a takeover or the campaign's end clears them.

-- +goose Up
ALTER TABLE threads ADD COLUMN drip_step INTEGER NOT NULL DEFAULT 0;
ALTER TABLE threads ADD COLUMN drip_delay INTEGER; -- seconds; NULL when no step is left
ALTER TABLE threads ADD COLUMN drip_due_at INTEGER;

CREATE INDEX threads_drip_due_idx ON threads (drip_due_at) WHERE drip_due_at IS NOT NULL;

-- +goose Down
DROP INDEX threads_drip_due_idx;
ALTER TABLE threads DROP COLUMN drip_due_at;
ALTER TABLE threads DROP COLUMN drip_delay;
ALTER TABLE threads DROP COLUMN drip_step;
