//! What the inventory page shows.

use crate::inventory::model::MovementKind;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Level {
    pub warehouse: String,
    pub warehouse_name: String,
    pub on_hand: i32,
    pub reserved: i32,
    pub sold: i32,
}

impl Level {
    pub fn available(&self) -> i32 {
        self.on_hand - self.reserved - self.sold
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Movement {
    pub at: String,
    pub warehouse: String,
    pub kind: MovementKind,
    pub on_hand: i32,
    pub reserved: i32,
    pub sold: i32,
    pub actor: String,
    pub note: String,
}

/// One variant's stock everywhere.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VariantStock {
    pub sku: String,
    pub title: String,
    pub low_stock_at: i32,
    pub levels: Vec<Level>,
    pub movements: Vec<Movement>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warehouse {
    pub code: String,
    pub name: String,
    pub region: String,
    pub priority: i32,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Region {
    pub code: String,
    pub name: String,
    pub countries: Vec<String>,
}

/// The inventory page: the SKU asked about (if any), warehouses, regions, a form key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InventoryBoard {
    pub variant: Option<VariantStock>,
    pub warehouses: Vec<Warehouse>,
    pub regions: Vec<Region>,
    pub key: String,
}
