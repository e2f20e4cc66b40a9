-- Order operations from the admin: refunds through the payment provider (asked for,
-- then given or refused), staff notes on an order, and the keys of admin forms already
-- handled (a double click, a retry or a second tab does a thing once).

-- A refund is written as asked for before the provider is called (so two staff members
-- refunding at once cannot give back more than was paid, line by line), then marked
-- given or refused. Only given refunds count anywhere.
CREATE TYPE refund_status AS ENUM ('pending', 'done', 'failed');
ALTER TABLE refunds
    ADD COLUMN status refund_status NOT NULL DEFAULT 'done',
    -- The payment it goes back to.
    ADD COLUMN provider_intent TEXT,
    -- Whether the shipping charge is part of it.
    ADD COLUMN shipping BOOLEAN NOT NULL DEFAULT false,
    -- Why the provider refused it.
    ADD COLUMN failure TEXT CHECK (length(failure) <= 500);
-- An order has at most one refund being asked for at a time.
CREATE UNIQUE INDEX refunds_one_pending ON refunds (order_id) WHERE status = 'pending';

CREATE TABLE order_notes (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id        BIGINT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    -- The staff member (audit actor's history name).
    author          TEXT NOT NULL,
    body            TEXT NOT NULL CHECK (length(body) BETWEEN 1 AND 2000),
    idempotency_key TEXT NOT NULL UNIQUE CHECK (length(idempotency_key) BETWEEN 16 AND 128),
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX order_notes_order ON order_notes (order_id, created_at);

-- Admin forms carry a key made when the page was drawn; an action that has no row of
-- its own to hold it (resending an e-mail, cancelling) records it here in the same
-- transaction as its effect.
CREATE TABLE admin_requests (
    key        TEXT PRIMARY KEY CHECK (length(key) BETWEEN 16 AND 128),
    action     TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
