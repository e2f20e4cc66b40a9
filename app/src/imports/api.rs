//! The imports page's server functions: the page, an uploaded file queued for import,
//! an export queued, and a job's files downloaded (each checked against the permission
//! its subject needs: `products` or `inventory`).

use super::model::ImportsBoard;
use crate::staff::model::AdminError;
use leptos::prelude::*;
use leptos::server_fn::codec::{
    GetUrl, MultipartData, MultipartFormData, StreamingText, TextStream,
};

#[server(endpoint = "admin/imports", input = GetUrl)]
pub async fn imports_page() -> Result<ImportsBoard, AdminError> {
    let result = async {
        use crate::imports::model::Subject;
        use crate::staff::model::Permission;
        let staff = crate::staff::api::staff()?;
        let signer = crate::staff::ssr::require_door(&staff).await?;
        let products = signer.user.may(Permission::Products);
        let stock = signer.user.may(Permission::Inventory);
        if !products && !stock {
            return Err(AdminError::Forbidden);
        }
        let subjects: Vec<Subject> = [(products, Subject::Products), (stock, Subject::Stock)]
            .into_iter()
            .filter_map(|(may, s)| may.then_some(s))
            .collect();
        let jobs = super::ssr::recent(staff.pool(), &subjects)
            .await
            .map_err(crate::staff::ssr::unavailable)?;
        let key = crate::admin::requests::new_key;
        Ok(ImportsBoard {
            products,
            stock,
            jobs,
            keys: [key(), key(), key(), key()],
        })
    }
    .await;
    crate::flash::error_status(&result);
    result
}

/// A CSV file to import (fields in this order: `subject`, `key`, `file`). The file is
/// checked before it is queued: its size, that it is text, that its header is the
/// subject's format.
#[server(endpoint = "admin/imports/upload", input = MultipartFormData)]
pub async fn upload_csv(data: MultipartData) -> Result<i64, AdminError> {
    let result = upload(data).await;
    let then = result.as_ref().ok().map(|id| format!("/admin/jobs/{id}"));
    crate::flash::reply(
        &result,
        "The file is checked and queued; its rows are being imported",
        then.as_deref(),
    );
    result
}

#[cfg(feature = "ssr")]
async fn upload(data: MultipartData) -> Result<i64, AdminError> {
    use crate::imports::model::{MAX_UPLOAD, Subject, header_matches};
    let bad = |m: &str| AdminError::InvalidInput(m.to_owned());
    // Nobody outside the admin gets the body read.
    let staff = crate::staff::api::staff()?;
    crate::staff::ssr::require_door(&staff).await?;
    let mut form = crate::admin::upload::Upload::new(
        data,
        MAX_UPLOAD,
        "the file is larger than 20 MB; split it into smaller files",
    )?;
    let mut subject = None;
    let mut signer = None;
    let mut key = String::new();
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Some(part) = form.next().await? {
        match part.name.as_str() {
            "subject" => {
                let s =
                    Subject::parse(&part.text()).ok_or_else(|| bad("choose products or stock"))?;
                let permission = match s {
                    Subject::Products => crate::staff::model::Permission::Products,
                    Subject::Stock => crate::staff::model::Permission::Inventory,
                };
                signer = Some(crate::staff::ssr::require(&staff, permission).await?);
                subject = Some(s);
            }
            "key" => key = part.text(),
            "file" => {
                // The file is read only once the subject's permission is checked.
                let (Some(_), Some(_)) = (subject, signer.as_ref()) else {
                    return Err(bad("the form is not the import form"));
                };
                file = Some((part.file_name.clone().unwrap_or_default(), part.bytes));
            }
            _ => {}
        }
    }
    let (Some(subject), Some(signer), Some((name, bytes))) = (subject, signer, file) else {
        return Err(bad("choose a CSV file to import"));
    };
    if bytes.is_empty() {
        return Err(bad("the file is empty"));
    }
    let text =
        std::str::from_utf8(&bytes).map_err(|_| bad("the file is not a CSV text file (UTF-8)"))?;
    if !header_matches(text.lines().next().unwrap_or(""), subject.columns()) {
        return Err(AdminError::InvalidInput(format!(
            "the file's first line must be the header {}",
            subject.columns().join(",")
        )));
    }
    super::ssr::enqueue(
        staff.pool(),
        &signer,
        subject.import_kind(),
        &key,
        Some((&name, &bytes)),
    )
    .await
}

/// Every product or every stock level as a CSV file, written by a background job.
#[server(endpoint = "admin/imports/export")]
pub async fn export_csv(subject: String, key: String) -> Result<i64, AdminError> {
    let result = async {
        use crate::imports::model::Subject;
        let s = Subject::parse(&subject)
            .ok_or_else(|| AdminError::InvalidInput("choose products or stock".into()))?;
        let permission = match s {
            Subject::Products => crate::staff::model::Permission::Products,
            Subject::Stock => crate::staff::model::Permission::Inventory,
        };
        let (staff, signer) = crate::staff::api::signed(permission).await?;
        super::ssr::enqueue(staff.pool(), &signer, s.export_kind(), &key, None).await
    }
    .await;
    let then = result.as_ref().ok().map(|id| format!("/admin/jobs/{id}"));
    crate::flash::reply(&result, "The export has started", then.as_deref());
    result
}

/// An export job's file.
#[server(endpoint = "admin/job-result.csv", input = GetUrl, output = StreamingText)]
pub async fn job_result(id: i64) -> Result<TextStream<AdminError>, AdminError> {
    let result = async {
        use futures::StreamExt;
        let (pool, kind, _) = finished(id).await?;
        if !crate::jobs::model::has_result(&kind) {
            return Err(AdminError::NotFound);
        }
        crate::admin::download(
            "text/csv; charset=utf-8",
            &format!("{}-{id}.csv", kind.replace('.', "-")),
        );
        let chunks = crate::jobs::files::stream(pool, id, crate::jobs::files::RESULT);
        Ok(TextStream::new(
            chunks.map(|c| c.map_err(|_| AdminError::Unavailable)),
        ))
    }
    .await;
    crate::flash::error_status(&result);
    result
}

/// An import job's rows left out, with their line numbers and reasons.
#[server(endpoint = "admin/job-rejected.csv", input = GetUrl, output = StreamingText)]
pub async fn job_rejected(id: i64) -> Result<TextStream<AdminError>, AdminError> {
    let result = async {
        let (_, kind, report) = finished(id).await?;
        crate::admin::download(
            "text/csv; charset=utf-8",
            &format!("{}-{id}-rejected.csv", kind.replace('.', "-")),
        );
        let mut text = String::from("line,reason\n");
        for row in report["skipped"].as_array().into_iter().flatten() {
            text.push_str(&crate::csv::line(&[
                row["line"].as_u64().unwrap_or(0).to_string(),
                row["reason"].as_str().unwrap_or("").to_owned(),
            ]));
        }
        Ok(TextStream::new(futures::stream::once(
            async move { Ok(text) },
        )))
    }
    .await;
    crate::flash::error_status(&result);
    result
}

/// A finished job this person may see: the pool, its kind and its report.
#[cfg(feature = "ssr")]
async fn finished(id: i64) -> Result<(sqlx::PgPool, String, serde_json::Value), AdminError> {
    let staff = crate::staff::api::staff()?;
    crate::staff::ssr::require_door(&staff).await?;
    let (kind, status, report) = crate::jobs::ssr::outcome(staff.pool(), id)
        .await
        .map_err(crate::staff::ssr::unavailable)?
        .ok_or(AdminError::NotFound)?;
    crate::staff::ssr::require(&staff, crate::jobs::model::permission(&kind)).await?;
    if status != crate::jobs::model::JobStatus::Done {
        return Err(AdminError::Conflict("the job has not finished".into()));
    }
    Ok((staff.pool().clone(), kind, report))
}
