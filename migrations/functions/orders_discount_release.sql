-- The current source of orders_discount_release, as the migrations define it (20261124000001_discounts_fulfilment.sql).
-- A migration that changes it repeats it whole, and this file with it: a test
-- checks that the migrated database runs exactly this.

-- A cancelled order gives its use of the code back, whoever cancels it.
CREATE FUNCTION orders_discount_release() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status = 'cancelled' AND OLD.status IS DISTINCT FROM 'cancelled' THEN
        UPDATE discount_codes d SET uses = uses - 1
          FROM discount_redemptions r
         WHERE r.order_id = NEW.id AND d.code = r.code;
        DELETE FROM discount_redemptions WHERE order_id = NEW.id;
    END IF;
    RETURN NULL;
END $$;
