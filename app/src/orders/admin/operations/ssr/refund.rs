//! Refunds through the payment provider.
//!
//! 1. Under the order's lock the refund is worked out (`plan`) against what is left and
//!    written as *pending* with its lines, so a second refund of the same order waits
//!    for this one and cannot give back the same units or money again.
//! 2. The provider is asked, keyed by the form's key (a retry cannot refund twice).
//! 3. Under the lock again: the payment as the provider now reports it, the refund
//!    given, stock returned to the chosen warehouse, the order moved (partly refunded or
//!    refunded), the customer's e-mail, the audit entry: one transaction.
//!
//! A refusal marks the refund failed (with the reason, audited); no answer leaves it
//! pending, and the same form again (the order page offers it) finishes it.

use super::{Done, Locked, Operations, lock, order_link, parse_key, record};
use crate::money::{Currency, Money};
use crate::orders::admin::operations::plan::{self, Ask, LineState, OrderState, Plan};
use crate::orders::model::OrderStatus;
use crate::orders::ssr::{TransitionError, transition};
use crate::payments::ssr::{PaymentError, records};
use crate::staff::model::AdminError;
use crate::staff::ssr::{Signed, unavailable};
use sqlx::PgConnection;

/// A refund as staff asked for it, checked.
#[derive(Debug, Clone)]
pub struct RefundRequest {
    pub ask: Ask,
    /// The warehouse code the refunded units go back to (none: they do not come back).
    pub restock: Option<String>,
    pub reason: String,
    pub key: String,
}

/// A pending refund, as step 2 needs it.
pub(super) struct Pending {
    id: i64,
    intent: String,
    amount: i64,
    currency: Currency,
    key: String,
}

impl Pending {
    pub(super) fn new(id: i64, intent: String, amount: i64, currency: Currency, key: &str) -> Self {
        Pending {
            id,
            intent,
            amount,
            currency,
            key: key.to_owned(),
        }
    }
}

/// Gives (part of) an order's payment back.
#[tracing::instrument(skip_all, fields(order.number = %number))]
pub async fn refund(
    ops: &Operations,
    signer: &Signed,
    number: &str,
    request: RefundRequest,
) -> Result<Done, AdminError> {
    let key = parse_key(&request.key)?.to_owned();
    if request.reason.chars().count() > 500 {
        return Err(AdminError::InvalidInput(
            "keep the reason under 500 characters".into(),
        ));
    }
    let pending = {
        let mut tx = ops.pool.begin().await.map_err(unavailable)?;
        let order = lock(&mut tx, number).await?;
        match existing(&mut tx, &key, order.id).await? {
            Some(Existing::Done) => return Ok(Done::Already),
            Some(Existing::Failed(why)) => {
                return Err(AdminError::Conflict(format!(
                    "that refund was refused ({why}); reload the page to try again"
                )));
            }
            Some(Existing::Pending(p)) => p,
            None => {
                let p = ask(&mut tx, &order, &request, &key).await?;
                tx.commit().await.map_err(unavailable)?;
                p
            }
        }
    };
    give(ops, signer, number, pending).await
}

enum Existing {
    Done,
    Failed(String),
    Pending(Pending),
}

async fn existing(
    conn: &mut PgConnection,
    key: &str,
    order_id: i64,
) -> Result<Option<Existing>, AdminError> {
    let row = sqlx::query!(
        r#"SELECT id, order_id, status::text AS "status!", coalesce(provider_intent, '') AS "intent!",
                  amount_minor, currency AS "currency: Currency", coalesce(failure, '') AS "failure!"
             FROM refunds WHERE idempotency_key = $1"#,
        key
    )
    .fetch_optional(conn)
    .await
    .map_err(unavailable)?;
    Ok(match row {
        None => None,
        Some(r) if r.order_id != order_id => {
            return Err(AdminError::InvalidInput(
                "this form has expired; reload the page and try again".into(),
            ));
        }
        Some(r) => Some(match r.status.as_str() {
            "done" => Existing::Done,
            "failed" => Existing::Failed(r.failure),
            _ => Existing::Pending(Pending {
                id: r.id,
                intent: r.intent,
                amount: r.amount_minor,
                currency: r.currency,
                key: key.to_owned(),
            }),
        }),
    })
}

/// Step 1: the refund worked out and written as pending, under the order's lock.
async fn ask(
    tx: &mut PgConnection,
    order: &Locked,
    request: &RefundRequest,
    key: &str,
) -> Result<Pending, AdminError> {
    match order.status {
        OrderStatus::Delivered | OrderStatus::PartiallyRefunded => {}
        OrderStatus::Confirmed => {
            return Err(AdminError::Conflict(
                "this order has not been sent yet: cancel it instead (everything is refunded and its stock released)".into(),
            ));
        }
        OrderStatus::Fulfilment | OrderStatus::Shipped => {
            return Err(AdminError::Conflict(
                "this order is on its way; refund it once it has been delivered".into(),
            ));
        }
        other => {
            return Err(AdminError::Conflict(format!(
                "an order that is {} cannot be refunded",
                other.label().to_lowercase()
            )));
        }
    }
    let restock = match &request.restock {
        Some(code) => Some(warehouse(tx, code).await?),
        None => None,
    };
    let busy = sqlx::query_scalar!(
        "SELECT EXISTS (SELECT 1 FROM refunds WHERE order_id = $1 AND status = 'pending') AS \"busy!\"",
        order.id
    )
    .fetch_one(&mut *tx)
    .await
    .map_err(unavailable)?;
    if busy {
        return Err(AdminError::Conflict(
            "another refund of this order is waiting for the payment provider; finish it first"
                .into(),
        ));
    }
    let (intent, left) = open_payment(tx, order.id).await?.ok_or_else(|| {
        AdminError::Conflict(
            "there is no payment on this order left to refund (an imported order was paid outside the shop)".into(),
        )
    })?;
    let state = state_of(tx, order, left).await?;
    let Plan {
        amount,
        lines,
        shipping,
    } = plan::plan(&state, &request.ask).map_err(AdminError::InvalidInput)?;
    let id = sqlx::query_scalar!(
        "INSERT INTO refunds (order_id, amount_minor, currency, reason, restock_warehouse, actor,
                              idempotency_key, status, provider_intent, shipping)
         VALUES ($1, $2, $3, $4, $5, 'pending', $6, 'pending', $7, $8) RETURNING id",
        order.id,
        amount,
        order.currency.code(),
        request.reason.trim(),
        restock,
        key,
        intent,
        shipping,
    )
    .fetch_one(&mut *tx)
    .await
    .map_err(unavailable)?;
    for (position, units, worth) in lines {
        sqlx::query!(
            "INSERT INTO refund_lines (refund_id, position, quantity, amount_minor) VALUES ($1, $2, $3, $4)",
            id,
            position,
            units,
            worth
        )
        .execute(&mut *tx)
        .await
        .map_err(unavailable)?;
    }
    Ok(Pending {
        id,
        intent,
        amount,
        currency: order.currency,
        key: key.to_owned(),
    })
}

/// The order's payment with money left to refund: (provider intent, minor units left).
pub(super) async fn open_payment(
    tx: &mut PgConnection,
    order_id: i64,
) -> Result<Option<(String, i64)>, AdminError> {
    Ok(sqlx::query!(
        "SELECT provider_intent, captured_minor - refunded_minor AS \"left!\"
           FROM payments WHERE order_id = $1 AND captured_minor > refunded_minor
          ORDER BY id DESC LIMIT 1",
        order_id
    )
    .fetch_optional(&mut *tx)
    .await
    .map_err(unavailable)?
    .map(|p| (p.provider_intent, p.left)))
}

/// The order as `plan` sees it: its lines with the units already refunded (or being
/// refunded), and whether the shipping charge has been.
pub(super) async fn state_of(
    tx: &mut PgConnection,
    order: &Locked,
    left: i64,
) -> Result<OrderState, AdminError> {
    let lines = sqlx::query!(
        r#"SELECT l.position, l.quantity, l.unit_price_minor,
                  coalesce((SELECT sum(rl.quantity) FROM refund_lines rl JOIN refunds f ON f.id = rl.refund_id
                             WHERE f.order_id = l.order_id AND rl.position = l.position
                               AND f.status <> 'failed'), 0)::int AS "refunded!"
             FROM order_lines l WHERE l.order_id = $1 ORDER BY l.position"#,
        order.id
    )
    .fetch_all(&mut *tx)
    .await
    .map_err(unavailable)?;
    let shipping_refunded = sqlx::query_scalar!(
        "SELECT EXISTS (SELECT 1 FROM refunds WHERE order_id = $1 AND shipping AND status <> 'failed') AS \"done!\"",
        order.id
    )
    .fetch_one(&mut *tx)
    .await
    .map_err(unavailable)?;
    Ok(OrderState {
        total: order.total,
        shipping: order.shipping,
        lines: lines
            .iter()
            .map(|l| LineState {
                position: l.position,
                quantity: l.quantity,
                unit_price: l.unit_price_minor,
                refunded: l.refunded,
            })
            .collect(),
        left,
        shipping_refunded,
    })
}

async fn warehouse(conn: &mut PgConnection, code: &str) -> Result<i64, AdminError> {
    sqlx::query_scalar!("SELECT id FROM warehouses WHERE code = $1", code.trim())
        .fetch_optional(conn)
        .await
        .map_err(unavailable)?
        .ok_or_else(|| AdminError::InvalidInput(format!("there is no warehouse {code:?}")))
}

/// Steps 2 and 3: asks the provider for a pending refund and records the outcome.
pub(super) async fn give(
    ops: &Operations,
    signer: &Signed,
    number: &str,
    pending: Pending,
) -> Result<Done, AdminError> {
    let answer = ops
        .provider
        .refund(
            &pending.intent,
            Some(Money::from_minor(pending.amount, pending.currency)),
            &format!("refund:{}", pending.key),
        )
        .await;
    let mut tx = ops.pool.begin().await.map_err(unavailable)?;
    let order = lock(&mut tx, number).await?;
    let still = sqlx::query_scalar!(
        "SELECT status::text AS \"status!\" FROM refunds WHERE id = $1 FOR UPDATE",
        pending.id
    )
    .fetch_one(&mut *tx)
    .await
    .map_err(unavailable)?;
    if still != "pending" {
        // A second submission finished it first.
        return Ok(Done::Already);
    }
    let intent = match answer {
        Ok(intent) => intent,
        Err(PaymentError::Timeout | PaymentError::Unavailable) => {
            return Err(AdminError::Conflict(
                "the payment provider did not answer; submit again in a moment (it will not refund twice)".into(),
            ));
        }
        Err(PaymentError::Rejected { message, .. }) => {
            fail(&mut tx, signer, &order, &pending, &message).await?;
            tx.commit().await.map_err(unavailable)?;
            return Err(AdminError::Conflict(format!(
                "the payment provider refused the refund: {message}"
            )));
        }
        Err(PaymentError::Declined { code, .. }) => {
            fail(&mut tx, signer, &order, &pending, &code).await?;
            tx.commit().await.map_err(unavailable)?;
            return Err(AdminError::Conflict(format!(
                "the payment provider refused the refund: {code}"
            )));
        }
    };
    records::record(&mut tx, order.id, &intent)
        .await
        .map_err(unavailable)?;
    let given = sqlx::query!(
        "UPDATE refunds SET status = 'done', actor = $2 WHERE id = $1
         RETURNING restock_warehouse, reason, shipping",
        pending.id,
        signer.actor.history_name()
    )
    .fetch_one(&mut *tx)
    .await
    .map_err(unavailable)?;
    let lines = sqlx::query!(
        "SELECT rl.position, rl.quantity, l.variant_id, l.title
           FROM refund_lines rl JOIN order_lines l ON l.order_id = $2 AND l.position = rl.position
          WHERE rl.refund_id = $1 ORDER BY rl.position",
        pending.id,
        order.id
    )
    .fetch_all(&mut *tx)
    .await
    .map_err(unavailable)?;
    let actor = signer.actor.history_name();
    if let Some(warehouse) = given.restock_warehouse {
        for l in &lines {
            crate::inventory::ssr::restock(
                &mut tx,
                l.variant_id,
                warehouse,
                l.quantity,
                order.id,
                &actor,
            )
            .await
            .map_err(unavailable)?;
        }
    }
    // The order follows the money: all of it back is refunded.
    let to = if intent.refunded >= intent.captured {
        OrderStatus::Refunded
    } else {
        OrderStatus::PartiallyRefunded
    };
    let before = order.status;
    if before != OrderStatus::Cancelled {
        let reason = format!("{} refunded", order.money(pending.amount));
        match transition(&mut tx, order.id, before, to, &actor, Some(&reason)).await {
            Ok(()) => {}
            Err(TransitionError::Database(e)) => return Err(unavailable(e)),
            Err(e) => return Err(AdminError::Conflict(e.to_string())),
        }
    }
    let cancelled = before == OrderStatus::Cancelled;
    let mut body = format!(
        "{}We have refunded {} to your card for order {}.\n\n",
        if cancelled {
            "Your order has been cancelled. "
        } else {
            ""
        },
        order.money(pending.amount),
        order.number
    );
    for l in &lines {
        body.push_str(&format!("  {} × {}\n", l.quantity, l.title));
    }
    if given.shipping {
        body.push_str("  the delivery charge\n");
    }
    body.push_str(&format!(
        "\nIt can take a few days to show on your statement.\nSee your order: {}\n",
        order_link(&ops.site, &order.number, &order.email)
    ));
    crate::mail::enqueue(
        &mut tx,
        &order.email,
        &if cancelled {
            format!(
                "Your order {} has been cancelled and refunded",
                order.number
            )
        } else {
            format!("Your refund for order {}", order.number)
        },
        &body,
    )
    .await
    .map_err(unavailable)?;
    record(
        &mut tx,
        &signer.actor,
        "order.refund",
        &order,
        Some(serde_json::json!({ "status": before.as_str() })),
        serde_json::json!({
            "status": if before == OrderStatus::Cancelled { before.as_str() } else { to.as_str() },
            "refunded": order.money(pending.amount).decimal_string(),
            "currency": order.currency.code(),
            "units": lines.iter().map(|l| serde_json::json!({"line": l.position, "quantity": l.quantity})).collect::<Vec<_>>(),
            "shipping": given.shipping,
            "restock_warehouse": given.restock_warehouse,
            "reason": given.reason,
        }),
    )
    .await?;
    tx.commit().await.map_err(unavailable)?;
    Ok(Done::Now)
}

async fn fail(
    tx: &mut PgConnection,
    signer: &Signed,
    order: &Locked,
    pending: &Pending,
    why: &str,
) -> Result<(), AdminError> {
    let why: String = why.chars().take(500).collect();
    sqlx::query!(
        "UPDATE refunds SET status = 'failed', failure = $2, actor = $3 WHERE id = $1",
        pending.id,
        why,
        signer.actor.history_name()
    )
    .execute(&mut *tx)
    .await
    .map_err(unavailable)?;
    record(
        tx,
        &signer.actor,
        "order.refund_refused",
        order,
        None,
        serde_json::json!({ "amount": order.money(pending.amount).decimal_string(), "why": why }),
    )
    .await
}
