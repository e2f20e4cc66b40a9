//! Inventory in the merchant's admin (permission `inventory`): a variant's stock in every
//! warehouse with its ledger; receipts, counted adjustments with a reason and transfers
//! between warehouses, each a ledger movement; the low-stock level; warehouses and the
//! regions they serve. Every change is audited in its transaction and done once per form.

pub mod api;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod ssr;
