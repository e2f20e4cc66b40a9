//! Order transitions. The database checks each against the machine and records it
//! (with the actor and reason set here) and its outbox event in the same transaction;
//! the code checks first so the message is ours.

use crate::orders::model::{InvalidTransition, OrderStatus};
use sqlx::PgConnection;

#[derive(Debug, thiserror::Error)]
pub enum TransitionError {
    #[error(transparent)]
    Invalid(#[from] InvalidTransition),
    /// The order was not in the status the caller saw (someone else moved it first).
    #[error("the order is no longer {0:?}")]
    Moved(OrderStatus),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Moves an order from `from` to `to` inside the caller's transaction, as `actor`, for
/// `reason`. Fails without writing if the machine has no such step, or if the order is
/// not (any longer) in `from`.
pub async fn transition(
    tx: &mut PgConnection,
    order_id: i64,
    from: OrderStatus,
    to: OrderStatus,
    actor: &str,
    reason: Option<&str>,
) -> Result<(), TransitionError> {
    if !from.can_become(to) {
        return Err(InvalidTransition { from, to }.into());
    }
    sqlx::query!(
        r#"SELECT set_config('mercato.actor', $1, true) AS "actor",
                  set_config('mercato.reason', $2, true) AS "reason""#,
        actor,
        reason.unwrap_or(""),
    )
    .fetch_one(&mut *tx)
    .await?;
    let done = sqlx::query!(
        "UPDATE orders SET status = $3 WHERE id = $1 AND status = $2",
        order_id,
        from as OrderStatus,
        to as OrderStatus,
    )
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(TransitionError::Moved(from));
    }
    Ok(())
}
