//! Checkout server functions. The checkout page is a plain HTML form: "Update totals"
//! posts to `update_checkout`, "Place order" to `place_order`; both come back to a page
//! (the checkout with what was typed, or the order), so it all works without JavaScript.
// The checkout form has this many fields; the browser's stub inherits the lint.
#![allow(clippy::too_many_arguments)]

use super::model::{CheckoutError, CheckoutView, Placed};
use leptos::prelude::*;

/// The checkout page's content: the cart priced for what the shopper has typed so far.
#[server(endpoint = "checkout/view")]
pub async fn get_checkout() -> Result<CheckoutView, CheckoutError> {
    let state = crate::state::app_state().ok_or(CheckoutError::Unavailable)?;
    super::ssr::view(&state).await
}

/// "Update totals": remembers what was typed and shows the checkout priced for it.
#[server(endpoint = "checkout/update")]
pub async fn update_checkout(
    #[server(default)] email: String,
    #[server(default)] address_id: String,
    #[server(default)] full_name: String,
    #[server(default)] line1: String,
    #[server(default)] line2: String,
    #[server(default)] city: String,
    #[server(default)] region: String,
    #[server(default)] postal_code: String,
    #[server(default)] country: String,
    #[server(default)] shipping_method: String,
    #[server(default)] discount_code: String,
) -> Result<(), CheckoutError> {
    let draft = super::model::Draft::from_form(
        email,
        address_id,
        full_name,
        line1,
        line2,
        city,
        region,
        postal_code,
        country,
        shipping_method,
        discount_code,
    );
    super::ssr::keep_draft(&draft);
    if crate::flash::is_plain_form_post() {
        leptos_axum::redirect("/checkout");
    }
    Ok(())
}

/// Places the cart as an order. `idempotency_key` comes from the checkout form (one per
/// form): the same key always means the same order and at most one charge.
#[server(endpoint = "checkout/place")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn place_order(
    #[server(default)] idempotency_key: String,
    #[server(default)] email: String,
    #[server(default)] address_id: String,
    #[server(default)] full_name: String,
    #[server(default)] line1: String,
    #[server(default)] line2: String,
    #[server(default)] city: String,
    #[server(default)] region: String,
    #[server(default)] postal_code: String,
    #[server(default)] country: String,
    #[server(default)] shipping_method: String,
    #[server(default)] discount_code: String,
    #[server(default)] card_number: String,
) -> Result<Placed, CheckoutError> {
    let state = crate::state::app_state().ok_or(CheckoutError::Unavailable)?;
    let draft = super::model::Draft::from_form(
        email,
        address_id,
        full_name,
        line1,
        line2,
        city,
        region,
        postal_code,
        country,
        shipping_method,
        discount_code,
    )
    .with_key(&idempotency_key);
    let result = super::ssr::place_from_form(&state, &draft, idempotency_key, card_number).await;
    super::ssr::after_placing(&result, draft);
    result
}
