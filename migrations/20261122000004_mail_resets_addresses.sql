-- E-mail leaves through an outbox: written in the transaction that decides to send it,
-- delivered afterwards by a worker (to a maildir by default), so no e-mail is sent for
-- a change that rolled back and none is lost when delivery fails for a while.
CREATE TABLE emails (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    to_address  TEXT NOT NULL,
    subject     TEXT NOT NULL,
    body        TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    sent_at     TIMESTAMPTZ,
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT
);
CREATE INDEX emails_unsent ON emails (id) WHERE sent_at IS NULL;

-- Single-use password reset tokens; only their SHA-256 is stored.
CREATE TABLE password_resets (
    token_hash  BYTEA PRIMARY KEY CHECK (length(token_hash) = 32),
    user_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at  TIMESTAMPTZ NOT NULL,
    used_at     TIMESTAMPTZ
);
CREATE INDEX password_resets_user ON password_resets (user_id);

-- Customers' saved addresses (the checkout offers them).
CREATE TABLE addresses (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    full_name    TEXT NOT NULL CHECK (length(full_name) BETWEEN 1 AND 200),
    line1        TEXT NOT NULL CHECK (length(line1) BETWEEN 1 AND 200),
    line2        TEXT NOT NULL DEFAULT '' CHECK (length(line2) <= 200),
    city         TEXT NOT NULL CHECK (length(city) BETWEEN 1 AND 100),
    region       TEXT NOT NULL DEFAULT '' CHECK (length(region) <= 100),
    postal_code  TEXT NOT NULL CHECK (length(postal_code) BETWEEN 1 AND 20),
    country      CHAR(2) NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
    phone        TEXT NOT NULL DEFAULT '' CHECK (length(phone) <= 40),
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX addresses_user ON addresses (user_id, id);
