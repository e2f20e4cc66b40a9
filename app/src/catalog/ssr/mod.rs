//! Catalog services: database reads for pages, and writes for imports.

pub mod cache;
mod input;
mod read;
pub(crate) mod rows;
mod write;

pub use input::{AttributeInput, AttributeValueInput, ImageInput, ProductInput, VariantInput};
pub use read::{
    SitemapEntry, category_page, home_page, nav_categories, product_detail, sitemap_entries,
};
pub use write::{UpsertError, UpsertOutcome, WriteCache, set_actor, upsert_product};

use crate::site::Site;
use cache::CatalogCache;
use sqlx::PgPool;
use std::sync::Arc;

/// What the catalog's page reads work with: the read pool (a replica when there is one),
/// the cache the database keeps exact, and the site (canonical links, page size).
#[derive(Clone, Debug)]
pub struct Catalog {
    pub pool: PgPool,
    pub cache: Arc<CatalogCache>,
    pub site: Site,
}

/// Logs a database error with its cause chain once, and hands the caller a safe error.
pub(crate) fn unavailable(err: sqlx::Error) -> super::model::CatalogError {
    tracing::error!(error = %err, error.debug = ?err, "catalog query failed");
    super::model::CatalogError::Unavailable
}
