-- Inventory per warehouse: regions, warehouses, stock levels with the invariant enforced
-- here (never oversold, whatever the concurrency), a ledger of every movement, and
-- reservations with a time to live.
--
-- available = on_hand - reserved - sold
--   on_hand:  units in the building (receipts, adjustments and returns add; shipments take)
--   reserved: units held for checkouts in progress (reservation adds; release and sale take)
--   sold:     units paid for and not yet shipped (sale adds; shipment takes)
-- `variants.stock_on_hand` is from now on the sum of `available` over every warehouse,
-- kept by a trigger here: what the catalog and the cart show and check.

CREATE TABLE regions (
    code      TEXT PRIMARY KEY CHECK (code ~ '^[A-Z][A-Z0-9-]{1,15}$'),
    name      TEXT NOT NULL,
    -- ISO 3166-1 alpha-2 codes of the countries this region serves.
    countries TEXT[] NOT NULL DEFAULT '{}'
);

CREATE TABLE warehouses (
    id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code      TEXT NOT NULL UNIQUE CHECK (code ~ '^[a-z0-9][a-z0-9-]{0,31}$'),
    name      TEXT NOT NULL,
    region    TEXT NOT NULL REFERENCES regions (code),
    -- Warehouses outside a shopper's region are tried in this order (lowest first).
    priority  INTEGER NOT NULL DEFAULT 100,
    active    BOOLEAN NOT NULL DEFAULT true,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Every shop has somewhere to keep stock: the default region and warehouse, which the
-- importer fills. More are added by the seed or by merchants.
INSERT INTO regions (code, name, countries) VALUES ('DEFAULT', 'Everywhere', '{}');
INSERT INTO warehouses (code, name, region, priority) VALUES ('main', 'Main warehouse', 'DEFAULT', 0);

CREATE TABLE stock_levels (
    variant_id   BIGINT NOT NULL REFERENCES variants (id) ON DELETE CASCADE,
    warehouse_id BIGINT NOT NULL REFERENCES warehouses (id),
    on_hand      INTEGER NOT NULL DEFAULT 0 CHECK (on_hand >= 0),
    reserved     INTEGER NOT NULL DEFAULT 0 CHECK (reserved >= 0),
    sold         INTEGER NOT NULL DEFAULT 0 CHECK (sold >= 0),
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (variant_id, warehouse_id),
    CONSTRAINT stock_never_oversold CHECK (on_hand - reserved - sold >= 0)
);
CREATE INDEX stock_levels_warehouse ON stock_levels (warehouse_id);

CREATE TYPE stock_movement_kind AS ENUM
    ('receipt', 'adjustment', 'reservation', 'release', 'sale', 'shipment', 'return');

-- The ledger: the sums of the deltas per (variant, warehouse) are the stock level.
CREATE TABLE stock_movements (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    variant_id     BIGINT NOT NULL REFERENCES variants (id) ON DELETE CASCADE,
    warehouse_id   BIGINT NOT NULL REFERENCES warehouses (id),
    kind           stock_movement_kind NOT NULL,
    on_hand_delta  INTEGER NOT NULL DEFAULT 0,
    reserved_delta INTEGER NOT NULL DEFAULT 0,
    sold_delta     INTEGER NOT NULL DEFAULT 0,
    reservation_id BIGINT,
    order_id       BIGINT,
    -- Who or what moved it: 'import', 'seed', 'user:<id>', 'checkout', 'worker:expiry', ...
    actor          TEXT NOT NULL,
    note           TEXT,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX stock_movements_level ON stock_movements (variant_id, warehouse_id, id);

CREATE TYPE reservation_status AS ENUM ('active', 'released', 'sold');

CREATE TABLE reservations (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- What holds it (a checkout); checkouts reference their reservations by this key.
    holder       TEXT NOT NULL,
    variant_id   BIGINT NOT NULL REFERENCES variants (id) ON DELETE CASCADE,
    warehouse_id BIGINT NOT NULL REFERENCES warehouses (id),
    quantity     INTEGER NOT NULL CHECK (quantity > 0),
    status       reservation_status NOT NULL DEFAULT 'active',
    expires_at   TIMESTAMPTZ NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX reservations_holder ON reservations (holder) WHERE status = 'active';
CREATE INDEX reservations_expiry ON reservations (expires_at) WHERE status = 'active';

-- Existing stock moves to the main warehouse as a receipt.
INSERT INTO stock_levels (variant_id, warehouse_id, on_hand)
SELECT v.id, w.id, v.stock_on_hand FROM variants v, warehouses w
 WHERE w.code = 'main' AND v.stock_on_hand > 0;
INSERT INTO stock_movements (variant_id, warehouse_id, kind, on_hand_delta, actor, note)
SELECT variant_id, warehouse_id, 'receipt', on_hand, 'migration', 'stock before warehouses'
  FROM stock_levels;

-- The catalog's figure follows the stock levels.
CREATE FUNCTION stock_levels_to_variant() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    delta INTEGER;
BEGIN
    IF TG_OP = 'INSERT' THEN
        delta := NEW.on_hand - NEW.reserved - NEW.sold;
        UPDATE variants SET stock_on_hand = stock_on_hand + delta WHERE id = NEW.variant_id AND delta <> 0;
    ELSIF TG_OP = 'UPDATE' THEN
        delta := (NEW.on_hand - NEW.reserved - NEW.sold) - (OLD.on_hand - OLD.reserved - OLD.sold);
        IF delta <> 0 THEN
            UPDATE variants SET stock_on_hand = stock_on_hand + delta WHERE id = NEW.variant_id;
        END IF;
    ELSE
        delta := OLD.on_hand - OLD.reserved - OLD.sold;
        UPDATE variants SET stock_on_hand = stock_on_hand - delta WHERE id = OLD.variant_id AND delta <> 0;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER stock_levels_to_variant AFTER INSERT OR UPDATE OR DELETE ON stock_levels
    FOR EACH ROW EXECUTE FUNCTION stock_levels_to_variant();

-- A stock-only change to a variant is not a catalog edit (no history, no new version):
-- reservations move it all day. The history trigger now ignores it ...
DROP TRIGGER variants_history ON variants;
CREATE TRIGGER variants_history AFTER INSERT OR DELETE
    OR UPDATE OF product_id, sku, position, price_minor, currency, option_values ON variants
    FOR EACH ROW EXECUTE FUNCTION catalog_child_history('variant', 'sku');

-- ... and pages and the search index hear of it only when what they show changes: in
-- stock, low stock (5 or fewer: "only 3 left") or out of stock.
CREATE FUNCTION variant_availability_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.stock_on_hand <> OLD.stock_on_hand AND least(NEW.stock_on_hand, OLD.stock_on_hand) <= 5 THEN
        UPDATE products SET version = version + 1, updated_at = now() WHERE id = NEW.product_id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER variants_availability AFTER UPDATE OF stock_on_hand ON variants
    FOR EACH ROW EXECUTE FUNCTION variant_availability_changed();
