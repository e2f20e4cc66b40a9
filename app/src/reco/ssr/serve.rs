//! The lists shoppers see, each from one indexed query on what the models learned, then
//! the same rules for all: only active products in stock, nothing the shopper has in the
//! cart (or already bought, for personal picks), at most two per category in one list,
//! and short lists filled from what is trending, then popular, then featured.

use crate::catalog::ssr::rows::CardRow;
use crate::reco::model::{Reason, Recommended, Shelf};
use sqlx::PgPool;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Products per list.
pub const LIST: usize = 8;
/// At most this many products of one category in one list.
pub const PER_CATEGORY: usize = 2;
/// Trending: purchases in this many days, each worth half as much every `HALF_LIFE` days.
const TRENDING_DAYS: f64 = 30.0;
const HALF_LIFE: f64 = 7.0;
/// How long one instance reuses the trending ranking before asking again.
const TRENDING_FOR: Duration = Duration::from_secs(60);

/// A ranking of products (id, score), best first, and when it was read.
type Ranking = Option<(Instant, Vec<(i64, f64)>)>;

/// What the lists read from: the database, and the trending ranking for a minute.
#[derive(Clone, Debug)]
pub struct Recommender {
    pub pool: PgPool,
    trending: Arc<Mutex<Ranking>>,
}

/// A candidate: its card's row, category, score and the product that led to it.
struct Row {
    id: i64,
    slug: String,
    title: String,
    name_key: String,
    created_at: chrono::DateTime<chrono::Utc>,
    brand: Option<String>,
    min_price: i64,
    max_price: i64,
    currency: String,
    in_stock: bool,
    image_key: Option<String>,
    image_alt: Option<String>,
    image_width: Option<i32>,
    image_height: Option<i32>,
    image_widths: Option<Vec<i32>>,
    category_path: Option<String>,
    score: f64,
    because: Option<String>,
}

impl Row {
    fn into_parts(
        self,
    ) -> (
        crate::catalog::model::ProductCard,
        Option<String>,
        f64,
        Option<String>,
    ) {
        let card = CardRow {
            id: self.id,
            slug: self.slug,
            title: self.title,
            name_key: self.name_key,
            created_at: self.created_at,
            brand: self.brand,
            min_price: self.min_price,
            max_price: self.max_price,
            currency: self.currency,
            in_stock: self.in_stock,
            image_key: self.image_key,
            image_alt: self.image_alt,
            image_width: self.image_width,
            image_height: self.image_height,
            image_widths: self.image_widths,
        }
        .into_card();
        (card, self.category_path, self.score, self.because)
    }
}

/// Adds rows to a list in order: no product twice, nothing excluded, at most
/// `PER_CATEGORY` per category, up to `LIST`.
struct Filling {
    items: Vec<Recommended>,
    categories: Vec<(Option<String>, usize)>,
    exclude: Vec<i64>,
}

impl Filling {
    fn new(exclude: &[i64]) -> Self {
        Filling {
            items: Vec::new(),
            categories: Vec::new(),
            exclude: exclude.to_vec(),
        }
    }

    fn full(&self) -> bool {
        self.items.len() >= LIST
    }

    fn add(&mut self, rows: Vec<Row>, reason: Reason) {
        for row in rows {
            if self.full() {
                return;
            }
            if self.exclude.contains(&row.id) || self.items.iter().any(|i| i.card.id == row.id) {
                continue;
            }
            let (card, category, score, because) = row.into_parts();
            let seen = match self.categories.iter_mut().find(|(c, _)| *c == category) {
                Some((_, n)) => n,
                None => {
                    self.categories.push((category, 0));
                    &mut self.categories.last_mut().expect("just pushed").1
                }
            };
            if *seen >= PER_CATEGORY {
                continue;
            }
            *seen += 1;
            self.items.push(Recommended {
                card,
                reason,
                because,
                score,
            });
        }
    }

    fn ids(&self) -> Vec<i64> {
        self.exclude
            .iter()
            .copied()
            .chain(self.items.iter().map(|i| i.card.id))
            .collect()
    }
}

impl Recommender {
    pub fn new(pool: PgPool) -> Self {
        Recommender {
            pool,
            trending: Arc::new(Mutex::new(None)),
        }
    }

    /// Products `seeds` lead to under `model` (`personal` or `similar`): each seed's
    /// neighbours, times its weight, summed.
    async fn neighbours(
        &self,
        model: &str,
        seeds: &[(i64, f64)],
        exclude: &[i64],
    ) -> Result<Vec<Row>, sqlx::Error> {
        if seeds.is_empty() {
            return Ok(Vec::new());
        }
        let (ids, weights): (Vec<i64>, Vec<f64>) = seeds.iter().copied().unzip();
        sqlx::query_as!(
            Row,
            r#"WITH seeds AS (SELECT * FROM unnest($2::bigint[], $3::float8[]) AS s(product_id, weight)),
               cand AS (
                   SELECT n.other_id AS id, sum(n.score * s.weight) AS score,
                          (array_agg(n.product_id ORDER BY n.score * s.weight DESC))[1] AS because_id
                     FROM seeds s JOIN reco_neighbours n ON n.model = $1 AND n.product_id = s.product_id
                    WHERE NOT (n.other_id = ANY($4))
                    GROUP BY n.other_id
                    ORDER BY 2 DESC LIMIT 60)
               SELECT c.id AS "id!", c.slug AS "slug!", c.title AS "title!", c.name_key AS "name_key!",
                      c.created_at AS "created_at!", c.brand, c.min_price AS "min_price!",
                      c.max_price AS "max_price!", c.currency AS "currency!", c.in_stock AS "in_stock!",
                      c.image_key, c.image_alt, c.image_width, c.image_height, c.image_widths,
                      c.category_path, cand.score AS "score!", b.title AS "because?"
                 FROM cand
                 JOIN product_cards c ON c.id = cand.id
                 LEFT JOIN products b ON b.id = cand.because_id
                WHERE c.in_stock
                ORDER BY cand.score DESC, c.id"#,
            model,
            &ids,
            &weights,
            exclude
        )
        .fetch_all(&self.pool)
        .await
    }

    /// Products in the same baskets as `product`, by lift over chance (damped), in at
    /// least two baskets together.
    async fn together(&self, product: i64, exclude: &[i64]) -> Result<Vec<Row>, sqlx::Error> {
        sqlx::query_as!(
            Row,
            r#"WITH total AS (SELECT greatest(count(*), 1)::float8 AS baskets FROM reco_folded),
               cand AS (
                   SELECT p.other_id AS id,
                          (p.baskets + 5.0) / (a.baskets::float8 * o.baskets / total.baskets + 5.0)
                            * ln(1 + p.baskets) AS score
                     FROM reco_basket_pairs p
                     JOIN reco_products a ON a.product_id = p.product_id
                     JOIN reco_products o ON o.product_id = p.other_id
                     CROSS JOIN total
                    WHERE p.product_id = $1 AND p.baskets >= 2 AND NOT (p.other_id = ANY($2))
                    ORDER BY 2 DESC LIMIT 60)
               SELECT c.id AS "id!", c.slug AS "slug!", c.title AS "title!", c.name_key AS "name_key!",
                      c.created_at AS "created_at!", c.brand, c.min_price AS "min_price!",
                      c.max_price AS "max_price!", c.currency AS "currency!", c.in_stock AS "in_stock!",
                      c.image_key, c.image_alt, c.image_width, c.image_height, c.image_widths,
                      c.category_path, cand.score AS "score!", NULL::text AS "because?"
                 FROM cand JOIN product_cards c ON c.id = cand.id
                WHERE c.in_stock
                ORDER BY cand.score DESC, c.id"#,
            product,
            exclude
        )
        .fetch_all(&self.pool)
        .await
    }

    /// The trending ranking (product, score), kept for a minute.
    async fn trending_ranking(&self) -> Result<Vec<(i64, f64)>, sqlx::Error> {
        if let Ok(slot) = self.trending.lock()
            && let Some((at, ranking)) = slot.as_ref()
            && at.elapsed() < TRENDING_FOR
        {
            return Ok(ranking.clone());
        }
        let ranking: Vec<(i64, f64)> = sqlx::query!(
            r#"SELECT v.product_id, sum(power(0.5, extract(epoch FROM now() - o.created_at) / ($2::float8 * 86400)))::float8 AS "score!"
                 FROM orders o
                 JOIN order_lines l ON l.order_id = o.id
                 JOIN variants v ON v.id = l.variant_id
                WHERE o.created_at > now() - make_interval(secs => $1::float8 * 86400)
                  AND o.status IN ('authorized', 'confirmed', 'fulfilment', 'shipped', 'delivered',
                                   'partially_refunded')
                GROUP BY v.product_id ORDER BY 2 DESC, 1 LIMIT 200"#,
            TRENDING_DAYS,
            HALF_LIFE
        )
        .fetch_all(&self.pool)
        .await?
        .into_iter()
        .map(|r| (r.product_id, r.score))
        .collect();
        if let Ok(mut slot) = self.trending.lock() {
            *slot = Some((Instant::now(), ranking.clone()));
        }
        Ok(ranking)
    }

    /// Cards of `ranked` (product, score) in that order.
    async fn cards(&self, ranked: &[(i64, f64)], exclude: &[i64]) -> Result<Vec<Row>, sqlx::Error> {
        let (ids, scores): (Vec<i64>, Vec<f64>) = ranked.iter().copied().unzip();
        sqlx::query_as!(
            Row,
            r#"SELECT c.id AS "id!", c.slug AS "slug!", c.title AS "title!", c.name_key AS "name_key!",
                      c.created_at AS "created_at!", c.brand, c.min_price AS "min_price!",
                      c.max_price AS "max_price!", c.currency AS "currency!", c.in_stock AS "in_stock!",
                      c.image_key, c.image_alt, c.image_width, c.image_height, c.image_widths,
                      c.category_path, r.score AS "score!", NULL::text AS "because?"
                 FROM unnest($1::bigint[], $2::float8[]) WITH ORDINALITY AS r(id, score, n)
                 JOIN product_cards c ON c.id = r.id
                WHERE c.in_stock AND NOT (c.id = ANY($3))
                ORDER BY r.n"#,
            &ids,
            &scores,
            exclude
        )
        .fetch_all(&self.pool)
        .await
    }

    /// The most bought (by customers), then the shop's featured and newest products.
    async fn popular(&self, exclude: &[i64]) -> Result<(Vec<Row>, Vec<Row>), sqlx::Error> {
        let ranked: Vec<(i64, f64)> = sqlx::query!(
            r#"SELECT product_id, buyers::float8 AS "score!" FROM reco_products
                ORDER BY buyers DESC, baskets DESC, product_id LIMIT 60"#
        )
        .fetch_all(&self.pool)
        .await?
        .into_iter()
        .map(|r| (r.product_id, r.score))
        .collect();
        let popular = self.cards(&ranked, exclude).await?;
        let featured = sqlx::query_as!(
            Row,
            r#"SELECT c.id AS "id!", c.slug AS "slug!", c.title AS "title!", c.name_key AS "name_key!",
                      c.created_at AS "created_at!", c.brand, c.min_price AS "min_price!",
                      c.max_price AS "max_price!", c.currency AS "currency!", c.in_stock AS "in_stock!",
                      c.image_key, c.image_alt, c.image_width, c.image_height, c.image_widths,
                      c.category_path, 0::float8 AS "score!", NULL::text AS "because?"
                 FROM product_cards c
                WHERE c.in_stock AND NOT (c.id = ANY($1))
                ORDER BY c.featured DESC, c.created_at DESC, c.id LIMIT 40"#,
            exclude
        )
        .fetch_all(&self.pool)
        .await?;
        Ok((popular, featured))
    }

    /// Fills a short list from trending, then popular, then featured products.
    async fn fill(&self, list: &mut Filling) -> Result<(), sqlx::Error> {
        if list.full() {
            return Ok(());
        }
        let ranking = self.trending_ranking().await?;
        let trending = self.cards(&ranking, &list.ids()).await?;
        list.add(trending, Reason::Trending);
        if list.full() {
            return Ok(());
        }
        let (popular, featured) = self.popular(&list.ids()).await?;
        list.add(popular, Reason::Popular);
        list.add(featured, Reason::Featured);
        Ok(())
    }

    /// A product page's lists: bought together with it, and similar to it.
    pub async fn for_product(&self, product: i64, cart: &[i64]) -> Result<Vec<Shelf>, sqlx::Error> {
        let mut exclude = cart.to_vec();
        exclude.push(product);
        let mut together = Filling::new(&exclude);
        together.add(
            self.together(product, &exclude).await?,
            Reason::BoughtTogether,
        );
        let mut similar = Filling::new(&together.ids());
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
        let mut list = Filling::new(exclude);
        list.add(
            self.neighbours("personal", seeds, exclude).await?,
            Reason::AlsoBought,
        );
        self.fill(&mut list).await?;
        Ok(shelf(kind, title, list))
    }

    /// The signed-in customer's picks: from what they bought (recent purchases count up
    /// to twice as much), have in the cart and looked at; never what they bought or have
    /// in the cart.
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
        self.also_bought("for_you", "Picked for you", &seeds, &exclude)
            .await
    }

    /// What is selling now, for everyone.
    pub async fn trending(&self, exclude: &[i64]) -> Result<Shelf, sqlx::Error> {
        let mut list = Filling::new(exclude);
        self.fill(&mut list).await?;
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
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}

fn shelf(kind: &str, title: &str, list: Filling) -> Shelf {
    Shelf {
        kind: kind.into(),
        title: title.into(),
        items: list.items,
    }
}
