//! Payments through a provider: the `PaymentProvider` trait, the HTTP client the shop
//! uses (timeouts, retries with the same idempotency key, a circuit breaker), the wire
//! format the sandbox provider speaks, and webhook signatures. Card numbers pass through
//! to the provider and are never stored: the shop keeps the provider's intent id, its
//! card token and the last four digits.

#[cfg(feature = "ssr")]
pub mod ssr;
pub mod wire;

use serde::{Deserialize, Serialize};

/// When the money is taken (the setting `payments.capture`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Capture {
    /// With the authorization, at checkout: the order is confirmed and packed at once.
    #[default]
    Automatic,
    /// Checkout only authorizes the card: the order waits as authorized, its stock sold
    /// to it, until staff capture the money from its page (or void the authorization).
    Manual,
}
