//! The carrier's wire format (the sandbox carrier speaks it).

use serde::{Deserialize, Serialize};

/// `POST /v1/carrier/shipments`: a label for a parcel. The same `reference` always gets
/// the same label (a retry cannot buy two).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelRequest {
    pub reference: String,
    pub weight_grams: i64,
    pub from: String,
    pub to_country: String,
}

/// A parcel as the carrier reports it (`GET /v1/carrier/shipments/{tracking_number}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Parcel {
    pub carrier: String,
    pub tracking_number: String,
    pub reference: String,
    /// `in_transit` or `delivered`.
    pub status: String,
}

impl Parcel {
    pub fn delivered(&self) -> bool {
        self.status == "delivered"
    }
}
