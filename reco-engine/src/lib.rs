//! The recommendation models, pure (no database, no clock): they learn from purchases
//! (who bought which product when, in which order) and answer with scored products.
//! The same code serves the shop (`app::reco::ssr::fit` writes what they learn to tables)
//! and the offline evaluation (`evaluate`), so what is measured is what is served.
//!
//! - `Popularity`: distinct customers per product (the cold-start fallback), and
//!   `trending`: the same with each purchase worth less the older it is.
//! - `ItemKnn`: cosine similarity of products over their customers (the plain item-kNN
//!   baseline).
//! - `Ease`: the linear item-item model of Steck (2019, "Embarrassingly Shallow
//!   Autoencoders"): the weights that best rebuild each customer's purchases from their
//!   other purchases under an L2 penalty, in closed form from the inverse of the
//!   regularised item Gram matrix. With `momentum` (each neighbour scaled by how its
//!   product sells now against how it sold all along) it is the personal model the shop
//!   serves (each product's strongest 50 neighbours), scored by the customer's
//!   purchases with the recent ones counting more.
//! - `together`: products in the same basket, ranked by co-occurrence over what chance
//!   would give (frequently bought together).

pub mod content;
pub mod ease;
pub mod evaluate;
pub mod linalg;
pub mod momentum;

use std::collections::HashMap;

/// One product bought by one customer in one order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Purchase {
    pub customer: i64,
    pub order: i64,
    pub product: i64,
    /// Unix seconds.
    pub at: i64,
}

/// Purchases indexed densely: products and customers numbered from 0.
#[derive(Debug, Clone, Default)]
pub struct Data {
    pub products: Vec<i64>,
    pub index: HashMap<i64, usize>,
    /// Per customer: (product index, time of the latest purchase), one entry per product,
    /// sorted by product index.
    pub customers: Vec<Vec<(usize, i64)>>,
    /// Customer id to its row.
    pub customer_row: HashMap<i64, usize>,
    /// Per order: its product indexes, sorted and distinct.
    pub baskets: Vec<Vec<usize>>,
}

impl Data {
    /// Indexes `purchases`; products are numbered in order of their ids, so the same
    /// purchases in any order give the same numbering.
    pub fn new(purchases: &[Purchase]) -> Self {
        let mut products: Vec<i64> = purchases.iter().map(|p| p.product).collect();
        products.sort_unstable();
        products.dedup();
        let index: HashMap<i64, usize> =
            products.iter().enumerate().map(|(i, &p)| (p, i)).collect();
        let mut by_customer: HashMap<i64, HashMap<usize, i64>> = HashMap::new();
        let mut by_order: HashMap<i64, Vec<usize>> = HashMap::new();
        for p in purchases {
            let item = index[&p.product];
            let at = by_customer
                .entry(p.customer)
                .or_default()
                .entry(item)
                .or_insert(p.at);
            *at = (*at).max(p.at);
            by_order.entry(p.order).or_default().push(item);
        }
        let mut ids: Vec<i64> = by_customer.keys().copied().collect();
        ids.sort_unstable();
        let mut customers = Vec::with_capacity(ids.len());
        let mut customer_row = HashMap::with_capacity(ids.len());
        for (row, id) in ids.iter().enumerate() {
            let mut items: Vec<(usize, i64)> =
                by_customer[id].iter().map(|(&i, &t)| (i, t)).collect();
            items.sort_unstable();
            customers.push(items);
            customer_row.insert(*id, row);
        }
        let mut orders: Vec<i64> = by_order.keys().copied().collect();
        orders.sort_unstable();
        let baskets = orders
            .iter()
            .map(|o| {
                let mut b = by_order[o].clone();
                b.sort_unstable();
                b.dedup();
                b
            })
            .collect();
        Data {
            products,
            index,
            customers,
            customer_row,
            baskets,
        }
    }

    pub fn len(&self) -> usize {
        self.products.len()
    }

    pub fn is_empty(&self) -> bool {
        self.products.is_empty()
    }

    /// Distinct customers per product.
    pub fn buyers(&self) -> Vec<u32> {
        let mut n = vec![0u32; self.len()];
        for c in &self.customers {
            for &(i, _) in c {
                n[i] += 1;
            }
        }
        n
    }
}

/// Distinct customers per product, as scores.
pub fn popularity(data: &Data) -> Vec<f64> {
    data.buyers().into_iter().map(f64::from).collect()
}

/// Distinct customers per product, each worth half as much for every `half_life_days`
/// between their latest purchase of it and `now`.
pub fn trending(data: &Data, now: i64, half_life_days: f64) -> Vec<f64> {
    let mut s = vec![0.0; data.len()];
    for c in &data.customers {
        for &(i, at) in c {
            let days = ((now - at).max(0) as f64) / 86_400.0;
            s[i] += 0.5f64.powf(days / half_life_days);
        }
    }
    s
}

/// A product's neighbours: (product index, score), best first.
pub type Neighbours = Vec<(usize, f64)>;

/// The `k` best of `scores` (index, score), best first, ties by index; `skip` left out,
/// and nothing scoring zero or less.
pub fn top_k(scores: &[f64], k: usize, skip: impl Fn(usize) -> bool) -> Neighbours {
    let mut all: Vec<(usize, f64)> = scores
        .iter()
        .enumerate()
        .filter(|&(i, &s)| s > 0.0 && !skip(i))
        .map(|(i, &s)| (i, s))
        .collect();
    let by = |a: &(usize, f64), b: &(usize, f64)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
    if all.len() > k {
        all.select_nth_unstable_by(k, by);
        all.truncate(k);
    }
    all.sort_by(by);
    all
}

/// How often each pair of products shares one of `sets` (sorted, distinct products),
/// per product, and how many sets hold each product.
fn co_occurrence<'a>(
    n: usize,
    sets: impl Iterator<Item = &'a [usize]>,
) -> (Vec<HashMap<usize, u32>>, Vec<u32>) {
    let mut rows: Vec<HashMap<usize, u32>> = vec![HashMap::new(); n];
    let mut sizes = vec![0u32; n];
    for set in sets {
        for (x, &i) in set.iter().enumerate() {
            sizes[i] += 1;
            for &j in &set[x + 1..] {
                *rows[i].entry(j).or_default() += 1;
                *rows[j].entry(i).or_default() += 1;
            }
        }
    }
    (rows, sizes)
}

/// Each product's `k` best co-occurring products under `score(i, j, together)`, those
/// co-occurring fewer than `min` times left out.
fn rank_rows(
    rows: &[HashMap<usize, u32>],
    k: usize,
    min: u32,
    score: impl Fn(usize, usize, u32) -> f64,
) -> Vec<Neighbours> {
    rows.iter()
        .enumerate()
        .map(|(i, row)| {
            let mut scores: Vec<(usize, f64)> = row
                .iter()
                .filter(|&(_, &both)| both >= min)
                .map(|(&j, &both)| (j, score(i, j, both)))
                .collect();
            scores.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            scores.truncate(k);
            scores
        })
        .collect()
}

/// Plain item-kNN: cosine similarity over customers (who bought both, over the root of
/// the product of each one's buyers), each product's `k` best.
pub fn item_knn(data: &Data, k: usize) -> Vec<Neighbours> {
    let items: Vec<Vec<usize>> = data
        .customers
        .iter()
        .map(|c| c.iter().map(|&(i, _)| i).collect())
        .collect();
    let (rows, buyers) = co_occurrence(data.len(), items.iter().map(Vec::as_slice));
    rank_rows(&rows, k, 1, |i, j, both| {
        f64::from(both) / (f64::from(buyers[i]) * f64::from(buyers[j])).sqrt()
    })
}

/// Frequently bought together: products sharing baskets with each product, ranked by
/// how many baskets hold both over what independent choice would give (lift, damped so
/// that one shared basket of two rare products does not win), each product's `k` best
/// among those sharing at least `min_baskets`. (The shop reads the same score from its
/// basket counts in SQL.)
pub fn together(data: &Data, k: usize, min_baskets: u32) -> Vec<Neighbours> {
    let (rows, in_baskets) = co_occurrence(data.len(), data.baskets.iter().map(Vec::as_slice));
    let total = data.baskets.len().max(1) as f64;
    rank_rows(&rows, k, min_baskets, |i, j, both| {
        let expected = f64::from(in_baskets[i]) * f64::from(in_baskets[j]) / total;
        // Lift shrunk towards 1 by a prior of 5 baskets at chance.
        let lift = (f64::from(both) + 5.0) / (expected + 5.0);
        lift * f64::from(both).ln_1p()
    })
}

/// A customer's scores from item neighbours: each product they bought adds its
/// neighbours' scores, times `weight(time of purchase)`.
pub fn score_profile(
    n: usize,
    bought: &[(usize, i64)],
    neighbours: &[Neighbours],
    weight: impl Fn(i64) -> f64,
) -> Vec<f64> {
    let mut s = vec![0.0; n];
    for &(i, at) in bought {
        let w = weight(at);
        for &(j, v) in &neighbours[i] {
            s[j] += w * v;
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(customer: i64, order: i64, product: i64, at: i64) -> Purchase {
        Purchase {
            customer,
            order,
            product,
            at,
        }
    }

    #[test]
    fn the_same_purchases_in_any_order_index_the_same() {
        let mut a = vec![
            p(1, 10, 7, 5),
            p(1, 10, 3, 5),
            p(2, 11, 7, 9),
            p(1, 12, 7, 20),
        ];
        let d1 = Data::new(&a);
        a.reverse();
        let d2 = Data::new(&a);
        assert_eq!(d1.products, vec![3, 7]);
        assert_eq!(d1.products, d2.products);
        assert_eq!(d1.customers, d2.customers);
        assert_eq!(d1.baskets, d2.baskets);
        // One entry per product, with the latest purchase.
        assert_eq!(d1.customers[d1.customer_row[&1]], vec![(0, 5), (1, 20)]);
        assert_eq!(d1.buyers(), vec![1, 2]);
    }

    #[test]
    fn neighbours_rank_what_is_bought_together_over_what_is_merely_popular() {
        // 0 and 1 go together; 2 is in every basket.
        let mut all = Vec::new();
        for o in 0..20 {
            all.push(p(o, o, 2, 0));
            if o < 8 {
                all.push(p(o, o, 0, 0));
                all.push(p(o, o, 1, 0));
            }
        }
        let d = Data::new(&all);
        let t = together(&d, 5, 2);
        assert_eq!(t[0][0].0, 1, "{t:?}");
        let knn = item_knn(&d, 5);
        assert_eq!(knn[0][0].0, 1, "{knn:?}");
        let top = top_k(&popularity(&d), 2, |i| i == 2);
        assert_eq!(top.len(), 2);
        assert!(top.iter().all(|&(i, _)| i != 2));
    }

    #[test]
    fn trending_halves_with_each_half_life() {
        let d = Data::new(&[p(1, 1, 5, 0), p(2, 2, 6, 10 * 86_400)]);
        let t = trending(&d, 10 * 86_400, 10.0);
        assert!(
            (t[0] - 0.5).abs() < 1e-12 && (t[1] - 1.0).abs() < 1e-12,
            "{t:?}"
        );
    }
}
