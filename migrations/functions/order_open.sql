-- The current source of order_open, as the migrations define it (20261127000001_checkout_inline_holds.sql, 20261203000001_architecture.sql, 20261210000001_flash_sales.sql, 20261212000001_order_risk.sql).
-- A migration that changes it repeats it whole, and this file with it: a test
-- checks that the migrated database runs exactly this.

-- The positional form, kept one release for instances still running the previous code
-- during a rolling deploy (a later migration drops it).
--
-- A new order with its lines, placed straight into payment_processing: both steps
-- (pending, then payment_processing) are recorded with their events. Returns its id, or
-- NULL when the idempotency key is taken (a twin's order; nothing is written). A
-- discount code's use is the caller's, in the same transaction.
--
-- With `p_hold_secs`, the order's units are also held for that long under its holder,
-- each SKU from one warehouse (the region's first, then by priority) in SKU order. When
-- a SKU has no single warehouse with enough, nothing at all is written and the error's
-- code is MR002: the caller holds through the reservation service (which can split a
-- line across warehouses, or names the short SKU) and opens the order without holds.
-- (Generic plans: custom ones for the array arguments were planned at every call.)
CREATE FUNCTION order_open(
    p_number TEXT, p_key TEXT, p_user BIGINT, p_email TEXT, p_currency TEXT,
    p_subtotal BIGINT, p_discount BIGINT, p_shipping BIGINT, p_tax BIGINT, p_total BIGINT,
    p_address JSONB, p_region TEXT, p_holder TEXT, p_cart BIGINT, p_method TEXT,
    p_weight BIGINT, p_code TEXT, p_actor TEXT,
    p_variants BIGINT[], p_skus TEXT[], p_titles TEXT[], p_quantities INTEGER[], p_prices BIGINT[],
    p_hold_secs DOUBLE PRECISION)
RETURNS BIGINT LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
DECLARE
    v_id BIGINT;
    v_line RECORD;
BEGIN
    PERFORM set_config('mercato.actor', p_actor, true), set_config('mercato.reason', '', true);
    INSERT INTO orders (number, idempotency_key, user_id, email, currency, subtotal_minor,
                        discount_minor, shipping_minor, tax_minor, total_minor, shipping_address,
                        region, holder, cart_id, shipping_method, weight_grams, discount_code,
                        status)
    VALUES (p_number, p_key, p_user, p_email, p_currency, p_subtotal, p_discount, p_shipping,
            p_tax, p_total, p_address, p_region, p_holder, p_cart, p_method, p_weight, p_code,
            'payment_processing')
    ON CONFLICT (idempotency_key) DO NOTHING
    RETURNING id INTO v_id;
    IF v_id IS NULL THEN
        RETURN NULL;
    END IF;
    INSERT INTO order_lines (order_id, position, variant_id, sku, title, quantity, unit_price_minor)
    SELECT v_id, (l.n - 1)::int, l.variant, l.sku, l.title, l.quantity, l.price
      FROM unnest(p_variants, p_skus, p_titles, p_quantities, p_prices)
           WITH ORDINALITY AS l(variant, sku, title, quantity, price, n);
    IF p_hold_secs IS NULL THEN
        RETURN v_id;
    END IF;
    -- One statement per SKU, in SKU order (so two such orders never wait on each other
    -- in a circle; the reservation batches lock one row per statement): the warehouse is
    -- picked and its row locked, then raised by its primary key, whatever the planner
    -- thinks of the table's size.
    FOR v_line IN
        SELECT l.variant, sum(l.quantity)::int AS quantity
          FROM unnest(p_variants, p_quantities) AS l(variant, quantity)
         GROUP BY l.variant ORDER BY l.variant
    LOOP
        WITH level AS (
            UPDATE stock_levels s
               SET reserved = s.reserved + v_line.quantity, updated_at = now()
             WHERE s.variant_id = v_line.variant
               AND s.warehouse_id = (
                   SELECT p.warehouse_id
                     FROM stock_levels p
                     JOIN warehouses h ON h.id = p.warehouse_id AND h.active
                    WHERE p.variant_id = v_line.variant
                      AND p.on_hand - p.reserved - p.sold >= v_line.quantity
                    ORDER BY (h.region = p_region) DESC NULLS LAST, h.priority, h.id
                    LIMIT 1
                      FOR UPDATE OF p)
            RETURNING s.warehouse_id),
        r AS (
            INSERT INTO reservations (holder, variant_id, warehouse_id, quantity, expires_at)
            SELECT p_holder, v_line.variant, warehouse_id, v_line.quantity,
                   now() + make_interval(secs => p_hold_secs)
              FROM level
            RETURNING id, warehouse_id)
        INSERT INTO stock_movements
               (variant_id, warehouse_id, kind, reserved_delta, reservation_id, actor)
        SELECT v_line.variant, warehouse_id, 'reservation', v_line.quantity, id,
               'checkout:' || p_holder
          FROM r;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'order % found no one warehouse with % of variant %',
                p_number, v_line.quantity, v_line.variant
                USING ERRCODE = 'MR002';
        END IF;
    END LOOP;
    RETURN v_id;
END $$;

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
