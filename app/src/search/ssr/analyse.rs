//! Reading a query against one open index: which of the shopper's words it has, words
//! written as one, the product type, whether the query can be a SKU, and for words it
//! lacks the nearest words it has (the corrections searched, and "did you mean").

use super::engine::{Context, SearchIndex};
use super::query::{Analysed, Analyzers, Unit};
use super::schema::{self, Fields};
use super::text::{allowed_typos, edit_distance};
use std::collections::HashMap;
use std::sync::Arc;
use tantivy::schema::Field;
use tantivy::{Searcher, Term};

/// Words of titles and brands with their document frequencies.
pub(super) type Vocabulary = HashMap<String, u64>;

/// Whether any document of the index has `text` in `field`.
fn has_term(searcher: &Searcher, field: Field, text: &str) -> bool {
    searcher
        .doc_freq(&Term::from_field_text(field, text))
        .is_ok_and(|n| n > 0)
}

impl SearchIndex {
    /// The shopper's words, with the ones the index has marked, and whether the whole
    /// query can be a SKU at all (most are not, and a query without that clause is
    /// simpler to run).
    pub(super) fn analyse(
        &self,
        searcher: &Searcher,
        q: &str,
        ctx: &Context,
        an: &mut Analyzers,
        last_is_prefix: bool,
    ) -> Analysed {
        let f = &self.fields;
        let has = |field, text: &str| has_term(searcher, field, text);
        let mut analysed = Analysed::new(q, &ctx.synonyms, an, last_is_prefix);
        analysed.mark_known(|w, s| self.has_word(searcher, w, s));
        for unit in &mut analysed.units {
            unit.compound = unit.words.len() == 1 && has(f.joined, &unit.stems[0]);
        }
        analysed.join_compounds(|plain| {
            let stem = an.stem(plain);
            // Only a word some product writes as one: two words that merely stand side
            // by side in titles stay two (each can then be relaxed on its own).
            has(f.all, &stem).then_some(stem)
        });
        self.correct_unknown(searcher, an, &mut analysed);
        // The product type is a word the catalog has: a misspelled or unknown head
        // passes to the nearest known word before it.
        if let Some(h) = analysed.units.iter().position(|u| u.head)
            && !(analysed.units[h].known || analysed.units[h].compound)
        {
            analysed.units[h].head = false;
            if let Some(u) = analysed.units[..h]
                .iter_mut()
                .rev()
                .find(|u| u.known || u.compound)
            {
                u.head = true;
            }
        }
        analysed.maybe_sku = has(f.sku, &analysed.sku);
        if !analysed.maybe_sku {
            let compact = schema::compact_code(&analysed.raw);
            if !compact.is_empty() && has(f.sku, &compact) {
                analysed.sku = compact;
                analysed.maybe_sku = true;
            }
        }
        analysed
    }

    /// For each word the index lacks: the closest words it has (within the word's typo
    /// budget, nearest and most used first), searched like the word itself; a word
    /// with none that is not the beginning of one either matches nothing and is left
    /// out of the query.
    fn correct_unknown(&self, searcher: &Searcher, an: &mut Analyzers, analysed: &mut Analysed) {
        let f = &self.fields;
        let suspects = analysed
            .units
            .iter()
            .any(|u| !u.known && !u.compound && u.synonyms.is_empty());
        if !suspects {
            return;
        }
        let Ok(vocab) = self.vocabulary(searcher) else {
            return;
        };
        let several = analysed.units.len() > 1;
        for unit in &mut analysed.units {
            let [word] = &unit.words[..] else { continue };
            if unit.known || unit.compound || !unit.synonyms.is_empty() {
                continue;
            }
            // Sizes and codes are never corrected ("2x6" is not "26").
            if word.bytes().any(|b| b.is_ascii_digit()) || word.chars().count() < 3 {
                continue_absent(unit, several, searcher, f);
                continue;
            }
            let typos = usize::from(allowed_typos(word.chars().count()));
            // "Did you mean" may offer a word one edit away even when the word is too
            // short to be searched with a typo.
            let mut near: Vec<(usize, u64, &String)> = vocab
                .iter()
                .filter_map(|(v, n)| edit_distance(word, v, typos.max(1)).map(|d| (d, *n, v)))
                .collect();
            near.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then(a.2.cmp(b.2)));
            unit.nearest = near.first().map(|n| n.2.clone());
            let best = near.first().map_or(0, |n| n.0);
            unit.corrections = near
                .iter()
                .take_while(|n| n.0 == best && n.0 <= typos)
                .take(MAX_CORRECTIONS)
                .map(|(_, _, v)| an.stem(v))
                .collect();
            unit.corrections.dedup();
            continue_absent(unit, several, searcher, f);
        }
    }

    /// Words of the index (titles and brands) with their document frequencies, built
    /// once per index generation and only when a query has an unknown word.
    fn vocabulary(&self, searcher: &Searcher) -> tantivy::Result<Arc<Vocabulary>> {
        let generation = searcher.generation().generation_id();
        let mut cached = self.vocabulary.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((g, v)) = cached.as_ref()
            && *g == generation
        {
            return Ok(v.clone());
        }
        let mut vocab: HashMap<String, u64> = HashMap::new();
        for segment in searcher.segment_readers() {
            {
                let field = self.fields.names;
                let inverted = segment.inverted_index(field)?;
                let mut stream = inverted.terms().stream()?;
                while stream.advance() {
                    let word = String::from_utf8_lossy(stream.key()).into_owned();
                    *vocab.entry(word).or_default() += u64::from(stream.value().doc_freq);
                }
            }
        }
        let vocab = Arc::new(vocab);
        *cached = Some((generation, vocab.clone()));
        Ok(vocab)
    }

    /// Whether the index has this word as typed (titles, brands) or by stem (any field).
    fn has_word(&self, searcher: &Searcher, word: &str, stem: &str) -> bool {
        let f = &self.fields;
        let has = |field, text: &str| has_term(searcher, field, text);
        has(f.names, word)
            || [f.title, f.brand, f.all]
                .into_iter()
                .any(|field| has(field, stem))
    }

    /// The query with unknown words replaced by the closest known ones, if any are.
    pub(super) fn did_you_mean(
        &self,
        searcher: &Searcher,
        analysed: &Analysed,
    ) -> tantivy::Result<Option<String>> {
        let unknown = |u: &Unit| {
            let w = &u.words[0];
            !u.known
                && !u.compound
                && u.words.len() == 1
                && w.chars().count() >= 3
                // Sizes and codes are never "corrected" ("2x6" is not "26").
                && w.chars().all(|c| !c.is_ascii_digit())
                // An unfinished last word that begins a known one is not a typo.
                && !(u.prefix && has_term(searcher, self.fields.prefix, w))
        };
        if !analysed.units.iter().any(unknown) {
            return Ok(None);
        }
        let mut changed = false;
        let mut words = Vec::new();
        for unit in &analysed.units {
            match (&unit.nearest, unknown(unit)) {
                (Some(near), true) => {
                    words.push(near.clone());
                    changed = true;
                }
                _ => words.extend(unit.words.iter().cloned()),
            }
        }
        Ok(changed.then(|| words.join(" ")))
    }
}

/// Marks a unit the index lacks as absent when nothing corrects it and, unfinished, it
/// begins no word either (only in a query of several units: one word alone that
/// matches nothing simply finds nothing).
fn continue_absent(unit: &mut Unit, several: bool, searcher: &Searcher, f: &Fields) {
    let begins = unit.prefix && has_term(searcher, f.prefix, &unit.words[0]);
    unit.absent = several && unit.corrections.is_empty() && !begins;
}

/// Corrections searched for a word the index lacks, at most.
pub const MAX_CORRECTIONS: usize = 3;
