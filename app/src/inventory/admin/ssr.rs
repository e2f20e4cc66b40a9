//! Inventory changes from the admin, each in one transaction with its ledger rows and its
//! audit entry, once per form key. The database's own rule (never below what is held or
//! sold, `stock_never_oversold`) refuses what would oversell; the messages here say why
//! first.

use super::model::{InventoryBoard, Level, Movement, Region, VariantStock, Warehouse};
use crate::audit::{Actor, Change};
use crate::inventory::model::MovementKind;
use crate::staff::model::AdminError;
use crate::staff::ssr::unavailable;
use sqlx::{PgConnection, PgPool, Postgres, Transaction};

fn bad(message: impl Into<String>) -> AdminError {
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
async fn begin<'a>(
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

async fn audit(
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

/// Creates or changes a warehouse (by its code).
pub async fn save_warehouse(
    pool: &PgPool,
    actor: &Actor,
    key: &str,
    w: &Warehouse,
) -> Result<bool, AdminError> {
    let code = w.code.trim();
    let valid_code = !code.is_empty()
        && code.len() <= 32
        && code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !code.starts_with('-');
    if !valid_code {
        return Err(bad(
            "a warehouse code is lowercase letters, digits and dashes (up to 32)",
        ));
    }
    let name = w.name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(bad("a warehouse needs a name of up to 200 characters"));
    }
    if !(0..=100_000).contains(&w.priority) {
        return Err(bad("the priority must be from 0 to 100,000"));
    }
    let Some(mut tx) = begin(pool, actor, key, "warehouse.save").await? else {
        return Ok(false);
    };
    let region = sqlx::query_scalar!("SELECT code FROM regions WHERE code = $1", w.region.trim())
        .fetch_optional(&mut *tx)
        .await
        .map_err(unavailable)?
        .ok_or_else(|| bad("choose a region from the list"))?;
    let before = sqlx::query_as!(
        Warehouse,
        "SELECT code, name, region, priority, active FROM warehouses WHERE code = $1 FOR UPDATE",
        code
    )
    .fetch_optional(&mut *tx)
    .await
    .map_err(unavailable)?;
    sqlx::query!(
        "INSERT INTO warehouses (code, name, region, priority, active) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (code) DO UPDATE
            SET name = EXCLUDED.name, region = EXCLUDED.region, priority = EXCLUDED.priority,
                active = EXCLUDED.active",
        code,
        name,
        region,
        w.priority,
        w.active
    )
    .execute(&mut *tx)
    .await
    .map_err(unavailable)?;
    audit(
        &mut tx,
        actor,
        if before.is_some() { "warehouse.update" } else { "warehouse.create" },
        "warehouse",
        code,
        before.map(|b| serde_json::to_value(b).unwrap_or_default()),
        serde_json::json!({ "code": code, "name": name, "region": region, "priority": w.priority, "active": w.active }),
    )
    .await?;
    tx.commit().await.map_err(unavailable)?;
    Ok(true)
}

/// Creates or changes a region (by its code) and the countries it serves.
pub async fn save_region(
    pool: &PgPool,
    actor: &Actor,
    key: &str,
    code: &str,
    name: &str,
    countries: &str,
) -> Result<bool, AdminError> {
    let code = code.trim().to_uppercase();
    let valid_code = code.len() >= 2
        && code.len() <= 16
        && code.as_bytes()[0].is_ascii_uppercase()
        && code
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-');
    if !valid_code {
        return Err(bad(
            "a region code is 2 to 16 capital letters, digits and dashes",
        ));
    }
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(bad("a region needs a name of up to 200 characters"));
    }
    let mut list: Vec<String> = Vec::new();
    for c in countries
        .split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        let c = c.to_uppercase();
        if c.len() != 2 || !c.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(bad(format!(
                "{c:?} is not a two-letter country code (such as GB)"
            )));
        }
        if !list.contains(&c) {
            list.push(c);
        }
    }
    let Some(mut tx) = begin(pool, actor, key, "region.save").await? else {
        return Ok(false);
    };
    let before = sqlx::query_as!(
        Region,
        "SELECT code, name, countries FROM regions WHERE code = $1 FOR UPDATE",
        code
    )
    .fetch_optional(&mut *tx)
    .await
    .map_err(unavailable)?;
    sqlx::query!(
        "INSERT INTO regions (code, name, countries) VALUES ($1, $2, $3)
         ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, countries = EXCLUDED.countries",
        code,
        name,
        &list
    )
    .execute(&mut *tx)
    .await
    .map_err(unavailable)?;
    audit(
        &mut tx,
        actor,
        if before.is_some() {
            "region.update"
        } else {
            "region.create"
        },
        "region",
        &code,
        before.map(|b| serde_json::to_value(b).unwrap_or_default()),
        serde_json::json!({ "code": code, "name": name, "countries": list }),
    )
    .await?;
    tx.commit().await.map_err(unavailable)?;
    Ok(true)
}
