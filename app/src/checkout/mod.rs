//! Checkout: placing an order from the cart, idempotently (one order and one charge per
//! checkout form, whatever is clicked twice or retried), holding stock, taking payment
//! through the provider, and settling orders a crash or an outage left unfinished.

pub mod api;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod ssr;
