//! The recommendation server function: the lists for a place, for the asking visitor.
//! Also the headless JSON API, `GET /api/v1/recommendations?place=...&key=...`.

use super::model::{RecoError, Shelf};
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

/// Lists for `place`: `product` (`key`: its slug; the view is remembered with the
/// session), `sku` (`key`: one or more SKUs, comma-separated), `cart`, `home` (picked
/// for a signed-in customer, else trending; and what the session viewed), or `customer`
/// (the signed-in customer's picks). Recommendations never fail a page: a database that
/// does not answer gives no lists.
#[server(prefix = "/api/v1", endpoint = "recommendations", input = GetUrl)]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all, fields(reco.place = %place)))]
pub async fn get_recommendations(
    #[server(default)] place: String,
    #[server(default)] key: String,
) -> Result<Vec<Shelf>, RecoError> {
    let result = super::ssr::lists::for_place(&place, &key).await;
    crate::flash::error_status(&result);
    result
}

/// A product page was seen in a browser (its buy box asks once it runs). A guest without
/// a session gets one here, so what they view is kept with it on the server (their
/// recently viewed list) and their next pages are drawn for them; a visitor with a
/// session had the view recorded with the page itself, so nothing more is done.
#[server(endpoint = "reco/seen")]
pub async fn product_seen(#[server(default)] slug: String) -> Result<(), RecoError> {
    let result = super::ssr::lists::seen(&slug).await;
    crate::flash::error_status(&result);
    result
}
