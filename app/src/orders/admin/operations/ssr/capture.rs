//! Payment in two steps: an order whose card was only authorized at checkout (the
//! setting `payments.capture = "manual"`, or an order held for review) waits as
//! `authorized`, its stock sold to it. Staff capture the money (the order is confirmed
//! and fulfilment packs it) or, by cancelling, void the authorization (its stock goes
//! back and the customer is never charged).
//!
//! The provider is asked under the order's row lock, with a key made from the order
//! number: two clicks, two tabs or two staff capture once, and a capture whose answer
//! was lost is asked again with the same key and answered with the same intent.

use super::{Done, Locked, Operations, first_time, lock, parse_key, record};
use crate::orders::model::OrderStatus;
use crate::orders::ssr::{TransitionError, transition};
use crate::payments::ssr::{PaymentError, records};
use crate::payments::wire::{Intent, IntentStatus};
use crate::staff::model::AdminError;
use crate::staff::ssr::{Signed, unavailable};
use sqlx::PgConnection;

/// The provider's intent of the order's authorization that waits for a capture.
pub(super) async fn authorization(
    tx: &mut PgConnection,
    order: &Locked,
) -> Result<String, AdminError> {
    sqlx::query_scalar!(
        "SELECT provider_intent FROM payments
          WHERE order_id = $1 AND status = 'authorized' ORDER BY id DESC LIMIT 1",
        order.id
    )
    .fetch_optional(&mut *tx)
    .await
    .map_err(unavailable)?
    .ok_or_else(|| {
        AdminError::Conflict(format!(
            "order {} has no authorised payment waiting",
            order.number
        ))
    })
}

/// What the provider's answer to a capture or void means for staff.
pub(super) fn provider_answer(
    answer: Result<Intent, PaymentError>,
    wanted: IntentStatus,
    what: &str,
) -> Result<Intent, AdminError> {
    match answer {
        Ok(intent) if intent.status == wanted => Ok(intent),
        Ok(intent) => Err(AdminError::Conflict(format!(
            "the payment provider reports the payment as {}; nothing was changed",
            intent.status.as_str().replace('_', " ")
        ))),
        Err(PaymentError::Timeout | PaymentError::Unavailable) => {
            Err(AdminError::Conflict(format!(
                "the payment provider did not answer; submit again in a moment (it will not {what} twice)"
            )))
        }
        Err(PaymentError::Rejected { message, .. }) => Err(AdminError::Conflict(format!(
            "the payment provider refused to {what}: {message}"
        ))),
        Err(PaymentError::Declined { code, .. }) => Err(AdminError::Conflict(format!(
            "the payment provider refused to {what}: {}",
            code.replace('_', " ")
        ))),
    }
}

/// Captures an authorized order's whole payment and confirms the order (fulfilment then
/// packs it and e-mails the customer their confirmation).
#[tracing::instrument(skip_all, fields(order.number = %number))]
pub async fn capture(
    ops: &Operations,
    signer: &Signed,
    number: &str,
    key: &str,
) -> Result<Done, AdminError> {
    let key = parse_key(key)?;
    let mut tx = ops.pool.begin().await.map_err(unavailable)?;
    let order = lock(&mut tx, number).await?;
    if !first_time(&mut tx, key, "order.capture").await? {
        return Ok(Done::Already);
    }
    if order.status != OrderStatus::Authorized {
        return Err(AdminError::Conflict(format!(
            "an order that is {} has no payment to capture",
            order.status.label().to_lowercase()
        )));
    }
    let intent = authorization(&mut tx, &order).await?;
    let captured = provider_answer(
        ops.provider
            .capture(&intent, None, &format!("capture:{}", order.number))
            .await,
        IntentStatus::Captured,
        "capture",
    )?;
    records::record(&mut tx, order.id, &captured)
        .await
        .map_err(unavailable)?;
    let actor = signer.actor.history_name();
    match transition(
        &mut tx,
        order.id,
        OrderStatus::Authorized,
        OrderStatus::Confirmed,
        &actor,
        Some("payment captured"),
    )
    .await
    {
        Ok(()) => {}
        Err(TransitionError::Database(e)) => return Err(unavailable(e)),
        Err(e) => return Err(AdminError::Conflict(e.to_string())),
    }
    record(
        &mut tx,
        &signer.actor,
        "order.capture",
        &order,
        Some(serde_json::json!({ "status": order.status.as_str(), "captured": 0 })),
        serde_json::json!({
            "status": OrderStatus::Confirmed.as_str(),
            "captured": order.money(captured.captured).decimal_string(),
            "intent": captured.id,
        }),
    )
    .await?;
    tx.commit().await.map_err(unavailable)?;
    Ok(Done::Now)
}
