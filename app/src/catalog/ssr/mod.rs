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

/// Logs a database error with its cause chain once, and hands the caller a safe error.
pub(crate) fn unavailable(err: sqlx::Error) -> super::model::CatalogError {
    tracing::error!(error = %err, error.debug = ?err, "catalog query failed");
    super::model::CatalogError::Unavailable
}
