-- Wake up every server instance's catalog cache when the catalog changes. The
-- notification is sent at commit and carries only what to evict; the data stays here.
-- Changes to variants, images, attributes and options bump their product's row (see
-- catalog_child_history), so they notify through the products trigger.

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

CREATE TRIGGER products_notify AFTER INSERT OR UPDATE OR DELETE ON products
    FOR EACH ROW EXECUTE FUNCTION notify_product_changed();

-- Categories, brands and attribute names appear on many pages: evict everything.
CREATE FUNCTION notify_catalog_all() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('mercato_catalog', 'all');
    RETURN NULL;
END $$;

CREATE TRIGGER categories_notify AFTER INSERT OR UPDATE OR DELETE ON categories
    FOR EACH STATEMENT EXECUTE FUNCTION notify_catalog_all();
CREATE TRIGGER brands_notify AFTER INSERT OR UPDATE OR DELETE ON brands
    FOR EACH STATEMENT EXECUTE FUNCTION notify_catalog_all();
CREATE TRIGGER attributes_notify AFTER INSERT OR UPDATE OR DELETE ON attributes
    FOR EACH STATEMENT EXECUTE FUNCTION notify_catalog_all();
