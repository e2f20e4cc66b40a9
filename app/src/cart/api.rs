//! Cart server functions. Quantities arrive as text (as typed into a form) and are parsed
//! on the server, so every bad value gets its own clear message.

use super::model::{Cart, CartError, HeaderInfo};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
fn carts() -> Result<super::ssr::Carts, CartError> {
    crate::context::dep().ok_or(CartError::Unavailable)
}

#[server(endpoint = "cart")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn get_cart() -> Result<Cart, CartError> {
    super::ssr::view(&carts()?).await
}

#[server(endpoint = "header")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn get_header_info() -> Result<HeaderInfo, CartError> {
    super::ssr::header_info(&carts()?).await
}

#[server(endpoint = "cart/add")]
pub async fn add_to_cart(
    #[server(default)] sku: String,
    #[server(default)] quantity: String,
) -> Result<Cart, CartError> {
    let result = async {
        let carts = carts()?;
        let cart = super::ssr::add(&carts, &sku, &quantity).await?;
        crate::search::ssr::signals::after_cart_add(&carts.pool, &sku);
        Ok(cart)
    }
    .await;
    crate::flash::reply(&result, "Added to your cart.", None);
    result
}

#[server(endpoint = "cart/update")]
pub async fn update_cart_line(
    #[server(default)] sku: String,
    #[server(default)] quantity: String,
) -> Result<Cart, CartError> {
    let result = super::ssr::set_quantity(&carts()?, &sku, &quantity).await;
    crate::flash::reply(&result, "Quantity updated.", None);
    result
}

#[server(endpoint = "cart/remove")]
pub async fn remove_cart_line(#[server(default)] sku: String) -> Result<Cart, CartError> {
    let result = super::ssr::remove(&carts()?, &sku).await;
    crate::flash::reply(&result, "Removed from your cart.", None);
    result
}
