//! Stock moved from the admin: receipts, counts, transfers, the low-stock level.

use super::{audit, bad, begin};
use crate::audit::Actor;
use crate::inventory::model::MovementKind;
use crate::staff::model::AdminError;
use crate::staff::ssr::unavailable;
use sqlx::{PgConnection, PgPool};

/// The variant and warehouse ids, locking the level row (made if missing).
async fn level(
    tx: &mut PgConnection,
    sku: &str,
    warehouse: &str,
) -> Result<(i64, i64, i32, i32), AdminError> {
    let variant = sqlx::query_scalar!("SELECT id FROM variants WHERE sku = $1", sku.trim())
        .fetch_optional(&mut *tx)
        .await
        .map_err(unavailable)?
        .ok_or_else(|| bad(format!("there is no variant with the SKU {:?}", sku.trim())))?;
    let warehouse_id = sqlx::query_scalar!(
        "SELECT id FROM warehouses WHERE code = $1",
        warehouse.trim()
    )
    .fetch_optional(&mut *tx)
    .await
    .map_err(unavailable)?
    .ok_or_else(|| bad(format!("there is no warehouse {:?}", warehouse.trim())))?;
    sqlx::query!(
        "INSERT INTO stock_levels (variant_id, warehouse_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        variant,
        warehouse_id
    )
    .execute(&mut *tx)
    .await
    .map_err(unavailable)?;
    let row = sqlx::query!(
        "SELECT on_hand, reserved + sold AS \"committed!\" FROM stock_levels
          WHERE variant_id = $1 AND warehouse_id = $2 FOR UPDATE",
        variant,
        warehouse_id
    )
    .fetch_one(&mut *tx)
    .await
    .map_err(unavailable)?;
    Ok((variant, warehouse_id, row.on_hand, row.committed))
}

/// Moves on hand by `delta` with a ledger row of `kind`.
async fn move_on_hand(
    tx: &mut PgConnection,
    variant: i64,
    warehouse: i64,
    delta: i32,
    kind: MovementKind,
    actor: &Actor,
    note: &str,
) -> Result<(), AdminError> {
    sqlx::query!(
        "UPDATE stock_levels SET on_hand = on_hand + $3, updated_at = now()
          WHERE variant_id = $1 AND warehouse_id = $2",
        variant,
        warehouse,
        delta
    )
    .execute(&mut *tx)
    .await
    .map_err(unavailable)?;
    sqlx::query!(
        "INSERT INTO stock_movements (variant_id, warehouse_id, kind, on_hand_delta, actor, note)
         VALUES ($1, $2, $3, $4, $5, $6)",
        variant,
        warehouse,
        kind as MovementKind,
        delta,
        actor.history_name(),
        Some(note).filter(|n| !n.is_empty()),
    )
    .execute(&mut *tx)
    .await
    .map_err(unavailable)?;
    Ok(())
}

fn note(text: &str, required: Option<&str>) -> Result<String, AdminError> {
    let text = text.trim();
    if text.chars().count() > 500 {
        return Err(bad("keep the note under 500 characters"));
    }
    if let (true, Some(what)) = (text.is_empty(), required) {
        return Err(bad(what));
    }
    Ok(text.to_owned())
}

fn units(quantity: i32) -> Result<i32, AdminError> {
    if (1..=1_000_000).contains(&quantity) {
        Ok(quantity)
    } else {
        Err(bad(
            "the quantity must be a whole number from 1 to 1,000,000",
        ))
    }
}

/// Goods arrived at a warehouse.
pub async fn receive(
    pool: &PgPool,
    actor: &Actor,
    key: &str,
    sku: &str,
    warehouse: &str,
    quantity: i32,
    text: &str,
) -> Result<bool, AdminError> {
    let quantity = units(quantity)?;
    let text = note(text, None)?;
    let Some(mut tx) = begin(pool, actor, key, "stock.receive").await? else {
        return Ok(false);
    };
    let (variant, warehouse_id, on_hand, _) = level(&mut tx, sku, warehouse).await?;
    move_on_hand(
        &mut tx,
        variant,
        warehouse_id,
        quantity,
        MovementKind::Receipt,
        actor,
        &text,
    )
    .await?;
    audit(
        &mut tx,
        actor,
        "stock.receive",
        "variant",
        sku.trim(),
        Some(serde_json::json!({ "warehouse": warehouse.trim(), "on_hand": on_hand })),
        serde_json::json!({ "warehouse": warehouse.trim(), "on_hand": on_hand + quantity, "note": text }),
    )
    .await?;
    tx.commit().await.map_err(unavailable)?;
    Ok(true)
}

/// A stock count: on hand becomes `counted`, the difference a ledger row with the reason.
pub async fn adjust(
    pool: &PgPool,
    actor: &Actor,
    key: &str,
    sku: &str,
    warehouse: &str,
    counted: i32,
    reason: &str,
) -> Result<bool, AdminError> {
    if !(0..=1_000_000).contains(&counted) {
        return Err(bad("the count must be a whole number from 0 to 1,000,000"));
    }
    let reason = note(reason, Some("say why the count changed"))?;
    let Some(mut tx) = begin(pool, actor, key, "stock.adjust").await? else {
        return Ok(false);
    };
    let (variant, warehouse_id, on_hand, committed) = level(&mut tx, sku, warehouse).await?;
    if counted < committed {
        return Err(AdminError::Conflict(format!(
            "{committed} units there are held for checkouts or sold and not yet shipped; the count cannot be lower"
        )));
    }
    if counted == on_hand {
        return Ok(false);
    }
    move_on_hand(
        &mut tx,
        variant,
        warehouse_id,
        counted - on_hand,
        MovementKind::Adjustment,
        actor,
        &reason,
    )
    .await?;
    audit(
        &mut tx,
        actor,
        "stock.adjust",
        "variant",
        sku.trim(),
        Some(serde_json::json!({ "warehouse": warehouse.trim(), "on_hand": on_hand })),
        serde_json::json!({ "warehouse": warehouse.trim(), "on_hand": counted, "reason": reason }),
    )
    .await?;
    tx.commit().await.map_err(unavailable)?;
    Ok(true)
}

/// Units moved from one warehouse to another (only what is available there).
#[allow(clippy::too_many_arguments)]
pub async fn transfer(
    pool: &PgPool,
    actor: &Actor,
    key: &str,
    sku: &str,
    from: &str,
    to: &str,
    quantity: i32,
) -> Result<bool, AdminError> {
    let quantity = units(quantity)?;
    if from.trim() == to.trim() {
        return Err(bad("choose two different warehouses"));
    }
    let Some(mut tx) = begin(pool, actor, key, "stock.transfer").await? else {
        return Ok(false);
    };
    // Both rows locked in a fixed order (by code), so two transfers cannot deadlock.
    let (first, second) = if from.trim() < to.trim() {
        (from, to)
    } else {
        (to, from)
    };
    let a = level(&mut tx, sku, first).await?;
    let b = level(&mut tx, sku, second).await?;
    let (source, target) = if first == from { (a, b) } else { (b, a) };
    let available = source.2 - source.3;
    if quantity > available {
        return Err(AdminError::Conflict(format!(
            "only {available} units are available at {} to move",
            from.trim()
        )));
    }
    let out = format!("to {}", to.trim());
    let into = format!("from {}", from.trim());
    move_on_hand(
        &mut tx,
        source.0,
        source.1,
        -quantity,
        MovementKind::Transfer,
        actor,
        &out,
    )
    .await?;
    move_on_hand(
        &mut tx,
        target.0,
        target.1,
        quantity,
        MovementKind::Transfer,
        actor,
        &into,
    )
    .await?;
    audit(
        &mut tx,
        actor,
        "stock.transfer",
        "variant",
        sku.trim(),
        None,
        serde_json::json!({ "from": from.trim(), "to": to.trim(), "quantity": quantity }),
    )
    .await?;
    tx.commit().await.map_err(unavailable)?;
    Ok(true)
}

/// The available units at or below which a variant is low on stock.
pub async fn set_threshold(
    pool: &PgPool,
    actor: &Actor,
    key: &str,
    sku: &str,
    low_stock_at: i32,
) -> Result<bool, AdminError> {
    if !(0..=100_000).contains(&low_stock_at) {
        return Err(bad("the low-stock level must be from 0 to 100,000"));
    }
    let Some(mut tx) = begin(pool, actor, key, "stock.threshold").await? else {
        return Ok(false);
    };
    let before = sqlx::query_scalar!(
        "SELECT low_stock_at FROM variants WHERE sku = $1 FOR UPDATE",
        sku.trim()
    )
    .fetch_optional(&mut *tx)
    .await
    .map_err(unavailable)?
    .ok_or_else(|| bad(format!("there is no variant with the SKU {:?}", sku.trim())))?;
    sqlx::query!(
        "UPDATE variants SET low_stock_at = $2 WHERE sku = $1",
        sku.trim(),
        low_stock_at
    )
    .execute(&mut *tx)
    .await
    .map_err(unavailable)?;
    audit(
        &mut tx,
        actor,
        "stock.threshold",
        "variant",
        sku.trim(),
        Some(serde_json::json!({ "low_stock_at": before })),
        serde_json::json!({ "low_stock_at": low_stock_at }),
    )
    .await?;
    tx.commit().await.map_err(unavailable)?;
    Ok(true)
}
