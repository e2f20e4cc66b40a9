-- Search as a read model, fed by the outbox.
--
-- Every catalog change writes an outbox event in its own transaction, from triggers, so
-- no writer (importer, admin page, raw SQL) can forget. Consumers read events in
-- (txid, id) order and only from transactions older than every running one
-- (txid < pg_snapshot_xmin(pg_current_snapshot())): an event from a transaction that
-- commits late can never slip in behind a consumer's cursor.

ALTER TABLE outbox ADD COLUMN txid xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX outbox_txid ON outbox (txid, id);

-- Wake consumers at commit; they also poll, so a lost notification only delays.
CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('mercato_outbox', NEW.topic);
    RETURN NULL;
END $$;
CREATE TRIGGER outbox_notify AFTER INSERT ON outbox
    FOR EACH ROW EXECUTE FUNCTION outbox_notify();

-- One event per aggregate per transaction: an import that touches a product's variants,
-- images and attributes bumps its row many times but says "changed" once.
CREATE FUNCTION outbox_enqueue(p_topic TEXT, p_aggregate TEXT, p_payload JSONB) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO outbox (topic, aggregate_id, payload)
    SELECT p_topic, p_aggregate, p_payload
    WHERE NOT EXISTS (
        SELECT 1 FROM outbox
        WHERE txid = pg_current_xact_id() AND topic = p_topic AND aggregate_id = p_aggregate
    );
END $$;

CREATE FUNCTION products_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM outbox_enqueue('catalog.product.changed', OLD.id::text,
                               jsonb_build_object('deleted', true));
    ELSE
        PERFORM outbox_enqueue('catalog.product.changed', NEW.id::text, '{}'::jsonb);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER products_outbox AFTER INSERT OR UPDATE OR DELETE ON products
    FOR EACH ROW EXECUTE FUNCTION products_outbox();

-- A renamed category or brand changes every product document that shows it.
CREATE FUNCTION categories_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.name IS NOT DISTINCT FROM OLD.name
       AND NEW.path IS NOT DISTINCT FROM OLD.path THEN
        RETURN NULL;
    END IF;
    PERFORM outbox_enqueue('catalog.category.changed', coalesce(NEW.id, OLD.id)::text, '{}'::jsonb);
    RETURN NULL;
END $$;
CREATE TRIGGER categories_outbox AFTER INSERT OR UPDATE OR DELETE ON categories
    FOR EACH ROW EXECUTE FUNCTION categories_outbox();

CREATE FUNCTION brands_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.name IS NOT DISTINCT FROM OLD.name
       AND NEW.slug IS NOT DISTINCT FROM OLD.slug THEN
        RETURN NULL;
    END IF;
    PERFORM outbox_enqueue('catalog.brand.changed', coalesce(NEW.id, OLD.id)::text, '{}'::jsonb);
    RETURN NULL;
END $$;
CREATE TRIGGER brands_outbox AFTER INSERT OR UPDATE OR DELETE ON brands
    FOR EACH ROW EXECUTE FUNCTION brands_outbox();

CREATE FUNCTION attributes_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM outbox_enqueue('catalog.attribute.changed', coalesce(NEW.id, OLD.id)::text, '{}'::jsonb);
    RETURN NULL;
END $$;
CREATE TRIGGER attributes_outbox AFTER UPDATE OR DELETE ON attributes
    FOR EACH ROW EXECUTE FUNCTION attributes_outbox();

-- Popularity for ranking: units sold per product. Orders add to it; importers with
-- sales history (Online Retail) fill it. Kept apart from products so a sale does not
-- bump the product's version or history.
CREATE TABLE product_popularity (
    product_id  BIGINT PRIMARY KEY REFERENCES products (id) ON DELETE CASCADE,
    units_sold  BIGINT NOT NULL DEFAULT 0 CHECK (units_sold >= 0),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE FUNCTION product_popularity_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM outbox_enqueue('catalog.product.changed', NEW.product_id::text, '{}'::jsonb);
    RETURN NULL;
END $$;
CREATE TRIGGER product_popularity_outbox AFTER INSERT OR UPDATE ON product_popularity
    FOR EACH ROW EXECUTE FUNCTION product_popularity_outbox();

-- Synonyms, applied when a query is parsed: each row is a group of equivalent terms or
-- phrases ("tee", "t-shirt"). Searchers reload them when this event arrives.
CREATE TABLE search_synonyms (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    terms       TEXT[] NOT NULL CHECK (cardinality(terms) >= 2),
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE FUNCTION search_synonyms_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM outbox_enqueue('search.synonyms.changed', 'all', '{}'::jsonb);
    RETURN NULL;
END $$;
CREATE TRIGGER search_synonyms_outbox AFTER INSERT OR UPDATE OR DELETE ON search_synonyms
    FOR EACH STATEMENT EXECUTE FUNCTION search_synonyms_outbox();

INSERT INTO search_synonyms (terms) VALUES
    ('{tee,t-shirt,tshirt}'),
    ('{sofa,couch,settee}'),
    ('{sneakers,trainers,running shoes}'),
    ('{laptop,notebook computer}'),
    ('{phone,smartphone,mobile phone}'),
    ('{tv,television}'),
    ('{jumper,sweater,pullover}'),
    ('{trousers,pants}'),
    ('{headphones,headset,earphones}'),
    ('{backpack,rucksack}');

-- One row per product a shopper can find: what the search index stores for it.
CREATE VIEW search_documents AS
SELECT p.id,
       p.slug,
       p.title,
       p.description,
       p.created_at,
       b.slug AS brand_slug,
       b.name AS brand_name,
       c.path AS category_path,
       v.min_price,
       v.max_price,
       v.currency,
       v.in_stock,
       v.skus,
       coalesce(a.codes, '{}') AS attribute_codes,
       coalesce(a.vals, '{}') AS attribute_values,
       i.content_key AS image_key,
       i.alt AS image_alt,
       i.width AS image_width,
       i.height AS image_height,
       i.widths AS image_widths,
       coalesce(pp.units_sold, 0) AS units_sold
FROM products p
LEFT JOIN brands b ON b.id = p.brand_id
LEFT JOIN categories c ON c.id = p.category_id
JOIN LATERAL (
    SELECT min(x.price_minor) AS min_price,
           max(x.price_minor) AS max_price,
           min(x.currency) AS currency,
           bool_or(x.stock_on_hand > 0) AS in_stock,
           array_agg(x.sku ORDER BY x.position, x.id) AS skus
    FROM variants x
    WHERE x.product_id = p.id
) v ON v.min_price IS NOT NULL
LEFT JOIN LATERAL (
    SELECT array_agg(at.code ORDER BY at.code, pa.position) AS codes,
           array_agg(pa.value_text ORDER BY at.code, pa.position) AS vals
    FROM product_attributes pa
    JOIN attributes at ON at.id = pa.attribute_id
    WHERE pa.product_id = p.id AND pa.value_text IS NOT NULL
) a ON true
LEFT JOIN LATERAL (
    SELECT pi.content_key, pi.alt, pi.width, pi.height, pi.widths
    FROM product_images pi
    WHERE pi.product_id = p.id
    ORDER BY pi.position
    LIMIT 1
) i ON true
LEFT JOIN product_popularity pp ON pp.product_id = p.id
WHERE p.status = 'active';
