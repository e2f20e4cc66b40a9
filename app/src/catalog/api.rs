//! Catalog server functions: parse, take the catalog's dependencies from context, call
//! one service, map the error.

use super::model::{CatalogError, CategoryLink, CategoryPage, HomePage, ProductDetail};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
fn catalog() -> Result<super::ssr::Catalog, CatalogError> {
    crate::context::dep().ok_or(CatalogError::Unavailable)
}

/// Top-level categories for the header.
#[server]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn get_nav() -> Result<Vec<CategoryLink>, CatalogError> {
    let result = async { super::ssr::nav_categories(&catalog()?).await }.await;
    crate::flash::error_status(&result);
    result
}

#[server]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn get_home() -> Result<HomePage, CatalogError> {
    let result = async { super::ssr::home_page(&catalog()?).await }.await;
    crate::flash::error_status(&result);
    result
}

/// One page of a category. `sort` and `after` come straight from the URL, so both are
/// parsed here and rejected with a clear message when malformed.
#[server]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all, fields(category.path = %path)))]
pub async fn get_category(
    path: String,
    sort: Option<String>,
    after: Option<String>,
) -> Result<CategoryPage, CatalogError> {
    use super::model::{ListingCursor, ListingSort};
    let sort = match sort.as_deref() {
        None | Some("") => ListingSort::default(),
        Some(s) => ListingSort::parse(s)?,
    };
    let after = match after.as_deref() {
        None | Some("") => None,
        Some(a) => Some(ListingCursor::decode(a)?),
    };
    let result =
        async { super::ssr::category_page(&catalog()?, path.trim_matches('/'), sort, after).await }
            .await;
    crate::flash::error_status(&result);
    result
}

#[server]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all, fields(product.slug = %slug)))]
pub async fn get_product(slug: String) -> Result<ProductDetail, CatalogError> {
    let result = async {
        let catalog = catalog()?;
        let detail = super::ssr::product_detail(&catalog, &slug).await?;
        crate::search::ssr::signals::after_product_view(&catalog.pool, detail.id);
        Ok(detail)
    }
    .await;
    crate::flash::error_status(&result);
    result
}
