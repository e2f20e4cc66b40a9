-- Catalog: categories, brands, products, variants, options, attributes, images,
-- and a history of every change with a version number per product.

CREATE TYPE product_status AS ENUM ('draft', 'active', 'archived');
CREATE TYPE attribute_kind AS ENUM ('text', 'number', 'boolean');

CREATE TABLE categories (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    parent_id   BIGINT REFERENCES categories (id) ON DELETE RESTRICT,
    slug        TEXT NOT NULL CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    -- Materialised path of slugs ("electronics/computers"): subtree queries are one prefix match.
    path        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    position    INTEGER NOT NULL DEFAULT 0,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (parent_id, slug)
);
CREATE INDEX categories_path_prefix ON categories (path text_pattern_ops);

CREATE TABLE brands (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE products (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug         TEXT NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    title        TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    description  TEXT NOT NULL DEFAULT '',
    brand_id     BIGINT REFERENCES brands (id) ON DELETE SET NULL,
    category_id  BIGINT REFERENCES categories (id) ON DELETE SET NULL,
    status       product_status NOT NULL DEFAULT 'draft',
    featured     BOOLEAN NOT NULL DEFAULT false,
    version      INTEGER NOT NULL DEFAULT 1,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX products_category ON products (category_id) WHERE status = 'active';
CREATE INDEX products_created ON products (created_at DESC, id DESC) WHERE status = 'active';
CREATE INDEX products_title ON products (lower(title), id) WHERE status = 'active';

-- Option names per product, in display order ("screen size", "RAM").
CREATE TABLE product_options (
    product_id  BIGINT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    position    SMALLINT NOT NULL CHECK (position >= 0),
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    PRIMARY KEY (product_id, position)
);

CREATE TABLE variants (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    product_id      BIGINT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    sku             TEXT NOT NULL UNIQUE CHECK (sku ~ '^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$'),
    position        INTEGER NOT NULL DEFAULT 0,
    price_minor     BIGINT NOT NULL CHECK (price_minor >= 0),
    currency        CHAR(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    stock_on_hand   INTEGER NOT NULL DEFAULT 0 CHECK (stock_on_hand >= 0),
    -- Option values by the position of the product's option names.
    option_values   TEXT[] NOT NULL DEFAULT '{}',
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX variants_product ON variants (product_id, position);

CREATE TABLE attributes (
    id    BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code  TEXT NOT NULL UNIQUE CHECK (code ~ '^[a-z0-9]+(_[a-z0-9]+)*$'),
    name  TEXT NOT NULL,
    kind  attribute_kind NOT NULL
);

-- Exactly one value column is set, the one that matches the attribute's kind
-- (checked by a trigger, since a CHECK cannot see the attributes table).
CREATE TABLE product_attributes (
    product_id     BIGINT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    attribute_id   BIGINT NOT NULL REFERENCES attributes (id) ON DELETE CASCADE,
    position       SMALLINT NOT NULL DEFAULT 0,
    value_text     TEXT,
    value_number   NUMERIC,
    value_boolean  BOOLEAN,
    PRIMARY KEY (product_id, attribute_id, position),
    CHECK (num_nonnulls(value_text, value_number, value_boolean) = 1)
);

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
CREATE TRIGGER product_attributes_kind BEFORE INSERT OR UPDATE ON product_attributes
    FOR EACH ROW EXECUTE FUNCTION product_attribute_kind_check();

-- Product photos. Files live in the data directory under media/, one WebP per width,
-- named by the content hash of the source so URLs never change meaning.
CREATE TABLE product_images (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    product_id  BIGINT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    position    SMALLINT NOT NULL DEFAULT 0,
    content_key TEXT NOT NULL CHECK (content_key ~ '^[0-9a-f]{16,64}$'),
    alt         TEXT NOT NULL,
    width       INTEGER NOT NULL CHECK (width > 0),
    height      INTEGER NOT NULL CHECK (height > 0),
    widths      INTEGER[] NOT NULL CHECK (cardinality(widths) > 0),
    source_name TEXT NOT NULL,
    UNIQUE (product_id, position)
);

-- Every change to products, variants and images: when, by whom or what, old and new.
CREATE TABLE catalog_history (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    product_id  BIGINT NOT NULL,
    entity      TEXT NOT NULL CHECK (entity IN ('product', 'variant', 'image', 'attribute', 'option')),
    entity_id   TEXT NOT NULL,
    operation   TEXT NOT NULL CHECK (operation IN ('insert', 'update', 'delete')),
    version     INTEGER NOT NULL,
    actor       TEXT NOT NULL,
    changed_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    old_value   JSONB,
    new_value   JSONB
);
CREATE INDEX catalog_history_product ON catalog_history (product_id, id);

-- Outbox: every state change that others must hear about, written in the same transaction.
CREATE TABLE outbox (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    topic         TEXT NOT NULL,
    aggregate_id  TEXT NOT NULL,
    payload       JSONB NOT NULL DEFAULT '{}',
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- The actor comes from the transaction: `SELECT set_config('mercato.actor', 'import:vendure', true)`.
CREATE FUNCTION mercato_actor() RETURNS TEXT LANGUAGE sql STABLE AS $$
    SELECT coalesce(nullif(current_setting('mercato.actor', true), ''), 'system:' || current_user)
$$;

-- Products: bump the version on a real change, then record old and new.
CREATE FUNCTION products_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (to_jsonb(NEW) - 'version' - 'updated_at') IS DISTINCT FROM (to_jsonb(OLD) - 'version' - 'updated_at') THEN
        NEW.version := OLD.version + 1;
        NEW.updated_at := now();
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER products_version BEFORE UPDATE ON products
    FOR EACH ROW EXECUTE FUNCTION products_version_bump();

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
CREATE TRIGGER products_history AFTER INSERT OR UPDATE ON products
    FOR EACH ROW EXECUTE FUNCTION products_history();

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

CREATE TRIGGER variants_history AFTER INSERT OR UPDATE OR DELETE ON variants
    FOR EACH ROW EXECUTE FUNCTION catalog_child_history('variant', 'sku');
CREATE TRIGGER product_images_history AFTER INSERT OR UPDATE OR DELETE ON product_images
    FOR EACH ROW EXECUTE FUNCTION catalog_child_history('image', 'content_key');
CREATE TRIGGER product_attributes_history AFTER INSERT OR UPDATE OR DELETE ON product_attributes
    FOR EACH ROW EXECUTE FUNCTION catalog_child_history('attribute', 'attribute_id');
CREATE TRIGGER product_options_history AFTER INSERT OR UPDATE OR DELETE ON product_options
    FOR EACH ROW EXECUTE FUNCTION catalog_child_history('option', 'name');

-- What a product grid needs, one row per active product that has at least one variant.
CREATE VIEW product_cards AS
SELECT p.id,
       p.slug,
       p.title,
       lower(p.title) AS name_key,
       b.name AS brand,
       c.path AS category_path,
       p.featured,
       p.created_at,
       p.updated_at,
       pr.min_price,
       pr.max_price,
       pr.currency,
       pr.in_stock,
       i.content_key AS image_key,
       i.alt AS image_alt,
       i.width AS image_width,
       i.height AS image_height,
       i.widths AS image_widths
FROM products p
LEFT JOIN brands b ON b.id = p.brand_id
LEFT JOIN categories c ON c.id = p.category_id
JOIN LATERAL (
    SELECT min(v.price_minor) AS min_price,
           max(v.price_minor) AS max_price,
           min(v.currency) AS currency,
           bool_or(v.stock_on_hand > 0) AS in_stock
    FROM variants v
    WHERE v.product_id = p.id
) pr ON pr.min_price IS NOT NULL
LEFT JOIN LATERAL (
    SELECT pi.content_key, pi.alt, pi.width, pi.height, pi.widths
    FROM product_images pi
    WHERE pi.product_id = p.id
    ORDER BY pi.position
    LIMIT 1
) i ON true
WHERE p.status = 'active';

-- Facts about this database: when the demo catalog was seeded, and the like.
CREATE TABLE app_meta (
    key         TEXT PRIMARY KEY,
    value       TEXT NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
