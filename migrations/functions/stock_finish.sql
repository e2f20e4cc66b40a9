-- The current source of stock_finish, as the migrations define it (20261127000001_checkout_inline_holds.sql).
-- A migration that changes it repeats it whole, and this file with it: a test
-- checks that the migrated database runs exactly this.

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
