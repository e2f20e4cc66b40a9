//! Writes a parsed history: the products its lines name (archived unless asked
//! otherwise), its customers, then its orders and their refunds in batches, each batch
//! one transaction. Orders are keyed by their invoice (`online-retail:<invoice>`) and
//! refunds by theirs, so a second run, or a run taken up again after a crash, writes
//! only what is missing. The transaction says `mercato.history`, so the database lets
//! an order be written in the state it reached, with its transitions at their real
//! times, and wakes no worker.

use super::{History, Invoice, Refund, Skip};
use crate::import::images::ImageStore;
use crate::import::online_retail::RetailOptions;
use crate::import::{self, ImportError, ImportOptions, Row};
use app::orders::model::OrderStatus;
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{PgPool, Postgres, Transaction};
use std::collections::{HashMap, HashSet};

const ACTOR: &str = "import:online-retail";
const BATCH: usize = 250;
/// A password hash no password matches: the history's customers never signed up here.
const NO_PASSWORD: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$bm8tcGFzc3dvcmQ$imported-customer-no-password";

/// What a history import did.
#[derive(Debug, Default, Clone, Serialize)]
pub struct HistoryReport {
    pub lines_read: u64,
    pub products: u64,
    pub customers: u64,
    pub orders: u64,
    pub orders_already_there: u64,
    pub refunds: u64,
    pub shifted_days: i64,
    pub skipped: Vec<Skipped>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Skipped {
    pub line: u64,
    pub reason: String,
}

/// Where an import is: `done` of `total` in `stage`.
pub type OnProgress<'a> = &'a (dyn Fn(u64, u64, &str) + Sync);

/// Imports a history read from a file (`products` are its stock codes as products).
pub async fn import(
    pool: &PgPool,
    store: &ImageStore,
    mut history: History,
    products: Vec<Row>,
    now: DateTime<Utc>,
    on_progress: OnProgress<'_>,
) -> Result<HistoryReport, ImportError> {
    let mut report = HistoryReport {
        lines_read: history.lines_read,
        ..HistoryReport::default()
    };
    history.until(now);

    on_progress(0, products.len() as u64, "products");
    let opts = ImportOptions {
        actor: ACTOR.into(),
        progress: false,
        ..ImportOptions::default()
    };
    let written = import::run(pool, store, products, &opts).await?;
    report.products = written.committed();
    history.skipped.extend(written.skipped);

    keep_known_products(pool, &mut history)
        .await
        .map_err(batch(0))?;
    report.customers = customers(pool, &history).await.map_err(batch(0))?;

    let total = history.invoices.len() as u64;
    for (n, chunk) in history.invoices.chunks(BATCH).enumerate() {
        on_progress((n * BATCH) as u64, total, "orders");
        let written = orders(pool, chunk, now)
            .await
            .map_err(batch(chunk[0].line))?;
        report.orders += written;
        report.orders_already_there += chunk.len() as u64 - written;
    }
    let total = history.refunds.len() as u64;
    for (n, chunk) in history.refunds.chunks(BATCH).enumerate() {
        on_progress((n * BATCH) as u64, total, "refunds");
        report.refunds += refunds(pool, chunk, now).await.map_err(batch(0))?;
    }
    on_progress(total, total, "done");
    history.skipped.sort_by_key(|s| s.line);
    report.skipped = history
        .skipped
        .into_iter()
        .map(|Skip { line, reason }| Skipped { line, reason })
        .collect();
    Ok(report)
}

/// The products for a history: archived (they give past orders their products without
/// showing in the shop), with no stock.
pub fn product_options() -> RetailOptions {
    RetailOptions {
        status: app::catalog::model::ProductStatus::Archived,
        stock_on_hand: 0,
        ..RetailOptions::default()
    }
}

fn batch(line: u64) -> impl Fn(sqlx::Error) -> ImportError {
    move |source| ImportError::Batch {
        line,
        committed: 0,
        source,
    }
}

/// Leaves out lines whose product could not be made (reported when it was skipped).
async fn keep_known_products(pool: &PgPool, history: &mut History) -> Result<(), sqlx::Error> {
    let wanted: HashSet<&str> = history
        .invoices
        .iter()
        .flat_map(|i| i.lines.iter().map(|l| l.sku.as_str()))
        .collect();
    let wanted: Vec<String> = wanted.into_iter().map(str::to_owned).collect();
    let known: HashSet<String> =
        sqlx::query_scalar!("SELECT sku FROM variants WHERE sku = ANY($1)", &wanted)
            .fetch_all(pool)
            .await?
            .into_iter()
            .collect();
    let mut skipped = Vec::new();
    for invoice in &mut history.invoices {
        invoice.lines.retain(|l| {
            let keep = known.contains(&l.sku);
            if !keep {
                skipped.push(Skip::new(l.line, format!("no product {} to sell", l.sku)));
            }
            keep
        });
    }
    history.invoices.retain(|i| !i.lines.is_empty());
    history.skipped.extend(skipped);
    Ok(())
}

/// An account per customer, made when they first ordered; one that exists is kept.
async fn customers(pool: &PgPool, history: &History) -> Result<u64, sqlx::Error> {
    let mut made = 0;
    for chunk in history.customers().chunks(1000) {
        let emails: Vec<String> = chunk
            .iter()
            .map(|(c, _)| super::customer_email(c))
            .collect();
        let names: Vec<String> = chunk.iter().map(|(c, _)| format!("Customer {c}")).collect();
        let since: Vec<DateTime<Utc>> = chunk.iter().map(|(_, at)| *at).collect();
        made += sqlx::query!(
            "INSERT INTO users (email, name, password_hash, role, created_at, password_changed_at)
             SELECT e, n, $4, 'customer', at, at FROM UNNEST($1::text[], $2::text[], $3::timestamptz[]) AS c(e, n, at)
             ON CONFLICT (email) DO NOTHING",
            &emails,
            &names,
            &since,
            NO_PASSWORD
        )
        .execute(pool)
        .await?
        .rows_affected();
    }
    Ok(made)
}

async fn history_transaction(pool: &PgPool) -> Result<Transaction<'static, Postgres>, sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query!(
        "SELECT set_config('mercato.history', 'on', true) AS h, set_config('mercato.actor', $1, true) AS a",
        ACTOR
    )
    .fetch_one(&mut *tx)
    .await?;
    Ok(tx)
}

fn status_name(s: OrderStatus) -> String {
    s.as_str().to_owned()
}

/// One batch of orders with their lines, transitions and payments; returns how many
/// were new.
async fn orders(
    pool: &PgPool,
    invoices: &[Invoice],
    now: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    let mut tx = history_transaction(pool).await?;
    let timelines: Vec<Vec<(OrderStatus, DateTime<Utc>)>> =
        invoices.iter().map(|i| i.timeline(now)).collect();
    let numbers: Vec<String> = invoices
        .iter()
        .map(|i| format!("OR-{}", i.number))
        .collect();
    let keys: Vec<String> = invoices
        .iter()
        .map(|i| format!("online-retail:{}", i.number))
        .collect();
    let emails: Vec<String> = invoices.iter().map(Invoice::email).collect();
    let statuses: Vec<String> = timelines
        .iter()
        .map(|t| status_name(t.last().map_or(OrderStatus::Pending, |s| s.0)))
        .collect();
    let updated: Vec<DateTime<Utc>> = timelines
        .iter()
        .zip(invoices)
        .map(|(t, i)| t.last().map_or(i.at, |s| s.1))
        .collect();
    let subtotals: Vec<i64> = invoices.iter().map(Invoice::subtotal_minor).collect();
    let shipping: Vec<i64> = invoices.iter().map(|i| i.postage_minor).collect();
    let countries: Vec<String> = invoices.iter().map(|i| i.country.to_owned()).collect();
    let names: Vec<String> = invoices
        .iter()
        .map(|i| match &i.customer {
            Some(c) => format!("Customer {c}"),
            None => "Guest".to_owned(),
        })
        .collect();
    let placed: Vec<DateTime<Utc>> = invoices.iter().map(|i| i.at).collect();
    let rows = sqlx::query!(
        r#"INSERT INTO orders (number, idempotency_key, user_id, email, status, currency,
                               subtotal_minor, shipping_minor, total_minor, shipping_address,
                               region, holder, shipping_method, shipping_label, created_at, updated_at)
           SELECT o.number, o.key, u.id, o.email, o.status::order_status, 'GBP',
                  o.subtotal, o.shipping, o.subtotal + o.shipping,
                  jsonb_build_object('full_name', o.name, 'line1', '', 'line2', '', 'city', '',
                                     'region', '', 'postal_code', '', 'country', o.country, 'phone', ''),
                  coalesce((SELECT r.code FROM regions r WHERE o.country = ANY (r.countries)
                             ORDER BY r.code LIMIT 1), 'DEFAULT'),
                  'order:' || o.number, 'standard', 'Standard delivery', o.placed, o.updated
             FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[],
                         $6::bigint[], $7::text[], $8::text[], $9::timestamptz[], $10::timestamptz[])
                  AS o(number, key, email, status, subtotal, shipping, country, name, placed, updated)
             LEFT JOIN users u ON u.email = o.email
           ON CONFLICT DO NOTHING
           RETURNING id, number"#,
        &numbers,
        &keys,
        &emails,
        &statuses,
        &subtotals,
        &shipping,
        &countries,
        &names,
        &placed,
        &updated,
    )
    .fetch_all(&mut *tx)
    .await?;
    let ids: HashMap<String, i64> = rows.into_iter().map(|r| (r.number, r.id)).collect();

    let (mut l_order, mut l_pos, mut l_sku, mut l_title, mut l_qty, mut l_price) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    let (mut t_order, mut t_from, mut t_to, mut t_at) = (vec![], vec![], vec![], vec![]);
    let (mut p_order, mut p_intent, mut p_amount, mut p_at) = (vec![], vec![], vec![], vec![]);
    for ((invoice, number), timeline) in invoices.iter().zip(&numbers).zip(&timelines) {
        let Some(&id) = ids.get(number) else {
            continue;
        };
        for (p, line) in invoice.lines.iter().enumerate() {
            l_order.push(id);
            l_pos.push(p as i32 + 1);
            l_sku.push(line.sku.clone());
            l_title.push(line.title.clone());
            l_qty.push(line.quantity);
            l_price.push(line.unit_price_minor);
        }
        let mut from: Option<String> = None;
        for (status, at) in timeline {
            t_order.push(id);
            t_from.push(from.clone());
            t_to.push(status_name(*status));
            t_at.push(*at);
            from = Some(status_name(*status));
            if *status == OrderStatus::Confirmed {
                p_order.push(id);
                p_intent.push(format!("online-retail:{}", invoice.number));
                p_amount.push(invoice.total_minor());
                p_at.push(*at);
            }
        }
    }
    sqlx::query!(
        "INSERT INTO order_lines (order_id, position, variant_id, sku, title, quantity, unit_price_minor)
         SELECT l.order_id, l.position, v.id, l.sku, l.title, l.qty, l.price
           FROM UNNEST($1::bigint[], $2::int[], $3::text[], $4::text[], $5::int[], $6::bigint[])
                AS l(order_id, position, sku, title, qty, price)
           JOIN variants v ON v.sku = l.sku",
        &l_order,
        &l_pos,
        &l_sku,
        &l_title,
        &l_qty,
        &l_price
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "INSERT INTO order_transitions (order_id, from_status, to_status, actor, at)
         SELECT t.order_id, t.from_status::order_status, t.to_status::order_status, $5, t.at
           FROM UNNEST($1::bigint[], $2::text[], $3::text[], $4::timestamptz[])
                AS t(order_id, from_status, to_status, at)",
        &t_order,
        &t_from as &[Option<String>],
        &t_to,
        &t_at,
        ACTOR
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "INSERT INTO payments (order_id, provider_intent, status, amount_minor, captured_minor,
                               last4, created_at, updated_at)
         SELECT p.order_id, p.intent, 'captured', p.amount, p.amount, '0000', p.at, p.at
           FROM UNNEST($1::bigint[], $2::text[], $3::bigint[], $4::timestamptz[])
                AS p(order_id, intent, amount, at)",
        &p_order,
        &p_intent,
        &p_amount,
        &p_at
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(ids.len() as u64)
}

/// One batch of refunds, in time order: each recorded with its lines, the payment's
/// refunded amount raised, and the order moved to partly or wholly refunded once it had
/// been delivered (at the later of the return and the delivery). Returns how many were new.
async fn refunds(pool: &PgPool, batch: &[Refund], now: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    let mut tx = history_transaction(pool).await?;
    let numbers: Vec<String> = batch.iter().map(|r| format!("OR-{}", r.order)).collect();
    let keys: Vec<String> = batch.iter().map(Refund::key).collect();
    let done: HashSet<String> = sqlx::query_scalar!(
        "SELECT idempotency_key FROM refunds WHERE idempotency_key = ANY($1)",
        &keys
    )
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .collect();
    struct State {
        id: i64,
        status: OrderStatus,
        total: i64,
        refunded: i64,
        delivered: Option<DateTime<Utc>>,
    }
    let mut orders: HashMap<String, State> = sqlx::query!(
        r#"SELECT o.id, o.number, o.status AS "status: OrderStatus", o.total_minor,
                  coalesce((SELECT sum(amount_minor) FROM refunds f WHERE f.order_id = o.id AND f.status <> 'failed'), 0)::bigint AS "refunded!",
                  (SELECT max(at) FROM order_transitions t
                    WHERE t.order_id = o.id AND t.to_status = 'delivered') AS delivered
             FROM orders o WHERE o.number = ANY($1)"#,
        &numbers
    )
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .map(|r| {
        (
            r.number,
            State {
                id: r.id,
                status: r.status,
                total: r.total_minor,
                refunded: r.refunded,
                delivered: r.delivered,
            },
        )
    })
    .collect();

    let mut made = 0;
    for (refund, number) in batch.iter().zip(&numbers) {
        let key = refund.key();
        let Some(order) = orders.get_mut(number) else {
            continue;
        };
        if done.contains(&key) {
            continue;
        }
        let amount = refund.amount_minor().min(order.total - order.refunded);
        if amount <= 0 {
            continue;
        }
        let id = sqlx::query_scalar!(
            "INSERT INTO refunds (order_id, amount_minor, currency, reason, actor, idempotency_key, created_at)
             VALUES ($1, $2, 'GBP', $3, $4, $5, $6) RETURNING id",
            order.id,
            amount,
            format!("Returned goods (cancellation invoice {})", refund.invoice),
            ACTOR,
            key,
            refund.at
        )
        .fetch_one(&mut *tx)
        .await?;
        let positions: Vec<i32> = refund.lines.iter().map(|l| l.0).collect();
        let quantities: Vec<i32> = refund.lines.iter().map(|l| l.1).collect();
        let amounts: Vec<i64> = refund.lines.iter().map(|l| l.2).collect();
        sqlx::query!(
            "INSERT INTO refund_lines (refund_id, position, quantity, amount_minor)
             SELECT $1, p, q, a FROM UNNEST($2::int[], $3::int[], $4::bigint[]) AS l(p, q, a)",
            id,
            &positions,
            &quantities,
            &amounts
        )
        .execute(&mut *tx)
        .await?;
        order.refunded += amount;
        let whole = order.refunded >= order.total;
        sqlx::query!(
            "UPDATE payments SET refunded_minor = refunded_minor + $2,
                    status = CASE WHEN $3 THEN 'refunded' ELSE 'partially_refunded' END,
                    updated_at = greatest(updated_at, $4)
              WHERE order_id = $1",
            order.id,
            amount,
            whole,
            refund.at
        )
        .execute(&mut *tx)
        .await?;
        let next = if whole {
            OrderStatus::Refunded
        } else {
            OrderStatus::PartiallyRefunded
        };
        let at = order.delivered.map(|d| d.max(refund.at));
        if let Some(at) = at.filter(|at| *at <= now)
            && order.status.can_become(next)
        {
            sqlx::query!(
                "UPDATE orders SET status = $2, updated_at = $3 WHERE id = $1",
                order.id,
                next as OrderStatus,
                at
            )
            .execute(&mut *tx)
            .await?;
            sqlx::query!(
                "INSERT INTO order_transitions (order_id, from_status, to_status, actor, reason, at)
                 VALUES ($1, $2, $3, $4, 'returned goods', $5)",
                order.id,
                order.status as OrderStatus,
                next as OrderStatus,
                ACTOR,
                at
            )
            .execute(&mut *tx)
            .await?;
            order.status = next;
        }
        made += 1;
    }
    tx.commit().await?;
    Ok(made)
}
