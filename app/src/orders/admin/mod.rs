//! Orders in the merchant's admin (permission `orders`): the list with filters and search
//! by number or e-mail (keyset pages, newest first), an order's detail with its payments,
//! refunds and timeline with who did what, and the export as CSV.

pub mod api;
pub mod model;
pub mod operations;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod ssr;
