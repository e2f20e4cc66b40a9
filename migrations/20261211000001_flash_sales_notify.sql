-- A product page announces its flash sale (scheduled or live), and the page cache keeps
-- rendered product pages for visitors without a session: a sale scheduled, started,
-- moved, repriced, ended or removed notifies its product like any other change to what
-- the page shows. The worker's frequent counters (placed, let_in, pace_per_min) do not.

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

CREATE TRIGGER flash_sales_notify AFTER INSERT OR DELETE ON flash_sales
    FOR EACH ROW EXECUTE FUNCTION notify_flash_sale_changed();
CREATE TRIGGER flash_sales_notify_update AFTER UPDATE ON flash_sales
    FOR EACH ROW
    WHEN (NEW.state IS DISTINCT FROM OLD.state
          OR NEW.starts_at IS DISTINCT FROM OLD.starts_at
          OR NEW.ends_at IS DISTINCT FROM OLD.ends_at
          OR NEW.sale_price_minor IS DISTINCT FROM OLD.sale_price_minor
          OR NEW.variant_id IS DISTINCT FROM OLD.variant_id)
    EXECUTE FUNCTION notify_flash_sale_changed();
