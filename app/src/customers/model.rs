//! What the customer pages show.

use crate::money::Money;
use crate::orders::model::OrderStatus;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerFilter {
    /// The start of an e-mail address, or part of a name.
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub after: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerRow {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub orders: i64,
    /// Paid orders less refunds, per currency.
    pub spent: Vec<Money>,
    pub joined: String,
    pub disabled: bool,
    pub erased: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerList {
    pub rows: Vec<CustomerRow>,
    pub next: Option<String>,
}

pub const PAGE_SIZE: i64 = 50;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerOrder {
    pub number: String,
    pub status: OrderStatus,
    pub total: Money,
    pub placed: String,
}

/// One customer whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerDetail {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub joined: String,
    pub verified: bool,
    pub disabled: bool,
    pub erased: bool,
    pub addresses: Vec<String>,
    pub orders: Vec<CustomerOrder>,
    /// Lifetime value: paid orders less refunds, per currency.
    pub spent: Vec<Money>,
    /// The forms' key for this drawing of the page.
    pub key: String,
}
