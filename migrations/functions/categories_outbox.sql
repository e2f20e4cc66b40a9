-- The current source of categories_outbox, as the migrations define it (20261122000002_search_outbox.sql).
-- A migration that changes it repeats it whole, and this file with it: a test
-- checks that the migrated database runs exactly this.

-- A renamed category or brand changes every product document that shows it.
CREATE FUNCTION categories_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.name IS NOT DISTINCT FROM OLD.name
       AND NEW.path IS NOT DISTINCT FROM OLD.path THEN
        RETURN NULL;
    END IF;
    PERFORM outbox_enqueue('catalog.category.changed', coalesce(NEW.id, OLD.id)::text, '{}'::jsonb);
    RETURN NULL;
END $$;
