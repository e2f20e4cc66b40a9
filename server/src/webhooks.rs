//! `POST /webhooks/payments`: events from the payment provider. The signature is checked
//! over the exact bytes received (HMAC-SHA256 with the shared secret, within five
//! minutes); each event is recorded once by its id, so a replay is acknowledged and
//! changes nothing. Orders act on them in the same transaction (see the checkout).

use app::payments::ssr::signature;
use app::payments::wire::{Event, SIGNATURE_HEADER};
use app::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

pub async fn payments(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let header = headers.get(SIGNATURE_HEADER).and_then(|v| v.to_str().ok());
    let now = chrono::Utc::now().timestamp();
    if let Err(e) = signature::verify(state.payments.webhook_secret.as_bytes(), header, &body, now)
    {
        tracing::warn!(error = %e, "payment webhook refused");
        return (StatusCode::BAD_REQUEST, format!("bad signature: {e}")).into_response();
    }
    let event: Event = match serde_json::from_slice(&body) {
        Ok(e) => e,
        Err(e) => return (StatusCode::BAD_REQUEST, format!("bad event: {e}")).into_response(),
    };
    let body_json: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    let recorded = sqlx::query!(
        "INSERT INTO payment_events (id, kind, intent_id, body) VALUES ($1, $2, $3, $4)
         ON CONFLICT (id) DO NOTHING",
        event.id,
        event.kind,
        event.intent.id,
        body_json,
    )
    .execute(&state.db.primary)
    .await;
    match recorded {
        Ok(done) => {
            if done.rows_affected() == 0 {
                tracing::info!(event = %event.id, "payment webhook replayed; already recorded");
            }
            StatusCode::OK.into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "could not record a payment webhook");
            // The provider will deliver it again.
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
    }
}
