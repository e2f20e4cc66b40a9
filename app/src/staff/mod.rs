//! Staff: accounts in permission groups, invited by e-mail, with two-step sign-in; the
//! permission check every admin server function starts with.

pub mod api;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod ssr;
#[cfg(feature = "ssr")]
pub mod totp;
