//! Parcels shipped by hand: staff choose units of a packed parcel, name the carrier and
//! the tracking number, and those units leave as a parcel of their own (the rest stay
//! packed); a parcel shipped by hand is marked delivered by staff, since no carrier
//! tracker follows it. Both go through `orders::ssr::parcels`, as the fulfilment
//! workers do, under the order's lock, with an audit entry, once per form key.

use super::{Done, Operations, first_time, lock, order_link, parse_key, record};
use crate::orders::admin::operations::{AdminParcel, ParcelLine};
use crate::orders::model::OrderStatus;
use crate::orders::ssr::parcels::{self, ParcelError};
use crate::staff::model::AdminError;
use crate::staff::ssr::{Signed, unavailable};
use serde_json::json;
use sqlx::{PgConnection, PgPool};

fn bad(m: impl Into<String>) -> AdminError {
    AdminError::InvalidInput(m.into())
}

fn failed(e: ParcelError) -> AdminError {
    match e {
        ParcelError::Database(sqlx::Error::Database(db)) if db.is_unique_violation() => {
            AdminError::Conflict("another parcel has that tracking number".into())
        }
        other => unavailable(other),
    }
}

/// A carrier's name and a tracking number as kept: one line each.
pub fn parcel_labels(carrier: &str, tracking: &str) -> Result<(String, String), AdminError> {
    let carrier = carrier.split_whitespace().collect::<Vec<_>>().join(" ");
    let tracking = tracking.trim().to_owned();
    if carrier.is_empty() || carrier.chars().count() > 60 {
        return Err(bad("name the carrier (up to 60 characters)"));
    }
    if !(3..=64).contains(&tracking.len())
        || !tracking
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'))
    {
        return Err(bad(
            "a tracking number is 3 to 64 letters, digits, dashes, dots or slashes",
        ));
    }
    Ok((carrier, tracking))
}

/// An order's parcels in a status, with what is in them.
pub(crate) async fn parcels_of(
    pool: &PgPool,
    order_id: i64,
    status: &str,
    manual_only: bool,
) -> Result<Vec<AdminParcel>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT s.id, w.code, s.tracking_number, l.variant_id, v.sku, l.quantity,
                  coalesce((SELECT ol.title FROM order_lines ol
                             WHERE ol.order_id = s.order_id AND ol.variant_id = l.variant_id
                             ORDER BY ol.position LIMIT 1), v.sku) AS "title!"
             FROM shipments s
             JOIN warehouses w ON w.id = s.warehouse_id
             JOIN shipment_lines l ON l.shipment_id = s.id
             JOIN variants v ON v.id = l.variant_id
            WHERE s.order_id = $1 AND s.status::text = $2 AND (s.manual OR NOT $3)
            ORDER BY s.id, v.sku"#,
        order_id,
        status,
        manual_only
    )
    .fetch_all(pool)
    .await?;
    let mut out: Vec<AdminParcel> = Vec::new();
    for r in rows {
        if out.last().is_none_or(|p| p.id != r.id) {
            out.push(AdminParcel {
                id: r.id,
                warehouse: r.code.clone(),
                tracking: r.tracking_number.clone(),
                lines: Vec::new(),
            });
        }
        if let Some(p) = out.last_mut() {
            p.lines.push(ParcelLine {
                variant_id: r.variant_id,
                sku: r.sku,
                title: r.title,
                quantity: r.quantity,
            });
        }
    }
    Ok(out)
}

/// Moves the chosen units out of the packed parcel `from` into a new parcel (both of
/// the same warehouse), each keeping its own weight; returns the new parcel.
async fn split(tx: &mut PgConnection, from: i64, picks: &[(i64, i32)]) -> Result<i64, sqlx::Error> {
    let new = sqlx::query_scalar!(
        "INSERT INTO shipments (order_id, warehouse_id, manual)
         SELECT order_id, warehouse_id, true FROM shipments WHERE id = $1 RETURNING id",
        from
    )
    .fetch_one(&mut *tx)
    .await?;
    for &(variant, quantity) in picks {
        sqlx::query!(
            "INSERT INTO shipment_lines (shipment_id, variant_id, quantity) VALUES ($1, $2, $3)",
            new,
            variant,
            quantity
        )
        .execute(&mut *tx)
        .await?;
        sqlx::query!(
            "UPDATE shipment_lines SET quantity = quantity - $3 WHERE shipment_id = $1 AND variant_id = $2",
            from,
            variant,
            quantity
        )
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query!(
        "DELETE FROM shipment_lines WHERE shipment_id = $1 AND quantity = 0",
        from
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "UPDATE shipments s SET weight_grams = coalesce((
             SELECT sum(v.weight_grams::bigint * l.quantity) FROM shipment_lines l
               JOIN variants v ON v.id = l.variant_id WHERE l.shipment_id = s.id), 0)
          WHERE s.id = ANY($1)",
        &[from, new]
    )
    .execute(&mut *tx)
    .await?;
    Ok(new)
}

/// Ships `picks` (variant, units) of the order's packed parcel `shipment` by hand.
#[allow(clippy::too_many_arguments)]
pub async fn ship_by_hand(
    ops: &Operations,
    signer: &Signed,
    number: &str,
    shipment: i64,
    picks: &[(i64, i32)],
    carrier: &str,
    tracking: &str,
    key: &str,
) -> Result<Done, AdminError> {
    let key = parse_key(key)?;
    let (carrier, tracking) = parcel_labels(carrier, tracking)?;
    let picks: Vec<(i64, i32)> = picks.iter().copied().filter(|(_, n)| *n != 0).collect();
    if picks.is_empty() {
        return Err(bad("choose the units that go in the parcel"));
    }
    let mut tx = ops.pool.begin().await.map_err(unavailable)?;
    let order = lock(&mut tx, number).await?;
    if !first_time(&mut tx, key, "orders.ship").await? {
        return Ok(Done::Already);
    }
    if order.status != OrderStatus::Fulfilment {
        return Err(AdminError::Conflict(format!(
            "the order is {}: only an order being packed ships",
            order.status.label().to_lowercase()
        )));
    }
    let packed = sqlx::query!(
        "SELECT l.variant_id, l.quantity FROM shipments s JOIN shipment_lines l ON l.shipment_id = s.id
          WHERE s.id = $1 AND s.order_id = $2 AND s.status = 'packed' FOR UPDATE OF s",
        shipment,
        order.id
    )
    .fetch_all(&mut *tx)
    .await
    .map_err(unavailable)?;
    if packed.is_empty() {
        return Err(AdminError::Conflict(
            "that parcel is not waiting to be shipped (it may have just left)".into(),
        ));
    }
    let mut seen = std::collections::HashSet::new();
    for &(variant, n) in &picks {
        let Some(line) = packed.iter().find(|l| l.variant_id == variant) else {
            return Err(bad("choose units from the parcel's own lines"));
        };
        if n < 0 || n > line.quantity || !seen.insert(variant) {
            return Err(bad(format!(
                "a line of the parcel holds {} units; choose from 0 to {}",
                line.quantity, line.quantity
            )));
        }
    }
    let whole = packed.iter().all(|l| {
        picks
            .iter()
            .any(|&(v, n)| v == l.variant_id && n == l.quantity)
    });
    let parcel = if whole {
        sqlx::query!("UPDATE shipments SET manual = true WHERE id = $1", shipment)
            .execute(&mut *tx)
            .await
            .map_err(unavailable)?;
        shipment
    } else {
        split(&mut tx, shipment, &picks)
            .await
            .map_err(unavailable)?
    };
    let who = signer.actor.label.clone();
    let shipped = parcels::out(
        &mut tx,
        &parcels::Order {
            id: order.id,
            number: &order.number,
            email: &order.email,
            status: order.status,
            link: order_link(&ops.site, &order.number, &order.email),
        },
        parcel,
        &carrier,
        &tracking,
        &who,
    )
    .await
    .map_err(failed)?;
    if !shipped {
        return Err(AdminError::Conflict("that parcel has just left".into()));
    }
    record(
        &mut tx,
        &signer.actor,
        "orders.ship",
        &order,
        Some(json!({ "parcel": shipment })),
        json!({
            "parcel": parcel,
            "units": picks.iter().map(|(v, n)| json!({ "variant": v, "units": n })).collect::<Vec<_>>(),
            "carrier": carrier,
            "tracking": tracking,
        }),
    )
    .await?;
    tx.commit().await.map_err(unavailable)?;
    Ok(Done::Now)
}

/// Marks a parcel shipped by hand as delivered.
pub async fn mark_delivered(
    ops: &Operations,
    signer: &Signed,
    number: &str,
    shipment: i64,
    key: &str,
) -> Result<Done, AdminError> {
    let key = parse_key(key)?;
    let mut tx = ops.pool.begin().await.map_err(unavailable)?;
    let order = lock(&mut tx, number).await?;
    if !first_time(&mut tx, key, "orders.delivered").await? {
        return Ok(Done::Already);
    }
    let manual = sqlx::query_scalar!(
        "SELECT manual FROM shipments WHERE id = $1 AND order_id = $2 AND status = 'shipped'",
        shipment,
        order.id
    )
    .fetch_optional(&mut *tx)
    .await
    .map_err(unavailable)?;
    match manual {
        None => return Err(AdminError::NotFound),
        Some(false) => {
            return Err(AdminError::Conflict(
                "the carrier reports that parcel's delivery".into(),
            ));
        }
        Some(true) => {}
    }
    parcels::delivered(
        &mut tx,
        order.id,
        order.status,
        shipment,
        &signer.actor.label,
        "staff marked it delivered",
    )
    .await
    .map_err(failed)?;
    record(
        &mut tx,
        &signer.actor,
        "orders.delivered",
        &order,
        None,
        json!({ "parcel": shipment }),
    )
    .await?;
    tx.commit().await.map_err(unavailable)?;
    Ok(Done::Now)
}
