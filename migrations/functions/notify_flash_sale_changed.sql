-- The current source of notify_flash_sale_changed, as the migrations define it (20261211000001_flash_sales_notify.sql).
-- A migration that changes it repeats it whole, and this file with it: a test
-- checks that the migrated database runs exactly this.

CREATE FUNCTION notify_flash_sale_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM pg_notify('mercato_catalog', 'product:' || p.slug)
           FROM variants v JOIN products p ON p.id = v.product_id
          WHERE v.id = OLD.variant_id;
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.variant_id <> OLD.variant_id) THEN
        PERFORM pg_notify('mercato_catalog', 'product:' || p.slug)
           FROM variants v JOIN products p ON p.id = v.product_id
          WHERE v.id = NEW.variant_id;
    END IF;
    RETURN NULL;
END $$;
