//! What the dashboard shows.

use serde::{Deserialize, Serialize};

/// A period the dashboard reports on, against the one before it of the same length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Period {
    Today,
    Days7,
    #[default]
    Days30,
    Days90,
    Months12,
}

impl Period {
    pub const ALL: [Period; 5] = [
        Period::Today,
        Period::Days7,
        Period::Days30,
        Period::Days90,
        Period::Months12,
    ];

    pub fn parse(text: &str) -> Option<Period> {
        Period::ALL.into_iter().find(|p| p.key() == text)
    }

    /// Its name in a URL.
    pub fn key(self) -> &'static str {
        match self {
            Period::Today => "today",
            Period::Days7 => "7d",
            Period::Days30 => "30d",
            Period::Days90 => "90d",
            Period::Months12 => "12m",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Period::Today => "Today",
            Period::Days7 => "Last 7 days",
            Period::Days30 => "Last 30 days",
            Period::Days90 => "Last 90 days",
            Period::Months12 => "Last 12 months",
        }
    }

    pub fn previous_label(self) -> &'static str {
        match self {
            Period::Today => "yesterday",
            Period::Days7 => "the 7 days before",
            Period::Days30 => "the 30 days before",
            Period::Days90 => "the 90 days before",
            Period::Months12 => "the 12 months before",
        }
    }
}

/// One figure, now and in the previous period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metric {
    pub label: String,
    pub current: String,
    pub previous: String,
    /// Change in percent (None when the previous period had none).
    pub change: Option<i64>,
    /// Whether a rise is good news (refunds: no).
    pub up_is_good: bool,
}

/// A chart's bar: its label, and the value now and in the same slot of the previous period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bucket {
    pub label: String,
    pub current: i64,
    pub previous: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TopProduct {
    pub sku: String,
    pub title: String,
    pub units: i64,
    pub revenue: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LowStock {
    pub sku: String,
    pub title: String,
    pub available: i64,
    pub threshold: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderRow {
    pub number: String,
    pub email: String,
    pub status: String,
    pub total: String,
    pub placed: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dashboard {
    pub period: Period,
    pub currency: String,
    /// Currencies the shop sold in over the last 12 months, most orders first.
    pub currencies: Vec<String>,
    pub metrics: Vec<Metric>,
    /// Revenue per slot in minor units, and orders per slot.
    pub revenue: Vec<Bucket>,
    pub orders: Vec<Bucket>,
    pub top_products: Vec<TopProduct>,
    pub low_stock: Vec<LowStock>,
    pub recent: Vec<OrderRow>,
    pub awaiting: Vec<OrderRow>,
    pub awaiting_total: i64,
    /// The order history's import, while it runs.
    pub importing: Option<crate::jobs::model::JobView>,
}

/// Change from `previous` to `current` in whole percent.
pub fn change(current: i64, previous: i64) -> Option<i64> {
    (previous != 0).then(|| ((current - previous) * 100) / previous.abs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_round_trip_through_the_url() {
        for p in Period::ALL {
            assert_eq!(Period::parse(p.key()), Some(p));
        }
        assert_eq!(Period::parse("1y"), None);
    }

    #[test]
    fn change_is_none_without_a_previous_figure() {
        assert_eq!(change(150, 100), Some(50));
        assert_eq!(change(50, 100), Some(-50));
        assert_eq!(change(5, 0), None);
    }
}
