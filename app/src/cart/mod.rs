//! The persistent cart: guests' carts bound to their session cookie, customers' carts
//! bound to their account, merged at sign-in, priced and checked against stock on the
//! server.

pub mod api;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod ssr;
