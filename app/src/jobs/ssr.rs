//! The queue: jobs are claimed with `FOR UPDATE SKIP LOCKED`, so any number of instances
//! may run workers; a running job whose heartbeat stops (its instance died) is claimed
//! again, so every kind of job must be safe to run twice.

use super::model::{JobStatus, JobView};
use sqlx::{PgConnection, PgPool};

/// How many rows left out a job page shows (the whole list is in the job's report).
const SHOWN: usize = 200;

/// A job claimed by this instance.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub id: i64,
    pub kind: String,
    pub input: serde_json::Value,
}

pub async fn enqueue(
    conn: &mut PgConnection,
    kind: &str,
    input: &serde_json::Value,
    requested_by: Option<i64>,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        "INSERT INTO jobs (kind, input, requested_by) VALUES ($1, $2, $3) RETURNING id",
        kind,
        input,
        requested_by
    )
    .fetch_one(conn)
    .await
}

/// The next job to run: the oldest queued one, or one whose instance stopped beating
/// for `stale_secs`.
pub async fn claim(pool: &PgPool, stale_secs: f64) -> Result<Option<Claimed>, sqlx::Error> {
    let row = sqlx::query!(
        "UPDATE jobs SET status = 'running', attempts = attempts + 1,
                started_at = coalesce(started_at, now()), heartbeat_at = now()
          WHERE id = (SELECT id FROM jobs
                       WHERE status = 'queued'
                          OR (status = 'running' AND heartbeat_at < now() - make_interval(secs => $1))
                       ORDER BY id FOR UPDATE SKIP LOCKED LIMIT 1)
          RETURNING id, kind, input",
        stale_secs
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| Claimed {
        id: r.id,
        kind: r.kind,
        input: r.input,
    }))
}

/// Progress, which is also the heartbeat.
pub async fn progress(
    pool: &PgPool,
    id: i64,
    done: u64,
    total: u64,
    stage: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE jobs SET done = $2, total = $3, stage = $4, heartbeat_at = now()
          WHERE id = $1 AND status = 'running'",
        id,
        done as i64,
        total as i64,
        stage
    )
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn finish(pool: &PgPool, id: i64, report: &serde_json::Value) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE jobs SET status = 'done', report = $2, done = greatest(done, total),
                stage = 'done', finished_at = now()
          WHERE id = $1",
        id,
        report
    )
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn fail(pool: &PgPool, id: i64, error: &str) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE jobs SET status = 'failed', error = $2, finished_at = now() WHERE id = $1",
        id,
        error
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// A job as its page shows it.
pub async fn view(pool: &PgPool, id: i64) -> Result<Option<JobView>, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT id, kind, status AS "status: JobStatus", total, done, stage, report, error,
                  to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') AS "created!",
                  to_char(finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') AS finished
             FROM jobs WHERE id = $1"#,
        id
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| {
        let report = r.report.unwrap_or_default();
        let mut counts = Vec::new();
        let mut left_out = Vec::new();
        let mut left_out_total = 0;
        if let serde_json::Value::Object(fields) = &report {
            for (name, value) in fields {
                match value {
                    serde_json::Value::Number(n) => {
                        counts.push((name.replace('_', " "), n.to_string()))
                    }
                    serde_json::Value::Array(rows) if name == "skipped" => {
                        left_out_total = rows.len();
                        left_out = rows
                            .iter()
                            .take(SHOWN)
                            .map(|row| {
                                (
                                    row["line"].as_u64().unwrap_or(0),
                                    row["reason"].as_str().unwrap_or("").to_owned(),
                                )
                            })
                            .collect();
                    }
                    _ => {}
                }
            }
        }
        JobView {
            id: r.id,
            kind: r.kind,
            status: r.status,
            total: r.total,
            done: r.done,
            stage: r.stage,
            counts,
            left_out,
            left_out_total,
            error: r.error,
            created: r.created,
            finished: r.finished,
        }
    }))
}

/// The newest job of a kind.
pub async fn latest(pool: &PgPool, kind: &str) -> Result<Option<JobView>, sqlx::Error> {
    let id = sqlx::query_scalar!(
        "SELECT id FROM jobs WHERE kind = $1 ORDER BY id DESC LIMIT 1",
        kind
    )
    .fetch_optional(pool)
    .await?;
    match id {
        Some(id) => view(pool, id).await,
        None => Ok(None),
    }
}

/// A job's kind, status and report, for the files staff download from its page.
pub async fn outcome(
    pool: &PgPool,
    id: i64,
) -> Result<Option<(String, JobStatus, serde_json::Value)>, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT kind, status AS "status: JobStatus", coalesce(report, '{}') AS "report!"
             FROM jobs WHERE id = $1"#,
        id
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| (r.kind, r.status, r.report)))
}
