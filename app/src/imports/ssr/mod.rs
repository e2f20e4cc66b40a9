//! Queuing CSV jobs (with the uploaded file, in one transaction with its audit entry),
//! the page's list, and the jobs' own work: stock counts imported, products and stock
//! exported. (A products file is imported by the server's catalog importer.)

pub mod exports;
pub mod stock;

use super::model::{CsvJob, Subject};
use crate::audit::{Actor, Change};
use crate::jobs::files;
use crate::jobs::model::JobStatus;
use crate::staff::model::AdminError;
use crate::staff::ssr::{Signed, unavailable};
use sqlx::PgPool;

/// The job's input: who asked (their changes are recorded under them), the form's key,
/// the file's name.
fn input(signer: &Signed, key: &str, file: &str) -> serde_json::Value {
    serde_json::json!({
        "key": key,
        "file": file,
        "actor": {
            "user_id": signer.actor.user_id,
            "label": signer.actor.label,
            "ip": signer.actor.ip,
        },
    })
}

/// Who asked for a job, from its input.
pub fn actor(input: &serde_json::Value) -> Actor {
    let a = &input["actor"];
    Actor {
        user_id: a["user_id"].as_i64(),
        label: a["label"].as_str().unwrap_or("a background job").to_owned(),
        ip: a["ip"].as_str().map(str::to_owned),
    }
}

/// Queues a job of `kind` (with the uploaded file, if any) under a form's key: the same
/// key again leads to the job queued the first time.
pub async fn enqueue(
    pool: &PgPool,
    signer: &Signed,
    kind: &str,
    key: &str,
    file: Option<(&str, &[u8])>,
) -> Result<i64, AdminError> {
    let key = crate::admin::requests::parse_key(key)?;
    let mut tx = pool.begin().await.map_err(unavailable)?;
    if !crate::admin::requests::first_time(&mut tx, key, kind).await? {
        drop(tx);
        return sqlx::query_scalar!("SELECT id FROM jobs WHERE input ->> 'key' = $1", key)
            .fetch_optional(pool)
            .await
            .map_err(unavailable)?
            .ok_or_else(|| AdminError::Conflict("this form was sent already".into()));
    }
    let name = file.map(|(name, _)| name).unwrap_or("");
    let id = crate::jobs::ssr::enqueue(
        &mut tx,
        kind,
        &input(signer, key, name),
        signer.actor.user_id,
    )
    .await
    .map_err(unavailable)?;
    if let Some((_, bytes)) = file {
        files::store(&mut tx, id, files::UPLOAD, bytes)
            .await
            .map_err(unavailable)?;
    }
    crate::audit::record(
        &mut tx,
        &signer.actor,
        Change {
            action: kind,
            entity: "job",
            entity_id: id.to_string(),
            before: None,
            after: Some(serde_json::json!({
                "file": name,
                "bytes": file.map_or(0, |(_, b)| b.len()),
            })),
        },
    )
    .await
    .map_err(unavailable)?;
    tx.commit().await.map_err(unavailable)?;
    Ok(id)
}

/// A file's name as we keep it: its last path part, printable, at most 100 characters.
pub fn file_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let clean: String = last.chars().filter(|c| !c.is_control()).take(100).collect();
    if clean.trim().is_empty() {
        "upload.csv".into()
    } else {
        clean
    }
}

/// The newest CSV jobs of the subjects this person may see.
pub async fn recent(pool: &PgPool, subjects: &[Subject]) -> Result<Vec<CsvJob>, sqlx::Error> {
    let kinds: Vec<String> = subjects
        .iter()
        .flat_map(|s| [s.import_kind().to_owned(), s.export_kind().to_owned()])
        .collect();
    let rows = sqlx::query!(
        r#"SELECT id, kind, status AS "status: JobStatus", total, done,
                  coalesce(input ->> 'file', '') AS "file!",
                  to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') AS "created!"
             FROM jobs WHERE kind = ANY($1) ORDER BY id DESC LIMIT 20"#,
        &kinds
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| CsvJob {
            id: r.id,
            title: crate::jobs::model::title(&r.kind).to_owned(),
            file: r.file,
            status: r.status,
            percent: if r.status == JobStatus::Done {
                100
            } else if r.total > 0 {
                r.done.min(r.total) * 100 / r.total
            } else {
                0
            },
            created: r.created,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_file_name_is_its_last_part_and_printable() {
        assert_eq!(super::file_name("C:\\Users\\me\\stock.csv"), "stock.csv");
        assert_eq!(super::file_name("../../etc/passwd"), "passwd");
        assert_eq!(super::file_name("a\u{0}b\n.csv"), "ab.csv");
        assert_eq!(super::file_name(""), "upload.csv");
    }
}
