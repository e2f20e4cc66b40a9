//! Customers in the merchant's admin (permission `customers`): found by e-mail address or
//! name, each with their orders, addresses and what they have spent; disabled (their
//! sessions end at once), their data exported as JSON, or erased on request (personal
//! data removed or anonymised, orders kept for the books).

pub mod api;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod ssr;
