//! The provider trait and the shop's HTTP client for it.

mod breaker;
mod client;
pub mod records;
pub mod signature;

pub use breaker::Breaker;
pub use client::{ClientSettings, HttpProvider};

use super::wire::Intent;
use crate::money::Money;
use std::future::Future;
use std::pin::Pin;

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The payment provider and the secret its webhooks are signed with.
#[derive(Clone, Debug)]
pub struct Payments {
    pub provider: std::sync::Arc<dyn PaymentProvider>,
    pub webhook_secret: std::sync::Arc<str>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaymentError {
    /// The bank said no; `code` is the provider's reason (`card_declined`, ...).
    #[error("the card was declined ({code})")]
    Declined { code: String, intent: Box<Intent> },
    /// The provider refused the request itself (bad card number, too much to refund, an
    /// intent in the wrong state): retrying the same request will not help.
    #[error("{message}")]
    Rejected { code: String, message: String },
    /// No answer in time, after the retries; the outcome is unknown until the provider is
    /// asked again (with the same idempotency key, which cannot charge twice).
    #[error("the payment provider did not answer in time")]
    Timeout,
    /// The provider is down or failing; the circuit breaker may be open.
    #[error("the payment provider is unavailable")]
    Unavailable,
}

/// A payment provider: every call that moves money carries an idempotency key, so a
/// retry (after a timeout, a crash, a double click) has the effect of one call.
pub trait PaymentProvider: Send + Sync + std::fmt::Debug {
    /// Authorizes `amount` on a card; a decline is `PaymentError::Declined`.
    fn authorize<'a>(
        &'a self,
        request: &'a super::wire::AuthorizeRequest,
        idempotency_key: &'a str,
    ) -> BoxFuture<'a, Result<Intent, PaymentError>>;
    /// Captures (part of) an authorized amount; `None` captures it all.
    fn capture<'a>(
        &'a self,
        intent_id: &'a str,
        amount: Option<Money>,
        idempotency_key: &'a str,
    ) -> BoxFuture<'a, Result<Intent, PaymentError>>;
    /// Lets an authorization go without taking the money.
    fn void<'a>(
        &'a self,
        intent_id: &'a str,
        idempotency_key: &'a str,
    ) -> BoxFuture<'a, Result<Intent, PaymentError>>;
    /// Gives (part of) a captured amount back; `None` refunds the rest.
    fn refund<'a>(
        &'a self,
        intent_id: &'a str,
        amount: Option<Money>,
        idempotency_key: &'a str,
    ) -> BoxFuture<'a, Result<Intent, PaymentError>>;
    /// The intents the provider holds for one of the shop's references (reconciliation).
    fn find<'a>(&'a self, reference: &'a str) -> BoxFuture<'a, Result<Vec<Intent>, PaymentError>>;
}
