//! Recommendations: models learned from the shop's order history (`engine`, pure), what
//! they learn kept in tables that one indexed query reads (`ssr`), and the lists shoppers
//! see (`components`), also served as JSON (`api`).

pub mod api;
pub mod components;
#[cfg(feature = "ssr")]
pub use reco_engine as engine;
pub mod model;
#[cfg(feature = "ssr")]
pub mod ssr;
