//! The inventory service. Every change to a stock level is one statement that also writes
//! its ledger row, so the ledger always sums to the level. Rows of `stock_levels` are
//! locked in one order everywhere (variant, then warehouse), so two checkouts never wait
//! on each other in a circle.

use super::model::{InventoryError, MovementKind, WantedLine};
use sqlx::{PgConnection, PgPool};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::oneshot;

/// The warehouse every shop has; importers count stock there.
pub const MAIN_WAREHOUSE: &str = "main";

/// How often a plan is made again when another checkout took the stock in between.
const PLAN_ATTEMPTS: usize = 8;

fn unavailable(error: impl std::fmt::Display) -> InventoryError {
    tracing::error!(%error, "inventory operation failed");
    InventoryError::Unavailable
}

/// One hold: units of a variant in a warehouse, until it expires or is sold or released.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Held {
    pub reservation_id: i64,
    pub variant_id: i64,
    pub warehouse_id: i64,
    pub quantity: i32,
}

pub async fn warehouse_id(conn: &mut PgConnection, code: &str) -> Result<i64, InventoryError> {
    sqlx::query_scalar!("SELECT id FROM warehouses WHERE code = $1", code)
        .fetch_optional(conn)
        .await
        .map_err(unavailable)?
        .ok_or_else(|| InventoryError::UnknownWarehouse(code.to_owned()))
}

/// Sets the units on hand of a variant in a warehouse (a stock count), recording the
/// difference as a receipt (first stock there) or an adjustment. Returns whether it
/// changed. A count below what is already reserved or sold there is refused.
#[tracing::instrument(skip_all, fields(variant.id = variant_id, warehouse.id = warehouse_id, stock.on_hand = on_hand))]
pub async fn set_on_hand(
    conn: &mut PgConnection,
    variant_id: i64,
    warehouse_id: i64,
    on_hand: i32,
    actor: &str,
) -> Result<bool, InventoryError> {
    if on_hand < 0 {
        return Err(InventoryError::Invalid(format!(
            "stock on hand cannot be negative ({on_hand})"
        )));
    }
    let row = sqlx::query!(
        r#"WITH old AS (
               SELECT on_hand, reserved + sold AS committed FROM stock_levels
                WHERE variant_id = $1 AND warehouse_id = $2 FOR UPDATE),
           level AS (
               INSERT INTO stock_levels (variant_id, warehouse_id, on_hand)
               SELECT $1, $2, $3
                WHERE $3 >= coalesce((SELECT committed FROM old), 0)
               ON CONFLICT (variant_id, warehouse_id) DO UPDATE
                  SET on_hand = EXCLUDED.on_hand, updated_at = now()
                WHERE stock_levels.on_hand <> EXCLUDED.on_hand
               RETURNING on_hand),
           moved AS (
               INSERT INTO stock_movements (variant_id, warehouse_id, kind, on_hand_delta, actor)
               SELECT $1, $2,
                      CASE WHEN (SELECT on_hand FROM old) IS NULL
                           THEN 'receipt'::stock_movement_kind
                           ELSE 'adjustment'::stock_movement_kind END,
                      level.on_hand - coalesce((SELECT on_hand FROM old), 0), $4
                 FROM level
                WHERE level.on_hand <> coalesce((SELECT on_hand FROM old), 0))
           SELECT (SELECT committed FROM old) AS committed,
                  EXISTS (SELECT 1 FROM level) AS "written!""#,
        variant_id,
        warehouse_id,
        on_hand,
        actor,
    )
    .fetch_one(&mut *conn)
    .await
    .map_err(unavailable)?;
    match row.committed {
        Some(committed) if on_hand < committed => {
            let names = sqlx::query!(
                "SELECT v.sku, w.code FROM variants v, warehouses w WHERE v.id = $1 AND w.id = $2",
                variant_id,
                warehouse_id
            )
            .fetch_one(&mut *conn)
            .await
            .map_err(unavailable)?;
            Err(InventoryError::BelowCommitted {
                sku: names.sku,
                warehouse: names.code,
                committed,
            })
        }
        _ => Ok(row.written),
    }
}

/// Goods arrived, or came back: units on hand up, with the ledger row saying which.
#[tracing::instrument(skip_all, fields(variant.id = variant_id, warehouse.id = warehouse_id, stock.quantity = quantity))]
pub async fn receive(
    conn: &mut PgConnection,
    variant_id: i64,
    warehouse_id: i64,
    quantity: i32,
    kind: MovementKind,
    actor: &str,
) -> Result<(), InventoryError> {
    if quantity <= 0 || !matches!(kind, MovementKind::Receipt | MovementKind::Return) {
        return Err(InventoryError::Invalid(format!(
            "cannot receive {quantity} units as {kind:?}"
        )));
    }
    add_on_hand(
        conn,
        variant_id,
        warehouse_id,
        quantity,
        kind,
        None,
        actor,
        None,
    )
    .await
}

/// Units on hand up at a warehouse, with their ledger row.
#[allow(clippy::too_many_arguments)]
async fn add_on_hand(
    conn: &mut PgConnection,
    variant_id: i64,
    warehouse_id: i64,
    quantity: i32,
    kind: MovementKind,
    order_id: Option<i64>,
    actor: &str,
    note: Option<&str>,
) -> Result<(), InventoryError> {
    sqlx::query!(
        r#"WITH level AS (
               INSERT INTO stock_levels (variant_id, warehouse_id, on_hand) VALUES ($1, $2, $3)
               ON CONFLICT (variant_id, warehouse_id) DO UPDATE
                  SET on_hand = stock_levels.on_hand + EXCLUDED.on_hand, updated_at = now()
               RETURNING 1)
           INSERT INTO stock_movements (variant_id, warehouse_id, kind, on_hand_delta, order_id, actor, note)
           SELECT $1, $2, $4, $3, $5, $6, $7 FROM level"#,
        variant_id,
        warehouse_id,
        quantity,
        kind as MovementKind,
        order_id,
        actor,
        note,
    )
    .execute(conn)
    .await
    .map_err(unavailable)?;
    Ok(())
}

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

/// Keeps a checkout's holds for another `ttl` from now (the shopper is still there).
/// Returns how many holds are still active.
#[tracing::instrument(skip_all, fields(inventory.holder = %holder))]
pub async fn extend(pool: &PgPool, holder: &str, ttl: Duration) -> Result<u64, InventoryError> {
    let done = sqlx::query!(
        "UPDATE reservations SET expires_at = now() + make_interval(secs => $2), updated_at = now()
          WHERE holder = $1 AND status = 'active'",
        holder,
        ttl.as_secs_f64(),
    )
    .execute(pool)
    .await
    .map_err(unavailable)?;
    Ok(done.rows_affected())
}

/// Ends the given active holds: released (the units are available again) or sold (they
/// belong to an order until shipped), in one call of the database's `stock_finish`
/// (which locks the stock rows in order first). Returns the holds it ended; holds no
/// longer active are skipped.
async fn finish(
    conn: &mut PgConnection,
    ids: &[i64],
    sold_to: Option<i64>,
    actor: &str,
) -> Result<Vec<Held>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    sqlx::query_as!(
        Held,
        r#"SELECT id AS "reservation_id!", variant_id AS "variant_id!",
                  warehouse_id AS "warehouse_id!", quantity AS "quantity!"
             FROM stock_finish($1, $2, $3)"#,
        ids,
        sold_to,
        actor,
    )
    .fetch_all(conn)
    .await
}

/// How many holds of a checkout are still active.
pub async fn active_holds_of(pool: &PgPool, holder: &str) -> Result<i64, InventoryError> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM reservations WHERE holder = $1 AND status = 'active'"#,
        holder
    )
    .fetch_one(pool)
    .await
    .map_err(unavailable)
}

/// Ends every active hold of `holder`: released, or sold to `sold_to`.
async fn finish_holder(
    conn: &mut PgConnection,
    holder: &str,
    sold_to: Option<i64>,
    actor: &str,
) -> Result<Vec<Held>, InventoryError> {
    sqlx::query_as!(
        Held,
        r#"SELECT id AS "reservation_id!", variant_id AS "variant_id!",
                  warehouse_id AS "warehouse_id!", quantity AS "quantity!"
             FROM stock_finish(active_holds($1), $2, $3)"#,
        holder,
        sold_to,
        actor,
    )
    .fetch_all(conn)
    .await
    .map_err(unavailable)
}

fn units(holds: &[Held]) -> i64 {
    holds.iter().map(|h| i64::from(h.quantity)).sum()
}

/// Releases a checkout's holds (abandoned, or its payment failed). Returns the units.
#[tracing::instrument(skip_all, fields(inventory.holder = %holder, actor = %actor))]
pub async fn release(
    conn: &mut PgConnection,
    holder: &str,
    actor: &str,
) -> Result<i64, InventoryError> {
    Ok(units(&finish_holder(conn, holder, None, actor).await?))
}

/// Turns a checkout's holds into a sale for `order_id` (on payment capture). Every unit
/// of `expected` must still be held, else nothing is sold and the caller must not take
/// the money. (Checkout confirms with the database's `order_confirm`, which does the same
/// in the confirming transaction.)
#[tracing::instrument(skip_all, fields(inventory.holder = %holder, order.id = order_id))]
pub async fn sell(
    conn: &mut PgConnection,
    holder: &str,
    order_id: i64,
    expected_units: i64,
    actor: &str,
) -> Result<Vec<Held>, InventoryError> {
    let mut tx = sqlx::Connection::begin(&mut *conn)
        .await
        .map_err(unavailable)?;
    let done = finish_holder(&mut tx, holder, Some(order_id), actor).await?;
    if units(&done) != expected_units {
        tx.rollback().await.map_err(unavailable)?;
        return Err(InventoryError::NotHeld);
    }
    tx.commit().await.map_err(unavailable)?;
    Ok(done)
}

/// Releases holds whose time ran out, a batch at a time (the expiry worker). Returns how
/// many it released.
#[tracing::instrument(skip_all, fields(inventory.batch = batch))]
pub async fn release_expired(pool: &PgPool, batch: i64) -> Result<usize, InventoryError> {
    let mut conn = pool.acquire().await.map_err(unavailable)?;
    let ids = sqlx::query_scalar!(
        "SELECT id FROM reservations
          WHERE status = 'active' AND expires_at < now()
          ORDER BY expires_at LIMIT $1",
        batch
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(unavailable)?;
    let done = finish(&mut conn, &ids, None, "worker:reservation-expiry")
        .await
        .map_err(unavailable)?;
    Ok(done.len())
}

/// Sold units leave a warehouse (a shipment): sold and on hand both down.
#[tracing::instrument(skip_all, fields(variant.id = variant_id))]
pub async fn ship(
    conn: &mut PgConnection,
    variant_id: i64,
    warehouse_id: i64,
    quantity: i32,
    order_id: i64,
    actor: &str,
) -> Result<(), InventoryError> {
    let done = sqlx::query!(
        r#"WITH level AS (
               UPDATE stock_levels SET sold = sold - $3, on_hand = on_hand - $3, updated_at = now()
                WHERE variant_id = $1 AND warehouse_id = $2 AND sold >= $3
               RETURNING 1)
           INSERT INTO stock_movements (variant_id, warehouse_id, kind, on_hand_delta, sold_delta, order_id, actor)
           SELECT $1, $2, 'shipment', -$3, -$3, $4, $5 FROM level"#,
        variant_id,
        warehouse_id,
        quantity,
        order_id,
        actor,
    )
    .execute(conn)
    .await
    .map_err(unavailable)?;
    if done.rows_affected() == 0 {
        return Err(InventoryError::Invalid(format!(
            "warehouse {warehouse_id} holds fewer than {quantity} sold units of variant {variant_id}"
        )));
    }
    Ok(())
}

/// Undoes what an order's sale left sold and not shipped (the order was cancelled before
/// it left): sold down, one `return` ledger row per warehouse and variant. Returns the
/// units. In the caller's transaction.
#[tracing::instrument(skip_all, fields(order.id = order_id))]
pub async fn unsell(
    conn: &mut PgConnection,
    order_id: i64,
    actor: &str,
) -> Result<i64, InventoryError> {
    let units = sqlx::query_scalar!(
        r#"WITH open AS (
               SELECT variant_id, warehouse_id, sum(sold_delta)::int AS quantity
                 FROM stock_movements WHERE order_id = $1
                GROUP BY variant_id, warehouse_id HAVING sum(sold_delta) > 0),
           level AS (
               UPDATE stock_levels l SET sold = l.sold - o.quantity, updated_at = now()
                 FROM open o
                WHERE l.variant_id = o.variant_id AND l.warehouse_id = o.warehouse_id
               RETURNING o.variant_id, o.warehouse_id, o.quantity),
           moved AS (
               INSERT INTO stock_movements (variant_id, warehouse_id, kind, sold_delta, order_id, actor, note)
               SELECT variant_id, warehouse_id, 'return', -quantity, $1, $2, 'order cancelled'
                 FROM level
               RETURNING -sold_delta AS quantity)
           SELECT coalesce(sum(quantity), 0)::bigint AS "units!" FROM moved"#,
        order_id,
        actor,
    )
    .fetch_one(conn)
    .await
    .map_err(unavailable)?;
    Ok(units)
}

/// Units an order sent back to `warehouse_id`: on hand up, a `return` ledger row for the
/// order. In the caller's transaction.
pub async fn restock(
    conn: &mut PgConnection,
    variant_id: i64,
    warehouse_id: i64,
    quantity: i32,
    order_id: i64,
    actor: &str,
) -> Result<(), InventoryError> {
    if quantity <= 0 {
        return Err(InventoryError::Invalid(format!(
            "cannot return {quantity} units"
        )));
    }
    add_on_hand(
        conn,
        variant_id,
        warehouse_id,
        quantity,
        MovementKind::Return,
        Some(order_id),
        actor,
        Some("refunded and returned"),
    )
    .await
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
