//! A job as staff see it.

use crate::staff::model::Permission;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "ssr",
    derive(sqlx::Type),
    sqlx(type_name = "job_status", rename_all = "lowercase")
)]
pub enum JobStatus {
    Queued,
    Running,
    Done,
    Failed,
}

impl JobStatus {
    pub fn label(self) -> &'static str {
        match self {
            JobStatus::Queued => "Waiting to start",
            JobStatus::Running => "Running",
            JobStatus::Done => "Done",
            JobStatus::Failed => "Failed",
        }
    }

    pub fn is_over(self) -> bool {
        matches!(self, JobStatus::Done | JobStatus::Failed)
    }
}

/// The kinds of job, and who may see each.
pub const HISTORY_IMPORT: &str = "history.import";
pub const PRODUCTS_IMPORT: &str = "products.import";
pub const PRODUCTS_EXPORT: &str = "products.export";
pub const STOCK_IMPORT: &str = "stock.import";
pub const STOCK_EXPORT: &str = "stock.export";

pub fn permission(kind: &str) -> Permission {
    match kind {
        HISTORY_IMPORT => Permission::Reports,
        PRODUCTS_IMPORT | PRODUCTS_EXPORT => Permission::Products,
        STOCK_IMPORT | STOCK_EXPORT => Permission::Inventory,
        _ => Permission::Settings,
    }
}

pub fn title(kind: &str) -> &'static str {
    match kind {
        HISTORY_IMPORT => "Importing the order history",
        PRODUCTS_IMPORT => "Importing products",
        PRODUCTS_EXPORT => "Exporting products",
        STOCK_IMPORT => "Importing stock counts",
        STOCK_EXPORT => "Exporting stock",
        _ => "A background job",
    }
}

/// Whether a job of this kind leaves a file to download.
pub fn has_result(kind: &str) -> bool {
    matches!(kind, PRODUCTS_EXPORT | STOCK_EXPORT)
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobView {
    pub id: i64,
    pub kind: String,
    pub status: JobStatus,
    pub total: i64,
    pub done: i64,
    pub stage: String,
    /// What came of it: a few counts, and the rows left out (line and reason).
    pub counts: Vec<(String, String)>,
    pub left_out: Vec<(u64, String)>,
    pub left_out_total: usize,
    pub error: Option<String>,
    pub created: String,
    pub finished: Option<String>,
}

impl JobView {
    /// Done so far, in percent (0 while the total is not known).
    pub fn percent(&self) -> i64 {
        if self.total <= 0 {
            0
        } else {
            (self.done.min(self.total) * 100) / self.total
        }
    }
}
