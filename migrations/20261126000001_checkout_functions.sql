-- Checkout's two order transactions as one call each: a round trip per statement was
-- most of an order's cost (the statements themselves are unchanged). Every trigger
-- (the status guard, transitions and their outbox events, the stock figures) still runs.

-- Ends active holds: released (`p_order` NULL) or sold to `p_order`. The stock rows are
-- locked in (variant, warehouse) order first, so two finishers never wait in a circle.
-- Returns the holds it ended; holds no longer active are skipped. Its plans are generic:
-- planned for each array of ids, its statements cost more to plan than to run.
CREATE FUNCTION stock_finish(p_ids BIGINT[], p_order BIGINT, p_actor TEXT)
RETURNS TABLE (id BIGINT, variant_id BIGINT, warehouse_id BIGINT, quantity INTEGER)
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
#variable_conflict use_column
BEGIN
    IF cardinality(p_ids) = 0 THEN
        RETURN;
    END IF;
    PERFORM 1 FROM stock_levels s
      WHERE (s.variant_id, s.warehouse_id) IN
            (SELECT r.variant_id, r.warehouse_id FROM reservations r
              WHERE r.id = ANY (p_ids) AND r.status = 'active')
      ORDER BY s.variant_id, s.warehouse_id
        FOR UPDATE;
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

-- A holder's active holds, oldest first.
-- (PL/pgSQL, whose plan is kept: a SQL function would be planned at every call.)
CREATE FUNCTION active_holds(p_holder TEXT) RETURNS BIGINT[] LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN ARRAY(SELECT id FROM reservations
                  WHERE holder = p_holder AND status = 'active' ORDER BY id);
END $$;

-- A new order with its lines, placed straight into payment_processing: both steps
-- (pending, then payment_processing) are recorded with their events. Returns its id, or NULL when the idempotency key is taken
-- (a twin's order; nothing is written). A discount code's use is the caller's, in the
-- same transaction.
CREATE FUNCTION order_open(
    p_number TEXT, p_key TEXT, p_user BIGINT, p_email TEXT, p_currency TEXT,
    p_subtotal BIGINT, p_discount BIGINT, p_shipping BIGINT, p_tax BIGINT, p_total BIGINT,
    p_address JSONB, p_region TEXT, p_holder TEXT, p_cart BIGINT, p_method TEXT,
    p_weight BIGINT, p_code TEXT, p_actor TEXT,
    p_variants BIGINT[], p_skus TEXT[], p_titles TEXT[], p_quantities INTEGER[], p_prices BIGINT[])
RETURNS BIGINT LANGUAGE plpgsql AS $$
DECLARE
    v_id BIGINT;
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
    RETURN v_id;
END $$;

-- The provider's view of a payment: its intent id, token and last four digits.
CREATE FUNCTION payment_record(
    p_order BIGINT, p_intent TEXT, p_status TEXT, p_amount BIGINT, p_captured BIGINT,
    p_refunded BIGINT, p_last4 TEXT, p_token TEXT)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO payments (order_id, provider_intent, status, amount_minor, captured_minor,
                          refunded_minor, last4, card_token)
    VALUES (p_order, p_intent, p_status, p_amount, p_captured, p_refunded, p_last4, p_token)
    ON CONFLICT (provider_intent) DO UPDATE
       SET status = EXCLUDED.status, captured_minor = EXCLUDED.captured_minor,
           refunded_minor = EXCLUDED.refunded_minor, updated_at = now();
END $$;

-- Confirms a paid order: payment_processing to confirmed, its holds sold (every one of
-- `p_units` must still be held, else nothing at all is written and the error's code is
-- MR001: the money must go back), the payment recorded, the bought lines out of the
-- cart. Returns 'confirmed', or the status the order had when it was not
-- payment_processing (a twin finished it first); NULL if there is no such order.
CREATE FUNCTION order_confirm(
    p_order BIGINT, p_units BIGINT, p_actor TEXT,
    p_intent TEXT, p_status TEXT, p_amount BIGINT, p_captured BIGINT, p_refunded BIGINT,
    p_last4 TEXT, p_token TEXT)
RETURNS order_status LANGUAGE plpgsql AS $$
DECLARE
    v_holder TEXT;
    v_status order_status;
    v_sold BIGINT;
BEGIN
    PERFORM set_config('mercato.actor', p_actor, true), set_config('mercato.reason', '', true);
    -- The order's row first: twins wait here for each other.
    UPDATE orders SET status = 'confirmed'
     WHERE id = p_order AND status = 'payment_processing'
    RETURNING holder INTO v_holder;
    IF NOT FOUND THEN
        SELECT status INTO v_status FROM orders WHERE id = p_order;
        RETURN v_status;
    END IF;
    SELECT coalesce(sum(f.quantity), 0) INTO v_sold
      FROM stock_finish(active_holds(v_holder), p_order, p_actor) f;
    IF v_sold <> p_units THEN
        RAISE EXCEPTION 'order % has % of its % units held', p_order, v_sold, p_units
            USING ERRCODE = 'MR001';
    END IF;
    PERFORM payment_record(p_order, p_intent, p_status, p_amount, p_captured, p_refunded,
                           p_last4, p_token);
    DELETE FROM cart_lines l USING orders o, order_lines ol
     WHERE o.id = p_order AND ol.order_id = o.id
       AND l.cart_id = o.cart_id AND l.variant_id = ol.variant_id;
    RETURN 'confirmed';
END $$;

-- Triggers that act only on some changes say so in their WHEN clause, checked without
-- calling their function: most updates of these rows call nothing.
DROP TRIGGER orders_discount_release ON orders;
CREATE TRIGGER orders_discount_release AFTER UPDATE OF status ON orders
    FOR EACH ROW
    WHEN (NEW.status = 'cancelled' AND OLD.status IS DISTINCT FROM 'cancelled')
    EXECUTE FUNCTION orders_discount_release();

DROP TRIGGER variants_availability ON variants;
CREATE TRIGGER variants_availability AFTER UPDATE OF stock_on_hand ON variants
    FOR EACH ROW
    WHEN (NEW.stock_on_hand <> OLD.stock_on_hand
          AND least(NEW.stock_on_hand, OLD.stock_on_hand) <= 5)
    EXECUTE FUNCTION variant_availability_changed();

-- A sale moves units from reserved to sold: what is available does not change.
DROP TRIGGER stock_levels_to_variant ON stock_levels;
CREATE TRIGGER stock_levels_to_variant AFTER INSERT OR DELETE ON stock_levels
    FOR EACH ROW EXECUTE FUNCTION stock_levels_to_variant();
CREATE TRIGGER stock_levels_to_variant_update AFTER UPDATE ON stock_levels
    FOR EACH ROW
    WHEN (NEW.on_hand - NEW.reserved - NEW.sold <> OLD.on_hand - OLD.reserved - OLD.sold)
    EXECUTE FUNCTION stock_levels_to_variant();

-- An order may be placed straight into payment (one write instead of an insert and an
-- update); its pending step is recorded all the same, so every order's history starts
-- with pending.
CREATE OR REPLACE FUNCTION orders_status_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
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

-- Its events go straight into the outbox: a transition's topic names its status, so
-- there is never a twin to fold (outbox_enqueue's check) within a transaction.
CREATE OR REPLACE FUNCTION orders_status_record() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    v_payload JSONB := jsonb_build_object('number', NEW.number);
BEGIN
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

-- An order's holder is named after its number, whose index keeps both unique: one index
-- fewer to write at every change of an order (nothing looks orders up by holder).
ALTER TABLE orders DROP CONSTRAINT orders_holder_key,
    ADD CONSTRAINT orders_holder_named CHECK (holder = 'order:' || number);
