-- The current source of notify_session_changed, as the migrations define it (20261125000001_session_notify.sql).
-- A migration that changes it repeats it whole, and this file with it: a test
-- checks that the migrated database runs exactly this.

CREATE FUNCTION notify_session_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('mercato_sessions', 'session:' || OLD.id);
    RETURN NULL;
END $$;
