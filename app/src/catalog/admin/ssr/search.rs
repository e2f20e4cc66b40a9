//! The admin's product search by title words: each word searched is the start of a word
//! in the title, in any order ("wal lam" finds "Walnut Table Lamp"), as in Shopify's and
//! Saleor's admin. Two ways to read a page of matches, so that neither common nor rare
//! words cost much at a million products:
//!
//! - **Along the list.** The first `PROBE` products in the list's own order (with its
//!   other filters), kept if their titles have the words. A common word fills the page
//!   here, after reading a few hundred rows: no index could list 75,000 matches faster.
//! - **Through the word index.** When that did not fill the page, the words are rare: the
//!   index of title prefixes (`title_prefixes`, one entry per prefix, so a search is a few
//!   exact look-ups) gives every match, and the page is sorted from those.
//!
//! Both are exact: the first way returns a page only when it holds the whole page, since
//! nothing after the products it read comes before them.

use super::list::{Bounds, Resolved, push_after, push_filters, push_order};
use crate::catalog::admin::model::PAGE_SIZE;
use sqlx::{PgPool, Postgres, QueryBuilder};

/// How many products, in the list's order, are read for matches before the index is.
const PROBE: i64 = 1_000;

/// Words past this many are refused: a search, not a description.
pub(crate) const MOST_WORDS: usize = 8;

/// The index keeps a word's first this many characters.
const INDEXED_CHARS: usize = 32;

/// A search's words, lowercased and split as the index splits titles (by the database,
/// so both agree on what a letter is).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Words(Vec<String>);

impl Words {
    /// The words of `text`: runs of letters and digits, lowercased, each once.
    pub(crate) async fn of(pool: &PgPool, text: &str) -> Result<Words, sqlx::Error> {
        let words = sqlx::query_scalar!(
            r#"SELECT array(SELECT DISTINCT w FROM regexp_split_to_table(lower($1), '[^[:alnum:]]+') w
                             WHERE w <> '' ORDER BY w) AS "words!""#,
            text
        )
        .fetch_one(pool)
        .await?;
        Ok(Words(words))
    }

    /// The condition the word index answers: every word's (first 32 characters') entry.
    pub(super) fn push_indexed(&self, q: &mut QueryBuilder<'_, Postgres>) {
        if self.0.is_empty() {
            // A search of punctuation alone has no word to find.
            q.push(" AND FALSE");
            return;
        }
        let terms: Vec<String> = self
            .0
            .iter()
            .map(|w| {
                let indexed: String = w.chars().take(INDEXED_CHARS).collect();
                format!("'{}'", indexed.replace('\\', "\\\\").replace('\'', "''"))
            })
            .collect();
        q.push(" AND title_prefixes(p.title) @@ ")
            .push_bind(terms.join(" & "))
            .push("::tsquery");
    }

    /// The same condition checked on a row's title: cheap per row, and exact for words
    /// of any length.
    pub(super) fn push_checked(&self, q: &mut QueryBuilder<'_, Postgres>) {
        if self.0.is_empty() {
            q.push(" AND FALSE");
        }
        for w in &self.0 {
            // A word is letters and digits only, none of them special in a pattern.
            q.push(" AND lower(p.title) ~ ")
                .push_bind(format!("(^|[^[:alnum:]]){w}"));
        }
    }
}

/// The ids of one page (and one more, to tell whether another follows) of the products
/// whose titles have `words`, in the list's order.
pub(super) async fn page(
    pool: &PgPool,
    r: &Resolved,
    b: &Bounds,
    words: &Words,
) -> Result<Vec<i64>, sqlx::Error> {
    let mut q = QueryBuilder::new(
        "SELECT p.id FROM (SELECT p.id, p.title, p.updated_at FROM products p WHERE",
    );
    push_filters(&mut q, r);
    push_after(&mut q, b);
    push_order(&mut q, b, PROBE);
    q.push(") p WHERE TRUE");
    words.push_checked(&mut q);
    push_order(&mut q, b, PAGE_SIZE + 1);
    let found: Vec<i64> = q
        .build_query_scalar()
        .persistent(false)
        .fetch_all(pool)
        .await?;
    if found.len() as i64 > PAGE_SIZE {
        return Ok(found);
    }
    // Rare words: every match through the index (never along the list, whatever the
    // planner expects of them), then the page.
    let mut q = QueryBuilder::new(
        "WITH p AS MATERIALIZED (SELECT p.id, p.title, p.updated_at FROM products p WHERE",
    );
    push_filters(&mut q, r);
    words.push_indexed(&mut q);
    words.push_checked(&mut q);
    push_after(&mut q, b);
    q.push(") SELECT p.id FROM p");
    push_order(&mut q, b, PAGE_SIZE + 1);
    q.build_query_scalar()
        .persistent(false)
        .fetch_all(pool)
        .await
}
