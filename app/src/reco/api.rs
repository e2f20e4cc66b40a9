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
