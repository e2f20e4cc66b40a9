//! The order rows checkout writes, through the database's functions: `order_open` (an
//! order with its lines, straight into payment_processing, its holds too when asked) and
//! `order_confirm` (confirmed, holds sold, payment recorded, cart lines gone), plus the
//! lookups a placement needs. The functions take one JSON document or a few scalars;
//! their sources are in `migrations/functions/`.

use crate::db::{Refusal, refusal};
use crate::money::{Currency, Money};
use crate::orders::model::OrderStatus;
use crate::payments::wire::Intent;
use crate::risk::model::RiskLevel;
use serde::Serialize;
use sqlx::{PgConnection, PgPool};

/// An order to open, as `order_open` takes it: one JSON document whose field names are
/// the columns it fills. Amounts travel in minor units of `currency`.
#[derive(Debug, Serialize)]
pub struct OrderDraft<'a> {
    pub number: &'a str,
    pub idempotency_key: &'a str,
    pub user_id: Option<i64>,
    pub email: &'a str,
    pub currency: Currency,
    pub subtotal_minor: i64,
    pub discount_minor: i64,
    pub shipping_minor: i64,
    pub tax_minor: i64,
    pub total_minor: i64,
    pub shipping_address: serde_json::Value,
    pub region: &'a str,
    pub holder: &'a str,
    pub cart_id: i64,
    pub shipping_method: &'a str,
    pub shipping_label: &'a str,
    pub weight_grams: i64,
    pub discount_code: Option<&'a str>,
    pub actor: &'a str,
    pub lines: Vec<DraftLine<'a>>,
    /// Hold the order's units in the same transaction, for this many seconds.
    pub hold_secs: Option<f64>,
    /// Lines at a flash sale's price: the order takes over their entries' holds.
    pub flash: Vec<FlashDraft>,
    /// How long a taken-over sale hold is kept for the payment, at least.
    pub flash_hold_secs: f64,
    /// The order's risk, written with it.
    pub risk: &'a crate::risk::model::Assessment,
    /// The client's address, when it says something of the buyer (kept for the next
    /// assessments; personal data, removed by an erasure).
    pub client_addr: Option<String>,
}

/// A line of an [`OrderDraft`] held by a flash sale entry.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct FlashDraft {
    pub entry_id: i64,
    pub variant_id: i64,
    pub quantity: i32,
}

/// A line of an [`OrderDraft`].
#[derive(Debug, Serialize)]
pub struct DraftLine<'a> {
    pub position: i32,
    pub variant_id: i64,
    pub sku: &'a str,
    pub title: &'a str,
    pub quantity: i32,
    pub unit_price_minor: i64,
    /// The line's share of the order's discount (the shares add up to it).
    pub discount_minor: i64,
}

/// What opening an order came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Opened {
    /// The order exists now.
    Order(i64),
    /// The form's key made an order already (a double click, a retry): nothing written.
    Twin,
    /// Another placement of the same cart is being paid: its number (nothing written).
    CartOpen(String),
    /// The order that stood in the way finished meanwhile: nothing written, try again.
    Retry,
    /// A SKU could not be held from one warehouse in the order's own transaction:
    /// nothing written (hold through the reservation service instead).
    NotHeld,
    /// The cart no longer holds what was priced: nothing written.
    CartChanged,
    /// A line's flash sale hold ended (expired, or ordered already): nothing written.
    SaleHoldEnded,
}

/// Opens the order in one call of `order_open` (its own statement; the caller's
/// transaction if `conn` is in one).
#[tracing::instrument(skip_all, fields(order.number = %draft.number, cart.id = draft.cart_id), err)]
pub async fn open(conn: &mut PgConnection, draft: &OrderDraft<'_>) -> Result<Opened, sqlx::Error> {
    let json = serde_json::to_value(draft).map_err(|e| sqlx::Error::Encode(e.into()))?;
    let row = sqlx::query!(
        r#"SELECT outcome AS "outcome!", order_id, order_number FROM order_open($1)"#,
        json
    )
    .fetch_one(conn)
    .await;
    let row = match row {
        Ok(row) => row,
        Err(e) => {
            return match refusal(&e) {
                // A racing batch took the units between the pick and the update: the
                // same as finding no warehouse.
                Some(Refusal::NoSingleWarehouse | Refusal::Oversold) => Ok(Opened::NotHeld),
                Some(Refusal::CartChanged) => Ok(Opened::CartChanged),
                Some(Refusal::SaleHoldEnded) => Ok(Opened::SaleHoldEnded),
                _ => Err(e),
            };
        }
    };
    Ok(
        match (row.outcome.as_str(), row.order_id, row.order_number) {
            ("opened", Some(id), _) => Opened::Order(id),
            ("twin", _, _) => Opened::Twin,
            ("cart_open", _, Some(number)) => Opened::CartOpen(number),
            ("retry", _, _) => Opened::Retry,
            (other, _, _) => {
                return Err(sqlx::Error::Protocol(format!(
                    "order_open answered `{other}`"
                )));
            }
        },
    )
}

/// An order's essentials, as stored.
#[derive(Debug, Clone)]
pub struct PlacedOrder {
    pub id: i64,
    pub number: String,
    pub status: OrderStatus,
    pub total: Money,
    pub holder: String,
    /// Units across its lines (what its holds must add up to when sold).
    pub units: i64,
    /// Its risk as assessed at checkout.
    pub risk: Option<RiskLevel>,
}

/// A `PlacedOrder` as the queries below read it.
struct PlacedRow {
    id: i64,
    number: String,
    status: OrderStatus,
    total_minor: i64,
    currency: Currency,
    holder: String,
    units: i64,
    risk: Option<RiskLevel>,
}

impl From<PlacedRow> for PlacedOrder {
    fn from(r: PlacedRow) -> Self {
        PlacedOrder {
            id: r.id,
            number: r.number,
            status: r.status,
            total: Money::from_minor(r.total_minor, r.currency),
            holder: r.holder,
            units: r.units,
            risk: r.risk,
        }
    }
}

/// The order a form's idempotency key made, if any.
pub async fn by_key(pool: &PgPool, key: &str) -> Result<Option<PlacedOrder>, sqlx::Error> {
    let row = sqlx::query_as!(
        PlacedRow,
        r#"SELECT id, number, status AS "status: OrderStatus", total_minor,
                  currency AS "currency: Currency", holder, risk_level AS "risk: RiskLevel",
                  (SELECT coalesce(sum(quantity), 0) FROM order_lines WHERE order_id = orders.id)::bigint AS "units!"
             FROM orders WHERE idempotency_key = $1"#,
        key
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(PlacedOrder::from))
}

/// Orders left in pending or payment_processing for longer than `quiet_secs` (the
/// provider was down, or a server stopped mid-payment), the longest-waiting first.
pub async fn unsettled(pool: &PgPool, quiet_secs: f64) -> Result<Vec<PlacedOrder>, sqlx::Error> {
    let rows = sqlx::query_as!(
        PlacedRow,
        r#"SELECT id, number, status AS "status: OrderStatus", total_minor,
                  currency AS "currency: Currency", holder, risk_level AS "risk: RiskLevel",
                  (SELECT coalesce(sum(quantity), 0) FROM order_lines WHERE order_id = orders.id)::bigint AS "units!"
             FROM orders
            WHERE status IN ('pending', 'payment_processing')
              AND updated_at < now() - make_interval(secs => $1)
            ORDER BY updated_at LIMIT 100"#,
        quiet_secs,
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(PlacedOrder::from).collect())
}

/// An order's status now.
pub async fn status(pool: &PgPool, order_id: i64) -> Result<OrderStatus, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT status AS "status: OrderStatus" FROM orders WHERE id = $1"#,
        order_id
    )
    .fetch_one(pool)
    .await
}

/// Why an order was cancelled, as its history says.
pub async fn cancel_reason(pool: &PgPool, order_id: i64) -> Result<Option<String>, sqlx::Error> {
    Ok(sqlx::query_scalar!(
        "SELECT reason FROM order_transitions
          WHERE order_id = $1 AND to_status = 'cancelled' ORDER BY id DESC LIMIT 1",
        order_id
    )
    .fetch_optional(pool)
    .await?
    .flatten())
}

/// What confirming an order came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Confirmed {
    Now,
    /// A twin (a double click, the settling worker) moved it on first: where it is now.
    Already(OrderStatus),
    /// The stock is no longer all held: nothing was written, the money must go back.
    NotHeld,
}

/// Confirms a paid order in one call of `order_confirm` (one transaction): `to`
/// (confirmed when the money is captured, authorized when it waits for staff to capture
/// it), its holds sold, the payment recorded as `intent` says, the bought lines out of
/// the cart.
#[tracing::instrument(skip_all, fields(order.id = order.id, order.number = %order.number, payment.intent = %intent.id), err)]
pub async fn confirm(
    pool: &PgPool,
    order: &PlacedOrder,
    actor: &str,
    intent: &Intent,
    to: OrderStatus,
) -> Result<Confirmed, sqlx::Error> {
    let confirmed = sqlx::query_scalar!(
        r#"SELECT order_confirm($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) AS "status: OrderStatus""#,
        order.id,
        order.units,
        actor,
        intent.id,
        intent.status.as_str(),
        intent.amount,
        intent.captured,
        intent.refunded,
        intent.last4,
        intent.card_token,
        to as OrderStatus,
    )
    .fetch_one(pool)
    .await;
    match confirmed {
        Ok(Some(status)) if status == to => Ok(Confirmed::Now),
        Ok(Some(status)) => Ok(Confirmed::Already(status)),
        Ok(None) => Err(sqlx::Error::RowNotFound),
        Err(e) if refusal(&e) == Some(Refusal::NotAllHeld) => Ok(Confirmed::NotHeld),
        Err(e) => Err(e),
    }
}
