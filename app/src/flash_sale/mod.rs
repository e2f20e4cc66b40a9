//! Flash sales: a variant sold at a sale price from an allocation taken out of normal
//! sale, through one fair queue in PostgreSQL (see `ssr` for how a sale runs).

pub mod admin;
pub mod api;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod ssr;
