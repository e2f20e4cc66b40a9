//! `POST /webhooks/payments`: events from the payment provider. The signature is checked
//! over the exact bytes received (HMAC-SHA256 with the shared secret, within five
//! minutes); each event is recorded once by its id, so a replay is acknowledged and
//! changes nothing. A delivery may carry several events (`{"events": [...]}`), recorded
//! together or not at all. Orders act on them in the same transaction (see the checkout).

use app::payments::ssr::signature;
use app::payments::wire::{Event, SIGNATURE_HEADER, delivered_events};
use app::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

pub async fn payments(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let header = headers.get(SIGNATURE_HEADER).and_then(|v| v.to_str().ok());
    let now = chrono::Utc::now().timestamp();
    if let Err(e) = signature::verify(state.payments.webhook_secret.as_bytes(), header, &body, now)
    {
        tracing::warn!(error = %e, "payment webhook refused");
        return (StatusCode::BAD_REQUEST, format!("bad signature: {e}")).into_response();
    }
    let parsed: serde_json::Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => return (StatusCode::BAD_REQUEST, format!("bad event: {e}")).into_response(),
    };
    let bodies = delivered_events(parsed);
    let events: Vec<Event> = match bodies.iter().map(Event::deserialize).collect() {
        Ok(events) => events,
        Err(e) => return (StatusCode::BAD_REQUEST, format!("bad event: {e}")).into_response(),
    };
    let ids: Vec<String> = events.iter().map(|e| e.id.clone()).collect();
    let kinds: Vec<String> = events.iter().map(|e| e.kind.clone()).collect();
    let intents: Vec<String> = events.iter().map(|e| e.intent.id.clone()).collect();
    // All of a delivery's events in one statement (one commit), each recorded once.
    let recorded = sqlx::query!(
        "INSERT INTO payment_events (id, kind, intent_id, body)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::jsonb[])
         ON CONFLICT (id) DO NOTHING",
        &ids,
        &kinds,
        &intents,
        &bodies,
    )
    .execute(&state.db.primary)
    .await;
    match recorded {
        Ok(done) => {
            let replayed = (ids.len() as u64).saturating_sub(done.rows_affected());
            if replayed > 0 {
                tracing::info!(
                    replayed,
                    "payment webhook events replayed; already recorded"
                );
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
