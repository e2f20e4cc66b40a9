//! What one instance keeps in memory so that a list is computed without the database:
//! each product's neighbours under a model (with its title, for "because you bought"),
//! the cards of the products on sale, and which product a SKU is. Each is read once per
//! key, kept under the catalog's generation (any change to the catalog, stock
//! availability included, reads it again) for at most `FRESH_FOR` (the worker refits
//! the neighbours; a list may be that much behind it, as the product pages' lists are).
//! Nothing is kept while the catalog's notifications are not heard. Every map is
//! bounded: past `MOST_KEPT` keys it starts again.

use super::filling::Row;
use crate::notify::Ticket;
use sqlx::PgPool;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Keys per map before it is emptied (a flood of made-up SKUs cannot grow it further).
const MOST_KEPT: usize = 50_000;

/// Candidates a list is made from, before the ones out of stock are taken out.
const CANDIDATES: usize = 30;

/// A product as a seed: its title and its neighbours (other product, score), best first.
#[derive(Debug, Default)]
pub(super) struct Seed {
    title: Option<String>,
    neighbours: Vec<(i64, f64)>,
}

/// A value with the catalog's generation and the time it was read at.
type Entry<V> = (u64, Instant, Arc<V>);

/// Values per key.
struct Map<K, V>(Mutex<HashMap<K, Entry<V>>>);

impl<K: Eq + Hash + Clone, V> Map<K, V> {
    fn new() -> Self {
        Map(Mutex::new(HashMap::new()))
    }

    /// What is kept and fresh for `keys` under `ticket`, and the keys that are not.
    fn split(&self, keys: &[K], ticket: Ticket) -> (HashMap<K, Arc<V>>, Vec<K>) {
        let mut found = HashMap::with_capacity(keys.len());
        let mut missing = Vec::new();
        let kept = self.0.lock().ok();
        for k in keys {
            let fresh = match (&kept, ticket.generation()) {
                (Some(map), Some(now)) => map.get(k).and_then(|(seen, at, v)| {
                    (*seen == now && at.elapsed() < crate::reco::model::FRESH_FOR)
                        .then(|| v.clone())
                }),
                _ => None,
            };
            match fresh {
                Some(v) => {
                    found.insert(k.clone(), v);
                }
                None => missing.push(k.clone()),
            }
        }
        (found, missing)
    }

    /// Keeps what was read under `ticket` (taken before reading, so that a change
    /// that arrived meanwhile makes the next request read again).
    fn keep(&self, read: &HashMap<K, Arc<V>>, ticket: Ticket) {
        let (Some(generation), Ok(mut map)) = (ticket.generation(), self.0.lock()) else {
            return;
        };
        if map.len() + read.len() > MOST_KEPT {
            map.clear();
        }
        let now = Instant::now();
        for (k, v) in read {
            map.insert(k.clone(), (generation, now, v.clone()));
        }
    }
}

/// The instance's memory of models, cards and SKUs.
pub(super) struct Memory {
    seeds: Map<(&'static str, i64), Seed>,
    cards: Map<i64, Option<Row>>,
    skus: Map<String, Option<i64>>,
}

impl std::fmt::Debug for Memory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Memory")
    }
}

impl Memory {
    pub(super) fn new() -> Self {
        Memory {
            seeds: Map::new(),
            cards: Map::new(),
            skus: Map::new(),
        }
    }

    /// `products` as seeds under `model`, the ones not kept read in one query.
    async fn seeds(
        &self,
        pool: &PgPool,
        model: &'static str,
        products: &[i64],
        ticket: Ticket,
    ) -> Result<HashMap<i64, Arc<Seed>>, sqlx::Error> {
        let keys: Vec<(&'static str, i64)> = products.iter().map(|&p| (model, p)).collect();
        let (found, missing) = self.seeds.split(&keys, ticket);
        let mut seeds: HashMap<i64, Arc<Seed>> =
            found.into_iter().map(|((_, p), s)| (p, s)).collect();
        if missing.is_empty() {
            return Ok(seeds);
        }
        let ids: Vec<i64> = missing.iter().map(|(_, p)| *p).collect();
        let rows = sqlx::query!(
            r#"SELECT s.id AS "id!", p.title AS "title?",
                      coalesce(array_agg(n.other_id ORDER BY n.score DESC, n.other_id)
                                 FILTER (WHERE n.other_id IS NOT NULL), '{}') AS "others!",
                      coalesce(array_agg(n.score ORDER BY n.score DESC, n.other_id)
                                 FILTER (WHERE n.other_id IS NOT NULL), '{}') AS "scores!"
                 FROM unnest($2::bigint[]) AS s(id)
                 LEFT JOIN products p ON p.id = s.id
                 LEFT JOIN reco_neighbours n ON n.model = $1 AND n.product_id = s.id
                GROUP BY s.id, p.title"#,
            model,
            &ids
        )
        .fetch_all(pool)
        .await?;
        let mut read = HashMap::with_capacity(rows.len());
        for r in rows {
            let seed = Arc::new(Seed {
                title: r.title,
                neighbours: r.others.into_iter().zip(r.scores).collect(),
            });
            seeds.insert(r.id, seed.clone());
            read.insert((model, r.id), seed);
        }
        self.seeds.keep(&read, ticket);
        Ok(seeds)
    }

    /// The cards of `products` that are on sale (a product that is not has none).
    async fn cards(
        &self,
        pool: &PgPool,
        products: &[i64],
        ticket: Ticket,
    ) -> Result<HashMap<i64, Arc<Option<Row>>>, sqlx::Error> {
        let (mut cards, missing) = self.cards.split(products, ticket);
        if missing.is_empty() {
            return Ok(cards);
        }
        let rows = sqlx::query_as!(
            Row,
            r#"SELECT c.id AS "id!", c.slug AS "slug!", c.title AS "title!", c.name_key AS "name_key!",
                      c.created_at AS "created_at!", c.brand, c.min_price AS "min_price!",
                      c.max_price AS "max_price!", c.currency AS "currency!", c.in_stock AS "in_stock!",
                      c.image_key, c.image_alt, c.image_width, c.image_height, c.image_widths,
                      c.category_path, 0::float8 AS "score!", NULL::text AS "because?"
                 FROM product_cards c WHERE c.id = ANY($1)"#,
            &missing
        )
        .fetch_all(pool)
        .await?;
        let mut read: HashMap<i64, Arc<Option<Row>>> =
            missing.iter().map(|&id| (id, Arc::new(None))).collect();
        for row in rows {
            read.insert(row.id, Arc::new(Some(row)));
        }
        self.cards.keep(&read, ticket);
        cards.extend(read);
        Ok(cards)
    }

    /// Products `seeds` (product, weight) lead to under `model`: each seed's neighbours
    /// times its weight, summed; the best `CANDIDATES` of them not in `exclude`, those
    /// in stock, best first, each with the seed that led to it most.
    pub(super) async fn neighbours(
        &self,
        pool: &PgPool,
        ticket: Ticket,
        model: &'static str,
        seeds: &[(i64, f64)],
        exclude: &[i64],
    ) -> Result<Vec<Row>, sqlx::Error> {
        if seeds.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<i64> = seeds.iter().map(|&(p, _)| p).collect();
        let known = self.seeds(pool, model, &ids, ticket).await?;
        let ranked = rank(seeds, &known, exclude);
        let ranked: Vec<(i64, f64, Option<String>)> = ranked
            .into_iter()
            .map(|c| {
                let because = known.get(&c.because).and_then(|s| s.title.clone());
                (c.product, c.score, because)
            })
            .collect();
        self.in_stock(pool, ticket, ranked).await
    }

    /// The cards of `ranked` (product, score, the product that led to it) in that order,
    /// those in stock.
    pub(super) async fn in_stock(
        &self,
        pool: &PgPool,
        ticket: Ticket,
        ranked: Vec<(i64, f64, Option<String>)>,
    ) -> Result<Vec<Row>, sqlx::Error> {
        let ids: Vec<i64> = ranked.iter().map(|&(p, _, _)| p).collect();
        let cards = self.cards(pool, &ids, ticket).await?;
        Ok(ranked
            .into_iter()
            .filter_map(|(product, score, because)| {
                let card = cards.get(&product)?.as_ref().as_ref()?;
                card.in_stock.then(|| Row {
                    score,
                    because,
                    ..card.clone()
                })
            })
            .collect())
    }

    /// The products on sale that `skus` name (each once).
    pub(super) async fn products_of(
        &self,
        pool: &PgPool,
        ticket: Ticket,
        skus: &[String],
    ) -> Result<Vec<i64>, sqlx::Error> {
        let (mut found, missing) = self.skus.split(skus, ticket);
        if !missing.is_empty() {
            let rows = sqlx::query!(
                r#"SELECT v.sku, v.product_id FROM variants v
                     JOIN products p ON p.id = v.product_id
                    WHERE v.sku = ANY($1) AND p.status = 'active'"#,
                &missing
            )
            .fetch_all(pool)
            .await?;
            let mut read: HashMap<String, Arc<Option<i64>>> = missing
                .iter()
                .map(|s| (s.clone(), Arc::new(None)))
                .collect();
            for r in rows {
                read.insert(r.sku, Arc::new(Some(r.product_id)));
            }
            self.skus.keep(&read, ticket);
            found.extend(read);
        }
        let mut products = Vec::new();
        for sku in skus {
            if let Some(&Some(p)) = found.get(sku).map(|p| p.as_ref())
                && !products.contains(&p)
            {
                products.push(p);
            }
        }
        Ok(products)
    }
}

/// A candidate: a product, its summed score, and the seed that gave it the most.
#[derive(Debug, PartialEq)]
struct Candidate {
    product: i64,
    score: f64,
    because: i64,
}

/// The best `CANDIDATES` products `seeds` lead to through `known`, not in `exclude`:
/// score first, then product id.
fn rank(seeds: &[(i64, f64)], known: &HashMap<i64, Arc<Seed>>, exclude: &[i64]) -> Vec<Candidate> {
    // (summed score, the best single contribution, its seed)
    let mut sums: HashMap<i64, (f64, f64, i64)> = HashMap::new();
    for &(seed, weight) in seeds {
        let Some(s) = known.get(&seed) else { continue };
        for &(other, score) in &s.neighbours {
            if exclude.contains(&other) {
                continue;
            }
            let part = score * weight;
            let e = sums.entry(other).or_insert((0.0, f64::NEG_INFINITY, seed));
            e.0 += part;
            if part > e.1 {
                e.1 = part;
                e.2 = seed;
            }
        }
    }
    let mut ranked: Vec<Candidate> = sums
        .into_iter()
        .map(|(product, (score, _, because))| Candidate {
            product,
            score,
            because,
        })
        .collect();
    ranked.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.product.cmp(&b.product)));
    ranked.truncate(CANDIDATES);
    ranked
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seed(neighbours: &[(i64, f64)]) -> Arc<Seed> {
        Arc::new(Seed {
            title: None,
            neighbours: neighbours.to_vec(),
        })
    }

    #[test]
    fn seeds_neighbours_are_weighted_summed_and_ranked_without_the_excluded() {
        let known = HashMap::from([
            (1, seed(&[(10, 0.5), (11, 0.4), (12, 0.1)])),
            (2, seed(&[(11, 0.3), (13, 0.9), (1, 0.8)])),
        ]);
        let ranked = rank(&[(1, 1.0), (2, 0.5), (3, 1.0)], &known, &[1, 12]);
        let got: Vec<(i64, f64, i64)> = ranked
            .iter()
            .map(|c| (c.product, (c.score * 100.0).round() / 100.0, c.because))
            .collect();
        // 11: 0.4 + 0.15 (from 1 mostly); 10: 0.5; 13: 0.45; 1 and 12 excluded; 3 unknown.
        assert_eq!(got, [(11, 0.55, 1), (10, 0.5, 1), (13, 0.45, 2)]);
        // Equal scores go in product order, and a list is at most CANDIDATES long.
        let many: Vec<(i64, f64)> = (100..200).map(|p| (p, 1.0)).rev().collect();
        let known = HashMap::from([(1, seed(&many))]);
        let ranked = rank(&[(1, 1.0)], &known, &[]);
        assert_eq!(ranked.len(), CANDIDATES);
        assert_eq!(ranked[0].product, 100);
        assert_eq!(ranked[CANDIDATES - 1].product, 100 + CANDIDATES as i64 - 1);
    }
}
