//! Orders: the status machine (the same transitions the database enforces), and on the
//! server the transitions with their actor and reason.

pub mod model;
#[cfg(feature = "ssr")]
pub mod ssr;
