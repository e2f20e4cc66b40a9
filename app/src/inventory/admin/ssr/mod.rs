//! Inventory changes from the admin, each in one transaction with its ledger rows and its
//! audit entry, once per form key. The database's own rule (never below what is held or
//! sold, `stock_never_oversold`) refuses what would oversell; the messages here say why
//! first.

mod places;
mod stock;

pub use places::{save_region, save_warehouse};
pub use stock::{adjust, receive, set_threshold, transfer};

use super::model::{InventoryBoard, Level, Movement, Region, VariantStock, Warehouse};
use crate::audit::{Actor, Change};
use crate::inventory::model::MovementKind;
use crate::staff::model::AdminError;
use crate::staff::ssr::unavailable;
use sqlx::{PgConnection, PgPool, Postgres, Transaction};

pub(super) fn bad(message: impl Into<String>) -> AdminError {
    AdminError::InvalidInput(message.into())
}

/// The page: the variant `sku` (when given and found), warehouses, regions.
pub async fn board(pool: &PgPool, sku: &str) -> Result<InventoryBoard, AdminError> {
    let sku = sku.trim();
    let variant = if sku.is_empty() {
        None
    } else {
        Some(
            variant_stock(pool, sku)
                .await?
                .ok_or_else(|| bad(format!("there is no variant with the SKU {sku:?}")))?,
        )
    };
    let warehouses = sqlx::query_as!(
        Warehouse,
        "SELECT code, name, region, priority, active FROM warehouses ORDER BY priority, code"
    )
    .fetch_all(pool)
    .await
    .map_err(unavailable)?;
    let regions = sqlx::query_as!(
        Region,
        "SELECT code, name, countries FROM regions ORDER BY code"
    )
    .fetch_all(pool)
    .await
    .map_err(unavailable)?;
    Ok(InventoryBoard {
        variant,
        warehouses,
        regions,
        key: crate::admin::requests::new_key(),
    })
}

async fn variant_stock(pool: &PgPool, sku: &str) -> Result<Option<VariantStock>, AdminError> {
    let Some(v) = sqlx::query!(
        "SELECT v.id, v.sku, p.title, v.low_stock_at FROM variants v
           JOIN products p ON p.id = v.product_id WHERE v.sku = $1",
        sku
    )
    .fetch_optional(pool)
    .await
    .map_err(unavailable)?
    else {
        return Ok(None);
    };
    let levels = sqlx::query!(
        r#"SELECT w.code, w.name, coalesce(l.on_hand, 0) AS "on_hand!",
                  coalesce(l.reserved, 0) AS "reserved!", coalesce(l.sold, 0) AS "sold!"
             FROM warehouses w
             LEFT JOIN stock_levels l ON l.warehouse_id = w.id AND l.variant_id = $1
            ORDER BY w.priority, w.code"#,
        v.id
    )
    .fetch_all(pool)
    .await
    .map_err(unavailable)?
    .into_iter()
    .map(|l| Level {
        warehouse: l.code,
        warehouse_name: l.name,
        on_hand: l.on_hand,
        reserved: l.reserved,
        sold: l.sold,
    })
    .collect();
    let movements = sqlx::query!(
        r#"SELECT m.created_at, w.code, m.kind AS "kind: MovementKind", m.on_hand_delta,
                  m.reserved_delta, m.sold_delta, m.actor, coalesce(m.note, '') AS "note!"
             FROM stock_movements m JOIN warehouses w ON w.id = m.warehouse_id
            WHERE m.variant_id = $1 ORDER BY m.id DESC LIMIT 50"#,
        v.id
    )
    .fetch_all(pool)
    .await
    .map_err(unavailable)?
    .into_iter()
    .map(|m| Movement {
        at: m.created_at.format("%Y-%m-%d %H:%M").to_string(),
        warehouse: m.code,
        kind: m.kind,
        on_hand: m.on_hand_delta,
        reserved: m.reserved_delta,
        sold: m.sold_delta,
        actor: m.actor,
        note: m.note,
    })
    .collect();
    Ok(Some(VariantStock {
        sku: v.sku,
        title: v.title,
        low_stock_at: v.low_stock_at,
        levels,
        movements,
    }))
}

/// A transaction for one form: the actor named for the history triggers, the key spent.
/// None when the form was handled before.
pub(super) async fn begin<'a>(
    pool: &'a PgPool,
    actor: &Actor,
    key: &str,
    action: &str,
) -> Result<Option<Transaction<'a, Postgres>>, AdminError> {
    let key = crate::admin::requests::parse_key(key)?;
    let mut tx = pool.begin().await.map_err(unavailable)?;
    crate::audit::ssr::act_as(&mut tx, actor)
        .await
        .map_err(unavailable)?;
    if !crate::admin::requests::first_time(&mut tx, key, action).await? {
        return Ok(None);
    }
    Ok(Some(tx))
}

pub(super) async fn audit(
    tx: &mut PgConnection,
    actor: &Actor,
    action: &str,
    entity: &str,
    entity_id: &str,
    before: Option<serde_json::Value>,
    after: serde_json::Value,
) -> Result<(), AdminError> {
    crate::audit::record(
        tx,
        actor,
        Change {
            action,
            entity,
            entity_id: entity_id.to_owned(),
            before,
            after: Some(after),
        },
    )
    .await
    .map(|_| ())
    .map_err(unavailable)
}
