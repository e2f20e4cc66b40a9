//! Payments through a provider: the `PaymentProvider` trait, the HTTP client the shop
//! uses (timeouts, retries with the same idempotency key, a circuit breaker), the wire
//! format the sandbox provider speaks, and webhook signatures. Card numbers pass through
//! to the provider and are never stored: the shop keeps the provider's intent id, its
//! card token and the last four digits.

#[cfg(feature = "ssr")]
pub mod ssr;
pub mod wire;
