//! Checkout server functions.
// The checkout form has this many fields; the browser's stub inherits the lint.
#![allow(clippy::too_many_arguments)]

use super::model::{CheckoutError, Placed};
use leptos::prelude::*;

/// Places the cart as an order. `idempotency_key` comes from the checkout form (one per
/// form): the same key always means the same order and at most one charge.
#[server(endpoint = "checkout/place")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn place_order(
    #[server(default)] idempotency_key: String,
    #[server(default)] email: String,
    #[server(default)] full_name: String,
    #[server(default)] line1: String,
    #[server(default)] line2: String,
    #[server(default)] city: String,
    #[server(default)] region: String,
    #[server(default)] postal_code: String,
    #[server(default)] country: String,
    #[server(default)] card_number: String,
) -> Result<Placed, CheckoutError> {
    let state = crate::state::app_state().ok_or(CheckoutError::Unavailable)?;
    let result = async {
        let address = crate::account::addresses::validate(
            &full_name,
            &line1,
            &line2,
            &city,
            &region,
            &postal_code,
            &country,
            "",
        )
        .map_err(|e| CheckoutError::InvalidInput(e.to_string()))?;
        super::ssr::place(
            &state,
            super::ssr::PlaceOrder {
                idempotency_key,
                email,
                address,
                card_number,
            },
        )
        .await
    }
    .await;
    crate::flash::error_status(&result);
    result
}
