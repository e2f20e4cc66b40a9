//! Cart server functions. Quantities arrive as text (as typed into a form) and are parsed
//! on the server, so every bad value gets its own clear message.

use super::model::{Cart, CartError, HeaderInfo};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
fn state() -> Result<crate::state::AppState, CartError> {
    crate::state::app_state().ok_or(CartError::Unavailable)
}

#[server(endpoint = "cart")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn get_cart() -> Result<Cart, CartError> {
    super::ssr::view(&state()?).await
}

#[server(endpoint = "header")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn get_header_info() -> Result<HeaderInfo, CartError> {
    super::ssr::header_info(&state()?).await
}

#[server(endpoint = "cart/add")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all, fields(sku = %sku)))]
pub async fn add_to_cart(
    #[server(default)] sku: String,
    #[server(default)] quantity: String,
) -> Result<Cart, CartError> {
    let result = super::ssr::add(&state()?, &sku, &quantity).await;
    crate::flash::after_form(&result, "Added to your cart.", None);
    result
}

#[server(endpoint = "cart/update")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all, fields(sku = %sku)))]
pub async fn update_cart_line(
    #[server(default)] sku: String,
    #[server(default)] quantity: String,
) -> Result<Cart, CartError> {
    let result = super::ssr::set_quantity(&state()?, &sku, &quantity).await;
    crate::flash::after_form(&result, "Quantity updated.", None);
    result
}

#[server(endpoint = "cart/remove")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all, fields(sku = %sku)))]
pub async fn remove_cart_line(#[server(default)] sku: String) -> Result<Cart, CartError> {
    let result = super::ssr::remove(&state()?, &sku).await;
    crate::flash::after_form(&result, "Removed from your cart.", None);
    result
}
