//! The settling worker: orders left being paid (the provider was down, or a server
//! stopped mid-payment) are finished from what the provider knows, and pending orders
//! whose stock hold expired are cancelled.

use super::payment::{cancel, complete};
use super::{Checkout, unavailable};
use crate::checkout::model::CheckoutError;
use crate::inventory::ssr as inventory;
use crate::orders::model::OrderStatus;
use crate::orders::ssr::placement as orders;
use crate::orders::ssr::placement::PlacedOrder;
use crate::payments::ssr::records;
use crate::payments::wire::IntentStatus;
use tracing::Instrument;

/// One round; returns how many orders it settled.
#[tracing::instrument(skip_all)]
pub async fn settle(co: &Checkout) -> Result<usize, CheckoutError> {
    let stuck = orders::unsettled(&co.pool, co.rules.settle_after.as_secs_f64())
        .await
        .map_err(unavailable)?;
    let mut settled = 0;
    for order in stuck {
        let span = tracing::info_span!("settle", order.number = %order.number, order.status = ?order.status);
        match settle_one(co, &order).instrument(span).await? {
            Some(()) => settled += 1,
            None => continue,
        }
    }
    Ok(settled)
}

/// Settles one order: `Some` when it is settled (or no longer needs to be), `None` when
/// it must wait for a later round.
async fn settle_one(co: &Checkout, order: &PlacedOrder) -> Result<Option<()>, CheckoutError> {
    let order = order.clone();
    {
        let intents = match co.provider.find(&order.number).await {
            Ok(intents) => intents,
            // The provider is still away: try again on the next round.
            Err(_) => return Ok(None),
        };
        let paid = intents
            .into_iter()
            .find(|i| matches!(i.status, IntentStatus::Authorized | IntentStatus::Captured));
        let outcome = match (order.status, paid) {
            (OrderStatus::PaymentProcessing, Some(intent)) => {
                let mut conn = co.pool.acquire().await.map_err(unavailable)?;
                records::record(&mut conn, order.id, &intent)
                    .await
                    .map_err(unavailable)?;
                drop(conn);
                complete(co, &order, intent).await.map(|_| ())
            }
            (OrderStatus::PaymentProcessing, None) => {
                cancel(
                    co,
                    &order,
                    OrderStatus::PaymentProcessing,
                    "no payment reached the provider",
                )
                .await
            }
            (_, _) => {
                // Pending: only once its hold has expired (the shopper has gone).
                let held = inventory::active_holds_of(&co.pool, &order.holder)
                    .await
                    .map_err(unavailable)?;
                if held == 0 {
                    cancel(
                        co,
                        &order,
                        OrderStatus::Pending,
                        "abandoned: the stock hold expired",
                    )
                    .await
                } else {
                    return Ok(None);
                }
            }
        };
        match outcome {
            Ok(()) | Err(CheckoutError::Stock(_)) => Ok(Some(())),
            Err(e) => {
                tracing::warn!(error = %e, "could not settle an order");
                Ok(None)
            }
        }
    }
}
