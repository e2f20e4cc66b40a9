//! The e-mail outbox in PostgreSQL: queueing in the caller's transaction, and delivery.

use super::{Outgoing, Transport};
use sqlx::{PgConnection, PgPool};

/// A message that failed this often is left alone (its error stays for a human).
const MAX_ATTEMPTS: i32 = 10;

pub async fn enqueue(
    conn: &mut PgConnection,
    to: &str,
    subject: &str,
    body: &str,
) -> Result<i64, sqlx::Error> {
    enqueue_kind(conn, to, subject, body, None).await
}

/// Queues a message of a kind that is limited per recipient (sign-up e-mails):
/// `limit_key` names whom it counts against (the identity of the address).
pub async fn enqueue_limited(
    conn: &mut PgConnection,
    to: &str,
    subject: &str,
    body: &str,
    kind: &str,
    limit_key: &str,
) -> Result<i64, sqlx::Error> {
    enqueue_kind(conn, to, subject, body, Some((kind, limit_key))).await
}

async fn enqueue_kind(
    conn: &mut PgConnection,
    to: &str,
    subject: &str,
    body: &str,
    kind: Option<(&str, &str)>,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        "INSERT INTO emails (to_address, subject, body, kind, limit_key)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
        to,
        subject,
        body,
        kind.map(|k| k.0),
        kind.map(|k| k.1)
    )
    .fetch_one(conn)
    .await
}

/// Delivers what is queued, oldest first; stops at the first failure (to retry later).
/// Returns how many were delivered.
#[tracing::instrument(skip_all)]
pub async fn deliver_pending<T: Transport>(
    pool: &PgPool,
    transport: &T,
) -> Result<u64, sqlx::Error> {
    let mut delivered = 0;
    loop {
        let mut tx = pool.begin().await?;
        // SKIP LOCKED: several servers may run the worker; each message goes once.
        let Some(row) = sqlx::query!(
            "SELECT id, to_address, subject, body, created_at FROM emails
              WHERE sent_at IS NULL AND attempts < $1
              ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED",
            MAX_ATTEMPTS
        )
        .fetch_optional(&mut *tx)
        .await?
        else {
            return Ok(delivered);
        };
        let message = Outgoing {
            id: row.id,
            to: row.to_address,
            subject: row.subject,
            body: row.body,
            created_at: row.created_at,
        };
        let outcome = {
            use tracing::Instrument;
            transport
                .send(&message)
                .instrument(tracing::info_span!("deliver", email.id = message.id))
                .await
        };
        let failed = outcome.as_ref().err().cloned();
        if let Some(error) = &failed {
            tracing::warn!(email.id = message.id, %error, "could not deliver an e-mail; it stays queued");
        }
        sqlx::query!(
            "UPDATE emails
                SET attempts = attempts + 1,
                    sent_at = CASE WHEN $2::text IS NULL THEN now() END,
                    last_error = $2
              WHERE id = $1",
            message.id,
            failed
        )
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        if failed.is_some() {
            return Ok(delivered);
        }
        delivered += 1;
    }
}
