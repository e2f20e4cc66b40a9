-- Wake up every server instance's session cache (app/src/account/ssr/cache.rs) when a
-- remembered session could have become wrong: it ended or became less valid, its cart
-- appeared or went, or its customer's e-mail address changed. Sent at commit; carries
-- only what to evict. A visit that only extends a session notifies nobody.

CREATE FUNCTION notify_session_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('mercato_sessions', 'session:' || OLD.id);
    RETURN NULL;
END $$;

CREATE TRIGGER sessions_notify_delete AFTER DELETE ON sessions
    FOR EACH ROW EXECUTE FUNCTION notify_session_changed();
CREATE TRIGGER sessions_notify_update AFTER UPDATE ON sessions
    FOR EACH ROW
    WHEN (NEW.user_id IS DISTINCT FROM OLD.user_id
          OR NEW.token_hash <> OLD.token_hash
          OR NEW.expires_at < OLD.expires_at
          OR NEW.last_seen_at < OLD.last_seen_at)
    EXECUTE FUNCTION notify_session_changed();

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

CREATE TRIGGER carts_notify AFTER INSERT OR DELETE OR UPDATE OF user_id, session_id ON carts
    FOR EACH ROW EXECUTE FUNCTION notify_cart_owner();

CREATE FUNCTION notify_user_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('mercato_sessions', 'user:' || OLD.id);
    RETURN NULL;
END $$;

CREATE TRIGGER users_notify_email AFTER UPDATE OF email ON users
    FOR EACH ROW WHEN (NEW.email IS DISTINCT FROM OLD.email)
    EXECUTE FUNCTION notify_user_changed();
CREATE TRIGGER users_notify_delete AFTER DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION notify_user_changed();
