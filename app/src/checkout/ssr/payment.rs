//! Paying for an opened order: authorize and capture through the provider (one call,
//! keys from the order number, so nothing can charge twice), then confirm through the
//! orders concept. A decline cancels the order and releases its stock; a provider that
//! does not answer leaves the order being paid, for a retry or the settling worker.

use super::{Checkout, unavailable};
use crate::checkout::model::{CheckoutError, Placed};
use crate::inventory::ssr as inventory;
use crate::orders::model::OrderStatus;
use crate::orders::ssr::placement::{self as orders, Confirmed, PlacedOrder};
use crate::orders::ssr::{TransitionError, transition};
use crate::payments::Capture;
use crate::payments::ssr::{PaymentError, records};
use crate::payments::wire::{AuthorizeRequest, Intent, IntentStatus};

/// Who moves orders in their history when checkout does.
const ACTOR: &str = "checkout";

fn placed(order: &PlacedOrder, status: OrderStatus) -> Placed {
    Placed {
        number: order.number.clone(),
        status,
        total: order.total,
    }
}

fn payment_unavailable(number: &str) -> CheckoutError {
    CheckoutError::PaymentUnavailable(format!(
        "we could not reach the payment provider for order {number}; submit again in a moment \
         (you will not be charged twice), or we will finish or cancel it shortly"
    ))
}

/// Carries on with an order a previous request made with the same key.
pub(super) async fn resume(
    co: &Checkout,
    order: PlacedOrder,
    card: &str,
) -> Result<Placed, CheckoutError> {
    match order.status {
        OrderStatus::Pending | OrderStatus::PaymentProcessing => {
            // Its stock is still held unless it expired; payment picks up where it was.
            pay(co, order, card).await
        }
        OrderStatus::Cancelled => {
            // A declined card (or a payment that never started): this form is spent, and
            // the page offers a new one.
            let reason = orders::cancel_reason(&co.pool, order.id)
                .await
                .map_err(unavailable)?
                .unwrap_or_else(|| "it was cancelled".into());
            Err(CheckoutError::Declined(format!(
                "order {} was not placed ({reason}); you have not been charged",
                order.number
            )))
        }
        status => Ok(placed(&order, status)),
    }
}

/// Cancels an order from `from` and releases its stock.
#[tracing::instrument(skip_all, fields(order.number = %order.number, reason = reason))]
pub(super) async fn cancel(
    co: &Checkout,
    order: &PlacedOrder,
    from: OrderStatus,
    reason: &str,
) -> Result<(), CheckoutError> {
    let mut conn = co.pool.acquire().await.map_err(unavailable)?;
    let mut tx = sqlx::Connection::begin(&mut *conn)
        .await
        .map_err(unavailable)?;
    match transition(
        &mut tx,
        order.id,
        from,
        OrderStatus::Cancelled,
        ACTOR,
        Some(reason),
    )
    .await
    {
        Ok(()) | Err(TransitionError::Moved(_)) => {}
        Err(e) => return Err(unavailable(e)),
    }
    tx.commit().await.map_err(unavailable)?;
    inventory::release(&mut conn, &order.holder, ACTOR)
        .await
        .map_err(unavailable)?;
    Ok(())
}

/// Keeps the provider's view of a payment: the intent id, token and last four digits.
async fn record(co: &Checkout, order_id: i64, intent: &Intent) -> Result<(), CheckoutError> {
    let mut conn = co.pool.acquire().await.map_err(unavailable)?;
    records::record(&mut conn, order_id, intent)
        .await
        .map_err(unavailable)
}

/// Authorize, capture, and confirm.
#[tracing::instrument(skip_all, fields(order.number = %order.number, payment.intent))]
pub(super) async fn pay(
    co: &Checkout,
    order: PlacedOrder,
    card: &str,
) -> Result<Placed, CheckoutError> {
    if order.status == OrderStatus::Pending {
        // The shopper is here: keep the stock for the payment's duration.
        inventory::extend(&co.pool, &order.holder, co.rules.reservation_ttl)
            .await
            .map_err(unavailable)?;
        let mut conn = co.pool.acquire().await.map_err(unavailable)?;
        let mut tx = sqlx::Connection::begin(&mut *conn)
            .await
            .map_err(unavailable)?;
        match transition(
            &mut tx,
            order.id,
            OrderStatus::Pending,
            OrderStatus::PaymentProcessing,
            ACTOR,
            None,
        )
        .await
        {
            Ok(()) => tx.commit().await.map_err(unavailable)?,
            Err(TransitionError::Moved(_)) => {
                // Another request moved it on: report where it is.
                drop(tx);
                drop(conn);
                let status = orders::status(&co.pool, order.id)
                    .await
                    .map_err(unavailable)?;
                return Ok(placed(&order, status));
            }
            Err(e) => return Err(unavailable(e)),
        }
    }
    let request = AuthorizeRequest {
        amount: order.total.minor(),
        currency: order.total.currency().code().to_owned(),
        card_number: card.to_owned(),
        reference: order.number.clone(),
        // The stock is held already: take the money in the same call (unless staff take
        // it). Should the order not be confirmable after all, it goes back (`complete`).
        capture: takes_money(co, &order),
    };
    let intent = match co
        .provider
        .authorize(&request, &format!("authorize:{}", order.number))
        .await
    {
        Ok(intent) => intent,
        Err(PaymentError::Declined { code, intent }) => {
            record(co, order.id, &intent).await?;
            cancel(
                co,
                &order,
                OrderStatus::PaymentProcessing,
                &format!("card declined: {code}"),
            )
            .await?;
            return Err(CheckoutError::Declined(format!(
                "your card was declined ({}); you have not been charged",
                code.replace('_', " ")
            )));
        }
        Err(PaymentError::Rejected { message, .. }) => {
            // The provider refused the request itself (e.g. a card number it cannot
            // read): nothing was charged; the shopper may correct it with a new form.
            cancel(co, &order, OrderStatus::PaymentProcessing, &message).await?;
            return Err(CheckoutError::InvalidInput(message));
        }
        Err(PaymentError::Timeout | PaymentError::Unavailable) => {
            tracing::warn!("the payment provider did not answer; the order waits");
            return Err(payment_unavailable(&order.number));
        }
    };
    tracing::Span::current().record("payment.intent", intent.id.as_str());
    // The payment row is written with the confirmation (a crash before it is settled
    // from the provider's records, which the order number finds).
    complete(co, &order, intent).await
}

/// Whether checkout takes the money for `order` (else it is only authorized, and the
/// order waits for staff): the shop's way, unless the order's risk holds it for review.
fn takes_money(co: &Checkout, order: &PlacedOrder) -> bool {
    co.rules.capture == Capture::Automatic && !co.rules.review.holds(order.risk)
}

/// Captures an authorized intent if the shop takes the money at checkout, then sells the
/// stock and confirms the order (or leaves it authorized, for staff to capture) in one
/// transaction. If the stock is no longer held (it expired during a very long payment),
/// the money goes back (or the authorization is let go) and the order is cancelled.
pub(super) async fn complete(
    co: &Checkout,
    order: &PlacedOrder,
    intent: Intent,
) -> Result<Placed, CheckoutError> {
    let intent = if intent.status == IntentStatus::Authorized && takes_money(co, order) {
        match co
            .provider
            .capture(&intent.id, None, &format!("capture:{}", order.number))
            .await
        {
            Ok(captured) => captured,
            Err(PaymentError::Timeout | PaymentError::Unavailable) => {
                return Err(payment_unavailable(&order.number));
            }
            Err(e) => return Err(unavailable(e)),
        }
    } else {
        intent
    };
    let to = match intent.status {
        IntentStatus::Captured => OrderStatus::Confirmed,
        IntentStatus::Authorized => OrderStatus::Authorized,
        other => {
            return Err(unavailable(format!("intent {} is {other:?}", intent.id)));
        }
    };
    match orders::confirm(&co.pool, order, ACTOR, &intent, to)
        .await
        .map_err(unavailable)?
    {
        Confirmed::Now => Ok(placed(order, to)),
        Confirmed::Already(status) => Ok(placed(order, status)),
        Confirmed::NotHeld => {
            let given_back = if to == OrderStatus::Authorized {
                co.provider
                    .void(&intent.id, &format!("void:{}", order.number))
                    .await
            } else {
                co.provider
                    .refund(&intent.id, None, &format!("refund:{}", order.number))
                    .await
            };
            if let Ok(i) = &given_back {
                record(co, order.id, i).await?;
            }
            cancel(
                co,
                order,
                OrderStatus::PaymentProcessing,
                "the stock held for it expired",
            )
            .await?;
            Err(CheckoutError::Stock(if to == OrderStatus::Authorized {
                "the items were released before the payment finished; your card has not been charged".into()
            } else {
                "the items were released before the payment finished; your payment has been refunded".into()
            }))
        }
    }
}
