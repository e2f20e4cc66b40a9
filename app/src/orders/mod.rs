//! Orders: the status machine (the same transitions the database enforces), the pages a
//! customer reads (confirmation, history, detail with its timeline, guest look-up), and
//! on the server the transitions with their actor and reason.

pub mod admin;
pub mod api;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod ssr;
