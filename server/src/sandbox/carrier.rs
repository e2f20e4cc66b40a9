//! The sandbox carrier: labels and tracking. A parcel is in transit from its label until
//! `delivery_delay` has passed, then delivered.

use super::Sandbox;
use super::answers::{error, gate, internal};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

const CARRIER: &str = "Sandbox Post";

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

pub(super) async fn label(State(sb): State<Sandbox>, headers: HeaderMap, body: Bytes) -> Response {
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
    let made = sqlx::query_as!(
        ParcelRow,
        r#"WITH made AS (
             INSERT INTO payments_sandbox.parcels (tracking_number, reference, weight_grams, origin, to_country)
             VALUES ($1, $3, $4, $5, $6) ON CONFLICT (reference) DO NOTHING RETURNING *)
         SELECT tracking_number AS "tracking_number!", reference AS "reference!",
                created_at + make_interval(secs => $2) <= now() AS "delivered!"
           FROM made
         UNION ALL
         SELECT tracking_number, reference, created_at + make_interval(secs => $2) <= now()
           FROM payments_sandbox.parcels WHERE reference = $3
         LIMIT 1"#,
        tracking,
        sb.settings.delivery_delay.as_secs_f64(),
        request.reference,
        request.weight_grams,
        request.from,
        request.to_country
    )
    .fetch_one(&sb.pool)
    .await;
    match made {
        Ok(row) => (StatusCode::OK, axum::Json(row.into_parcel())).into_response(),
        Err(e) => internal(e),
    }
}

pub(super) async fn track(
    State(sb): State<Sandbox>,
    headers: HeaderMap,
    Path(tracking): Path<String>,
) -> Response {
    if let Some(stop) = gate(&sb, &headers).await {
        return stop;
    }
    let found = sqlx::query_as!(
        ParcelRow,
        r#"SELECT tracking_number, reference,
                  created_at + make_interval(secs => $2) <= now() AS "delivered!"
             FROM payments_sandbox.parcels WHERE tracking_number = $1"#,
        tracking,
        sb.settings.delivery_delay.as_secs_f64()
    )
    .fetch_optional(&sb.pool)
    .await;
    match found {
        Ok(Some(row)) => (StatusCode::OK, axum::Json(row.into_parcel())).into_response(),
        Ok(None) => error(
            StatusCode::NOT_FOUND,
            "not_found",
            "no parcel has that tracking number",
        ),
        Err(e) => internal(e),
    }
}
