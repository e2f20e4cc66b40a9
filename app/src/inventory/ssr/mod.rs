//! The inventory service. Every change to a stock level is one statement that also writes
//! its ledger row, so the ledger always sums to the level. Rows of `stock_levels` are
//! locked in one order everywhere (variant, then warehouse), so two checkouts never wait
//! on each other in a circle.

mod holds;
mod reservations;

pub use holds::{active_holds_of, extend, release, release_expired, sell};
pub use reservations::{OwnHold, Reservations};

use super::model::{InventoryError, MovementKind};
use sqlx::PgConnection;

/// The warehouse every shop has; importers count stock there.
pub const MAIN_WAREHOUSE: &str = "main";

fn unavailable(error: impl std::fmt::Display) -> InventoryError {
    tracing::error!(%error, "inventory operation failed");
    InventoryError::Unavailable
}

/// One hold: units of a variant in a warehouse, until it expires or is sold or released.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Held {
    pub reservation_id: i64,
    pub variant_id: i64,
    pub warehouse_id: i64,
    pub quantity: i32,
}

pub async fn warehouse_id(conn: &mut PgConnection, code: &str) -> Result<i64, InventoryError> {
    sqlx::query_scalar!("SELECT id FROM warehouses WHERE code = $1", code)
        .fetch_optional(conn)
        .await
        .map_err(unavailable)?
        .ok_or_else(|| InventoryError::UnknownWarehouse(code.to_owned()))
}

/// Sets the units on hand of a variant in a warehouse (a stock count), recording the
/// difference as a receipt (first stock there) or an adjustment. Returns whether it
/// changed. A count below what is already reserved or sold there is refused.
#[tracing::instrument(skip_all, fields(variant.id = variant_id, warehouse.id = warehouse_id, stock.on_hand = on_hand))]
pub async fn set_on_hand(
    conn: &mut PgConnection,
    variant_id: i64,
    warehouse_id: i64,
    on_hand: i32,
    actor: &str,
) -> Result<bool, InventoryError> {
    if on_hand < 0 {
        return Err(InventoryError::Invalid(format!(
            "stock on hand cannot be negative ({on_hand})"
        )));
    }
    let row = sqlx::query!(
        r#"WITH old AS (
               SELECT on_hand, reserved + sold AS committed FROM stock_levels
                WHERE variant_id = $1 AND warehouse_id = $2 FOR UPDATE),
           level AS (
               INSERT INTO stock_levels (variant_id, warehouse_id, on_hand)
               SELECT $1, $2, $3
                WHERE $3 >= coalesce((SELECT committed FROM old), 0)
               ON CONFLICT (variant_id, warehouse_id) DO UPDATE
                  SET on_hand = EXCLUDED.on_hand, updated_at = now()
                WHERE stock_levels.on_hand <> EXCLUDED.on_hand
               RETURNING on_hand),
           moved AS (
               INSERT INTO stock_movements (variant_id, warehouse_id, kind, on_hand_delta, actor)
               SELECT $1, $2,
                      CASE WHEN (SELECT on_hand FROM old) IS NULL
                           THEN 'receipt'::stock_movement_kind
                           ELSE 'adjustment'::stock_movement_kind END,
                      level.on_hand - coalesce((SELECT on_hand FROM old), 0), $4
                 FROM level
                WHERE level.on_hand <> coalesce((SELECT on_hand FROM old), 0))
           SELECT (SELECT committed FROM old) AS committed,
                  EXISTS (SELECT 1 FROM level) AS "written!""#,
        variant_id,
        warehouse_id,
        on_hand,
        actor,
    )
    .fetch_one(&mut *conn)
    .await
    .map_err(unavailable)?;
    match row.committed {
        Some(committed) if on_hand < committed => {
            let names = sqlx::query!(
                "SELECT v.sku, w.code FROM variants v, warehouses w WHERE v.id = $1 AND w.id = $2",
                variant_id,
                warehouse_id
            )
            .fetch_one(&mut *conn)
            .await
            .map_err(unavailable)?;
            Err(InventoryError::BelowCommitted {
                sku: names.sku,
                warehouse: names.code,
                committed,
            })
        }
        _ => Ok(row.written),
    }
}

/// Goods arrived, or came back: units on hand up, with the ledger row saying which.
#[tracing::instrument(skip_all, fields(variant.id = variant_id, warehouse.id = warehouse_id, stock.quantity = quantity))]
pub async fn receive(
    conn: &mut PgConnection,
    variant_id: i64,
    warehouse_id: i64,
    quantity: i32,
    kind: MovementKind,
    actor: &str,
) -> Result<(), InventoryError> {
    if quantity <= 0 || !matches!(kind, MovementKind::Receipt | MovementKind::Return) {
        return Err(InventoryError::Invalid(format!(
            "cannot receive {quantity} units as {kind:?}"
        )));
    }
    add_on_hand(
        conn,
        variant_id,
        warehouse_id,
        quantity,
        kind,
        None,
        actor,
        None,
    )
    .await
}

/// Units on hand up at a warehouse, with their ledger row.
#[allow(clippy::too_many_arguments)]
async fn add_on_hand(
    conn: &mut PgConnection,
    variant_id: i64,
    warehouse_id: i64,
    quantity: i32,
    kind: MovementKind,
    order_id: Option<i64>,
    actor: &str,
    note: Option<&str>,
) -> Result<(), InventoryError> {
    sqlx::query!(
        r#"WITH level AS (
               INSERT INTO stock_levels (variant_id, warehouse_id, on_hand) VALUES ($1, $2, $3)
               ON CONFLICT (variant_id, warehouse_id) DO UPDATE
                  SET on_hand = stock_levels.on_hand + EXCLUDED.on_hand, updated_at = now()
               RETURNING 1)
           INSERT INTO stock_movements (variant_id, warehouse_id, kind, on_hand_delta, order_id, actor, note)
           SELECT $1, $2, $4, $3, $5, $6, $7 FROM level"#,
        variant_id,
        warehouse_id,
        quantity,
        kind as MovementKind,
        order_id,
        actor,
        note,
    )
    .execute(conn)
    .await
    .map_err(unavailable)?;
    Ok(())
}

/// Sold units leave a warehouse (a shipment): sold and on hand both down.
#[tracing::instrument(skip_all, fields(variant.id = variant_id))]
pub async fn ship(
    conn: &mut PgConnection,
    variant_id: i64,
    warehouse_id: i64,
    quantity: i32,
    order_id: i64,
    actor: &str,
) -> Result<(), InventoryError> {
    let done = sqlx::query!(
        r#"WITH level AS (
               UPDATE stock_levels SET sold = sold - $3, on_hand = on_hand - $3, updated_at = now()
                WHERE variant_id = $1 AND warehouse_id = $2 AND sold >= $3
               RETURNING 1)
           INSERT INTO stock_movements (variant_id, warehouse_id, kind, on_hand_delta, sold_delta, order_id, actor)
           SELECT $1, $2, 'shipment', -$3, -$3, $4, $5 FROM level"#,
        variant_id,
        warehouse_id,
        quantity,
        order_id,
        actor,
    )
    .execute(conn)
    .await
    .map_err(unavailable)?;
    if done.rows_affected() == 0 {
        return Err(InventoryError::Invalid(format!(
            "warehouse {warehouse_id} holds fewer than {quantity} sold units of variant {variant_id}"
        )));
    }
    Ok(())
}

/// Undoes what an order's sale left sold and not shipped (the order was cancelled before
/// it left): sold down, one `return` ledger row per warehouse and variant. Returns the
/// units. In the caller's transaction.
#[tracing::instrument(skip_all, fields(order.id = order_id))]
pub async fn unsell(
    conn: &mut PgConnection,
    order_id: i64,
    actor: &str,
) -> Result<i64, InventoryError> {
    let units = sqlx::query_scalar!(
        r#"WITH open AS (
               SELECT variant_id, warehouse_id, sum(sold_delta)::int AS quantity
                 FROM stock_movements WHERE order_id = $1
                GROUP BY variant_id, warehouse_id HAVING sum(sold_delta) > 0),
           level AS (
               UPDATE stock_levels l SET sold = l.sold - o.quantity, updated_at = now()
                 FROM open o
                WHERE l.variant_id = o.variant_id AND l.warehouse_id = o.warehouse_id
               RETURNING o.variant_id, o.warehouse_id, o.quantity),
           moved AS (
               INSERT INTO stock_movements (variant_id, warehouse_id, kind, sold_delta, order_id, actor, note)
               SELECT variant_id, warehouse_id, 'return', -quantity, $1, $2, 'order cancelled'
                 FROM level
               RETURNING -sold_delta AS quantity)
           SELECT coalesce(sum(quantity), 0)::bigint AS "units!" FROM moved"#,
        order_id,
        actor,
    )
    .fetch_one(conn)
    .await
    .map_err(unavailable)?;
    Ok(units)
}

/// Units an order sent back to `warehouse_id`: on hand up, a `return` ledger row for the
/// order. In the caller's transaction.
pub async fn restock(
    conn: &mut PgConnection,
    variant_id: i64,
    warehouse_id: i64,
    quantity: i32,
    order_id: i64,
    actor: &str,
) -> Result<(), InventoryError> {
    if quantity <= 0 {
        return Err(InventoryError::Invalid(format!(
            "cannot return {quantity} units"
        )));
    }
    add_on_hand(
        conn,
        variant_id,
        warehouse_id,
        quantity,
        MovementKind::Return,
        Some(order_id),
        actor,
        Some("refunded and returned"),
    )
    .await
}
