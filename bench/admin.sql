-- bench/admin: a million products (each with a variant and stock) and a million orders
-- (each with a line), written straight into the tables with this session's triggers off
-- (no outbox events, no history rows: the admin's lists read the tables themselves).
-- Titles come from a small vocabulary, so searches match many rows, as in a real shop.
\set ON_ERROR_STOP on
SET session_replication_role = replica;
SET synchronous_commit = off;

CREATE TEMP TABLE words AS
SELECT w, row_number() OVER () - 1 AS i FROM unnest(ARRAY[
  'oak','linen','ceramic','walnut','copper','wool','glass','steel','cotton','marble',
  'lamp','chair','table','mug','vase','rug','shelf','clock','basket','mirror',
  'small','large','round','square','tall','low','soft','bright','dark','classic',
  'nordic','rustic','modern','vintage','coastal','urban','garden','kitchen','studio','travel']) AS w;

INSERT INTO brands (slug, name)
SELECT 'bench-brand-' || g, 'Bench brand ' || g FROM generate_series(1, 200) g
ON CONFLICT DO NOTHING;
INSERT INTO categories (slug, path, name)
SELECT 'bench-' || g, 'bench-' || g, 'Bench category ' || g FROM generate_series(1, 100) g
ON CONFLICT DO NOTHING;

CREATE TEMP TABLE ids AS
SELECT (SELECT array_agg(id) FROM brands WHERE slug LIKE 'bench-brand-%') AS brands,
       (SELECT array_agg(id) FROM categories WHERE slug LIKE 'bench-%') AS categories,
       (SELECT array_agg(w ORDER BY i) FROM words) AS words;

INSERT INTO products (slug, title, description, brand_id, category_id, status, created_at, updated_at)
SELECT 'bench-' || g,
       initcap(ids.words[1 + (g * 7) % 40] || ' ' || ids.words[1 + (g * 13) % 40] || ' '
               || ids.words[1 + (g * 31) % 40]) || ' ' || g,
       'Generated for bench/admin.',
       ids.brands[1 + g % 200], ids.categories[1 + (g / 7) % 100],
       (CASE WHEN g % 20 = 0 THEN 'archived' WHEN g % 10 = 0 THEN 'draft' ELSE 'active' END)::product_status,
       now() - make_interval(secs => g), now() - make_interval(secs => g)
  FROM generate_series(1, :products) g, ids;

INSERT INTO variants (product_id, sku, price_minor, currency, position)
SELECT p.id, 'BENCH-' || p.id, 500 + (p.id * 37) % 50000, 'USD', 0
  FROM products p WHERE p.slug LIKE 'bench-%';

INSERT INTO stock_levels (variant_id, warehouse_id, on_hand)
SELECT v.id, (SELECT id FROM warehouses WHERE code = 'main'), (v.id % 50)::int
  FROM variants v WHERE v.sku LIKE 'BENCH-%';

-- Assessed as checkout would: 1 in 100 high risk, 5 in 100 medium, the rest low.
INSERT INTO orders (number, idempotency_key, email, status, currency, subtotal_minor, total_minor,
                    shipping_address, region, holder, created_at, updated_at,
                    risk_level, risk_score, risk_signals)
SELECT 'B-' || lpad(g::text, 10, '0'), 'bench-order-key-' || g,
       'customer' || (g % 50000) || '@example.com',
       (ARRAY['delivered','delivered','delivered','shipped','confirmed','cancelled','refunded','pending'])[1 + g % 8]::order_status,
       'USD', 1000 + (g * 53) % 90000, 1000 + (g * 53) % 90000,
       '{"country": "GB"}', 'DEFAULT', 'order:B-' || lpad(g::text, 10, '0'),
       now() - make_interval(secs => g * 30), now() - make_interval(secs => g * 30),
       (CASE WHEN g % 100 = 0 THEN 'high' WHEN g % 100 <= 5 THEN 'medium' ELSE 'low' END)::risk_level,
       CASE WHEN g % 100 = 0 THEN 65 WHEN g % 100 <= 5 THEN 35 ELSE 0 END,
       '[]'::jsonb
  FROM generate_series(1, :orders) g;

CREATE TEMP TABLE bench_variants AS
SELECT id, sku, row_number() OVER (ORDER BY id) AS n FROM variants WHERE sku LIKE 'BENCH-%';
CREATE INDEX ON bench_variants (n);
INSERT INTO order_lines (order_id, position, variant_id, sku, title, quantity, unit_price_minor)
SELECT o.id, 0, v.id, v.sku, 'Bench item', 1, o.total_minor
  FROM orders o
  JOIN bench_variants v ON v.n = 1 + o.id % :products
 WHERE o.number LIKE 'B-%';

VACUUM ANALYZE products;
VACUUM ANALYZE variants;
VACUUM ANALYZE stock_levels;
VACUUM ANALYZE orders;
VACUUM ANALYZE order_lines;
