//! The baseline: plain BM25 with English stemming over every text of a product (title,
//! brand, category, attributes, description) in one field, any query word matching,
//! as a search library gives it with no tuning.

use super::Ranker;
use crate::search::ssr::source::{Labels, ProductDoc};
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, STORED, Schema, TextFieldIndexing, TextOptions, Value};
use tantivy::tokenizer::{
    Language, LowerCaser, SimpleTokenizer, Stemmer, TextAnalyzer, TokenStream,
};
use tantivy::{Index, IndexReader, IndexWriter, TantivyDocument, Term};

const ANALYZER: &str = "bm25_en";

pub struct Baseline {
    reader: IndexReader,
    text: tantivy::schema::Field,
    skus: tantivy::schema::Field,
}

fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(LowerCaser)
        .filter(Stemmer::new(Language::English))
        .build()
}

impl Baseline {
    pub fn build(docs: &[ProductDoc], labels: &Labels) -> tantivy::Result<Self> {
        let mut b = Schema::builder();
        let text = b.add_text_field(
            "text",
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(ANALYZER)
                    .set_index_option(IndexRecordOption::WithFreqs),
            ),
        );
        let skus = b.add_text_field("skus", STORED);
        let index = Index::create_in_ram(b.build());
        index.tokenizers().register(ANALYZER, analyzer());
        let mut writer: IndexWriter = index.writer_with_num_threads(1, 50_000_000)?;
        for p in docs {
            let mut doc = TantivyDocument::default();
            doc.add_text(text, &p.title);
            if let Some(brand) = &p.brand_name {
                doc.add_text(text, brand);
            }
            if let Some(path) = &p.category_path {
                doc.add_text(text, labels.category_names(path).join(" "));
            }
            for (_, value) in &p.attributes {
                doc.add_text(text, value);
            }
            doc.add_text(text, &p.description);
            doc.add_text(skus, p.skus.join(" "));
            writer.add_document(doc)?;
        }
        writer.commit()?;
        Ok(Baseline {
            reader: index.reader()?,
            text,
            skus,
        })
    }
}

impl Ranker for Baseline {
    fn rank(&self, query: &str) -> Vec<Vec<String>> {
        let mut an = analyzer();
        let mut stream = an.token_stream(query);
        let mut terms: Vec<Box<dyn Query>> = Vec::new();
        while stream.advance() {
            terms.push(Box::new(TermQuery::new(
                Term::from_field_text(self.text, &stream.token().text),
                IndexRecordOption::WithFreqs,
            )));
        }
        let q = BooleanQuery::new(terms.into_iter().map(|t| (Occur::Should, t)).collect());
        let searcher = self.reader.searcher();
        let Ok(top) = searcher.search(&q, &TopDocs::with_limit(super::DEPTH)) else {
            return Vec::new();
        };
        top.into_iter()
            .filter_map(|(_, addr)| searcher.doc::<TantivyDocument>(addr).ok())
            .map(|d| {
                d.get_first(self.skus)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .split(' ')
                    .map(str::to_owned)
                    .collect()
            })
            .collect()
    }
}
