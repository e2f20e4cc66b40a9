//! The lists shoppers see, each from one indexed query on what the models learned, then
//! the same rules for all: only active products in stock, nothing the shopper has in the
//! cart (or already bought, for personal picks), at most two per category in one list,
//! and short lists filled from what is trending, then popular, then featured.

use super::filling::{Filling, Row, shelf};
use super::memory::Memory;
use crate::catalog::ssr::cache::CatalogCache;
use crate::notify::Ticket;
use crate::reco::model::{Reason, Recommended, Shelf};
use sqlx::PgPool;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Products per list.
pub const LIST: usize = 8;
/// At most this many products of one category in one list (while others are there).
pub const PER_CATEGORY: usize = 3;
/// How long one instance reuses the count of baskets before asking again.
const TRENDING_FOR: Duration = crate::reco::model::FRESH_FOR;
/// How long one instance reuses a product page's lists (while the catalog is unchanged).
const LISTS_FOR: Duration = crate::reco::model::FRESH_FOR;

/// Something one instance keeps for every visitor: the catalog's generation when it was
/// read, the time it was read, and it.
type Kept<T> = (u64, Instant, Arc<T>);

/// What was kept, if it was read under the catalog's present generation (`ticket`, taken
/// now) less than `LISTS_FOR` ago.
fn fresh<T>(kept: Option<&Kept<T>>, ticket: Ticket) -> Option<Arc<T>> {
    let (seen, at, value) = kept?;
    (ticket.generation() == Some(*seen) && at.elapsed() < LISTS_FOR).then(|| value.clone())
}

/// Kept under the generation seen before reading (`ticket`), so that a change that
/// arrived meanwhile makes the next request read again; nothing kept while the catalog's
/// notifications are not heard.
fn keep<T>(ticket: Ticket, value: &Arc<T>) -> Option<Kept<T>> {
    Some((ticket.generation()?, Instant::now(), value.clone()))
}

/// What short lists are filled from, the same for everyone: the trending products' cards,
/// then the most bought, then the featured and newest (each in order, not yet filtered
/// by what one list leaves out).
#[derive(Debug)]
struct FillRows {
    trending: Vec<Row>,
    popular: Vec<Row>,
    featured: Vec<Row>,
}

/// What the lists read from: the database, and the count of baskets for a minute.
#[derive(Clone, Debug)]
pub struct Recommender {
    pub pool: PgPool,
    /// Where views are written: a pool whose commits do not wait for the disk (a view is
    /// worth less than a durable commit; a crash may lose the last moment's views).
    views: PgPool,
    /// A product page's lists are the same for every visitor (less what is in their
    /// cart): kept per product while the catalog is unchanged, for at most a minute.
    catalog: Arc<CatalogCache>,
    product_lists: Arc<Mutex<HashMap<i64, Kept<Vec<Shelf>>>>>,
    /// What every short list is filled from, kept the same way (trending is rewritten by
    /// the worker once a minute, so a minute's reuse shows nothing staler than it is).
    fill_rows: Arc<Mutex<Option<Kept<FillRows>>>>,
    /// Baskets folded so far (what chance is measured against), and when it was read.
    baskets: Arc<Mutex<Option<(Instant, f64)>>>,
    /// The models' neighbours, cards and SKUs, kept per key.
    memory: Arc<Memory>,
}

impl Recommender {
    pub fn new(pool: PgPool, catalog: Arc<CatalogCache>) -> Self {
        Recommender {
            views: pool.clone(),
            pool,
            catalog,
            product_lists: Arc::new(Mutex::new(HashMap::new())),
            fill_rows: Arc::new(Mutex::new(None)),
            baskets: Arc::new(Mutex::new(None)),
            memory: Arc::new(Memory::new()),
        }
    }

    /// Views written on `pool` (the carts' pool, whose commits do not wait for the disk).
    pub fn with_views_on(mut self, pool: PgPool) -> Self {
        self.views = pool;
        self
    }

    /// Products `seeds` lead to under `model` (`personal` or `similar`): each seed's
    /// neighbours, times its weight, summed (in memory: `memory.rs`).
    async fn neighbours(
        &self,
        model: &'static str,
        seeds: &[(i64, f64)],
        exclude: &[i64],
    ) -> Result<Vec<Row>, sqlx::Error> {
        let ticket = self.catalog.ticket();
        self.memory
            .neighbours(&self.pool, ticket, model, seeds, exclude)
            .await
    }

    /// The products on sale that `skus` name, each once.
    pub async fn products_of_skus(&self, skus: &[String]) -> Result<Vec<i64>, sqlx::Error> {
        let ticket = self.catalog.ticket();
        self.memory.products_of(&self.pool, ticket, skus).await
    }

    /// The baskets folded so far, read at most once a minute.
    async fn baskets(&self) -> Result<f64, sqlx::Error> {
        if let Ok(slot) = self.baskets.lock()
            && let Some((at, n)) = *slot
            && at.elapsed() < TRENDING_FOR
        {
            return Ok(n);
        }
        let n = sqlx::query_scalar!(r#"SELECT count(*)::float8 AS "n!" FROM reco_folded"#)
            .fetch_one(&self.pool)
            .await?
            .max(1.0);
        if let Ok(mut slot) = self.baskets.lock() {
            *slot = Some((Instant::now(), n));
        }
        Ok(n)
    }

    /// Products in the same baskets as `product`: of its 200 most co-bought (in at least
    /// two baskets together, read in that order from the index), those with the most
    /// lift over chance (damped).
    async fn together(&self, product: i64, exclude: &[i64]) -> Result<Vec<Row>, sqlx::Error> {
        let total = self.baskets().await?;
        sqlx::query_as!(
            Row,
            r#"WITH top AS (
                   SELECT p.other_id, p.baskets FROM reco_basket_pairs p
                    WHERE p.product_id = $1 AND p.baskets >= 2 AND NOT (p.other_id = ANY($2))
                    ORDER BY p.baskets DESC, p.other_id LIMIT 200),
               cand AS (
                   SELECT top.other_id AS id,
                          (top.baskets + 5.0) / (a.baskets::float8 * o.baskets / $3 + 5.0)
                            * ln(1 + top.baskets) AS score
                     FROM top
                     JOIN reco_products a ON a.product_id = $1
                     JOIN reco_products o ON o.product_id = top.other_id
                    ORDER BY 2 DESC, 1 LIMIT 30)
               SELECT c.id AS "id!", c.slug AS "slug!", c.title AS "title!", c.name_key AS "name_key!",
                      c.created_at AS "created_at!", c.brand, c.min_price AS "min_price!",
                      c.max_price AS "max_price!", c.currency AS "currency!", c.in_stock AS "in_stock!",
                      c.image_key, c.image_alt, c.image_width, c.image_height, c.image_widths,
                      c.category_path, cand.score AS "score!", NULL::text AS "because?"
                 FROM cand JOIN product_cards c ON c.id = cand.id
                WHERE c.in_stock
                ORDER BY cand.score DESC, c.id"#,
            product,
            exclude,
            total
        )
        .fetch_all(&self.pool)
        .await
    }

    /// The trending ranking (product, score), as the worker last wrote it.
    async fn trending_ranking(&self) -> Result<Vec<(i64, f64)>, sqlx::Error> {
        Ok(sqlx::query!(
            "SELECT product_id, score FROM reco_trending ORDER BY score DESC, product_id LIMIT 40"
        )
        .fetch_all(&self.pool)
        .await?
        .into_iter()
        .map(|r| (r.product_id, r.score))
        .collect())
    }

    /// Cards of `ranked` (product, score) in that order, those in stock.
    async fn cards(&self, ticket: Ticket, ranked: &[(i64, f64)]) -> Result<Vec<Row>, sqlx::Error> {
        let ranked = ranked.iter().map(|&(p, score)| (p, score, None)).collect();
        self.memory.in_stock(&self.pool, ticket, ranked).await
    }

    /// The most bought (by customers), then the shop's featured and newest products.
    async fn popular(&self, ticket: Ticket) -> Result<(Vec<Row>, Vec<Row>), sqlx::Error> {
        let ranked: Vec<(i64, f64)> = sqlx::query!(
            r#"SELECT product_id, buyers::float8 AS "score!" FROM reco_products
                ORDER BY buyers DESC, baskets DESC, product_id LIMIT 60"#
        )
        .fetch_all(&self.pool)
        .await?
        .into_iter()
        .map(|r| (r.product_id, r.score))
        .collect();
        let popular = self.cards(ticket, &ranked).await?;
        // The newest featured products first, then the newest (both by index).
        let shown: Vec<(i64, f64)> = sqlx::query_scalar!(
            "(SELECT id FROM products WHERE status = 'active' AND featured
               ORDER BY created_at DESC, id DESC LIMIT 40)
             UNION ALL
             (SELECT id FROM products WHERE status = 'active'
               ORDER BY created_at DESC, id DESC LIMIT 40)"
        )
        .fetch_all(&self.pool)
        .await?
        .into_iter()
        .flatten()
        .map(|id| (id, 0.0))
        .collect();
        let featured = self.cards(ticket, &shown).await?;
        Ok((popular, featured))
    }

    /// What short lists are filled from: read at most once a minute per instance, and
    /// again after any change to the catalog (stock availability included).
    async fn fill_rows(&self) -> Result<Arc<FillRows>, sqlx::Error> {
        let ticket = self.catalog.ticket();
        if let Some(rows) = self
            .fill_rows
            .lock()
            .ok()
            .and_then(|slot| fresh(slot.as_ref(), ticket))
        {
            return Ok(rows);
        }
        let ranking = self.trending_ranking().await?;
        let trending = self.cards(ticket, &ranking).await?;
        let (popular, featured) = self.popular(ticket).await?;
        let rows = Arc::new(FillRows {
            trending,
            popular,
            featured,
        });
        if let (Some(kept), Ok(mut slot)) = (keep(ticket, &rows), self.fill_rows.lock()) {
            *slot = Some(kept);
        }
        Ok(rows)
    }

    /// Fills a short list from trending, then popular (or popular first, with
    /// `popular_first`), then featured products.
    async fn fill(&self, list: &mut Filling, popular_first: bool) -> Result<(), sqlx::Error> {
        if list.full() {
            return Ok(());
        }
        let rows = self.fill_rows().await?;
        let trending = (rows.trending.as_slice(), Reason::Trending);
        let popular = (rows.popular.as_slice(), Reason::Popular);
        let order = if popular_first {
            [popular, trending]
        } else {
            [trending, popular]
        };
        for (from, reason) in order {
            if list.full() {
                return Ok(());
            }
            list.add(from.iter().cloned(), reason);
        }
        list.add(rows.featured.iter().cloned(), Reason::Featured);
        Ok(())
    }

    /// A product page's lists: bought together with it, and similar to it, less what is
    /// in the cart.
    pub async fn for_product(&self, product: i64, cart: &[i64]) -> Result<Vec<Shelf>, sqlx::Error> {
        let ticket = self.catalog.ticket();
        let cached = self
            .product_lists
            .lock()
            .ok()
            .and_then(|lists| fresh(lists.get(&product), ticket));
        let shelves = match cached {
            Some(shelves) => shelves,
            None => {
                let shelves = Arc::new(self.product_lists(product).await?);
                if let (Some(kept), Ok(mut lists)) =
                    (keep(ticket, &shelves), self.product_lists.lock())
                {
                    if lists.len() >= 10_000 {
                        lists.clear();
                    }
                    lists.insert(product, kept);
                }
                shelves
            }
        };
        Ok(shelves
            .iter()
            .map(|s| Shelf {
                kind: s.kind.clone(),
                title: s.title.clone(),
                items: s
                    .items
                    .iter()
                    .filter(|i| !cart.contains(&i.card.id))
                    .take(LIST)
                    .cloned()
                    .collect(),
            })
            .collect())
    }

    /// A product's lists for everyone, with room for the products a cart takes out.
    async fn product_lists(&self, product: i64) -> Result<Vec<Shelf>, sqlx::Error> {
        let room = LIST + 4;
        let mut together = Filling::with_room(&[product], room);
        together.add(
            self.together(product, &[product]).await?,
            Reason::BoughtTogether,
        );
        let mut similar = Filling::with_room(&together.ids(), room);
        similar.add(
            self.neighbours("similar", &[(product, 1.0)], &similar.ids())
                .await?,
            Reason::Similar,
        );
        Ok(vec![
            shelf("together", "Frequently bought together", together),
            shelf("similar", "Similar products", similar),
        ])
    }

    /// What customers who bought `seeds` also bought, less `exclude`, filled.
    pub async fn also_bought(
        &self,
        kind: &str,
        title: &str,
        seeds: &[(i64, f64)],
        exclude: &[i64],
    ) -> Result<Shelf, sqlx::Error> {
        self.personal(kind, title, seeds, exclude, false).await
    }

    /// The personal model's list from `seeds`, less `exclude`, filled (`popular_first`:
    /// from the most bought before what is trending).
    async fn personal(
        &self,
        kind: &str,
        title: &str,
        seeds: &[(i64, f64)],
        exclude: &[i64],
        popular_first: bool,
    ) -> Result<Shelf, sqlx::Error> {
        let mut list = Filling::new(exclude);
        list.add(
            self.neighbours("personal", seeds, exclude).await?,
            Reason::AlsoBought,
        );
        self.fill(&mut list, popular_first).await?;
        Ok(shelf(kind, title, list))
    }

    /// The signed-in customer's picks: from what they bought (recent purchases count up
    /// to twice as much), have in the cart and looked at; never what they bought or have
    /// in the cart. Filled from the most bought first: for customers with no history
    /// that is what the offline evaluation measured best (0.557 hit@10 against 0.475 to
    /// 0.501 for trending with half-lives of 7 to 60 days, Online Retail, July to
    /// September 2011), and it is what it measures.
    pub async fn for_customer(
        &self,
        customer: i64,
        cart: &[i64],
        viewed: &[i64],
    ) -> Result<Shelf, sqlx::Error> {
        let bought = sqlx::query!(
            r#"SELECT product_id,
                      (1 + power(0.5, extract(epoch FROM now() - last_at) / (90 * 86400)))::float8 AS "weight!"
                 FROM reco_purchases WHERE customer_id = $1
                ORDER BY last_at DESC LIMIT 200"#,
            customer
        )
        .fetch_all(&self.pool)
        .await?;
        let mut seeds: Vec<(i64, f64)> = bought.iter().map(|b| (b.product_id, b.weight)).collect();
        for &p in cart.iter().chain(viewed) {
            if !seeds.iter().any(|(s, _)| *s == p) {
                seeds.push((p, 1.0));
            }
        }
        let mut exclude: Vec<i64> = bought.iter().map(|b| b.product_id).collect();
        exclude.extend_from_slice(cart);
        self.personal("for_you", "Picked for you", &seeds, &exclude, true)
            .await
    }

    /// What is selling now, for everyone.
    pub async fn trending(&self, exclude: &[i64]) -> Result<Shelf, sqlx::Error> {
        let mut list = Filling::new(exclude);
        self.fill(&mut list, false).await?;
        Ok(shelf("trending", "Trending now", list))
    }

    /// What this session looked at, latest first (in stock or not: it is their history).
    pub async fn recently_viewed(
        &self,
        session: i64,
        exclude: &[i64],
    ) -> Result<Shelf, sqlx::Error> {
        let rows = sqlx::query_as!(
            Row,
            r#"SELECT c.id AS "id!", c.slug AS "slug!", c.title AS "title!", c.name_key AS "name_key!",
                      c.created_at AS "created_at!", c.brand, c.min_price AS "min_price!",
                      c.max_price AS "max_price!", c.currency AS "currency!", c.in_stock AS "in_stock!",
                      c.image_key, c.image_alt, c.image_width, c.image_height, c.image_widths,
                      NULL::text AS "category_path?", 0::float8 AS "score!", NULL::text AS "because?"
                 FROM recently_viewed r JOIN product_cards c ON c.id = r.product_id
                WHERE r.session_id = $1 AND NOT (c.id = ANY($2))
                ORDER BY r.viewed_at DESC LIMIT 8"#,
            session,
            exclude
        )
        .fetch_all(&self.pool)
        .await?;
        let items = rows
            .into_iter()
            .map(|r| {
                let (card, _, score, because) = r.into_parts();
                Recommended {
                    card,
                    reason: Reason::RecentlyViewed,
                    because,
                    score,
                }
            })
            .collect();
        Ok(Shelf {
            kind: "recently_viewed".into(),
            title: "Recently viewed".into(),
            items,
        })
    }

    /// The products this session viewed, latest first.
    pub async fn viewed(&self, session: i64) -> Result<Vec<i64>, sqlx::Error> {
        sqlx::query_scalar!(
            "SELECT product_id FROM recently_viewed WHERE session_id = $1 ORDER BY viewed_at DESC LIMIT 20",
            session
        )
        .fetch_all(&self.pool)
        .await
    }

    /// Remembers that a session looked at a product (its latest 50 are kept).
    pub async fn record_view(&self, session: i64, product: i64) -> Result<(), sqlx::Error> {
        let mut conn = self.views.acquire().await?;
        record_view_on(&mut conn, session, product).await
    }

    /// A new guest session for a product seen, and the view, in one transaction (no
    /// session is left without its view). The session ends after `lasting` unless used.
    pub async fn new_guest_with_view(
        &self,
        product: i64,
        lasting: std::time::Duration,
    ) -> Result<String, sqlx::Error> {
        let mut tx = self.views.begin().await?;
        let (session, token) = crate::session::create_guest_for(&mut tx, lasting).await?;
        record_view_on(&mut tx, session.id, product).await?;
        tx.commit().await?;
        Ok(token)
    }
}

/// Remembers that a session looked at a product (its latest 50 are kept).
async fn record_view_on(
    conn: &mut sqlx::PgConnection,
    session: i64,
    product: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "WITH seen AS (
             INSERT INTO recently_viewed (session_id, product_id) VALUES ($1, $2)
             ON CONFLICT (session_id, product_id) DO UPDATE SET viewed_at = now())
         DELETE FROM recently_viewed WHERE session_id = $1 AND product_id IN (
             SELECT product_id FROM recently_viewed WHERE session_id = $1
              ORDER BY viewed_at DESC OFFSET 49)",
        session,
        product
    )
    .execute(conn)
    .await?;
    Ok(())
}
