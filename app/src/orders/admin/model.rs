//! What the admin's order pages show, and the list's filter.

use crate::money::Money;
use crate::orders::model::{OrderStatus, OrderView};
use crate::risk::model::{Assessment, RiskLevel};
use serde::{Deserialize, Serialize};

/// The list's filter (every field optional, as typed) and its page: orders placed
/// before the `after` cursor.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderFilter {
    /// An order number or an e-mail address.
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub status: String,
    /// `YYYY-MM-DD`, inclusive.
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    /// Totals in major units (e.g. 25.00).
    #[serde(default)]
    pub min_total: String,
    #[serde(default)]
    pub max_total: String,
    /// A risk level (`low`, `medium`, `high`): orders assessed at it.
    #[serde(default)]
    pub risk: String,
    #[serde(default)]
    pub after: String,
}

impl OrderFilter {
    /// The filter as a URL query (`?q=...`, empty when it has nothing), with the page to
    /// start at when `after` is given: the export's and the next page's links.
    pub fn query(&self, after: Option<&str>) -> String {
        let pairs = [
            ("q", self.q.trim()),
            ("status", self.status.trim()),
            ("from", self.from.trim()),
            ("to", self.to.trim()),
            ("min_total", self.min_total.trim()),
            ("max_total", self.max_total.trim()),
            ("risk", self.risk.trim()),
            ("after", after.unwrap_or("")),
        ];
        crate::url::to_query(pairs.into_iter().filter(|(_, v)| !v.is_empty()))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderRow {
    pub number: String,
    pub email: String,
    pub status: OrderStatus,
    pub total: Money,
    pub items: i64,
    /// `YYYY-MM-DD HH:MM`, UTC.
    pub placed: String,
    pub region: String,
    /// As assessed at checkout (none for orders from before, such as imported ones).
    pub risk: Option<RiskLevel>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderPage {
    pub rows: Vec<OrderRow>,
    /// The cursor of the next (older) page.
    pub next: Option<String>,
}

pub const PAGE_SIZE: i64 = 50;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentRow {
    pub intent: String,
    pub status: String,
    pub amount: Money,
    pub captured: Money,
    pub refunded: Money,
    pub last4: String,
    pub at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundRow {
    /// `pending` (waiting for the provider), `done` or `failed`.
    pub status: String,
    /// A pending refund's form key, to finish it.
    pub key: Option<String>,
    pub failure: Option<String>,
    pub amount: Money,
    pub reason: String,
    pub actor: String,
    pub units: i64,
    pub at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepRow {
    pub status: OrderStatus,
    pub at: String,
    pub actor: String,
    pub reason: Option<String>,
}

/// An order as staff see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminOrder {
    pub view: OrderView,
    pub region: String,
    /// The customer's account (id, e-mail), when it was placed signed in.
    pub customer: Option<(i64, String)>,
    pub payments: Vec<PaymentRow>,
    pub refunds: Vec<RefundRow>,
    pub steps: Vec<StepRow>,
    pub notes: Vec<super::operations::NoteView>,
    /// What this staff member may do to it now.
    pub offers: super::operations::Offers,
    /// Its risk as assessed at checkout (none for orders from before).
    pub risk: Option<OrderRisk>,
}

/// An order's risk assessment, and the network address it was placed from when that
/// said something of the buyer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderRisk {
    pub assessment: Assessment,
    pub client: Option<String>,
}
