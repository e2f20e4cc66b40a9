//! Order server functions: one order for whoever may see it, and a customer's history.

use super::model::{OrderError, OrderSummary, OrderView};
use leptos::prelude::*;

/// An order by its number, for the customer who placed it, the browser session that
/// placed it, or anyone who gives the e-mail address it was placed with (guest look-up).
#[server(endpoint = "orders/get")]
pub async fn get_order(
    #[server(default)] number: String,
    #[server(default)] email: String,
) -> Result<OrderView, OrderError> {
    let state = crate::state::app_state().ok_or(OrderError::Unavailable)?;
    let result = super::ssr::visible_order(&state, &number, &email).await;
    crate::flash::error_status(&result);
    result
}

/// The signed-in customer's orders, newest first.
#[server(endpoint = "orders/mine")]
pub async fn my_orders() -> Result<Vec<OrderSummary>, OrderError> {
    let state = crate::state::app_state().ok_or(OrderError::Unavailable)?;
    let result = super::ssr::orders_of_visitor(&state).await;
    crate::flash::error_status(&result);
    result
}
