-- +goose Up
-- A budget never used has no instant: NULL, as on PostgreSQL, rather than 0, so both stores
-- read and write budgets with the same statements. SQLite cannot drop NOT NULL in place.
CREATE TABLE rate_budgets_new (
    key        TEXT NOT NULL PRIMARY KEY,
    tokens     REAL NOT NULL,
    updated_at INTEGER, -- NULL: the bucket was never used (it is full)
    day        TEXT NOT NULL,
    used       INTEGER NOT NULL
) STRICT;
INSERT INTO rate_budgets_new (key, tokens, updated_at, day, used)
    SELECT key, tokens, nullif(updated_at, 0), day, used FROM rate_budgets;
DROP TABLE rate_budgets;
ALTER TABLE rate_budgets_new RENAME TO rate_budgets;

-- +goose Down
CREATE TABLE rate_budgets_old (
    key        TEXT NOT NULL PRIMARY KEY,
    tokens     REAL NOT NULL,
    updated_at INTEGER NOT NULL,
    day        TEXT NOT NULL,
    used       INTEGER NOT NULL
) STRICT;
INSERT INTO rate_budgets_old (key, tokens, updated_at, day, used)
    SELECT key, tokens, coalesce(updated_at, 0), day, used FROM rate_budgets;
DROP TABLE rate_budgets;
ALTER TABLE rate_budgets_old RENAME TO rate_budgets;
