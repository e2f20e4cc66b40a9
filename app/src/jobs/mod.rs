//! Background jobs (imports, exports): queued in the database, claimed by one instance at
//! a time, their progress written as they go and shown on `/admin/jobs/:id`. The server
//! runs them (server/src/jobs.rs); this concept is the queue and what staff see of it.

pub mod api;
#[cfg(feature = "ssr")]
pub mod files;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod ssr;
