-- Checkout's remaining rules and fulfilment: weights for shipping, regions with their
-- tax, discount codes with usage limits the database enforces, shipments, and outbox
-- consumer positions.

-- Shipping is priced by weight; a variant without a known weight counts as 500 g.
ALTER TABLE variants ADD COLUMN weight_grams INTEGER NOT NULL DEFAULT 500
    CHECK (weight_grams BETWEEN 0 AND 1000000);

INSERT INTO regions (code, name, countries) VALUES
    ('UK', 'United Kingdom', '{GB}'),
    ('EU', 'European Union',
     '{AT,BE,BG,CY,CZ,DE,DK,EE,ES,FI,FR,GR,HR,HU,IE,IT,LT,LU,LV,MT,NL,PL,PT,RO,SE,SI,SK}'),
    ('US', 'United States', '{US}')
ON CONFLICT (code) DO NOTHING;
INSERT INTO tax_rates (region, rate_bp, name) VALUES
    ('UK', 2000, 'VAT'),
    ('EU', 2100, 'VAT'),
    ('US', 0, 'Sales tax'),
    ('DEFAULT', 0, 'Tax')
ON CONFLICT (region) DO NOTHING;

ALTER TABLE orders
    ADD COLUMN shipping_method TEXT NOT NULL DEFAULT 'standard',
    ADD COLUMN weight_grams BIGINT NOT NULL DEFAULT 0 CHECK (weight_grams >= 0);

-- Discount codes. Uses are counted here and in redemptions by the same transaction that
-- creates the order, under the code's row lock, so no limit can be passed by racing.
CREATE TYPE discount_kind AS ENUM ('percentage', 'fixed');

CREATE TABLE discount_codes (
    code                  TEXT PRIMARY KEY CHECK (code ~ '^[A-Z0-9][A-Z0-9_-]{2,31}$'),
    kind                  discount_kind NOT NULL,
    -- percentage: basis points of the goods (1000 = 10%); fixed: minor units of `currency`.
    amount                BIGINT NOT NULL CHECK (amount > 0),
    -- Only orders in this currency may use it (required for fixed amounts).
    currency              CHAR(3),
    min_subtotal_minor    BIGINT NOT NULL DEFAULT 0 CHECK (min_subtotal_minor >= 0),
    starts_at             TIMESTAMPTZ,
    ends_at               TIMESTAMPTZ,
    max_uses              INTEGER CHECK (max_uses > 0),
    max_uses_per_customer INTEGER CHECK (max_uses_per_customer > 0),
    uses                  INTEGER NOT NULL DEFAULT 0
                          CHECK (uses >= 0 AND (max_uses IS NULL OR uses <= max_uses)),
    active                BOOLEAN NOT NULL DEFAULT true,
    created_at            TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK (kind <> 'percentage' OR amount <= 10000),
    CHECK (kind <> 'fixed' OR currency IS NOT NULL),
    CHECK (starts_at IS NULL OR ends_at IS NULL OR starts_at < ends_at)
);

ALTER TABLE orders ADD COLUMN discount_code TEXT REFERENCES discount_codes (code);

CREATE TABLE discount_redemptions (
    order_id   BIGINT PRIMARY KEY REFERENCES orders (id) ON DELETE CASCADE,
    code       TEXT NOT NULL REFERENCES discount_codes (code),
    -- The customer, by the order's e-mail address (lower case): guests and accounts alike.
    customer   TEXT NOT NULL,
    at         TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX discount_redemptions_customer ON discount_redemptions (code, customer);

-- A cancelled order gives its use of the code back, whoever cancels it.
CREATE FUNCTION orders_discount_release() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status = 'cancelled' AND OLD.status IS DISTINCT FROM 'cancelled' THEN
        UPDATE discount_codes d SET uses = uses - 1
          FROM discount_redemptions r
         WHERE r.order_id = NEW.id AND d.code = r.code;
        DELETE FROM discount_redemptions WHERE order_id = NEW.id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER orders_discount_release AFTER UPDATE OF status ON orders
    FOR EACH ROW EXECUTE FUNCTION orders_discount_release();

-- Shipments: one per warehouse an order's stock was sold from.
CREATE TYPE shipment_status AS ENUM ('packed', 'shipped', 'delivered');

CREATE TABLE shipments (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id        BIGINT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    warehouse_id    BIGINT NOT NULL REFERENCES warehouses (id),
    status          shipment_status NOT NULL DEFAULT 'packed',
    carrier         TEXT,
    tracking_number TEXT UNIQUE,
    weight_grams    BIGINT NOT NULL DEFAULT 0,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    shipped_at      TIMESTAMPTZ,
    delivered_at    TIMESTAMPTZ,
    -- When the carrier was last asked where it is.
    checked_at      TIMESTAMPTZ,
    UNIQUE (order_id, warehouse_id),
    CHECK (status = 'packed' OR tracking_number IS NOT NULL)
);
CREATE INDEX shipments_open ON shipments (status, id) WHERE status <> 'delivered';

-- Fulfilment reads what an order's sale took from each warehouse.
CREATE INDEX stock_movements_order ON stock_movements (order_id) WHERE order_id IS NOT NULL;

CREATE TABLE shipment_lines (
    shipment_id BIGINT NOT NULL REFERENCES shipments (id) ON DELETE CASCADE,
    variant_id  BIGINT NOT NULL REFERENCES variants (id),
    quantity    INTEGER NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (shipment_id, variant_id)
);

-- Where each outbox consumer (other than the search index, which keeps its position in
-- the index itself) has got to, moved in the same transaction as its effects.
CREATE TABLE outbox_consumers (
    name       TEXT PRIMARY KEY,
    txid       BIGINT NOT NULL DEFAULT 0,
    event_id   BIGINT NOT NULL DEFAULT 0,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
