-- The current source of attributes_outbox, as the migrations define it (20261122000002_search_outbox.sql).
-- A migration that changes it repeats it whole, and this file with it: a test
-- checks that the migrated database runs exactly this.

CREATE FUNCTION attributes_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM outbox_enqueue('catalog.attribute.changed', coalesce(NEW.id, OLD.id)::text, '{}'::jsonb);
    RETURN NULL;
END $$;
