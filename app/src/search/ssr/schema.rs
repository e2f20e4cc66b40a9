//! The index's schema, analyzers and documents.
//!
//! Text is indexed twice: stemmed English (`title`, `brand`, ...) for BM25 relevance, and
//! plain lowercase words of titles and brands (`names`) for typo tolerance, where stems
//! would distort edit distances. Word prefixes of titles and brands (`prefix`) make
//! autocomplete and the last word of a query a single term lookup. Filters and facets
//! read fast fields.

use super::source::{Cursor, Labels, ProductDoc, ancestor_paths};
use super::words::{ProductTokenizer, primary};
use crate::catalog::model::ProductCard;
use crate::money::{Currency, Money};
use serde::{Deserialize, Serialize};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RawTokenizer, RemoveLongFilter, Stemmer,
    TextAnalyzer, TokenStream,
};
use tantivy::{Index, TantivyDocument};

/// Bumped whenever the schema or the analyzers change: an index of another version is
/// rebuilt from PostgreSQL on start.
pub const SCHEMA_VERSION: u32 = 4;

pub const EN: &str = "mercato_en";
pub const PLAIN: &str = "mercato_plain";
pub const KEYWORD: &str = "mercato_keyword";

/// Prefixes shorter than this are not indexed (one letter matches everything).
pub const MIN_PREFIX: usize = 2;
pub const MAX_PREFIX: usize = 15;

#[derive(Debug, Clone, Copy)]
pub struct Fields {
    pub id: Field,
    pub title: Field,
    pub names: Field,
    pub brand: Field,
    /// Every word a shopper may search by: title, brand, category path, attribute values
    /// and description. Matching and counting read this one field.
    pub all: Field,
    pub sku: Field,
    pub prefix: Field,
    /// Adjacent title words written together ("book shelf" as `bookshelf`), stemmed, so
    /// a query that runs them together finds the title that splits them.
    pub joined: Field,
    /// What the product is: its title's head word and its category's name, stemmed
    /// (see `kind`). A query's head word found here ranks the product up.
    pub kind: Field,
    pub brand_slug: Field,
    pub category: Field,
    pub attr: Field,
    pub price: Field,
    pub in_stock: Field,
    pub popularity: Field,
    pub created: Field,
    pub card: Field,
}

/// Fast-field names read by collectors.
pub mod fast {
    pub const BRAND: &str = "brand_slug";
    pub const CATEGORY: &str = "category";
    pub const ATTR: &str = "attr";
    pub const PRICE: &str = "price";
    pub const IN_STOCK: &str = "in_stock";
    pub const POPULARITY: &str = "popularity";
    pub const CREATED: &str = "created";
}

fn text(tokenizer: &str, record: IndexRecordOption) -> TextOptions {
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(tokenizer)
            .set_index_option(record),
    )
}

pub fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let freqs = IndexRecordOption::WithFreqs;
    let basic = IndexRecordOption::Basic;
    let fields = Fields {
        id: b.add_u64_field("id", INDEXED | FAST | STORED),
        title: b.add_text_field("title", text(EN, freqs)),
        names: b.add_text_field("names", text(PLAIN, basic)),
        brand: b.add_text_field("brand", text(EN, freqs)),
        all: b.add_text_field("all", text(EN, freqs)),
        sku: b.add_text_field("sku", text(KEYWORD, basic)),
        prefix: b.add_text_field("prefix", text("raw", basic)),
        joined: b.add_text_field("joined", text(EN, freqs)),
        kind: b.add_text_field("kind", text(EN, freqs)),
        brand_slug: b.add_text_field(fast::BRAND, STRING | FAST),
        category: b.add_text_field(fast::CATEGORY, STRING | FAST),
        attr: b.add_text_field(fast::ATTR, STRING | FAST),
        price: b.add_u64_field(fast::PRICE, INDEXED | FAST),
        in_stock: b.add_u64_field(fast::IN_STOCK, INDEXED | FAST),
        popularity: b.add_u64_field(fast::POPULARITY, FAST),
        created: b.add_u64_field(fast::CREATED, FAST),
        card: b.add_text_field("card", STORED),
    };
    (b.build(), fields)
}

pub fn en_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(ProductTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(Stemmer::new(Language::English))
        .build()
}

pub fn plain_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(ProductTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// The analyzers every index of ours needs, registered on open and on create.
pub fn register_tokenizers(index: &Index) {
    let t = index.tokenizers();
    t.register(EN, en_analyzer());
    t.register(PLAIN, plain_analyzer());
    t.register(
        KEYWORD,
        TextAnalyzer::builder(RawTokenizer::default())
            .filter(LowerCaser)
            .build(),
    );
}

/// The tokens of `text` as an analyzer produces them.
pub fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while stream.advance() {
        out.push(stream.token().text.clone());
    }
    out
}

/// The first token of each position (a whole measure or code, not its parts), as a
/// query takes the shopper's words.
pub fn primary_tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while stream.advance() {
        out.push((stream.token().text.clone(), stream.token().position));
    }
    primary(out)
}

/// A SKU or part number without separators or case: `dw-735x` is `DW735X`.
pub fn compact_code(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The tokens of `text` with their byte offsets in it.
pub fn tokens_with_offsets(
    analyzer: &mut TextAnalyzer,
    text: &str,
) -> Vec<(String, std::ops::Range<usize>)> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while stream.advance() {
        let t = stream.token();
        out.push((t.text.clone(), t.offset_from..t.offset_to));
    }
    out
}

/// What a hit shows, stored in the index so results need no database round trip.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredCard {
    pub card: ProductCard,
    pub skus: Vec<String>,
}

/// The commit payload: which schema built this index and how far into the outbox it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Payload {
    pub schema: u32,
    pub cursor: Cursor,
}

impl Payload {
    pub fn encode(&self) -> String {
        format!("v{} {}", self.schema, self.cursor.encode())
    }

    pub fn decode(text: &str) -> Option<Self> {
        let (schema, cursor) = text.split_once(' ')?;
        Some(Payload {
            schema: schema.strip_prefix('v')?.parse().ok()?,
            cursor: Cursor::decode(cursor)?,
        })
    }
}

/// Reusable analyzers for building documents (analyzers need `&mut`).
pub struct DocBuilder {
    fields: Fields,
    plain: TextAnalyzer,
}

impl DocBuilder {
    pub fn new(fields: Fields) -> Self {
        DocBuilder {
            fields,
            plain: plain_analyzer(),
        }
    }

    pub fn build(&mut self, p: &ProductDoc, labels: &Labels) -> TantivyDocument {
        let f = self.fields;
        let mut doc = TantivyDocument::default();
        doc.add_u64(f.id, p.id as u64);
        doc.add_text(f.title, &p.title);
        doc.add_text(f.names, &p.title);
        doc.add_text(f.all, &p.title);
        doc.add_text(f.all, &p.description);
        let mut prefixes: Vec<String> = Vec::new();
        let mut add_prefixes = |plain: &mut TextAnalyzer, text: &str| {
            for word in tokens(plain, text) {
                let chars: Vec<(usize, char)> = word.char_indices().collect();
                for n in MIN_PREFIX..=chars.len().min(MAX_PREFIX) {
                    let end = chars.get(n).map_or(word.len(), |(i, _)| *i);
                    prefixes.push(word[..end].to_owned());
                }
            }
        };
        add_prefixes(&mut self.plain, &p.title);
        let title_words = primary_tokens(&mut self.plain, &p.title);
        let joined: Vec<String> = title_words
            .windows(2)
            .filter(|w| w.iter().all(|w| w.chars().all(char::is_alphabetic)))
            .map(|w| format!("{}{}", w[0], w[1]))
            .collect();
        doc.add_text(f.joined, joined.join(" "));
        if let Some(head) = super::kind::title_head(&mut self.plain, &p.title) {
            doc.add_text(f.kind, head);
        }
        if let (Some(slug), Some(name)) = (&p.brand_slug, &p.brand_name) {
            doc.add_text(f.brand, name);
            doc.add_text(f.all, name);
            doc.add_text(f.names, name);
            doc.add_text(f.brand_slug, slug);
            add_prefixes(&mut self.plain, name);
        }
        prefixes.sort_unstable();
        prefixes.dedup();
        for prefix in &prefixes {
            doc.add_text(f.prefix, prefix);
        }
        if let Some(path) = &p.category_path {
            for ancestor in ancestor_paths(path) {
                doc.add_text(f.category, ancestor);
            }
            let names = labels.category_names(path);
            if let Some(leaf) = names
                .last()
                .and_then(|n| super::kind::title_head(&mut self.plain, n))
            {
                doc.add_text(f.kind, leaf);
            }
            doc.add_text(f.all, names.join(" "));
        }
        for (code, value) in &p.attributes {
            doc.add_text(f.all, value);
            doc.add_text(f.attr, attr_term(code, value));
        }
        for sku in &p.skus {
            doc.add_text(f.sku, sku);
            let compact = compact_code(sku);
            if compact != sku.to_lowercase() {
                doc.add_text(f.sku, compact);
            }
        }
        doc.add_u64(f.price, p.min_price.max(0) as u64);
        doc.add_u64(f.in_stock, u64::from(p.in_stock));
        doc.add_u64(f.popularity, p.units_sold.max(0) as u64);
        doc.add_u64(f.created, p.created_at.timestamp().max(0) as u64);
        let currency = Currency::parse(&p.currency).unwrap_or_else(|_| {
            tracing::warn!(product.id = p.id, currency = %p.currency, "unknown currency");
            Currency::XXX
        });
        let stored = StoredCard {
            card: ProductCard {
                id: p.id,
                slug: p.slug.clone(),
                title: p.title.clone(),
                brand: p.brand_name.clone(),
                price_from: Money::from_minor(p.min_price, currency),
                has_price_range: p.max_price != p.min_price,
                in_stock: p.in_stock,
                image: p.image.clone(),
            },
            skus: p.skus.clone(),
        };
        doc.add_text(
            f.card,
            serde_json::to_string(&stored).expect("a card serialises"),
        );
        doc
    }
}

/// The fast-field term of an attribute value: `color=Navy`.
pub fn attr_term(code: &str, value: &str) -> String {
    format!("{code}={value}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_round_trips() {
        let p = Payload {
            schema: SCHEMA_VERSION,
            cursor: Cursor { txid: 9, id: 3 },
        };
        assert_eq!(Payload::decode(&p.encode()), Some(p));
        assert_eq!(Payload::decode("garbage"), None);
    }

    #[test]
    fn analyzers_stem_and_fold() {
        assert_eq!(
            tokens(&mut en_analyzer(), "Running Shoes, Café"),
            ["run", "shoe", "cafe"]
        );
        assert_eq!(
            tokens(&mut plain_analyzer(), "Running Shoes"),
            ["running", "shoes"]
        );
    }
}
