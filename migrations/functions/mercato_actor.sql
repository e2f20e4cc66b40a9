-- The current source of mercato_actor, as the migrations define it (20261121000001_catalog.sql).
-- A migration that changes it repeats it whole, and this file with it: a test
-- checks that the migrated database runs exactly this.

-- The actor comes from the transaction: `SELECT set_config('mercato.actor', 'import:vendure', true)`.
CREATE FUNCTION mercato_actor() RETURNS TEXT LANGUAGE sql STABLE AS $$
    SELECT coalesce(nullif(current_setting('mercato.actor', true), ''), 'system:' || current_user)
$$;
