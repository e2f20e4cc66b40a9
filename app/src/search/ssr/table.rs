//! Each segment's facet and ranking values as plain arrays in memory.
//!
//! Counting facets reads a few values of every matching document. Tantivy's fast fields
//! are compressed for their size on disk, so each read decodes (a block header, a
//! bit-packed offset pair, then the values). For the search page those reads were most of
//! a query's time at 1M products. Like the global ordinals of the large engines, the
//! values are decoded once per segment into arrays indexed by document, so a count is an
//! array read and an increment.
//!
//! A segment never changes, so its table stays true for its life. Tables are built by the
//! index reader's warmer whenever a new searcher is opened (a commit of the indexer, or a
//! new index), before that searcher serves queries, and dropped with their segments.
//! About 50 bytes per product with a handful of attributes: 50 MB at 1M.

use super::schema::fast;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, RwLock};
use tantivy::columnar::StrColumn;
use tantivy::index::SegmentId;
use tantivy::{DocId, Searcher, SearcherGeneration, SegmentReader, Warmer};

/// Price bucket edges in minor units: [0, 10), [10, 25), ... [1000, ∞) in major units.
pub const PRICE_EDGES: [u64; 8] = [0, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000];

pub fn price_bucket(price: u64) -> usize {
    PRICE_EDGES
        .iter()
        .rposition(|&edge| price >= edge)
        .unwrap_or(0)
}

/// What an entry of a document's row is: the kind in the top two bits, then the term's
/// ordinal in that kind's dictionary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Category = 0,
    Brand = 1,
    Attr = 2,
}

const KIND_SHIFT: u32 = 30;
const ORD_MASK: u32 = (1 << KIND_SHIFT) - 1;
const BUCKET_MASK: u32 = 0b111;
const _: () = assert!(PRICE_EDGES.len() <= BUCKET_MASK as usize + 1);
const IN_STOCK_BIT: u32 = 1 << 3;

/// The compact form of a row: 16 `u16`s in one 32-byte aligned slot, which always lies
/// within one cache line. The head holds the price bucket, the in-stock bit and the number
/// of entries; each entry is the kind in the top two bits and a 14-bit ordinal.
#[derive(Debug, Clone, Copy, Default)]
#[repr(C, align(32))]
struct Slot([u16; SLOT_LEN]);

const SLOT_LEN: usize = 16;
const NARROW_SHIFT: u16 = 14;
const NARROW_ORD_MASK: u16 = (1 << NARROW_SHIFT) - 1;
const LEN_SHIFT: u16 = 4;

/// One segment's values by document.
///
/// A document's values sit together in one row, so counting it touches one or two cache
/// lines instead of one per column: at 1M products a matching document is rarely near the
/// previous one, and memory latency, not arithmetic, is the cost.
#[derive(Debug, Default)]
pub struct SegmentTable {
    /// `rows[offsets[doc]..offsets[doc + 1]]` is the document's row: a head (the price
    /// bucket of `facets::PRICE_EDGES`, then the in-stock bit), then its categories,
    /// brand and attribute values as tagged ordinals.
    offsets: Vec<u32>,
    rows: Vec<u32>,
    /// The same rows, one slot per document, when every row fits one (at most 15 entries,
    /// ordinals below 16,384): one cache line per counted document. `offsets` and `rows`
    /// are then empty.
    slots: Vec<Slot>,
    /// Terms by ordinal, per kind.
    pub categories: Vec<String>,
    pub brands: Vec<String>,
    pub attrs: Vec<String>,
    popularity: Vec<u32>,
    /// For filters checked on candidates (see `checked`).
    prices: Vec<u64>,
    in_stock: Vec<bool>,
}

/// A document's row, read.
pub struct Row<'a> {
    pub price_bucket: usize,
    pub in_stock: bool,
    entries: Entries<'a>,
}

enum Entries<'a> {
    Narrow(&'a [u16]),
    Wide(&'a [u32]),
}

impl Row<'_> {
    const EMPTY: Row<'static> = Row {
        price_bucket: 0,
        in_stock: false,
        entries: Entries::Wide(&[]),
    };

    /// Calls `f(kind, ordinal)` for each of the document's terms.
    #[inline]
    pub fn for_each_term(&self, mut f: impl FnMut(u32, usize)) {
        match self.entries {
            Entries::Narrow(entries) => {
                for &e in entries {
                    f(
                        u32::from(e >> NARROW_SHIFT),
                        usize::from(e & NARROW_ORD_MASK),
                    );
                }
            }
            Entries::Wide(entries) => {
                for &e in entries {
                    f(e >> KIND_SHIFT, (e & ORD_MASK) as usize);
                }
            }
        }
    }
}

fn dictionary(column: &Option<StrColumn>) -> tantivy::Result<Vec<String>> {
    let mut names = Vec::new();
    if let Some(column) = column {
        let mut stream = column.dictionary().stream()?;
        while stream.advance() {
            names.push(String::from_utf8_lossy(stream.key()).into_owned());
        }
    }
    Ok(names)
}

impl SegmentTable {
    pub fn build(segment: &SegmentReader) -> tantivy::Result<Self> {
        let mut table = Self::build_wide(segment)?;
        table.compact();
        Ok(table)
    }

    /// The table with rows of `u32`s, before `compact`.
    fn build_wide(segment: &SegmentReader) -> tantivy::Result<Self> {
        let max_doc = segment.max_doc();
        let ff = segment.fast_fields();
        let columns = [
            (Kind::Category, ff.str(fast::CATEGORY)?),
            (Kind::Brand, ff.str(fast::BRAND)?),
            (Kind::Attr, ff.str(fast::ATTR)?),
        ];
        let u64s = |name: &str| -> tantivy::Result<Vec<u64>> {
            let column = ff.column_opt::<u64>(name)?;
            Ok((0..max_doc)
                .map(|doc| column.as_ref().and_then(|c| c.first(doc)).unwrap_or(0))
                .collect())
        };
        let prices = u64s(fast::PRICE)?;
        let in_stock: Vec<bool> = u64s(fast::IN_STOCK)?.into_iter().map(|v| v == 1).collect();
        let popularity = u64s(fast::POPULARITY)?
            .into_iter()
            .map(|v| v.min(u64::from(u32::MAX)) as u32)
            .collect();
        let mut table = SegmentTable {
            slots: Vec::new(),
            offsets: Vec::with_capacity(max_doc as usize + 1),
            rows: Vec::with_capacity(max_doc as usize * 8),
            categories: dictionary(&columns[0].1)?,
            brands: dictionary(&columns[1].1)?,
            attrs: dictionary(&columns[2].1)?,
            popularity,
            prices,
            in_stock,
        };
        for names in [&table.categories, &table.brands, &table.attrs] {
            if names.len() > ORD_MASK as usize {
                return Err(tantivy::TantivyError::InvalidArgument(format!(
                    "{} facet values in one segment",
                    names.len()
                )));
            }
        }
        table.offsets.push(0);
        for doc in 0..max_doc {
            let at = doc as usize;
            let bucket = price_bucket(table.prices[at]) as u32;
            let in_stock = if table.in_stock[at] { IN_STOCK_BIT } else { 0 };
            table.rows.push((bucket & BUCKET_MASK) | in_stock);
            for (kind, column) in &columns {
                if let Some(column) = column {
                    let tag = (*kind as u32) << KIND_SHIFT;
                    table
                        .rows
                        .extend(column.term_ords(doc).map(|ord| tag | ord as u32));
                }
            }
            table.offsets.push(table.rows.len() as u32);
        }
        Ok(table)
    }

    /// Moves the rows into slots if every row fits one.
    fn compact(&mut self) {
        let fits = self
            .offsets
            .windows(2)
            .all(|w| w[1] - w[0] <= SLOT_LEN as u32)
            && [&self.categories, &self.brands, &self.attrs]
                .iter()
                .all(|names| names.len() <= usize::from(NARROW_ORD_MASK) + 1);
        if !fits {
            return;
        }
        self.slots = self
            .offsets
            .windows(2)
            .map(|w| {
                let row = &self.rows[w[0] as usize..w[1] as usize];
                let mut slot = Slot::default();
                if let [head, entries @ ..] = row {
                    slot.0[0] = (*head as u16) | ((entries.len() as u16) << LEN_SHIFT);
                    for (to, &e) in slot.0[1..].iter_mut().zip(entries) {
                        *to = ((e >> KIND_SHIFT) as u16) << NARROW_SHIFT | (e & ORD_MASK) as u16;
                    }
                }
                slot
            })
            .collect();
        self.offsets = Vec::new();
        self.rows = Vec::new();
    }

    /// Whether rows are slots (counting needs no spans first).
    #[inline]
    pub fn is_compact(&self) -> bool {
        !self.slots.is_empty()
    }

    /// The document's row (an empty one past the segment's end).
    #[inline]
    pub fn row(&self, doc: DocId) -> Row<'_> {
        if self.is_compact() {
            return match self.slots.get(doc as usize) {
                Some(Slot(slot)) => {
                    let head = slot[0];
                    let len = usize::from(head >> LEN_SHIFT).min(SLOT_LEN - 1);
                    Row {
                        price_bucket: usize::from(head & BUCKET_MASK as u16),
                        in_stock: u32::from(head) & IN_STOCK_BIT != 0,
                        entries: Entries::Narrow(&slot[1..1 + len]),
                    }
                }
                None => Row::EMPTY,
            };
        }
        self.row_at(self.span(doc))
    }

    /// Where the document's row is in `rows`. Reading the spans of many documents first,
    /// then their rows, lets the processor wait for many cache misses at once.
    #[inline]
    pub fn span(&self, doc: DocId) -> (u32, u32) {
        let at = doc as usize;
        match (self.offsets.get(at), self.offsets.get(at + 1)) {
            (Some(&from), Some(&to)) => (from, to),
            _ => (0, 0),
        }
    }

    /// The row at a span from `span` (of a table that is not compact).
    #[inline]
    pub fn row_at(&self, (from, to): (u32, u32)) -> Row<'_> {
        match self.rows.get(from as usize..to as usize) {
            Some([head, entries @ ..]) => Row {
                price_bucket: (head & BUCKET_MASK) as usize,
                in_stock: head & IN_STOCK_BIT != 0,
                entries: Entries::Wide(entries),
            },
            _ => Row::EMPTY,
        }
    }

    pub fn in_stock(&self, doc: DocId) -> bool {
        self.in_stock.get(doc as usize).copied().unwrap_or(false)
    }

    /// The lowest price, in minor units.
    pub fn price(&self, doc: DocId) -> u64 {
        self.prices.get(doc as usize).copied().unwrap_or(0)
    }

    pub fn popularity(&self, doc: DocId) -> u64 {
        u64::from(self.popularity.get(doc as usize).copied().unwrap_or(0))
    }
}

/// The tables of the segments of the searchers in use.
#[derive(Default)]
pub struct Tables {
    by_segment: RwLock<HashMap<SegmentId, Arc<SegmentTable>>>,
}

impl Tables {
    /// The segment's table, built now if the warmer has not (it always has for searchers
    /// from the reader).
    pub fn of(&self, segment: &SegmentReader) -> tantivy::Result<Arc<SegmentTable>> {
        let id = segment.segment_id();
        if let Some(table) = self
            .by_segment
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(&id)
        {
            return Ok(table.clone());
        }
        let table = Arc::new(SegmentTable::build(segment)?);
        self.by_segment
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id, table.clone());
        Ok(table)
    }

    pub fn len(&self) -> usize {
        self.by_segment
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Warmer for Tables {
    fn warm(&self, searcher: &Searcher) -> tantivy::Result<()> {
        for segment in searcher.segment_readers() {
            self.of(segment)?;
        }
        Ok(())
    }

    fn garbage_collect(&self, live: &[&SearcherGeneration]) {
        let keep: HashSet<SegmentId> = live
            .iter()
            .flat_map(|g| g.segments().keys().copied())
            .collect();
        self.by_segment
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|id, _| keep.contains(id));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Weak;
    use tantivy::schema::{FAST, INDEXED, STRING, Schema};

    fn terms_of(row: &Row<'_>) -> Vec<(u32, usize)> {
        let mut terms = Vec::new();
        row.for_each_term(|kind, ord| terms.push((kind, ord)));
        terms.sort_unstable();
        terms
    }

    /// Tables hold each document's values as the fast fields do, are built by the
    /// reader's warmer for new segments, and are dropped with merged-away segments.
    #[test]
    fn tables_follow_the_segments() {
        let mut b = Schema::builder();
        let brand = b.add_text_field(fast::BRAND, STRING | FAST);
        let attr = b.add_text_field(fast::ATTR, STRING | FAST);
        let price = b.add_u64_field(fast::PRICE, INDEXED | FAST);
        let stock = b.add_u64_field(fast::IN_STOCK, INDEXED | FAST);
        let popularity = b.add_u64_field(fast::POPULARITY, FAST);
        let index = tantivy::Index::create_in_ram(b.build());
        let tables = Arc::new(Tables::default());
        let reader = index
            .reader_builder()
            .reload_policy(tantivy::ReloadPolicy::Manual)
            .warmers(vec![Arc::downgrade(&tables) as Weak<dyn Warmer>])
            .try_into()
            .unwrap();
        let mut w: tantivy::IndexWriter = index.writer_with_num_threads(1, 20_000_000).unwrap();
        for i in 0..10u64 {
            let mut d = tantivy::TantivyDocument::default();
            d.add_text(brand, if i % 2 == 0 { "acme" } else { "zeta" });
            if i % 3 != 0 {
                d.add_text(attr, "color=red");
                d.add_text(attr, "size=m");
            }
            d.add_u64(price, i * 1_000);
            d.add_u64(stock, u64::from(i < 5));
            d.add_u64(popularity, i * 7);
            w.add_document(d).unwrap();
            if i == 4 {
                w.commit().unwrap();
            }
        }
        w.commit().unwrap();
        reader.reload().unwrap();
        let searcher = reader.searcher();
        assert_eq!(searcher.segment_readers().len(), 2);
        assert_eq!(tables.len(), 2, "the warmer built both segments' tables");
        for segment in searcher.segment_readers() {
            let table = tables.of(segment).unwrap();
            assert!(table.is_compact(), "small rows fit slots");
            let wide = SegmentTable::build_wide(segment).unwrap();
            assert!(!wide.is_compact());
            let ff = segment.fast_fields();
            let attrs = ff.str(fast::ATTR).unwrap().unwrap();
            let brands = ff.str(fast::BRAND).unwrap().unwrap();
            let prices = ff.u64(fast::PRICE).unwrap();
            for doc in 0..segment.max_doc() {
                let mut expected: Vec<(u32, usize)> = brands
                    .term_ords(doc)
                    .map(|o| (Kind::Brand as u32, o as usize))
                    .chain(
                        attrs
                            .term_ords(doc)
                            .map(|o| (Kind::Attr as u32, o as usize)),
                    )
                    .collect();
                expected.sort_unstable();
                let row = table.row(doc);
                assert_eq!(terms_of(&row), expected);
                // The wide form reads the same.
                let wide_row = wide.row(doc);
                assert_eq!(terms_of(&wide_row), expected);
                assert_eq!(
                    (wide_row.price_bucket, wide_row.in_stock),
                    (row.price_bucket, row.in_stock)
                );
                let p = prices.first(doc).unwrap();
                assert_eq!(row.price_bucket, price_bucket(p));
                assert_eq!(table.popularity(doc), p / 1_000 * 7);
                assert_eq!(row.in_stock, p < 5_000);
                assert_eq!(table.in_stock(doc), p < 5_000);
                assert_eq!(table.price(doc), p);
            }
            assert!(table.brands.iter().any(|n| n == "acme"));
            assert_eq!(table.attrs, ["color=red", "size=m"]);
            assert!(table.categories.is_empty());
            assert_eq!(wide.span(segment.max_doc()), (0, 0));
            for t in [&table, &wide] {
                let past = t.row(segment.max_doc());
                assert_eq!((terms_of(&past).len(), past.in_stock), (0, false));
            }
        }

        // Merge into one segment: the warmer builds its table, and the old ones go once no
        // searcher generation uses them (tantivy's collector thread calls this).
        let ids = index.searchable_segment_ids().unwrap();
        w.merge(&ids).wait().unwrap();
        drop(searcher);
        reader.reload().unwrap();
        let searcher = reader.searcher();
        assert_eq!(searcher.segment_readers().len(), 1);
        assert_eq!(tables.len(), 3);
        tables.garbage_collect(&[searcher.generation()]);
        assert_eq!(tables.len(), 1, "only the merged segment's table is left");
        let table = tables.of(&searcher.segment_readers()[0]).unwrap();
        assert_eq!(table.popularity.len(), 10);
        assert_eq!(table.slots.len(), 10);
    }
}
