//! Warehouses and the regions they serve, made and changed from the admin.

use super::{audit, bad, begin};
use crate::audit::Actor;
use crate::inventory::admin::model::{Region, Warehouse};
use crate::staff::model::AdminError;
use crate::staff::ssr::unavailable;
use sqlx::PgPool;

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
