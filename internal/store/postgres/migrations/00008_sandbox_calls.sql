-- The sandbox voice platform's numbers and calls: what it provisioned, and every call it placed
-- or received, so that a placed call whose acceptance was lost can be found again after a
-- restart, and a simulation that a restart interrupted can be finished.

-- +goose Up
CREATE TABLE voice_sandbox_numbers (
    phone_number      text        NOT NULL PRIMARY KEY,
    inbound_agent_id  text        NOT NULL,
    outbound_agent_id text        NOT NULL,
    nickname          text        NOT NULL,
    created_at        timestamptz NOT NULL
);

CREATE TABLE voice_sandbox_calls (
    platform_call_id text        NOT NULL PRIMARY KEY,
    call_id          text,                  -- ours; NULL for an inbound call
    record           text        NOT NULL,  -- JSON call object
    finished         boolean     NOT NULL,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL
);

CREATE UNIQUE INDEX voice_sandbox_calls_call_idx ON voice_sandbox_calls (call_id) WHERE call_id IS NOT NULL;
CREATE INDEX voice_sandbox_calls_unfinished_idx ON voice_sandbox_calls (created_at) WHERE NOT finished;

-- +goose Down
DROP TABLE voice_sandbox_calls;
DROP TABLE voice_sandbox_numbers;
