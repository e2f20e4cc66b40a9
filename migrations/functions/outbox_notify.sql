-- The current source of outbox_notify, as the migrations define it (20261122000002_search_outbox.sql).
-- A migration that changes it repeats it whole, and this file with it: a test
-- checks that the migrated database runs exactly this.

-- Wake consumers at commit; they also poll, so a lost notification only delays.
CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('mercato_outbox', NEW.topic);
    RETURN NULL;
END $$;
