//! The background job worker: claims one job at a time from the database's queue
//! (app/src/jobs/), runs it, and writes its progress every second (the heartbeat that
//! tells other instances it is alive). A job of a kind this server does not know fails
//! with that said.

use crate::import::history::{HistoryOptions, import_file};
use crate::import::images::ImageStore;
use app::jobs::model::HISTORY_IMPORT;
use app::jobs::ssr::{self as queue, Claimed};
use sqlx::PgPool;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;

/// A running job whose heartbeat is older than this is taken up by another worker.
const STALE_SECS: f64 = 60.0;

pub async fn work(pool: PgPool, store: ImageStore, mut stop: watch::Receiver<bool>) {
    loop {
        match queue::claim(&pool, STALE_SECS).await {
            Ok(Some(job)) => {
                run(&pool, &store, job).await;
                continue;
            }
            Ok(None) => {}
            Err(error) => tracing::warn!(%error, "could not claim a job"),
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(2)) => {}
            _ = stop.wait_for(|s| *s) => return,
        }
    }
}

#[tracing::instrument(skip_all, fields(job.id = job.id, job.kind = %job.kind))]
async fn run(pool: &PgPool, store: &ImageStore, job: Claimed) {
    let progress = Arc::new(Mutex::new((0u64, 0u64, String::from("starting"))));
    let beat = {
        let (pool, progress, id) = (pool.clone(), progress.clone(), job.id);
        tokio::spawn(async move {
            loop {
                let (done, total, stage) = progress.lock().map(|p| p.clone()).unwrap_or_default();
                if let Err(error) = queue::progress(&pool, id, done, total, &stage).await {
                    tracing::warn!(%error, "could not record a job's progress");
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        })
    };
    let report = {
        let progress = progress.clone();
        let on_progress = move |done: u64, total: u64, stage: &str| {
            if let Ok(mut p) = progress.lock() {
                *p = (done, total, stage.to_owned());
            }
        };
        match job.kind.as_str() {
            HISTORY_IMPORT => history(pool, store, &job.input, &on_progress).await,
            other => Err(format!("this server does not know jobs of kind {other}")),
        }
    };
    beat.abort();
    let recorded = match &report {
        Ok(report) => {
            tracing::info!("job done");
            queue::finish(pool, job.id, report).await
        }
        Err(error) => {
            tracing::warn!(%error, "job failed");
            queue::fail(pool, job.id, error).await
        }
    };
    if let Err(error) = recorded {
        tracing::error!(%error, "could not record how a job ended (it will be run again)");
    }
}

async fn history(
    pool: &PgPool,
    store: &ImageStore,
    input: &serde_json::Value,
    on_progress: &(dyn Fn(u64, u64, &str) + Sync),
) -> Result<serde_json::Value, String> {
    let path = input["path"]
        .as_str()
        .ok_or("the job names no file to import")?;
    let opts = HistoryOptions {
        shift_to_now: input["shift_to_now"].as_bool().unwrap_or(false),
        ..HistoryOptions::default()
    };
    let report = import_file(pool, store, std::path::Path::new(path), opts, on_progress)
        .await
        .map_err(|e| e.to_string())?;
    serde_json::to_value(report).map_err(|e| e.to_string())
}
