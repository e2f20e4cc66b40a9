//! The sandbox payment provider and carrier: an HTTP service of its own on loopback
//! that behaves like a real provider, so the shop's real client paths run (timeouts,
//! retries, idempotency keys, the circuit breaker, signed webhooks, labels and tracking).
//! `serve` starts it on a free loopback port unless a provider URL is configured;
//! `server payments-sandbox` runs it on its own. It shares nothing with the shop but the
//! wire format (`app::payments::wire`, `app::fulfilment::carrier`).
//!
//! It keeps its books in its own schema (`payments_sandbox`, created by the migrations),
//! as a provider keeps its own database: intents, idempotency records (the key, a hash of
//! the request, and the answer, written in the same transaction as the effect), webhook
//! events with their delivery state, and parcels. Test cards: see
//! `app::payments::wire::test_cards`.
//!
//! - `intents`: authorize (with automatic capture), capture, void, refund, show, find;
//! - `webhooks`: signed deliveries of due events, with backoff;
//! - `carrier`: labels (one per reference) and tracking;
//! - `faults`: what a test can ask of it (down, answers lost after commit, slow);
//! - `answers`: error bodies, the API key check and the faults applied to each request.

mod answers;
mod carrier;
mod faults;
mod intents;
mod webhooks;

use axum::Router;
use axum::routing::{get, post};
use faults::Faults;
use sqlx::PgPool;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

#[derive(Debug, Clone)]
pub struct SandboxSettings {
    pub api_key: String,
    /// Where webhooks go (the shop's `/webhooks/payments`), if anywhere.
    pub webhook_url: Option<String>,
    pub webhook_secret: String,
    /// How long the timeout test card keeps the caller waiting.
    pub slow_card_delay: Duration,
    /// How long a parcel takes from label to delivery (the sandbox carrier).
    pub delivery_delay: Duration,
}

#[derive(Debug, Clone)]
pub struct Sandbox {
    pool: PgPool,
    settings: Arc<SandboxSettings>,
    faults: Arc<Faults>,
}

impl Sandbox {
    /// The sandbox on `pool`, whose database has the migrations (its schema) applied.
    pub async fn open(pool: PgPool, settings: SandboxSettings) -> Result<Self, sqlx::Error> {
        // Its books must be there: a clear error at start-up, not at the first payment.
        sqlx::query!("SELECT 1 AS one FROM payments_sandbox.intents LIMIT 1")
            .fetch_optional(&pool)
            .await?;
        Ok(Sandbox {
            pool,
            settings: Arc::new(settings),
            faults: Arc::default(),
        })
    }

    pub fn router(&self) -> Router {
        Router::new()
            .route(
                "/v1/payment_intents",
                post(intents::authorize).get(intents::find),
            )
            .route("/v1/payment_intents/{id}", get(intents::show))
            .route("/v1/payment_intents/{id}/capture", post(intents::capture))
            .route("/v1/payment_intents/{id}/void", post(intents::void))
            .route("/v1/payment_intents/{id}/refund", post(intents::refund))
            .route("/v1/sandbox/faults", post(faults::set_faults))
            .route("/v1/carrier/shipments", post(carrier::label))
            .route("/v1/carrier/shipments/{tracking}", get(carrier::track))
            .with_state(self.clone())
    }

    /// Serves on `listener` and delivers webhooks until `stop`.
    pub async fn run(
        self,
        listener: tokio::net::TcpListener,
        mut stop: watch::Receiver<bool>,
    ) -> std::io::Result<()> {
        tokio::spawn(webhooks::deliver(self.clone(), stop.clone()));
        axum::serve(listener, self.router())
            .with_graceful_shutdown(async move {
                let _ = stop.wait_for(|s| *s).await;
            })
            .await
    }
}
