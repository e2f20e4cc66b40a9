-- The current source of brands_outbox, as the migrations define it (20261122000002_search_outbox.sql).
-- A migration that changes it repeats it whole, and this file with it: a test
-- checks that the migrated database runs exactly this.

CREATE FUNCTION brands_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.name IS NOT DISTINCT FROM OLD.name
       AND NEW.slug IS NOT DISTINCT FROM OLD.slug THEN
        RETURN NULL;
    END IF;
    PERFORM outbox_enqueue('catalog.brand.changed', coalesce(NEW.id, OLD.id)::text, '{}'::jsonb);
    RETURN NULL;
END $$;
