//! The search engine, on the server only: an embedded tantivy index kept current from
//! the outbox (see `service`).

pub mod checked;
pub mod engine;
pub mod facets;
pub mod kind;
pub mod query;
pub mod relevance;
pub mod schema;
pub mod service;
pub mod signals;
pub mod source;
pub mod table;
pub mod text;
pub mod words;

pub use service::{RebuildReport, SearchError, SearchService};
