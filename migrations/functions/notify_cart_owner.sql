-- The current source of notify_cart_owner, as the migrations define it (20261125000001_session_notify.sql).
-- A migration that changes it repeats it whole, and this file with it: a test
-- checks that the migrated database runs exactly this.

CREATE FUNCTION notify_cart_owner() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM pg_notify('mercato_sessions', CASE WHEN OLD.session_id IS NOT NULL
                                                   THEN 'session:' || OLD.session_id
                                                   ELSE 'user:' || OLD.user_id END);
    END IF;
    -- A guest's session and cart are made in one transaction, so no one can have
    -- remembered that session without its cart; a customer's may have been.
    IF TG_OP = 'UPDATE' OR (TG_OP = 'INSERT' AND NEW.user_id IS NOT NULL) THEN
        PERFORM pg_notify('mercato_sessions', CASE WHEN NEW.session_id IS NOT NULL
                                                   THEN 'session:' || NEW.session_id
                                                   ELSE 'user:' || NEW.user_id END);
    END IF;
    RETURN NULL;
END $$;
