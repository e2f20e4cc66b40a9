//! How holds end: kept longer while the shopper pays, released (abandoned, declined,
//! expired) or sold to an order.

use super::{Held, unavailable};
use crate::inventory::model::InventoryError;
use sqlx::{PgConnection, PgPool};
use std::time::Duration;

/// Keeps a checkout's holds for another `ttl` from now (the shopper is still there).
/// Returns how many holds are still active.
#[tracing::instrument(skip_all, fields(inventory.holder = %holder))]
pub async fn extend(pool: &PgPool, holder: &str, ttl: Duration) -> Result<u64, InventoryError> {
    let done = sqlx::query!(
        "UPDATE reservations SET expires_at = now() + make_interval(secs => $2), updated_at = now()
          WHERE holder = $1 AND status = 'active'",
        holder,
        ttl.as_secs_f64(),
    )
    .execute(pool)
    .await
    .map_err(unavailable)?;
    Ok(done.rows_affected())
}

/// Ends the given active holds: released (the units are available again) or sold (they
/// belong to an order until shipped), in one call of the database's `stock_finish`
/// (which locks the stock rows in order first). Returns the holds it ended; holds no
/// longer active are skipped.
async fn finish(
    conn: &mut PgConnection,
    ids: &[i64],
    sold_to: Option<i64>,
    actor: &str,
) -> Result<Vec<Held>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    sqlx::query_as!(
        Held,
        r#"SELECT id AS "reservation_id!", variant_id AS "variant_id!",
                  warehouse_id AS "warehouse_id!", quantity AS "quantity!"
             FROM stock_finish($1, $2, $3)"#,
        ids,
        sold_to,
        actor,
    )
    .fetch_all(conn)
    .await
}

/// How many holds of a checkout are still active.
pub async fn active_holds_of(pool: &PgPool, holder: &str) -> Result<i64, InventoryError> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM reservations WHERE holder = $1 AND status = 'active'"#,
        holder
    )
    .fetch_one(pool)
    .await
    .map_err(unavailable)
}

/// Ends every active hold of `holder`: released, or sold to `sold_to`.
async fn finish_holder(
    conn: &mut PgConnection,
    holder: &str,
    sold_to: Option<i64>,
    actor: &str,
) -> Result<Vec<Held>, InventoryError> {
    sqlx::query_as!(
        Held,
        r#"SELECT id AS "reservation_id!", variant_id AS "variant_id!",
                  warehouse_id AS "warehouse_id!", quantity AS "quantity!"
             FROM stock_finish(active_holds($1), $2, $3)"#,
        holder,
        sold_to,
        actor,
    )
    .fetch_all(conn)
    .await
    .map_err(unavailable)
}

fn units(holds: &[Held]) -> i64 {
    holds.iter().map(|h| i64::from(h.quantity)).sum()
}

/// Releases a checkout's holds (abandoned, or its payment failed). Returns the units.
#[tracing::instrument(skip_all, fields(inventory.holder = %holder, actor = %actor))]
pub async fn release(
    conn: &mut PgConnection,
    holder: &str,
    actor: &str,
) -> Result<i64, InventoryError> {
    Ok(units(&finish_holder(conn, holder, None, actor).await?))
}

/// Turns a checkout's holds into a sale for `order_id` (on payment capture). Every unit
/// of `expected` must still be held, else nothing is sold and the caller must not take
/// the money. (Checkout confirms with the database's `order_confirm`, which does the same
/// in the confirming transaction.)
#[tracing::instrument(skip_all, fields(inventory.holder = %holder, order.id = order_id))]
pub async fn sell(
    conn: &mut PgConnection,
    holder: &str,
    order_id: i64,
    expected_units: i64,
    actor: &str,
) -> Result<Vec<Held>, InventoryError> {
    let mut tx = sqlx::Connection::begin(&mut *conn)
        .await
        .map_err(unavailable)?;
    let done = finish_holder(&mut tx, holder, Some(order_id), actor).await?;
    if units(&done) != expected_units {
        tx.rollback().await.map_err(unavailable)?;
        return Err(InventoryError::NotHeld);
    }
    tx.commit().await.map_err(unavailable)?;
    Ok(done)
}

/// Releases holds whose time ran out, a batch at a time (the expiry worker). Returns how
/// many it released.
#[tracing::instrument(skip_all, fields(inventory.batch = batch))]
pub async fn release_expired(pool: &PgPool, batch: i64) -> Result<usize, InventoryError> {
    let mut conn = pool.acquire().await.map_err(unavailable)?;
    let ids = sqlx::query_scalar!(
        "SELECT id FROM reservations
          WHERE status = 'active' AND expires_at < now()
          ORDER BY expires_at LIMIT $1",
        batch
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(unavailable)?;
    let done = finish(&mut conn, &ids, None, "worker:reservation-expiry")
        .await
        .map_err(unavailable)?;
    Ok(done.len())
}
