-- The current source of stock_levels_to_variant, as the migrations define it (20261123000001_inventory.sql, 20261210000001_flash_sales.sql).
-- A migration that changes it repeats it whole, and this file with it: a test
-- checks that the migrated database runs exactly this.

-- The catalog's figure follows the stock levels, except a flash sale's buckets: their
-- units are sold only through the sale's queue.
CREATE OR REPLACE FUNCTION stock_levels_to_variant() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    delta INTEGER;
BEGIN
    IF EXISTS (SELECT 1 FROM warehouses w
                WHERE w.id = CASE WHEN TG_OP = 'DELETE' THEN OLD.warehouse_id ELSE NEW.warehouse_id END
                  AND w.flash_sale_id IS NOT NULL) THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' THEN
        delta := NEW.on_hand - NEW.reserved - NEW.sold;
        UPDATE variants SET stock_on_hand = stock_on_hand + delta WHERE id = NEW.variant_id AND delta <> 0;
    ELSIF TG_OP = 'UPDATE' THEN
        delta := (NEW.on_hand - NEW.reserved - NEW.sold) - (OLD.on_hand - OLD.reserved - OLD.sold);
        IF delta <> 0 THEN
            UPDATE variants SET stock_on_hand = stock_on_hand + delta WHERE id = NEW.variant_id;
        END IF;
    ELSE
        delta := OLD.on_hand - OLD.reserved - OLD.sold;
        UPDATE variants SET stock_on_hand = stock_on_hand - delta WHERE id = OLD.variant_id AND delta <> 0;
    END IF;
    RETURN NULL;
END $$;
