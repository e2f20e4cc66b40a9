//! From the shopper's words to a tantivy query.
//!
//! Each word (or synonym phrase) becomes one required clause that any of these satisfies:
//! the stemmed word in a text field (BM25, boosted by field), the word within a few typos
//! of a title or brand word (a small constant score, so exact matches rank first), a
//! title or brand word it begins (last word only), or a synonym. Filters are required
//! clauses that add no score, except price and stock, which are checked on each
//! candidate (see `checked`).
//!
//! Queries are kept as flat as they can be: a one-word query with no filters is a plain
//! union of term queries, which tantivy ranks with block-max WAND instead of scoring
//! every match.

use super::checked::{Checked, Value, ValueCheck};
use super::facets::Dims;
use super::schema::{Fields, MIN_PREFIX, attr_term};
use super::table::Tables;
use super::text::{allowed_typos, is_stop_word};
use crate::search::params::SearchParams;
use std::ops::RangeInclusive;
use std::sync::Arc;
use tantivy::Term;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, EmptyQuery, FuzzyTermQuery, Occur, Query,
    TermQuery,
};
use tantivy::schema::IndexRecordOption;
use tantivy::tokenizer::TextAnalyzer;

/// Scores for exact (stemmed) matches: BM25 in the `all` field, plus more BM25 when the
/// word is in the title or the brand. A title word thus counts 1 + 2, a brand 1 + 1.
pub const BOOST_ALL: f32 = 1.0;
pub const BOOST_TITLE: f32 = 2.0;
pub const BOOST_BRAND: f32 = 1.0;
/// The query's head word found among what a product is (`kind`): the product *is* the
/// thing asked for, not an accessory for it.
pub const BOOST_KIND: f32 = 2.0;
/// Adjacent title words written together, matched by a query word.
pub const BOOST_JOINED: f32 = 2.0;

/// A query built to rank (field-weighted BM25) or only to match (one field per word,
/// no scores: for counting and facets, where it selects exactly the same products).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Score,
    Match,
}
/// A fuzzy match scores this constant (times nothing else): below any real BM25 match.
pub const FUZZY_SCORE: f32 = 0.2;
/// A prefix match of the last word.
pub const PREFIX_SCORE: f32 = 0.6;
/// A typo's corrections count less than a word typed right.
pub const CORRECTION_BOOST: f32 = 0.7;
/// A synonym's matches count a little less than the word the shopper typed.
pub const SYNONYM_BOOST: f32 = 0.9;
/// A whole-query SKU match outranks everything.
pub const SKU_BOOST: f32 = 20.0;
/// More words than this are ignored.
pub const MAX_WORDS: usize = 12;

/// Synonym groups, each phrase as plain tokens and as stems.
#[derive(Debug, Clone, Default)]
pub struct Synonyms {
    groups: Vec<Vec<Phrase>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phrase {
    pub stems: Vec<String>,
}

impl Synonyms {
    pub fn new(groups: &[Vec<String>], an: &mut Analyzers) -> Self {
        let groups = groups
            .iter()
            .map(|g| {
                g.iter()
                    .map(|p| Phrase { stems: an.stems(p) })
                    .filter(|p| !p.stems.is_empty())
                    .collect::<Vec<_>>()
            })
            .filter(|g| g.len() >= 2)
            .collect();
        Synonyms { groups }
    }

    /// The longest phrase of any group that starts at `stems[at..]`: its length in
    /// words and the other phrases of its group.
    fn longest_at(&self, stems: &[String]) -> Option<(usize, Vec<Phrase>)> {
        let mut best: Option<(usize, Vec<Phrase>)> = None;
        for group in &self.groups {
            for (i, phrase) in group.iter().enumerate() {
                let n = phrase.stems.len();
                if n <= stems.len()
                    && phrase.stems[..] == stems[..n]
                    && best.as_ref().is_none_or(|(len, _)| n > *len)
                {
                    let others = group
                        .iter()
                        .enumerate()
                        .filter(|(j, _)| *j != i)
                        .map(|(_, p)| p.clone())
                        .collect();
                    best = Some((n, others));
                }
            }
        }
        best
    }
}

/// The analyzers a query needs (they need `&mut`, so each caller has its own).
pub struct Analyzers {
    pub en: TextAnalyzer,
    pub plain: TextAnalyzer,
}

impl Default for Analyzers {
    fn default() -> Self {
        Analyzers {
            en: super::schema::en_analyzer(),
            plain: super::schema::plain_analyzer(),
        }
    }
}

impl Analyzers {
    pub fn stems(&mut self, text: &str) -> Vec<String> {
        super::schema::tokens(&mut self.en, text)
    }

    pub fn stem(&mut self, word: &str) -> String {
        self.stems(word).into_iter().next().unwrap_or_default()
    }
}

/// One required part of the query: a word, or a phrase that has synonyms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    /// The words as typed (lowercased, accents folded).
    pub words: Vec<String>,
    pub stems: Vec<String>,
    pub synonyms: Vec<Phrase>,
    /// The last word of the query: it may be unfinished.
    pub prefix: bool,
    /// The index has this word (as typed, or its stem): no need to look for typos.
    pub known: bool,
    /// The word names the product type the query asks for (see `kind`).
    pub head: bool,
    /// Titles have this word as two words written apart (the `joined` field has it).
    pub compound: bool,
    /// Nothing in the index matches this word, not even with typos: it is left out
    /// rather than making the whole query find nothing.
    pub absent: bool,
    /// Stems of the index's closest words to a word it lacks (a typo's likely
    /// meanings), searched in every field like the word itself.
    pub corrections: Vec<String>,
    /// The index's closest word to a word it lacks, as written (for "did you mean").
    pub nearest: Option<String>,
}

/// The shopper's words, analysed once and used for the query, highlighting and
/// suggestions.
#[derive(Debug, Clone, Default)]
pub struct Analysed {
    pub units: Vec<Unit>,
    /// The whole query, lowercased, for an exact SKU match.
    pub raw: String,
    /// Whether `sku` may be a SKU (false once the index is known not to have it).
    pub maybe_sku: bool,
    /// The SKU the whole query may be: as typed, or without separators.
    pub sku: String,
}

impl Analysed {
    /// `last_is_prefix`: treat the last word as possibly unfinished.
    pub fn new(q: &str, synonyms: &Synonyms, an: &mut Analyzers, last_is_prefix: bool) -> Self {
        let mut words = super::schema::primary_tokens(&mut an.plain, q);
        words.truncate(MAX_WORDS * 2);
        let head_word = super::kind::query_head(&words).map(|i| words[i].clone());
        if words.iter().any(|w| !is_stop_word(w)) {
            words.retain(|w| !is_stop_word(w));
        }
        words.truncate(MAX_WORDS);
        let stems: Vec<String> = words.iter().map(|w| an.stem(w)).collect();
        let mut units = Vec::new();
        let mut i = 0;
        while i < words.len() {
            let (n, syns) = synonyms.longest_at(&stems[i..]).unwrap_or((1, Vec::new()));
            units.push(Unit {
                words: words[i..i + n].to_vec(),
                stems: stems[i..i + n].to_vec(),
                synonyms: syns,
                prefix: false,
                known: false,
                head: false,
                compound: false,
                absent: false,
                corrections: Vec::new(),
                nearest: None,
            });
            i += n;
        }
        if let Some(head) = head_word
            && let Some(unit) = units.iter_mut().rev().find(|u| u.words.contains(&head))
        {
            unit.head = true;
        }
        if last_is_prefix
            && let Some(last) = units.last_mut()
            && last.words.len() == 1
            && last.words[0].chars().count() >= MIN_PREFIX
        {
            last.prefix = true;
        }
        Analysed {
            units,
            raw: q.trim().to_lowercase(),
            sku: q.trim().to_lowercase(),
            maybe_sku: true,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.units.is_empty()
    }

    /// Marks the words the index has, as typed or by stem (`has(word, stem)`). Typo
    /// tolerance is for the others: a word the catalog uses is taken as meant.
    pub fn mark_known(&mut self, mut has: impl FnMut(&str, &str) -> bool) {
        for unit in &mut self.units {
            unit.known = unit.words.iter().zip(&unit.stems).all(|(w, s)| has(w, s));
        }
    }

    /// Joins adjacent words that titles write as one ("book shelf" finds "Bookshelf",
    /// "dw 735x" the model DW735X):
    /// `joined(plain)` gives the stem of the word written together when the index has
    /// it. The two words become one unit that either spelling satisfies.
    pub fn join_compounds(&mut self, mut joined: impl FnMut(&str) -> Option<String>) {
        let mut i = 0;
        while i + 1 < self.units.len() {
            let (a, b) = (&self.units[i], &self.units[i + 1]);
            let simple = |u: &Unit| u.words.len() == 1 && u.synonyms.is_empty();
            if simple(a)
                && simple(b)
                && let Some(stem) = joined(&format!("{}{}", a.words[0], b.words[0]))
            {
                let b = self.units.remove(i + 1);
                let a = &mut self.units[i];
                a.words.extend(b.words);
                a.stems.extend(b.stems);
                a.synonyms.push(Phrase { stems: vec![stem] });
                a.prefix |= b.prefix;
                a.known &= b.known;
                a.head |= b.head;
                a.compound = true;
            }
            i += 1;
        }
    }

    /// The words left out because nothing has them.
    pub fn absent_words(&self) -> Vec<String> {
        self.units
            .iter()
            .filter(|u| u.absent)
            .flat_map(|u| u.words.iter().cloned())
            .collect()
    }
}

fn term_query(term: Term) -> Box<dyn Query> {
    Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs))
}

fn boosted(q: Box<dyn Query>, boost: f32) -> Box<dyn Query> {
    Box::new(BoostQuery::new(q, boost))
}

/// One clause alone is the clause itself: a boolean query around a single clause would
/// hide it from tantivy's specialised scorers (block-max WAND needs a flat union of terms).
fn boolean(occur: Occur, mut clauses: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    if clauses.len() == 1
        && let Some(only) = clauses.pop()
    {
        return only;
    }
    Box::new(BooleanQuery::new(
        clauses.into_iter().map(|c| (occur, c)).collect(),
    ))
}

fn any_of(clauses: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    boolean(Occur::Should, clauses)
}

fn all_of(clauses: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    boolean(Occur::Must, clauses)
}

/// A stem anywhere; when scoring, title and brand matches add to it. (Title and brand
/// words are also in `all`, so both modes match the same products.)
fn exact_stem(f: &Fields, stem: &str, mode: Mode) -> Vec<Box<dyn Query>> {
    let fields: &[(tantivy::schema::Field, f32)] = match mode {
        Mode::Match => &[(f.all, BOOST_ALL)],
        Mode::Score => &[
            (f.all, BOOST_ALL),
            (f.title, BOOST_TITLE),
            (f.brand, BOOST_BRAND),
        ],
    };
    fields
        .iter()
        .map(|&(field, boost)| {
            let term = term_query(Term::from_field_text(field, stem));
            match mode {
                Mode::Match => term,
                Mode::Score => boosted(term, boost),
            }
        })
        .collect()
}

fn unit_query(f: &Fields, unit: &Unit, mode: Mode) -> Box<dyn Query> {
    let mut options: Vec<Box<dyn Query>> = Vec::new();
    let field_term = |field, stem: &str, boost: f32| {
        let term = term_query(Term::from_field_text(field, stem));
        match mode {
            Mode::Match => term,
            Mode::Score => boosted(term, boost),
        }
    };
    if let [word] = &unit.words[..] {
        let stem = &unit.stems[0];
        options.extend(exact_stem(f, stem, mode));
        if unit.compound {
            options.push(field_term(f.joined, stem, BOOST_JOINED));
        }
        let typos = if word.bytes().any(|b| b.is_ascii_digit()) {
            0
        } else {
            allowed_typos(word.chars().count())
        };
        if typos > 0 && !unit.known {
            let fuzzy = FuzzyTermQuery::new(Term::from_field_text(f.names, word), typos, true);
            options.push(Box::new(ConstScoreQuery::new(Box::new(fuzzy), FUZZY_SCORE)));
        }
        for stem in &unit.corrections {
            options.extend(
                exact_stem(f, stem, mode)
                    .into_iter()
                    .map(|q| boosted(q, CORRECTION_BOOST)),
            );
        }
        if unit.prefix {
            options.push(Box::new(ConstScoreQuery::new(
                term_query(Term::from_field_text(f.prefix, word)),
                PREFIX_SCORE,
            )));
        }
    } else {
        options.push(all_of(
            unit.stems
                .iter()
                .map(|s| any_of(exact_stem(f, s, mode)))
                .collect(),
        ));
    }
    for syn in &unit.synonyms {
        let q = all_of(
            syn.stems
                .iter()
                .map(|s| any_of(exact_stem(f, s, mode)))
                .collect(),
        );
        options.push(boosted(q, SYNONYM_BOOST));
        if unit.compound
            && let [stem] = &syn.stems[..]
        {
            // Two words joined: the title that has them side by side ranks first.
            options.push(field_term(f.joined, stem, BOOST_JOINED));
        }
    }
    if unit.head && mode == Mode::Score {
        // What the product is, by the unit's last word or a synonym's.
        let mut kinds: Vec<&String> = unit.stems.last().into_iter().collect();
        kinds.extend(unit.synonyms.iter().filter_map(|s| s.stems.last()));
        kinds.sort_unstable();
        kinds.dedup();
        let kinds: Vec<Box<dyn Query>> = kinds
            .into_iter()
            .map(|stem| field_term(f.kind, stem, BOOST_KIND))
            .collect();
        if unit.words.len() == 1 && unit.synonyms.is_empty() {
            // A one-word unit's kind is one of its title or category words, which the
            // options match anyway: one more term keeps the union flat.
            options.extend(kinds);
        } else {
            // Otherwise the kind only scores what the unit matches.
            return Box::new(BooleanQuery::new(vec![
                (Occur::Must, any_of(options)),
                (Occur::Should, any_of(kinds)),
            ]));
        }
    }
    any_of(options)
}

/// The words part, or a whole-query SKU match. No words: every product. Words nothing
/// has are left out; `missing` more may be missing from a match, but never the head
/// word (the product type) when there is one.
pub fn text_query(f: &Fields, analysed: &Analysed, missing: usize, mode: Mode) -> Box<dyn Query> {
    if analysed.is_empty() {
        return Box::new(AllQuery);
    }
    let present: Vec<&Unit> = analysed.units.iter().filter(|u| !u.absent).collect();
    let words = if present.is_empty() {
        Box::new(EmptyQuery) as Box<dyn Query>
    } else if missing == 0 {
        all_of(present.iter().map(|u| unit_query(f, u, mode)).collect())
    } else {
        let (heads, others): (Vec<&Unit>, Vec<&Unit>) = present.iter().partition(|u| u.head);
        let need = others.len().saturating_sub(missing);
        let mut clauses: Vec<Box<dyn Query>> =
            heads.iter().map(|u| unit_query(f, u, mode)).collect();
        let others: Vec<Box<dyn Query>> = others.iter().map(|u| unit_query(f, u, mode)).collect();
        match need {
            _ if others.is_empty() => {}
            0 if !clauses.is_empty() => {}
            0 | 1 => clauses.push(any_of(others)),
            _ => clauses.push(Box::new(BooleanQuery::with_minimum_required_clauses(
                others.into_iter().map(|q| (Occur::Should, q)).collect(),
                need,
            ))),
        }
        let matched = all_of(clauses);
        match mode {
            Mode::Match => matched,
            // Every word a product has counts in its score, also within a unit it
            // does not satisfy whole, so the closest matches come first.
            Mode::Score => Box::new(BooleanQuery::new(vec![
                (Occur::Must, matched),
                (
                    Occur::Should,
                    any_of(
                        present
                            .iter()
                            .flat_map(|u| u.stems.iter().chain(&u.corrections))
                            .flat_map(|s| exact_stem(f, s, Mode::Score))
                            .collect(),
                    ),
                ),
            ])),
        }
    };
    if !analysed.maybe_sku {
        return words;
    }
    let sku = boosted(
        term_query(Term::from_field_text(f.sku, &analysed.sku)),
        SKU_BOOST,
    );
    // A one-word query stays one flat union (the word's options and the SKU).
    match words.downcast::<BooleanQuery>() {
        Ok(union) if union.clauses().iter().all(|(o, _)| *o == Occur::Should) => {
            let mut clauses: Vec<Box<dyn Query>> =
                union.clauses().iter().map(|(_, q)| q.box_clone()).collect();
            clauses.push(sku);
            any_of(clauses)
        }
        Ok(other) => any_of(vec![other, sku]),
        Err(words) => any_of(vec![words, sku]),
    }
}

/// Whether the ranking query of these words and filters is a flat union of term queries
/// (one known word, no prefix, no synonyms, no filters), which tantivy ranks with
/// block-max WAND, skipping most matches.
pub fn prunable(analysed: &Analysed, filters: &[Filter]) -> bool {
    match &analysed.units[..] {
        [unit] => {
            filters.is_empty()
                && unit.words.len() == 1
                && unit.known
                && !unit.prefix
                && unit.synonyms.is_empty()
        }
        _ => false,
    }
}

/// A filter dimension, so facet counts can leave their own filter out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dim {
    Category,
    Brand,
    Price,
    InStock,
    /// The attribute filter at this index of the distinct codes.
    Attr(usize),
}

pub struct Filter {
    pub dim: Dim,
    pub check: Check,
}

/// How a filter is applied: as a required clause, or checked on each candidate's fast
/// field (for filters most of the catalog passes).
pub enum Check {
    Clause(Box<dyn Query>),
    Value(ValueCheck),
}

/// The filters of a search, one per dimension (an attribute code is a dimension).
pub fn filters(f: &Fields, p: &SearchParams) -> Vec<Filter> {
    let mut out = Vec::new();
    if let Some(path) = &p.category {
        out.push(Filter {
            dim: Dim::Category,
            check: Check::Clause(term_query(Term::from_field_text(f.category, path))),
        });
    }
    if !p.brands.is_empty() {
        out.push(Filter {
            dim: Dim::Brand,
            check: Check::Clause(any_of(
                p.brands
                    .iter()
                    .map(|b| term_query(Term::from_field_text(f.brand_slug, b)))
                    .collect(),
            )),
        });
    }
    if let Some(range) = p.price {
        out.push(Filter {
            dim: Dim::Price,
            check: Check::Value(ValueCheck {
                value: Value::Price,
                range: price_range(range.min, range.max),
            }),
        });
    }
    if p.in_stock {
        out.push(Filter {
            dim: Dim::InStock,
            check: Check::Value(ValueCheck {
                value: Value::InStock,
                range: 1..=1,
            }),
        });
    }
    let mut codes: Vec<&str> = p.attributes.iter().map(|(c, _)| c.as_str()).collect();
    codes.dedup();
    codes.sort_unstable();
    codes.dedup();
    for (i, code) in codes.iter().enumerate() {
        out.push(Filter {
            dim: Dim::Attr(i),
            check: Check::Clause(any_of(
                p.attributes
                    .iter()
                    .filter(|(c, _)| c == code)
                    .map(|(c, v)| term_query(Term::from_field_text(f.attr, &attr_term(c, v))))
                    .collect(),
            )),
        });
    }
    out
}

/// Prices from `min` (inclusive) to `max` (exclusive), in minor units, as the inclusive
/// range a value check takes (an empty one, 1 to 0, when nothing can match).
pub fn price_range(min: Option<i64>, max: Option<i64>) -> RangeInclusive<u64> {
    let lo = min.unwrap_or(0).max(0) as u64;
    match max {
        None => lo..=u64::MAX,
        Some(max) if max <= 0 => RangeInclusive::new(1, 0),
        Some(max) => lo..=(max as u64 - 1),
    }
}

/// The words and every filter except `without` (`tables`: the index's, for checks).
pub fn combine(
    text: &dyn Query,
    filters: &[Filter],
    without: Option<Dim>,
    tables: &Arc<Tables>,
) -> Box<dyn Query> {
    let mut clauses: Vec<Box<dyn Query>> = vec![text.box_clone()];
    let mut checks = Vec::new();
    for filter in filters.iter().filter(|fl| Some(fl.dim) != without) {
        match &filter.check {
            Check::Clause(q) => clauses.push(Box::new(ConstScoreQuery::new(q.box_clone(), 0.0))),
            Check::Value(c) => checks.push(c.clone()),
        }
    }
    let matched = all_of(clauses);
    if checks.is_empty() {
        matched
    } else {
        Box::new(Checked::new(matched, checks, tables.clone()))
    }
}

/// Facets whose values are alternatives to the chosen one (brands, price ranges,
/// attribute values) are counted without their own filter. Categories drill down and
/// "in stock" narrows, so they count within the results as shown.
pub fn is_disjunctive(dim: Dim) -> bool {
    matches!(dim, Dim::Brand | Dim::Price | Dim::Attr(_))
}

/// Which facet dimension a filter's own pass counts.
pub fn dims_of(dim: Dim) -> Dims {
    let mut d = Dims::NONE;
    match dim {
        Dim::Category => d.category = true,
        Dim::Brand => d.brand = true,
        Dim::Price => d.price = true,
        Dim::InStock => d.in_stock = true,
        Dim::Attr(_) => d.attr = true,
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::ssr::schema;

    /// As the engine analyses a submitted search, with every word known or none.
    fn analysed(q: &str, known: bool) -> Analysed {
        let mut an = Analyzers::default();
        let mut a = Analysed::new(q, &Synonyms::default(), &mut an, true);
        a.mark_known(|_, _| known);
        for u in a.units.iter_mut().filter(|u| u.known) {
            if u.words.iter().all(|w| w.chars().count() >= 5) {
                u.prefix = false;
            }
        }
        a
    }

    #[test]
    fn one_known_word_is_a_flat_union_of_terms() {
        let (_, f) = schema::schema();
        let mut a = analysed("lantern", true);
        a.maybe_sku = false;
        assert!(prunable(&a, &[]));
        let scoring = text_query(&f, &a, 0, Mode::Score);
        let scoring: &dyn Query = &*scoring;
        let union = scoring.downcast_ref::<BooleanQuery>().expect("a union");
        assert_eq!(union.clauses().len(), 4, "all, title, brand and kind");
        assert!(union.clauses().iter().all(|(o, c)| {
            let c: &dyn Query = &**c;
            *o == Occur::Should && (c.is::<BoostQuery>() || c.is::<TermQuery>())
        }));
        let matching = text_query(&f, &a, 0, Mode::Match);
        let matching: &dyn Query = &*matching;
        assert!(matching.is::<TermQuery>(), "the stem alone: {matching:?}");
        // A query the index has as a SKU adds the SKU term to the same flat union.
        a.maybe_sku = true;
        let scoring = text_query(&f, &a, 0, Mode::Score);
        let scoring: &dyn Query = &*scoring;
        let union = scoring.downcast_ref::<BooleanQuery>().expect("a union");
        assert_eq!(union.clauses().len(), 5);
        assert!(union.clauses().iter().all(|(o, _)| *o == Occur::Should));
    }

    #[test]
    fn what_cannot_be_pruned() {
        let (_, f) = schema::schema();
        let in_stock = SearchParams {
            in_stock: true,
            ..Default::default()
        };
        assert!(!prunable(
            &analysed("lantern", true),
            &filters(&f, &in_stock)
        ));
        assert!(!prunable(&analysed("lantrn", false), &[]), "typos");
        assert!(!prunable(&analysed("oak lantern", true), &[]), "two words");
        assert!(!prunable(&analysed("lamp", true), &[]), "a short last word");
    }

    #[test]
    fn price_ranges_are_inclusive_of_the_minimum_only() {
        assert_eq!(price_range(None, None), 0..=u64::MAX);
        assert_eq!(price_range(Some(1_000), Some(2_500)), 1_000..=2_499);
        assert_eq!(price_range(Some(-5), None), 0..=u64::MAX);
        assert!(price_range(None, Some(0)).is_empty());
        assert!(price_range(Some(500), Some(500)).is_empty());
    }
}
