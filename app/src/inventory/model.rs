//! Inventory types shared by the server and (through checkout errors) the browser.

use serde::{Deserialize, Serialize};

/// Why a stock level moved; one ledger row each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::Type))]
#[cfg_attr(
    feature = "ssr",
    sqlx(type_name = "stock_movement_kind", rename_all = "lowercase")
)]
pub enum MovementKind {
    /// Goods arrived: on hand up.
    Receipt,
    /// A stock count corrected on hand (up or down).
    Adjustment,
    /// A checkout held units: reserved up.
    Reservation,
    /// A hold ended without a sale (expired, abandoned, payment failed): reserved down.
    Release,
    /// A hold was paid for: reserved down, sold up.
    Sale,
    /// Sold units left the building: sold and on hand down.
    Shipment,
    /// Goods came back: on hand up.
    Return,
    /// Goods moved between warehouses: on hand down at one, up at the other.
    Transfer,
}

/// One line a checkout wants held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WantedLine {
    pub variant_id: i64,
    pub quantity: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum InventoryError {
    /// Not enough to sell across every warehouse.
    #[error("only {available} of {sku} left")]
    Short { sku: String, available: i32 },
    /// A quantity that is not a positive number, or a stock count below zero.
    #[error("{0}")]
    Invalid(String),
    /// A stock count below what is already reserved or sold there.
    #[error("{sku} at {warehouse}: {committed} units are already reserved or sold")]
    BelowCommitted {
        sku: String,
        warehouse: String,
        committed: i32,
    },
    /// The holds a sale needs are gone (expired and released, or never taken).
    #[error("the stock held for this checkout has expired")]
    NotHeld,
    #[error("no warehouse named {0}")]
    UnknownWarehouse(String),
    #[error("inventory is unavailable; please try again")]
    Unavailable,
}
