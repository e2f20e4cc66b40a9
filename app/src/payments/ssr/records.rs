//! The shop's records of its payments: one row per provider intent, kept as the provider
//! reports it (intent id, status, amounts, card token and last four digits; never a card
//! number).

use crate::payments::wire::Intent;
use sqlx::{PgConnection, PgPool};

/// Records (or updates) the provider's view of an order's payment, through the
/// database's `payment_record`.
#[tracing::instrument(skip_all, fields(order.id = order_id, payment.intent = %intent.id), err)]
pub async fn record(
    conn: &mut PgConnection,
    order_id: i64,
    intent: &Intent,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "SELECT payment_record($1, $2, $3, $4, $5, $6, $7, $8) AS recorded",
        order_id,
        intent.id,
        intent.status.as_str(),
        intent.amount,
        intent.captured,
        intent.refunded,
        intent.last4,
        intent.card_token,
    )
    .fetch_one(conn)
    .await?;
    Ok(())
}

/// What an order's payments add up to, in minor units of the order's currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentSummary {
    pub captured: i64,
    pub refunded: i64,
    pub last4: Option<String>,
}

pub async fn summary(pool: &PgPool, order_id: i64) -> Result<PaymentSummary, sqlx::Error> {
    sqlx::query_as!(
        PaymentSummary,
        r#"SELECT coalesce(sum(captured_minor), 0)::bigint AS "captured!",
                  coalesce(sum(refunded_minor), 0)::bigint AS "refunded!",
                  max(last4) AS last4
             FROM payments WHERE order_id = $1"#,
        order_id
    )
    .fetch_one(pool)
    .await
}
