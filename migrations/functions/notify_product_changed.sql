-- The current source of notify_product_changed, as the migrations define it (20261122000001_catalog_notify.sql).
-- A migration that changes it repeats it whole, and this file with it: a test
-- checks that the migrated database runs exactly this.

CREATE FUNCTION notify_product_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM pg_notify('mercato_catalog', 'product:' || OLD.slug);
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.slug <> OLD.slug) THEN
        PERFORM pg_notify('mercato_catalog', 'product:' || NEW.slug);
    END IF;
    RETURN NULL;
END $$;
