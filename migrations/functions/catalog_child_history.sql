-- The current source of catalog_child_history, as the migrations define it (20261121000001_catalog.sql).
-- A migration that changes it repeats it whole, and this file with it: a test
-- checks that the migrated database runs exactly this.

-- Children (variants, images, attributes, options): record the change and bump the
-- product's version, so one number says "this product changed".
CREATE FUNCTION catalog_child_history() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    pid BIGINT;
    v INTEGER;
    old_j JSONB;
    new_j JSONB;
    eid TEXT;
BEGIN
    IF TG_OP = 'DELETE' THEN
        old_j := to_jsonb(OLD);
        pid := OLD.product_id;
    ELSE
        new_j := to_jsonb(NEW);
        pid := NEW.product_id;
        IF TG_OP = 'UPDATE' THEN
            old_j := to_jsonb(OLD);
            IF (old_j - 'updated_at') = (new_j - 'updated_at') THEN
                RETURN NULL;
            END IF;
        END IF;
    END IF;
    eid := coalesce(new_j, old_j) ->> coalesce(TG_ARGV[1], 'id');
    IF eid IS NULL THEN
        eid := coalesce(new_j, old_j)::text;
    END IF;
    -- A product deleted in the same statement cascades here; nothing left to version.
    UPDATE products SET version = version + 1, updated_at = now() WHERE id = pid RETURNING version INTO v;
    IF v IS NULL THEN
        RETURN NULL;
    END IF;
    INSERT INTO catalog_history (product_id, entity, entity_id, operation, version, actor, old_value, new_value)
    VALUES (pid, TG_ARGV[0], eid, lower(TG_OP), v, mercato_actor(), old_j, new_j);
    RETURN NULL;
END $$;
