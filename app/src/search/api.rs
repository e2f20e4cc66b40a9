//! Search server functions for the page and the header's autocomplete.

use super::model::{SearchResults, Suggestion};
use crate::catalog::model::CatalogError;
use leptos::prelude::*;

/// Suggestions shown as the shopper types, at most this many products.
pub const SUGGESTED_PRODUCTS: usize = 6;

#[cfg(feature = "ssr")]
fn service() -> Result<std::sync::Arc<super::ssr::SearchService>, CatalogError> {
    crate::context::dep().ok_or(CatalogError::Unavailable)
}

/// One page of results for a query string as it appears in the URL (`q=...&brand=...`).
#[server(endpoint = "search/products")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all, fields(search.query = %query)))]
pub async fn search_products(query: String) -> Result<SearchResults, CatalogError> {
    let result = async {
        let params = super::params::SearchParams::from_query(&query)?;
        let service = service()?;
        // A signed-in customer's brands and categories rank a little higher.
        let customer = match crate::context::dep::<crate::session::Sessions>() {
            Some(sessions) => crate::session::visitor(&sessions)
                .await
                .ok()
                .flatten()
                .and_then(|v| v.session.user_id),
            None => None,
        };
        match (
            customer,
            crate::context::dep::<crate::catalog::ssr::Catalog>(),
        ) {
            (Some(id), Some(catalog)) => {
                service.search_for(params, Some((id, &catalog.pool))).await
            }
            _ => service.search(params).await,
        }
    }
    .await;
    crate::flash::error_status(&result);
    result
}

/// Products, categories and brands matching a half-typed query.
#[server(endpoint = "search/suggest")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn suggest(q: String) -> Result<Vec<Suggestion>, CatalogError> {
    let result = async {
        if q.chars().count() > super::params::MAX_QUERY_CHARS {
            return Err(CatalogError::InvalidInput(format!(
                "the search is too long: at most {} characters",
                super::params::MAX_QUERY_CHARS
            )));
        }
        service()?.suggest(q, SUGGESTED_PRODUCTS).await
    }
    .await;
    crate::flash::error_status(&result);
    result
}
