//! Flash sale server functions: the sale's page and a place's standing (also the JSON
//! API: `GET /api/flash/standing?id=…&token=…`), joining, buying what is held, the
//! waitlist, and the banner a product page shows.

use super::model::{FlashError, LiveUpdate, SaleBanner, SalePage};
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

#[cfg(feature = "ssr")]
fn sales() -> Result<super::ssr::FlashSales, FlashError> {
    crate::context::dep().ok_or(FlashError::Unavailable)
}

#[cfg(feature = "ssr")]
fn given(token: &str) -> Option<&str> {
    Some(token.trim()).filter(|t| !t.is_empty())
}

/// The sale and where the visitor stands in it. A token given must be the visitor's
/// own (this account, this session); without one, the signed-in account's entry.
#[server(endpoint = "flash/standing", input = GetUrl)]
pub async fn flash_standing(
    id: i64,
    #[server(default)] token: String,
) -> Result<SalePage, FlashError> {
    let result = super::ssr::shopper::page(&sales()?, id, given(&token)).await;
    crate::flash::error_status(&result);
    result
}

/// What the page's live region needs, and nothing else: the standing's kind and its
/// progress in words. The island asks this rather than `flash_standing`, so the
/// browser's WASM carries no sale, no date parser and no standing type.
#[server(endpoint = "flash/live", input = GetUrl)]
pub async fn flash_live(
    id: i64,
    #[server(default)] token: String,
) -> Result<LiveUpdate, FlashError> {
    let result = super::ssr::shopper::page(&sales()?, id, given(&token)).await;
    crate::flash::error_status(&result);
    result.map(|page| LiveUpdate {
        kind: page.standing.kind().to_owned(),
        progress: page.standing.progress(),
    })
}

/// Joins the queue for `quantity` units (one place per account).
#[server(endpoint = "flash/join")]
pub async fn join_flash_sale(
    id: i64,
    #[server(default)] quantity: String,
) -> Result<SalePage, FlashError> {
    let result = async {
        let from = use_context::<axum::http::request::Parts>().and_then(|p| {
            p.extensions
                .get::<crate::context::ClientAddr>()
                .map(|c| c.0)
        });
        super::ssr::shopper::join(&sales()?, id, &quantity, from).await
    }
    .await;
    crate::flash::reply(
        &result,
        "You are in the queue.",
        Some(&format!("/sale/{id}")),
    );
    result
}

/// Puts the units held for this shopper into the cart at the sale price.
#[server(endpoint = "flash/buy")]
pub async fn buy_flash_sale(id: i64, #[server(default)] token: String) -> Result<(), FlashError> {
    let result = super::ssr::shopper::buy(&sales()?, id, given(&token)).await;
    crate::flash::reply(
        &result,
        "Held at the sale price in your cart: check out before the hold ends.",
        Some("/checkout"),
    );
    result
}

/// Joins the waitlist after the units were gone.
#[server(endpoint = "flash/waitlist")]
pub async fn join_flash_waitlist(
    id: i64,
    #[server(default)] token: String,
) -> Result<SalePage, FlashError> {
    let result = super::ssr::shopper::waitlist(&sales()?, id, given(&token)).await;
    crate::flash::reply(
        &result,
        "You are on the waitlist: we will e-mail you if units come back.",
        Some(&format!("/sale/{id}")),
    );
    result
}

/// The sale a product's page announces: one of its variants' sales that has not ended
/// (the live one first, else the next).
#[server(endpoint = "flash/banner", input = GetUrl)]
pub async fn flash_banner(slug: String) -> Result<Option<SaleBanner>, FlashError> {
    let result = super::ssr::shopper::banner(&sales()?, &slug).await;
    crate::flash::error_status(&result);
    result
}
