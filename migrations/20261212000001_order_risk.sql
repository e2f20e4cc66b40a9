-- Fraud checks, their first step (app/src/risk/): every order placed at checkout is
-- assessed before it is opened, and the assessment is written with it by order_open.
-- Orders from before (the imported history) have none. The client's address is kept
-- with the order for the next assessments (orders from one address); it is personal
-- data, and a customer's erasure removes it.
CREATE TYPE risk_level AS ENUM ('low', 'medium', 'high');

ALTER TABLE orders
    ADD COLUMN risk_level   risk_level,
    ADD COLUMN risk_score   SMALLINT CHECK (risk_score BETWEEN 0 AND 100),
    ADD COLUMN risk_signals JSONB CHECK (jsonb_typeof(risk_signals) = 'array'),
    ADD COLUMN client_addr  INET,
    ADD CONSTRAINT orders_risk_whole
        CHECK ((risk_level IS NULL) = (risk_score IS NULL)
               AND (risk_level IS NULL) = (risk_signals IS NULL));

-- The admin's list filtered by risk, newest first; the assessments' orders by address.
CREATE INDEX orders_risk_created ON orders (risk_level, created_at DESC, id DESC)
    WHERE risk_level IS NOT NULL;
CREATE INDEX orders_client_created ON orders (client_addr, created_at)
    WHERE client_addr IS NOT NULL;

-- order_open (p JSONB) learns `flash`: lines held at a sale's price, each an admitted
-- entry whose reservation the order takes over (MR004 and nothing written when it is no
-- longer held); its own holds skip those variants.
-- It also writes the order's risk assessment (`risk`: level, score, signals) and the
-- client's address with the order (20261212000001_order_risk.sql).
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
    v_flash_secs DOUBLE PRECISION := coalesce((p->>'flash_hold_secs')::float8, 900);
    v_flash BIGINT[] := ARRAY(SELECT (f->>'variant_id')::bigint
                                FROM jsonb_array_elements(coalesce(p->'flash', '[]')) f);
    v_line RECORD;
BEGIN
    PERFORM set_config('mercato.actor', p->>'actor', true), set_config('mercato.reason', '', true);
    INSERT INTO orders (number, idempotency_key, user_id, email, currency, subtotal_minor,
                        discount_minor, shipping_minor, tax_minor, total_minor, shipping_address,
                        region, holder, cart_id, shipping_method, shipping_label, weight_grams,
                        discount_code, status, risk_level, risk_score, risk_signals,
                        client_addr)
    VALUES (p->>'number', p->>'idempotency_key', (p->>'user_id')::bigint, p->>'email',
            p->>'currency', (p->>'subtotal_minor')::bigint, (p->>'discount_minor')::bigint,
            (p->>'shipping_minor')::bigint, (p->>'tax_minor')::bigint,
            (p->>'total_minor')::bigint, p->'shipping_address', v_region, v_holder, v_cart,
            p->>'shipping_method', p->>'shipping_label', (p->>'weight_grams')::bigint,
            p->>'discount_code', 'payment_processing', (p->'risk'->>'level')::risk_level,
            (p->'risk'->>'score')::smallint, p->'risk'->'signals', (p->>'client_addr')::inet)
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
    -- Lines at a sale's price: the entry's hold becomes the order's (its row alone is
    -- locked: the bucket's stock row is not touched), the entry is ordered.
    FOR v_line IN
        SELECT (f->>'entry_id')::bigint AS entry, (f->>'variant_id')::bigint AS variant,
               (f->>'quantity')::int AS quantity
          FROM jsonb_array_elements(coalesce(p->'flash', '[]')) f
    LOOP
        UPDATE flash_entries e SET state = 'ordered', order_id = v_id, updated_at = now()
         WHERE e.id = v_line.entry AND e.state = 'admitted' AND e.quantity = v_line.quantity
           AND e.user_id IS NOT DISTINCT FROM (p->>'user_id')::bigint;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'order %: the sale hold of entry % has ended', p->>'number', v_line.entry
                USING ERRCODE = 'MR004';
        END IF;
        UPDATE reservations r
           SET holder = v_holder, updated_at = now(),
               expires_at = greatest(r.expires_at, now() + make_interval(secs => v_flash_secs))
         WHERE r.holder = 'flash:' || v_line.entry AND r.status = 'active'
           AND r.variant_id = v_line.variant AND r.quantity = v_line.quantity;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'order %: the sale hold of entry % has ended', p->>'number', v_line.entry
                USING ERRCODE = 'MR004';
        END IF;
    END LOOP;
    IF v_hold IS NOT NULL THEN
        -- One statement per SKU, in SKU order (two such orders never wait on each other
        -- in a circle; the reservation batches lock one row per statement): the warehouse
        -- is picked and its row locked, then raised by its primary key.
        FOR v_line IN
            SELECT ol.variant_id AS variant, sum(ol.quantity)::int AS quantity
              FROM order_lines ol WHERE ol.order_id = v_id AND ol.variant_id <> ALL (v_flash)
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
