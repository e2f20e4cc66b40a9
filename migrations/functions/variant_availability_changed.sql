-- The current source of variant_availability_changed, as the migrations define it (20261123000001_inventory.sql).
-- A migration that changes it repeats it whole, and this file with it: a test
-- checks that the migrated database runs exactly this.

-- ... and pages and the search index hear of it only when what they show changes: in
-- stock, low stock (5 or fewer: "only 3 left") or out of stock.
CREATE FUNCTION variant_availability_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.stock_on_hand <> OLD.stock_on_hand AND least(NEW.stock_on_hand, OLD.stock_on_hand) <= 5 THEN
        UPDATE products SET version = version + 1, updated_at = now() WHERE id = NEW.product_id;
    END IF;
    RETURN NULL;
END $$;
