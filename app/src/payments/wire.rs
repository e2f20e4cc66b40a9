//! What the payment provider's HTTP API sends and receives (JSON), shared by the shop's
//! client and the sandbox provider.

use serde::{Deserialize, Serialize};

/// Test cards the sandbox understands (any expiry in the future, any CVC).
pub mod test_cards {
    /// Authorized, captured, refunded: everything works.
    pub const SUCCESS: &str = "4242424242424242";
    /// Declined by the bank.
    pub const DECLINE: &str = "4000000000000002";
    /// Declined: insufficient funds.
    pub const INSUFFICIENT_FUNDS: &str = "4000000000009995";
    /// Authorized, but the answer comes too late for the client's timeout.
    pub const TIMEOUT: &str = "4000000000000119";
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IntentStatus {
    Authorized,
    Declined,
    Voided,
    Captured,
    PartiallyRefunded,
    Refunded,
}

impl IntentStatus {
    /// The name on the wire and in the databases (`partially_refunded`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            IntentStatus::Authorized => "authorized",
            IntentStatus::Declined => "declined",
            IntentStatus::Voided => "voided",
            IntentStatus::Captured => "captured",
            IntentStatus::PartiallyRefunded => "partially_refunded",
            IntentStatus::Refunded => "refunded",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        [
            IntentStatus::Authorized,
            IntentStatus::Declined,
            IntentStatus::Voided,
            IntentStatus::Captured,
            IntentStatus::PartiallyRefunded,
            IntentStatus::Refunded,
        ]
        .into_iter()
        .find(|s| s.as_str() == name)
    }
}

/// A payment intent as the provider reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Intent {
    pub id: String,
    pub status: IntentStatus,
    /// Authorized amount, in minor units.
    pub amount: i64,
    pub currency: String,
    pub captured: i64,
    pub refunded: i64,
    /// The shop's own reference (its order number), for reconciliation.
    pub reference: String,
    pub last4: String,
    /// Stands for the card at the provider; the only card data the shop keeps.
    pub card_token: Option<String>,
    /// Why it was declined: `card_declined`, `insufficient_funds`.
    pub decline_code: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuthorizeRequest {
    pub amount: i64,
    pub currency: String,
    pub card_number: String,
    pub reference: String,
    /// Capture at once if authorized (automatic capture): one call instead of two, and
    /// the intent comes back captured. Without it, the amount waits for a capture.
    #[serde(default)]
    pub capture: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AmountRequest {
    /// Minor units; `None` means all that is left.
    pub amount: Option<i64>,
}

/// An error answer: `{"error": {"code", "message"}}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ErrorDetail {
    pub code: String,
    pub message: String,
}

/// A webhook delivery's events, in order. The sandbox posts the events it has due
/// together, as `{"events": [...]}` under one signature (as some providers batch their
/// notifications); a single event object on its own is one event.
pub fn delivered_events(body: serde_json::Value) -> Vec<serde_json::Value> {
    match body {
        serde_json::Value::Object(o)
            if o.len() == 1 && o.get("events").is_some_and(|e| e.is_array()) =>
        {
            match o.into_iter().next() {
                Some((_, serde_json::Value::Array(events))) => events,
                _ => Vec::new(),
            }
        }
        one => vec![one],
    }
}

/// A webhook: something happened to an intent. Sent at least once; `id` is unique.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub id: String,
    /// `payment_intent.authorized`, `.declined`, `.captured`, `.voided`, `.refunded`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Unix seconds.
    pub created: i64,
    pub intent: Intent,
}

/// The header carrying a webhook's signature: `t=<unix seconds>,v1=<hex HMAC-SHA256 of
/// "<t>.<body>">`.
pub const SIGNATURE_HEADER: &str = "mercato-signature";
pub const IDEMPOTENCY_HEADER: &str = "idempotency-key";
