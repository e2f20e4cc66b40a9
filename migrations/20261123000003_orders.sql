-- Orders: one state machine, enforced here as well as in the code; every transition
-- recorded with its time and actor, and an outbox event in the same transaction.
-- Payments keep the provider's intent id, card token and last four digits, nothing more.

CREATE TYPE order_status AS ENUM (
    'pending', 'payment_processing', 'confirmed', 'fulfilment', 'shipped', 'delivered',
    'cancelled', 'refunded', 'partially_refunded');

-- The allowed transitions (app/src/orders/model.rs holds the same list; a test compares).
CREATE TABLE order_status_transitions (
    from_status order_status NOT NULL,
    to_status   order_status NOT NULL,
    PRIMARY KEY (from_status, to_status)
);
INSERT INTO order_status_transitions VALUES
    ('pending', 'payment_processing'),
    ('pending', 'cancelled'),
    ('payment_processing', 'pending'),
    ('payment_processing', 'confirmed'),
    ('payment_processing', 'cancelled'),
    ('confirmed', 'fulfilment'),
    ('confirmed', 'cancelled'),
    ('confirmed', 'refunded'),
    ('confirmed', 'partially_refunded'),
    ('fulfilment', 'shipped'),
    ('shipped', 'delivered'),
    ('delivered', 'refunded'),
    ('delivered', 'partially_refunded'),
    ('partially_refunded', 'partially_refunded'),
    ('partially_refunded', 'refunded');

CREATE TABLE tax_rates (
    region      TEXT PRIMARY KEY REFERENCES regions (code),
    -- Basis points: 2000 = 20%.
    rate_bp     INTEGER NOT NULL CHECK (rate_bp BETWEEN 0 AND 10000),
    name        TEXT NOT NULL DEFAULT 'Tax'
);

CREATE TABLE orders (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- What the shopper sees and quotes: unguessable, short.
    number           TEXT NOT NULL UNIQUE,
    -- The checkout form's key: a double click, a retry or a second tab finds this order.
    idempotency_key  TEXT NOT NULL UNIQUE CHECK (length(idempotency_key) BETWEEN 16 AND 128),
    user_id          BIGINT REFERENCES users (id) ON DELETE SET NULL,
    email            TEXT NOT NULL CHECK (email LIKE '%_@_%' AND length(email) <= 254),
    status           order_status NOT NULL DEFAULT 'pending',
    currency         CHAR(3) NOT NULL,
    subtotal_minor   BIGINT NOT NULL CHECK (subtotal_minor >= 0),
    discount_minor   BIGINT NOT NULL DEFAULT 0 CHECK (discount_minor >= 0),
    shipping_minor   BIGINT NOT NULL DEFAULT 0 CHECK (shipping_minor >= 0),
    tax_minor        BIGINT NOT NULL DEFAULT 0 CHECK (tax_minor >= 0),
    total_minor      BIGINT NOT NULL CHECK (total_minor = subtotal_minor - discount_minor + shipping_minor + tax_minor AND total_minor >= 0),
    shipping_address JSONB NOT NULL,
    region           TEXT NOT NULL REFERENCES regions (code),
    -- The stock held for it (inventory reservations' holder).
    holder           TEXT NOT NULL UNIQUE,
    -- The cart it came from: its lines go when the order is confirmed.
    cart_id          BIGINT REFERENCES carts (id) ON DELETE SET NULL,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX orders_user ON orders (user_id, created_at DESC) WHERE user_id IS NOT NULL;
CREATE INDEX orders_unsettled ON orders (updated_at) WHERE status IN ('pending', 'payment_processing');

CREATE TABLE order_lines (
    order_id         BIGINT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    position         INTEGER NOT NULL,
    variant_id       BIGINT NOT NULL REFERENCES variants (id),
    sku              TEXT NOT NULL,
    title            TEXT NOT NULL,
    quantity         INTEGER NOT NULL CHECK (quantity > 0),
    unit_price_minor BIGINT NOT NULL CHECK (unit_price_minor >= 0),
    PRIMARY KEY (order_id, position)
);

CREATE TABLE order_transitions (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id    BIGINT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    from_status order_status,
    to_status   order_status NOT NULL,
    actor       TEXT NOT NULL,
    reason      TEXT,
    at          TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX order_transitions_order ON order_transitions (order_id, id);

-- The database refuses a transition the machine does not have, whoever writes ...
CREATE FUNCTION orders_status_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' AND NEW.status <> 'pending' THEN
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
CREATE TRIGGER orders_status_guard BEFORE INSERT OR UPDATE ON orders
    FOR EACH ROW EXECUTE FUNCTION orders_status_guard();

-- ... and records every one it allows, with an outbox event, in the same transaction.
-- The actor and reason come from the transaction's settings `mercato.actor` and
-- `mercato.reason`.
CREATE FUNCTION orders_status_record() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' OR NEW.status IS DISTINCT FROM OLD.status THEN
        INSERT INTO order_transitions (order_id, from_status, to_status, actor, reason)
        VALUES (NEW.id, CASE WHEN TG_OP = 'UPDATE' THEN OLD.status END, NEW.status,
                mercato_actor(), nullif(current_setting('mercato.reason', true), ''));
        PERFORM outbox_enqueue('order.' || NEW.status::text, NEW.id::text,
                               jsonb_build_object('number', NEW.number));
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER orders_status_record AFTER INSERT OR UPDATE OF status ON orders
    FOR EACH ROW EXECUTE FUNCTION orders_status_record();

CREATE TABLE payments (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id          BIGINT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    provider_intent   TEXT NOT NULL UNIQUE,
    status            TEXT NOT NULL,
    amount_minor      BIGINT NOT NULL,
    captured_minor    BIGINT NOT NULL DEFAULT 0,
    refunded_minor    BIGINT NOT NULL DEFAULT 0,
    last4             CHAR(4) NOT NULL,
    card_token        TEXT,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at        TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX payments_order ON payments (order_id);
