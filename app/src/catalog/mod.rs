//! The catalog: products, variants, categories, brands, attributes and images.

pub mod admin;
pub mod api;
pub mod ids;
#[cfg(feature = "ssr")]
pub mod jsonld;
pub mod model;
#[cfg(feature = "ssr")]
pub mod ssr;
