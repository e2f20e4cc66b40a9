//! Running searches and suggestions against one open index.

use super::analyse::Vocabulary;
use super::facet_lists::facets;
use super::facets::{Counts, Dims, FacetCollector, Sampling};
use super::marker::Marker;
use super::query::{self, Analyzers, Mode, Synonyms};
use super::rank::{Boosts, RERANK_WINDOW, rerank};
use super::schema::{self, Fields, StoredCard, fast};
use super::signals::{Behaviour, Personal};
use super::source::Labels;
use super::table::Tables;
use crate::money::Currency;
use crate::search::model::{SearchHit, SearchResults, Suggestion, SuggestionKind};
use crate::search::params::{PAGE_SIZE, SearchParams, SearchSort};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use tantivy::collector::TopDocs;
use tantivy::query::Query;
use tantivy::schema::Value;
use tantivy::{DocAddress, DocId, Index, IndexReader, Order, Searcher};

/// Facets count about this many matches one by one, then a sample of about as many again
/// from the rest (see `facets::Sampling`); the total is always exact.
pub const FACET_SAMPLE: u64 = 2_500;

/// How a search's main pass runs: the order, the first hit wanted, how facets are
/// counted, and whether the ranking query can be pruned (`query::prunable`).
#[derive(Debug, Clone, Copy)]
struct Plan {
    sort: SearchSort,
    offset: usize,
    sampling: Sampling,
    prunable: bool,
}

/// One generation of the index on disk, open for reading.
pub struct SearchIndex {
    pub dir: PathBuf,
    pub index: Index,
    pub reader: IndexReader,
    pub fields: Fields,
    /// The segments' facet and ranking values in memory, kept by the reader's warmer.
    pub tables: Arc<Tables>,
    /// The index's words, built once per generation when a query has an unknown word
    /// (see `analyse`).
    pub(super) vocabulary: Mutex<Option<(u64, Arc<Vocabulary>)>>,
    /// Decoded result cards by segment and document: a segment's stored documents never
    /// change, so entries stay true; the map is simply emptied when it grows too big.
    cards: Mutex<HashMap<(tantivy::index::SegmentId, DocId), Arc<StoredCard>>>,
}

/// Decoded cards kept per index generation.
const CARD_CACHE: usize = 50_000;

/// What a query needs besides the index: synonyms, facet labels, shoppers' choices
/// per query, and the signed-in customer's brands and categories.
pub struct Context {
    pub synonyms: Arc<Synonyms>,
    pub labels: Arc<Labels>,
    pub currency: Currency,
    pub behaviour: Arc<Behaviour>,
    pub personal: Option<Arc<Personal>>,
}

impl SearchIndex {
    /// `tables` must be the warmer of `reader`.
    pub fn new(
        dir: PathBuf,
        index: Index,
        reader: IndexReader,
        fields: Fields,
        tables: Arc<Tables>,
    ) -> Self {
        SearchIndex {
            dir,
            index,
            reader,
            fields,
            tables,
            vocabulary: Mutex::new(None),
            cards: Mutex::new(HashMap::new()),
        }
    }

    /// Opens `index` for reading, its segment tables kept by the reader's warmer.
    pub fn open(dir: PathBuf, index: Index, fields: Fields) -> tantivy::Result<Self> {
        let tables = Arc::new(Tables::default());
        let reader = index
            .reader_builder()
            .reload_policy(tantivy::ReloadPolicy::Manual)
            .warmers(vec![
                Arc::downgrade(&tables) as std::sync::Weak<dyn tantivy::Warmer>
            ])
            .try_into()?;
        Ok(Self::new(dir, index, reader, fields, tables))
    }

    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    fn stored(&self, searcher: &Searcher, addr: DocAddress) -> tantivy::Result<Arc<StoredCard>> {
        let key = (
            searcher.segment_reader(addr.segment_ord).segment_id(),
            addr.doc_id,
        );
        if let Some(card) = self
            .cards
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key)
        {
            return Ok(card.clone());
        }
        let doc: tantivy::TantivyDocument = searcher.doc(addr)?;
        let json = doc
            .get_first(self.fields.card)
            .and_then(|v| v.as_str())
            .unwrap_or_default();
        let card: Arc<StoredCard> = Arc::new(
            serde_json::from_str(json)
                .map_err(|e| tantivy::TantivyError::InternalError(format!("stored card: {e}")))?,
        );
        let mut cards = self.cards.lock().unwrap_or_else(|e| e.into_inner());
        if cards.len() >= CARD_CACHE {
            cards.clear();
        }
        cards.insert(key, card.clone());
        Ok(card)
    }

    /// Top hits in the requested order and the facet counts, in one pass over the matches.
    fn top_and_counts(
        &self,
        searcher: &Searcher,
        matching: &dyn Query,
        scoring: &dyn Query,
        plan: Plan,
        boosts: Boosts,
    ) -> tantivy::Result<(Vec<DocAddress>, Counts)> {
        let Plan {
            sort,
            offset,
            sampling,
            prunable,
        } = plan;
        let top = TopDocs::with_limit(PAGE_SIZE as usize).and_offset(offset);
        let facets = FacetCollector {
            dims: Dims::ALL,
            sampling,
            tables: self.tables.clone(),
        };
        fn addrs<T>(hits: Vec<(T, DocAddress)>) -> Vec<DocAddress> {
            hits.into_iter().map(|(_, a)| a).collect()
        }
        Ok(match sort {
            SearchSort::Relevance => {
                // When the ranking query can be pruned (block-max WAND skips documents
                // that cannot reach the top), counting runs as its own pass without
                // scores and the best text matches come from a pruned second pass.
                // Otherwise every match is scored anyway, so one pass does both. The
                // stock and popularity boosts re-rank the best RERANK_WINDOW. Deeper
                // results keep text order, so pages stay consistent with each other.
                let want = (offset + PAGE_SIZE as usize).max(RERANK_WINDOW);
                let (mut best, counts) = if prunable {
                    let counts = searcher.search(matching, &facets)?;
                    (
                        searcher.search(scoring, &TopDocs::with_limit(want))?,
                        counts,
                    )
                } else {
                    searcher.search(scoring, &(TopDocs::with_limit(want), facets))?
                };
                let window = best.len().min(RERANK_WINDOW);
                rerank(searcher, &self.tables, &mut best[..window], boosts)?;
                let page = best
                    .into_iter()
                    .skip(offset)
                    .take(PAGE_SIZE as usize)
                    .collect();
                (addrs(page), counts)
            }
            SearchSort::PriceAsc | SearchSort::PriceDesc | SearchSort::Newest => {
                let (field, order) = match sort {
                    SearchSort::PriceAsc => (fast::PRICE, Order::Asc),
                    SearchSort::PriceDesc => (fast::PRICE, Order::Desc),
                    _ => (fast::CREATED, Order::Desc),
                };
                let (hits, counts) = searcher.search(
                    matching,
                    &(top.order_by_fast_field::<u64>(field, order), facets),
                )?;
                (addrs(hits), counts)
            }
        })
    }

    pub fn search(&self, p: &SearchParams, ctx: &Context) -> tantivy::Result<SearchResults> {
        let searcher = self.reader.searcher();
        let f = &self.fields;
        let mut an = Analyzers::default();
        let mut analysed = self.analyse(&searcher, &p.q, ctx, &mut an, true);
        // A submitted search means its last word as typed when the catalog has it (its
        // stem already matches plurals): prefixes are for suggestions, and for a last
        // word that matches nothing on its own.
        for unit in analysed.units.iter_mut().filter(|u| u.known || u.compound) {
            unit.prefix = false;
        }
        let filters = query::filters(f, p);
        let sampling = Sampling::Budget {
            docs: FACET_SAMPLE,
            of: searcher
                .segment_readers()
                .iter()
                .map(|s| u64::from(s.max_doc()))
                .sum(),
        };
        let offset = ((p.page.max(1) - 1) * PAGE_SIZE) as usize;
        let boosts = Boosts {
            behaviour: ctx.behaviour.of(&p.q),
            personal: ctx.personal.as_deref(),
        };

        let run = |missing: usize| -> tantivy::Result<_> {
            let matching = query::text_query(f, &analysed, missing, Mode::Match);
            let scoring = query::text_query(f, &analysed, missing, Mode::Score);
            let found = self.top_and_counts(
                &searcher,
                query::combine(matching.as_ref(), &filters, None, &self.tables).as_ref(),
                query::combine(scoring.as_ref(), &filters, None, &self.tables).as_ref(),
                Plan {
                    sort: p.sort,
                    offset,
                    sampling,
                    prunable: query::prunable(&analysed, &filters),
                },
                boosts,
            )?;
            Ok((matching, found))
        };
        // Few products match every word: allow one word missing, then two, then all
        // but the product type (or any one word when the query names none). Products
        // with every word still come first: each word adds to the score.
        let (mut text, (mut addrs, mut counts)) = run(0)?;
        let present = analysed.units.iter().filter(|u| !u.absent).count();
        let typed: usize = analysed.units.iter().map(|u| u.words.len()).sum();
        let few = if typed > 1 { RELAX_BELOW } else { 1 };
        let (mut missing, mut relaxed) = (0, false);
        while counts.total < few && missing + 1 < present {
            missing = if missing >= 2 {
                present - 1
            } else {
                missing + 1
            };
            let wider = run(missing)?;
            if wider.1.1.total > counts.total {
                (text, (addrs, counts)) = wider;
                relaxed = true;
            }
        }
        if std::env::var_os("SEARCH_DEBUG_DUMP").is_some() {
            eprintln!(
                "{analysed:#?} present={present} missing={missing} total={}",
                counts.total
            );
        }

        // A facet's values are counted without its own filter, so choosing one brand
        // still shows the others (with how many results each would add).
        let mut own: Vec<(query::Dim, Counts)> = Vec::new();
        for filter in filters.iter().filter(|f| query::is_disjunctive(f.dim)) {
            let q = query::combine(text.as_ref(), &filters, Some(filter.dim), &self.tables);
            let dims = query::dims_of(filter.dim);
            own.push((
                filter.dim,
                searcher.search(
                    q.as_ref(),
                    &FacetCollector {
                        dims,
                        sampling,
                        tables: self.tables.clone(),
                    },
                )?,
            ));
        }

        let mut marker = Marker::new(&analysed, &mut an);
        let mut hits = Vec::with_capacity(addrs.len());
        for addr in addrs {
            let stored = self.stored(&searcher, addr)?;
            let title_marks = marker.mark(&stored.card.title, &mut an);
            hits.push(SearchHit {
                card: stored.card.clone(),
                skus: stored.skus.clone(),
                title_marks,
            });
        }
        let currency = hits
            .first()
            .map(|h| h.card.price_from.currency())
            .unwrap_or(ctx.currency);
        let mut facets = facets(p, &counts, &own, &filters, &ctx.labels, currency);
        facets.exact = counts.exact && own.iter().all(|(_, c)| c.exact);
        let did_you_mean = self.did_you_mean(&searcher, &analysed)?;
        let pages = counts
            .total
            .div_ceil(u64::from(PAGE_SIZE))
            .min(u64::from(u32::MAX)) as u32;
        Ok(SearchResults {
            params: p.clone(),
            hits,
            total: counts.total,
            pages,
            facets,
            did_you_mean,
            relaxed,
            ignored: analysed.absent_words(),
        })
    }

    /// Products, categories and brands for a half-typed query.
    pub fn suggest(
        &self,
        q: &str,
        ctx: &Context,
        limit: usize,
    ) -> tantivy::Result<Vec<Suggestion>> {
        let searcher = self.reader.searcher();
        let mut an = Analyzers::default();
        let analysed = self.analyse(&searcher, q, ctx, &mut an, !q.ends_with(' '));
        if analysed.is_empty() {
            return Ok(Vec::new());
        }
        let words: Vec<&str> = analysed
            .units
            .iter()
            .flat_map(|u| u.words.iter().map(String::as_str))
            .collect();
        let mut out = Vec::new();
        out.extend(
            label_matches(&ctx.labels.brands, &words, 3)
                .into_iter()
                .map(|(slug, name)| Suggestion {
                    kind: SuggestionKind::Brand,
                    label: name.to_owned(),
                    href: SearchParams {
                        brands: vec![slug.to_owned()],
                        page: 1,
                        ..Default::default()
                    }
                    .href(),
                    detail: None,
                }),
        );
        out.extend(
            label_matches(&ctx.labels.categories, &words, 3)
                .into_iter()
                .map(|(path, name)| Suggestion {
                    kind: SuggestionKind::Category,
                    label: name.to_owned(),
                    href: format!("/c/{path}"),
                    detail: path
                        .rsplit_once('/')
                        .map(|(parent, _)| ctx.labels.category_names(parent).join(" › ")),
                }),
        );
        let text = query::text_query(&self.fields, &analysed, 0, Mode::Score);
        // The same boosts as a search: the best text matches re-ranked by stock and sales.
        let mut best = searcher.search(
            text.as_ref(),
            &TopDocs::with_limit(limit.max(1).max(RERANK_WINDOW)),
        )?;
        rerank(&searcher, &self.tables, &mut best, Boosts::default())?;
        for (_, addr) in best.into_iter().take(limit) {
            let stored = self.stored(&searcher, addr)?;
            out.push(Suggestion {
                kind: SuggestionKind::Product,
                detail: Some(stored.card.price_from.to_string()),
                href: stored.card.href(),
                label: stored.card.title.clone(),
            });
        }
        Ok(out)
    }
}

/// A search of several words that finds fewer products with every word is widened
/// (see `search`).
pub const RELAX_BELOW: u64 = 10;

/// Labels whose words start with the query's words, shortest first.
fn label_matches<'a>(
    labels: &'a HashMap<String, String>,
    words: &[&str],
    limit: usize,
) -> Vec<(&'a str, &'a str)> {
    let mut plain = schema::plain_analyzer();
    let mut found: Vec<(&str, &str)> = labels
        .iter()
        .filter(|(_, name)| {
            let name_words = schema::tokens(&mut plain, name);
            words
                .iter()
                .all(|w| name_words.iter().any(|n| n.starts_with(w)))
        })
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    found.sort_by(|a, b| a.1.len().cmp(&b.1.len()).then(a.0.cmp(b.0)));
    found.truncate(limit);
    found
}
