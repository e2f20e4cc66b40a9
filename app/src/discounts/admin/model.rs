//! What the discounts page shows.

use crate::discounts::model::DiscountRule;
use crate::money::Money;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeRow {
    pub rule: DiscountRule,
    /// Paid orders that used it: their totals, per currency.
    pub revenue: Vec<Money>,
    /// What it took off those orders, per currency.
    pub given: Vec<Money>,
    pub orders: i64,
    /// Whether it can be used now (active and inside its window).
    pub live: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiscountBoard {
    pub codes: Vec<CodeRow>,
}

/// A date and time as a `datetime-local` field holds it (UTC), or empty.
pub fn local_field(at: Option<chrono::DateTime<chrono::Utc>>) -> String {
    at.map(|t| t.format("%Y-%m-%dT%H:%M").to_string())
        .unwrap_or_default()
}
