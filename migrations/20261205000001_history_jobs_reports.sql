-- Order history and what reports read: refunds as rows of their own (when, how much,
-- which lines), background jobs with their progress, an import of past orders that
-- writes them in their real past states, and the indexes the dashboard reads by.

-- A refund: money given back against an order's payment, with the lines it was for.
CREATE TABLE refunds (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id         BIGINT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    amount_minor     BIGINT NOT NULL CHECK (amount_minor > 0),
    currency         CHAR(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    reason           TEXT NOT NULL DEFAULT '' CHECK (length(reason) <= 500),
    -- The provider's id for it (a history import has none).
    provider_refund  TEXT UNIQUE,
    -- Where returned stock went back to, if it did.
    restock_warehouse BIGINT REFERENCES warehouses (id),
    actor            TEXT NOT NULL,
    -- A form's key, or an import's name for the row: the same key is the same refund.
    idempotency_key  TEXT NOT NULL UNIQUE CHECK (length(idempotency_key) BETWEEN 8 AND 128),
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX refunds_order ON refunds (order_id);
CREATE INDEX refunds_created ON refunds (created_at);

CREATE TABLE refund_lines (
    refund_id     BIGINT NOT NULL REFERENCES refunds (id) ON DELETE CASCADE,
    -- The order line (order_lines.position of the refund's order).
    position      INTEGER NOT NULL,
    quantity      INTEGER NOT NULL CHECK (quantity > 0),
    amount_minor  BIGINT NOT NULL CHECK (amount_minor >= 0),
    PRIMARY KEY (refund_id, position)
);

-- Background jobs (imports, exports): queued, claimed by one instance at a time
-- (FOR UPDATE SKIP LOCKED), their progress written as they go. A running job whose
-- heartbeat stops (its instance died) is taken up again; every kind of job is safe to
-- run twice.
CREATE TYPE job_status AS ENUM ('queued', 'running', 'done', 'failed');
CREATE TABLE jobs (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind ~ '^[a-z][a-z0-9_.-]{0,63}$'),
    status        job_status NOT NULL DEFAULT 'queued',
    -- What to do (the kind's own JSON) and who asked (NULL: the shop itself).
    input         JSONB NOT NULL DEFAULT '{}',
    requested_by  BIGINT REFERENCES users (id) ON DELETE SET NULL,
    -- Progress: `done` of `total` units (invoices, rows), and a line saying where it is.
    total         BIGINT NOT NULL DEFAULT 0 CHECK (total >= 0),
    done          BIGINT NOT NULL DEFAULT 0 CHECK (done >= 0),
    stage         TEXT NOT NULL DEFAULT '',
    -- What came of it: counts, and the rows left out with their line numbers and reasons.
    report        JSONB,
    error         TEXT,
    attempts      INTEGER NOT NULL DEFAULT 0,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    started_at    TIMESTAMPTZ,
    heartbeat_at  TIMESTAMPTZ,
    finished_at   TIMESTAMPTZ
);
CREATE INDEX jobs_waiting ON jobs (id) WHERE status IN ('queued', 'running');
CREATE INDEX jobs_recent ON jobs (created_at DESC);

-- The dashboard reads orders by when they were placed.
CREATE INDEX orders_created ON orders (created_at);
CREATE INDEX order_transitions_at ON order_transitions (to_status, at);

-- An import of past orders (`mercato.history` set in its transaction) writes each order
-- in the state it reached and its transitions at the times they happened, and wakes no
-- worker: nothing is allocated, charged or e-mailed for an order delivered years ago.
-- Every other writer goes through the state machine as before.
CREATE OR REPLACE FUNCTION orders_status_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('mercato.history', true) = 'on' THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'INSERT' AND NEW.status NOT IN ('pending', 'payment_processing') THEN
        RAISE EXCEPTION 'an order starts as pending, not %', NEW.status
            USING ERRCODE = 'check_violation', CONSTRAINT = 'order_status_transition';
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.status IS DISTINCT FROM OLD.status
       AND NOT EXISTS (SELECT 1 FROM order_status_transitions
                        WHERE from_status = OLD.status AND to_status = NEW.status) THEN
        RAISE EXCEPTION 'an order cannot go from % to %', OLD.status, NEW.status
            USING ERRCODE = 'check_violation', CONSTRAINT = 'order_status_transition';
    END IF;
    NEW.updated_at := now();
    RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION orders_status_record() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    v_payload JSONB := jsonb_build_object('number', NEW.number);
BEGIN
    IF current_setting('mercato.history', true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' AND NEW.status = 'payment_processing' THEN
        INSERT INTO order_transitions (order_id, from_status, to_status, actor, reason)
        VALUES (NEW.id, NULL, 'pending', mercato_actor(), NULL),
               (NEW.id, 'pending', 'payment_processing', 'checkout', NULL);
        INSERT INTO outbox (topic, aggregate_id, payload)
        VALUES ('order.pending', NEW.id::text, v_payload),
               ('order.payment_processing', NEW.id::text, v_payload);
    ELSIF TG_OP = 'INSERT' OR NEW.status IS DISTINCT FROM OLD.status THEN
        INSERT INTO order_transitions (order_id, from_status, to_status, actor, reason)
        VALUES (NEW.id, CASE WHEN TG_OP = 'UPDATE' THEN OLD.status END, NEW.status,
                mercato_actor(), nullif(current_setting('mercato.reason', true), ''));
        INSERT INTO outbox (topic, aggregate_id, payload)
        VALUES ('order.' || NEW.status::text, NEW.id::text, v_payload);
    END IF;
    RETURN NULL;
END $$;

-- A variant is low on stock at or below this many units available (all warehouses).
ALTER TABLE variants ADD COLUMN low_stock_at INTEGER NOT NULL DEFAULT 5 CHECK (low_stock_at >= 0);
-- Whether a guest who orders has ordered before (new or returning customers).
CREATE INDEX orders_email_created ON orders (email, created_at);
-- The admin's order list filtered by status, newest first.
CREATE INDEX orders_status_created ON orders (status, created_at DESC, id DESC);
