//! How the sandbox answers: error bodies, refusals kept as answers, the API key check,
//! and the faults a test asked for, applied to each request.

use super::Sandbox;
use super::faults::take;
use app::payments::wire::{ErrorBody, ErrorDetail};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::sync::atomic::Ordering;
use std::time::Duration;

pub(super) fn error(status: StatusCode, code: &str, message: impl Into<String>) -> Response {
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
pub(super) struct Refusal {
    pub(super) status: StatusCode,
    code: &'static str,
    message: String,
}

impl Refusal {
    pub(super) fn body(self) -> serde_json::Value {
        serde_json::to_value(ErrorBody {
            error: ErrorDetail {
                code: self.code.into(),
                message: self.message,
            },
        })
        .unwrap_or_default()
    }
}

pub(super) fn refuse(
    status: StatusCode,
    code: &'static str,
    message: impl Into<String>,
) -> Refusal {
    Refusal {
        status,
        code,
        message: message.into(),
    }
}

pub(super) fn internal(e: sqlx::Error) -> Response {
    tracing::error!(error = %e, "sandbox: database error");
    error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "the sandbox failed",
    )
}

/// Checks the API key and applies the faults a test asked for. `None`: go on.
pub(super) async fn gate(sb: &Sandbox, headers: &HeaderMap) -> Option<Response> {
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

pub(super) fn random_id(prefix: &str) -> String {
    format!("{prefix}_{}", hex::encode(rand::random::<[u8; 12]>()))
}
