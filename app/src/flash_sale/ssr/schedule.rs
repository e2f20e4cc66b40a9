//! Scheduling flash sales (the admin's form and the command line alike), ending one
//! now, and the merchant's figures. Each change is one transaction with its audit entry.

use crate::audit::{Actor, Change};
use crate::flash_sale::model::{SaleBoard, SaleFigures, SaleState};
use crate::money::{Currency, Money};
use crate::staff::model::AdminError;
use crate::staff::ssr::unavailable;
use chrono::{DateTime, Utc};
use sqlx::PgPool;

/// A sale as a merchant types it.
#[derive(Debug, Clone, Default)]
pub struct SaleForm {
    pub sku: String,
    /// The sale price in major units ("9.99").
    pub sale_price: String,
    /// Where the units come from: `main=300, east=200` (warehouse code = units).
    pub sources: String,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub per_customer_limit: String,
    /// Shoppers let in per minute; empty: automatic.
    pub admission_per_minute: String,
    /// Gradual release: units per wave and seconds between waves (both or neither).
    pub wave_units: String,
    pub wave_every_secs: String,
    /// How long a shopper let in keeps the units, in seconds (30 to 3600; default 300).
    pub hold_secs: String,
    /// Buckets per source warehouse (1 to 64; default 8).
    pub buckets: String,
}

fn bad(message: impl Into<String>) -> AdminError {
    AdminError::InvalidInput(message.into())
}

/// `main=300, east=200` as (code, units), each code once, each count at least 1.
pub fn parse_sources(text: &str) -> Result<Vec<(String, i32)>, AdminError> {
    let mut found: Vec<(String, i32)> = Vec::new();
    for part in text
        .split([',', '\n', ';'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let (code, units) = part.split_once('=').ok_or_else(|| {
            bad(format!(
                "write where the units come from as warehouse=units, such as main=300 (got `{}`)",
                part.chars().take(40).collect::<String>()
            ))
        })?;
        let code = code.trim().to_lowercase();
        let units: i32 = units
            .trim()
            .parse()
            .ok()
            .filter(|u| (1..=1_000_000).contains(u))
            .ok_or_else(|| bad(format!("the units from {code} must be from 1 to 1,000,000")))?;
        if found.iter().any(|(c, _)| *c == code) {
            return Err(bad(format!("{code} is named twice")));
        }
        found.push((code, units));
    }
    if found.is_empty() {
        return Err(bad(
            "name at least one warehouse and its units, such as main=300",
        ));
    }
    Ok(found)
}

/// A whole number in `range`, or `default` when empty.
fn number(
    text: &str,
    what: &str,
    range: std::ops::RangeInclusive<i32>,
    default: Option<i32>,
) -> Result<Option<i32>, AdminError> {
    match text.trim() {
        "" => Ok(default),
        t => t
            .parse::<i32>()
            .ok()
            .filter(|n| range.contains(n))
            .map(Some)
            .ok_or_else(|| {
                bad(format!(
                    "the {what} must be a whole number from {} to {}",
                    range.start(),
                    range.end()
                ))
            }),
    }
}

/// Schedules a sale: checked whole, then written with its sources and audit entry.
/// Refused: an unknown or inactive SKU, a price above the normal one, warehouses that
/// do not exist or have fewer units free now than asked, an end in the past, another
/// sale of the same SKU at an overlapping time.
pub async fn schedule(pool: &PgPool, actor: &Actor, form: SaleForm) -> Result<i64, AdminError> {
    let sku = form.sku.trim();
    let variant = sqlx::query!(
        r#"SELECT v.id, v.price_minor, v.currency::text AS "currency!", p.status::text = 'active' AS "active!"
             FROM variants v JOIN products p ON p.id = v.product_id WHERE v.sku = $1"#,
        sku
    )
    .fetch_optional(pool)
    .await
    .map_err(unavailable)?
    .ok_or_else(|| bad(format!("there is no SKU `{}`", sku.chars().take(64).collect::<String>())))?;
    if !variant.active {
        return Err(bad("that product is not active: publish it first"));
    }
    let currency = Currency::parse(&variant.currency).map_err(unavailable)?;
    let price = Money::parse_major(&form.sale_price, currency)
        .map_err(|e| bad(format!("the sale price: {e}")))?;
    if price.minor() > variant.price_minor {
        return Err(bad(format!(
            "the sale price must not be above the normal price ({})",
            Money::from_minor(variant.price_minor, currency)
        )));
    }
    let sources = parse_sources(&form.sources)?;
    let limit = number(
        &form.per_customer_limit,
        "limit per customer",
        1..=100,
        Some(1),
    )?
    .unwrap_or(1);
    let rate = number(
        &form.admission_per_minute,
        "shoppers let in per minute",
        1..=1_000_000,
        None,
    )?;
    let wave_units = number(&form.wave_units, "units per wave", 1..=1_000_000, None)?;
    let wave_every = number(
        &form.wave_every_secs,
        "seconds between waves",
        1..=86_400,
        None,
    )?;
    if wave_units.is_some() != wave_every.is_some() {
        return Err(bad(
            "give both the units per wave and the seconds between waves, or neither",
        ));
    }
    let hold = number(
        &form.hold_secs,
        "hold time in seconds",
        30..=3600,
        Some(300),
    )?
    .unwrap_or(300);
    let buckets = number(&form.buckets, "number of buckets", 1..=64, Some(8))?.unwrap_or(8);
    let now = Utc::now();
    let starts_at = form.starts_at.unwrap_or(now);
    let ends_at = form.ends_at.ok_or_else(|| bad("give the sale an end"))?;
    if ends_at <= starts_at || ends_at <= now {
        return Err(bad("the sale must end after it starts, and in the future"));
    }
    let quantity: i32 = sources.iter().map(|s| s.1).sum();

    let mut tx = pool.begin().await.map_err(unavailable)?;
    // One sale of a SKU at a time: schedulers of the same SKU wait for each other here.
    sqlx::query!(
        "SELECT id FROM variants WHERE id = $1 FOR UPDATE",
        variant.id
    )
    .fetch_one(&mut *tx)
    .await
    .map_err(unavailable)?;
    let overlapping = sqlx::query_scalar!(
        r#"SELECT id AS "id!" FROM flash_sales
            WHERE variant_id = $1 AND state <> 'ended' AND starts_at < $3 AND ends_at > $2
            LIMIT 1"#,
        variant.id,
        starts_at,
        ends_at
    )
    .fetch_optional(&mut *tx)
    .await
    .map_err(unavailable)?;
    if let Some(other) = overlapping {
        return Err(AdminError::Conflict(format!(
            "flash sale {other} sells this SKU at an overlapping time"
        )));
    }
    let mut resolved = Vec::with_capacity(sources.len());
    for (code, units) in &sources {
        let found = sqlx::query!(
            r#"SELECT w.id, coalesce(s.on_hand - s.reserved - s.sold, 0) AS "free!"
                 FROM warehouses w
                 LEFT JOIN stock_levels s ON s.warehouse_id = w.id AND s.variant_id = $2
                WHERE w.code = $1 AND w.active AND w.flash_sale_id IS NULL"#,
            code,
            variant.id
        )
        .fetch_optional(&mut *tx)
        .await
        .map_err(unavailable)?
        .ok_or_else(|| bad(format!("there is no active warehouse `{code}`")))?;
        if found.free < *units {
            return Err(AdminError::Conflict(format!(
                "{code} has {} of this SKU free now, fewer than {units}",
                found.free
            )));
        }
        resolved.push((found.id, *units));
    }
    let id = sqlx::query_scalar!(
        "INSERT INTO flash_sales (variant_id, sale_price_minor, currency, quantity, starts_at, ends_at,
                                  per_customer_limit, admission_per_minute, wave_units,
                                  wave_every_secs, hold_secs, buckets, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
         RETURNING id",
        variant.id,
        price.minor(),
        variant.currency,
        quantity,
        starts_at,
        ends_at,
        limit,
        rate,
        wave_units,
        wave_every,
        hold,
        buckets,
        actor.history_name(),
    )
    .fetch_one(&mut *tx)
    .await
    .map_err(unavailable)?;
    let warehouses: Vec<i64> = resolved.iter().map(|r| r.0).collect();
    let units: Vec<i32> = resolved.iter().map(|r| r.1).collect();
    sqlx::query!(
        "INSERT INTO flash_sources (sale_id, warehouse_id, quantity)
         SELECT $1, w, q FROM unnest($2::bigint[], $3::int[]) AS x(w, q)",
        id,
        &warehouses,
        &units
    )
    .execute(&mut *tx)
    .await
    .map_err(unavailable)?;
    crate::audit::record(
        &mut tx,
        actor,
        Change {
            action: "flash_sale.schedule",
            entity: "flash_sale",
            entity_id: id.to_string(),
            before: None,
            after: Some(serde_json::json!({
                "sku": sku, "sale_price": price.decimal_string(), "currency": variant.currency,
                "sources": sources.iter().map(|(c, u)| serde_json::json!({"warehouse": c, "units": u})).collect::<Vec<_>>(),
                "starts_at": starts_at, "ends_at": ends_at, "per_customer_limit": limit,
                "admission_per_minute": rate, "wave_units": wave_units,
                "wave_every_secs": wave_every, "hold_secs": hold, "buckets": buckets,
            })),
        },
    )
    .await
    .map_err(unavailable)?;
    tx.commit().await.map_err(unavailable)?;
    Ok(id)
}

/// Ends a sale now: a scheduled one never starts; a live one ends at the worker's next
/// tick (its free units go back, holds already given are honoured until they run out).
/// Returns false when it had ended already.
pub async fn end_now(pool: &PgPool, actor: &Actor, id: i64) -> Result<bool, AdminError> {
    let mut tx = pool.begin().await.map_err(unavailable)?;
    let before = sqlx::query!(
        r#"SELECT state::text AS "state!", ends_at FROM flash_sales WHERE id = $1 FOR UPDATE"#,
        id
    )
    .fetch_optional(&mut *tx)
    .await
    .map_err(unavailable)?
    .ok_or(AdminError::NotFound)?;
    if before.state == "ended" || before.ends_at <= Utc::now() {
        return Ok(false);
    }
    sqlx::query!(
        "UPDATE flash_sales
            SET ends_at = greatest(now(), starts_at + interval '1 millisecond'),
                state = CASE WHEN state = 'scheduled' THEN 'ended'::flash_sale_state ELSE state END,
                ended_at = CASE WHEN state = 'scheduled' THEN now() ELSE ended_at END
          WHERE id = $1",
        id
    )
    .execute(&mut *tx)
    .await
    .map_err(unavailable)?;
    sqlx::query!(
        "UPDATE flash_entries SET state = 'closed', updated_at = now()
          WHERE sale_id = $1 AND state IN ('queued', 'sold_out', 'waitlisted')
            AND (SELECT state FROM flash_sales WHERE id = $1) = 'ended'",
        id
    )
    .execute(&mut *tx)
    .await
    .map_err(unavailable)?;
    crate::audit::record(
        &mut tx,
        actor,
        Change {
            action: "flash_sale.end",
            entity: "flash_sale",
            entity_id: id.to_string(),
            before: Some(serde_json::json!({ "state": before.state, "ends_at": before.ends_at })),
            after: Some(serde_json::json!({ "ends_at": Utc::now() })),
        },
    )
    .await
    .map_err(unavailable)?;
    tx.commit().await.map_err(unavailable)?;
    Ok(true)
}

struct FigureRow {
    id: i64,
    sku: String,
    title: String,
    sale_price_minor: i64,
    currency: String,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    state: String,
    quantity: i32,
    allocated: i32,
    per_customer_limit: i32,
    admission_per_minute: Option<i32>,
    wave_units: Option<i32>,
    wave_every_secs: Option<i32>,
    hold_secs: i32,
    buckets: i32,
    sold_out_at: Option<DateTime<Utc>>,
    queued: i64,
    admitted: i64,
    ordered: i64,
    expired: i64,
    sold_out: i64,
    waitlisted: i64,
    promoted: i64,
    refused: i64,
    sold: i64,
    held: i64,
    left: i64,
}

impl FigureRow {
    fn figures(self) -> Result<SaleFigures, AdminError> {
        let currency = Currency::parse(&self.currency).map_err(unavailable)?;
        Ok(SaleFigures {
            id: self.id,
            sku: self.sku,
            title: self.title,
            sale_price: Money::from_minor(self.sale_price_minor, currency),
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            state: SaleState::parse(&self.state),
            quantity: self.quantity,
            allocated: self.allocated,
            per_customer_limit: self.per_customer_limit,
            admission_per_minute: self.admission_per_minute,
            wave: self.wave_units.zip(self.wave_every_secs),
            hold_secs: self.hold_secs,
            buckets: self.buckets,
            queued: self.queued,
            admitted: self.admitted,
            ordered: self.ordered,
            expired: self.expired,
            sold_out: self.sold_out,
            waitlisted: self.waitlisted,
            promoted: self.promoted,
            sold: self.sold,
            held: self.held,
            left: self.left,
            refused: self.refused,
            sold_out_at: self.sold_out_at,
        })
    }
}

/// Sales with their live figures: `only` one, or the newest 100.
async fn rows(pool: &PgPool, only: Option<i64>) -> Result<Vec<FigureRow>, AdminError> {
    sqlx::query_as!(
        FigureRow,
        r#"SELECT f.id, v.sku, p.title, f.sale_price_minor, f.currency::text AS "currency!",
                  f.starts_at, f.ends_at, f.state::text AS "state!", f.quantity, f.allocated,
                  f.per_customer_limit, f.admission_per_minute, f.wave_units, f.wave_every_secs,
                  f.hold_secs, f.buckets, f.sold_out_at,
                  e.queued AS "queued!", e.admitted AS "admitted!", e.ordered AS "ordered!",
                  e.expired AS "expired!", e.sold_out AS "sold_out!", e.waitlisted AS "waitlisted!",
                  e.promoted AS "promoted!", e.refused AS "refused!", e.sold AS "sold!",
                  b.held AS "held!", b.free AS "left!"
             FROM flash_sales f
             JOIN variants v ON v.id = f.variant_id
             JOIN products p ON p.id = v.product_id
             CROSS JOIN LATERAL (
                  SELECT count(*) FILTER (WHERE x.state = 'queued') AS queued,
                         count(*) FILTER (WHERE x.state = 'admitted') AS admitted,
                         count(*) FILTER (WHERE x.state = 'ordered') AS ordered,
                         count(*) FILTER (WHERE x.state = 'expired') AS expired,
                         count(*) FILTER (WHERE x.state = 'sold_out') AS sold_out,
                         count(*) FILTER (WHERE x.state = 'waitlisted') AS waitlisted,
                         count(*) FILTER (WHERE x.promoted) AS promoted,
                         count(*) FILTER (WHERE x.state = 'closed') AS refused,
                         coalesce(sum(x.quantity) FILTER (
                             WHERE o.status NOT IN ('pending', 'payment_processing', 'cancelled')), 0)::bigint AS sold
                    FROM flash_entries x LEFT JOIN orders o ON o.id = x.order_id
                   WHERE x.sale_id = f.id) e
             CROSS JOIN LATERAL (
                  SELECT coalesce(sum(s.reserved), 0)::bigint AS held,
                         coalesce(sum(s.on_hand - s.reserved - s.sold), 0)::bigint AS free
                    FROM warehouses w
                    JOIN stock_levels s ON s.warehouse_id = w.id AND s.variant_id = f.variant_id
                   WHERE w.flash_sale_id = f.id) b
            WHERE $1::bigint IS NULL OR f.id = $1
            ORDER BY f.starts_at DESC, f.id DESC
            LIMIT 100"#,
        only
    )
    .fetch_all(pool)
    .await
    .map_err(unavailable)
}

/// Every sale (the newest 100) with its figures, and the warehouses a sale may draw on.
pub async fn board(pool: &PgPool) -> Result<SaleBoard, AdminError> {
    let sales = rows(pool, None)
        .await?
        .into_iter()
        .map(FigureRow::figures)
        .collect::<Result<Vec<_>, _>>()?;
    let warehouses = sqlx::query_scalar!(
        "SELECT code FROM warehouses WHERE active AND flash_sale_id IS NULL ORDER BY priority, code"
    )
    .fetch_all(pool)
    .await
    .map_err(unavailable)?;
    Ok(SaleBoard { sales, warehouses })
}

/// One sale's live figures.
pub async fn figures(pool: &PgPool, id: i64) -> Result<SaleFigures, AdminError> {
    rows(pool, Some(id))
        .await?
        .pop()
        .ok_or(AdminError::NotFound)?
        .figures()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_are_warehouse_equals_units() {
        assert_eq!(
            parse_sources(" main=300, East = 200\n").unwrap(),
            vec![("main".into(), 300), ("east".into(), 200)]
        );
        for wrong in [
            "",
            "main",
            "main=0",
            "main=-3",
            "main=x",
            "main=1,main=2",
            "a=2000000",
        ] {
            assert!(parse_sources(wrong).is_err(), "{wrong}");
        }
    }

    #[test]
    fn numbers_are_checked_against_their_range() {
        assert_eq!(number("", "x", 1..=5, Some(3)).unwrap(), Some(3));
        assert_eq!(number(" 4 ", "x", 1..=5, None).unwrap(), Some(4));
        assert!(number("6", "x", 1..=5, None).is_err());
        assert!(number("<b>", "x", 1..=5, None).is_err());
    }
}
