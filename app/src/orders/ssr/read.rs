//! Orders as their customers read them: one order for whoever may see it, and a
//! customer's history.

use crate::account::addresses::Address;
use crate::money::{Currency, Money};
use crate::orders::model::{
    OrderError, OrderLineView, OrderStatus, OrderSummary, OrderView, ShipmentView, TimelineStep,
};
use crate::session::Visitor;
use sqlx::PgPool;

fn unavailable(error: impl std::fmt::Display) -> OrderError {
    tracing::error!(error = %error, "order lookup failed");
    OrderError::Unavailable
}

/// An order number as a shopper types it, or why it cannot be one.
pub fn parse_number(number: &str) -> Result<String, OrderError> {
    let number = number.trim().to_uppercase();
    if number.is_empty()
        || number.len() > 32
        || !number
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    {
        return Err(OrderError::InvalidInput(
            "enter the order number, such as M-7KQ2D9XW4P".into(),
        ));
    }
    Ok(number)
}

/// The order `number` if `visitor` may see it: its customer, the session whose cart it
/// came from, or whoever knows the e-mail address it was placed with.
#[tracing::instrument(skip_all, fields(order.number = %number))]
pub async fn visible_order(
    pool: &PgPool,
    visitor: Option<&Visitor>,
    number: &str,
    email: &str,
) -> Result<OrderView, OrderError> {
    let Some(found) = order(pool, number).await? else {
        return Err(OrderError::NotFound);
    };
    let by_customer =
        found.user_id.is_some() && visitor.and_then(|v| v.session.user_id) == found.user_id;
    let by_session = found.cart_id.is_some() && visitor.and_then(|v| v.cart_id) == found.cart_id;
    let by_email = !email.trim().is_empty() && email.trim().eq_ignore_ascii_case(&found.view.email);
    if !(by_customer || by_session || by_email) {
        return Err(OrderError::NotFound);
    }
    Ok(found.view)
}

/// An order with who it belongs to (for whoever decides who may see it).
pub struct Found {
    pub id: i64,
    pub user_id: Option<i64>,
    pub cart_id: Option<i64>,
    pub region: String,
    pub view: OrderView,
}

/// The order `number`, whoever asks.
pub async fn order(pool: &PgPool, number: &str) -> Result<Option<Found>, OrderError> {
    let number = parse_number(number)?;
    let Some(o) = sqlx::query!(
        r#"SELECT o.id, o.number, o.email, o.user_id, o.cart_id, o.status AS "status: OrderStatus",
                  o.created_at, o.currency AS "currency: Currency", o.subtotal_minor, o.discount_minor,
                  o.discount_code, o.shipping_minor, coalesce(o.shipping_label, o.shipping_method) AS "shipping_label!",
                  o.tax_minor, o.total_minor, o.shipping_address, o.region
             FROM orders o WHERE o.number = $1"#,
        number
    )
    .fetch_optional(pool)
    .await
    .map_err(unavailable)?
    else {
        return Ok(None);
    };
    let money = |minor: i64| Money::from_minor(minor, o.currency);
    let lines = sqlx::query!(
        r#"SELECT sku, title, quantity, unit_price_minor FROM order_lines
            WHERE order_id = $1 ORDER BY position"#,
        o.id
    )
    .fetch_all(pool)
    .await
    .map_err(unavailable)?
    .into_iter()
    .map(|l| OrderLineView {
        sku: l.sku,
        title: l.title,
        quantity: l.quantity,
        unit: money(l.unit_price_minor),
    })
    .collect();
    let timeline = sqlx::query!(
        r#"SELECT to_status AS "status: OrderStatus", at, reason FROM order_transitions
            WHERE order_id = $1 ORDER BY id"#,
        o.id
    )
    .fetch_all(pool)
    .await
    .map_err(unavailable)?
    .into_iter()
    .map(|t| TimelineStep {
        status: t.status,
        at: t.at,
        note: t.reason,
    })
    .collect();
    let payment = crate::payments::ssr::records::summary(pool, o.id)
        .await
        .map_err(unavailable)?;
    let shipments = sqlx::query_as!(
        ShipmentView,
        r#"SELECT s.carrier, s.tracking_number, s.status::text AS "status!",
                  coalesce((SELECT sum(quantity) FROM shipment_lines l WHERE l.shipment_id = s.id), 0)::bigint AS "items!"
             FROM shipments s WHERE s.order_id = $1 ORDER BY s.id"#,
        o.id
    )
    .fetch_all(pool)
    .await
    .map_err(unavailable)?;
    // An address the order was placed with: its lines, or nothing if it cannot be read
    // (the order is shown all the same).
    let address = match serde_json::from_value::<Address>(o.shipping_address) {
        Ok(a) => a.lines(),
        Err(error) => {
            tracing::warn!(order.number = %o.number, %error, "an order's address could not be read");
            Vec::new()
        }
    };
    let view = OrderView {
        number: o.number,
        email: o.email,
        status: o.status,
        placed_at: o.created_at,
        lines,
        subtotal: money(o.subtotal_minor),
        discount: money(o.discount_minor),
        discount_code: o.discount_code,
        shipping: money(o.shipping_minor),
        shipping_method: o.shipping_label,
        tax: money(o.tax_minor),
        total: money(o.total_minor),
        address,
        charged: money(payment.captured - payment.refunded),
        refunded: money(payment.refunded),
        card_last4: payment.last4,
        timeline,
        shipments,
    };
    Ok(Some(Found {
        id: o.id,
        user_id: o.user_id,
        cart_id: o.cart_id,
        region: o.region,
        view,
    }))
}

/// A customer's orders, newest first (the last 100).
#[tracing::instrument(skip_all, fields(user.id = user_id))]
pub async fn orders_of_customer(
    pool: &PgPool,
    user_id: i64,
) -> Result<Vec<OrderSummary>, OrderError> {
    Ok(sqlx::query!(
        r#"SELECT o.number, o.created_at, o.status AS "status: OrderStatus",
                  (SELECT coalesce(sum(quantity), 0) FROM order_lines l WHERE l.order_id = o.id)::bigint AS "items!",
                  o.total_minor, o.currency AS "currency: Currency"
             FROM orders o WHERE o.user_id = $1
            ORDER BY o.created_at DESC LIMIT 100"#,
        user_id
    )
    .fetch_all(pool)
    .await
    .map_err(unavailable)?
    .into_iter()
    .map(|o| OrderSummary {
        number: o.number,
        placed_at: o.created_at,
        status: o.status,
        items: o.items,
        total: Money::from_minor(o.total_minor, o.currency),
    })
    .collect())
}
