//! Order transitions on the server. The database checks each against the machine and
//! records it (with the actor and reason set here) and its outbox event in the same
//! transaction; the code checks first so the message is ours.

use super::model::{
    InvalidTransition, OrderError, OrderLineView, OrderStatus, OrderSummary, OrderView,
    ShipmentView, TimelineStep,
};
use crate::state::AppState;
use sqlx::PgConnection;

#[derive(Debug, thiserror::Error)]
pub enum TransitionError {
    #[error(transparent)]
    Invalid(#[from] InvalidTransition),
    /// The order was not in the status the caller saw (someone else moved it first).
    #[error("the order is no longer {0:?}")]
    Moved(OrderStatus),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Moves an order from `from` to `to` inside the caller's transaction, as `actor`, for
/// `reason`. Fails without writing if the machine has no such step, or if the order is
/// not (any longer) in `from`.
pub async fn transition(
    tx: &mut PgConnection,
    order_id: i64,
    from: OrderStatus,
    to: OrderStatus,
    actor: &str,
    reason: Option<&str>,
) -> Result<(), TransitionError> {
    if !from.can_become(to) {
        return Err(InvalidTransition { from, to }.into());
    }
    sqlx::query!(
        r#"SELECT set_config('mercato.actor', $1, true) AS "actor",
                  set_config('mercato.reason', $2, true) AS "reason""#,
        actor,
        reason.unwrap_or(""),
    )
    .fetch_one(&mut *tx)
    .await?;
    let done = sqlx::query!(
        "UPDATE orders SET status = $3 WHERE id = $1 AND status = $2",
        order_id,
        from as OrderStatus,
        to as OrderStatus,
    )
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(TransitionError::Moved(from));
    }
    Ok(())
}

fn unavailable(error: impl std::fmt::Display) -> OrderError {
    tracing::error!(%error, "order lookup failed");
    OrderError::Unavailable
}

/// The order `number` if this request may see it: its customer, the session whose cart
/// it came from, or whoever knows the e-mail address it was placed with.
pub async fn visible_order(
    state: &AppState,
    number: &str,
    email: &str,
) -> Result<OrderView, OrderError> {
    let number = number.trim().to_uppercase();
    if number.is_empty() || number.len() > 32 {
        return Err(OrderError::InvalidInput(
            "enter the order number, such as M-7KQ2D9XW4P".into(),
        ));
    }
    let visitor = crate::account::ssr::session::visitor(state)
        .await
        .map_err(unavailable)?;
    let pool = &state.db.primary;
    let Some(o) = sqlx::query!(
        r#"SELECT o.id, o.number, o.email, o.user_id, o.cart_id, o.status AS "status: OrderStatus",
                  o.created_at, o.currency::text AS "currency!", o.subtotal_minor, o.discount_minor,
                  o.discount_code, o.shipping_minor, o.shipping_method, o.tax_minor, o.total_minor,
                  o.shipping_address
             FROM orders o WHERE o.number = $1"#,
        number
    )
    .fetch_optional(pool)
    .await
    .map_err(unavailable)?
    else {
        return Err(OrderError::NotFound);
    };
    let by_customer =
        o.user_id.is_some() && visitor.as_ref().and_then(|v| v.session.user_id) == o.user_id;
    let by_session = o.cart_id.is_some() && visitor.as_ref().and_then(|v| v.cart_id) == o.cart_id;
    let by_email = !email.trim().is_empty() && email.trim().eq_ignore_ascii_case(&o.email);
    if !(by_customer || by_session || by_email) {
        return Err(OrderError::NotFound);
    }
    let lines = sqlx::query_as!(
        OrderLineView,
        r#"SELECT sku, title, quantity, unit_price_minor AS unit_minor
             FROM order_lines WHERE order_id = $1 ORDER BY position"#,
        o.id
    )
    .fetch_all(pool)
    .await
    .map_err(unavailable)?;
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
    let payment = sqlx::query!(
        r#"SELECT coalesce(sum(captured_minor), 0)::bigint AS "captured!",
                  coalesce(sum(refunded_minor), 0)::bigint AS "refunded!",
                  max(last4) AS last4
             FROM payments WHERE order_id = $1"#,
        o.id
    )
    .fetch_one(pool)
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
    let address = serde_json::from_value::<crate::account::addresses::Address>(o.shipping_address)
        .map(|a| a.lines())
        .unwrap_or_default();
    Ok(OrderView {
        number: o.number,
        email: o.email,
        status: o.status,
        placed_at: o.created_at,
        currency: o.currency,
        lines,
        subtotal_minor: o.subtotal_minor,
        discount_minor: o.discount_minor,
        discount_code: o.discount_code,
        shipping_minor: o.shipping_minor,
        shipping_method: state
            .checkout
            .shipping
            .iter()
            .find(|r| r.method == o.shipping_method)
            .map_or(o.shipping_method, |r| r.label.clone()),
        tax_minor: o.tax_minor,
        total_minor: o.total_minor,
        address,
        charged_minor: payment.captured - payment.refunded,
        refunded_minor: payment.refunded,
        card_last4: payment.last4,
        timeline,
        shipments,
    })
}

/// The signed-in customer's orders, newest first (the last 100).
pub async fn orders_of_visitor(state: &AppState) -> Result<Vec<OrderSummary>, OrderError> {
    let visitor = crate::account::ssr::session::visitor(state)
        .await
        .map_err(unavailable)?;
    let user = visitor
        .and_then(|v| v.session.user_id)
        .ok_or(OrderError::NotSignedIn)?;
    sqlx::query_as!(
        OrderSummary,
        r#"SELECT o.number, o.created_at AS placed_at, o.status AS "status: OrderStatus",
                  (SELECT coalesce(sum(quantity), 0) FROM order_lines l WHERE l.order_id = o.id)::bigint AS "items!",
                  o.total_minor, o.currency::text AS "currency!"
             FROM orders o WHERE o.user_id = $1
            ORDER BY o.created_at DESC LIMIT 100"#,
        user
    )
    .fetch_all(&state.db.primary)
    .await
    .map_err(unavailable)
}
