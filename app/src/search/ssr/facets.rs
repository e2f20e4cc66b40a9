//! Facet counts: one collector reads each matching document's values from its segment's
//! table in memory (see `table`) and counts by term ordinal, resolving ordinals to
//! strings once per segment.

use super::table::{Kind, PRICE_EDGES, Row, SegmentTable, Tables};
use std::collections::HashMap;
use std::sync::Arc;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

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
    /// Every match was counted (no sampling).
    pub exact: bool,
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
        self.exact &= other.exact;
    }
}

pub struct FacetCollector {
    pub dims: Dims,
    /// About how many documents to count exactly before sampling the rest: `Exact`, or
    /// `Budget(n)`. The total is always exact.
    pub sampling: Sampling,
    /// The segments' values in memory (see `table`).
    pub tables: Arc<Tables>,
}

/// How much of a big result set facets count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sampling {
    Exact,
    /// Count about `docs` documents of the whole index exactly, each segment its share,
    /// then every k-th of the segment's remaining matches (k chosen so the sample is about
    /// as big again), weighted by k. `of` is the index's document count.
    Budget {
        docs: u64,
        of: u64,
    },
}

/// The largest sampling step.
const MAX_STEP: u32 = 64;

impl FacetCollector {
    pub fn exact(dims: Dims, tables: Arc<Tables>) -> Self {
        FacetCollector {
            dims,
            sampling: Sampling::Exact,
            tables,
        }
    }
}

pub struct SegmentFacets {
    total: u64,
    table: Arc<SegmentTable>,
    sampler: Sampler,
    tally: Tally,
}

/// Which matches are counted.
struct Sampler {
    max_doc: u32,
    /// Documents counted one by one so far, and how many may be before sampling starts
    /// (`u64::MAX`: never).
    counted: u64,
    quota: u64,
    /// Count every `step`-th document, each weighing `step` (1: every document).
    step: u32,
}

/// The counts so far.
struct Tally {
    dims: Dims,
    categories: Vec<u64>,
    brands: Vec<u64>,
    attrs: Vec<u64>,
    prices: [u64; PRICE_EDGES.len()],
    stocked: u64,
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
        let table = self.tables.of(segment)?;
        let slots =
            |wanted: bool, terms: &[String]| vec![0u64; if wanted { terms.len() } else { 0 }];
        let quota = match self.sampling {
            Sampling::Exact => u64::MAX,
            Sampling::Budget { docs, of } => {
                (docs * u64::from(segment.max_doc()) / of.max(1)).max(MIN_QUOTA)
            }
        };
        Ok(SegmentFacets {
            total: 0,
            sampler: Sampler {
                max_doc: segment.max_doc(),
                counted: 0,
                quota,
                step: 1,
            },
            tally: Tally {
                dims: d,
                categories: slots(d.category, &table.categories),
                brands: slots(d.brand, &table.brands),
                attrs: slots(d.attr, &table.attrs),
                prices: [0; PRICE_EDGES.len()],
                stocked: 0,
            },
            table,
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Counts>) -> tantivy::Result<Counts> {
        let mut all = Counts {
            exact: true,
            ..Counts::default()
        };
        for f in fruits {
            all.absorb(f);
        }
        Ok(all)
    }
}

/// A segment counts at least this many documents exactly.
const MIN_QUOTA: u64 = 256;

/// One document in `step`, picked by a hash of its id so that patterns in the order of
/// documents (a catalog imported brand by brand) do not line up with the step.
#[inline]
fn sampled(doc: DocId, step: u32) -> bool {
    (doc.wrapping_mul(0x9E37_79B9) >> 8).is_multiple_of(step)
}

/// Counted ordinals to their terms.
fn resolve(counts: Vec<u64>, terms: &[String]) -> HashMap<String, u64> {
    counts
        .into_iter()
        .zip(terms)
        .filter(|(n, _)| *n > 0)
        .map(|(n, name)| (name.clone(), n))
        .collect()
}

impl Sampler {
    /// Whether `doc` is counted; past the quota, picks the sampling step from how far
    /// into the segment the quota was reached.
    #[inline]
    fn wanted(&mut self, doc: DocId) -> bool {
        if self.step > 1 {
            return sampled(doc, self.step);
        }
        if self.counted >= self.quota {
            // The rest of the segment likely holds counted × (rest / seen) more matches.
            let seen = u64::from(doc).max(1);
            let rest = u64::from(self.max_doc.saturating_sub(doc));
            let expected = self.counted * rest / seen;
            self.step = (expected / self.quota.max(1)).clamp(1, u64::from(MAX_STEP)) as u32;
            self.quota = u64::MAX;
            if self.step > 1 {
                return sampled(doc, self.step);
            }
        }
        self.counted += 1;
        true
    }
}

impl Tally {
    /// Counts a document's row, `w` times.
    #[inline]
    fn count(&mut self, row: Row<'_>, w: u64) {
        let (categories, brands, attrs) = (&mut self.categories, &mut self.brands, &mut self.attrs);
        row.for_each_term(|kind, ord| {
            // A dimension not counted has no slots.
            let slots = match kind {
                k if k == Kind::Category as u32 => &mut *categories,
                k if k == Kind::Brand as u32 => &mut *brands,
                _ => &mut *attrs,
            };
            if let Some(c) = slots.get_mut(ord) {
                *c += w;
            }
        });
        if self.dims.price {
            self.prices[row.price_bucket.min(PRICE_EDGES.len() - 1)] += w;
        }
        if self.dims.in_stock && row.in_stock {
            self.stocked += w;
        }
    }
}

impl SegmentCollector for SegmentFacets {
    type Fruit = Counts;

    #[inline]
    fn collect(&mut self, doc: DocId, _score: Score) {
        self.total += 1;
        if self.sampler.wanted(doc) {
            let w = u64::from(self.sampler.step);
            self.tally.count(self.table.row(doc), w);
        }
    }

    fn collect_block(&mut self, docs: &[DocId]) {
        self.total += docs.len() as u64;
        let table = &self.table;
        if table.is_compact() {
            for &doc in docs {
                if self.sampler.wanted(doc) {
                    let w = u64::from(self.sampler.step);
                    self.tally.count(table.row(doc), w);
                }
            }
            return;
        }
        // Spans first, then rows: independent loads the processor can overlap.
        let mut spans = [((0u32, 0u32), 0u64); tantivy::COLLECT_BLOCK_BUFFER_LEN];
        for chunk in docs.chunks(spans.len()) {
            let mut n = 0;
            for &doc in chunk {
                if self.sampler.wanted(doc) {
                    spans[n] = (table.span(doc), u64::from(self.sampler.step));
                    n += 1;
                }
            }
            for &(span, w) in &spans[..n] {
                self.tally.count(table.row_at(span), w);
            }
        }
    }

    fn harvest(self) -> Counts {
        let t = &self.table;
        let tally = self.tally;
        Counts {
            total: self.total,
            categories: resolve(tally.categories, &t.categories),
            brands: resolve(tally.brands, &t.brands),
            attrs: resolve(tally.attrs, &t.attrs),
            prices: tally.prices,
            in_stock: tally.stocked.min(self.total),
            exact: self.sampler.step == 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::ssr::table::price_bucket;

    /// Counts are exact without sampling; past its budget a sample weighs up, and the
    /// total stays exact.
    #[test]
    fn sampled_counts_scale_and_totals_stay_exact() {
        use super::super::schema::fast;
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
        let tables = Arc::new(Tables::default());
        let dims = Dims {
            category: false,
            attr: false,
            ..Dims::ALL
        };
        let exact = searcher
            .search(&AllQuery, &FacetCollector::exact(dims, tables.clone()))
            .unwrap();
        assert_eq!(exact.total, 1000);
        assert_eq!(exact.brands["acme"], 250);
        assert_eq!(exact.brands["zeta"], 750);
        assert_eq!(exact.prices[0], 100);
        assert_eq!(exact.in_stock, 1000);
        assert!(exact.exact);
        let sample = |docs: u64| {
            searcher
                .search(
                    &AllQuery,
                    &FacetCollector {
                        dims,
                        sampling: Sampling::Budget { docs, of: 1000 },
                        tables: tables.clone(),
                    },
                )
                .unwrap()
        };
        // A budget above the matches counts them all.
        assert_eq!(sample(5_000), exact);
        // 300 counted one by one, then about every other one of the 700 left.
        let sampled = sample(300);
        assert_eq!(sampled.total, 1000, "the total is never sampled");
        assert!(!sampled.exact);
        for (brand, truth) in [("acme", 250.0), ("zeta", 750.0)] {
            let n = sampled.brands[brand] as f64;
            assert!((n - truth).abs() / truth < 0.15, "{brand}: {n}");
        }
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
