//! Discount codes: their rules (percentage or fixed amount, a validity window, a minimum
//! spend, limits in total and per customer), what a code takes off an order, and on the
//! server the lookups, the per-customer count, the redemption that checkout makes in the
//! order's own transaction, and the creation of codes.

pub mod admin;
pub mod model;
#[cfg(feature = "ssr")]
pub mod ssr;
