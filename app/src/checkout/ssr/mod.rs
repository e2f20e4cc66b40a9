//! Placing an order, on the server. An order walks down through the concepts:
//!
//! 1. `pricing`: the cart priced for the address, the delivery method and the discount
//!    code (goods, discount, shipping by region and weight, tax by region), computed
//!    here and nowhere else.
//! 2. `placement`: stock is held for every line (all or none) under the order's holder
//!    name, and the order opened with its lines by the orders concept (one call of the
//!    database's `order_open`), the discount's use redeemed by the discounts concept in
//!    the same transaction. When no other checkout is holding any of its SKUs right now,
//!    the holds are taken in the order's own transaction; a SKU in demand goes through
//!    the inventory's reservation batches. A twin (a double click, a retry) carries on
//!    with the order its key made; another placement of a cart being paid is refused.
//! 3. `payment`: the provider authorizes and captures in one call with a key derived
//!    from the order number, so no retry, crash or replay can charge twice; then one
//!    call of the database's `order_confirm` confirms the order, sells the holds, records
//!    the payment and clears the bought lines from the cart (its outbox event feeds
//!    fulfilment and e-mail). A decline cancels the order and releases the stock. With
//!    `payments.capture = "manual"` the provider only authorizes and the order becomes
//!    `authorized` instead, for staff to capture or void.
//! 4. `settlement`: a worker finishes orders a provider outage or a crash left unpaid,
//!    from the provider's records.
//!
//! `view` prices the checkout page; `form` is the thin HTTP adapter (the draft cookie,
//! the flash message and the redirect), so no service here touches HTTP.

pub mod form;
mod payment;
pub mod placement;
pub mod pricing;
pub mod settlement;
pub mod view;

pub use placement::{AddressChoice, Placement, place};
pub use settlement::settle;

use super::model::{CheckoutError, ShippingRate};
use crate::inventory::ssr::Reservations;
use crate::payments::ssr::PaymentProvider;
use sqlx::PgPool;
use std::sync::Arc;
use std::time::Duration;

/// Logs a failure with its cause chain, once, and gives the shopper the generic message.
fn unavailable(error: impl std::fmt::Display + std::fmt::Debug) -> CheckoutError {
    tracing::error!(error = %error, error.debug = ?error, "checkout failed");
    CheckoutError::Unavailable
}

/// The settings checkout works by.
#[derive(Debug, Clone)]
pub struct CheckoutRules {
    pub reservation_ttl: Duration,
    /// One per region; `DEFAULT` covers the rest.
    pub shipping: Vec<ShippingRate>,
    /// Orders left in payment_processing this long are settled with the provider.
    pub settle_after: Duration,
    /// Whether checkout takes the money or only authorizes it for staff to capture.
    pub capture: crate::payments::Capture,
    /// How an order's risk is assessed, and which orders wait for staff (only
    /// authorized) whatever `capture` says.
    pub risk: crate::risk::ssr::RiskRules,
    pub review: crate::risk::model::Review,
}

impl CheckoutRules {
    pub fn standard() -> Self {
        CheckoutRules {
            reservation_ttl: Duration::from_secs(15 * 60),
            shipping: vec![
                ShippingRate {
                    region: "DEFAULT".into(),
                    method: "standard".into(),
                    label: "Standard delivery (3–5 working days)".into(),
                    base_minor: 499,
                    per_kg_minor: 100,
                    free_over_minor: Some(10_000),
                },
                ShippingRate {
                    region: "DEFAULT".into(),
                    method: "express".into(),
                    label: "Express delivery (next working day)".into(),
                    base_minor: 1_499,
                    per_kg_minor: 200,
                    free_over_minor: None,
                },
            ],
            settle_after: Duration::from_secs(30),
            capture: crate::payments::Capture::Automatic,
            risk: crate::risk::ssr::RiskRules::standard(),
            review: crate::risk::model::Review::Off,
        }
    }

    /// The region's methods, or `DEFAULT`'s when it has none of its own.
    fn methods_for(&self, region: &str) -> Vec<&ShippingRate> {
        let own: Vec<&ShippingRate> = self
            .shipping
            .iter()
            .filter(|r| r.region == region)
            .collect();
        if !own.is_empty() {
            return own;
        }
        self.shipping
            .iter()
            .filter(|r| r.region == "DEFAULT")
            .collect()
    }
}

/// What checkout works with: the primary pool, its rules, the stock holds and the
/// payment provider.
#[derive(Clone, Debug)]
pub struct Checkout {
    pub pool: PgPool,
    pub rules: CheckoutRules,
    pub reservations: Reservations,
    pub provider: Arc<dyn PaymentProvider>,
}
