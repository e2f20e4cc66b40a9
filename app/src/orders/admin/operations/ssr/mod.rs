//! Order operations on the server. Each takes the `Signed` staff member `require` let
//! through, works under the order's row lock, moves the order only through the state
//! machine (`orders::ssr::transition`), and writes its audit entry in the transaction
//! of its change. A form's key makes a repeated submission (a double click, a retry, a
//! second tab) a no-op that answers like the first.

mod cancel;
mod capture;
mod refund;
mod ship;

pub use cancel::cancel;
pub use capture::capture;
pub use refund::{RefundRequest, refund};
pub use ship::{mark_delivered, parcel_labels, ship_by_hand};

use crate::audit::{Actor, Change};
use crate::money::{Currency, Money};
use crate::orders::model::OrderStatus;
use crate::payments::ssr::PaymentProvider;
use crate::site::Site;
use crate::staff::model::AdminError;
use crate::staff::ssr::{Signed, unavailable};
use sqlx::{PgConnection, PgPool};
use std::sync::Arc;

/// What order operations use: the primary pool, the payment provider (refunds), the
/// site (links in e-mails).
#[derive(Clone, Debug)]
pub struct Operations {
    pub pool: PgPool,
    pub provider: Arc<dyn PaymentProvider>,
    pub site: Site,
}

/// How an operation ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Done {
    Now,
    /// The same form was handled before: nothing more was done.
    Already,
}

pub(crate) use crate::admin::requests::{first_time, parse_key};

/// The order as operations lock and read it.
pub(crate) struct Locked {
    pub id: i64,
    pub number: String,
    pub email: String,
    pub status: OrderStatus,
    pub currency: Currency,
    pub total: i64,
    pub shipping: i64,
    pub holder: String,
}

impl Locked {
    pub fn money(&self, minor: i64) -> Money {
        Money::from_minor(minor, self.currency)
    }
}

/// Locks the order `number` (FOR UPDATE) in the caller's transaction.
pub(crate) async fn lock(conn: &mut PgConnection, number: &str) -> Result<Locked, AdminError> {
    let number = crate::orders::ssr::read::parse_number(number)
        .map_err(|e| AdminError::InvalidInput(e.to_string()))?;
    sqlx::query_as!(
        Locked,
        r#"SELECT id, number, email, status AS "status: OrderStatus",
                  currency AS "currency: Currency", total_minor AS total,
                  shipping_minor AS shipping, holder
             FROM orders WHERE number = $1 FOR UPDATE"#,
        number
    )
    .fetch_optional(conn)
    .await
    .map_err(unavailable)?
    .ok_or(AdminError::NotFound)
}

/// The link in e-mails about an order.
pub(crate) fn order_link(site: &Site, number: &str, email: &str) -> String {
    format!(
        "{}/orders/{number}?email={}",
        site.public_url,
        crate::url::encode(email)
    )
}

/// A staff note on an order (plain text, shown escaped), once per form.
pub async fn add_note(
    ops: &Operations,
    signer: &Signed,
    number: &str,
    body: &str,
    key: &str,
) -> Result<Done, AdminError> {
    let key = parse_key(key)?;
    let body = body.trim();
    if body.is_empty() || body.chars().count() > 2000 {
        return Err(AdminError::InvalidInput(
            "write a note of up to 2,000 characters".into(),
        ));
    }
    let mut tx = ops.pool.begin().await.map_err(unavailable)?;
    let order = lock(&mut tx, number).await?;
    let added = sqlx::query!(
        "INSERT INTO order_notes (order_id, author, body, idempotency_key) VALUES ($1, $2, $3, $4)
         ON CONFLICT (idempotency_key) DO NOTHING",
        order.id,
        signer.actor.label,
        body,
        key
    )
    .execute(&mut *tx)
    .await
    .map_err(unavailable)?;
    if added.rows_affected() == 0 {
        return Ok(Done::Already);
    }
    record(
        &mut tx,
        &signer.actor,
        "order.note",
        &order,
        None,
        serde_json::json!({ "note": body }),
    )
    .await?;
    tx.commit().await.map_err(unavailable)?;
    Ok(Done::Now)
}

/// Sends the customer an e-mail with the order as it stands (what they bought, where it
/// is, the link), once per form.
pub async fn resend_email(
    ops: &Operations,
    signer: &Signed,
    number: &str,
    key: &str,
) -> Result<Done, AdminError> {
    let key = parse_key(key)?;
    let mut tx = ops.pool.begin().await.map_err(unavailable)?;
    let order = lock(&mut tx, number).await?;
    if !first_time(&mut tx, key, "order.resend_email").await? {
        return Ok(Done::Already);
    }
    let lines = sqlx::query!(
        "SELECT title, quantity, unit_price_minor FROM order_lines WHERE order_id = $1 ORDER BY position",
        order.id
    )
    .fetch_all(&mut *tx)
    .await
    .map_err(unavailable)?;
    let mut body = format!(
        "Your order {} with {}: {}.\n\n",
        order.number,
        ops.site.name,
        order.status.label().to_lowercase()
    );
    for l in &lines {
        body.push_str(&format!(
            "  {} × {}  {}\n",
            l.quantity,
            l.title,
            order.money(l.unit_price_minor * i64::from(l.quantity))
        ));
    }
    body.push_str(&format!(
        "\nTotal: {}\n\nSee your order at any time: {}\n",
        order.money(order.total),
        order_link(&ops.site, &order.number, &order.email)
    ));
    crate::mail::enqueue(
        &mut tx,
        &order.email,
        &format!("Your {} order {}", ops.site.name, order.number),
        &body,
    )
    .await
    .map_err(unavailable)?;
    record(
        &mut tx,
        &signer.actor,
        "order.resend_email",
        &order,
        None,
        // Who it went to is the order's; the log keeps no customer's address.
        serde_json::json!({ "sent": "the order e-mail" }),
    )
    .await?;
    tx.commit().await.map_err(unavailable)?;
    Ok(Done::Now)
}

/// The audit entry of an operation on `order`.
pub(crate) async fn record(
    conn: &mut PgConnection,
    actor: &Actor,
    action: &str,
    order: &Locked,
    before: Option<serde_json::Value>,
    after: serde_json::Value,
) -> Result<(), AdminError> {
    crate::audit::record(
        conn,
        actor,
        Change {
            action,
            entity: "order",
            entity_id: order.number.clone(),
            before,
            after: Some(after),
        },
    )
    .await
    .map_err(unavailable)?;
    Ok(())
}

/// A staff note as the order page shows it.
#[derive(Debug, Clone)]
pub struct NoteRow {
    pub author: String,
    pub body: String,
    pub at: chrono::DateTime<chrono::Utc>,
}

pub async fn notes(pool: &PgPool, order_id: i64) -> Result<Vec<NoteRow>, sqlx::Error> {
    sqlx::query_as!(
        NoteRow,
        "SELECT author, body, created_at AS at FROM order_notes WHERE order_id = $1 ORDER BY created_at, id",
        order_id
    )
    .fetch_all(pool)
    .await
}

/// What `viewer` may do to the order now: the forms its page shows, with fresh keys.
pub async fn offers(
    pool: &PgPool,
    order_id: i64,
    status: OrderStatus,
    viewer: &crate::staff::model::StaffUser,
) -> Result<super::Offers, sqlx::Error> {
    use crate::staff::model::Permission;
    let may_refund = viewer.may(Permission::Refunds);
    let paid = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM payments WHERE order_id = $1 AND captured_minor > refunded_minor) AS "paid!""#,
        order_id
    )
    .fetch_one(pool)
    .await?;
    let refund = may_refund
        && paid
        && matches!(
            status,
            OrderStatus::Delivered | OrderStatus::PartiallyRefunded
        );
    let may_orders = viewer.may(Permission::Orders);
    let capture = may_orders && status == OrderStatus::Authorized;
    let cancel = match status {
        OrderStatus::Pending | OrderStatus::Authorized => true,
        OrderStatus::Confirmed => may_refund,
        _ => false,
    };
    let (warehouses, open_units, shipping_refundable) = if refund {
        let warehouses =
            sqlx::query!("SELECT code, name FROM warehouses ORDER BY priority DESC, code")
                .fetch_all(pool)
                .await?
                .into_iter()
                .map(|w| (w.code, w.name))
                .collect();
        let open = sqlx::query!(
            r#"SELECT l.position, l.quantity - coalesce((SELECT sum(rl.quantity) FROM refund_lines rl
                        JOIN refunds f ON f.id = rl.refund_id
                       WHERE f.order_id = l.order_id AND rl.position = l.position
                         AND f.status <> 'failed'), 0)::int AS "open!"
                 FROM order_lines l WHERE l.order_id = $1 ORDER BY l.position"#,
            order_id
        )
        .fetch_all(pool)
        .await?
        .into_iter()
        .map(|l| (l.position, l.open))
        .collect();
        let shipping = sqlx::query_scalar!(
            r#"SELECT o.shipping_minor > 0 AND NOT EXISTS (SELECT 1 FROM refunds f
                      WHERE f.order_id = o.id AND f.shipping AND f.status <> 'failed') AS "open!"
                 FROM orders o WHERE o.id = $1"#,
            order_id
        )
        .fetch_one(pool)
        .await?;
        (warehouses, open, shipping)
    } else {
        (Vec::new(), Vec::new(), false)
    };
    let (to_ship, to_deliver) = if viewer.may(Permission::Orders) {
        (
            if status == OrderStatus::Fulfilment {
                ship::parcels_of(pool, order_id, "packed", false).await?
            } else {
                Vec::new()
            },
            ship::parcels_of(pool, order_id, "shipped", true).await?,
        )
    } else {
        (Vec::new(), Vec::new())
    };
    Ok(super::Offers {
        refund,
        capture,
        cancel,
        keys: super::FormKeys::new(),
        warehouses,
        open_units,
        shipping_refundable,
        to_ship,
        to_deliver,
    })
}
