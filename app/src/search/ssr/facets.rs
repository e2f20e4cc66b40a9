//! Facet counts in the same pass as the top hits: one collector reads the fast fields of
//! every matching document and counts by term ordinal, resolving ordinals to strings
//! only once per segment.

use super::schema::fast;
use std::collections::HashMap;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

/// Price bucket edges in minor units: [0, 10), [10, 25), ... [1000, ∞) in major units.
pub const PRICE_EDGES: [u64; 8] = [0, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000];

/// Which dimensions to count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dims {
    pub category: bool,
    pub brand: bool,
    pub price: bool,
    pub in_stock: bool,
    pub attr: bool,
}

impl Dims {
    pub const ALL: Dims = Dims {
        category: true,
        brand: true,
        price: true,
        in_stock: true,
        attr: true,
    };
    pub const NONE: Dims = Dims {
        category: false,
        brand: false,
        price: false,
        in_stock: false,
        attr: false,
    };
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    pub total: u64,
    pub categories: HashMap<String, u64>,
    pub brands: HashMap<String, u64>,
    /// One count per bucket of [`PRICE_EDGES`].
    pub prices: [u64; PRICE_EDGES.len()],
    pub in_stock: u64,
    /// By `code=value`.
    pub attrs: HashMap<String, u64>,
}

impl Counts {
    fn absorb(&mut self, other: Counts) {
        self.total += other.total;
        for (mine, theirs) in [
            (&mut self.categories, other.categories),
            (&mut self.brands, other.brands),
            (&mut self.attrs, other.attrs),
        ] {
            for (k, v) in theirs {
                *mine.entry(k).or_default() += v;
            }
        }
        for (a, b) in self.prices.iter_mut().zip(other.prices) {
            *a += b;
        }
        self.in_stock += other.in_stock;
    }
}

pub fn price_bucket(price: u64) -> usize {
    PRICE_EDGES
        .iter()
        .rposition(|&edge| price >= edge)
        .unwrap_or(0)
}

pub struct FacetCollector {
    pub dims: Dims,
    /// Count facets on every `stride`-th document and scale up (1: exact). The total is
    /// always exact. Big result sets are sampled, as large engines do, because counting
    /// facets costs more than finding the results.
    pub stride: u32,
}

impl FacetCollector {
    pub fn exact(dims: Dims) -> Self {
        FacetCollector { dims, stride: 1 }
    }
}

pub struct SegmentFacets {
    stride: u32,
    total: u64,
    category: Option<(StrColumn, Vec<u32>)>,
    brand: Option<(StrColumn, Vec<u32>)>,
    attr: Option<(StrColumn, Vec<u32>)>,
    price: Option<Column<u64>>,
    in_stock: Option<Column<u64>>,
    prices: [u64; PRICE_EDGES.len()],
    stocked: u64,
}

fn str_column(
    segment: &SegmentReader,
    name: &str,
    wanted: bool,
) -> tantivy::Result<Option<(StrColumn, Vec<u32>)>> {
    if !wanted {
        return Ok(None);
    }
    Ok(segment.fast_fields().str(name)?.map(|column| {
        let terms = column.num_terms();
        (column, vec![0u32; terms])
    }))
}

impl Collector for FacetCollector {
    type Fruit = Counts;
    type Child = SegmentFacets;

    fn for_segment(
        &self,
        _segment_local_id: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<SegmentFacets> {
        let d = self.dims;
        let ff = segment.fast_fields();
        Ok(SegmentFacets {
            stride: self.stride.max(1),
            total: 0,
            category: str_column(segment, fast::CATEGORY, d.category)?,
            brand: str_column(segment, fast::BRAND, d.brand)?,
            attr: str_column(segment, fast::ATTR, d.attr)?,
            price: if d.price {
                Some(ff.u64(fast::PRICE)?)
            } else {
                None
            },
            in_stock: if d.in_stock {
                Some(ff.u64(fast::IN_STOCK)?)
            } else {
                None
            },
            prices: [0; PRICE_EDGES.len()],
            stocked: 0,
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Counts>) -> tantivy::Result<Counts> {
        let mut all = Counts::default();
        for f in fruits {
            all.absorb(f);
        }
        Ok(all)
    }
}

fn count_ords(slot: &mut Option<(StrColumn, Vec<u32>)>, doc: DocId) {
    if let Some((column, counts)) = slot {
        for ord in column.term_ords(doc) {
            if let Some(c) = counts.get_mut(ord as usize) {
                *c += 1;
            }
        }
    }
}

/// Counted ordinals to strings, walking the segment's dictionary once in order.
fn resolve(slot: Option<(StrColumn, Vec<u32>)>) -> HashMap<String, u64> {
    let mut out = HashMap::new();
    if let Some((column, counts)) = slot {
        let hit: Vec<(u64, u32)> = counts
            .iter()
            .enumerate()
            .filter(|(_, n)| **n > 0)
            .map(|(ord, &n)| (ord as u64, n))
            .collect();
        let mut next = hit.iter();
        let _ =
            column
                .dictionary()
                .sorted_ords_to_term_cb(hit.iter().map(|(ord, _)| *ord), |bytes| {
                    if let Some((_, n)) = next.next() {
                        out.insert(String::from_utf8_lossy(bytes).into_owned(), u64::from(*n));
                    }
                    Ok(())
                });
    }
    out
}

impl SegmentCollector for SegmentFacets {
    type Fruit = Counts;

    fn collect(&mut self, doc: DocId, _score: Score) {
        self.total += 1;
        if self.stride > 1 && !doc.is_multiple_of(self.stride) {
            return;
        }
        count_ords(&mut self.category, doc);
        count_ords(&mut self.brand, doc);
        count_ords(&mut self.attr, doc);
        if let Some(price) = self.price.as_ref().and_then(|c| c.first(doc)) {
            self.prices[price_bucket(price)] += 1;
        }
        if let Some(stock) = &self.in_stock
            && stock.first(doc) == Some(1)
        {
            self.stocked += 1;
        }
    }

    fn harvest(self) -> Counts {
        let k = u64::from(self.stride);
        let scale = |mut m: HashMap<String, u64>| {
            if k > 1 {
                m.values_mut().for_each(|v| *v *= k);
            }
            m
        };
        Counts {
            total: self.total,
            categories: scale(resolve(self.category)),
            brands: scale(resolve(self.brand)),
            attrs: scale(resolve(self.attr)),
            prices: self.prices.map(|v| v * k),
            in_stock: (self.stocked * k).min(self.total),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Counts are exact with stride 1; a sample scales up, and the total stays exact.
    #[test]
    fn sampled_counts_scale_and_totals_stay_exact() {
        use tantivy::query::AllQuery;
        use tantivy::schema::{FAST, INDEXED, STRING, Schema};
        let mut b = Schema::builder();
        let brand = b.add_text_field(fast::BRAND, STRING | FAST);
        let price = b.add_u64_field(fast::PRICE, INDEXED | FAST);
        let stock = b.add_u64_field(fast::IN_STOCK, INDEXED | FAST);
        let index = tantivy::Index::create_in_ram(b.build());
        let mut w: tantivy::IndexWriter = index.writer_with_num_threads(1, 20_000_000).unwrap();
        for i in 0..1000u64 {
            let mut d = tantivy::TantivyDocument::default();
            d.add_text(brand, if i % 4 == 0 { "acme" } else { "zeta" });
            d.add_u64(price, i * 10);
            d.add_u64(stock, 1);
            w.add_document(d).unwrap();
        }
        w.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let dims = Dims {
            category: false,
            attr: false,
            ..Dims::ALL
        };
        let exact = searcher
            .search(&AllQuery, &FacetCollector::exact(dims))
            .unwrap();
        assert_eq!(exact.total, 1000);
        assert_eq!(exact.brands["acme"], 250);
        assert_eq!(exact.brands["zeta"], 750);
        assert_eq!(exact.prices[0], 100);
        assert_eq!(exact.in_stock, 1000);
        let sampled = searcher
            .search(&AllQuery, &FacetCollector { dims, stride: 3 })
            .unwrap();
        assert_eq!(sampled.total, 1000, "the total is never sampled");
        let zeta = sampled.brands["zeta"] as f64;
        assert!((zeta - 750.0).abs() / 750.0 < 0.1, "{zeta}");
        assert!(sampled.in_stock <= 1000);
    }

    #[test]
    fn buckets() {
        assert_eq!(price_bucket(0), 0);
        assert_eq!(price_bucket(999), 0);
        assert_eq!(price_bucket(1_000), 1);
        assert_eq!(price_bucket(99_999), 6);
        assert_eq!(price_bucket(10_000_000), 7);
    }
}
