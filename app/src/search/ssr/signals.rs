//! Behaviour and the person as ranking signals.
//!
//! **Behaviour.** When a shopper opens a product from the search page (the product page
//! request's same-origin `Referer` is `/search?q=...`), the server records a click for
//! that query; adding the product to the cart or ordering it later from the same visitor
//! records a cart or an order event for the same query. A visitor counts once per query,
//! product and kind of action, however often they repeat it, and at most
//! [`DAILY_LIMIT`] new events a day. The aggregation (every few minutes, by any
//! instance, one at a time) weighs each distinct visitor's actions (click 1, cart 3,
//! order 5), halves them every 30 days, keeps only products that at least two visitors
//! chose for a query, and scales each query's best product to 1.
//!
//! **The person.** A signed-in customer's categories and brands, from their orders.
//!
//! Both only re-rank the best text matches (`rank::rerank`), only in-stock products,
//! and only those whose text score is at least half the best one: no signal can lift an
//! out-of-stock or barely matching product. A product's factor is at most
//! `1 + BEHAVIOUR_WEIGHT` times `(1 + PERSONAL_WEIGHT)²`.

use super::schema::{plain_analyzer, primary_tokens};
use super::text::is_stop_word;
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use std::collections::{HashMap, HashSet};

/// A product's best behaviour signal multiplies its score by this much more.
pub const BEHAVIOUR_WEIGHT: f32 = 0.5;
/// A customer's own brand, and their own category, each multiply by this much more.
pub const PERSONAL_WEIGHT: f32 = 0.1;
/// New events a visitor may add in a day.
pub const DAILY_LIMIT: i64 = 200;
/// Products kept per query.
const PER_QUERY: i64 = 50;

/// A query as signals key it: its words (as the index splits them, no stop words),
/// sorted, so "Running Shoes" and "shoes for running" are one query.
pub fn query_key(q: &str) -> Option<String> {
    let mut words: Vec<String> = primary_tokens(&mut plain_analyzer(), q)
        .into_iter()
        .filter(|w| !is_stop_word(w))
        .collect();
    words.sort();
    words.dedup();
    let key: String = words.join(" ").chars().take(200).collect();
    (!key.is_empty()).then_some(key)
}

/// Per query, each product's weight (0, 1].
#[derive(Debug, Clone, Default)]
pub struct Behaviour {
    by_query: HashMap<String, HashMap<u64, f32>>,
}

impl Behaviour {
    pub fn from_rows(rows: impl IntoIterator<Item = (String, i64, f32)>) -> Self {
        let mut by_query: HashMap<String, HashMap<u64, f32>> = HashMap::new();
        for (q, product, w) in rows {
            by_query
                .entry(q)
                .or_default()
                .insert(product as u64, w.clamp(0.0, 1.0));
        }
        Behaviour { by_query }
    }

    /// The weights of one query's products.
    pub fn of(&self, q: &str) -> Option<&HashMap<u64, f32>> {
        if self.by_query.is_empty() {
            return None;
        }
        query_key(q).and_then(|k| self.by_query.get(&k))
    }

    pub fn len(&self) -> usize {
        self.by_query.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_query.is_empty()
    }
}

/// A signed-in customer's categories (every ancestor path) and brands.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Personal {
    pub categories: HashSet<String>,
    pub brands: HashSet<String>,
}

/// What multiplies a matched product's score: its behaviour weight for the query and
/// whether it is of the customer's brand and category. 1 for a product out of stock or
/// far below the best match (`relative`: its text score over the best one).
pub fn factor(
    behaviour: f32,
    own_brand: bool,
    own_category: bool,
    in_stock: bool,
    relative: f32,
) -> f32 {
    if !in_stock || relative < 0.5 {
        return 1.0;
    }
    let personal = |yes: bool| if yes { 1.0 + PERSONAL_WEIGHT } else { 1.0 };
    (1.0 + BEHAVIOUR_WEIGHT * behaviour.clamp(0.0, 1.0))
        * personal(own_brand)
        * personal(own_category)
}

/// The visitor of the current request: a hash of the client address and user agent.
pub fn visitor() -> Option<[u8; 16]> {
    let parts = leptos::prelude::use_context::<axum::http::request::Parts>()?;
    let agent = parts
        .headers
        .get(axum::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let ip = crate::account::ssr::client_ip();
    let digest = Sha256::digest(format!("search-visitor\n{ip}\n{agent}").as_bytes());
    let mut key = [0u8; 16];
    key.copy_from_slice(&digest[..16]);
    Some(key)
}

/// The query of the search page this request came from, if it came from one of this
/// shop (the referer's host must be the request's own).
pub fn referring_query() -> Option<String> {
    let parts = leptos::prelude::use_context::<axum::http::request::Parts>()?;
    let referer = parts
        .headers
        .get(axum::http::header::REFERER)?
        .to_str()
        .ok()?;
    let host = parts.headers.get(axum::http::header::HOST)?.to_str().ok()?;
    let rest = referer
        .strip_prefix("https://")
        .or_else(|| referer.strip_prefix("http://"))?;
    let (origin, path) = rest.split_at(rest.find('/')?);
    if !origin.eq_ignore_ascii_case(host) {
        return None;
    }
    let query = path.strip_prefix("/search?")?;
    let params = crate::search::params::SearchParams::from_query(query).ok()?;
    query_key(&params.q)
}

/// Records that the visitor opened `product` from a search, when they did (without
/// making the page wait).
pub fn after_product_view(pool: &PgPool, product: i64) {
    let (Some(query), Some(visitor)) = (referring_query(), visitor()) else {
        return;
    };
    let pool = pool.clone();
    tokio::spawn(async move {
        if let Err(e) = record(&pool, &visitor, &query, product, 1).await {
            tracing::warn!(error = %e, "a search click was not recorded");
        }
    });
}

/// One event, unless the visitor has used up the day's allowance.
pub async fn record(
    pool: &PgPool,
    visitor: &[u8; 16],
    query: &str,
    product: i64,
    kind: i16,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO search_events (visitor, query, product_id, kind)
         SELECT $1, $2, $3, $4
          WHERE (SELECT count(*) FROM search_events
                  WHERE visitor = $1 AND at > now() - interval '1 day') < $5
         ON CONFLICT (visitor, product_id, kind, query) DO UPDATE SET at = now()",
        &visitor[..],
        query,
        product,
        kind,
        DAILY_LIMIT
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// After the visitor added a SKU to the cart: a cart event for each query they opened
/// its product from in the last two hours.
pub fn after_cart_add(pool: &PgPool, sku: &str) {
    let Some(visitor) = visitor() else { return };
    let (pool, sku) = (pool.clone(), sku.trim().to_owned());
    tokio::spawn(async move {
        let done = sqlx::query!(
            "INSERT INTO search_events (visitor, query, product_id, kind)
             SELECT e.visitor, e.query, e.product_id, 2 FROM search_events e
               JOIN variants v ON v.product_id = e.product_id AND v.sku = $2
              WHERE e.visitor = $1 AND e.kind = 1 AND e.at > now() - interval '2 hours'
             ON CONFLICT (visitor, product_id, kind, query) DO UPDATE SET at = now()",
            &visitor[..],
            sku
        )
        .execute(&pool)
        .await;
        if let Err(e) = done {
            tracing::warn!(error = %e, "a search cart event was not recorded");
        }
    });
}

/// After the visitor placed an order: an order event for each of its products they
/// opened from a search in the last day.
pub fn after_order(pool: &PgPool, number: &str) {
    let Some(visitor) = visitor() else { return };
    let (pool, number) = (pool.clone(), number.to_owned());
    tokio::spawn(async move {
        let done = sqlx::query!(
            "INSERT INTO search_events (visitor, query, product_id, kind)
             SELECT DISTINCT e.visitor, e.query, e.product_id, 3::smallint
               FROM orders o
               JOIN order_lines l ON l.order_id = o.id
               JOIN variants v ON v.id = l.variant_id
               JOIN search_events e ON e.product_id = v.product_id
              WHERE o.number = $2 AND e.visitor = $1 AND e.kind = 1
                AND e.at > now() - interval '1 day'
             ON CONFLICT (visitor, product_id, kind, query) DO UPDATE SET at = now()",
            &visitor[..],
            number
        )
        .execute(&pool)
        .await;
        if let Err(e) = done {
            tracing::warn!(error = %e, "a search order event was not recorded");
        }
    });
}

/// Rewrites `search_signals` from the events (one instance at a time; another that
/// finds the lock taken skips this round). Returns the rows written, if it ran.
pub async fn aggregate(pool: &PgPool) -> Result<Option<u64>, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let mine = sqlx::query_scalar!(
        r#"SELECT pg_try_advisory_xact_lock(hashtext('mercato.search_signals')) AS "ok!""#
    )
    .fetch_one(&mut *tx)
    .await?;
    if !mine {
        return Ok(None);
    }
    sqlx::query!("DELETE FROM search_events WHERE at < now() - interval '180 days'")
        .execute(&mut *tx)
        .await?;
    sqlx::query!("DELETE FROM search_signals")
        .execute(&mut *tx)
        .await?;
    let written = sqlx::query!(
        "WITH weighed AS (
             SELECT query, product_id,
                    sum(CASE kind WHEN 1 THEN 1 WHEN 2 THEN 3 ELSE 5 END
                        * power(0.5, extract(epoch FROM now() - at) / (30 * 86400))) AS w,
                    count(DISTINCT visitor) AS visitors
               FROM search_events GROUP BY query, product_id),
         kept AS (
             SELECT query, product_id, w,
                    max(w) OVER (PARTITION BY query) AS best,
                    row_number() OVER (PARTITION BY query ORDER BY w DESC, product_id) AS rank
               FROM weighed WHERE visitors >= 2)
         INSERT INTO search_signals (query, product_id, weight)
         SELECT query, product_id, greatest(w / best, 1e-6)::real FROM kept
          WHERE rank <= $1 AND best > 0",
        PER_QUERY
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    tx.commit().await?;
    Ok(Some(written))
}

/// The aggregate, for the engine.
pub async fn load(pool: &PgPool) -> Result<Behaviour, sqlx::Error> {
    let rows = sqlx::query!("SELECT query, product_id, weight FROM search_signals")
        .fetch_all(pool)
        .await?;
    Ok(Behaviour::from_rows(
        rows.into_iter().map(|r| (r.query, r.product_id, r.weight)),
    ))
}

/// A customer's categories (with their ancestors) and brands, from their last 50 orders.
pub async fn personal(pool: &PgPool, customer: i64) -> Result<Personal, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT DISTINCT c.path AS "path?", b.slug AS "brand?"
             FROM (SELECT id FROM orders WHERE user_id = $1
                    ORDER BY created_at DESC LIMIT 50) o
             JOIN order_lines l ON l.order_id = o.id
             JOIN variants v ON v.id = l.variant_id
             JOIN products p ON p.id = v.product_id
             LEFT JOIN categories c ON c.id = p.category_id
             LEFT JOIN brands b ON b.id = p.brand_id"#,
        customer
    )
    .fetch_all(pool)
    .await?;
    let mut out = Personal::default();
    for r in rows {
        if let Some(path) = r.path {
            out.categories
                .extend(super::source::ancestor_paths(&path).map(str::to_owned));
        }
        if let Some(brand) = r.brand {
            out.brands.insert(brand);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_keyed_by_their_words() {
        assert_eq!(query_key("Running Shoes"), query_key("shoes for running"));
        assert_eq!(query_key("  "), None);
        assert_eq!(query_key("the"), None);
        assert!(query_key(&"x ".repeat(500)).unwrap().len() <= 200);
    }

    #[test]
    fn signals_never_lift_what_is_out_of_stock_or_barely_matching() {
        assert_eq!(factor(1.0, true, true, false, 1.0), 1.0);
        assert_eq!(factor(1.0, true, true, true, 0.3), 1.0);
        let most = factor(1.0, true, true, true, 1.0);
        assert!(most > 1.0 && most <= (1.0 + BEHAVIOUR_WEIGHT) * 1.21 + 1e-6);
        assert!(factor(0.2, false, false, true, 0.9) < factor(0.8, false, false, true, 0.9));
        // Out-of-range weights are clamped.
        assert_eq!(
            factor(50.0, false, false, true, 1.0),
            1.0 + BEHAVIOUR_WEIGHT
        );
    }
}
