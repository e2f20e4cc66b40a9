-- The architecture pass: the order remembers the delivery method as the shopper saw it
-- and each line's share of the discount (for refunds by line); every currency column is
-- checked to be a currency; the sandbox payment provider's books are part of the schema.

ALTER TABLE orders ADD COLUMN shipping_label TEXT;
ALTER TABLE order_lines ADD COLUMN discount_minor BIGINT NOT NULL DEFAULT 0
    CHECK (discount_minor >= 0 AND discount_minor <= unit_price_minor * quantity);

-- Currencies are three capital letters everywhere (variants were already checked).
ALTER TABLE cart_lines ADD CONSTRAINT cart_lines_currency CHECK (currency ~ '^[A-Z]{3}$');
ALTER TABLE orders ADD CONSTRAINT orders_currency CHECK (currency ~ '^[A-Z]{3}$');
ALTER TABLE discount_codes ADD CONSTRAINT discount_codes_currency
    CHECK (currency IS NULL OR currency ~ '^[A-Z]{3}$');

-- A new order with its lines, placed straight into payment_processing (its pending step
-- recorded too). `p` is the order's draft (app/src/orders/ssr/placement.rs `OrderDraft`); its `hold_secs`, when set, also holds the
-- units for that long (each SKU from one warehouse, in SKU order; none available: MR002,
-- nothing written). One row comes back:
--   ('opened', id, number)     the order exists now;
--   ('twin', id, number)       the form's key made this order already (nothing written);
--   ('cart_open', id, number)  another placement of the same cart is being paid: this is
--                              its order (nothing written);
--   ('retry', NULL, NULL)      the conflicting order finished meanwhile: try again.
-- When the cart no longer holds what the draft was priced from (a placement of it was
-- confirmed meanwhile, or it changed), nothing is written and the error is MR003.
CREATE OR REPLACE FUNCTION order_open(p JSONB)
RETURNS TABLE (outcome TEXT, order_id BIGINT, order_number TEXT)
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
#variable_conflict use_column
DECLARE
    v_id BIGINT;
    v_cart BIGINT := (p->>'cart_id')::bigint;
    v_holder TEXT := p->>'holder';
    v_region TEXT := p->>'region';
    v_hold DOUBLE PRECISION := (p->>'hold_secs')::float8;
    v_line RECORD;
BEGIN
    PERFORM set_config('mercato.actor', p->>'actor', true), set_config('mercato.reason', '', true);
    INSERT INTO orders (number, idempotency_key, user_id, email, currency, subtotal_minor,
                        discount_minor, shipping_minor, tax_minor, total_minor, shipping_address,
                        region, holder, cart_id, shipping_method, shipping_label, weight_grams,
                        discount_code, status)
    VALUES (p->>'number', p->>'idempotency_key', (p->>'user_id')::bigint, p->>'email',
            p->>'currency', (p->>'subtotal_minor')::bigint, (p->>'discount_minor')::bigint,
            (p->>'shipping_minor')::bigint, (p->>'tax_minor')::bigint,
            (p->>'total_minor')::bigint, p->'shipping_address', v_region, v_holder, v_cart,
            p->>'shipping_method', p->>'shipping_label', (p->>'weight_grams')::bigint,
            p->>'discount_code', 'payment_processing')
    ON CONFLICT DO NOTHING
    RETURNING id INTO v_id;
    IF v_id IS NULL THEN
        RETURN QUERY SELECT 'twin'::text, o.id, o.number
                       FROM orders o WHERE o.idempotency_key = p->>'idempotency_key';
        IF FOUND THEN
            RETURN;
        END IF;
        RETURN QUERY SELECT 'cart_open'::text, o.id, o.number
                       FROM orders o
                      WHERE o.cart_id = v_cart AND o.status IN ('pending', 'payment_processing');
        IF FOUND THEN
            RETURN;
        END IF;
        RETURN QUERY SELECT 'retry'::text, NULL::bigint, NULL::text;
        RETURN;
    END IF;
    INSERT INTO order_lines (order_id, position, variant_id, sku, title, quantity,
                             unit_price_minor, discount_minor)
    SELECT v_id, l.position, l.variant_id, l.sku, l.title, l.quantity, l.unit_price_minor,
           coalesce(l.discount_minor, 0)
      FROM jsonb_to_recordset(p->'lines')
           AS l(position INTEGER, variant_id BIGINT, sku TEXT, title TEXT, quantity INTEGER,
                unit_price_minor BIGINT, discount_minor BIGINT);
    -- The cart must still hold exactly what was priced. This statement reads after any
    -- confirmation of this cart that the insert above waited for, so a placement priced
    -- before another one's confirmation can never charge for the same lines again.
    IF v_cart IS NOT NULL AND EXISTS (
        SELECT 1 FROM order_lines ol
          LEFT JOIN cart_lines c ON c.cart_id = v_cart AND c.variant_id = ol.variant_id
         WHERE ol.order_id = v_id AND c.quantity IS DISTINCT FROM ol.quantity) THEN
        RAISE EXCEPTION 'cart % no longer holds what order % was priced from', v_cart, p->>'number'
            USING ERRCODE = 'MR003';
    END IF;
    IF v_hold IS NOT NULL THEN
        -- One statement per SKU, in SKU order (two such orders never wait on each other
        -- in a circle; the reservation batches lock one row per statement): the warehouse
        -- is picked and its row locked, then raised by its primary key.
        FOR v_line IN
            SELECT ol.variant_id AS variant, sum(ol.quantity)::int AS quantity
              FROM order_lines ol WHERE ol.order_id = v_id
             GROUP BY ol.variant_id ORDER BY ol.variant_id
        LOOP
            WITH level AS (
                UPDATE stock_levels s
                   SET reserved = s.reserved + v_line.quantity, updated_at = now()
                 WHERE s.variant_id = v_line.variant
                   AND s.warehouse_id = (
                       SELECT sl.warehouse_id
                         FROM stock_levels sl
                         JOIN warehouses h ON h.id = sl.warehouse_id AND h.active
                        WHERE sl.variant_id = v_line.variant
                          AND sl.on_hand - sl.reserved - sl.sold >= v_line.quantity
                        ORDER BY (h.region = v_region) DESC NULLS LAST, h.priority, h.id
                        LIMIT 1
                          FOR UPDATE OF sl)
                RETURNING s.warehouse_id),
            r AS (
                INSERT INTO reservations (holder, variant_id, warehouse_id, quantity, expires_at)
                SELECT v_holder, v_line.variant, warehouse_id, v_line.quantity,
                       now() + make_interval(secs => v_hold)
                  FROM level
                RETURNING id, warehouse_id)
            INSERT INTO stock_movements
                   (variant_id, warehouse_id, kind, reserved_delta, reservation_id, actor)
            SELECT v_line.variant, warehouse_id, 'reservation', v_line.quantity, id,
                   'checkout:' || v_holder
              FROM r;
            IF NOT FOUND THEN
                RAISE EXCEPTION 'order % found no one warehouse with % of variant %',
                    p->>'number', v_line.quantity, v_line.variant
                    USING ERRCODE = 'MR002';
            END IF;
        END LOOP;
    END IF;
    RETURN QUERY SELECT 'opened'::text, v_id, p->>'number';
END $$;

-- The sandbox payment provider and carrier (server/src/sandbox/) keep their books in a
-- schema of their own, as a real provider would keep its own database. (A sandbox that
-- ran before this migration made them itself: IF NOT EXISTS keeps what it made.)
CREATE SCHEMA IF NOT EXISTS payments_sandbox;
CREATE TABLE IF NOT EXISTS payments_sandbox.intents (
    id TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    amount BIGINT NOT NULL,
    currency TEXT NOT NULL,
    captured BIGINT NOT NULL DEFAULT 0,
    refunded BIGINT NOT NULL DEFAULT 0,
    reference TEXT NOT NULL,
    last4 TEXT NOT NULL,
    card_token TEXT,
    decline_code TEXT,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now());
CREATE INDEX IF NOT EXISTS intents_reference ON payments_sandbox.intents (reference);
ALTER TABLE payments_sandbox.intents
    ADD CONSTRAINT intents_status CHECK (status IN ('authorized', 'declined', 'voided', 'captured',
                                                    'partially_refunded', 'refunded')),
    ADD CONSTRAINT intents_currency CHECK (currency ~ '^[A-Z]{3}$'),
    ADD CONSTRAINT intents_amounts CHECK (amount > 0 AND captured BETWEEN 0 AND amount
                                          AND refunded BETWEEN 0 AND captured);
CREATE TABLE IF NOT EXISTS payments_sandbox.idempotency (
    key TEXT NOT NULL,
    endpoint TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status SMALLINT NOT NULL DEFAULT 0,
    body JSONB,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (key, endpoint));
CREATE TABLE IF NOT EXISTS payments_sandbox.events (
    id TEXT PRIMARY KEY,
    body JSONB NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    delivered_at TIMESTAMPTZ,
    last_error TEXT,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now());
CREATE INDEX IF NOT EXISTS events_pending ON payments_sandbox.events (next_attempt_at)
    WHERE delivered_at IS NULL;
-- The sandbox carrier's parcels: one label per reference.
CREATE TABLE IF NOT EXISTS payments_sandbox.parcels (
    tracking_number TEXT PRIMARY KEY,
    reference TEXT NOT NULL UNIQUE,
    weight_grams BIGINT NOT NULL,
    origin TEXT NOT NULL,
    to_country TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now());
