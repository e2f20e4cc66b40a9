//! Filters checked on each matching document's values (its segment's table), instead of
//! intersected as posting lists.
//!
//! A price range or "in stock" is true of a large share of the catalog. As a query of
//! its own it must find every such document in a segment (a range scan of the whole
//! column, or a posting list of most documents) before the intersection can skip through
//! it. Checked last, on the documents the words and the other filters already matched,
//! it costs one array read per candidate (the values are in the segment's table).

use super::table::{SegmentTable, Tables};
use std::fmt;
use std::ops::RangeInclusive;
use std::sync::Arc;
use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED, TantivyError, Term};

/// A value of the segment tables a filter can check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value {
    /// The lowest price, in minor units.
    Price,
    /// 1 in stock, 0 not.
    InStock,
}

/// A value that must lie in `range`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueCheck {
    pub value: Value,
    pub range: RangeInclusive<u64>,
}

impl ValueCheck {
    #[inline]
    fn passes(&self, table: &SegmentTable, doc: DocId) -> bool {
        let v = match self.value {
            Value::Price => table.price(doc),
            Value::InStock => u64::from(table.in_stock(doc)),
        };
        self.range.contains(&v)
    }
}

/// `inner`, keeping only documents that pass every check. Scores are `inner`'s.
pub struct Checked {
    inner: Box<dyn Query>,
    checks: Vec<ValueCheck>,
    tables: Arc<Tables>,
}

impl Checked {
    pub fn new(inner: Box<dyn Query>, checks: Vec<ValueCheck>, tables: Arc<Tables>) -> Self {
        Checked {
            inner,
            checks,
            tables,
        }
    }
}

impl fmt::Debug for Checked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Checked")
            .field("inner", &self.inner)
            .field("checks", &self.checks)
            .finish()
    }
}

impl Clone for Checked {
    fn clone(&self) -> Self {
        Checked {
            inner: self.inner.box_clone(),
            checks: self.checks.clone(),
            tables: self.tables.clone(),
        }
    }
}

impl Query for Checked {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(CheckedWeight {
            inner: self.inner.weight(enable_scoring)?,
            checks: self.checks.clone(),
            tables: self.tables.clone(),
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.inner.query_terms(visitor);
    }
}

struct CheckedWeight {
    inner: Box<dyn Weight>,
    checks: Vec<ValueCheck>,
    tables: Arc<Tables>,
}

impl Weight for CheckedWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut scorer = CheckedScorer {
            inner: self.inner.scorer(reader, boost)?,
            table: self.tables.of(reader)?,
            checks: self.checks.clone(),
        };
        scorer.settle();
        Ok(Box::new(scorer))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.doc() > doc || scorer.seek(doc) != doc {
            return Err(TantivyError::InvalidArgument(format!(
                "document {doc} does not match"
            )));
        }
        self.inner.explain(reader, doc)
    }
}

struct CheckedScorer {
    inner: Box<dyn Scorer>,
    table: Arc<SegmentTable>,
    checks: Vec<ValueCheck>,
}

impl CheckedScorer {
    #[inline]
    fn passes(&self, doc: DocId) -> bool {
        self.checks.iter().all(|c| c.passes(&self.table, doc))
    }

    /// Moves forward to the first passing document at or after the current one.
    fn settle(&mut self) -> DocId {
        let mut doc = self.inner.doc();
        while doc != TERMINATED && !self.passes(doc) {
            doc = self.inner.advance();
        }
        doc
    }
}

impl DocSet for CheckedScorer {
    fn advance(&mut self) -> DocId {
        self.inner.advance();
        self.settle()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        self.inner.seek(target);
        self.settle()
    }

    fn doc(&self) -> DocId {
        self.inner.doc()
    }

    fn size_hint(&self) -> u32 {
        self.inner.size_hint()
    }
}

impl Scorer for CheckedScorer {
    fn score(&mut self) -> Score {
        self.inner.score()
    }
}

#[cfg(test)]
mod tests {
    use super::super::schema::fast;
    use super::*;
    use tantivy::collector::{Count, TopDocs};
    use tantivy::query::{AllQuery, TermQuery};
    use tantivy::schema::{FAST, INDEXED, IndexRecordOption, STRING, Schema};

    /// The checked query matches exactly the documents the words match whose columns
    /// pass, in every segment, and keeps the words' scores.
    #[test]
    fn keeps_only_passing_documents_with_their_scores() {
        let mut b = Schema::builder();
        let word = b.add_text_field("word", STRING);
        let price = b.add_u64_field(fast::PRICE, INDEXED | FAST);
        let stock = b.add_u64_field(fast::IN_STOCK, INDEXED | FAST);
        let index = tantivy::Index::create_in_ram(b.build());
        let mut w: tantivy::IndexWriter = index.writer_with_num_threads(1, 20_000_000).unwrap();
        for i in 0..3000u64 {
            let mut d = tantivy::TantivyDocument::default();
            d.add_text(word, if i % 3 == 0 { "lamp" } else { "desk" });
            d.add_u64(price, i);
            d.add_u64(stock, u64::from(i % 2 == 0));
            w.add_document(d).unwrap();
            if i % 1000 == 999 {
                w.commit().unwrap(); // several segments
            }
        }
        w.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let lamp = || -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(word, "lamp"),
                IndexRecordOption::Basic,
            ))
        };
        let tables = Arc::new(Tables::default());
        let checked = |inner: Box<dyn Query>, checks: Vec<ValueCheck>| {
            Checked::new(inner, checks, tables.clone())
        };
        let cheap = ValueCheck {
            value: Value::Price,
            range: 100..=1999,
        };
        let stocked = ValueCheck {
            value: Value::InStock,
            range: 1..=1,
        };
        // Lamps are i ≡ 0 (mod 3); in stock when even: i ≡ 0 (mod 6); 100 ≤ i ≤ 1999.
        let expected = (100..=1999u64).filter(|i| i % 6 == 0).count();
        let q = checked(lamp(), vec![cheap.clone(), stocked.clone()]);
        assert_eq!(searcher.search(&q, &Count).unwrap(), expected);
        let top = searcher.search(&q, &TopDocs::with_limit(5000)).unwrap();
        assert_eq!(top.len(), expected);
        let plain = searcher.search(&lamp(), &TopDocs::with_limit(1)).unwrap()[0].0;
        assert!(top.iter().all(|(score, _)| (*score - plain).abs() < 1e-6));
        // An empty range matches nothing; every document passes an unbounded one.
        let none = ValueCheck {
            value: Value::Price,
            range: RangeInclusive::new(1, 0),
        };
        assert_eq!(
            searcher
                .search(&checked(lamp(), vec![none]), &Count)
                .unwrap(),
            0
        );
        let all = ValueCheck {
            value: Value::Price,
            range: 0..=u64::MAX,
        };
        assert_eq!(
            searcher
                .search(&checked(Box::new(AllQuery), vec![all]), &Count)
                .unwrap(),
            3000
        );
    }
}
