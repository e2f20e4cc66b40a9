//! Marking the words of a result's title that the query matched, for the results page.

use super::query::{Analysed, Analyzers};
use super::schema;
use super::text::{allowed_typos, edit_distance};
use crate::search::model::Marked;
use std::collections::HashSet;

/// Marks the words of a title that the query matched: exactly, by stem, by prefix,
/// within the typo budget, or through a synonym.
pub(super) struct Marker {
    words: HashSet<String>,
    stems: HashSet<String>,
    prefix: Option<String>,
    fuzzy: Vec<(String, usize)>,
}

impl Marker {
    pub(super) fn new(analysed: &Analysed, _an: &mut Analyzers) -> Self {
        let mut m = Marker {
            words: HashSet::new(),
            stems: HashSet::new(),
            prefix: None,
            fuzzy: Vec::new(),
        };
        for unit in &analysed.units {
            for w in &unit.words {
                m.words.insert(w.clone());
                // Only words the index lacks were matched with typos.
                let typos = usize::from(allowed_typos(w.chars().count()));
                if typos > 0 && !unit.known {
                    m.fuzzy.push((w.clone(), typos));
                }
            }
            m.stems.extend(unit.stems.iter().cloned());
            m.stems.extend(unit.corrections.iter().cloned());
            for syn in &unit.synonyms {
                m.stems.extend(syn.stems.iter().cloned());
            }
            if unit.prefix {
                m.prefix = unit.words.first().cloned();
            }
        }
        m
    }

    fn hit(&self, word: &str, an: &mut Analyzers) -> bool {
        self.words.contains(word)
            || self.prefix.as_deref().is_some_and(|p| word.starts_with(p))
            || self.stems.contains(&an.stem(word))
            || self
                .fuzzy
                .iter()
                .any(|(q, typos)| edit_distance(q, word, *typos).is_some())
    }

    pub(super) fn mark(&mut self, title: &str, an: &mut Analyzers) -> Vec<Marked> {
        let mut runs: Vec<Marked> = Vec::new();
        let mut push = |text: &str, hit: bool| {
            if text.is_empty() {
                return;
            }
            match runs.last_mut() {
                Some(last) if last.hit == hit => last.text.push_str(text),
                _ => runs.push(Marked {
                    text: text.to_owned(),
                    hit,
                }),
            }
        };
        // A measure or code and its parts share their place in the title: the place is
        // marked when any of them matched.
        let mut places: Vec<(std::ops::Range<usize>, bool)> = Vec::new();
        for (word, range) in schema::tokens_with_offsets(&mut an.plain, title) {
            if range.end > title.len() {
                continue;
            }
            let hit = self.hit(&word, an);
            match places.last_mut() {
                Some((last, h)) if range.start < last.end => {
                    last.end = last.end.max(range.end);
                    *h |= hit;
                }
                _ => places.push((range, hit)),
            }
        }
        let mut at = 0;
        for (range, hit) in places {
            push(&title[at..range.start], false);
            push(&title[range.clone()], hit);
            at = range.end;
        }
        push(&title[at..], false);
        runs
    }
}
