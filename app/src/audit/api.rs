//! Audit log server functions: a page of entries, and the export. Staff permission.

use super::model::{Filter, Page};
use crate::staff::model::AdminError;
use leptos::prelude::*;
use leptos::server_fn::codec::{GetUrl, StreamingText, TextStream};

/// A page of the log (newest first), filtered.
#[server(endpoint = "admin/audit", input = GetUrl)]
pub async fn audit_log(#[server(flatten)] filter: Filter) -> Result<Page, AdminError> {
    use crate::staff::model::Permission;
    let result = async {
        let staff = crate::staff::api::staff()?;
        crate::staff::ssr::require(&staff, Permission::Staff).await?;
        super::ssr::search(staff.pool(), &filter)
            .await
            .map_err(crate::staff::ssr::unavailable)?
            .map_err(AdminError::InvalidInput)
    }
    .await;
    crate::flash::error_status(&result);
    result
}

/// The log as CSV, every entry the filter matches, oldest first (a download).
#[server(endpoint = "admin/audit.csv", input = GetUrl, output = StreamingText)]
pub async fn export_audit_log(
    #[server(flatten)] filter: Filter,
) -> Result<TextStream<AdminError>, AdminError> {
    let result = export(filter).await;
    crate::flash::error_status(&result);
    result
}

#[cfg(feature = "ssr")]
async fn export(filter: Filter) -> Result<TextStream<AdminError>, AdminError> {
    use crate::staff::model::Permission;
    use futures::StreamExt;
    let staff = crate::staff::api::staff()?;
    let signer = crate::staff::ssr::require(&staff, Permission::Staff).await?;
    let lines = super::ssr::export(staff.pool().clone(), filter.clone())
        .map_err(AdminError::InvalidInput)?;
    // Who took a copy of the log is itself in the log.
    let mut tx = staff
        .pool()
        .begin()
        .await
        .map_err(crate::staff::ssr::unavailable)?;
    super::ssr::record(
        &mut tx,
        &signer.actor,
        super::ssr::Change {
            action: "audit_log.export",
            entity: "audit_log",
            entity_id: String::new(),
            before: None,
            after: Some(serde_json::to_value(&filter).unwrap_or_default()),
        },
    )
    .await
    .map_err(crate::staff::ssr::unavailable)?;
    tx.commit().await.map_err(crate::staff::ssr::unavailable)?;
    crate::admin::download("text/csv; charset=utf-8", "audit-log.csv");
    Ok(TextStream::new(
        lines.map(|line| line.map_err(|_| AdminError::Unavailable)),
    ))
}
