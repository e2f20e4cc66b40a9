//! Webhooks: the due events posted to the shop in one signed delivery, retried with
//! backoff (1 s, 2 s, 4 s, ... at most 5 minutes apart).

use super::Sandbox;
use app::payments::ssr::signature;
use app::payments::wire::SIGNATURE_HEADER;
use axum::http::header;
use std::time::Duration;
use tokio::sync::watch;

/// Events in one delivery, at most.
const WEBHOOK_BATCH: usize = 100;

/// Posts pending events to the webhook URL, signed; failures are retried with
/// backoff (1 s, 2 s, 4 s, ... at most 5 minutes apart).
pub(super) async fn deliver(sb: Sandbox, mut stop: watch::Receiver<bool>) {
    let Some(url) = sb.settings.webhook_url.clone() else {
        return;
    };
    let Ok(http) = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
    else {
        tracing::error!("sandbox: cannot build an HTTP client for webhooks");
        return;
    };
    loop {
        let busy = match deliver_due(&sb, &http, &url).await {
            Ok(due) => due == WEBHOOK_BATCH,
            Err(error) => {
                tracing::warn!(%error, "sandbox: webhook delivery failed");
                false
            }
        };
        // A full batch: more are waiting, go on at once.
        let pause = if busy {
            Duration::ZERO
        } else {
            Duration::from_millis(200)
        };
        tokio::select! {
            _ = tokio::time::sleep(pause) => {}
            _ = stop.wait_for(|s| *s) => return,
        }
    }
}

/// Posts the due events in one signed delivery (`{"events": [...]}`, oldest first)
/// and records the outcome in one statement. Returns how many were due.
async fn deliver_due(
    sb: &Sandbox,
    http: &reqwest::Client,
    url: &str,
) -> Result<usize, sqlx::Error> {
    let due = sqlx::query!(
        "SELECT id, body FROM payments_sandbox.events
              WHERE delivered_at IS NULL AND next_attempt_at <= now()
              ORDER BY created_at LIMIT $1",
        WEBHOOK_BATCH as i64
    )
    .fetch_all(&sb.pool)
    .await?;
    if due.is_empty() {
        return Ok(0);
    }
    let (ids, events): (Vec<String>, Vec<serde_json::Value>) =
        due.into_iter().map(|e| (e.id, e.body)).unzip();
    let body = serde_json::json!({ "events": events }).to_string();
    let now = chrono::Utc::now().timestamp();
    let signed = signature::sign(sb.settings.webhook_secret.as_bytes(), now, body.as_bytes());
    let outcome = http
        .post(url)
        .header(header::CONTENT_TYPE, "application/json")
        .header(SIGNATURE_HEADER, signed)
        .body(body)
        .send()
        .await;
    let error = match outcome {
        Ok(r) if r.status().is_success() => None,
        Ok(r) => Some(format!("answered {}", r.status())),
        Err(e) => Some(e.to_string()),
    };
    sqlx::query!(
        "UPDATE payments_sandbox.events
                SET attempts = attempts + 1,
                    delivered_at = CASE WHEN $2::text IS NULL THEN now() END,
                    last_error = $2,
                    next_attempt_at = CASE WHEN $2::text IS NULL THEN next_attempt_at
                        ELSE now() + make_interval(secs => least(power(2, attempts), 300)) END
              WHERE id = ANY($1)",
        &ids,
        error
    )
    .execute(&sb.pool)
    .await?;
    Ok(ids.len())
}
