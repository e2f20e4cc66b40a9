//! Checkout server functions. The checkout page is a plain HTML form: "Update totals"
//! posts to `update_checkout`, "Place order" to `place_order`; both come back to a page
//! (the checkout with what was typed, or the order), so it all works without JavaScript.
//! Each takes the form as one struct, checks it into a command, calls one service, and
//! answers through the form adapter (`ssr/form.rs`).

use super::model::{CheckoutError, CheckoutForm, CheckoutView, Placed};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
fn checkout() -> Result<super::ssr::Checkout, CheckoutError> {
    crate::context::dep().ok_or(CheckoutError::Unavailable)
}

/// Who is asking (their session, cart and e-mail), looked up once per request.
#[cfg(feature = "ssr")]
async fn visitor() -> Result<Option<crate::session::Visitor>, CheckoutError> {
    let sessions: crate::session::Sessions =
        crate::context::dep().ok_or(CheckoutError::Unavailable)?;
    crate::session::visitor(&sessions).await.map_err(|e| {
        tracing::error!(error = %e, "the visitor could not be looked up");
        CheckoutError::Unavailable
    })
}

/// The checkout page's content: the cart priced for what the shopper has typed so far.
#[server(endpoint = "checkout/view")]
pub async fn get_checkout() -> Result<CheckoutView, CheckoutError> {
    let co = checkout()?;
    let visitor = visitor().await?;
    super::ssr::view::view(&co, visitor.as_ref(), super::ssr::form::read_draft()).await
}

/// "Update totals": remembers what was typed and shows the checkout priced for it.
#[server(endpoint = "checkout/update")]
pub async fn update_checkout(#[server(flatten)] form: CheckoutForm) -> Result<(), CheckoutError> {
    super::ssr::form::after_update(&form.into());
    Ok(())
}

/// Places the cart as an order. `idempotency_key` comes from the checkout form (one per
/// form): the same key always means the same order and at most one charge.
#[server(endpoint = "checkout/place")]
pub async fn place_order(
    #[server(flatten)] form: CheckoutForm,
    #[server(default)] idempotency_key: String,
    #[server(default)] card_number: String,
) -> Result<Placed, CheckoutError> {
    let result = async {
        let mut order = super::ssr::Placement::parse(&form, &idempotency_key, &card_number)?;
        order.client = crate::context::client_ip();
        let co = checkout()?;
        let visitor = visitor().await?;
        let placed = super::ssr::place(&co, visitor.as_ref(), order).await?;
        crate::search::ssr::signals::after_order(&co.pool, &placed.number);
        Ok(placed)
    }
    .await;
    let draft = super::model::Draft::from(form).with_key(&idempotency_key);
    super::ssr::form::after_placing(&result, draft);
    result
}
