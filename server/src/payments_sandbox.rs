//! The sandbox payment provider: its own HTTP service on loopback that behaves like a real
//! provider, so the shop's real client path runs (timeouts, retries, idempotency keys,
//! the circuit breaker, signed webhooks). `serve` starts it on a free loopback port unless
//! a provider URL is configured; `server payments-sandbox` runs it on its own.
//!
//! It keeps its books in its own schema (`payments_sandbox`), as a provider keeps its own
//! database: intents, idempotency records (the key, a hash of the request, and the answer,
//! written in the same transaction as the effect) and webhook events with their delivery
//! state. Test cards: see `app::payments::wire::test_cards`.

use app::payments::ssr::signature;
use app::payments::wire::{
    AmountRequest, AuthorizeRequest, ErrorBody, ErrorDetail, Event, IDEMPOTENCY_HEADER, Intent,
    IntentStatus, SIGNATURE_HEADER, test_cards,
};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use sqlx::{PgConnection, PgPool};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
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

/// Faults a test can ask for (`POST /v1/sandbox/faults`).
#[derive(Debug, Default)]
struct Faults {
    /// The next N requests get 503 and change nothing (the provider is down).
    unavailable: AtomicU32,
    /// The next N requests that move money do it, then answer 500 (the answer is lost).
    fail_after_commit: AtomicU32,
    /// Every request waits this long first (a slow provider).
    delay_ms: AtomicU64,
}

fn take(counter: &AtomicU32) -> bool {
    counter
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok()
}

const SCHEMA: &[&str] = &[
    "CREATE SCHEMA IF NOT EXISTS payments_sandbox",
    "CREATE TABLE IF NOT EXISTS payments_sandbox.intents (
        id TEXT PRIMARY KEY,
        status TEXT NOT NULL,
        amount BIGINT NOT NULL,
        currency TEXT NOT NULL,
        captured BIGINT NOT NULL DEFAULT 0,
        refunded BIGINT NOT NULL DEFAULT 0,
        reference TEXT NOT NULL,
        last4 TEXT NOT NULL,
        card_token TEXT,
        decline_code TEXT,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT now())",
    "CREATE INDEX IF NOT EXISTS intents_reference ON payments_sandbox.intents (reference)",
    "CREATE TABLE IF NOT EXISTS payments_sandbox.idempotency (
        key TEXT NOT NULL,
        endpoint TEXT NOT NULL,
        request_hash TEXT NOT NULL,
        status SMALLINT NOT NULL DEFAULT 0,
        body JSONB,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        PRIMARY KEY (key, endpoint))",
    "CREATE TABLE IF NOT EXISTS payments_sandbox.events (
        id TEXT PRIMARY KEY,
        body JSONB NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        delivered_at TIMESTAMPTZ,
        last_error TEXT,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now())",
    "CREATE INDEX IF NOT EXISTS events_pending ON payments_sandbox.events (next_attempt_at)
        WHERE delivered_at IS NULL",
    // The sandbox carrier's parcels: one label per reference.
    "CREATE TABLE IF NOT EXISTS payments_sandbox.parcels (
        tracking_number TEXT PRIMARY KEY,
        reference TEXT NOT NULL UNIQUE,
        weight_grams BIGINT NOT NULL,
        origin TEXT NOT NULL,
        to_country TEXT NOT NULL,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now())",
];

impl Sandbox {
    /// Creates the sandbox's tables if needed (its own schema; not the shop's migrations).
    pub async fn open(pool: PgPool, settings: SandboxSettings) -> Result<Self, sqlx::Error> {
        // One sandbox at a time creates the schema (a lock released with the transaction,
        // whatever happens).
        let mut tx = pool.begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock(7401)")
            .execute(&mut *tx)
            .await?;
        for statement in SCHEMA {
            sqlx::query(statement).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(Sandbox {
            pool,
            settings: Arc::new(settings),
            faults: Arc::default(),
        })
    }

    pub fn router(&self) -> Router {
        Router::new()
            .route("/v1/payment_intents", post(authorize).get(find))
            .route("/v1/payment_intents/{id}", get(show))
            .route("/v1/payment_intents/{id}/capture", post(capture))
            .route("/v1/payment_intents/{id}/void", post(void))
            .route("/v1/payment_intents/{id}/refund", post(refund))
            .route("/v1/sandbox/faults", post(set_faults))
            .route("/v1/carrier/shipments", post(label))
            .route("/v1/carrier/shipments/{tracking}", get(track))
            .with_state(self.clone())
    }

    /// Serves on `listener` and delivers webhooks until `stop`.
    pub async fn run(
        self,
        listener: tokio::net::TcpListener,
        mut stop: watch::Receiver<bool>,
    ) -> std::io::Result<()> {
        tokio::spawn(self.clone().deliver_webhooks(stop.clone()));
        axum::serve(listener, self.router())
            .with_graceful_shutdown(async move {
                let _ = stop.wait_for(|s| *s).await;
            })
            .await
    }

    /// Posts pending events to the webhook URL, signed; failures are retried with
    /// backoff (1 s, 2 s, 4 s, ... at most 5 minutes apart).
    async fn deliver_webhooks(self, mut stop: watch::Receiver<bool>) {
        let Some(url) = self.settings.webhook_url.clone() else {
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
            let busy = match self.deliver_due(&http, &url).await {
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
    async fn deliver_due(&self, http: &reqwest::Client, url: &str) -> Result<usize, sqlx::Error> {
        let due: Vec<(String, serde_json::Value)> = sqlx::query_as(
            "SELECT id, body FROM payments_sandbox.events
              WHERE delivered_at IS NULL AND next_attempt_at <= now()
              ORDER BY created_at LIMIT $1",
        )
        .bind(WEBHOOK_BATCH as i64)
        .fetch_all(&self.pool)
        .await?;
        if due.is_empty() {
            return Ok(0);
        }
        let (ids, events): (Vec<String>, Vec<serde_json::Value>) = due.into_iter().unzip();
        let body = serde_json::json!({ "events": events }).to_string();
        let now = chrono::Utc::now().timestamp();
        let signed = signature::sign(
            self.settings.webhook_secret.as_bytes(),
            now,
            body.as_bytes(),
        );
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
        sqlx::query(
            "UPDATE payments_sandbox.events
                SET attempts = attempts + 1,
                    delivered_at = CASE WHEN $2::text IS NULL THEN now() END,
                    last_error = $2,
                    next_attempt_at = CASE WHEN $2::text IS NULL THEN next_attempt_at
                        ELSE now() + make_interval(secs => least(power(2, attempts), 300)) END
              WHERE id = ANY($1)",
        )
        .bind(&ids)
        .bind(error)
        .execute(&self.pool)
        .await?;
        Ok(ids.len())
    }
}

/// Events in one delivery, at most.
const WEBHOOK_BATCH: usize = 100;

// ------------------------------------------------------------------------------------
// Answers

fn error(status: StatusCode, code: &str, message: impl Into<String>) -> Response {
    (
        status,
        axum::Json(ErrorBody {
            error: ErrorDetail {
                code: code.into(),
                message: message.into(),
            },
        }),
    )
        .into_response()
}

/// A request the sandbox refuses: it changes nothing, and is an answer to remember like
/// any other (the same request under the same key gets it again).
struct Refusal {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl Refusal {
    fn body(self) -> serde_json::Value {
        serde_json::to_value(ErrorBody {
            error: ErrorDetail {
                code: self.code.into(),
                message: self.message,
            },
        })
        .unwrap_or_default()
    }
}

fn refuse(status: StatusCode, code: &'static str, message: impl Into<String>) -> Refusal {
    Refusal {
        status,
        code,
        message: message.into(),
    }
}

fn internal(e: sqlx::Error) -> Response {
    tracing::error!(error = %e, "sandbox: database error");
    error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "the sandbox failed",
    )
}

/// Checks the API key and applies the faults a test asked for. `None`: go on.
async fn gate(sb: &Sandbox, headers: &HeaderMap) -> Option<Response> {
    let expected = format!("Bearer {}", sb.settings.api_key);
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    if given != Some(expected.as_str()) {
        return Some(error(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "a valid API key is required",
        ));
    }
    let delay = sb.faults.delay_ms.load(Ordering::SeqCst);
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    if take(&sb.faults.unavailable) {
        return Some(error(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "the sandbox is down (a fault asked for by a test)",
        ));
    }
    None
}

fn random_id(prefix: &str) -> String {
    format!("{prefix}_{}", hex::encode(rand::random::<[u8; 12]>()))
}

fn luhn_ok(digits: &str) -> bool {
    let mut sum = 0;
    for (i, c) in digits.bytes().rev().enumerate() {
        let mut d = u32::from(c - b'0');
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    sum % 10 == 0
}

#[derive(sqlx::FromRow)]
struct IntentRow {
    id: String,
    status: String,
    amount: i64,
    currency: String,
    captured: i64,
    refunded: i64,
    reference: String,
    last4: String,
    card_token: Option<String>,
    decline_code: Option<String>,
}

impl IntentRow {
    fn into_intent(self) -> Intent {
        let status = IntentStatus::parse(&self.status).unwrap_or(IntentStatus::Refunded);
        Intent {
            id: self.id,
            status,
            amount: self.amount,
            currency: self.currency,
            captured: self.captured,
            refunded: self.refunded,
            reference: self.reference,
            last4: self.last4,
            card_token: self.card_token,
            decline_code: self.decline_code,
        }
    }
}

const INTENT_COLUMNS: &str =
    "id, status, amount, currency, captured, refunded, reference, last4, card_token, decline_code";

async fn load(
    conn: &mut PgConnection,
    id: &str,
    lock: bool,
) -> Result<Option<Intent>, sqlx::Error> {
    let sql = format!(
        "SELECT {INTENT_COLUMNS} FROM payments_sandbox.intents WHERE id = $1{}",
        if lock { " FOR UPDATE" } else { "" }
    );
    Ok(sqlx::query_as::<_, IntentRow>(&sql)
        .bind(id)
        .fetch_optional(conn)
        .await?
        .map(IntentRow::into_intent))
}

/// The event a change to `intent` sends to the shop's webhook endpoint.
fn event_for(kind: &str, intent: &Intent) -> (String, serde_json::Value) {
    let event = Event {
        id: random_id("evt"),
        kind: format!("payment_intent.{kind}"),
        created: chrono::Utc::now().timestamp(),
        intent: intent.clone(),
    };
    let body = serde_json::to_value(&event).unwrap_or_default();
    (event.id, body)
}

async fn record_event(
    conn: &mut PgConnection,
    kind: &str,
    intent: &Intent,
) -> Result<(), sqlx::Error> {
    let (id, body) = event_for(kind, intent);
    sqlx::query("INSERT INTO payments_sandbox.events (id, body) VALUES ($1, $2)")
        .bind(id)
        .bind(body)
        .execute(conn)
        .await?;
    Ok(())
}

/// What every request that moves money starts with: the API key (and the faults a test
/// asked for), then its idempotency key and the hash of its body.
async fn admit<'h>(
    sb: &Sandbox,
    headers: &'h HeaderMap,
    body: &[u8],
) -> Result<(&'h str, String), Response> {
    if let Some(stop) = gate(sb, headers).await {
        return Err(stop);
    }
    let Some(key) = headers
        .get(IDEMPOTENCY_HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|k| !k.is_empty() && k.len() <= 255)
    else {
        return Err(error(
            StatusCode::BAD_REQUEST,
            "idempotency_key_required",
            "send an Idempotency-Key header",
        ));
    };
    Ok((key, hex::encode(Sha256::digest(body))))
}

/// The answer given the first time to a key already claimed (after its transaction ended:
/// a claim waits for a concurrent one), or a refusal if the request differs.
async fn replay(
    conn: &mut PgConnection,
    key: &str,
    endpoint: &str,
    hash: &str,
) -> Result<Response, sqlx::Error> {
    let (stored_hash, status, body): (String, i16, Option<serde_json::Value>) = sqlx::query_as(
        "SELECT request_hash, status, body FROM payments_sandbox.idempotency WHERE key = $1 AND endpoint = $2",
    )
    .bind(key)
    .bind(endpoint)
    .fetch_one(conn)
    .await?;
    if stored_hash != hash {
        return Ok(error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency_key_reused",
            "this Idempotency-Key was used for a different request",
        ));
    }
    let status = StatusCode::from_u16(status as u16).unwrap_or(StatusCode::OK);
    Ok((status, axum::Json(body.unwrap_or_default())).into_response())
}

/// A committed change's answer, unless a test asked for it to be lost (or, for the
/// timeout card's authorization, late).
async fn answer(
    sb: &Sandbox,
    endpoint: &str,
    status: StatusCode,
    body: serde_json::Value,
    changed: Option<&Intent>,
) -> Response {
    if changed.is_some() && take(&sb.faults.fail_after_commit) {
        return error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the answer was lost (a fault asked for by a test)",
        );
    }
    if let Some(intent) = changed
        && intent.last4 == test_cards::TIMEOUT[12..]
        && endpoint == "authorize"
    {
        tokio::time::sleep(sb.settings.slow_card_delay).await;
    }
    (status, axum::Json(body)).into_response()
}

/// The idempotent frame of every request that changes an intent: the key and the
/// request's hash are claimed in the transaction that makes the change and stores the
/// answer, so a repeat (even a concurrent one, which waits for the first) gets the first
/// answer, and a different request under the same key is refused.
async fn idempotent<F>(
    sb: &Sandbox,
    headers: &HeaderMap,
    endpoint: &str,
    body: &[u8],
    work: F,
) -> Response
where
    F: for<'c> FnOnce(
        &'c mut PgConnection,
    ) -> app::payments::ssr::BoxFuture<
        'c,
        Result<Result<(Intent, &'static str), Refusal>, sqlx::Error>,
    >,
{
    let (key, hash) = match admit(sb, headers, body).await {
        Ok(admitted) => admitted,
        Err(stop) => return stop,
    };
    let result: Result<Response, sqlx::Error> = async {
        let mut tx = sb.pool.begin().await?;
        let claimed = sqlx::query(
            "INSERT INTO payments_sandbox.idempotency (key, endpoint, request_hash) VALUES ($1, $2, $3)
             ON CONFLICT DO NOTHING",
        )
        .bind(key)
        .bind(endpoint)
        .bind(&hash)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if !claimed {
            return replay(&mut tx, key, endpoint, &hash).await;
        }
        let (status, body, changed) = match work(&mut tx).await? {
            Ok((intent, kind)) => {
                record_event(&mut tx, kind, &intent).await?;
                (StatusCode::OK, serde_json::to_value(&intent).unwrap_or_default(), Some(intent))
            }
            Err(refused) => (refused.status, refused.body(), None),
        };
        sqlx::query(
            "UPDATE payments_sandbox.idempotency SET status = $3, body = $4 WHERE key = $1 AND endpoint = $2",
        )
        .bind(key)
        .bind(endpoint)
        .bind(status.as_u16() as i16)
        .bind(&body)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(answer(sb, endpoint, status, body, changed.as_ref()).await)
    }
    .await;
    result.unwrap_or_else(internal)
}

/// The same frame for a new intent, whose answer is known before anything is written:
/// the key's claim, the intent, its event and the stored answer are one statement.
async fn idempotent_new(
    sb: &Sandbox,
    headers: &HeaderMap,
    body: &[u8],
    intent: Intent,
) -> Response {
    const ENDPOINT: &str = "authorize";
    let (key, hash) = match admit(sb, headers, body).await {
        Ok(admitted) => admitted,
        Err(stop) => return stop,
    };
    let answered = serde_json::to_value(&intent).unwrap_or_default();
    let (event_id, event) = event_for(intent.status.as_str(), &intent);
    let result: Result<Response, sqlx::Error> = async {
        let mut conn = sb.pool.acquire().await?;
        let claimed: bool = sqlx::query_scalar(
            "WITH claim AS (
                 INSERT INTO payments_sandbox.idempotency (key, endpoint, request_hash, status, body)
                 VALUES ($1, $2, $3, 200, $4)
                 ON CONFLICT DO NOTHING RETURNING key),
             intent AS (
                 INSERT INTO payments_sandbox.intents
                        (id, status, amount, currency, reference, last4, card_token, decline_code,
                         captured)
                 SELECT $5, $6, $7, $8, $9, $10, $11, $12, $13 FROM claim),
             event AS (
                 INSERT INTO payments_sandbox.events (id, body) SELECT $14, $15 FROM claim)
             SELECT EXISTS (SELECT 1 FROM claim)",
        )
        .bind(key)
        .bind(ENDPOINT)
        .bind(&hash)
        .bind(&answered)
        .bind(&intent.id)
        .bind(intent.status.as_str())
        .bind(intent.amount)
        .bind(&intent.currency)
        .bind(&intent.reference)
        .bind(&intent.last4)
        .bind(&intent.card_token)
        .bind(&intent.decline_code)
        .bind(intent.captured)
        .bind(&event_id)
        .bind(&event)
        .fetch_one(&mut *conn)
        .await?;
        if !claimed {
            return replay(&mut conn, key, ENDPOINT, &hash).await;
        }
        Ok(answer(sb, ENDPOINT, StatusCode::OK, answered, Some(&intent)).await)
    }
    .await;
    result.unwrap_or_else(internal)
}

// ------------------------------------------------------------------------------------
// Endpoints

async fn authorize(State(sb): State<Sandbox>, headers: HeaderMap, body: Bytes) -> Response {
    let request: AuthorizeRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => return error(StatusCode::BAD_REQUEST, "invalid_request", e.to_string()),
    };
    let card: String = request
        .card_number
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    if !(12..=19).contains(&card.len())
        || !card.bytes().all(|b| b.is_ascii_digit())
        || !luhn_ok(&card)
    {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_card_number",
            "the card number is not valid",
        );
    }
    if request.amount <= 0 || request.amount > 10_000_000_000 {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_amount",
            "the amount must be positive",
        );
    }
    if request.currency.len() != 3 || !request.currency.bytes().all(|b| b.is_ascii_uppercase()) {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_currency",
            "the currency must be an ISO 4217 code",
        );
    }
    if request.reference.is_empty() || request.reference.len() > 100 {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_reference",
            "a reference of 1 to 100 characters is required",
        );
    }
    let (status, decline) = match card.as_str() {
        test_cards::SUCCESS | test_cards::TIMEOUT => (IntentStatus::Authorized, None),
        test_cards::DECLINE => (IntentStatus::Declined, Some("card_declined")),
        test_cards::INSUFFICIENT_FUNDS => (IntentStatus::Declined, Some("insufficient_funds")),
        _ => {
            return error(
                StatusCode::BAD_REQUEST,
                "unknown_test_card",
                "the sandbox takes only its test cards",
            );
        }
    };
    sb.clone()
        .handle_authorize(&headers, &body, request, card, status, decline)
        .await
}

impl Sandbox {
    async fn handle_authorize(
        self,
        headers: &HeaderMap,
        body: &[u8],
        request: AuthorizeRequest,
        card: String,
        status: IntentStatus,
        decline: Option<&'static str>,
    ) -> Response {
        let last4 = card[card.len() - 4..].to_owned();
        // Automatic capture: an authorized amount is taken at once.
        let (status, captured) = match status {
            IntentStatus::Authorized if request.capture => (IntentStatus::Captured, request.amount),
            other => (other, 0),
        };
        let intent = Intent {
            id: random_id("pi"),
            status,
            amount: request.amount,
            currency: request.currency,
            captured,
            refunded: 0,
            reference: request.reference,
            last4,
            card_token: (status != IntentStatus::Declined).then(|| random_id("tok")),
            decline_code: decline.map(str::to_owned),
        };
        idempotent_new(&self, headers, body, intent).await
    }
}

/// Changes an intent under its row lock; `change` says what becomes of it, or refuses.
async fn change<F>(
    sb: Sandbox,
    headers: HeaderMap,
    id: String,
    endpoint: &'static str,
    body: Bytes,
    change: F,
) -> Response
where
    F: FnOnce(&Intent, Option<i64>) -> Result<(Intent, &'static str), Refusal> + Send + 'static,
{
    let amount = if body.is_empty() {
        None
    } else {
        match serde_json::from_slice::<AmountRequest>(&body) {
            Ok(r) => r.amount,
            Err(e) => return error(StatusCode::BAD_REQUEST, "invalid_request", e.to_string()),
        }
    };
    let endpoint_key = format!("{endpoint}:{id}");
    idempotent(&sb, &headers, &endpoint_key, &body, move |conn| {
        Box::pin(async move {
            let Some(intent) = load(conn, &id, true).await? else {
                return Ok(Err(refuse(StatusCode::NOT_FOUND, "not_found", "no such payment intent")));
            };
            let (next, kind) = match change(&intent, amount) {
                Ok(next) => next,
                Err(refused) => return Ok(Err(refused)),
            };
            sqlx::query(
                "UPDATE payments_sandbox.intents
                    SET status = $2, captured = $3, refunded = $4, updated_at = now() WHERE id = $1",
            )
            .bind(&next.id)
            .bind(next.status.as_str())
            .bind(next.captured)
            .bind(next.refunded)
            .execute(&mut *conn)
            .await?;
            Ok(Ok((next, kind)))
        })
    })
    .await
}

fn wrong_state(intent: &Intent, action: &str) -> Refusal {
    refuse(
        StatusCode::CONFLICT,
        "invalid_state",
        format!(
            "cannot {action} a payment intent that is {:?}",
            intent.status
        )
        .to_lowercase(),
    )
}

async fn capture(
    State(sb): State<Sandbox>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    change(sb, headers, id, "capture", body, |intent, amount| {
        if intent.status != IntentStatus::Authorized {
            return Err(wrong_state(intent, "capture"));
        }
        let amount = amount.unwrap_or(intent.amount);
        if amount <= 0 || amount > intent.amount {
            return Err(refuse(
                StatusCode::BAD_REQUEST,
                "invalid_amount",
                "capture between 1 and the authorized amount",
            ));
        }
        let mut next = intent.clone();
        next.status = IntentStatus::Captured;
        next.captured = amount;
        Ok((next, "captured"))
    })
    .await
}

async fn void(
    State(sb): State<Sandbox>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    change(sb, headers, id, "void", body, |intent, _| {
        if intent.status != IntentStatus::Authorized {
            return Err(wrong_state(intent, "void"));
        }
        let mut next = intent.clone();
        next.status = IntentStatus::Voided;
        Ok((next, "voided"))
    })
    .await
}

async fn refund(
    State(sb): State<Sandbox>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    change(sb, headers, id, "refund", body, |intent, amount| {
        if !matches!(
            intent.status,
            IntentStatus::Captured | IntentStatus::PartiallyRefunded
        ) {
            return Err(wrong_state(intent, "refund"));
        }
        let left = intent.captured - intent.refunded;
        let amount = amount.unwrap_or(left);
        if amount <= 0 || amount > left {
            return Err(refuse(
                StatusCode::BAD_REQUEST,
                "invalid_amount",
                format!("refund between 1 and the {left} not yet refunded"),
            ));
        }
        let mut next = intent.clone();
        next.refunded += amount;
        next.status = if next.refunded == next.captured {
            IntentStatus::Refunded
        } else {
            IntentStatus::PartiallyRefunded
        };
        Ok((next, "refunded"))
    })
    .await
}

async fn show(State(sb): State<Sandbox>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    if let Some(stop) = gate(&sb, &headers).await {
        return stop;
    }
    let result = async {
        let mut conn = sb.pool.acquire().await?;
        load(&mut conn, &id, false).await
    }
    .await;
    match result {
        Ok(Some(intent)) => axum::Json(intent).into_response(),
        Ok(None) => error(StatusCode::NOT_FOUND, "not_found", "no such payment intent"),
        Err(e) => internal(e),
    }
}

#[derive(Deserialize)]
struct FindQuery {
    reference: String,
}

async fn find(
    State(sb): State<Sandbox>,
    headers: HeaderMap,
    Query(q): Query<FindQuery>,
) -> Response {
    if let Some(stop) = gate(&sb, &headers).await {
        return stop;
    }
    let sql = format!(
        "SELECT {INTENT_COLUMNS} FROM payments_sandbox.intents WHERE reference = $1 ORDER BY created_at, id"
    );
    match sqlx::query_as::<_, IntentRow>(&sql)
        .bind(&q.reference)
        .fetch_all(&sb.pool)
        .await
    {
        Ok(rows) => axum::Json(
            rows.into_iter()
                .map(IntentRow::into_intent)
                .collect::<Vec<_>>(),
        )
        .into_response(),
        Err(e) => internal(e),
    }
}

#[derive(Deserialize)]
struct FaultRequest {
    #[serde(default)]
    unavailable: u32,
    #[serde(default)]
    fail_after_commit: u32,
    #[serde(default)]
    delay_ms: u64,
}

async fn set_faults(
    State(sb): State<Sandbox>,
    headers: HeaderMap,
    axum::Json(f): axum::Json<FaultRequest>,
) -> Response {
    let expected = format!("Bearer {}", sb.settings.api_key);
    if headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        != Some(expected.as_str())
    {
        return error(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "a valid API key is required",
        );
    }
    sb.faults.unavailable.store(f.unavailable, Ordering::SeqCst);
    sb.faults
        .fail_after_commit
        .store(f.fail_after_commit, Ordering::SeqCst);
    sb.faults.delay_ms.store(f.delay_ms, Ordering::SeqCst);
    StatusCode::NO_CONTENT.into_response()
}

#[cfg(test)]
mod tests {
    use super::luhn_ok;
    use app::payments::wire::test_cards;

    #[test]
    fn test_cards_pass_luhn_and_typos_do_not() {
        for card in [
            test_cards::SUCCESS,
            test_cards::DECLINE,
            test_cards::INSUFFICIENT_FUNDS,
            test_cards::TIMEOUT,
        ] {
            assert!(luhn_ok(card), "{card}");
        }
        assert!(!luhn_ok("4242424242424241"));
    }
}

// The sandbox carrier: labels and tracking. A parcel is in transit from its label until
// `delivery_delay` has passed, then delivered.

const CARRIER: &str = "Sandbox Post";

#[derive(sqlx::FromRow)]
struct ParcelRow {
    tracking_number: String,
    reference: String,
    delivered: bool,
}

impl ParcelRow {
    fn into_parcel(self) -> app::fulfilment::carrier::Parcel {
        app::fulfilment::carrier::Parcel {
            carrier: CARRIER.into(),
            tracking_number: self.tracking_number,
            reference: self.reference,
            status: if self.delivered {
                "delivered"
            } else {
                "in_transit"
            }
            .into(),
        }
    }
}

const PARCEL_COLUMNS: &str =
    "tracking_number, reference, created_at + make_interval(secs => $2) <= now() AS delivered";

async fn label(State(sb): State<Sandbox>, headers: HeaderMap, body: Bytes) -> Response {
    if let Some(stop) = gate(&sb, &headers).await {
        return stop;
    }
    let request: app::fulfilment::carrier::LabelRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                format!("the label request is not valid: {e}"),
            );
        }
    };
    if request.reference.trim().is_empty() || request.reference.len() > 100 {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "a label needs a reference of at most 100 characters",
        );
    }
    if request.weight_grams < 0 || request.to_country.len() != 2 {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "a parcel needs a weight and a two-letter destination country",
        );
    }
    let tracking = format!(
        "SBX{:012}",
        u64::from_le_bytes(rand::random::<[u8; 8]>()) % 1_000_000_000_000
    );
    // The same reference gets the same label: a retry buys nothing twice.
    let sql = format!(
        "WITH made AS (
             INSERT INTO payments_sandbox.parcels (tracking_number, reference, weight_grams, origin, to_country)
             VALUES ($1, $3, $4, $5, $6) ON CONFLICT (reference) DO NOTHING RETURNING *)
         SELECT {PARCEL_COLUMNS} FROM made
         UNION ALL
         SELECT {PARCEL_COLUMNS} FROM payments_sandbox.parcels WHERE reference = $3
         LIMIT 1"
    );
    match sqlx::query_as::<_, ParcelRow>(&sql)
        .bind(&tracking)
        .bind(sb.settings.delivery_delay.as_secs_f64())
        .bind(&request.reference)
        .bind(request.weight_grams)
        .bind(&request.from)
        .bind(&request.to_country)
        .fetch_one(&sb.pool)
        .await
    {
        Ok(row) => (StatusCode::OK, axum::Json(row.into_parcel())).into_response(),
        Err(e) => internal(e),
    }
}

async fn track(
    State(sb): State<Sandbox>,
    headers: HeaderMap,
    Path(tracking): Path<String>,
) -> Response {
    if let Some(stop) = gate(&sb, &headers).await {
        return stop;
    }
    let sql =
        format!("SELECT {PARCEL_COLUMNS} FROM payments_sandbox.parcels WHERE tracking_number = $1");
    match sqlx::query_as::<_, ParcelRow>(&sql)
        .bind(&tracking)
        .bind(sb.settings.delivery_delay.as_secs_f64())
        .fetch_optional(&sb.pool)
        .await
    {
        Ok(Some(row)) => (StatusCode::OK, axum::Json(row.into_parcel())).into_response(),
        Ok(None) => error(
            StatusCode::NOT_FOUND,
            "not_found",
            "no parcel has that tracking number",
        ),
        Err(e) => internal(e),
    }
}
