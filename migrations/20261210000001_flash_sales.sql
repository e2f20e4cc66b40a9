-- Flash sales (app/src/flash_sale/): a variant sold at a sale price from an allocation
-- taken out of normal sale at the start and returned at the end, through a queue that
-- PostgreSQL orders (one queue for every instance of the shop).
--
-- The allocation lives in the sale's bucket warehouses: warehouses that belong to the
-- sale (`flash_sale_id`), inactive so no normal checkout ever plans from them, each a
-- shelf of the warehouse its units came from. An admitted shopper's hold is an ordinary
-- reservation in one bucket; an order takes that reservation over; a hold that expires
-- or an order that fails gives the units back to the bucket, for the next shopper. The
-- allocation is split over several buckets so a hot sale is not one row lock.

CREATE TYPE flash_sale_state AS ENUM ('scheduled', 'live', 'ended');

CREATE TABLE flash_sales (
    id                  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    variant_id          BIGINT NOT NULL REFERENCES variants (id),
    sale_price_minor    BIGINT NOT NULL CHECK (sale_price_minor >= 0),
    currency            CHAR(3) NOT NULL,
    -- Units to allocate (the sum of flash_sources), and those the start found.
    quantity            INTEGER NOT NULL CHECK (quantity BETWEEN 1 AND 1000000),
    allocated           INTEGER NOT NULL DEFAULT 0 CHECK (allocated >= 0),
    starts_at           TIMESTAMPTZ NOT NULL,
    ends_at             TIMESTAMPTZ NOT NULL CHECK (ends_at > starts_at),
    per_customer_limit  INTEGER NOT NULL CHECK (per_customer_limit BETWEEN 1 AND 100),
    -- Shoppers admitted per minute; NULL: automatic, from the checkouts the sale sees.
    admission_per_minute INTEGER CHECK (admission_per_minute BETWEEN 1 AND 1000000),
    -- Gradual release: units offered in waves of this many, one wave every so often.
    wave_units          INTEGER CHECK (wave_units >= 1),
    wave_every_secs     INTEGER CHECK (wave_every_secs BETWEEN 1 AND 86400),
    hold_secs           INTEGER NOT NULL DEFAULT 300 CHECK (hold_secs BETWEEN 30 AND 3600),
    buckets             INTEGER NOT NULL DEFAULT 8 CHECK (buckets BETWEEN 1 AND 64),
    state               flash_sale_state NOT NULL DEFAULT 'scheduled',
    -- Places given so far (the pre-queue's draw, then arrivals in order), and the last
    -- place whose turn has come (let in, or told the units were gone).
    placed              INTEGER NOT NULL DEFAULT 0,
    let_in              INTEGER NOT NULL DEFAULT 0,
    -- Shoppers let in over the last minute (the worker's figure, for waiting estimates).
    pace_per_min        INTEGER NOT NULL DEFAULT 0,
    started_at          TIMESTAMPTZ,
    sold_out_at         TIMESTAMPTZ,
    ended_at            TIMESTAMPTZ,
    created_by          TEXT NOT NULL,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK ((wave_units IS NULL) = (wave_every_secs IS NULL))
);
CREATE INDEX flash_sales_variant ON flash_sales (variant_id, ends_at);
CREATE INDEX flash_sales_open ON flash_sales (starts_at) WHERE state <> 'ended';

-- Where the allocation comes from.
CREATE TABLE flash_sources (
    sale_id      BIGINT NOT NULL REFERENCES flash_sales (id),
    warehouse_id BIGINT NOT NULL REFERENCES warehouses (id),
    quantity     INTEGER NOT NULL CHECK (quantity >= 1),
    PRIMARY KEY (sale_id, warehouse_id)
);

ALTER TABLE warehouses ADD COLUMN flash_sale_id BIGINT REFERENCES flash_sales (id),
                       ADD COLUMN origin_id BIGINT REFERENCES warehouses (id),
                       ADD CHECK ((flash_sale_id IS NULL) = (origin_id IS NULL)),
                       ADD CHECK (flash_sale_id IS NULL OR NOT active);
CREATE INDEX warehouses_flash ON warehouses (flash_sale_id) WHERE flash_sale_id IS NOT NULL;

CREATE TYPE flash_entry_state AS ENUM
    ('queued', 'admitted', 'ordered', 'expired', 'sold_out', 'waitlisted', 'closed');

CREATE SEQUENCE flash_arrival;

-- One place per account and sale.
CREATE TABLE flash_entries (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sale_id         BIGINT NOT NULL REFERENCES flash_sales (id),
    user_id         BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    quantity        INTEGER NOT NULL CHECK (quantity >= 1),
    arrival         BIGINT NOT NULL DEFAULT nextval('flash_arrival'),
    -- Joined before the start: placed by the draw.
    early           BOOLEAN NOT NULL,
    -- The place in the queue (1 first), given by the draw or in arrival order.
    position        INTEGER,
    state           flash_entry_state NOT NULL DEFAULT 'queued',
    -- The admission's reservation holder while admitted (`flash:<id>`).
    hold_expires_at TIMESTAMPTZ,
    admitted_at     TIMESTAMPTZ,
    promoted        BOOLEAN NOT NULL DEFAULT false,
    waitlisted_at   TIMESTAMPTZ,
    order_id        BIGINT REFERENCES orders (id),
    joined_from     INET,
    joined_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (sale_id, user_id),
    UNIQUE (sale_id, position)
);
CREATE INDEX flash_entries_unplaced ON flash_entries (sale_id, arrival) WHERE position IS NULL;
CREATE INDEX flash_entries_queue ON flash_entries (sale_id, position) WHERE state = 'queued';
CREATE INDEX flash_entries_waitlist ON flash_entries (sale_id, waitlisted_at, id)
    WHERE state = 'waitlisted';
CREATE INDEX flash_entries_admitted ON flash_entries (sale_id, hold_expires_at)
    WHERE state = 'admitted';

-- A cart line held at a sale's price: the admitted entry it belongs to.
ALTER TABLE cart_lines ADD COLUMN flash_entry_id BIGINT REFERENCES flash_entries (id) ON DELETE SET NULL;
CREATE INDEX cart_lines_flash_entry ON cart_lines (flash_entry_id) WHERE flash_entry_id IS NOT NULL;

-- The key the queue's tokens are signed with, one for every instance of the shop.
CREATE TABLE flash_keys (
    id  BOOLEAN PRIMARY KEY DEFAULT true CHECK (id),
    key BYTEA NOT NULL CHECK (length(key) = 32)
);
INSERT INTO flash_keys (key)
VALUES (decode(replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), 'hex'));

-- The catalog's figure follows the stock levels, except a flash sale's buckets: their
-- units are sold only through the sale's queue.
CREATE OR REPLACE FUNCTION stock_levels_to_variant() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    delta INTEGER;
BEGIN
    IF EXISTS (SELECT 1 FROM warehouses w
                WHERE w.id = CASE WHEN TG_OP = 'DELETE' THEN OLD.warehouse_id ELSE NEW.warehouse_id END
                  AND w.flash_sale_id IS NOT NULL) THEN
        RETURN NULL;
    END IF;
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

-- order_open (p JSONB) learns `flash`: lines held at a sale's price, each an admitted
-- entry whose reservation the order takes over (MR004 and nothing written when it is no
-- longer held); its own holds skip those variants.
CREATE OR REPLACE FUNCTION order_open(p JSONB)
RETURNS TABLE (outcome TEXT, order_id BIGINT, order_number TEXT)
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
#variable_conflict use_column
DECLARE
    v_id BIGINT;
    v_cart BIGINT := (p->>'cart_id')::bigint;
    v_holder TEXT := p->>'holder';
    v_region TEXT := p->>'region';
    v_hold DOUBLE PRECISION := (p->>'hold_secs')::float8;
    v_flash_secs DOUBLE PRECISION := coalesce((p->>'flash_hold_secs')::float8, 900);
    v_flash BIGINT[] := ARRAY(SELECT (f->>'variant_id')::bigint
                                FROM jsonb_array_elements(coalesce(p->'flash', '[]')) f);
    v_line RECORD;
BEGIN
    PERFORM set_config('mercato.actor', p->>'actor', true), set_config('mercato.reason', '', true);
    INSERT INTO orders (number, idempotency_key, user_id, email, currency, subtotal_minor,
                        discount_minor, shipping_minor, tax_minor, total_minor, shipping_address,
                        region, holder, cart_id, shipping_method, shipping_label, weight_grams,
                        discount_code, status)
    VALUES (p->>'number', p->>'idempotency_key', (p->>'user_id')::bigint, p->>'email',
            p->>'currency', (p->>'subtotal_minor')::bigint, (p->>'discount_minor')::bigint,
            (p->>'shipping_minor')::bigint, (p->>'tax_minor')::bigint,
            (p->>'total_minor')::bigint, p->'shipping_address', v_region, v_holder, v_cart,
            p->>'shipping_method', p->>'shipping_label', (p->>'weight_grams')::bigint,
            p->>'discount_code', 'payment_processing')
    ON CONFLICT DO NOTHING
    RETURNING id INTO v_id;
    IF v_id IS NULL THEN
        RETURN QUERY SELECT 'twin'::text, o.id, o.number
                       FROM orders o WHERE o.idempotency_key = p->>'idempotency_key';
        IF FOUND THEN
            RETURN;
        END IF;
        RETURN QUERY SELECT 'cart_open'::text, o.id, o.number
                       FROM orders o
                      WHERE o.cart_id = v_cart AND o.status IN ('pending', 'payment_processing');
        IF FOUND THEN
            RETURN;
        END IF;
        RETURN QUERY SELECT 'retry'::text, NULL::bigint, NULL::text;
        RETURN;
    END IF;
    INSERT INTO order_lines (order_id, position, variant_id, sku, title, quantity,
                             unit_price_minor, discount_minor)
    SELECT v_id, l.position, l.variant_id, l.sku, l.title, l.quantity, l.unit_price_minor,
           coalesce(l.discount_minor, 0)
      FROM jsonb_to_recordset(p->'lines')
           AS l(position INTEGER, variant_id BIGINT, sku TEXT, title TEXT, quantity INTEGER,
                unit_price_minor BIGINT, discount_minor BIGINT);
    -- The cart must still hold exactly what was priced. This statement reads after any
    -- confirmation of this cart that the insert above waited for, so a placement priced
    -- before another one's confirmation can never charge for the same lines again.
    IF v_cart IS NOT NULL AND EXISTS (
        SELECT 1 FROM order_lines ol
          LEFT JOIN cart_lines c ON c.cart_id = v_cart AND c.variant_id = ol.variant_id
         WHERE ol.order_id = v_id AND c.quantity IS DISTINCT FROM ol.quantity) THEN
        RAISE EXCEPTION 'cart % no longer holds what order % was priced from', v_cart, p->>'number'
            USING ERRCODE = 'MR003';
    END IF;
    -- Lines at a sale's price: the entry's hold becomes the order's (its row alone is
    -- locked: the bucket's stock row is not touched), the entry is ordered.
    FOR v_line IN
        SELECT (f->>'entry_id')::bigint AS entry, (f->>'variant_id')::bigint AS variant,
               (f->>'quantity')::int AS quantity
          FROM jsonb_array_elements(coalesce(p->'flash', '[]')) f
    LOOP
        UPDATE flash_entries e SET state = 'ordered', order_id = v_id, updated_at = now()
         WHERE e.id = v_line.entry AND e.state = 'admitted' AND e.quantity = v_line.quantity
           AND e.user_id IS NOT DISTINCT FROM (p->>'user_id')::bigint;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'order %: the sale hold of entry % has ended', p->>'number', v_line.entry
                USING ERRCODE = 'MR004';
        END IF;
        UPDATE reservations r
           SET holder = v_holder, updated_at = now(),
               expires_at = greatest(r.expires_at, now() + make_interval(secs => v_flash_secs))
         WHERE r.holder = 'flash:' || v_line.entry AND r.status = 'active'
           AND r.variant_id = v_line.variant AND r.quantity = v_line.quantity;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'order %: the sale hold of entry % has ended', p->>'number', v_line.entry
                USING ERRCODE = 'MR004';
        END IF;
    END LOOP;
    IF v_hold IS NOT NULL THEN
        -- One statement per SKU, in SKU order (two such orders never wait on each other
        -- in a circle; the reservation batches lock one row per statement): the warehouse
        -- is picked and its row locked, then raised by its primary key.
        FOR v_line IN
            SELECT ol.variant_id AS variant, sum(ol.quantity)::int AS quantity
              FROM order_lines ol WHERE ol.order_id = v_id AND ol.variant_id <> ALL (v_flash)
             GROUP BY ol.variant_id ORDER BY ol.variant_id
        LOOP
            WITH level AS (
                UPDATE stock_levels s
                   SET reserved = s.reserved + v_line.quantity, updated_at = now()
                 WHERE s.variant_id = v_line.variant
                   AND s.warehouse_id = (
                       SELECT sl.warehouse_id
                         FROM stock_levels sl
                         JOIN warehouses h ON h.id = sl.warehouse_id AND h.active
                        WHERE sl.variant_id = v_line.variant
                          AND sl.on_hand - sl.reserved - sl.sold >= v_line.quantity
                        ORDER BY (h.region = v_region) DESC NULLS LAST, h.priority, h.id
                        LIMIT 1
                          FOR UPDATE OF sl)
                RETURNING s.warehouse_id),
            r AS (
                INSERT INTO reservations (holder, variant_id, warehouse_id, quantity, expires_at)
                SELECT v_holder, v_line.variant, warehouse_id, v_line.quantity,
                       now() + make_interval(secs => v_hold)
                  FROM level
                RETURNING id, warehouse_id)
            INSERT INTO stock_movements
                   (variant_id, warehouse_id, kind, reserved_delta, reservation_id, actor)
            SELECT v_line.variant, warehouse_id, 'reservation', v_line.quantity, id,
                   'checkout:' || v_holder
              FROM r;
            IF NOT FOUND THEN
                RAISE EXCEPTION 'order % found no one warehouse with % of variant %',
                    p->>'number', v_line.quantity, v_line.variant
                    USING ERRCODE = 'MR002';
            END IF;
        END LOOP;
    END IF;
    RETURN QUERY SELECT 'opened'::text, v_id, p->>'number';
END $$;
