-- The current source of products_history, as the migrations define it (20261121000001_catalog.sql).
-- A migration that changes it repeats it whole, and this file with it: a test
-- checks that the migrated database runs exactly this.

CREATE FUNCTION products_history() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO catalog_history (product_id, entity, entity_id, operation, version, actor, new_value)
        VALUES (NEW.id, 'product', NEW.id::text, 'insert', NEW.version, mercato_actor(), to_jsonb(NEW));
    ELSIF TG_OP = 'UPDATE' THEN
        -- A bare version bump (from a child's change) is recorded by the child's row.
        IF (to_jsonb(NEW) - 'version' - 'updated_at') IS DISTINCT FROM (to_jsonb(OLD) - 'version' - 'updated_at') THEN
            INSERT INTO catalog_history (product_id, entity, entity_id, operation, version, actor, old_value, new_value)
            VALUES (NEW.id, 'product', NEW.id::text, 'update', NEW.version, mercato_actor(), to_jsonb(OLD), to_jsonb(NEW));
        END IF;
    END IF;
    RETURN NULL;
END $$;
