-- The current source of product_attribute_kind_check, as the migrations define it (20261121000001_catalog.sql).
-- A migration that changes it repeats it whole, and this file with it: a test
-- checks that the migrated database runs exactly this.

CREATE FUNCTION product_attribute_kind_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE k attribute_kind;
BEGIN
    SELECT kind INTO k FROM attributes WHERE id = NEW.attribute_id;
    IF (k = 'text' AND NEW.value_text IS NULL)
       OR (k = 'number' AND NEW.value_number IS NULL)
       OR (k = 'boolean' AND NEW.value_boolean IS NULL) THEN
        RAISE EXCEPTION 'attribute % is of kind %', NEW.attribute_id, k USING ERRCODE = '23514';
    END IF;
    RETURN NEW;
END $$;
