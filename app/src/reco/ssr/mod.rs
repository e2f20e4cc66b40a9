//! Recommendations on the server: `fold` (confirmed orders into the counts, one at a
//! time or all at once), `fit` (the EASE and content neighbours from them), `serve`
//! (the lists), `filling` (the rules they are filled under), and the worker that keeps
//! them current from the outbox.

mod filling;
pub mod fit;
pub mod fold;
pub mod lists;
mod memory;
pub mod serve;

pub use serve::Recommender;

use crate::search::ssr::source::{Cursor, advance, events_after};
use sqlx::PgPool;
use std::time::Duration;

const CONSUMER: &str = "recommendations";

/// What a worker round did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Round {
    pub folded: usize,
    pub fitted: bool,
    /// Everything was learned again from every order (after a history import).
    pub rebuilt: bool,
    /// The trending ranking was written again.
    pub trending: bool,
}

/// Folds the confirmed orders the outbox has for this consumer (a batch per
/// transaction, its position moved in the same transaction; one server at a time holds
/// the row), then refits the neighbours if there is no fit yet, or if anything was
/// folded since the last fit and that fit is older than `refit_after`.
#[tracing::instrument(skip_all, err)]
pub async fn run_once(pool: &PgPool, refit_after: Duration) -> Result<Round, sqlx::Error> {
    let mut round = Round::default();
    // An order history imported since the last rebuild (its orders wake no worker).
    let imported = sqlx::query_scalar!(
        r#"SELECT EXISTS (
               SELECT 1 FROM jobs WHERE kind = $1 AND status = 'done'
                  AND finished_at > coalesce((SELECT max(fitted_at) FROM reco_fits WHERE refolded),
                                             '-infinity')) AS "imported!""#,
        crate::jobs::model::HISTORY_IMPORT
    )
    .fetch_one(pool)
    .await?;
    if imported && rebuild_if_free(pool).await?.is_some() {
        round.rebuilt = true;
        round.fitted = true;
    }
    loop {
        let mut tx = pool.begin().await?;
        let Some(at) = sqlx::query!(
            "SELECT txid, event_id FROM outbox_consumers WHERE name = $1 FOR UPDATE SKIP LOCKED",
            CONSUMER
        )
        .fetch_optional(&mut *tx)
        .await?
        else {
            // Another server is folding.
            return Ok(round);
        };
        let cursor = Cursor {
            txid: at.txid as u64,
            id: at.event_id,
        };
        let events = events_after(&mut *tx, cursor, 500).await?;
        let Some(last) = events.last().map(|e| e.cursor) else {
            break;
        };
        for event in &events {
            if event.topic != "order.confirmed" {
                continue;
            }
            if let Ok(order) = event.aggregate_id.parse::<i64>()
                && fold::fold(&mut tx, order).await?
            {
                round.folded += 1;
            }
        }
        advance(&mut tx, CONSUMER, last).await?;
        tx.commit().await?;
    }
    let due = sqlx::query_scalar!(
        r#"WITH last AS (SELECT max(fitted_at) AS at FROM reco_fits)
           SELECT last.at IS NULL
                  OR (last.at < now() - make_interval(secs => $1)
                      AND EXISTS (SELECT 1 FROM reco_folded WHERE folded_at > last.at))
                  AS "due!"
             FROM last"#,
        refit_after.as_secs_f64()
    )
    .fetch_one(pool)
    .await?;
    if due {
        fit::fit(pool, false, |_, _, _| {}).await?;
        round.fitted = true;
    }
    round.trending = trending(pool).await?;
    Ok(round)
}

/// Trending: purchases in this many days, each worth half as much every `HALF_LIFE` days.
const TRENDING_DAYS: f64 = 30.0;
const HALF_LIFE: f64 = 7.0;

/// Writes the trending ranking again if it is a minute old (or empty); true if it did.
async fn trending(pool: &PgPool) -> Result<bool, sqlx::Error> {
    let stale = sqlx::query_scalar!(
        r#"SELECT coalesce(min(computed_at) < now() - interval '1 minute', true) AS "stale!"
             FROM reco_trending"#
    )
    .fetch_one(pool)
    .await?;
    if !stale {
        return Ok(false);
    }
    let mut tx = pool.begin().await?;
    sqlx::query!("DELETE FROM reco_trending")
        .execute(&mut *tx)
        .await?;
    sqlx::query!(
        r#"INSERT INTO reco_trending (product_id, score)
           SELECT v.product_id,
                  sum(power(0.5, extract(epoch FROM now() - o.created_at) / ($2::float8 * 86400)))::float8
             FROM orders o
             JOIN order_lines l ON l.order_id = o.id
             JOIN variants v ON v.id = l.variant_id
            WHERE o.created_at > now() - make_interval(secs => $1::float8 * 86400)
              AND o.status IN ('authorized', 'confirmed', 'fulfilment', 'shipped', 'delivered',
                               'partially_refunded')
            GROUP BY v.product_id ORDER BY 2 DESC, 1 LIMIT 200"#,
        TRENDING_DAYS,
        HALF_LIFE
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Everything again from every confirmed order: the counts refolded (under the
/// worker's row, so it does not fold meanwhile; waiting for it) and the neighbours
/// refitted.
#[tracing::instrument(skip_all, err)]
pub async fn rebuild(
    pool: &PgPool,
    progress: impl FnMut(&str, usize, usize) + Send + 'static,
) -> Result<(u64, fit::Fitted), sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query!(
        "SELECT name FROM outbox_consumers WHERE name = $1 FOR UPDATE",
        CONSUMER
    )
    .fetch_optional(&mut *tx)
    .await?;
    refold_and_fit(tx, pool, progress).await
}

/// The same, unless another server holds the worker's row (then None).
async fn rebuild_if_free(pool: &PgPool) -> Result<Option<(u64, fit::Fitted)>, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let free = sqlx::query!(
        "SELECT name FROM outbox_consumers WHERE name = $1 FOR UPDATE SKIP LOCKED",
        CONSUMER
    )
    .fetch_optional(&mut *tx)
    .await?
    .is_some();
    if !free {
        return Ok(None);
    }
    refold_and_fit(tx, pool, |_, _, _| {}).await.map(Some)
}

async fn refold_and_fit(
    mut tx: sqlx::Transaction<'_, sqlx::Postgres>,
    pool: &PgPool,
    progress: impl FnMut(&str, usize, usize) + Send + 'static,
) -> Result<(u64, fit::Fitted), sqlx::Error> {
    let folded = fold::refold_all(&mut tx).await?;
    tx.commit().await?;
    let fitted = fit::fit(pool, true, progress).await?;
    Ok((folded, fitted))
}
