//! The relevance harness: judged queries (graded relevant products by SKU), the
//! measures (nDCG@10, recall@10, zero-result rate), the engine and a plain BM25
//! baseline built in memory over the same products, and a report that puts them side
//! by side, per class of query, clean and with one typo per query.
//!
//! `server search evaluate` prints the report for any catalog and judged set; a test in
//! `server` runs it on the shipped set and fails when relevance drops.

mod baseline;
#[cfg(test)]
mod cases;
mod metrics;

pub use baseline::Baseline;
pub use metrics::{Measures, dcg_at, ndcg_at, recall_at};

use super::engine::{Context, SearchIndex};
use super::query::Synonyms;
use super::schema::{self, DocBuilder};
use super::source::{Labels, ProductDoc};
use crate::money::Currency;
use crate::search::params::SearchParams;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::sync::Arc;
use tantivy::{Index, IndexWriter};

/// Results that count.
pub const DEPTH: usize = 10;

/// One judged query: what a shopper typed and how relevant each product is (3 exactly
/// what was asked, 2 relevant, 1 marginal; unlisted products are irrelevant).
#[derive(Debug, Clone, Deserialize)]
pub struct Judged {
    pub catalog: String,
    pub class: String,
    pub query: String,
    pub grades: HashMap<String, u8>,
}

/// Reads a judged set: one JSON object per line; blank lines and `#` comments skipped.
pub fn parse_judged(text: &str) -> Result<Vec<Judged>, String> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let j: Judged = serde_json::from_str(line)
            .map_err(|e| format!("line {}: not a judged query: {e}", i + 1))?;
        if j.query.trim().is_empty() || j.grades.is_empty() {
            return Err(format!("line {}: a query and at least one grade", i + 1));
        }
        if let Some((sku, g)) = j.grades.iter().find(|(_, g)| !(1..=3).contains(*g)) {
            return Err(format!("line {}: grade {g} of {sku} is not 1 to 3", i + 1));
        }
        out.push(j);
    }
    Ok(out)
}

/// Something that ranks products for a query: the SKUs of each result, best first.
pub trait Ranker {
    fn rank(&self, query: &str) -> Vec<Vec<String>>;
}

/// The engine as the shop runs it, over an index in memory.
pub struct Engine {
    index: SearchIndex,
    ctx: Context,
}

impl Engine {
    pub fn build(
        docs: &[ProductDoc],
        labels: Labels,
        synonyms: &[Vec<String>],
    ) -> tantivy::Result<Self> {
        let (tantivy_schema, fields) = schema::schema();
        let index = Index::create_in_ram(tantivy_schema);
        schema::register_tokenizers(&index);
        let mut writer: IndexWriter = index.writer_with_num_threads(1, 50_000_000)?;
        let mut builder = DocBuilder::new(fields);
        for doc in docs {
            writer.add_document(builder.build(doc, &labels))?;
        }
        writer.commit()?;
        let index = SearchIndex::open(Default::default(), index, fields)?;
        let mut an = super::query::Analyzers::default();
        let ctx = Context {
            synonyms: Arc::new(Synonyms::new(synonyms, &mut an)),
            labels: Arc::new(labels),
            currency: Currency::USD,
            behaviour: Default::default(),
            personal: None,
        };
        Ok(Engine { index, ctx })
    }

    pub fn search(&self, query: &str) -> tantivy::Result<crate::search::model::SearchResults> {
        let p = SearchParams {
            q: query.to_owned(),
            page: 1,
            ..Default::default()
        };
        self.index.search(&p, &self.ctx)
    }
}

#[cfg(test)]
impl Engine {
    pub fn suggest(&self, q: &str) -> tantivy::Result<Vec<crate::search::model::Suggestion>> {
        self.index.suggest(q, &self.ctx, 8)
    }
}

impl Ranker for Engine {
    fn rank(&self, query: &str) -> Vec<Vec<String>> {
        match self.search(query) {
            Ok(r) => r.hits.into_iter().map(|h| h.skus).collect(),
            Err(e) => {
                tracing::warn!(error = %e, query, "search failed in the harness");
                Vec::new()
            }
        }
    }
}

/// The grade of a result: the best grade of any of its SKUs.
fn grade_of(skus: &[String], grades: &HashMap<String, u8>) -> u8 {
    skus.iter()
        .filter_map(|s| grades.get(s))
        .copied()
        .max()
        .unwrap_or(0)
}

/// One typo in the query's longest word of five letters or more (a letter dropped,
/// doubled, swapped with the next or replaced by its keyboard neighbour, chosen by the
/// word), as shoppers make them. Queries without such a word stay as they are.
pub fn with_typo(query: &str) -> String {
    let words: Vec<&str> = query.split_whitespace().collect();
    let Some((at, word)) = words
        .iter()
        .enumerate()
        .filter(|(_, w)| w.chars().count() >= 5 && w.chars().all(char::is_alphabetic))
        .max_by_key(|(i, w)| (w.chars().count(), std::cmp::Reverse(*i)))
    else {
        return query.to_owned();
    };
    let chars: Vec<char> = word.chars().collect();
    let seed: usize = chars.iter().map(|c| *c as usize).sum();
    let i = 1 + seed % (chars.len() - 2);
    let mut out = chars.clone();
    match seed % 4 {
        0 => {
            out.remove(i);
        }
        1 => out.insert(i, chars[i]),
        2 => out.swap(i, i + 1),
        _ => out[i] = neighbour(chars[i]),
    }
    let typo: String = out.into_iter().collect();
    let mut words: Vec<String> = words.iter().map(|w| (*w).to_owned()).collect();
    words[at] = typo;
    words.join(" ")
}

/// A key next to this one on a QWERTY keyboard.
fn neighbour(c: char) -> char {
    const ROWS: [&str; 3] = ["qwertyuiop", "asdfghjkl", "zxcvbnm"];
    let lower = c.to_ascii_lowercase();
    for row in ROWS {
        if let Some(i) = row.find(lower) {
            let b = row.as_bytes();
            let j = if i + 1 < b.len() { i + 1 } else { i - 1 };
            return b[j] as char;
        }
    }
    c
}

/// The engine and the baseline over one catalog.
pub struct Pair {
    pub engine: Engine,
    pub baseline: Baseline,
}

impl Pair {
    pub fn build(docs: &[ProductDoc], labels: Labels) -> tantivy::Result<Self> {
        let baseline = Baseline::build(docs, &labels)?;
        Ok(Pair {
            engine: Engine::build(docs, labels, &[])?,
            baseline,
        })
    }
}

/// Catalogs by the name judged queries give.
pub type Catalogs = HashMap<String, Pair>;

/// Which of a pair ranks.
#[derive(Debug, Clone, Copy)]
enum Which {
    Engine,
    Baseline,
}

/// Each query's nDCG@10 by the engine and by the baseline, worst for the engine
/// first: where to look.
pub fn per_query(catalogs: &Catalogs, judged: &[Judged], typo: bool) -> String {
    let mut rows: Vec<(f64, f64, &Judged)> = judged
        .iter()
        .map(|j| {
            let one = [j];
            (
                measure(catalogs, &one, Which::Engine, typo).ndcg(),
                measure(catalogs, &one, Which::Baseline, typo).ndcg(),
                j,
            )
        })
        .collect();
    rows.sort_by(|a, b| (a.0 - a.1).total_cmp(&(b.0 - b.1)));
    let mut out = String::new();
    for (e, b, j) in rows {
        let q = if typo {
            with_typo(&j.query)
        } else {
            j.query.clone()
        };
        let _ = writeln!(out, "{e:.3} {b:.3}  {:<11} {:<7} {q}", j.class, j.catalog);
    }
    out
}

/// The measures of one ranker over a set of judged queries, each in its catalog.
fn measure(catalogs: &Catalogs, judged: &[&Judged], which: Which, typo: bool) -> Measures {
    let mut m = Measures::default();
    for j in judged {
        let Some(pair) = catalogs.get(&j.catalog) else {
            continue;
        };
        let ranker: &dyn Ranker = match which {
            Which::Engine => &pair.engine,
            Which::Baseline => &pair.baseline,
        };
        let q = if typo {
            with_typo(&j.query)
        } else {
            j.query.clone()
        };
        let ranked = ranker.rank(&q);
        let gains: Vec<u8> = ranked
            .iter()
            .take(DEPTH)
            .map(|skus| grade_of(skus, &j.grades))
            .collect();
        let ideal: Vec<u8> = {
            let mut g: Vec<u8> = j.grades.values().copied().collect();
            g.sort_unstable_by(|a, b| b.cmp(a));
            g
        };
        m.add(
            ndcg_at(&gains, &ideal, DEPTH),
            recall_at(&gains, j.grades.len(), DEPTH),
            ranked.is_empty(),
        );
    }
    m
}

/// The report's rows: for each class (and all), the engine and the baseline, clean and
/// with a typo.
#[derive(Debug, Clone)]
pub struct Row {
    pub class: String,
    pub queries: usize,
    pub engine: Measures,
    pub baseline: Measures,
    pub engine_typo: Measures,
    pub baseline_typo: Measures,
}

/// The report's rows; an error names a catalog the judged set needs and `catalogs`
/// lacks.
pub fn compare(catalogs: &Catalogs, judged: &[Judged]) -> Result<Vec<Row>, String> {
    if let Some(j) = judged.iter().find(|j| !catalogs.contains_key(&j.catalog)) {
        return Err(format!(
            "the judged query {:?} is for catalog {:?}, which was not loaded",
            j.query, j.catalog
        ));
    }
    let mut classes: BTreeMap<&str, Vec<&Judged>> = BTreeMap::new();
    for j in judged {
        classes.entry(j.class.as_str()).or_default().push(j);
    }
    let all: Vec<&Judged> = judged.iter().collect();
    let mut rows = Vec::new();
    let mut row = |class: &str, set: &[&Judged]| {
        rows.push(Row {
            class: class.to_owned(),
            queries: set.len(),
            engine: measure(catalogs, set, Which::Engine, false),
            baseline: measure(catalogs, set, Which::Baseline, false),
            engine_typo: measure(catalogs, set, Which::Engine, true),
            baseline_typo: measure(catalogs, set, Which::Baseline, true),
        });
    };
    for (class, set) in &classes {
        row(class, set);
    }
    row("all", &all);
    Ok(rows)
}

/// The rows as a table.
pub fn report(rows: &[Row]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<12} {:>4}  {:>8} {:>8} {:>6}  {:>8} {:>8}  {:>6} {:>6}  {:>8} {:>8} {:>7}",
        "class",
        "n",
        "nDCG eng",
        "nDCG bm25",
        "ratio",
        "rec eng",
        "rec bm25",
        "0 eng",
        "0 bm25",
        "typo eng",
        "typo bm25",
        "typo/cl"
    );
    for r in rows {
        let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { f64::NAN };
        let _ = writeln!(
            out,
            "{:<12} {:>4}  {:>8.4} {:>8.4} {:>6.2}  {:>8.4} {:>8.4}  {:>6.3} {:>6.3}  {:>8.4} {:>8.4} {:>7.2}",
            r.class,
            r.queries,
            r.engine.ndcg(),
            r.baseline.ndcg(),
            ratio(r.engine.ndcg(), r.baseline.ndcg()),
            r.engine.recall(),
            r.baseline.recall(),
            r.engine.zero_rate(),
            r.baseline.zero_rate(),
            r.engine_typo.ndcg(),
            r.baseline_typo.ndcg(),
            ratio(r.engine_typo.ndcg(), r.engine.ndcg()),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn judged_lines_are_checked() {
        let ok = r#"{"catalog":"demo","class":"plain","query":"tent","grades":{"T1":3}}"#;
        assert_eq!(parse_judged(ok).unwrap().len(), 1);
        assert!(
            parse_judged(r#"{"catalog":"demo","class":"x","query":"","grades":{"a":3}}"#).is_err()
        );
        assert!(
            parse_judged(r#"{"catalog":"demo","class":"x","query":"q","grades":{"a":7}}"#).is_err()
        );
        assert!(parse_judged("not json").is_err());
    }

    #[test]
    fn one_typo_per_query_in_its_longest_word() {
        let t = with_typo("red retrospot lunch bag");
        assert_ne!(t, "red retrospot lunch bag");
        let changed: Vec<(&str, &str)> = t
            .split(' ')
            .zip("red retrospot lunch bag".split(' '))
            .filter(|(a, b)| a != b)
            .collect();
        assert_eq!(changed.len(), 1);
        assert_eq!(changed[0].1, "retrospot");
        assert!(crate::search::ssr::text::edit_distance(changed[0].0, "retrospot", 1).is_some());
        assert_eq!(with_typo("2x4 red"), "2x4 red", "no long word");
        assert_eq!(with_typo("shelf"), with_typo("shelf"), "the same every run");
    }
}
