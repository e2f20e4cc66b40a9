//! The shop's client for a provider that speaks the wire format in `payments::wire`
//! (the sandbox does): a timeout on every attempt, retries with backoff carrying the same
//! idempotency key (so a retry cannot charge twice), and a circuit breaker.

use super::{BoxFuture, Breaker, PaymentError, PaymentProvider};
use crate::money::Money;
use crate::payments::wire::{
    AmountRequest, AuthorizeRequest, ErrorBody, IDEMPOTENCY_HEADER, Intent, IntentStatus,
};
use reqwest::{Method, StatusCode};
use std::time::Duration;

#[derive(Clone)]
pub struct ClientSettings {
    /// e.g. `http://127.0.0.1:4010`
    pub base_url: String,
    pub api_key: String,
    /// Per attempt.
    pub timeout: Duration,
    /// Attempts after the first.
    pub retries: u32,
    /// Failures in a row that open the circuit, and how long it stays open.
    pub breaker_threshold: u32,
    pub breaker_cool_down: Duration,
}

impl std::fmt::Debug for ClientSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientSettings")
            .field("base_url", &self.base_url)
            .field("api_key", &"<redacted>")
            .field("timeout", &self.timeout)
            .field("retries", &self.retries)
            .finish_non_exhaustive()
    }
}

#[derive(Debug)]
pub struct HttpProvider {
    http: reqwest::Client,
    settings: ClientSettings,
    breaker: Breaker,
}

/// What one attempt came to.
enum Attempt<T> {
    Done(Result<T, PaymentError>),
    /// Worth another attempt (timeout, connection refused, 5xx, a concurrent twin).
    Retry(PaymentError),
}

impl HttpProvider {
    pub fn new(settings: ClientSettings) -> Result<Self, PaymentError> {
        let http = reqwest::Client::builder()
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout)
            .build()
            .map_err(|_| PaymentError::Unavailable)?;
        Ok(HttpProvider {
            breaker: Breaker::new(settings.breaker_threshold, settings.breaker_cool_down),
            http,
            settings,
        })
    }

    pub fn breaker(&self) -> &Breaker {
        &self.breaker
    }

    async fn attempt<T: serde::de::DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&serde_json::Value>,
        idempotency_key: Option<&str>,
    ) -> Attempt<T> {
        let url = format!("{}{path}", self.settings.base_url.trim_end_matches('/'));
        let mut request = self
            .http
            .request(method, url)
            .bearer_auth(&self.settings.api_key);
        if let Some(key) = idempotency_key {
            request = request.header(IDEMPOTENCY_HEADER, key);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = match request.send().await {
            Ok(r) => r,
            Err(e) if e.is_timeout() => return Attempt::Retry(PaymentError::Timeout),
            Err(_) => return Attempt::Retry(PaymentError::Unavailable),
        };
        let status = response.status();
        let bytes = match response.bytes().await {
            Ok(b) => b,
            Err(e) if e.is_timeout() => return Attempt::Retry(PaymentError::Timeout),
            Err(_) => return Attempt::Retry(PaymentError::Unavailable),
        };
        if status.is_success() {
            return Attempt::Done(
                serde_json::from_slice(&bytes).map_err(|_| PaymentError::Unavailable),
            );
        }
        let error = serde_json::from_slice::<ErrorBody>(&bytes).ok();
        let (code, message) = error
            .map(|e| (e.error.code, e.error.message))
            .unwrap_or_else(|| ("unknown".into(), format!("the provider answered {status}")));
        match status {
            // The same key is still being worked on by an earlier attempt: ask again.
            StatusCode::CONFLICT if code == "idempotency_in_progress" => {
                Attempt::Retry(PaymentError::Timeout)
            }
            StatusCode::TOO_MANY_REQUESTS => Attempt::Retry(PaymentError::Unavailable),
            s if s.is_server_error() => Attempt::Retry(PaymentError::Unavailable),
            _ => Attempt::Done(Err(PaymentError::Rejected { code, message })),
        }
    }

    /// Sends with retries (same key each time), behind the circuit breaker.
    #[tracing::instrument(
        skip_all,
        fields(payment.call = %path, payment.idempotency_key = idempotency_key.unwrap_or("-"))
    )]
    async fn send<T: serde::de::DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<serde_json::Value>,
        idempotency_key: Option<&str>,
    ) -> Result<T, PaymentError> {
        if !self.breaker.allow() {
            return Err(PaymentError::Unavailable);
        }
        let mut last = PaymentError::Unavailable;
        for attempt in 0..=self.settings.retries {
            if attempt > 0 {
                // 100 ms, 200 ms, 400 ms, ... with up to 50% jitter.
                let base = 100u64 << (attempt - 1).min(5);
                let jitter = rand::random::<u64>() % (base / 2 + 1);
                tokio::time::sleep(Duration::from_millis(base + jitter)).await;
            }
            match self
                .attempt(method.clone(), path, body.as_ref(), idempotency_key)
                .await
            {
                Attempt::Done(result) => {
                    self.breaker.succeeded();
                    return result;
                }
                Attempt::Retry(error) => {
                    tracing::warn!(%path, attempt, %error, "payment provider call failed");
                    last = error;
                }
            }
        }
        self.breaker.failed();
        Err(last)
    }
}

impl HttpProvider {
    /// `POST /v1/payment_intents/{id}/{action}`: capture, void, refund.
    #[tracing::instrument(skip_all, fields(payment.intent = %intent_id, payment.action = action))]
    async fn act(
        &self,
        intent_id: &str,
        action: &str,
        amount: Option<AmountRequest>,
        idempotency_key: &str,
    ) -> Result<Intent, PaymentError> {
        let path = format!(
            "/v1/payment_intents/{}/{action}",
            crate::url::encode(intent_id)
        );
        let body = amount.as_ref().and_then(json);
        self.send(Method::POST, &path, body, Some(idempotency_key))
            .await
    }
}

fn declined_is_an_error(intent: Intent) -> Result<Intent, PaymentError> {
    if intent.status == IntentStatus::Declined {
        return Err(PaymentError::Declined {
            code: intent
                .decline_code
                .clone()
                .unwrap_or_else(|| "card_declined".into()),
            intent: Box::new(intent),
        });
    }
    Ok(intent)
}

fn json<T: serde::Serialize>(value: &T) -> Option<serde_json::Value> {
    serde_json::to_value(value).ok()
}

impl PaymentProvider for HttpProvider {
    fn authorize<'a>(
        &'a self,
        request: &'a AuthorizeRequest,
        idempotency_key: &'a str,
    ) -> BoxFuture<'a, Result<Intent, PaymentError>> {
        Box::pin(async move {
            let intent: Intent = self
                .send(
                    Method::POST,
                    "/v1/payment_intents",
                    json(request),
                    Some(idempotency_key),
                )
                .await?;
            declined_is_an_error(intent)
        })
    }

    fn capture<'a>(
        &'a self,
        intent_id: &'a str,
        amount: Option<Money>,
        idempotency_key: &'a str,
    ) -> BoxFuture<'a, Result<Intent, PaymentError>> {
        Box::pin(self.act(
            intent_id,
            "capture",
            Some(AmountRequest {
                amount: amount.map(|m| m.minor()),
            }),
            idempotency_key,
        ))
    }

    fn void<'a>(
        &'a self,
        intent_id: &'a str,
        idempotency_key: &'a str,
    ) -> BoxFuture<'a, Result<Intent, PaymentError>> {
        Box::pin(self.act(intent_id, "void", None, idempotency_key))
    }

    fn refund<'a>(
        &'a self,
        intent_id: &'a str,
        amount: Option<Money>,
        idempotency_key: &'a str,
    ) -> BoxFuture<'a, Result<Intent, PaymentError>> {
        Box::pin(self.act(
            intent_id,
            "refund",
            Some(AmountRequest {
                amount: amount.map(|m| m.minor()),
            }),
            idempotency_key,
        ))
    }

    fn find<'a>(&'a self, reference: &'a str) -> BoxFuture<'a, Result<Vec<Intent>, PaymentError>> {
        Box::pin(async move {
            let query = crate::url::encode(reference);
            self.send(
                Method::GET,
                &format!("/v1/payment_intents?reference={query}"),
                None,
                None,
            )
            .await
        })
    }
}
