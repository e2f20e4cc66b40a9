//! Search: the URL form of a search, results and suggestions, the server functions, and
//! (server only) the tantivy read model behind them.

pub mod api;
pub mod model;
pub mod params;
#[cfg(feature = "ssr")]
pub mod ssr;
