-- The current source of products_outbox, as the migrations define it (20261122000002_search_outbox.sql).
-- A migration that changes it repeats it whole, and this file with it: a test
-- checks that the migrated database runs exactly this.

CREATE FUNCTION products_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM outbox_enqueue('catalog.product.changed', OLD.id::text,
                               jsonb_build_object('deleted', true));
    ELSE
        PERFORM outbox_enqueue('catalog.product.changed', NEW.id::text, '{}'::jsonb);
    END IF;
    RETURN NULL;
END $$;
