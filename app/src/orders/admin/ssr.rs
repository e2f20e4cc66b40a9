//! The admin's order queries. The list reads newest first by (placed, id) with a cursor,
//! so a page costs the same at the millionth order as at the first.

use super::model::{
    AdminOrder, OrderFilter, OrderPage, OrderRisk, OrderRow, PAGE_SIZE, PaymentRow, RefundRow,
    StepRow,
};
use crate::money::{Currency, Money};
use crate::orders::model::OrderStatus;
use crate::risk::model::{Assessment, RiskLevel};
use chrono::{DateTime, NaiveDate, Utc};
use futures::{Stream, StreamExt};
use sqlx::PgPool;

/// The filter as the queries take it, or what is wrong with it.
struct Bounds {
    number: Option<String>,
    email: Option<String>,
    status: Option<OrderStatus>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    min_total: Option<i64>,
    max_total: Option<i64>,
    risk: Option<RiskLevel>,
    after: Option<(DateTime<Utc>, i64)>,
}

fn day(text: &str, what: &str) -> Result<Option<NaiveDate>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| format!("the {what} date must look like 2026-12-31"))
}

fn amount(text: &str, what: &str) -> Result<Option<i64>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    // Two decimals, as most currencies have.
    Money::parse_major(text, Currency::GBP)
        .map(|m| Some(m.minor()))
        .map_err(|_| format!("the {what} total must be an amount such as 25.00"))
}

/// `<micros since the epoch>-<id>`: where the previous page ended.
fn cursor(placed: DateTime<Utc>, id: i64) -> String {
    format!("{}-{id}", placed.timestamp_micros())
}

fn parse_cursor(text: &str) -> Result<Option<(DateTime<Utc>, i64)>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let bad = || "that page does not exist".to_owned();
    let (micros, id) = text.split_once('-').ok_or_else(bad)?;
    let micros: i64 = micros.parse().map_err(|_| bad())?;
    let id: i64 = id.parse().map_err(|_| bad())?;
    let at = DateTime::from_timestamp_micros(micros).ok_or_else(bad)?;
    Ok(Some((at, id)))
}

fn bounds(f: &OrderFilter) -> Result<Bounds, String> {
    let q = f.q.trim();
    if q.chars().count() > 254 {
        return Err("the search is too long".into());
    }
    let (number, email) = if q.is_empty() {
        (None, None)
    } else if q.contains('@') {
        (None, Some(q.to_lowercase()))
    } else {
        (Some(q.to_uppercase()), None)
    };
    let status = match f.status.trim() {
        "" => None,
        s => Some(
            OrderStatus::ALL
                .into_iter()
                .find(|x| x.as_str() == s)
                .ok_or_else(|| format!("there is no order status `{s}`"))?,
        ),
    };
    Ok(Bounds {
        number,
        email,
        status,
        from: day(&f.from, "from")?,
        to: day(&f.to, "to")?,
        min_total: amount(&f.min_total, "least")?,
        max_total: amount(&f.max_total, "greatest")?,
        risk: match f.risk.trim() {
            "" => None,
            level => Some(RiskLevel::parse(level)?),
        },
        after: parse_cursor(&f.after)?,
    })
}

struct Listed {
    id: i64,
    number: String,
    email: String,
    status: OrderStatus,
    currency: Currency,
    total_minor: i64,
    created_at: DateTime<Utc>,
    region: String,
    items: i64,
    risk: Option<RiskLevel>,
}

impl From<&Listed> for OrderRow {
    fn from(r: &Listed) -> Self {
        OrderRow {
            number: r.number.clone(),
            email: r.email.clone(),
            status: r.status,
            total: Money::from_minor(r.total_minor, r.currency),
            items: r.items,
            placed: r.created_at.format("%Y-%m-%d %H:%M").to_string(),
            region: r.region.clone(),
            risk: r.risk,
        }
    }
}

/// One page of orders matching `filter`, newest first.
pub async fn list(
    pool: &PgPool,
    filter: &OrderFilter,
) -> Result<Result<OrderPage, String>, sqlx::Error> {
    let b = match bounds(filter) {
        Ok(b) => b,
        Err(message) => return Ok(Err(message)),
    };
    let rows = sqlx::query_as!(
        Listed,
        r#"SELECT o.id, o.number, o.email, o.status AS "status: OrderStatus",
                  o.currency AS "currency: Currency", o.total_minor, o.created_at, o.region,
                  coalesce((SELECT sum(quantity) FROM order_lines l WHERE l.order_id = o.id), 0)::bigint AS "items!",
                  o.risk_level AS "risk: RiskLevel"
             FROM orders o
            WHERE ($1::text IS NULL OR o.number = $1)
              AND ($2::text IS NULL OR o.email = $2)
              AND ($3::order_status IS NULL OR o.status = $3)
              AND ($4::date IS NULL OR o.created_at >= $4::date)
              AND ($5::date IS NULL OR o.created_at < $5::date + 1)
              AND ($6::bigint IS NULL OR o.total_minor >= $6)
              AND ($7::bigint IS NULL OR o.total_minor <= $7)
              AND ($8::timestamptz IS NULL OR (o.created_at, o.id) < ($8, $9))
              AND ($11::risk_level IS NULL OR o.risk_level = $11)
            ORDER BY o.created_at DESC, o.id DESC
            LIMIT $10"#,
        b.number,
        b.email,
        b.status as Option<OrderStatus>,
        b.from,
        b.to,
        b.min_total,
        b.max_total,
        b.after.map(|a| a.0),
        b.after.map(|a| a.1),
        PAGE_SIZE + 1,
        b.risk as Option<RiskLevel>,
    )
    .fetch_all(pool)
    .await?;
    let more = rows.len() as i64 > PAGE_SIZE;
    let shown = &rows[..rows.len().min(PAGE_SIZE as usize)];
    let next = if more {
        shown.last().map(|r| cursor(r.created_at, r.id))
    } else {
        None
    };
    Ok(Ok(OrderPage {
        rows: shown.iter().map(OrderRow::from).collect(),
        next,
    }))
}

/// Every order matching `filter` as CSV lines (a header first), oldest first, read from
/// the database as they are sent.
pub fn export(
    pool: PgPool,
    filter: OrderFilter,
) -> Result<impl Stream<Item = Result<String, sqlx::Error>> + Send + 'static, String> {
    let b = bounds(&filter)?;
    Ok(crate::csv::produce(move |out| async move {
        out.send(
            "number,placed_at,status,email,currency,subtotal,discount,shipping,tax,total,refunded,items,region,risk,risk_score\n"
                .to_owned(),
        )
        .await?;
        let mut rows = sqlx::query!(
            r#"SELECT o.number, o.created_at, o.status::text AS "status!", o.email,
                      o.currency::text AS "currency!", o.subtotal_minor, o.discount_minor,
                      o.shipping_minor, o.tax_minor, o.total_minor, o.region,
                      coalesce((SELECT sum(amount_minor) FROM refunds f WHERE f.order_id = o.id AND f.status = 'done'), 0)::bigint AS "refunded!",
                      coalesce((SELECT sum(quantity) FROM order_lines l WHERE l.order_id = o.id), 0)::bigint AS "items!",
                      o.risk_level::text AS risk, o.risk_score
                 FROM orders o
                WHERE ($1::text IS NULL OR o.number = $1)
                  AND ($2::text IS NULL OR o.email = $2)
                  AND ($3::order_status IS NULL OR o.status = $3)
                  AND ($4::date IS NULL OR o.created_at >= $4::date)
                  AND ($5::date IS NULL OR o.created_at < $5::date + 1)
                  AND ($6::bigint IS NULL OR o.total_minor >= $6)
                  AND ($7::bigint IS NULL OR o.total_minor <= $7)
                  AND ($8::risk_level IS NULL OR o.risk_level = $8)
                ORDER BY o.created_at, o.id"#,
            b.number,
            b.email,
            b.status as Option<OrderStatus>,
            b.from,
            b.to,
            b.min_total,
            b.max_total,
            b.risk as Option<RiskLevel>,
        )
        .fetch(&pool);
        while let Some(row) = rows.next().await {
            let r = row?;
            let currency = Currency::parse(&r.currency).unwrap_or(Currency::GBP);
            let major = |minor: i64| Money::from_minor(minor, currency).decimal_string();
            out.send(crate::csv::line(&[
                r.number,
                r.created_at
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                r.status,
                r.email,
                r.currency,
                major(r.subtotal_minor),
                major(r.discount_minor),
                major(r.shipping_minor),
                major(r.tax_minor),
                major(r.total_minor),
                major(r.refunded),
                r.items.to_string(),
                r.region,
                r.risk.unwrap_or_default(),
                r.risk_score.map(|s| s.to_string()).unwrap_or_default(),
            ]))
            .await?;
        }
        Ok(())
    }))
}

/// An order's risk assessment, if it has one.
async fn risk(pool: &PgPool, order_id: i64) -> Result<Option<OrderRisk>, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT risk_level AS "level: RiskLevel", risk_score, risk_signals,
                  host(client_addr) AS client
             FROM orders WHERE id = $1"#,
        order_id
    )
    .fetch_one(pool)
    .await?;
    let (Some(level), Some(score), Some(signals)) = (row.level, row.risk_score, row.risk_signals)
    else {
        return Ok(None);
    };
    let signals = serde_json::from_value(signals).map_err(|e| sqlx::Error::Decode(e.into()))?;
    Ok(Some(OrderRisk {
        assessment: Assessment {
            score,
            level,
            signals,
        },
        client: row.client,
    }))
}

fn minutes(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M").to_string()
}

/// The order `number` with its payments, refunds and steps, or None.
pub async fn detail(
    pool: &PgPool,
    number: &str,
    viewer: &crate::staff::model::StaffUser,
) -> Result<Option<AdminOrder>, crate::orders::model::OrderError> {
    use crate::orders::model::OrderError;
    let unavailable = |e: sqlx::Error| {
        tracing::error!(error = %e, "admin order detail failed");
        OrderError::Unavailable
    };
    let Some(found) = crate::orders::ssr::read::order(pool, number).await? else {
        return Ok(None);
    };
    let currency = found.view.total.currency();
    let money = |minor: i64| Money::from_minor(minor, currency);
    let customer = match found.user_id {
        Some(id) => sqlx::query_scalar!("SELECT email FROM users WHERE id = $1", id)
            .fetch_optional(pool)
            .await
            .map_err(unavailable)?
            .map(|email| (id, email)),
        None => None,
    };
    let payments = sqlx::query!(
        "SELECT provider_intent, status, amount_minor, captured_minor, refunded_minor, last4, created_at
           FROM payments WHERE order_id = $1 ORDER BY id",
        found.id
    )
    .fetch_all(pool)
    .await
    .map_err(unavailable)?
    .into_iter()
    .map(|p| PaymentRow {
        intent: p.provider_intent,
        status: p.status,
        amount: money(p.amount_minor),
        captured: money(p.captured_minor),
        refunded: money(p.refunded_minor),
        last4: p.last4,
        at: minutes(p.created_at),
    })
    .collect();
    let refunds = sqlx::query!(
        r#"SELECT f.amount_minor, f.reason, f.actor, f.created_at, f.status::text AS "status!",
                  f.idempotency_key, f.failure,
                  coalesce((SELECT sum(quantity) FROM refund_lines l WHERE l.refund_id = f.id), 0)::bigint AS "units!"
             FROM refunds f WHERE f.order_id = $1 ORDER BY f.created_at, f.id"#,
        found.id
    )
    .fetch_all(pool)
    .await
    .map_err(unavailable)?
    .into_iter()
    .map(|r| RefundRow {
        key: (r.status == "pending").then_some(r.idempotency_key),
        status: r.status,
        failure: r.failure,
        amount: money(r.amount_minor),
        reason: r.reason,
        actor: r.actor,
        units: r.units,
        at: minutes(r.created_at),
    })
    .collect();
    let steps = sqlx::query!(
        r#"SELECT to_status AS "status: OrderStatus", at, actor, reason FROM order_transitions
            WHERE order_id = $1 ORDER BY at, id"#,
        found.id
    )
    .fetch_all(pool)
    .await
    .map_err(unavailable)?
    .into_iter()
    .map(|t| StepRow {
        status: t.status,
        at: minutes(t.at),
        actor: t.actor,
        reason: t.reason,
    })
    .collect();
    let notes = super::operations::ssr::notes(pool, found.id)
        .await
        .map_err(unavailable)?
        .into_iter()
        .map(|n| super::operations::NoteView {
            author: n.author,
            body: n.body,
            at: minutes(n.at),
        })
        .collect();
    let offers = super::operations::ssr::offers(pool, found.id, found.view.status, viewer)
        .await
        .map_err(unavailable)?;
    let risk = risk(pool, found.id).await.map_err(unavailable)?;
    Ok(Some(AdminOrder {
        view: found.view,
        region: found.region,
        customer,
        payments,
        refunds,
        steps,
        notes,
        offers,
        risk,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_filter_is_read_or_refused_with_a_reason() {
        let b = bounds(&OrderFilter {
            q: " m-7kq2 ".into(),
            status: "delivered".into(),
            min_total: "25".into(),
            risk: "high".into(),
            ..OrderFilter::default()
        })
        .unwrap();
        assert_eq!(b.number.as_deref(), Some("M-7KQ2"));
        assert_eq!(b.status, Some(OrderStatus::Delivered));
        assert_eq!(b.risk, Some(RiskLevel::High));
        assert_eq!(b.min_total, Some(2500));
        let b = bounds(&OrderFilter {
            q: "Ann@Example.com".into(),
            ..OrderFilter::default()
        })
        .unwrap();
        assert_eq!(b.email.as_deref(), Some("ann@example.com"));
        for bad in [
            OrderFilter {
                status: "lost".into(),
                ..OrderFilter::default()
            },
            OrderFilter {
                risk: "<script>".into(),
                ..OrderFilter::default()
            },
            OrderFilter {
                from: "yesterday".into(),
                ..OrderFilter::default()
            },
            OrderFilter {
                max_total: "lots".into(),
                ..OrderFilter::default()
            },
            OrderFilter {
                after: "x-1".into(),
                ..OrderFilter::default()
            },
            OrderFilter {
                q: "x".repeat(300),
                ..OrderFilter::default()
            },
        ] {
            assert!(bounds(&bad).is_err(), "{bad:?}");
        }
        let at = DateTime::from_timestamp_micros(1_700_000_000_123_456).unwrap();
        assert_eq!(parse_cursor(&cursor(at, 42)).unwrap(), Some((at, 42)));
    }
}
