-- Staff and the audit log: permission groups, invitations by e-mailed link, two-step
-- sign-in (TOTP with recovery codes), disabled accounts; and the append-only log that
-- every admin action writes in its own transaction.

-- A disabled account cannot sign in, and disabling it ends its sessions.
ALTER TABLE users ADD COLUMN disabled_at TIMESTAMPTZ;

-- When this session passed the second step of a two-step sign-in.
ALTER TABLE sessions ADD COLUMN second_factor_at TIMESTAMPTZ;

-- The permissions (app/src/staff/model.rs holds the same list).
CREATE TABLE staff_groups (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name         TEXT NOT NULL UNIQUE CHECK (length(btrim(name)) BETWEEN 1 AND 80),
    permissions  TEXT[] NOT NULL DEFAULT '{}' CONSTRAINT staff_group_permissions CHECK (
        permissions <@ ARRAY['products', 'inventory', 'orders', 'refunds', 'discounts',
                             'customers', 'reports', 'staff', 'settings']),
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
INSERT INTO staff_groups (name, permissions) VALUES
    ('Catalog', '{products,inventory}'),
    ('Customer service', '{orders,customers}'),
    ('Finance', '{orders,refunds,reports}'),
    ('Marketing', '{discounts,reports}');

CREATE TABLE staff_memberships (
    user_id   BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    group_id  BIGINT NOT NULL REFERENCES staff_groups (id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, group_id)
);
CREATE INDEX staff_memberships_group ON staff_memberships (group_id);

-- Two-step sign-in. While being set up (confirmed_at NULL) the row also holds the
-- recovery codes shown with the secret; the first right code makes them active (hashed).
CREATE TABLE staff_totp (
    user_id        BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret         BYTEA NOT NULL CHECK (length(secret) = 20),
    pending_codes  TEXT[],
    confirmed_at   TIMESTAMPTZ,
    -- The last time step whose code was accepted: a code works once.
    last_step      BIGINT NOT NULL DEFAULT 0,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK (confirmed_at IS NULL OR pending_codes IS NULL)
);

CREATE TABLE staff_recovery_codes (
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash  BYTEA NOT NULL CHECK (length(code_hash) = 32),
    used_at    TIMESTAMPTZ,
    PRIMARY KEY (user_id, code_hash)
);

CREATE TABLE staff_invitations (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_hash  BYTEA NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    email       TEXT NOT NULL CHECK (email = lower(btrim(email)) AND email LIKE '%_@_%' AND length(email) <= 254),
    role        user_role NOT NULL CHECK (role IN ('staff', 'admin')),
    group_ids   BIGINT[] NOT NULL DEFAULT '{}',
    invited_by  BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at  TIMESTAMPTZ NOT NULL,
    used_at     TIMESTAMPTZ
);
CREATE INDEX staff_invitations_email ON staff_invitations (email) WHERE used_at IS NULL;

-- Who did what, when, from where, with the values before and after. No foreign keys:
-- the log outlives the accounts it names. Personal data of customers stays out of it
-- (entries name a customer by id), so erasing a customer never needs to touch it.
CREATE TABLE audit_log (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    actor_id   BIGINT,
    actor      TEXT NOT NULL CHECK (length(actor) BETWEEN 1 AND 300),
    ip         TEXT,
    action     TEXT NOT NULL CHECK (action ~ '^[a-z_]+\.[a-z_]+$'),
    entity     TEXT NOT NULL CHECK (length(entity) BETWEEN 1 AND 60),
    entity_id  TEXT,
    before     JSONB,
    after      JSONB
);
CREATE INDEX audit_log_actor ON audit_log (actor_id, id);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id, id);
CREATE INDEX audit_log_at ON audit_log (at);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: entries cannot be changed or removed'
        USING ERRCODE = 'MR010';
END $$;

CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
