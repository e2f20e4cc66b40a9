-- The current source of active_holds, as the migrations define it (20261126000001_checkout_functions.sql).
-- A migration that changes it repeats it whole, and this file with it: a test
-- checks that the migrated database runs exactly this.

-- A holder's active holds, oldest first.
-- (PL/pgSQL, whose plan is kept: a SQL function would be planned at every call.)
CREATE FUNCTION active_holds(p_holder TEXT) RETURNS BIGINT[] LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN ARRAY(SELECT id FROM reservations
                  WHERE holder = p_holder AND status = 'active' ORDER BY id);
END $$;
