-- A checkout whose SKUs have no other checkout in flight holds its stock in the same
-- transaction that opens the order: one call and one commit fewer per order. (A SKU
-- with checkouts in flight goes through the reservation batches instead, so a hot SKU
-- never queues transactions on its row.)

DROP FUNCTION order_open(TEXT, TEXT, BIGINT, TEXT, TEXT, BIGINT, BIGINT, BIGINT, BIGINT, BIGINT,
                         JSONB, TEXT, TEXT, BIGINT, TEXT, BIGINT, TEXT, TEXT,
                         BIGINT[], TEXT[], TEXT[], INTEGER[], BIGINT[]);

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

-- One hold has nothing to lock in order: its row is locked by the update itself.
CREATE OR REPLACE FUNCTION stock_finish(p_ids BIGINT[], p_order BIGINT, p_actor TEXT)
RETURNS TABLE (id BIGINT, variant_id BIGINT, warehouse_id BIGINT, quantity INTEGER)
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
#variable_conflict use_column
BEGIN
    IF cardinality(p_ids) = 0 THEN
        RETURN;
    END IF;
    IF cardinality(p_ids) > 1 THEN
        PERFORM 1 FROM stock_levels s
          WHERE (s.variant_id, s.warehouse_id) IN
                (SELECT r.variant_id, r.warehouse_id FROM reservations r
                  WHERE r.id = ANY (p_ids) AND r.status = 'active')
          ORDER BY s.variant_id, s.warehouse_id
            FOR UPDATE;
    END IF;
    RETURN QUERY
    WITH r AS (
        UPDATE reservations
           SET status = CASE WHEN p_order IS NULL THEN 'released'::reservation_status
                             ELSE 'sold'::reservation_status END,
               updated_at = now()
         WHERE id = ANY (p_ids) AND status = 'active'
        RETURNING id, variant_id, warehouse_id, quantity),
    per_level AS (
        SELECT variant_id, warehouse_id, sum(quantity)::int AS quantity
          FROM r GROUP BY variant_id, warehouse_id),
    level AS (
        UPDATE stock_levels s
           SET reserved = s.reserved - p.quantity,
               sold = s.sold + CASE WHEN p_order IS NULL THEN 0 ELSE p.quantity END,
               updated_at = now()
          FROM per_level p
         WHERE s.variant_id = p.variant_id AND s.warehouse_id = p.warehouse_id),
    moved AS (
        INSERT INTO stock_movements (variant_id, warehouse_id, kind, reserved_delta,
                                     sold_delta, reservation_id, order_id, actor)
        SELECT variant_id, warehouse_id,
               CASE WHEN p_order IS NULL THEN 'release'::stock_movement_kind ELSE 'sale'::stock_movement_kind END,
               -quantity, CASE WHEN p_order IS NULL THEN 0 ELSE quantity END, id, p_order, p_actor
          FROM r)
    SELECT id, variant_id, warehouse_id, quantity FROM r;
END $$;

-- Order events wake nobody: fulfilment reads them on its own round (every second) and
-- nothing LISTENs for them. A NOTIFY takes a database-wide lock that is held through
-- its transaction's commit, flush included, so every notifying commit waited for the
-- one before it (no group commit) and every order paid for two of them.
DROP TRIGGER outbox_notify ON outbox;
CREATE TRIGGER outbox_notify AFTER INSERT ON outbox
    FOR EACH ROW
    WHEN (NEW.topic NOT LIKE 'order.%')
    EXECUTE FUNCTION outbox_notify();
