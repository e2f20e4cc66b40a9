//! The flash sale worker's tick: for each sale that is due, live or recently ended, one
//! short transaction under the sale's advisory lock (so one instance at a time acts on
//! a sale, and any instance can): start it (the allocation into buckets, the pre-queue's
//! draw), place new arrivals, end holds that ran out, let shoppers in at the sale's pace
//! (the waitlist first), tell the queue when every unit is taken, end it, and give the
//! buckets' free units back to their warehouses once it has ended.

use super::holder;
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};

/// What a tick did, over every sale.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Round {
    pub started: usize,
    pub placed: i64,
    pub admitted: usize,
    pub promoted: usize,
    pub expired: usize,
    pub sold_out: u64,
    pub ended: usize,
    pub returned: i64,
}

impl Round {
    pub fn quiet(&self) -> bool {
        *self == Round::default()
    }
}

/// The advisory lock class of flash sales (the second key is the sale's id).
const LOCK_CLASS: i32 = 0x4d46_5300;
/// The most shoppers one tick lets in for one sale.
const MAX_ADMIT: i64 = 2000;
/// Automatic pace: shoppers holding at once, at least.
const AUTO_MIN_IN_FLIGHT: i64 = 20;
const ACTOR: &str = "worker:flash-sale";

struct Sale {
    id: i64,
    variant_id: i64,
    state: String,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    started_at: Option<DateTime<Utc>>,
    allocated: i32,
    admission_per_minute: Option<i32>,
    wave_units: Option<i32>,
    wave_every_secs: Option<i32>,
    hold_secs: i32,
    buckets: i32,
    placed: i32,
    now: DateTime<Utc>,
}

/// One tick over every sale due.
pub async fn tick(pool: &PgPool) -> Result<Round, sqlx::Error> {
    let due = sqlx::query_scalar!(
        "SELECT id FROM flash_sales f
          WHERE (state = 'scheduled' AND starts_at <= now()) OR state = 'live'
             OR (state = 'ended' AND ended_at > now() - interval '2 days')
             -- Units that came back to a bucket later (a late cancellation, a return).
             OR (state = 'ended' AND EXISTS (
                    SELECT 1 FROM warehouses w JOIN stock_levels s ON s.warehouse_id = w.id
                     WHERE w.flash_sale_id = f.id AND s.on_hand - s.reserved - s.sold > 0))
          ORDER BY id"
    )
    .fetch_all(pool)
    .await?;
    let mut round = Round::default();
    for id in due {
        if let Err(error) = tick_sale(pool, id, &mut round).await {
            tracing::warn!(%error, flash_sale.id = id, "flash sale tick failed");
        }
    }
    Ok(round)
}

async fn tick_sale(pool: &PgPool, id: i64, round: &mut Round) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    let mine = sqlx::query_scalar!(
        r#"SELECT pg_try_advisory_xact_lock($1, $2::int) AS "mine!""#,
        LOCK_CLASS,
        id as i32
    )
    .fetch_one(&mut *tx)
    .await?;
    if !mine {
        return Ok(());
    }
    let Some(mut sale) = sqlx::query_as!(
        Sale,
        r#"SELECT id, variant_id, state::text AS "state!", starts_at, ends_at, started_at, allocated,
                  admission_per_minute, wave_units, wave_every_secs, hold_secs, buckets, placed,
                  now() AS "now!"
             FROM flash_sales WHERE id = $1 FOR UPDATE"#,
        id
    )
    .fetch_optional(&mut *tx)
    .await?
    else {
        return Ok(());
    };
    if sale.state == "scheduled" {
        if sale.starts_at > sale.now {
            return Ok(());
        }
        start(&mut tx, &mut sale).await?;
        round.started += 1;
    }
    // The sale's stock rows, locked first and in warehouse order: everything below
    // (ending holds, new holds) touches only these, so the tick never waits on a stock
    // row while holding another out of the order every writer uses.
    sqlx::query!(
        "SELECT 1 AS one FROM stock_levels s JOIN warehouses w ON w.id = s.warehouse_id
          WHERE w.flash_sale_id = $1 AND s.variant_id = $2
          ORDER BY s.warehouse_id FOR UPDATE OF s",
        sale.id,
        sale.variant_id
    )
    .fetch_all(&mut *tx)
    .await?;
    round.expired += expire(&mut tx, sale.id).await?;
    if sale.state == "live" {
        round.placed += place(&mut tx, &mut sale, false).await?;
        if sale.now >= sale.ends_at {
            end(&mut tx, sale.id).await?;
            round.ended += 1;
        } else {
            admit(&mut tx, &sale, round).await?;
        }
    }
    let over = sale.state == "ended" || sale.now >= sale.ends_at;
    tx.commit().await?;
    if over {
        round.returned += give_back(pool, &sale).await?;
    }
    Ok(())
}

/// The start: each source's units (what it has of them) into the sale's buckets, then
/// the pre-queue's order drawn at random.
async fn start(tx: &mut PgConnection, sale: &mut Sale) -> Result<(), sqlx::Error> {
    let sources = sqlx::query!(
        r#"SELECT f.warehouse_id, f.quantity, w.region,
                  s.on_hand - s.reserved - s.sold AS "available!"
             FROM flash_sources f
             JOIN warehouses w ON w.id = f.warehouse_id
             JOIN stock_levels s ON s.variant_id = $2 AND s.warehouse_id = f.warehouse_id
            WHERE f.sale_id = $1
            ORDER BY f.warehouse_id
              FOR UPDATE OF s"#,
        sale.id,
        sale.variant_id
    )
    .fetch_all(&mut *tx)
    .await?;
    let mut allocated = 0;
    for source in sources {
        let take = source.quantity.min(source.available.max(0));
        if take == 0 {
            continue;
        }
        sqlx::query!(
            "WITH level AS (
                 UPDATE stock_levels SET on_hand = on_hand - $3, updated_at = now()
                  WHERE variant_id = $1 AND warehouse_id = $2)
             INSERT INTO stock_movements (variant_id, warehouse_id, kind, on_hand_delta, actor, note)
             VALUES ($1, $2, 'transfer', -$3, $4, 'to flash sale ' || $5)",
            sale.variant_id,
            source.warehouse_id,
            take,
            ACTOR,
            sale.id.to_string(),
        )
        .execute(&mut *tx)
        .await?;
        let n = sale.buckets.min(take);
        for b in 0..n {
            let share = take / n + i32::from(b < take % n);
            sqlx::query!(
                "WITH bucket AS (
                     INSERT INTO warehouses (code, name, region, priority, active, flash_sale_id, origin_id)
                     VALUES ('flash-' || $1 || '-' || $2::bigint || '-' || $3::int,
                             'Flash sale ' || $1 || ', shelf ' || $3::int || ' of warehouse ' || $2::bigint,
                             $4, 1000, false, $5, $2::bigint)
                     RETURNING id),
                 level AS (
                     INSERT INTO stock_levels (variant_id, warehouse_id, on_hand)
                     SELECT $6, id, $7 FROM bucket)
                 INSERT INTO stock_movements (variant_id, warehouse_id, kind, on_hand_delta, actor, note)
                 SELECT $6, id, 'transfer', $7, $8, 'from warehouse ' || $2::bigint FROM bucket",
                sale.id.to_string(),
                source.warehouse_id,
                b + 1,
                source.region,
                sale.id,
                sale.variant_id,
                share,
                ACTOR,
            )
            .execute(&mut *tx)
            .await?;
        }
        allocated += take;
    }
    sqlx::query!(
        "UPDATE flash_sales SET state = 'live', started_at = now(), allocated = $2 WHERE id = $1",
        sale.id,
        allocated
    )
    .execute(&mut *tx)
    .await?;
    sale.state = "live".into();
    sale.started_at = Some(sale.now);
    sale.allocated = allocated;
    tracing::info!(flash_sale.id = sale.id, allocated, "flash sale started");
    place(tx, sale, true).await?;
    Ok(())
}

/// Places the entries without one: at the start in a random order (the pre-queue's
/// draw), afterwards in arrival order.
async fn place(tx: &mut PgConnection, sale: &mut Sale, draw: bool) -> Result<i64, sqlx::Error> {
    let placed = sqlx::query_scalar!(
        r#"WITH next AS (
               SELECT id, row_number() OVER (ORDER BY CASE WHEN $3 THEN random() END, arrival) AS n
                 FROM flash_entries WHERE sale_id = $1 AND position IS NULL),
           done AS (
               UPDATE flash_entries e SET position = $2 + next.n::int, updated_at = now()
                 FROM next WHERE e.id = next.id
               RETURNING 1)
           SELECT count(*) AS "n!" FROM done"#,
        sale.id,
        sale.placed,
        draw,
    )
    .fetch_one(&mut *tx)
    .await?;
    if placed > 0 {
        sqlx::query!(
            "UPDATE flash_sales SET placed = placed + $2 WHERE id = $1",
            sale.id,
            placed as i32
        )
        .execute(&mut *tx)
        .await?;
        sale.placed += placed as i32;
    }
    Ok(placed)
}

/// Holds that ran out before an order took them: the entries expired, their units back
/// in their buckets now (not at the next expiry sweep), their cart lines gone. Entries
/// whose order failed are expired as well.
async fn expire(tx: &mut PgConnection, sale_id: i64) -> Result<usize, sqlx::Error> {
    // An order that failed (declined, abandoned at payment) released its holds into
    // the bucket already: its entry's hold has ended too.
    let failed = sqlx::query_scalar!(
        "UPDATE flash_entries e SET state = 'expired', updated_at = now()
           FROM orders o
          WHERE e.sale_id = $1 AND e.state = 'ordered' AND o.id = e.order_id
            AND o.status = 'cancelled'
         RETURNING e.id",
        sale_id
    )
    .fetch_all(&mut *tx)
    .await?;
    if !failed.is_empty() {
        sqlx::query!(
            "DELETE FROM cart_lines WHERE flash_entry_id = ANY ($1)",
            &failed
        )
        .execute(&mut *tx)
        .await?;
    }
    let gone = sqlx::query_scalar!(
        "UPDATE flash_entries SET state = 'expired', updated_at = now()
          WHERE sale_id = $1 AND state = 'admitted' AND hold_expires_at <= now()
         RETURNING id",
        sale_id
    )
    .fetch_all(&mut *tx)
    .await?;
    if gone.is_empty() {
        return Ok(0);
    }
    let holders: Vec<String> = gone.iter().map(|id| holder(*id)).collect();
    sqlx::query!(
        "SELECT count(*) FROM stock_finish(
             ARRAY(SELECT id FROM reservations WHERE holder = ANY ($1) AND status = 'active'),
             NULL, $2)",
        &holders,
        ACTOR
    )
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query!(
        "DELETE FROM cart_lines WHERE flash_entry_id = ANY ($1)",
        &gone
    )
    .execute(&mut *tx)
    .await?;
    Ok(gone.len())
}

/// How many shoppers may be let in now, and how many units they may take, by the sale's
/// pace: per minute since the start (and a second's worth at once), waves of units, or
/// automatically (as many holding at once as twice the checkouts of the last minute).
fn budget(
    sale: &Sale,
    elapsed_secs: f64,
    admitted_ever: i64,
    in_flight: i64,
    ordered_last_minute: i64,
    units_used: i64,
) -> (i64, i64) {
    let mut entries = MAX_ADMIT;
    let mut units = i64::MAX;
    match sale.admission_per_minute {
        Some(rate) => {
            let rate = f64::from(rate);
            let target = (rate * elapsed_secs / 60.0).floor() as i64 + (rate / 60.0).ceil() as i64;
            entries = entries.min(target - admitted_ever);
        }
        None if sale.wave_units.is_none() => {
            let capacity = AUTO_MIN_IN_FLIGHT.max(2 * ordered_last_minute);
            entries = entries.min(capacity - in_flight);
        }
        None => {}
    }
    if let (Some(wave), Some(every)) = (sale.wave_units, sale.wave_every_secs) {
        let waves = (elapsed_secs / f64::from(every)).floor() as i64 + 1;
        units = i64::from(wave) * waves - units_used;
    }
    (entries.max(0), units.max(0))
}

/// Lets shoppers in: the waitlist first (in the order they joined it), then the queue
/// in place order; each gets a hold in the bucket with the most units left, one
/// statement per bucket. When no unit is left, the rest of the queue is told.
async fn admit(tx: &mut PgConnection, sale: &Sale, round: &mut Round) -> Result<(), sqlx::Error> {
    let mut buckets: Vec<(i64, i32)> = sqlx::query!(
        r#"SELECT w.id, s.on_hand - s.reserved - s.sold AS "available!"
             FROM warehouses w JOIN stock_levels s ON s.warehouse_id = w.id AND s.variant_id = $2
            WHERE w.flash_sale_id = $1 ORDER BY w.id"#,
        sale.id,
        sale.variant_id
    )
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .map(|r| (r.id, r.available))
    .collect();
    let available: i64 = buckets.iter().map(|b| i64::from(b.1)).sum();
    let counts = sqlx::query!(
        r#"SELECT count(*) FILTER (WHERE state = 'admitted') AS "in_flight!",
                  count(*) FILTER (WHERE admitted_at IS NOT NULL AND NOT promoted) AS "admitted!",
                  count(*) FILTER (WHERE state = 'ordered' AND updated_at > now() - interval '1 minute') AS "ordered!",
                  count(*) FILTER (WHERE admitted_at > now() - interval '1 minute') AS "pace!"
             FROM flash_entries WHERE sale_id = $1"#,
        sale.id
    )
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query!(
        "UPDATE flash_sales SET pace_per_min = $2 WHERE id = $1 AND pace_per_min <> $2",
        sale.id,
        counts.pace as i32
    )
    .execute(&mut *tx)
    .await?;
    let elapsed = sale
        .started_at
        .map_or(0.0, |s| (sale.now - s).num_milliseconds() as f64 / 1000.0);
    let (entries, units) = budget(
        sale,
        elapsed,
        counts.admitted,
        counts.in_flight,
        counts.ordered,
        i64::from(sale.allocated) - available,
    );
    let mut units_left = units.min(available);
    if entries > 0 && units_left > 0 {
        // The waitlist first, then the queue: two reads, each along its own index.
        let next = sqlx::query!(
            r#"(SELECT id AS "id!", quantity AS "quantity!", position, true AS "waitlisted!"
                  FROM flash_entries
                 WHERE sale_id = $1 AND state = 'waitlisted'
                 ORDER BY waitlisted_at, id LIMIT $2)
               UNION ALL
               (SELECT id, quantity, position, false
                  FROM flash_entries
                 WHERE sale_id = $1 AND state = 'queued' AND position IS NOT NULL
                 ORDER BY position LIMIT $2)"#,
            sale.id,
            entries
        )
        .fetch_all(&mut *tx)
        .await?;
        // Each shopper's hold from the bucket with the most left (whole, or what is left).
        let mut per_bucket: Vec<(i64, Vec<i64>, Vec<i32>)> = Vec::new();
        let mut chosen: Vec<(i64, i32, bool)> = Vec::new();
        let mut let_in = 0;
        for e in next.into_iter().take(entries as usize) {
            if units_left == 0 {
                break;
            }
            let Some(bucket) = buckets.iter_mut().max_by_key(|b| (b.1, -b.0)) else {
                break;
            };
            let q = e.quantity.min(bucket.1).min(units_left as i32);
            if q <= 0 {
                break;
            }
            bucket.1 -= q;
            units_left -= i64::from(q);
            match per_bucket.iter_mut().find(|(w, _, _)| *w == bucket.0) {
                Some((_, ids, qs)) => {
                    ids.push(e.id);
                    qs.push(q);
                }
                None => per_bucket.push((bucket.0, vec![e.id], vec![q])),
            }
            chosen.push((e.id, q, e.waitlisted));
            if !e.waitlisted {
                let_in = let_in.max(e.position.unwrap_or(0));
            }
        }
        per_bucket.sort_by_key(|b| b.0);
        for (warehouse, ids, qs) in &per_bucket {
            hold_batch(tx, sale, *warehouse, ids, qs).await?;
        }
        if !chosen.is_empty() {
            let ids: Vec<i64> = chosen.iter().map(|c| c.0).collect();
            let qs: Vec<i32> = chosen.iter().map(|c| c.1).collect();
            sqlx::query!(
                "UPDATE flash_entries e
                    SET state = 'admitted', quantity = x.q, admitted_at = now(),
                        hold_expires_at = now() + make_interval(secs => $3),
                        promoted = (e.state = 'waitlisted'), updated_at = now()
                   FROM unnest($1::bigint[], $2::int[]) AS x(id, q)
                  WHERE e.id = x.id",
                &ids,
                &qs,
                f64::from(sale.hold_secs),
            )
            .execute(&mut *tx)
            .await?;
            sqlx::query!(
                "UPDATE flash_sales SET let_in = greatest(let_in, $2) WHERE id = $1",
                sale.id,
                let_in
            )
            .execute(&mut *tx)
            .await?;
            let promoted: Vec<i64> = chosen.iter().filter(|c| c.2).map(|c| c.0).collect();
            if !promoted.is_empty() {
                tell_promoted(tx, sale, &promoted).await?;
            }
            round.admitted += chosen.len() - promoted.len();
            round.promoted += promoted.len();
        }
    }
    if buckets.iter().all(|b| b.1 <= 0) {
        let told = sqlx::query!(
            "UPDATE flash_entries SET state = 'sold_out', updated_at = now()
              WHERE sale_id = $1 AND state = 'queued'",
            sale.id
        )
        .execute(&mut *tx)
        .await?
        .rows_affected();
        sqlx::query!(
            "UPDATE flash_sales SET sold_out_at = coalesce(sold_out_at, now()), let_in = placed
              WHERE id = $1",
            sale.id
        )
        .execute(&mut *tx)
        .await?;
        round.sold_out += told;
    }
    Ok(())
}

/// Holds for several shoppers in one bucket: its row raised once, a reservation each.
/// The reservations outlive the entries' holds by a minute: this worker ends them (the
/// reservation expiry worker only when no instance ticks), so the two never race.
async fn hold_batch(
    tx: &mut PgConnection,
    sale: &Sale,
    warehouse: i64,
    entries: &[i64],
    quantities: &[i32],
) -> Result<(), sqlx::Error> {
    let total: i32 = quantities.iter().sum();
    let held = sqlx::query_scalar!(
        r#"WITH raised AS (
               UPDATE stock_levels SET reserved = reserved + $4, updated_at = now()
                WHERE variant_id = $1 AND warehouse_id = $2 AND on_hand - reserved - sold >= $4
               RETURNING 1),
           r AS (
               INSERT INTO reservations (holder, variant_id, warehouse_id, quantity, expires_at)
               SELECT 'flash:' || x.e, $1, $2, x.q, now() + make_interval(secs => $5::float8 + 60)
                 FROM unnest($3::bigint[], $6::int[]) AS x(e, q)
                WHERE EXISTS (SELECT 1 FROM raised)
               RETURNING id, quantity),
           moved AS (
               INSERT INTO stock_movements
                      (variant_id, warehouse_id, kind, reserved_delta, reservation_id, actor)
               SELECT $1, $2, 'reservation', quantity, id, $7 FROM r)
           SELECT count(*) AS "n!" FROM r"#,
        sale.variant_id,
        warehouse,
        entries,
        total,
        f64::from(sale.hold_secs),
        quantities,
        ACTOR,
    )
    .fetch_one(&mut *tx)
    .await?;
    if held != entries.len() as i64 {
        // Nothing else takes from a sale's buckets, so this is a broken invariant: undo
        // the whole tick.
        return Err(sqlx::Error::Protocol(format!(
            "flash sale {}: bucket {warehouse} could not hold {total}",
            sale.id
        )));
    }
    Ok(())
}

/// Tells promoted shoppers by e-mail (the page tells them too).
async fn tell_promoted(tx: &mut PgConnection, sale: &Sale, ids: &[i64]) -> Result<(), sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT u.email, e.quantity, p.title
             FROM flash_entries e JOIN users u ON u.id = e.user_id
             JOIN variants v ON v.id = $2 JOIN products p ON p.id = v.product_id
            WHERE e.id = ANY ($1) AND u.email IS NOT NULL"#,
        ids,
        sale.variant_id
    )
    .fetch_all(&mut *tx)
    .await?;
    for r in rows {
        let body = format!(
            "Good news: units of {} came back, and it is your turn in the flash sale.\n\n\
             {} held for you at the sale price for the next {} minutes. Open the sale's page \
             to buy: /sale/{}\n",
            r.title,
            r.quantity,
            sale.hold_secs / 60,
            sale.id
        );
        crate::mail::ssr::enqueue(&mut *tx, &r.email, "Your turn in the flash sale", &body).await?;
    }
    Ok(())
}

/// The end: whoever had not been let in is told the sale closed.
async fn end(tx: &mut PgConnection, sale_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE flash_sales SET state = 'ended', ended_at = now() WHERE id = $1",
        sale_id
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "UPDATE flash_entries SET state = 'closed', updated_at = now()
          WHERE sale_id = $1 AND state IN ('queued', 'sold_out', 'waitlisted')",
        sale_id
    )
    .execute(&mut *tx)
    .await?;
    tracing::info!(flash_sale.id = sale_id, "flash sale ended");
    Ok(())
}

/// After the end, the buckets' free units go back to the warehouses they came from
/// (the origin's row first: lower ids lock first everywhere).
async fn give_back(pool: &PgPool, sale: &Sale) -> Result<i64, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let mine = sqlx::query_scalar!(
        r#"SELECT pg_try_advisory_xact_lock($1, $2::int) AS "mine!""#,
        LOCK_CLASS,
        sale.id as i32
    )
    .fetch_one(&mut *tx)
    .await?;
    if !mine {
        return Ok(0);
    }
    let free = sqlx::query!(
        r#"SELECT w.id, w.origin_id AS "origin!", s.on_hand - s.reserved - s.sold AS "free!"
             FROM warehouses w JOIN stock_levels s ON s.warehouse_id = w.id AND s.variant_id = $2
            WHERE w.flash_sale_id = $1 AND s.on_hand - s.reserved - s.sold > 0
            ORDER BY w.id"#,
        sale.id,
        sale.variant_id
    )
    .fetch_all(&mut *tx)
    .await?;
    let mut returned = 0;
    for b in free {
        sqlx::query!(
            "WITH level AS (
                 UPDATE stock_levels SET on_hand = on_hand + $3, updated_at = now()
                  WHERE variant_id = $1 AND warehouse_id = $2)
             INSERT INTO stock_movements (variant_id, warehouse_id, kind, on_hand_delta, actor, note)
             VALUES ($1, $2, 'transfer', $3, $4, 'back from flash sale ' || $5)",
            sale.variant_id,
            b.origin,
            b.free,
            ACTOR,
            sale.id.to_string(),
        )
        .execute(&mut *tx)
        .await?;
        sqlx::query!(
            "WITH level AS (
                 UPDATE stock_levels SET on_hand = on_hand - $3, updated_at = now()
                  WHERE variant_id = $1 AND warehouse_id = $2)
             INSERT INTO stock_movements (variant_id, warehouse_id, kind, on_hand_delta, actor, note)
             VALUES ($1, $2, 'transfer', -$3, $4, 'back to its warehouse')",
            sale.variant_id,
            b.id,
            b.free,
            ACTOR,
        )
        .execute(&mut *tx)
        .await?;
        returned += i64::from(b.free);
    }
    tx.commit().await?;
    Ok(returned)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sale(rate: Option<i32>, wave: Option<(i32, i32)>) -> Sale {
        let now = Utc::now();
        Sale {
            id: 1,
            variant_id: 1,
            state: "live".into(),
            starts_at: now,
            ends_at: now,
            started_at: Some(now),
            allocated: 100,
            admission_per_minute: rate,
            wave_units: wave.map(|w| w.0),
            wave_every_secs: wave.map(|w| w.1),
            hold_secs: 300,
            buckets: 8,
            placed: 0,
            now,
        }
    }

    #[test]
    fn a_rate_lets_in_a_seconds_worth_then_keeps_pace() {
        let s = sale(Some(120), None);
        assert_eq!(budget(&s, 0.0, 0, 0, 0, 0).0, 2);
        assert_eq!(budget(&s, 30.0, 2, 2, 0, 2).0, 60);
        assert_eq!(budget(&s, 30.0, 62, 0, 0, 62).0, 0);
    }

    #[test]
    fn waves_release_units_not_shoppers() {
        let s = sale(None, Some((10, 60)));
        assert_eq!(budget(&s, 5.0, 0, 0, 0, 0), (MAX_ADMIT, 10));
        assert_eq!(budget(&s, 59.0, 10, 10, 0, 10).1, 0);
        assert_eq!(budget(&s, 61.0, 10, 10, 0, 10).1, 10);
    }

    #[test]
    fn automatic_pace_follows_the_checkouts() {
        let s = sale(None, None);
        assert_eq!(budget(&s, 1.0, 0, 0, 0, 0).0, AUTO_MIN_IN_FLIGHT);
        assert_eq!(budget(&s, 90.0, 60, 20, 50, 60).0, 80);
        assert_eq!(budget(&s, 90.0, 60, 150, 50, 60).0, 0);
    }
}
