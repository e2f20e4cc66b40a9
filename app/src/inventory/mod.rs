//! Inventory per warehouse: stock levels (on hand, reserved, sold), the movements ledger
//! that explains them, and reservations with a time to live taken when checkout starts.
//!
//! The rule that matters, `on_hand - reserved - sold >= 0` in every warehouse, is a
//! constraint in the database (migrations/20261123000001_inventory.sql), so no code path
//! and no amount of concurrency can oversell; the code here only decides where to take
//! stock from and records why it moved.

pub mod admin;
pub mod model;
#[cfg(feature = "ssr")]
pub mod ssr;
