//! The search engine, on the server only: an embedded tantivy index kept current from
//! the outbox (see `service`).

mod analyse;
pub mod checked;
pub mod engine;
pub mod facet_lists;
pub mod facets;
pub mod kind;
mod marker;
pub mod query;
pub mod rank;
pub mod relevance;
pub mod schema;
pub mod service;
pub mod signals;
pub mod source;
pub mod table;
pub mod text;
pub mod words;

pub use service::{RebuildReport, SearchError, SearchService};
