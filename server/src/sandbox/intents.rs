//! Payment intents: authorize (with automatic capture when asked), capture, void, refund,
//! show and find, each request that moves money idempotent under its key.

use super::Sandbox;
use super::answers::{Refusal, error, gate, internal, random_id, refuse};
use super::faults::take;
use app::payments::wire::{
    AmountRequest, AuthorizeRequest, Event, IDEMPOTENCY_HEADER, Intent, IntentStatus, test_cards,
};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use sqlx::PgConnection;

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

/// An intent as stored.
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
    /// The intent, or an error if its status is not one (the database checks it is).
    fn into_intent(self) -> Result<Intent, sqlx::Error> {
        let status = IntentStatus::parse(&self.status).ok_or_else(|| {
            sqlx::Error::Decode(
                format!("intent {} has the status `{}`", self.id, self.status).into(),
            )
        })?;
        Ok(Intent {
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
        })
    }
}

/// An intent, to read.
async fn load(conn: &mut PgConnection, id: &str) -> Result<Option<Intent>, sqlx::Error> {
    sqlx::query_as!(
        IntentRow,
        "SELECT id, status, amount, currency, captured, refunded, reference, last4, card_token,
                decline_code
           FROM payments_sandbox.intents WHERE id = $1",
        id
    )
    .fetch_optional(conn)
    .await?
    .map(IntentRow::into_intent)
    .transpose()
}

/// An intent, to change: its row is locked for the rest of the transaction.
async fn lock(conn: &mut PgConnection, id: &str) -> Result<Option<Intent>, sqlx::Error> {
    sqlx::query_as!(
        IntentRow,
        "SELECT id, status, amount, currency, captured, refunded, reference, last4, card_token,
                decline_code
           FROM payments_sandbox.intents WHERE id = $1 FOR UPDATE",
        id
    )
    .fetch_optional(conn)
    .await?
    .map(IntentRow::into_intent)
    .transpose()
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
    sqlx::query!(
        "INSERT INTO payments_sandbox.events (id, body) VALUES ($1, $2)",
        id,
        body
    )
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
    let stored = sqlx::query!(
        "SELECT request_hash, status, body FROM payments_sandbox.idempotency
          WHERE key = $1 AND endpoint = $2",
        key,
        endpoint
    )
    .fetch_one(conn)
    .await?;
    let (status, body) = (stored.status, stored.body);
    if stored.request_hash != hash {
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
        let claimed = sqlx::query!(
            "INSERT INTO payments_sandbox.idempotency (key, endpoint, request_hash)
             VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            key,
            endpoint,
            hash
        )
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
                (
                    StatusCode::OK,
                    serde_json::to_value(&intent).unwrap_or_default(),
                    Some(intent),
                )
            }
            Err(refused) => (refused.status, refused.body(), None),
        };
        sqlx::query!(
            "UPDATE payments_sandbox.idempotency SET status = $3, body = $4
              WHERE key = $1 AND endpoint = $2",
            key,
            endpoint,
            status.as_u16() as i16,
            body
        )
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
        let claimed = sqlx::query_scalar!(
            r#"WITH claim AS (
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
             SELECT EXISTS (SELECT 1 FROM claim) AS "claimed!""#,
            key,
            ENDPOINT,
            hash,
            answered,
            intent.id,
            intent.status.as_str(),
            intent.amount,
            intent.currency,
            intent.reference,
            intent.last4,
            intent.card_token,
            intent.decline_code,
            intent.captured,
            event_id,
            event
        )
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

pub(super) async fn authorize(
    State(sb): State<Sandbox>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
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
            let Some(intent) = lock(conn, &id).await? else {
                return Ok(Err(refuse(StatusCode::NOT_FOUND, "not_found", "no such payment intent")));
            };
            let (next, kind) = match change(&intent, amount) {
                Ok(next) => next,
                Err(refused) => return Ok(Err(refused)),
            };
            sqlx::query!(
                "UPDATE payments_sandbox.intents
                    SET status = $2, captured = $3, refunded = $4, updated_at = now() WHERE id = $1",
                next.id,
                next.status.as_str(),
                next.captured,
                next.refunded
            )
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

pub(super) async fn capture(
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

pub(super) async fn void(
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

pub(super) async fn refund(
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

pub(super) async fn show(
    State(sb): State<Sandbox>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Some(stop) = gate(&sb, &headers).await {
        return stop;
    }
    let result = async {
        let mut conn = sb.pool.acquire().await?;
        load(&mut conn, &id).await
    }
    .await;
    match result {
        Ok(Some(intent)) => axum::Json(intent).into_response(),
        Ok(None) => error(StatusCode::NOT_FOUND, "not_found", "no such payment intent"),
        Err(e) => internal(e),
    }
}

#[derive(Deserialize)]
pub(super) struct FindQuery {
    reference: String,
}

pub(super) async fn find(
    State(sb): State<Sandbox>,
    headers: HeaderMap,
    Query(q): Query<FindQuery>,
) -> Response {
    if let Some(stop) = gate(&sb, &headers).await {
        return stop;
    }
    let found = sqlx::query_as!(
        IntentRow,
        "SELECT id, status, amount, currency, captured, refunded, reference, last4, card_token,
                decline_code
           FROM payments_sandbox.intents WHERE reference = $1 ORDER BY created_at, id",
        q.reference
    )
    .fetch_all(&sb.pool)
    .await
    .and_then(|rows| {
        rows.into_iter()
            .map(IntentRow::into_intent)
            .collect::<Result<Vec<_>, _>>()
    });
    match found {
        Ok(intents) => axum::Json(intents).into_response(),
        Err(e) => internal(e),
    }
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
