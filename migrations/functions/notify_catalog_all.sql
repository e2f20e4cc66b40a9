-- The current source of notify_catalog_all, as the migrations define it (20261122000001_catalog_notify.sql).
-- A migration that changes it repeats it whole, and this file with it: a test
-- checks that the migrated database runs exactly this.

-- Categories, brands and attribute names appear on many pages: evict everything.
CREATE FUNCTION notify_catalog_all() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('mercato_catalog', 'all');
    RETURN NULL;
END $$;
