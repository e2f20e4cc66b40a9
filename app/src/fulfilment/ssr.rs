//! The fulfilment workers and the carrier client.
//!
//! - `allocate`: follows the outbox (its position in `outbox_consumers`, moved in the
//!   same transaction as its effects). On `order.confirmed` it creates a shipment per
//!   warehouse the order's sale took stock from, moves the order to fulfilment and queues
//!   the confirmation e-mail; on `order.authorized` (the money waits for staff to capture
//!   it) it queues the e-mail that the order is received.
//! - `dispatch`: buys a label for each packed parcel (keyed by the shipment, so a retry
//!   buys none twice), ships its stock, and when every parcel is out marks the order
//!   shipped and queues the dispatch e-mail.
//! - `follow`: asks the carrier where shipped parcels are; when all of an order's are
//!   delivered, so is the order.
//!
//! Each step is idempotent and safe with several servers running it.

use super::carrier::{LabelRequest, Parcel};
use crate::money::{Currency, Money};
use crate::orders::model::OrderStatus;
use crate::orders::ssr::{TransitionError, transition};
use crate::search::ssr::source::{Cursor, events_after};
use crate::site::Site;
use sqlx::{PgConnection, PgPool};
use std::time::Duration;

const ACTOR: &str = "worker:fulfilment";
const CONSUMER: &str = "fulfilment";

/// The carrier's HTTP API.
#[derive(Debug, Clone)]
pub struct Carrier {
    http: reqwest::Client,
    base_url: String,
    api_key: String,
}

impl Carrier {
    pub fn new(base_url: &str, api_key: &str, timeout: Duration) -> Result<Self, String> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Carrier {
            http,
            base_url: base_url.trim_end_matches('/').to_owned(),
            api_key: api_key.to_owned(),
        })
    }

    async fn read(response: reqwest::Response) -> Result<Parcel, String> {
        let status = response.status();
        if !status.is_success() {
            let body = response.text().await.unwrap_or_default();
            return Err(format!(
                "the carrier answered {status}: {}",
                body.chars().take(200).collect::<String>()
            ));
        }
        response.json().await.map_err(|e| e.to_string())
    }

    pub async fn label(&self, request: &LabelRequest) -> Result<Parcel, String> {
        let response = self
            .http
            .post(format!("{}/v1/carrier/shipments", self.base_url))
            .bearer_auth(&self.api_key)
            .json(request)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        Self::read(response).await
    }

    pub async fn track(&self, tracking_number: &str) -> Result<Parcel, String> {
        let response = self
            .http
            .get(format!(
                "{}/v1/carrier/shipments/{}",
                self.base_url,
                crate::url::encode(tracking_number)
            ))
            .bearer_auth(&self.api_key)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        Self::read(response).await
    }
}

#[derive(Debug, thiserror::Error)]
pub enum FulfilmentError {
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Transition(#[from] TransitionError),
    #[error("inventory: {0}")]
    Inventory(#[from] crate::inventory::model::InventoryError),
    #[error(transparent)]
    Parcel(#[from] crate::orders::ssr::parcels::ParcelError),
}

/// What a round did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Round {
    pub allocated: usize,
    pub shipped: usize,
    pub delivered: usize,
}

/// What the fulfilment workers work with: the primary pool, the site (links in
/// e-mails) and the carrier.
#[derive(Clone, Debug)]
pub struct Fulfilment {
    pub pool: PgPool,
    pub site: Site,
    pub carrier: Carrier,
    /// Packed parcels get labels at once; off, staff ship them by hand.
    pub automatic_dispatch: bool,
}

/// One round of every step.
#[tracing::instrument(skip_all)]
pub async fn run_once(f: &Fulfilment) -> Result<Round, FulfilmentError> {
    Ok(Round {
        allocated: allocate(f).await?,
        shipped: if f.automatic_dispatch {
            dispatch(f, &f.carrier).await?
        } else {
            0
        },
        delivered: follow(f, &f.carrier).await?,
    })
}

/// The order link in e-mails: guests open it with their address.
fn order_link(f: &Fulfilment, number: &str, email: &str) -> String {
    format!(
        "{}/orders/{number}?email={}",
        f.site.public_url,
        crate::url::encode(email)
    )
}

/// Follows the outbox from this consumer's position, a batch per transaction.
#[tracing::instrument(skip_all)]
pub async fn allocate(f: &Fulfilment) -> Result<usize, FulfilmentError> {
    let pool = &f.pool;
    let mut tx = pool.begin().await?;
    sqlx::query!(
        "INSERT INTO outbox_consumers (name) VALUES ($1) ON CONFLICT (name) DO NOTHING",
        CONSUMER
    )
    .execute(&mut *tx)
    .await?;
    // The row lock makes one server at a time the consumer.
    let at = sqlx::query!(
        "SELECT txid, event_id FROM outbox_consumers WHERE name = $1 FOR UPDATE",
        CONSUMER
    )
    .fetch_one(&mut *tx)
    .await?;
    let cursor = Cursor {
        txid: at.txid as u64,
        id: at.event_id,
    };
    // Read on this transaction's connection (no second connection while holding one).
    // Events this consumer writes itself (order.fulfilment) may land behind its cursor;
    // it never needs them.
    let events = events_after(&mut *tx, cursor, 200).await?;
    let Some(last) = events.last().map(|e| e.cursor) else {
        return Ok(0);
    };
    let mut allocated = 0;
    for event in &events {
        let Ok(order_id) = event.aggregate_id.parse::<i64>() else {
            continue;
        };
        if event.topic == "order.confirmed" && allocate_order(f, &mut tx, order_id).await? {
            allocated += 1;
        } else if event.topic == "order.authorized" {
            received(f, &mut tx, order_id).await?;
        }
    }
    crate::search::ssr::source::advance(&mut tx, CONSUMER, last).await?;
    tx.commit().await?;
    Ok(allocated)
}

/// The e-mail for an order whose card is authorized and whose money waits for staff to
/// capture it: it is received, not yet confirmed.
async fn received(
    f: &Fulfilment,
    tx: &mut PgConnection,
    order_id: i64,
) -> Result<(), FulfilmentError> {
    let Some(order) = sqlx::query!(
        r#"SELECT number, email, status AS "status: OrderStatus", currency AS "currency: Currency",
                  total_minor
             FROM orders WHERE id = $1"#,
        order_id
    )
    .fetch_optional(&mut *tx)
    .await?
    else {
        return Ok(());
    };
    if order.status != OrderStatus::Authorized {
        // Captured or voided already: that step's own e-mail says so.
        return Ok(());
    }
    let body = format!(
        "Thank you for your order {}.\n\nWe have received it and your card is authorised for {}. \
         We take the payment when we confirm the order, and e-mail you then.\n\n\
         See your order at any time: {}\n",
        order.number,
        Money::from_minor(order.total_minor, order.currency),
        order_link(f, &order.number, &order.email)
    );
    crate::mail::enqueue(
        tx,
        &order.email,
        &format!("We have received your Mercato order {}", order.number),
        &body,
    )
    .await?;
    Ok(())
}

/// Parcels for a confirmed order, the move to fulfilment, the confirmation e-mail.
#[tracing::instrument(skip_all, fields(order.id = order_id))]
async fn allocate_order(
    f: &Fulfilment,
    tx: &mut PgConnection,
    order_id: i64,
) -> Result<bool, FulfilmentError> {
    let Some(order) = sqlx::query!(
        r#"SELECT number, email, status AS "status: OrderStatus", currency AS "currency: Currency",
                  total_minor, coalesce(shipping_label, shipping_method) AS "shipping_method!"
             FROM orders WHERE id = $1 FOR UPDATE"#,
        order_id
    )
    .fetch_optional(&mut *tx)
    .await?
    else {
        return Ok(false);
    };
    if order.status != OrderStatus::Confirmed {
        return Ok(false);
    }
    // What the sale took from each warehouse: the reservation chose them (the shopper's
    // region first, then priority, one warehouse when one has everything).
    let taken = sqlx::query!(
        r#"SELECT m.warehouse_id, m.variant_id, sum(m.sold_delta)::int AS "quantity!",
                  max(v.weight_grams) AS "weight!", w.code
             FROM stock_movements m
             JOIN variants v ON v.id = m.variant_id
             JOIN warehouses w ON w.id = m.warehouse_id
            WHERE m.order_id = $1 AND m.kind = 'sale'
            GROUP BY m.warehouse_id, m.variant_id, w.code
            HAVING sum(m.sold_delta) > 0
            ORDER BY m.warehouse_id, m.variant_id"#,
        order_id
    )
    .fetch_all(&mut *tx)
    .await?;
    let mut warehouses: Vec<String> = Vec::new();
    for line in &taken {
        let shipment = sqlx::query_scalar!(
            "INSERT INTO shipments (order_id, warehouse_id) VALUES ($1, $2)
             ON CONFLICT (order_id, warehouse_id) WHERE NOT manual
             DO UPDATE SET order_id = EXCLUDED.order_id
             RETURNING id",
            order_id,
            line.warehouse_id
        )
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query!(
            "INSERT INTO shipment_lines (shipment_id, variant_id, quantity) VALUES ($1, $2, $3)
             ON CONFLICT DO NOTHING",
            shipment,
            line.variant_id,
            line.quantity
        )
        .execute(&mut *tx)
        .await?;
        sqlx::query!(
            "UPDATE shipments SET weight_grams = weight_grams + $2 WHERE id = $1",
            shipment,
            i64::from(line.weight) * i64::from(line.quantity)
        )
        .execute(&mut *tx)
        .await?;
        if !warehouses.contains(&line.code) {
            warehouses.push(line.code.clone());
        }
    }
    let reason = format!("packing at {}", warehouses.join(", "));
    transition(
        tx,
        order_id,
        OrderStatus::Confirmed,
        OrderStatus::Fulfilment,
        ACTOR,
        Some(&reason),
    )
    .await?;
    let lines = sqlx::query!(
        "SELECT title, quantity, unit_price_minor FROM order_lines WHERE order_id = $1 ORDER BY position",
        order_id
    )
    .fetch_all(&mut *tx)
    .await?;
    let mut body = format!(
        "Thank you for your order {}.\n\nWe have your payment and are packing it now.\n\n",
        order.number
    );
    let money = |minor: i64| Money::from_minor(minor, order.currency);
    for l in &lines {
        body.push_str(&format!(
            "  {} × {}  {}\n",
            l.quantity,
            l.title,
            money(l.unit_price_minor * i64::from(l.quantity))
        ));
    }
    body.push_str(&format!(
        "\nTotal paid: {}\nDelivery: {}\n\nSee your order at any time: {}\n",
        money(order.total_minor),
        order.shipping_method,
        order_link(f, &order.number, &order.email)
    ));
    crate::mail::enqueue(
        tx,
        &order.email,
        &format!("Your Mercato order {} is confirmed", order.number),
        &body,
    )
    .await?;
    Ok(true)
}

/// Labels for packed parcels; stock leaves the warehouse; orders whose parcels are all
/// out are shipped. A carrier that does not answer is asked again next round.
#[tracing::instrument(skip_all)]
pub async fn dispatch(f: &Fulfilment, carrier: &Carrier) -> Result<usize, FulfilmentError> {
    let pool = &f.pool;
    let packed = sqlx::query!(
        r#"SELECT s.id, s.order_id, s.weight_grams, w.code AS warehouse,
                  coalesce(o.shipping_address->>'country', '') AS "country!"
             FROM shipments s
             JOIN orders o ON o.id = s.order_id
             JOIN warehouses w ON w.id = s.warehouse_id
            WHERE s.status = 'packed' ORDER BY s.id LIMIT 50"#
    )
    .fetch_all(pool)
    .await?;
    let mut shipped = 0;
    for s in packed {
        let request = LabelRequest {
            reference: format!("shipment-{}", s.id),
            weight_grams: s.weight_grams,
            from: s.warehouse.clone(),
            to_country: s.country.clone(),
        };
        let parcel = match carrier.label(&request).await {
            Ok(p) => p,
            Err(error) => {
                tracing::warn!(shipment = s.id, %error, "no label from the carrier yet");
                continue;
            }
        };
        if ship_parcel(f, s.id, s.order_id, &parcel).await? {
            shipped += 1;
        }
    }
    Ok(shipped)
}

#[tracing::instrument(skip_all, fields(shipment.id = shipment_id, order.id = order_id, parcel.tracking = %parcel.tracking_number))]
async fn ship_parcel(
    f: &Fulfilment,
    shipment_id: i64,
    order_id: i64,
    parcel: &Parcel,
) -> Result<bool, FulfilmentError> {
    let mut tx = f.pool.begin().await?;
    let Some(order) = sqlx::query!(
        r#"SELECT number, email, status AS "status: OrderStatus" FROM orders WHERE id = $1 FOR UPDATE"#,
        order_id
    )
    .fetch_optional(&mut *tx)
    .await?
    else {
        return Ok(false);
    };
    let order = crate::orders::ssr::parcels::Order {
        id: order_id,
        number: &order.number,
        email: &order.email,
        status: order.status,
        link: order_link(f, &order.number, &order.email),
    };
    // False: another server shipped it first.
    let shipped = crate::orders::ssr::parcels::out(
        &mut tx,
        &order,
        shipment_id,
        &parcel.carrier,
        &parcel.tracking_number,
        ACTOR,
    )
    .await?;
    tx.commit().await?;
    Ok(shipped)
}

/// Asks the carrier about shipped parcels (the least recently asked first); delivered
/// parcels are marked, and an order whose parcels are all delivered is delivered.
#[tracing::instrument(skip_all)]
pub async fn follow(f: &Fulfilment, carrier: &Carrier) -> Result<usize, FulfilmentError> {
    let pool = &f.pool;
    let out = sqlx::query!(
        r#"SELECT id, order_id, tracking_number AS "tracking!" FROM shipments
            WHERE status = 'shipped' AND NOT manual
              AND (checked_at IS NULL OR checked_at < now() - interval '1 second')
            ORDER BY checked_at NULLS FIRST, id LIMIT 50"#
    )
    .fetch_all(pool)
    .await?;
    let mut delivered = 0;
    for s in out {
        let parcel = match carrier.track(&s.tracking).await {
            Ok(p) => p,
            Err(error) => {
                tracing::warn!(shipment = s.id, %error, "could not track a parcel");
                continue;
            }
        };
        if !parcel.delivered() {
            sqlx::query!(
                "UPDATE shipments SET checked_at = now() WHERE id = $1",
                s.id
            )
            .execute(pool)
            .await?;
            continue;
        }
        if deliver(pool, s.id, s.order_id).await? {
            delivered += 1;
        }
    }
    Ok(delivered)
}

async fn deliver(pool: &PgPool, shipment_id: i64, order_id: i64) -> Result<bool, FulfilmentError> {
    let mut tx = pool.begin().await?;
    let status = sqlx::query_scalar!(
        r#"SELECT status AS "status: OrderStatus" FROM orders WHERE id = $1 FOR UPDATE"#,
        order_id
    )
    .fetch_one(&mut *tx)
    .await?;
    let done = crate::orders::ssr::parcels::delivered(
        &mut tx,
        order_id,
        status,
        shipment_id,
        ACTOR,
        "the carrier delivered it",
    )
    .await?;
    tx.commit().await?;
    Ok(done)
}
