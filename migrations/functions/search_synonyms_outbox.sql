-- The current source of search_synonyms_outbox, as the migrations define it (20261122000002_search_outbox.sql).
-- A migration that changes it repeats it whole, and this file with it: a test
-- checks that the migrated database runs exactly this.

CREATE FUNCTION search_synonyms_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM outbox_enqueue('search.synonyms.changed', 'all', '{}'::jsonb);
    RETURN NULL;
END $$;
