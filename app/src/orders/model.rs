//! The order status machine.

use crate::money::Money;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::Type))]
#[cfg_attr(
    feature = "ssr",
    sqlx(type_name = "order_status", rename_all = "snake_case")
)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// Placed, stock held, not paid yet (or a card was declined and may be tried again).
    Pending,
    /// The provider is being asked for the money.
    PaymentProcessing,
    /// The card is authorized and the stock sold to the order; the money waits for staff
    /// to capture it (payment in two steps, or an order held for review).
    Authorized,
    /// Paid (captured) and the stock sold.
    Confirmed,
    /// Being picked and packed.
    Fulfilment,
    Shipped,
    Delivered,
    Cancelled,
    Refunded,
    PartiallyRefunded,
}

use OrderStatus::*;

/// Every allowed transition (migrations/20261123000003_orders.sql and
/// 20261208000002_authorized_orders.sql hold the same list).
pub const TRANSITIONS: &[(OrderStatus, OrderStatus)] = &[
    (Pending, PaymentProcessing),
    (Pending, Cancelled),
    (PaymentProcessing, Pending),
    (PaymentProcessing, Confirmed),
    (PaymentProcessing, Cancelled),
    (PaymentProcessing, Authorized),
    (Authorized, Confirmed),
    (Authorized, Cancelled),
    (Confirmed, Fulfilment),
    (Confirmed, Cancelled),
    (Confirmed, Refunded),
    (Confirmed, PartiallyRefunded),
    (Fulfilment, Shipped),
    (Shipped, Delivered),
    (Delivered, Refunded),
    (Delivered, PartiallyRefunded),
    (PartiallyRefunded, PartiallyRefunded),
    (PartiallyRefunded, Refunded),
];

impl OrderStatus {
    pub const ALL: [OrderStatus; 10] = [
        Pending,
        PaymentProcessing,
        Authorized,
        Confirmed,
        Fulfilment,
        Shipped,
        Delivered,
        Cancelled,
        Refunded,
        PartiallyRefunded,
    ];

    /// Its name in the database (`order_status`).
    pub fn as_str(self) -> &'static str {
        match self {
            Pending => "pending",
            PaymentProcessing => "payment_processing",
            Authorized => "authorized",
            Confirmed => "confirmed",
            Fulfilment => "fulfilment",
            Shipped => "shipped",
            Delivered => "delivered",
            Cancelled => "cancelled",
            Refunded => "refunded",
            PartiallyRefunded => "partially_refunded",
        }
    }

    pub fn can_become(self, next: OrderStatus) -> bool {
        TRANSITIONS.contains(&(self, next))
    }

    /// Nothing more will happen to it.
    pub fn is_final(self) -> bool {
        !TRANSITIONS.iter().any(|&(from, _)| from == self)
    }

    /// What a shopper reads.
    pub fn label(self) -> &'static str {
        match self {
            Pending => "Awaiting payment",
            PaymentProcessing => "Processing payment",
            Authorized => "Payment authorised",
            Confirmed => "Confirmed",
            Fulfilment => "Being prepared",
            Shipped => "Shipped",
            Delivered => "Delivered",
            Cancelled => "Cancelled",
            Refunded => "Refunded",
            PartiallyRefunded => "Partly refunded",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[error("an order cannot go from {} to {}", from.label().to_lowercase(), to.label().to_lowercase())]
pub struct InvalidTransition {
    pub from: OrderStatus,
    pub to: OrderStatus,
}

/// Why an order cannot be shown.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(
    into = "crate::api_error::ErrorBody",
    from = "crate::api_error::ErrorBody"
)]
pub enum OrderError {
    #[error("{0}")]
    InvalidInput(String),
    /// No such order, or not one this visitor may see (the two look the same).
    #[error("we could not find that order; check the order number and e-mail address")]
    NotFound,
    #[error("please sign in to see your orders")]
    NotSignedIn,
    #[error("orders are unavailable right now; please try again in a moment")]
    Unavailable,
    #[error("could not reach the shop: {0}")]
    Transport(String),
}

crate::server_fn_error!(OrderError);

impl From<OrderError> for crate::api_error::ErrorBody {
    fn from(e: OrderError) -> Self {
        let code = match &e {
            OrderError::InvalidInput(_) => "invalid_input",
            OrderError::NotFound => "not_found",
            OrderError::NotSignedIn => "not_signed_in",
            OrderError::Unavailable => "unavailable",
            OrderError::Transport(_) => "transport",
        };
        crate::api_error::ErrorBody::new(code, &e)
    }
}

impl From<crate::api_error::ErrorBody> for OrderError {
    fn from(b: crate::api_error::ErrorBody) -> Self {
        match b.code.as_str() {
            "invalid_input" => OrderError::InvalidInput(b.message),
            "not_found" => OrderError::NotFound,
            "not_signed_in" => OrderError::NotSignedIn,
            "unavailable" => OrderError::Unavailable,
            _ => OrderError::Transport(b.message),
        }
    }
}

/// A line of the order list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderSummary {
    pub number: String,
    pub placed_at: chrono::DateTime<chrono::Utc>,
    pub status: OrderStatus,
    pub items: i64,
    pub total: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderLineView {
    pub sku: String,
    pub title: String,
    pub quantity: i32,
    pub unit: Money,
}

impl OrderLineView {
    /// The line's price: the unit price times the quantity (within any real order's
    /// range; an impossible overflow shows the unit price rather than fail the page).
    pub fn total(&self) -> Money {
        self.unit
            .checked_mul(i64::from(self.quantity))
            .unwrap_or(self.unit)
    }
}

/// One step of the status timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineStep {
    pub status: OrderStatus,
    pub at: chrono::DateTime<chrono::Utc>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShipmentView {
    pub carrier: Option<String>,
    pub tracking_number: Option<String>,
    /// packed, shipped or delivered.
    pub status: String,
    pub items: i64,
}

/// An order as its customer sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderView {
    pub number: String,
    pub email: String,
    pub status: OrderStatus,
    pub placed_at: chrono::DateTime<chrono::Utc>,
    pub lines: Vec<OrderLineView>,
    pub subtotal: Money,
    pub discount: Money,
    pub discount_code: Option<String>,
    pub shipping: Money,
    /// The delivery method as the shopper chose it.
    pub shipping_method: String,
    pub tax: Money,
    pub total: Money,
    pub address: Vec<String>,
    /// What the card was charged, net of refunds, and its last four digits.
    pub charged: Money,
    pub refunded: Money,
    pub card_last4: Option<String>,
    pub timeline: Vec<TimelineStep>,
    pub shipments: Vec<ShipmentView>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_machine_moves_forward_and_ends() {
        assert!(Pending.can_become(PaymentProcessing));
        assert!(PaymentProcessing.can_become(Confirmed));
        assert!(
            !Pending.can_become(Confirmed),
            "no confirmation without payment"
        );
        assert!(
            !Shipped.can_become(Cancelled),
            "a parcel on its way is not cancelled"
        );
        assert!(!Delivered.can_become(Pending));
        assert!(PaymentProcessing.can_become(Authorized) && Authorized.can_become(Confirmed));
        assert!(
            !Authorized.can_become(Fulfilment) && !Authorized.can_become(Refunded),
            "nothing is packed or refunded before the money is captured"
        );
        assert!(Cancelled.is_final() && Refunded.is_final());
        assert!(!PartiallyRefunded.is_final());
        for status in OrderStatus::ALL {
            assert!(!status.label().is_empty());
            if !status.is_final() {
                assert!(!status.can_become(status) || status == PartiallyRefunded);
            }
        }
        let e = InvalidTransition {
            from: Shipped,
            to: Cancelled,
        };
        assert_eq!(
            e.to_string(),
            "an order cannot go from shipped to cancelled"
        );
    }
}
