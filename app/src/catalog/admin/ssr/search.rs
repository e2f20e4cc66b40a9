//! The admin's product search by title words: each word searched is the start of a word
//! in the title, in any order ("wal lam" finds "Walnut Table Lamp"), as in Shopify's and
//! Saleor's admin. Two ways to read a page of matches, so that neither common nor rare
//! words cost much at a million products:
//!
//! - **Along the list.** The products in the list's own order (with its other filters),
//!   kept if their titles have the words, until the page is full. A common word fills
//!   the page after a few hundred rows: no index could list 75,000 matches faster.
//! - **Through the word index.** The index of title prefixes (`title_prefixes`, one entry
//!   per prefix, so a search is a few exact look-ups) gives every match, and the page is
//!   sorted from those: cheap when the words are rare, dear when they are common.
//!
//! Which one: first the list's first `FIRST_LOOK` products (a millisecond); a page full
//! there is the answer. Otherwise the planner's estimate of the words' matches (from the
//! index's statistics, the words alone: what reading the index would cost) decides: few,
//! the index; many, along the list again for up to `SECOND_LOOK` products (the first
//! products may simply not be the ones that match: a thousand imported ones, an archive
//! of another kind), then the index for whatever is left. One process reads each
//! (`list.rs` turns parallel workers off for the page). Every way is exact: a page read along the list is
//! returned only when it is full, since nothing after the products read comes before them.

use super::list::{Bounds, Resolved, expected, push_after, push_filters, push_order};
use crate::catalog::admin::model::PAGE_SIZE;
use sqlx::{PgConnection, Postgres, QueryBuilder};

/// How many products, in the list's order, are first read for matches.
const FIRST_LOOK: i64 = 1_000;

/// How many when the words are expected to be common (the read stops at a full page).
const SECOND_LOOK: i64 = 20_000;

/// Matches the planner may expect for the index to be read without a second look along
/// the list (each match costs a row read and sorted: a few milliseconds per thousand).
const FEW: i64 = 5_000;

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
    pub(crate) async fn of(db: &mut PgConnection, text: &str) -> Result<Words, sqlx::Error> {
        let words = sqlx::query_scalar!(
            r#"SELECT array(SELECT DISTINCT w FROM regexp_split_to_table(lower($1), '[^[:alnum:]]+') w
                             WHERE w <> '' ORDER BY w) AS "words!""#,
            text
        )
        .fetch_one(db)
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
    /// of any length. Each word is looked for anywhere first (a plain substring search,
    /// several times cheaper than the pattern, which then runs on the few titles that
    /// have it).
    /// `lowered` is the lowercased title (`lower(p.title)`, or a column that has it).
    pub(super) fn push_checked(&self, q: &mut QueryBuilder<'_, Postgres>, lowered: &str) {
        if self.0.is_empty() {
            q.push(" AND FALSE");
        }
        for w in &self.0 {
            // A word is letters and digits only, none of them special in either pattern.
            q.push(format!(" AND {lowered} LIKE "))
                .push_bind(format!("%{w}%"))
                .push(format!(" AND {lowered} ~ "))
                .push_bind(format!("(^|[^[:alnum:]]){w}"));
        }
    }
}

/// The ids of one page (and one more, to tell whether another follows) of the products
/// whose titles have `words`, in the list's order.
pub(super) async fn page(
    db: &mut PgConnection,
    r: &Resolved,
    b: &Bounds,
    words: &Words,
) -> Result<Vec<i64>, sqlx::Error> {
    let found = along(db, r, b, words, FIRST_LOOK).await?;
    if found.len() as i64 > PAGE_SIZE {
        return Ok(found);
    }
    // What reading the index would cost: its matches for the words alone (the other
    // filters may pick the same products as the words, or others; the planner cannot
    // tell which).
    if expected(&mut *db, r, false).await? > FEW {
        let found = along(db, r, b, words, SECOND_LOOK).await?;
        if found.len() as i64 > PAGE_SIZE {
            return Ok(found);
        }
    }
    indexed(db, r, b, words).await
}

/// The page's matches among the first `look` products in the list's order.
async fn along(
    db: &mut PgConnection,
    r: &Resolved,
    b: &Bounds,
    words: &Words,
    look: i64,
) -> Result<Vec<i64>, sqlx::Error> {
    // Each title lowercased once, for both of each word's checks.
    let mut q = QueryBuilder::new(
        "SELECT p.id FROM (SELECT p.id, p.title, p.updated_at, lower(p.title) AS lowered
                             FROM products p WHERE",
    );
    push_filters(&mut q, r);
    push_after(&mut q, b);
    push_order(&mut q, b, look);
    q.push(") p WHERE TRUE");
    words.push_checked(&mut q, "p.lowered");
    push_order(&mut q, b, PAGE_SIZE + 1);
    q.build_query_scalar().persistent(false).fetch_all(db).await
}

/// The page from every match the index gives (never along the list, whatever the
/// planner expects of them), sorted.
async fn indexed(
    db: &mut PgConnection,
    r: &Resolved,
    b: &Bounds,
    words: &Words,
) -> Result<Vec<i64>, sqlx::Error> {
    let mut q = QueryBuilder::new(
        "WITH p AS MATERIALIZED (SELECT p.id, p.title, p.updated_at FROM products p WHERE",
    );
    push_filters(&mut q, r);
    words.push_indexed(&mut q);
    words.push_checked(&mut q, "lower(p.title)");
    push_after(&mut q, b);
    q.push(") SELECT p.id FROM p");
    push_order(&mut q, b, PAGE_SIZE + 1);
    q.build_query_scalar().persistent(false).fetch_all(db).await
}
