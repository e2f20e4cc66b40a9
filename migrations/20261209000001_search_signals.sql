-- What shoppers do after a search, as a ranking signal (app/src/search/ssr/signals.rs).
--
-- One row per visitor, query, product and kind of action (1 opened the product from
-- the results, 2 added it to the cart after that, 3 ordered it): a visitor counts once
-- per product and query whatever they repeat, and a repeat only moves `at` forward.
-- A visitor is a hash of the client address and user agent, so it holds across a guest
-- session being created and signing in. Derived data: no foreign keys, rows older than
-- 180 days are deleted by the aggregation.
CREATE TABLE search_events (
    visitor bytea NOT NULL CHECK (length(visitor) = 16),
    query text NOT NULL CHECK (length(query) BETWEEN 1 AND 200),
    product_id bigint NOT NULL,
    kind smallint NOT NULL CHECK (kind BETWEEN 1 AND 3),
    at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (visitor, product_id, kind, query)
);
CREATE INDEX search_events_at ON search_events (at);

-- The aggregate the engine reads: per query, each product's decayed weight from its
-- distinct visitors, scaled so the query's best product has 1.
CREATE TABLE search_signals (
    query text NOT NULL,
    product_id bigint NOT NULL,
    weight real NOT NULL CHECK (weight > 0 AND weight <= 1),
    PRIMARY KEY (query, product_id)
);
