-- The catalog in the admin: search engine fields, the revisions staff see and roll back
-- to, and the indexes the admin's product list reads by (every status, a million
-- products, keyset pages).

CREATE EXTENSION IF NOT EXISTS pg_trgm;

ALTER TABLE products
    ADD COLUMN seo_title TEXT CHECK (length(seo_title) <= 70),
    ADD COLUMN seo_description TEXT CHECK (length(seo_description) <= 320);

-- A revision: the product as staff edit it (its fields, options and variants), after a
-- save, an import or a rollback. Revision 1 of a product is what it was before its first
-- edit in the admin.
CREATE TABLE product_revisions (
    product_id  BIGINT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    revision    INTEGER NOT NULL CHECK (revision > 0),
    -- The products.version it produced.
    version     INTEGER NOT NULL,
    actor       TEXT NOT NULL,
    -- 'edit', 'baseline', 'rollback to 3', 'bulk: status active', ...
    note        TEXT NOT NULL DEFAULT '',
    snapshot    JSONB NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (product_id, revision)
);

CREATE INDEX products_admin_updated ON products (updated_at DESC, id DESC);
CREATE INDEX products_admin_status ON products (status, updated_at DESC, id DESC);
CREATE INDEX products_admin_category ON products (category_id, updated_at DESC, id DESC);
CREATE INDEX products_admin_brand ON products (brand_id, updated_at DESC, id DESC);
CREATE INDEX products_admin_title ON products (lower(title), id);
CREATE INDEX products_title_trgm ON products USING gin (lower(title) gin_trgm_ops);
