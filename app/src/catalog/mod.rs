//! The catalog: products, variants, categories, brands, attributes and images.

pub mod api;
pub mod ids;
#[cfg(feature = "ssr")]
pub mod jsonld;
pub mod model;
pub mod money;
#[cfg(feature = "ssr")]
pub mod ssr;
