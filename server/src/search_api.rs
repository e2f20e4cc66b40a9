//! The search JSON API for headless clients: `GET /api/v1/search` and
//! `GET /api/v1/suggest`. Parameters are the storefront's (`SearchParams`), so a
//! storefront URL's query string works here unchanged. Documented in the README.

use app::catalog::model::CatalogError;
use app::search::model::{Facets, SearchResults, Suggestion};
use app::search::params::{MAX_QUERY_CHARS, PAGE_SIZE, SearchParams};
use app::state::AppState;
use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

#[derive(Serialize)]
struct Price {
    /// Decimal string in major units, e.g. "12.99".
    amount: String,
    minor: i64,
    currency: String,
}

#[derive(Serialize)]
struct Product {
    id: i64,
    slug: String,
    url: String,
    title: String,
    brand: Option<String>,
    skus: Vec<String>,
    price: Price,
    /// Variants differ in price; `price` is the lowest.
    price_is_from: bool,
    in_stock: bool,
}

#[derive(Serialize)]
struct SearchBody {
    total: u64,
    page: u32,
    pages: u32,
    page_size: u32,
    did_you_mean: Option<String>,
    relaxed: bool,
    /// Words nothing in the shop has, left out of the search.
    ignored: Vec<String>,
    products: Vec<Product>,
    facets: Facets,
}

#[derive(Serialize)]
struct ErrorBody {
    error: String,
}

fn error(e: CatalogError) -> Response {
    let status = StatusCode::from_u16(app::api_error::HttpStatus::http_status(&e))
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        status,
        Json(ErrorBody {
            error: e.to_string(),
        }),
    )
        .into_response()
}

fn body(r: SearchResults) -> SearchBody {
    SearchBody {
        total: r.total,
        page: r.params.page,
        pages: r.pages,
        page_size: PAGE_SIZE,
        did_you_mean: r.did_you_mean,
        relaxed: r.relaxed,
        ignored: r.ignored,
        products: r
            .hits
            .into_iter()
            .map(|h| Product {
                url: h.card.href(),
                id: h.card.id,
                slug: h.card.slug,
                title: h.card.title,
                brand: h.card.brand,
                skus: h.skus,
                price: Price {
                    amount: h.card.price_from.decimal_string(),
                    minor: h.card.price_from.minor(),
                    currency: h.card.price_from.currency().code().to_owned(),
                },
                price_is_from: h.card.has_price_range,
                in_stock: h.card.in_stock,
            })
            .collect(),
        facets: r.facets,
    }
}

/// `GET /api/v1/search?q=...&page=...&category=...&brand=...&price=...&in_stock=1&attr=code:value&sort=...`
pub async fn search(State(state): State<AppState>, RawQuery(query): RawQuery) -> Response {
    let params = match SearchParams::from_query(query.as_deref().unwrap_or("")) {
        Ok(p) => p,
        Err(e) => return error(e),
    };
    match state.search.search(params).await {
        Ok(results) => Json(body(results)).into_response(),
        Err(e) => error(e),
    }
}

#[derive(Serialize)]
struct SuggestBody {
    suggestions: Vec<Suggestion>,
}

/// `GET /api/v1/suggest?q=...`: products, categories and brands for a half-typed query.
pub async fn suggest(State(state): State<AppState>, RawQuery(query): RawQuery) -> Response {
    let pairs = app::url::parse_query(query.as_deref().unwrap_or(""));
    let mut q = None;
    for (k, v) in pairs {
        match k.as_str() {
            "q" if q.is_none() => q = Some(v),
            other => {
                return error(CatalogError::InvalidInput(format!(
                    "unknown or repeated parameter `{other}`; give only q"
                )));
            }
        }
    }
    let q = q.unwrap_or_default();
    if q.chars().count() > MAX_QUERY_CHARS {
        return error(CatalogError::InvalidInput(format!(
            "the search is too long: at most {MAX_QUERY_CHARS} characters"
        )));
    }
    match state
        .search
        .suggest(q, app::search::api::SUGGESTED_PRODUCTS)
        .await
    {
        Ok(suggestions) => Json(SuggestBody { suggestions }).into_response(),
        Err(e) => error(e),
    }
}
