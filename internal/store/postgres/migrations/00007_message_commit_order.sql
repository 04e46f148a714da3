-- The order in which messages were committed, so that a poller reading forward never misses a
-- message whose transaction committed after later ones: each message's row here records the id
-- of the transaction that wrote it, and a forward read never resumes past a message whose
-- transaction is younger than one still running (pg_snapshot_xmin). A table of its own, only
-- ever inserted into: an index on messages would be maintained by every update a message goes
-- through. Messages written before it existed share this migration's transaction id and are
-- ordered by message_id.

-- +goose Up
CREATE TABLE message_order (
    campaign_pk text NOT NULL,
    xid         xid8 NOT NULL DEFAULT pg_current_xact_id(),
    message_id  text NOT NULL, -- written in the same statement as its message
    PRIMARY KEY (campaign_pk, xid, message_id)
);
INSERT INTO message_order (campaign_pk, message_id) SELECT campaign_pk, message_id FROM messages;

-- +goose Down
DROP TABLE message_order;
