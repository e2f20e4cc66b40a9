//! An order's parcels leaving and arriving, whoever moves them (the fulfilment workers
//! with the carrier's labels and tracking, or staff shipping by hand): the stock leaves
//! the warehouse as the parcel does, the order is shipped (and the customer e-mailed)
//! when its last packed parcel goes, and delivered when its last parcel arrives. Each
//! runs in the caller's transaction, which holds the order's row lock.

use super::transition::{TransitionError, transition};
use crate::inventory::model::InventoryError;
use crate::orders::model::OrderStatus;
use sqlx::PgConnection;

#[derive(Debug, thiserror::Error)]
pub enum ParcelError {
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Transition(#[from] TransitionError),
    #[error("inventory: {0}")]
    Inventory(#[from] InventoryError),
}

/// The order a parcel belongs to, as the caller locked it.
pub struct Order<'a> {
    pub id: i64,
    pub number: &'a str,
    pub email: &'a str,
    pub status: OrderStatus,
    /// Where the customer follows the order (the e-mail's link).
    pub link: String,
}

/// Ships the packed parcel `shipment` with `carrier` and `tracking`: its units leave
/// the warehouse's stock; the order is shipped when no packed parcel is left. False
/// when the parcel was not packed any more (someone shipped it first).
pub async fn out(
    tx: &mut PgConnection,
    order: &Order<'_>,
    shipment: i64,
    carrier: &str,
    tracking: &str,
    actor: &str,
) -> Result<bool, ParcelError> {
    let Some(warehouse) = sqlx::query_scalar!(
        "UPDATE shipments SET status = 'shipped', carrier = $3, tracking_number = $4, shipped_at = now()
          WHERE id = $1 AND order_id = $2 AND status = 'packed' RETURNING warehouse_id",
        shipment,
        order.id,
        carrier,
        tracking
    )
    .fetch_optional(&mut *tx)
    .await?
    else {
        return Ok(false);
    };
    let lines = sqlx::query!(
        "SELECT variant_id, quantity FROM shipment_lines WHERE shipment_id = $1 ORDER BY variant_id",
        shipment
    )
    .fetch_all(&mut *tx)
    .await?;
    for l in lines {
        crate::inventory::ssr::ship(tx, l.variant_id, warehouse, l.quantity, order.id, actor)
            .await?;
    }
    let waiting = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM shipments WHERE order_id = $1 AND status = 'packed'"#,
        order.id
    )
    .fetch_one(&mut *tx)
    .await?;
    if waiting == 0 && order.status == OrderStatus::Fulfilment {
        let parcels = sqlx::query!(
            r#"SELECT carrier AS "carrier!", tracking_number AS "tracking!" FROM shipments
                WHERE order_id = $1 AND tracking_number IS NOT NULL ORDER BY id"#,
            order.id
        )
        .fetch_all(&mut *tx)
        .await?;
        let tracking: Vec<String> = parcels
            .iter()
            .map(|p| format!("{} {}", p.carrier, p.tracking))
            .collect();
        transition(
            tx,
            order.id,
            OrderStatus::Fulfilment,
            OrderStatus::Shipped,
            actor,
            Some(&format!("tracking {}", tracking.join(", "))),
        )
        .await?;
        let body = format!(
            "Good news: your order {} is on its way.\n\nTracking: {}\n\nFollow it here: {}\n",
            order.number,
            tracking.join(", "),
            order.link
        );
        crate::mail::enqueue(
            tx,
            order.email,
            &format!("Your Mercato order {} has shipped", order.number),
            &body,
        )
        .await?;
    }
    Ok(true)
}

/// Marks a shipped parcel delivered; the order is delivered when none is left on its
/// way. False when the parcel was not on its way (delivered already).
pub async fn delivered(
    tx: &mut PgConnection,
    order_id: i64,
    status: OrderStatus,
    shipment: i64,
    actor: &str,
    reason: &str,
) -> Result<bool, ParcelError> {
    let done = sqlx::query!(
        "UPDATE shipments SET status = 'delivered', delivered_at = now(), checked_at = now()
          WHERE id = $1 AND order_id = $2 AND status = 'shipped'",
        shipment,
        order_id
    )
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    let open = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM shipments WHERE order_id = $1 AND status <> 'delivered'"#,
        order_id
    )
    .fetch_one(&mut *tx)
    .await?;
    if open == 0 && status == OrderStatus::Shipped {
        transition(
            tx,
            order_id,
            OrderStatus::Shipped,
            OrderStatus::Delivered,
            actor,
            Some(reason),
        )
        .await?;
    }
    Ok(true)
}
