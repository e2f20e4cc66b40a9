-- Accounts, server-side sessions, sign-in throttling and persistent carts.

CREATE TYPE user_role AS ENUM ('customer', 'staff', 'admin');

CREATE TABLE users (
    id                   BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- Stored trimmed and lower-cased: one account per address, however it is typed.
    email                TEXT NOT NULL UNIQUE CHECK (email = lower(btrim(email)) AND email LIKE '%_@_%' AND length(email) <= 254),
    name                 TEXT NOT NULL DEFAULT '' CHECK (length(name) <= 200),
    -- argon2id in PHC string format; never the password.
    password_hash        TEXT NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
    role                 user_role NOT NULL DEFAULT 'customer',
    created_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    password_changed_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- A session is a browser: a guest's (user_id NULL, it holds their cart) or a customer's.
-- The cookie holds a random token; only its SHA-256 is stored, so a leaked table grants
-- nothing.
CREATE TABLE sessions (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_hash    BYTEA NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    user_id       BIGINT REFERENCES users (id) ON DELETE CASCADE,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_seen_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- The absolute limit; the idle limit is last_seen_at plus the configured idle time.
    expires_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id) WHERE user_id IS NOT NULL;
CREATE INDEX sessions_expiry ON sessions (expires_at);

-- Failed sign-ins, by account and by address, for throttling.
CREATE TABLE sign_in_failures (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email      TEXT NOT NULL,
    ip         TEXT NOT NULL,
    failed_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX sign_in_failures_email ON sign_in_failures (email, failed_at);
CREATE INDEX sign_in_failures_ip ON sign_in_failures (ip, failed_at);

-- A cart belongs to a customer or, for a guest, to a session; never both.
CREATE TABLE carts (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id     BIGINT UNIQUE REFERENCES users (id) ON DELETE CASCADE,
    session_id  BIGINT UNIQUE REFERENCES sessions (id) ON DELETE CASCADE,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK ((user_id IS NULL) <> (session_id IS NULL))
);

CREATE TABLE cart_lines (
    cart_id           BIGINT NOT NULL REFERENCES carts (id) ON DELETE CASCADE,
    variant_id        BIGINT NOT NULL REFERENCES variants (id) ON DELETE CASCADE,
    quantity          INTEGER NOT NULL CHECK (quantity BETWEEN 1 AND 9999),
    -- The price when the line was added or last changed: the cart warns when it moves.
    unit_price_minor  BIGINT NOT NULL CHECK (unit_price_minor >= 0),
    currency          CHAR(3) NOT NULL,
    added_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (cart_id, variant_id)
);
