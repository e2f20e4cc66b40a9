//! The order status machine.

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

/// Every allowed transition (migrations/20261123000003_orders.sql holds the same list).
pub const TRANSITIONS: &[(OrderStatus, OrderStatus)] = &[
    (Pending, PaymentProcessing),
    (Pending, Cancelled),
    (PaymentProcessing, Pending),
    (PaymentProcessing, Confirmed),
    (PaymentProcessing, Cancelled),
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
    pub const ALL: [OrderStatus; 9] = [
        Pending,
        PaymentProcessing,
        Confirmed,
        Fulfilment,
        Shipped,
        Delivered,
        Cancelled,
        Refunded,
        PartiallyRefunded,
    ];

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
