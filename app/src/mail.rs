//! Outgoing e-mail through an outbox table. `enqueue` runs inside the caller's
//! transaction; `deliver_pending` (the server's mail worker) writes each message to a
//! maildir (`<data_dir>/mail/{tmp,new}`, readable by any mail client) and marks it sent.
//! A message that cannot be delivered stays queued with its error and is retried.

use sqlx::{PgConnection, PgPool};
use std::path::Path;

pub const FROM: &str = "Mercato <no-reply@mercato.invalid>";
/// A message that failed this often is left alone (its error stays for a human).
const MAX_ATTEMPTS: i32 = 10;

pub async fn enqueue(
    conn: &mut PgConnection,
    to: &str,
    subject: &str,
    body: &str,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        "INSERT INTO emails (to_address, subject, body) VALUES ($1, $2, $3) RETURNING id",
        to,
        subject,
        body
    )
    .fetch_one(conn)
    .await
}

/// A message in Internet Message Format (headers stay ASCII: the subject is ours).
fn render(
    id: i64,
    to: &str,
    subject: &str,
    body: &str,
    date: chrono::DateTime<chrono::Utc>,
) -> String {
    let body = body.replace("\r\n", "\n").replace('\n', "\r\n");
    format!(
        "From: {FROM}\r\nTo: {to}\r\nSubject: {subject}\r\nDate: {}\r\nMessage-ID: <{id}.{}@mercato.invalid>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{body}\r\n",
        date.to_rfc2822(),
        date.timestamp()
    )
}

/// Writes one message into the maildir the safe way: into `tmp/`, then renamed to `new/`.
fn write_maildir(dir: &Path, name: &str, message: &str) -> std::io::Result<()> {
    for sub in ["tmp", "new", "cur"] {
        std::fs::create_dir_all(dir.join(sub))?;
    }
    let tmp = dir.join("tmp").join(name);
    std::fs::write(&tmp, message)?;
    std::fs::rename(&tmp, dir.join("new").join(name))
}

/// Delivers what is queued. Returns how many were delivered.
pub async fn deliver_pending(pool: &PgPool, maildir: &Path) -> Result<u64, sqlx::Error> {
    let mut delivered = 0;
    loop {
        let mut tx = pool.begin().await?;
        // SKIP LOCKED: several servers may run the worker; each message goes once.
        let Some(m) = sqlx::query!(
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
        let message = render(m.id, &m.to_address, &m.subject, &m.body, m.created_at);
        let name = format!("{}.{}.mercato", m.created_at.timestamp(), m.id);
        let dir = maildir.to_owned();
        let written = tokio::task::spawn_blocking(move || write_maildir(&dir, &name, &message))
            .await
            .map_err(|e| std::io::Error::other(e.to_string()))
            .and_then(|r| r);
        match written {
            Ok(()) => {
                sqlx::query!(
                    "UPDATE emails SET sent_at = now(), attempts = attempts + 1 WHERE id = $1",
                    m.id
                )
                .execute(&mut *tx)
                .await?;
                delivered += 1;
            }
            Err(error) => {
                tracing::warn!(email.id = m.id, %error, "could not deliver an e-mail; it stays queued");
                sqlx::query!(
                    "UPDATE emails SET attempts = attempts + 1, last_error = $2 WHERE id = $1",
                    m.id,
                    error.to_string()
                )
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                return Ok(delivered);
            }
        }
        tx.commit().await?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_well_formed() {
        let date = chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let m = render(7, "ada@example.com", "Hello", "line one\nline two", date);
        assert!(
            m.starts_with("From: Mercato <no-reply@mercato.invalid>\r\nTo: ada@example.com\r\n")
        );
        assert!(m.contains("\r\n\r\nline one\r\nline two\r\n"));
        assert!(m.contains("Message-ID: <7.1800000000@mercato.invalid>"));
    }
}
