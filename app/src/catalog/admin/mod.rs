//! The catalog in the merchant's admin (permission `products`): the product list with
//! search, filters, sorts and keyset pages at any size; creating and editing a product
//! with its options, variants, prices, category, brand, SEO fields and status; revisions
//! compared field by field and rolled back (a rollback is a new revision, audited, that
//! reaches the storefront and search through the outbox like any edit).

pub mod api;
pub mod images;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod ssr;
