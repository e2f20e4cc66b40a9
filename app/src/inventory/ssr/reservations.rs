//! Reservations: a checkout's holds, planned over the warehouses (the shopper's region
//! first) and batched per SKU so a hot SKU's holds take one round trip, not one each.

use super::{Held, release, unavailable};
use crate::inventory::model::{InventoryError, WantedLine};
use sqlx::{PgConnection, PgPool};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::oneshot;

/// How often a plan is made again when another checkout took the stock in between.
const PLAN_ATTEMPTS: usize = 8;

/// Where a line's units can come from: each warehouse with some available, the
/// shopper's region first, then by the warehouses' priority.
#[derive(Debug, Clone, Copy)]
struct Source {
    warehouse_id: i64,
    available: i32,
}

/// Which warehouses give how many: one warehouse that has them all if there is one (one
/// parcel), else the preferred ones in turn. `None` when they do not add up.
fn plan(sources: &[Source], wanted: i32) -> Option<Vec<(i64, i32)>> {
    if let Some(one) = sources.iter().find(|s| s.available >= wanted) {
        return Some(vec![(one.warehouse_id, wanted)]);
    }
    let mut left = wanted;
    let mut takes = Vec::new();
    for s in sources {
        if left == 0 {
            break;
        }
        let take = s.available.min(left);
        if take > 0 {
            takes.push((s.warehouse_id, take));
            left -= take;
        }
    }
    (left == 0).then_some(takes)
}

async fn sources(
    conn: &mut PgConnection,
    variant_id: i64,
    region: Option<&str>,
) -> Result<Vec<Source>, InventoryError> {
    let rows = sqlx::query!(
        r#"SELECT s.warehouse_id, s.on_hand - s.reserved - s.sold AS "available!"
             FROM stock_levels s JOIN warehouses w ON w.id = s.warehouse_id AND w.active
            WHERE s.variant_id = $1 AND s.on_hand - s.reserved - s.sold > 0
            ORDER BY (w.region = $2) DESC NULLS LAST, w.priority, w.id"#,
        variant_id,
        region,
    )
    .fetch_all(conn)
    .await
    .map_err(unavailable)?;
    Ok(rows
        .into_iter()
        .map(|r| Source {
            warehouse_id: r.warehouse_id,
            available: r.available,
        })
        .collect())
}

/// Holds one part of a line: one statement that raises `reserved` only if the units are
/// still there, and writes the reservation and its ledger row. `None` if another
/// checkout took them first.
async fn hold(
    conn: &mut PgConnection,
    holder: &str,
    variant_id: i64,
    warehouse_id: i64,
    quantity: i32,
    ttl: Duration,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"WITH level AS (
               UPDATE stock_levels SET reserved = reserved + $4, updated_at = now()
                WHERE variant_id = $2 AND warehouse_id = $3
                  AND on_hand - reserved - sold >= $4
               RETURNING variant_id),
           r AS (
               INSERT INTO reservations (holder, variant_id, warehouse_id, quantity, expires_at)
               SELECT $1, $2, $3, $4, now() + make_interval(secs => $5) FROM level
               RETURNING id),
           moved AS (
               INSERT INTO stock_movements
                      (variant_id, warehouse_id, kind, reserved_delta, reservation_id, actor)
               SELECT $2, $3, 'reservation', $4, r.id, 'checkout:' || $1 FROM r)
           SELECT id AS "id!" FROM r"#,
        holder,
        variant_id,
        warehouse_id,
        quantity,
        ttl.as_secs_f64(),
    )
    .fetch_optional(conn)
    .await
}

/// Takes reservations. Requests for the same SKU (and region) that arrive while a batch
/// is being written wait for the next batch, and each batch is one statement: the row of
/// a hot SKU is locked once per batch instead of once per shopper, so a flash sale's
/// throughput grows with its demand instead of queueing on one row lock. Shoppers are
/// served first come, first served within a batch; those it cannot serve (the preferred
/// warehouse ran out) take the one-by-one path, which also splits across warehouses.
///
/// A checkout may instead hold its SKUs in the transaction that opens its order (see
/// [`Reservations::claim_own`]) while no other checkout is holding one of them: one commit
/// fewer per order, and never two such transactions queued on one row.
#[derive(Clone, Debug)]
pub struct Reservations {
    pool: PgPool,
    queues: Arc<Mutex<HashMap<QueueKey, Queue>>>,
    /// SKUs a checkout is holding in its own transaction right now.
    own: Arc<Mutex<HashSet<i64>>>,
}

/// A checkout's claim to hold its SKUs in its own transaction; given back when dropped.
#[derive(Debug)]
pub struct OwnHold {
    own: Arc<Mutex<HashSet<i64>>>,
    variants: Vec<i64>,
}

impl Drop for OwnHold {
    fn drop(&mut self) {
        if let Ok(mut own) = self.own.lock() {
            for v in &self.variants {
                own.remove(v);
            }
        }
    }
}

type QueueKey = (i64, Option<String>);

#[derive(Debug, Default)]
struct Queue {
    waiting: Vec<Waiting>,
    /// A task is writing this queue's batches.
    draining: bool,
}

#[derive(Debug)]
struct Waiting {
    holder: String,
    quantity: i32,
    ttl: Duration,
    /// The hold, or `None`: try one by one.
    answer: oneshot::Sender<Option<Held>>,
}

/// The most requests one statement takes.
const MAX_BATCH: usize = 256;

impl Reservations {
    pub fn new(pool: PgPool) -> Self {
        Reservations {
            pool,
            queues: Arc::default(),
            own: Arc::default(),
        }
    }

    /// Claims `variants` for one checkout that holds them in its own transaction, or
    /// `None` when another checkout is holding one of them right now (its own way or
    /// through a batch): a SKU in demand is held through the batches, where its row is
    /// locked once per batch instead of once per transaction.
    pub fn claim_own(&self, variants: &[i64]) -> Option<OwnHold> {
        {
            let queues = self.queues.lock().ok()?;
            if queues.keys().any(|(v, _)| variants.contains(v)) {
                return None;
            }
        }
        let mut own = self.own.lock().ok()?;
        if variants.iter().any(|v| own.contains(v)) {
            return None;
        }
        own.extend(variants.iter().copied());
        Some(OwnHold {
            own: self.own.clone(),
            variants: variants.to_vec(),
        })
    }

    /// Holds every line for `holder` (a checkout), all or nothing, preferring warehouses
    /// in `region`: if a line cannot be held, the lines already held are released and
    /// the error names the short SKU. Each line is held on its own (no transaction spans
    /// two rows), so checkouts never wait on each other in a circle.
    #[tracing::instrument(skip_all, fields(inventory.holder = %holder, inventory.lines = lines.len()))]
    pub async fn reserve(
        &self,
        holder: &str,
        lines: &[WantedLine],
        region: Option<&str>,
        ttl: Duration,
    ) -> Result<Vec<Held>, InventoryError> {
        let mut wanted: Vec<WantedLine> = Vec::with_capacity(lines.len());
        for line in lines {
            if line.quantity <= 0 {
                return Err(InventoryError::Invalid(format!(
                    "quantity must be at least 1 (got {})",
                    line.quantity
                )));
            }
            match wanted.iter_mut().find(|w| w.variant_id == line.variant_id) {
                Some(w) => w.quantity += line.quantity,
                None => wanted.push(*line),
            }
        }
        wanted.sort_by_key(|w| w.variant_id);
        let mut held = Vec::new();
        for line in &wanted {
            match self.hold_line(holder, *line, region, ttl).await {
                Ok(h) => held.extend(h),
                Err(e) => {
                    if !held.is_empty() {
                        let mut conn = self.pool.acquire().await.map_err(unavailable)?;
                        release(&mut conn, holder, "checkout").await?;
                    }
                    return Err(e);
                }
            }
        }
        Ok(held)
    }

    async fn hold_line(
        &self,
        holder: &str,
        line: WantedLine,
        region: Option<&str>,
        ttl: Duration,
    ) -> Result<Vec<Held>, InventoryError> {
        let key: QueueKey = (line.variant_id, region.map(str::to_owned));
        let (answer, answered) = oneshot::channel();
        let lead = {
            let mut queues = self.queues.lock().map_err(unavailable)?;
            let queue = queues.entry(key.clone()).or_default();
            queue.waiting.push(Waiting {
                holder: holder.to_owned(),
                quantity: line.quantity,
                ttl,
                answer,
            });
            !std::mem::replace(&mut queue.draining, true)
        };
        if lead {
            // Its own task: a shopper who goes away does not stop the others' batch.
            tokio::spawn(drain(self.pool.clone(), self.queues.clone(), key));
        }
        if let Ok(Some(held)) = answered.await {
            return Ok(vec![held]);
        }
        let mut conn = self.pool.acquire().await.map_err(unavailable)?;
        reserve_line(&mut conn, holder, line, region, ttl).await
    }
}

/// Writes a queue's batches until it is empty.
async fn drain(pool: PgPool, queues: Arc<Mutex<HashMap<QueueKey, Queue>>>, key: QueueKey) {
    loop {
        let batch: Vec<Waiting> = {
            let Ok(mut queues) = queues.lock() else {
                return;
            };
            let Some(queue) = queues.get_mut(&key) else {
                return;
            };
            if queue.waiting.is_empty() {
                queues.remove(&key);
                return;
            }
            let n = queue.waiting.len().min(MAX_BATCH);
            queue.waiting.drain(..n).collect()
        };
        let granted = match hold_batch(&pool, key.0, key.1.as_deref(), &batch).await {
            Ok(granted) => granted,
            Err(error) => {
                tracing::warn!(%error, "a reservation batch failed; taking them one by one");
                HashMap::new()
            }
        };
        for w in batch {
            let _ = w.answer.send(granted.get(&w.holder).copied());
        }
    }
}

/// One statement for a batch: the preferred warehouse with some available is chosen and
/// its row locked, then, in arrival order, every request that still fits there is held;
/// the rest get nothing here.
async fn hold_batch(
    pool: &PgPool,
    variant_id: i64,
    region: Option<&str>,
    batch: &[Waiting],
) -> Result<HashMap<String, Held>, sqlx::Error> {
    let mut conn = pool.acquire().await?;
    let holders: Vec<String> = batch.iter().map(|w| w.holder.clone()).collect();
    let quantities: Vec<i32> = batch.iter().map(|w| w.quantity).collect();
    let ttls: Vec<f64> = batch.iter().map(|w| w.ttl.as_secs_f64()).collect();
    let rows = sqlx::query!(
        r#"WITH level AS (
               SELECT s.warehouse_id, s.on_hand - s.reserved - s.sold AS available
                 FROM stock_levels s JOIN warehouses w ON w.id = s.warehouse_id AND w.active
                WHERE s.variant_id = $1 AND s.on_hand - s.reserved - s.sold > 0
                ORDER BY (w.region = $2) DESC NULLS LAST, w.priority, w.id
                LIMIT 1
                  FOR UPDATE OF s),
           req AS (
               SELECT r.holder, r.quantity, r.ttl, r.ord,
                      sum(r.quantity) OVER (ORDER BY r.ord) AS running
                 FROM unnest($3::text[], $4::int[], $5::float8[])
                      WITH ORDINALITY AS r(holder, quantity, ttl, ord)),
           granted AS (
               SELECT req.*, level.warehouse_id FROM req, level
                WHERE req.running <= level.available),
           raised AS (
               UPDATE stock_levels s
                  SET reserved = reserved + (SELECT sum(quantity) FROM granted), updated_at = now()
                 FROM level
                WHERE s.variant_id = $1 AND s.warehouse_id = level.warehouse_id
                  AND EXISTS (SELECT 1 FROM granted)),
           r AS (
               INSERT INTO reservations (holder, variant_id, warehouse_id, quantity, expires_at)
               SELECT holder, $1, warehouse_id, quantity, now() + make_interval(secs => ttl)
                 FROM granted ORDER BY ord
               RETURNING id, holder, warehouse_id, quantity),
           moved AS (
               INSERT INTO stock_movements
                      (variant_id, warehouse_id, kind, reserved_delta, reservation_id, actor)
               SELECT $1, warehouse_id, 'reservation', quantity, id, 'checkout:' || holder FROM r)
           SELECT id, holder, warehouse_id, quantity FROM r"#,
        variant_id,
        region,
        &holders,
        &quantities,
        &ttls,
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                r.holder,
                Held {
                    reservation_id: r.id,
                    variant_id,
                    warehouse_id: r.warehouse_id,
                    quantity: r.quantity,
                },
            )
        })
        .collect())
}

async fn reserve_line(
    conn: &mut PgConnection,
    holder: &str,
    line: WantedLine,
    region: Option<&str>,
    ttl: Duration,
) -> Result<Vec<Held>, InventoryError> {
    for _ in 0..PLAN_ATTEMPTS {
        let found = sources(conn, line.variant_id, region).await?;
        let Some(mut takes) = plan(&found, line.quantity) else {
            return Err(short(conn, line.variant_id, &found).await);
        };
        if let [(warehouse_id, quantity)] = takes[..] {
            // One warehouse: one statement, atomic on its own (no savepoint round trips,
            // and the row is locked only while it runs).
            match hold(conn, holder, line.variant_id, warehouse_id, quantity, ttl)
                .await
                .map_err(unavailable)?
            {
                Some(reservation_id) => {
                    return Ok(vec![Held {
                        reservation_id,
                        variant_id: line.variant_id,
                        warehouse_id,
                        quantity,
                    }]);
                }
                None => continue,
            }
        }
        // Rows in warehouse order (the lock order), whatever the preference was.
        takes.sort_by_key(|&(warehouse, _)| warehouse);
        let mut savepoint = sqlx::Connection::begin(&mut *conn)
            .await
            .map_err(unavailable)?;
        let mut held = Vec::with_capacity(takes.len());
        for &(warehouse_id, quantity) in &takes {
            match hold(
                &mut savepoint,
                holder,
                line.variant_id,
                warehouse_id,
                quantity,
                ttl,
            )
            .await
            .map_err(unavailable)?
            {
                Some(reservation_id) => held.push(Held {
                    reservation_id,
                    variant_id: line.variant_id,
                    warehouse_id,
                    quantity,
                }),
                None => break,
            }
        }
        if held.len() == takes.len() {
            savepoint.commit().await.map_err(unavailable)?;
            return Ok(held);
        }
        // Someone took part of it between the plan and the hold: undo this line, plan again.
        savepoint.rollback().await.map_err(unavailable)?;
    }
    let found = sources(conn, line.variant_id, region).await?;
    Err(short(conn, line.variant_id, &found).await)
}

async fn short(conn: &mut PgConnection, variant_id: i64, found: &[Source]) -> InventoryError {
    let sku = sqlx::query_scalar!("SELECT sku FROM variants WHERE id = $1", variant_id)
        .fetch_one(conn)
        .await
        .unwrap_or_else(|_| format!("variant {variant_id}"));
    InventoryError::Short {
        sku,
        available: found.iter().map(|s| s.available).sum(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(warehouse_id: i64, available: i32) -> Source {
        Source {
            warehouse_id,
            available,
        }
    }

    #[test]
    fn one_warehouse_with_everything_wins_over_splitting() {
        // The preferred warehouse has 2, the next has all 5: one parcel from the second.
        assert_eq!(plan(&[s(1, 2), s(2, 5)], 5), Some(vec![(2, 5)]));
        assert_eq!(plan(&[s(1, 9), s(2, 5)], 5), Some(vec![(1, 5)]));
    }

    #[test]
    fn splits_in_preference_order_or_gives_up() {
        assert_eq!(
            plan(&[s(3, 2), s(1, 2), s(2, 2)], 5),
            Some(vec![(3, 2), (1, 2), (2, 1)])
        );
        assert_eq!(plan(&[s(1, 2), s(2, 2)], 5), None);
        assert_eq!(plan(&[], 1), None);
    }
}
