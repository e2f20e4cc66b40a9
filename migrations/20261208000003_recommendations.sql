-- Recommendations. What the models learn from is kept as counts that an order adds to
-- exactly (so folding orders one at a time and rebuilding from every order give the
-- same rows): who bought which product (customers' orders over time), which products
-- share baskets, and how many buyers and baskets each product has. An order counts once
-- it has been confirmed (paid). What the EASE model and the content model fit from them
-- is kept as each product's neighbours, read by one indexed query.
--
-- These tables are derived and rebuilt whole, so they hold no foreign keys: a rebuild
-- must not lock every order and product it reads (a foreign key check takes a share
-- lock on the row it names, which would stall checkout and the admin for the length of
-- a rebuild). Lists join the live catalog, so a product gone is simply never shown.

CREATE TABLE reco_purchases (
    customer_id  BIGINT NOT NULL,
    product_id   BIGINT NOT NULL,
    first_at     TIMESTAMPTZ NOT NULL,
    last_at      TIMESTAMPTZ NOT NULL,
    orders       INTEGER NOT NULL CHECK (orders > 0),
    PRIMARY KEY (customer_id, product_id)
);
CREATE INDEX reco_purchases_recent ON reco_purchases (last_at);

-- Both directions: (a, b) and (b, a), so a product's companions are one index range.
-- Only baskets of at most 30 different products count: a bigger one is a stock-up, not
-- things bought together (and its pairs grow with the square of its size).
CREATE TABLE reco_basket_pairs (
    product_id   BIGINT NOT NULL,
    other_id     BIGINT NOT NULL,
    baskets      INTEGER NOT NULL CHECK (baskets > 0),
    PRIMARY KEY (product_id, other_id),
    CHECK (product_id <> other_id)
);
-- A product's most co-bought companions first.
CREATE INDEX reco_basket_pairs_top ON reco_basket_pairs (product_id, baskets DESC, other_id);

CREATE TABLE reco_products (
    product_id   BIGINT PRIMARY KEY,
    buyers       INTEGER NOT NULL DEFAULT 0 CHECK (buyers >= 0),
    baskets      INTEGER NOT NULL DEFAULT 0 CHECK (baskets >= 0)
);

-- The orders folded in (an order is never folded twice).
CREATE TABLE reco_folded (
    order_id     BIGINT PRIMARY KEY,
    folded_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
-- Whether anything was folded since the last fit.
CREATE INDEX reco_folded_at ON reco_folded (folded_at);

-- Fitted neighbours: `personal` (EASE over customers' purchases) and `similar` (title,
-- category and brand), best first.
CREATE TABLE reco_neighbours (
    model        TEXT NOT NULL CHECK (model IN ('personal', 'similar')),
    product_id   BIGINT NOT NULL,
    rank         SMALLINT NOT NULL CHECK (rank >= 0),
    other_id     BIGINT NOT NULL,
    score        DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (model, product_id, rank)
);

-- What sells now: purchases (guests' too) of the last 30 days, each worth half as much
-- for every week since; the worker writes it again every minute.
CREATE TABLE reco_trending (
    product_id   BIGINT PRIMARY KEY,
    score        DOUBLE PRECISION NOT NULL,
    computed_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX reco_trending_score ON reco_trending (score DESC, product_id);

-- Each fit: when, from how much, and how long it took.
CREATE TABLE reco_fits (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    fitted_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    purchases    BIGINT NOT NULL,
    products     BIGINT NOT NULL,
    millis       BIGINT NOT NULL,
    -- The counts were refolded from every order first (a rebuild).
    refolded     BOOLEAN NOT NULL DEFAULT false
);

-- What a visitor looked at recently, kept with their session (guests too), never in
-- the browser.
CREATE TABLE recently_viewed (
    session_id   BIGINT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    product_id   BIGINT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    viewed_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (session_id, product_id)
);
CREATE INDEX recently_viewed_latest ON recently_viewed (session_id, viewed_at DESC);

-- Lists of a new shop fall back to its featured products, newest first.
CREATE INDEX products_featured ON products (created_at DESC, id DESC)
    WHERE status = 'active' AND featured;

INSERT INTO outbox_consumers (name) VALUES ('recommendations') ON CONFLICT (name) DO NOTHING;
