//! The background job worker: claims one job at a time from the database's queue
//! (app/src/jobs/), runs it, and writes its progress every second (the heartbeat that
//! tells other instances it is alive). A job of a kind this server does not know fails
//! with that said.

use crate::import::history::{HistoryOptions, import_file};
use crate::import::images::ImageStore;
use app::jobs::model::{
    HISTORY_IMPORT, PRODUCTS_EXPORT, PRODUCTS_IMPORT, STOCK_EXPORT, STOCK_IMPORT,
};
use app::jobs::ssr::{self as queue, Claimed};
use app::money::Currency;
use sqlx::PgPool;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;

/// A running job whose heartbeat is older than this is taken up by another worker.
const STALE_SECS: f64 = 60.0;

/// Runs jobs until `stop`; `currency` is the shop's, for imported prices that name none.
pub async fn work(
    pool: PgPool,
    store: ImageStore,
    currency: Currency,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        match queue::claim(&pool, STALE_SECS).await {
            Ok(Some(job)) => {
                run(&pool, &store, currency, job).await;
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
async fn run(pool: &PgPool, store: &ImageStore, currency: Currency, job: Claimed) {
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
            PRODUCTS_IMPORT => products(pool, store, currency, &job, &on_progress).await,
            STOCK_IMPORT => {
                app::imports::ssr::stock::import(pool, job.id, &job.input, &on_progress).await
            }
            PRODUCTS_EXPORT => {
                app::imports::ssr::exports::products(pool, job.id, &on_progress).await
            }
            STOCK_EXPORT => app::imports::ssr::exports::stock(pool, job.id, &on_progress).await,
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
    // Past orders wake no worker: the recommendations worker sees this job done and
    // learns them all at once.
    serde_json::to_value(report).map_err(|e| e.to_string())
}

/// A products CSV uploaded to the admin, imported in batches (each one transaction with
/// its audit entry naming who asked); its photos are added on the product pages.
async fn products(
    pool: &PgPool,
    store: &ImageStore,
    currency: Currency,
    job: &Claimed,
    on_progress: &(dyn Fn(u64, u64, &str) + Sync),
) -> Result<serde_json::Value, String> {
    let bytes = app::jobs::files::read(pool, job.id, app::jobs::files::UPLOAD)
        .await
        .map_err(|e| format!("the file could not be read: {e}"))?;
    on_progress(0, 0, "checking the rows");
    let rows = crate::import::generic::parse_csv_bytes(&bytes, None, currency)
        .map_err(|e| e.to_string())?;
    let actor = app::imports::ssr::actor(&job.input);
    // The batches' progress reaches the heartbeat through the same shared figures.
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(u64, u64)>();
    let opts = crate::import::ImportOptions {
        actor: actor.label.clone(),
        on_batch: Some(Box::new(move |done, total| {
            let _ = tx.send((done, total));
        })),
        audit: Some((actor, job.id)),
        ..crate::import::ImportOptions::default()
    };
    let import = crate::import::run(pool, store, rows, &opts);
    tokio::pin!(import);
    let report = loop {
        tokio::select! {
            report = &mut import => break report,
            Some((done, total)) = rx.recv() => on_progress(done, total, "writing products"),
        }
    }
    .map_err(|e| e.to_string())?;
    let skipped: Vec<serde_json::Value> = report
        .skipped
        .iter()
        .map(|s| serde_json::json!({ "line": s.line, "reason": s.reason }))
        .collect();
    Ok(serde_json::json!({
        "new": report.inserted,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "left_out": skipped.len(),
        "skipped": skipped,
    }))
}
