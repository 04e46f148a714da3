-- Contact groups and leads. A lead is a contact of one organization, unique among live leads by
-- its E.164 phone; groups hold leads through memberships. Deletes of leads are soft.

-- +goose Up
CREATE TABLE contact_groups (
    unique_id          TEXT NOT NULL PRIMARY KEY,
    record_id          TEXT NOT NULL UNIQUE,
    tenant_id          TEXT NOT NULL REFERENCES tenants (id),
    organization_id    TEXT NOT NULL REFERENCES organizations (unique_id),
    created_by_user_id TEXT NOT NULL REFERENCES users (unique_id),
    name               TEXT NOT NULL,
    description        TEXT NOT NULL,
    created_at         INTEGER NOT NULL
) STRICT;

CREATE INDEX contact_groups_organization_idx ON contact_groups (organization_id, created_by_user_id, name);

CREATE TABLE leads (
    unique_id          TEXT NOT NULL PRIMARY KEY,
    record_id          TEXT NOT NULL UNIQUE,
    tenant_id          TEXT NOT NULL REFERENCES tenants (id),
    organization_id    TEXT NOT NULL REFERENCES organizations (unique_id),
    user_id            TEXT NOT NULL REFERENCES users (unique_id),
    phone              TEXT NOT NULL,
    first_name         TEXT NOT NULL,
    last_name          TEXT NOT NULL,
    email              TEXT NOT NULL,
    company            TEXT NOT NULL,
    fields             TEXT NOT NULL, -- JSON object of every other field, string values
    do_not_call        INTEGER NOT NULL CHECK (do_not_call IN (0, 1)),
    created_at         INTEGER NOT NULL,
    modified_at        INTEGER NOT NULL,
    deleted_at         INTEGER
) STRICT;

-- One live lead per phone and organization: uploads merge into it instead of duplicating.
CREATE UNIQUE INDEX leads_organization_phone_idx ON leads (organization_id, phone) WHERE deleted_at IS NULL;
CREATE INDEX leads_organization_created_idx ON leads (organization_id, deleted_at, created_at, unique_id);
CREATE INDEX leads_user_created_idx ON leads (organization_id, user_id, deleted_at, created_at, unique_id);

CREATE TABLE group_members (
    group_id  TEXT NOT NULL REFERENCES contact_groups (unique_id),
    lead_id   TEXT NOT NULL REFERENCES leads (unique_id),
    added_at  INTEGER NOT NULL,
    PRIMARY KEY (group_id, lead_id)
) STRICT;

CREATE INDEX group_members_lead_idx ON group_members (lead_id);

-- +goose Down
DROP TABLE group_members;
DROP TABLE leads;
DROP TABLE contact_groups;
