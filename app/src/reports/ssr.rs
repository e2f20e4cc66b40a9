//! The dashboard's queries. An order counts once it is paid (confirmed and after, refunded
//! ones included: refunds are their own figure); a customer is an account, or a guest's
//! e-mail address; periods are in UTC.

use super::model::{Bucket, Dashboard, LowStock, Metric, OrderRow, Period, TopProduct, change};
use crate::money::{Currency, Money};
use crate::orders::model::OrderStatus;
use chrono::{DateTime, Datelike, Duration, Months, TimeZone, Utc};
use sqlx::PgPool;

/// A period's slots: where each starts and ends, and its label.
struct Slots {
    start: DateTime<Utc>,
    bounds: Vec<(DateTime<Utc>, DateTime<Utc>)>,
    labels: Vec<String>,
}

impl Slots {
    fn starts(&self) -> Vec<DateTime<Utc>> {
        self.bounds.iter().map(|b| b.0).collect()
    }
    fn ends(&self) -> Vec<DateTime<Utc>> {
        self.bounds.iter().map(|b| b.1).collect()
    }
}

fn midnight(t: DateTime<Utc>) -> DateTime<Utc> {
    Utc.from_utc_datetime(&t.date_naive().and_hms_opt(0, 0, 0).unwrap_or_default())
}

/// The slots of `period` ending at `now`, and those of the period before (same count).
fn slots(period: Period, now: DateTime<Utc>) -> (Slots, Slots) {
    let today = midnight(now);
    let make =
        |start: DateTime<Utc>, n: i64, step: Duration, label: &dyn Fn(DateTime<Utc>) -> String| {
            let bounds: Vec<_> = (0..n)
                .map(|i| (start + step * i as i32, start + step * (i as i32 + 1)))
                .collect();
            let labels = bounds.iter().map(|b| label(b.0)).collect();
            Slots {
                start,
                bounds,
                labels,
            }
        };
    match period {
        Period::Today => {
            let hour = |t: DateTime<Utc>| t.format("%H:00").to_string();
            (
                make(today, 24, Duration::hours(1), &hour),
                make(today - Duration::days(1), 24, Duration::hours(1), &hour),
            )
        }
        Period::Days7 | Period::Days30 => {
            let n = if period == Period::Days7 { 7 } else { 30 };
            let day = |t: DateTime<Utc>| t.format("%a %d %b").to_string();
            let start = today - Duration::days(n - 1);
            (
                make(start, n, Duration::days(1), &day),
                make(start - Duration::days(n), n, Duration::days(1), &day),
            )
        }
        Period::Days90 => {
            let week = |t: DateTime<Utc>| format!("Week of {}", t.format("%d %b"));
            let start = today - Duration::days(90);
            (
                make(start, 13, Duration::days(7), &week),
                make(start - Duration::days(91), 13, Duration::days(7), &week),
            )
        }
        Period::Months12 => {
            let first = Utc
                .with_ymd_and_hms(now.year(), now.month(), 1, 0, 0, 0)
                .single()
                .unwrap_or(today);
            let months = |start: DateTime<Utc>| {
                let bounds: Vec<_> = (0..12u32)
                    .map(|i| {
                        let s = start.checked_add_months(Months::new(i)).unwrap_or(start);
                        let e = start
                            .checked_add_months(Months::new(i + 1))
                            .unwrap_or(start);
                        (s, e)
                    })
                    .collect();
                let labels = bounds
                    .iter()
                    .map(|b| b.0.format("%b %Y").to_string())
                    .collect();
                Slots {
                    start,
                    bounds,
                    labels,
                }
            };
            let start = first.checked_sub_months(Months::new(11)).unwrap_or(first);
            (
                months(start),
                months(start.checked_sub_months(Months::new(12)).unwrap_or(start)),
            )
        }
    }
}

/// The figures of one span.
struct Figures {
    orders: i64,
    revenue: i64,
    units: i64,
    customers: i64,
    new_customers: i64,
    refunds: i64,
}

async fn figures(
    pool: &PgPool,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    currency: &str,
) -> Result<Figures, sqlx::Error> {
    let r = sqlx::query!(
        r#"WITH o AS (
               SELECT id, user_id, email, total_minor FROM orders
                WHERE created_at >= $1 AND created_at < $2 AND currency = $3
                  AND status IN ('confirmed', 'fulfilment', 'shipped', 'delivered',
                                 'refunded', 'partially_refunded')),
           who AS (
               SELECT DISTINCT user_id, CASE WHEN user_id IS NULL THEN email END AS email FROM o)
           SELECT (SELECT count(*) FROM o) AS "orders!",
                  (SELECT coalesce(sum(total_minor), 0) FROM o)::bigint AS "revenue!",
                  (SELECT coalesce(sum(l.quantity), 0) FROM order_lines l JOIN o ON o.id = l.order_id)::bigint AS "units!",
                  (SELECT count(*) FROM who) AS "customers!",
                  (SELECT count(*) FROM who w WHERE NOT EXISTS (
                       SELECT 1 FROM orders e
                        WHERE e.created_at < $1
                          AND e.status IN ('confirmed', 'fulfilment', 'shipped', 'delivered',
                                           'refunded', 'partially_refunded')
                          AND ((w.user_id IS NOT NULL AND e.user_id = w.user_id)
                               OR (w.user_id IS NULL AND e.user_id IS NULL AND e.email = w.email)))) AS "new_customers!",
                  (SELECT coalesce(sum(amount_minor), 0) FROM refunds
                    WHERE created_at >= $1 AND created_at < $2 AND currency = $3
                      AND status = 'done')::bigint AS "refunds!""#,
        from,
        to,
        currency
    )
    .fetch_one(pool)
    .await?;
    Ok(Figures {
        orders: r.orders,
        revenue: r.revenue,
        units: r.units,
        customers: r.customers,
        new_customers: r.new_customers,
        refunds: r.refunds,
    })
}

/// Revenue and orders per slot.
async fn series(
    pool: &PgPool,
    slots: &Slots,
    currency: &str,
) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT b.i AS "i!", coalesce(sum(o.total_minor), 0)::bigint AS "revenue!", count(o.id) AS "orders!"
             FROM UNNEST($1::timestamptz[], $2::timestamptz[]) WITH ORDINALITY AS b(s, e, i)
             LEFT JOIN orders o
               ON o.created_at >= b.s AND o.created_at < b.e AND o.currency = $3
              AND o.status IN ('confirmed', 'fulfilment', 'shipped', 'delivered',
                               'refunded', 'partially_refunded')
            GROUP BY b.i ORDER BY b.i"#,
        &slots.starts(),
        &slots.ends(),
        currency
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|r| (r.revenue, r.orders)).collect())
}

fn money(minor: i64, currency: Currency) -> String {
    Money::from_minor(minor, currency).to_string()
}

fn order_rows(rows: Vec<(String, String, OrderStatus, i64, String, String)>) -> Vec<OrderRow> {
    rows.into_iter()
        .map(
            |(number, email, status, total, currency, placed)| OrderRow {
                number,
                email,
                status: status.label().to_owned(),
                total: Currency::parse(&currency)
                    .map(|c| money(total, c))
                    .unwrap_or_else(|_| format!("{total} {currency}")),
                placed,
            },
        )
        .collect()
}

pub async fn dashboard(
    pool: &PgPool,
    period: Period,
    currency: Option<Currency>,
    now: DateTime<Utc>,
) -> Result<Dashboard, sqlx::Error> {
    let currencies: Vec<String> = sqlx::query_scalar!(
        r#"SELECT currency::text AS "c!" FROM orders
            WHERE created_at >= $1
              AND status IN ('confirmed', 'fulfilment', 'shipped', 'delivered',
                             'refunded', 'partially_refunded')
            GROUP BY currency ORDER BY count(*) DESC, currency"#,
        now - Duration::days(366)
    )
    .fetch_all(pool)
    .await?;
    let currency = currency
        .or_else(|| currencies.first().and_then(|c| Currency::parse(c).ok()))
        .unwrap_or(Currency::USD);
    let code = currency.code().to_owned();
    let (current, previous) = slots(period, now);
    let shift = current.start - previous.start;
    let now_figures = figures(pool, current.start, now, &code).await?;
    let then_figures = figures(pool, previous.start, now - shift, &code).await?;

    let metric =
        |label: &str, c: i64, p: i64, fmt: &dyn Fn(i64) -> String, up_is_good: bool| Metric {
            label: label.to_owned(),
            current: fmt(c),
            previous: fmt(p),
            change: change(c, p),
            up_is_good,
        };
    let cash = |v: i64| money(v, currency);
    let count = |v: i64| v.to_string();
    let aov = |f: &Figures| {
        if f.orders == 0 {
            0
        } else {
            f.revenue / f.orders
        }
    };
    let metrics = vec![
        metric(
            "Revenue",
            now_figures.revenue,
            then_figures.revenue,
            &cash,
            true,
        ),
        metric(
            "Orders",
            now_figures.orders,
            then_figures.orders,
            &count,
            true,
        ),
        metric(
            "Average order value",
            aov(&now_figures),
            aov(&then_figures),
            &cash,
            true,
        ),
        metric(
            "Units sold",
            now_figures.units,
            then_figures.units,
            &count,
            true,
        ),
        metric(
            "New customers",
            now_figures.new_customers,
            then_figures.new_customers,
            &count,
            true,
        ),
        metric(
            "Returning customers",
            now_figures.customers - now_figures.new_customers,
            then_figures.customers - then_figures.new_customers,
            &count,
            true,
        ),
        metric(
            "Refunds",
            now_figures.refunds,
            then_figures.refunds,
            &cash,
            false,
        ),
    ];

    let now_series = series(pool, &current, &code).await?;
    let then_series = series(pool, &previous, &code).await?;
    let bucket = |pick: fn(&(i64, i64)) -> i64| -> Vec<Bucket> {
        current
            .labels
            .iter()
            .enumerate()
            .map(|(i, label)| Bucket {
                label: label.clone(),
                current: now_series.get(i).map(pick).unwrap_or(0),
                previous: then_series.get(i).map(pick).unwrap_or(0),
            })
            .collect()
    };
    let revenue = bucket(|s| s.0);
    let orders = bucket(|s| s.1);

    let top_products = sqlx::query!(
        r#"SELECT l.sku, max(l.title) AS "title!", sum(l.quantity)::bigint AS "units!",
                  sum(l.quantity::bigint * l.unit_price_minor)::bigint AS "revenue!"
             FROM order_lines l JOIN orders o ON o.id = l.order_id
            WHERE o.created_at >= $1 AND o.created_at < $2 AND o.currency = $3
              AND o.status IN ('confirmed', 'fulfilment', 'shipped', 'delivered',
                               'refunded', 'partially_refunded')
            GROUP BY l.sku ORDER BY 4 DESC, l.sku LIMIT 10"#,
        current.start,
        now,
        code
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| TopProduct {
        sku: r.sku,
        title: r.title,
        units: r.units,
        revenue: money(r.revenue, currency),
    })
    .collect();

    let low_stock = sqlx::query!(
        r#"SELECT v.sku, p.title, coalesce(sum(s.on_hand - s.reserved), 0)::bigint AS "available!",
                  v.low_stock_at::bigint AS "threshold!"
             FROM variants v
             JOIN products p ON p.id = v.product_id AND p.status = 'active'
             LEFT JOIN stock_levels s ON s.variant_id = v.id
            GROUP BY v.id, v.sku, p.title
           HAVING coalesce(sum(s.on_hand - s.reserved), 0) <= v.low_stock_at
            ORDER BY 3, v.sku LIMIT 10"#
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| LowStock {
        sku: r.sku,
        title: r.title,
        available: r.available,
        threshold: r.threshold,
    })
    .collect();

    let recent = sqlx::query!(
        r#"SELECT number, email, status AS "status: OrderStatus", total_minor, currency::text AS "currency!",
                  to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') AS "placed!"
             FROM orders ORDER BY created_at DESC, id DESC LIMIT 10"#
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| (r.number, r.email, r.status, r.total_minor, r.currency, r.placed))
    .collect();
    let awaiting = sqlx::query!(
        r#"SELECT number, email, status AS "status: OrderStatus", total_minor, currency::text AS "currency!",
                  to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') AS "placed!",
                  count(*) OVER () AS "total!"
             FROM orders WHERE status IN ('authorized', 'confirmed', 'fulfilment')
            ORDER BY created_at, id LIMIT 10"#
    )
    .fetch_all(pool)
    .await?;
    let awaiting_total = awaiting.first().map_or(0, |r| r.total);
    let awaiting = awaiting
        .into_iter()
        .map(|r| {
            (
                r.number,
                r.email,
                r.status,
                r.total_minor,
                r.currency,
                r.placed,
            )
        })
        .collect();

    let importing = crate::jobs::ssr::latest(pool, crate::jobs::model::HISTORY_IMPORT)
        .await?
        .filter(|j| !j.status.is_over());

    Ok(Dashboard {
        importing,
        period,
        currency: code,
        currencies,
        metrics,
        revenue,
        orders,
        top_products,
        low_stock,
        recent: order_rows(recent),
        awaiting: order_rows(awaiting),
        awaiting_total,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_cover_the_period_and_the_one_before() {
        let now = "2026-12-02T15:30:00Z".parse::<DateTime<Utc>>().unwrap();
        for period in Period::ALL {
            let (current, previous) = slots(period, now);
            assert_eq!(current.bounds.len(), previous.bounds.len(), "{period:?}");
            assert!(current.bounds.first().unwrap().0 <= now);
            assert!(
                current.bounds.last().unwrap().1 > now,
                "{period:?} ends after now"
            );
            assert!(
                previous.bounds.last().unwrap().1 <= current.start,
                "{period:?}"
            );
            for w in current.bounds.windows(2) {
                assert_eq!(w[0].1, w[1].0, "{period:?}: slots meet");
            }
        }
        let (months, before) = slots(Period::Months12, now);
        assert_eq!(months.labels.first().unwrap(), "Jan 2026");
        assert_eq!(months.labels.last().unwrap(), "Dec 2026");
        assert_eq!(before.labels.first().unwrap(), "Jan 2025");
    }
}
