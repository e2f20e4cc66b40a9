//! Cancelling an order before it leaves: an unpaid one lets its held stock go; an
//! authorized one (its money not captured) gives its stock back and the authorization is
//! voided at the provider first; a paid one (confirmed, not yet being packed) gives its
//! stock back and its whole payment back through the provider. The cancellation is decided under the order's lock (so
//! fulfilment cannot start packing it meanwhile); the refund then goes as any other.

use super::capture::{authorization, provider_answer};
use super::refund::{Pending, give, open_payment, state_of};
use super::{Done, Operations, first_time, lock, order_link, parse_key, record};
use crate::orders::admin::operations::plan::line_worths;
use crate::orders::model::OrderStatus;
use crate::orders::ssr::{TransitionError, transition};
use crate::payments::ssr::records;
use crate::payments::wire::IntentStatus;
use crate::staff::model::{AdminError, Permission};
use crate::staff::ssr::{Signed, unavailable};

#[tracing::instrument(skip_all, fields(order.number = %number))]
pub async fn cancel(
    ops: &Operations,
    signer: &Signed,
    number: &str,
    reason: &str,
    key: &str,
) -> Result<Done, AdminError> {
    let key = parse_key(key)?;
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(AdminError::InvalidInput(
            "say why the order is cancelled (up to 500 characters)".into(),
        ));
    }
    let mut tx = ops.pool.begin().await.map_err(unavailable)?;
    let order = lock(&mut tx, number).await?;
    if !first_time(&mut tx, key, "order.cancel").await? {
        return Ok(Done::Already);
    }
    let actor = signer.actor.history_name();
    let refund = match order.status {
        OrderStatus::Pending => {
            crate::inventory::ssr::release(&mut tx, &order.holder, &actor)
                .await
                .map_err(unavailable)?;
            None
        }
        OrderStatus::Authorized => {
            // No money moved: the authorization is let go (under the lock, so a capture
            // cannot slip in between), then the stock comes back.
            let intent = authorization(&mut tx, &order).await?;
            let voided = provider_answer(
                ops.provider
                    .void(&intent, &format!("void:{}", order.number))
                    .await,
                IntentStatus::Voided,
                "void the authorisation",
            )?;
            records::record(&mut tx, order.id, &voided)
                .await
                .map_err(unavailable)?;
            crate::inventory::ssr::unsell(&mut tx, order.id, &actor)
                .await
                .map_err(unavailable)?;
            None
        }
        OrderStatus::Confirmed => {
            if !signer.user.may(Permission::Refunds) {
                return Err(AdminError::Forbidden);
            }
            crate::inventory::ssr::unsell(&mut tx, order.id, &actor)
                .await
                .map_err(unavailable)?;
            Some(whole_payment(&mut tx, &order, reason, key).await?)
        }
        OrderStatus::PaymentProcessing => {
            return Err(AdminError::Conflict(
                "the customer's payment is going through right now; try again in a minute".into(),
            ));
        }
        other => {
            return Err(AdminError::Conflict(format!(
                "an order that is {} cannot be cancelled{}",
                other.label().to_lowercase(),
                if matches!(
                    other,
                    OrderStatus::Delivered | OrderStatus::PartiallyRefunded
                ) {
                    "; refund it instead"
                } else {
                    ""
                }
            )));
        }
    };
    match transition(
        &mut tx,
        order.id,
        order.status,
        OrderStatus::Cancelled,
        &actor,
        Some(reason),
    )
    .await
    {
        Ok(()) => {}
        Err(TransitionError::Database(e)) => return Err(unavailable(e)),
        Err(e) => return Err(AdminError::Conflict(e.to_string())),
    }
    if refund.is_none() {
        crate::mail::enqueue(
            &mut tx,
            &order.email,
            &format!("Your order {} has been cancelled", order.number),
            &format!(
                "Your order {} has been cancelled: {reason}.\nYou have not been charged.\n\nSee your order: {}\n",
                order.number,
                order_link(&ops.site, &order.number, &order.email)
            ),
        )
        .await
        .map_err(unavailable)?;
    }
    record(
        &mut tx,
        &signer.actor,
        "order.cancel",
        &order,
        Some(serde_json::json!({ "status": order.status.as_str() })),
        serde_json::json!({ "status": "cancelled", "reason": reason }),
    )
    .await?;
    tx.commit().await.map_err(unavailable)?;
    match refund {
        // The refund's own e-mail tells the customer the money is coming back.
        Some(pending) => {
            give(ops, signer, number, pending).await?;
            Ok(Done::Now)
        }
        None => Ok(Done::Now),
    }
}

/// The whole payment as a pending refund of every line and the shipping.
async fn whole_payment(
    tx: &mut sqlx::PgConnection,
    order: &super::Locked,
    reason: &str,
    key: &str,
) -> Result<Pending, AdminError> {
    let (intent, left) = open_payment(tx, order.id)
        .await?
        .ok_or_else(|| AdminError::Conflict("this order has no payment to give back".into()))?;
    let id = sqlx::query_scalar!(
        "INSERT INTO refunds (order_id, amount_minor, currency, reason, actor, idempotency_key,
                              status, provider_intent, shipping)
         VALUES ($1, $2, $3, $4, 'pending', $5, 'pending', $6, true) RETURNING id",
        order.id,
        left,
        order.currency.code(),
        format!("cancelled: {reason}"),
        key,
        intent,
    )
    .fetch_one(&mut *tx)
    .await
    .map_err(unavailable)?;
    let state = state_of(tx, order, left).await?;
    for (line, worth) in state.lines.iter().zip(line_worths(&state)) {
        sqlx::query!(
            "INSERT INTO refund_lines (refund_id, position, quantity, amount_minor) VALUES ($1, $2, $3, $4)",
            id,
            line.position,
            line.quantity,
            worth
        )
        .execute(&mut *tx)
        .await
        .map_err(unavailable)?;
    }
    Ok(Pending::new(id, intent, left, order.currency, key))
}
