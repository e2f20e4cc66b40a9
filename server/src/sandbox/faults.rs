//! Faults a test can ask for (`POST /v1/sandbox/faults`): the provider down for the next
//! N requests, answers lost after their change was committed, or every request slow.

use super::Sandbox;
use super::answers::error;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

#[derive(Debug, Default)]
pub(super) struct Faults {
    /// The next N requests get 503 and change nothing (the provider is down).
    pub(super) unavailable: AtomicU32,
    /// The next N requests that move money do it, then answer 500 (the answer is lost).
    pub(super) fail_after_commit: AtomicU32,
    /// Every request waits this long first (a slow provider).
    pub(super) delay_ms: AtomicU64,
}

/// Takes one from a fault's counter, if any are left.
pub(super) fn take(counter: &AtomicU32) -> bool {
    counter
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok()
}

#[derive(Deserialize)]
pub(super) struct FaultRequest {
    #[serde(default)]
    unavailable: u32,
    #[serde(default)]
    fail_after_commit: u32,
    #[serde(default)]
    delay_ms: u64,
}

pub(super) async fn set_faults(
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
