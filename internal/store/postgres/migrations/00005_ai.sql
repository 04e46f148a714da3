-- The AI's state on a thread: why it is not answering, what it extracted from the
-- conversation, and a request to continue by phone.

-- +goose Up
ALTER TABLE threads ADD COLUMN ai_state text NOT NULL DEFAULT '';
ALTER TABLE threads ADD COLUMN extraction text NOT NULL DEFAULT ''; -- JSON teli.Extraction, '' for none
ALTER TABLE threads ADD COLUMN extracted_at timestamptz;
ALTER TABLE threads ADD COLUMN voice_request text NOT NULL DEFAULT ''; -- JSON teli.VoiceRequest, '' for none

-- Extractions of one number across campaigns, newest first.
CREATE INDEX threads_extracted_idx ON threads (tenant_id, phone, extracted_at) WHERE extracted_at IS NOT NULL;

ALTER TABLE threads ADD COLUMN answered_inbound_id text NOT NULL DEFAULT ''; -- the burst the agent last answered

-- +goose Down
ALTER TABLE threads DROP COLUMN answered_inbound_id;
DROP INDEX threads_extracted_idx;
ALTER TABLE threads DROP COLUMN voice_request;
ALTER TABLE threads DROP COLUMN extracted_at;
ALTER TABLE threads DROP COLUMN extraction;
ALTER TABLE threads DROP COLUMN ai_state;
