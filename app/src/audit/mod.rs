//! The audit log: who changed what, when, from where, with the values before and after.
//! Every admin action writes its entry in the same transaction as its change, and the
//! database refuses to update or delete entries (`audit_log_append_only`).

pub mod api;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod ssr;

#[cfg(feature = "ssr")]
pub use ssr::{Actor, Change, record, record_and_commit};
