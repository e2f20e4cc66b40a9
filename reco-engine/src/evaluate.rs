//! Offline evaluation on a time split: the models learn from purchases before
//! `train_until`; each customer who bought in [`train_until`, `test_until`) something
//! they had not bought before gets ten products they had not bought before from each
//! model, judged against what they went on to buy. Hit@10 (a list with at least one
//! such product), precision@10, recall@10 and MRR (one over the rank of the first),
//! averaged over those customers.
//!
//! On the Online Retail history (train to June 2011, test July to September) the served
//! model (EASE neighbours scaled by momentum, see `momentum.rs`) has hit@10 0.629 for
//! the 1,438 test customers with a history: 1.76x popularity's and 1.25x plain
//! item-kNN's. Over all 2,093 it is 1.45x and 1.76x: a third of them have no history,
//! and for them popularity is the list (0.557; the best of what was tried for them).
//! Momentum lifted the ratio over item-kNN on each of four splits (train to April, May,
//! June, July; test the three months after): 1.12 to 1.16, 1.17 to 1.21, 1.17 to 1.23,
//! 1.16 to 1.25. Tried before it and not kept (2026-12-04, none better than EASE by
//! more than a point of hit@10): filling from trending instead of popularity, λ from
//! 100 to 3,000, 200 neighbours kept instead of 50, popularity mixed into the personal
//! scores, stronger recency, a model of what customers bought next that was new to
//! them, RP3beta, EASE blended with item-kNN, popularity or trending scores, user-kNN
//! (50 and 200 neighbours, IDF-weighted), re-ranking EASE's 50 best for variety (MMR),
//! leaving out products unsold for 30 or 60 days, and, for customers with no history,
//! the products new customers buy first or a greedy cover of the customers' baskets.
//! Tried with momentum and not kept (2026-12-05): a basket-level EASE added to it,
//! customers weighted by the inverse root of their purchases, momentum from order
//! lines instead of customers, and choosing the neighbours by EASE times momentum
//! (worse on every split).

use super::{Data, Purchase, item_knn, momentum, popularity, score_profile, top_k};
use std::collections::{HashMap, HashSet};

pub const LIST: usize = 10;
/// The served model's name in the figures.
pub const SERVED: &str = "served: EASE × momentum";

/// One model's figures.
#[derive(Debug, Clone, PartialEq)]
pub struct Figures {
    pub model: &'static str,
    pub customers: usize,
    pub hit: f64,
    pub precision: f64,
    pub recall: f64,
    pub mrr: f64,
}

/// The split's size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitSize {
    pub train_purchases: usize,
    pub products: usize,
    pub test_customers: usize,
    /// Of those, customers with purchases before the split.
    pub with_history: usize,
}

/// How the served model weighs a purchase made `age_days` before the split: recent ones
/// count up to twice as much as old ones (half the extra gone every 90 days).
pub fn recency(age_days: f64) -> f64 {
    1.0 + 0.5f64.powf(age_days.max(0.0) / 90.0)
}

/// The served model's list for a customer: EASE neighbours (times their momentum) of what
/// they bought, weighted by recency, filled from popularity (all of it, for a customer
/// with no purchases).
pub fn served_list(
    data: &Data,
    neighbours: &[super::Neighbours],
    popular: &[f64],
    bought: &[(usize, i64)],
    now: i64,
    k: usize,
) -> Vec<usize> {
    let owned: HashSet<usize> = bought.iter().map(|&(i, _)| i).collect();
    let scores = score_profile(data.len(), bought, neighbours, |at| {
        recency((now - at) as f64 / 86_400.0)
    });
    let mut list: Vec<usize> = top_k(&scores, k, |i| owned.contains(&i))
        .into_iter()
        .map(|(i, _)| i)
        .collect();
    if list.len() < k {
        let have: HashSet<usize> = list.iter().copied().collect();
        list.extend(
            top_k(popular, k, |i| owned.contains(&i) || have.contains(&i))
                .into_iter()
                .map(|(i, _)| i)
                .take(k - list.len()),
        );
    }
    list
}

/// Every model's figures on the split, best known first: (size, figures for all test
/// customers, figures for those with purchases before the split).
pub fn evaluate(
    purchases: &[Purchase],
    train_until: i64,
    test_until: i64,
    mut progress: impl FnMut(&str, usize, usize),
) -> (SplitSize, Vec<Figures>, Vec<Figures>) {
    let train: Vec<Purchase> = purchases
        .iter()
        .filter(|p| p.at < train_until)
        .copied()
        .collect();
    let data = Data::new(&train);
    let mut relevant: HashMap<i64, HashSet<i64>> = HashMap::new();
    for p in purchases
        .iter()
        .filter(|p| p.at >= train_until && p.at < test_until)
    {
        let had = data.customer_row.get(&p.customer).is_some_and(|&row| {
            data.index
                .get(&p.product)
                .is_some_and(|i| data.customers[row].iter().any(|&(j, _)| j == *i))
        });
        if !had {
            relevant.entry(p.customer).or_default().insert(p.product);
        }
    }
    let mut testers: Vec<i64> = relevant.keys().copied().collect();
    testers.sort_unstable();
    let popular = popularity(&data);
    progress("item-kNN", 0, 1);
    let knn = item_knn(&data, 200);
    let served =
        momentum::personal(&data, |done, of| progress("EASE", done, of)).unwrap_or_default();
    let empty: Vec<(usize, i64)> = Vec::new();
    let lists = |c: i64| -> [Vec<usize>; 4] {
        let bought = data
            .customer_row
            .get(&c)
            .map_or(&empty, |&row| &data.customers[row]);
        let owned: HashSet<usize> = bought.iter().map(|&(i, _)| i).collect();
        let pop: Vec<usize> = top_k(&popular, LIST, |i| owned.contains(&i))
            .into_iter()
            .map(|(i, _)| i)
            .collect();
        let knn_scores = score_profile(data.len(), bought, &knn, |_| 1.0);
        let plain: Vec<usize> = top_k(&knn_scores, LIST, |i| owned.contains(&i))
            .into_iter()
            .map(|(i, _)| i)
            .collect();
        let mut filled = plain.clone();
        for i in &pop {
            if filled.len() < LIST && !filled.contains(i) {
                filled.push(*i);
            }
        }
        let served = if served.is_empty() {
            Vec::new()
        } else {
            served_list(&data, &served, &popular, bought, train_until, LIST)
        };
        [pop, plain, filled, served]
    };
    const NAMES: [&str; 4] = [
        "popularity",
        "item-kNN (cosine)",
        "item-kNN + popularity",
        SERVED,
    ];
    let mut all = [[0.0f64; 4]; 4];
    let mut warm = [[0.0f64; 4]; 4];
    let mut warm_n = 0;
    for (n, &c) in testers.iter().enumerate() {
        if n % 100 == 0 {
            progress("customers", n, testers.len());
        }
        let rel = &relevant[&c];
        let has_history = data.customer_row.contains_key(&c);
        if has_history {
            warm_n += 1;
        }
        for (m, list) in lists(c).iter().enumerate() {
            let ranks: Vec<usize> = list
                .iter()
                .enumerate()
                .filter(|(_, i)| rel.contains(&data.products[**i]))
                .map(|(r, _)| r)
                .collect();
            let f = [
                if ranks.is_empty() { 0.0 } else { 1.0 },
                ranks.len() as f64 / LIST as f64,
                ranks.len() as f64 / rel.len() as f64,
                ranks.first().map_or(0.0, |r| 1.0 / (*r as f64 + 1.0)),
            ];
            for (x, v) in f.iter().enumerate() {
                all[m][x] += v;
                if has_history {
                    warm[m][x] += v;
                }
            }
        }
    }
    let figures = |sums: &[[f64; 4]; 4], n: usize| -> Vec<Figures> {
        let d = n.max(1) as f64;
        NAMES
            .iter()
            .zip(sums)
            .map(|(model, s)| Figures {
                model,
                customers: n,
                hit: s[0] / d,
                precision: s[1] / d,
                recall: s[2] / d,
                mrr: s[3] / d,
            })
            .collect()
    };
    (
        SplitSize {
            train_purchases: train.len(),
            products: data.len(),
            test_customers: testers.len(),
            with_history: warm_n,
        },
        figures(&all, testers.len()),
        figures(&warm, warm_n),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_customer_who_buys_the_usual_companion_is_a_hit_for_the_co_purchase_models() {
        let day = 86_400;
        let mut all = Vec::new();
        let mut order = 0;
        let mut buy = |customer: i64, products: &[i64], at: i64| {
            order += 1;
            for &product in products {
                all.push(Purchase {
                    customer,
                    order,
                    product,
                    at,
                });
            }
        };
        // Before the split: many customers buy 1 with 2; product 9 is popular on its own.
        for c in 0..20 {
            buy(c, &[1, 2], day);
            buy(100 + c, &[9], day);
        }
        for c in 0..25 {
            buy(200 + c, &[9], day);
        }
        // Customer 50 bought 1; after the split they buy 2.
        buy(50, &[1], 2 * day);
        buy(50, &[2], 11 * day);
        let (size, everyone, with_history) = evaluate(&all, 10 * day, 20 * day, |_, _, _| {});
        assert_eq!(size.test_customers, 1);
        assert_eq!(size.with_history, 1);
        let hit = |f: &[Figures], m: &str| f.iter().find(|x| x.model == m).unwrap().hit;
        assert_eq!(hit(&everyone, "served: EASE × momentum"), 1.0);
        assert_eq!(hit(&everyone, "item-kNN (cosine)"), 1.0);
        let mrr = |f: &[Figures], m: &str| f.iter().find(|x| x.model == m).unwrap().mrr;
        assert_eq!(mrr(&with_history, "served: EASE × momentum"), 1.0);
        assert!(
            mrr(&everyone, "popularity") < 1.0,
            "popularity puts 9 first"
        );
    }
}
