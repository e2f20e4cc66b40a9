//! Audit entries as the admin's log page shows them, and the filters it takes.

use serde::{Deserialize, Serialize};

/// One entry of the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub id: i64,
    /// RFC 3339, UTC.
    pub at: String,
    pub actor: String,
    pub ip: Option<String>,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<String>,
    /// The values before and after, as JSON text (pretty-printed).
    pub before: Option<String>,
    pub after: Option<String>,
}

/// What the log page filters by (all optional), and the page: entries older than
/// `before_id` (keyset pagination, newest first).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filter {
    #[serde(default)]
    pub actor: String,
    #[serde(default)]
    pub entity: String,
    #[serde(default)]
    pub entity_id: String,
    #[serde(default)]
    pub action: String,
    /// `YYYY-MM-DD`, inclusive.
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub before_id: Option<i64>,
}

impl Filter {
    /// The filter as URL query pairs (for links to the next page and the export).
    pub fn query(&self) -> String {
        let mut pairs = Vec::new();
        for (k, v) in [
            ("actor", &self.actor),
            ("entity", &self.entity),
            ("entity_id", &self.entity_id),
            ("action", &self.action),
            ("from", &self.from),
            ("to", &self.to),
        ] {
            if !v.trim().is_empty() {
                pairs.push(format!("{k}={}", crate::url::encode(v.trim())));
            }
        }
        pairs.join("&")
    }
}

/// A page of the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page {
    pub entries: Vec<Entry>,
    /// The `before_id` of the next (older) page, if there is one.
    pub next: Option<i64>,
}

pub const PAGE_SIZE: i64 = 50;
