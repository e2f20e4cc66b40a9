-- The current source of order_confirm, as the migrations define it (20261208000002_authorized_orders.sql).
-- A migration that changes it repeats it whole, and this file with it: a test
-- checks that the migrated database runs exactly this.

-- Confirms a paid order: payment_processing to `p_to` (confirmed when the money was
-- captured, authorized when it waits for staff to capture it), its holds sold (every one
-- of `p_units` must still be held, else nothing at all is written and the error's code
-- is MR001: the money must go back), the payment recorded, the bought lines out of the
-- cart. Returns `p_to`, or the status the order had when it was not payment_processing
-- (a twin finished it first); NULL if there is no such order.
CREATE FUNCTION order_confirm(
    p_order BIGINT, p_units BIGINT, p_actor TEXT,
    p_intent TEXT, p_status TEXT, p_amount BIGINT, p_captured BIGINT, p_refunded BIGINT,
    p_last4 TEXT, p_token TEXT, p_to order_status)
RETURNS order_status LANGUAGE plpgsql AS $$
DECLARE
    v_holder TEXT;
    v_status order_status;
    v_sold BIGINT;
BEGIN
    IF p_to NOT IN ('confirmed', 'authorized') THEN
        RAISE EXCEPTION 'a paid order becomes confirmed or authorized, not %', p_to
            USING ERRCODE = 'check_violation', CONSTRAINT = 'order_status_transition';
    END IF;
    PERFORM set_config('mercato.actor', p_actor, true), set_config('mercato.reason', '', true);
    -- The order's row first: twins wait here for each other.
    UPDATE orders SET status = p_to
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
    RETURN p_to;
END $$;
