//! Re-ranking a query's best text matches: stock and popularity for every query, and
//! shoppers' choices for the query and the signed-in customer's brands and categories
//! (see `signals`) where they apply.

use super::schema::fast;
use super::signals::{self, Personal};
use super::table::Tables;
use std::collections::{HashMap, HashSet};
use tantivy::{DocAddress, Score, Searcher};

/// In-stock products score this much more than the same match out of stock.
pub const IN_STOCK_BOOST: f32 = 1.25;

/// Popularity multiplies the score by `1 + POPULARITY_WEIGHT · log2(1 + units sold)`:
/// 1 sale ≈ +5 %, 1,000 ≈ +50 %, 30,000 ≈ +74 %. Relevance still leads.
pub const POPULARITY_WEIGHT: f32 = 0.05;

pub fn ranking_factor(in_stock: bool, units_sold: u64) -> f32 {
    let stock = if in_stock { IN_STOCK_BOOST } else { 1.0 };
    stock * (1.0 + POPULARITY_WEIGHT * (1.0 + units_sold as f32).log2())
}

/// How many of the best text matches the stock and popularity boosts re-rank.
pub const RERANK_WINDOW: usize = 48;

/// What re-ranks a query's best matches besides stock and popularity: shoppers'
/// choices for this query and the signed-in customer's brands and categories.
#[derive(Clone, Copy, Default)]
pub struct Boosts<'a> {
    pub behaviour: Option<&'a HashMap<u64, f32>>,
    pub personal: Option<&'a Personal>,
}

/// Multiplies each hit's BM25 score by its stock, popularity and signal factors and
/// re-sorts.
pub(super) fn rerank(
    searcher: &Searcher,
    tables: &Tables,
    hits: &mut [(Score, DocAddress)],
    boosts: Boosts,
) -> tantivy::Result<()> {
    let best = hits.iter().map(|h| h.0).fold(0.0f32, f32::max);
    let mut name = String::new();
    // Each hit with its product id: equal scores go in id order, so where a document
    // lands (its segment, which depends on the indexing threads) never changes a ranking.
    let mut keyed = Vec::with_capacity(hits.len());
    for &(mut score, addr) in hits.iter() {
        let segment = searcher.segment_reader(addr.segment_ord);
        let ff = segment.fast_fields();
        let id = ff
            .column_opt::<u64>("id")?
            .and_then(|ids| ids.first(addr.doc_id));
        let table = tables.of(segment)?;
        let in_stock = table.in_stock(addr.doc_id);
        let mut factor = ranking_factor(in_stock, table.popularity(addr.doc_id));
        if boosts.behaviour.is_some() || boosts.personal.is_some() {
            let weight = boosts
                .behaviour
                .zip(id)
                .and_then(|(b, id)| b.get(&id))
                .copied()
                .unwrap_or(0.0);
            let mut has = |column: &str, wanted: &HashSet<String>| -> tantivy::Result<bool> {
                let Some(col) = ff.str(column)? else {
                    return Ok(false);
                };
                for ord in col.term_ords(addr.doc_id) {
                    name.clear();
                    if col.ord_to_str(ord, &mut name)? && wanted.contains(&name) {
                        return Ok(true);
                    }
                }
                Ok(false)
            };
            let (own_brand, own_category) = match boosts.personal {
                Some(p) => (
                    has(fast::BRAND, &p.brands)?,
                    has(fast::CATEGORY, &p.categories)?,
                ),
                None => (false, false),
            };
            let relative = if best > 0.0 { score / best } else { 0.0 };
            factor *= signals::factor(weight, own_brand, own_category, in_stock, relative);
        }
        score *= factor;
        keyed.push((score, id.unwrap_or(u64::MAX), addr));
    }
    keyed.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    for (hit, (score, _, addr)) in hits.iter_mut().zip(keyed) {
        *hit = (score, addr);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranking_prefers_stock_then_popularity_but_relevance_leads() {
        assert!(ranking_factor(true, 0) > ranking_factor(false, 0));
        assert!(ranking_factor(false, 1000) > ranking_factor(false, 10));
        // The most popular product cannot double its score: a clearly better text
        // match still wins.
        assert!(ranking_factor(true, 50_000) / ranking_factor(false, 0) < 2.5);
    }
}
