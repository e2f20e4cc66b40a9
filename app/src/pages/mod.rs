//! One file per route.

pub mod category;
pub mod error;
pub mod home;
pub mod not_found;
pub mod product;
pub mod search;
