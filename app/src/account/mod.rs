//! Accounts and sessions: sign-up, sign-in and sign-out, passwords, roles, and the
//! server-side sessions that also carry a guest's cart.

pub mod addresses;
pub mod api;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod ssr;
