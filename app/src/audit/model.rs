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
    /// The filter as a URL query (`?actor=...`, empty when it has nothing), with the
    /// page to start at when `before_id` is given: the export's and the next page's links.
    pub fn query(&self, before_id: Option<i64>) -> String {
        let before_id = before_id.map(|id| id.to_string());
        let pairs = [
            ("actor", self.actor.trim()),
            ("entity", self.entity.trim()),
            ("entity_id", self.entity_id.trim()),
            ("action", self.action.trim()),
            ("from", self.from.trim()),
            ("to", self.to.trim()),
            ("before_id", before_id.as_deref().unwrap_or("")),
        ];
        crate::url::to_query(pairs.into_iter().filter(|(_, v)| !v.is_empty()))
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
