//! `server reco ...`: the offline evaluation of the recommendation models on a time
//! split of the order history (the database's, or a file of Online Retail line items),
//! and the full rebuild of what the shop serves.

use app::reco::engine::Purchase;
use app::reco::engine::evaluate::{Figures, SERVED, evaluate};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgPool;
use std::collections::HashMap;
use std::path::Path;

/// Purchases by customers (orders that became sales), from the database.
pub async fn purchases(pool: &PgPool) -> Result<Vec<Purchase>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT o.user_id AS "customer!", o.id AS "order!", v.product_id AS "product!",
                  extract(epoch FROM o.created_at)::bigint AS "at!"
             FROM orders o
             JOIN order_lines l ON l.order_id = o.id
             JOIN variants v ON v.id = l.variant_id
            WHERE o.user_id IS NOT NULL
              AND o.status IN ('authorized', 'confirmed', 'fulfilment', 'shipped', 'delivered',
                               'partially_refunded', 'refunded')"#
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Purchase {
            customer: r.customer,
            order: r.order,
            product: r.product,
            at: r.at,
        })
        .collect())
}

/// Purchases by customers in a file of Online Retail line items (products numbered by
/// their stock codes in sorted order, invoices in file order).
pub fn purchases_in_file(path: &Path) -> anyhow::Result<Vec<Purchase>> {
    let history = crate::import::history::parse(path)?;
    let mut codes: Vec<&str> = history
        .invoices
        .iter()
        .flat_map(|i| i.lines.iter().map(|l| l.sku.as_str()))
        .collect();
    codes.sort_unstable();
    codes.dedup();
    let ids: HashMap<&str, i64> = codes
        .iter()
        .enumerate()
        .map(|(n, c)| (*c, n as i64))
        .collect();
    let mut out = Vec::new();
    for (n, invoice) in history.invoices.iter().enumerate() {
        let Some(customer) = invoice
            .customer
            .as_deref()
            .and_then(|c| c.parse::<i64>().ok())
        else {
            continue;
        };
        for line in &invoice.lines {
            out.push(Purchase {
                customer,
                order: n as i64,
                product: ids[line.sku.as_str()],
                at: invoice.at.timestamp(),
            });
        }
    }
    Ok(out)
}

/// How far the imported history was moved forward (whole weeks, to end near its import),
/// in days: what a date in the file's own calendar must be moved by to find it here.
pub async fn history_shift_days(pool: &PgPool) -> Result<i64, sqlx::Error> {
    Ok(sqlx::query_scalar!(
        r#"SELECT (report->>'shifted_days')::bigint AS "days"
             FROM jobs WHERE kind = $1 AND status = 'done' AND (report->>'shifted_days')::bigint > 0
            ORDER BY id DESC LIMIT 1"#,
        app::jobs::model::HISTORY_IMPORT
    )
    .fetch_optional(pool)
    .await?
    .flatten()
    .unwrap_or(0))
}

fn midnight(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()
}

/// The evaluation as a table: the split's size and each model's figures, for every test
/// customer and for those with purchases before the split.
pub fn report(
    purchases: &[Purchase],
    train_until: NaiveDate,
    test_until: NaiveDate,
    shift_days: i64,
    mut progress: impl FnMut(&str, usize, usize),
) -> String {
    let shift = chrono::Duration::days(shift_days);
    let from = midnight(train_until) + shift;
    let to = midnight(test_until) + shift;
    let (size, all, warm) = evaluate(purchases, from.timestamp(), to.timestamp(), |s, d, o| {
        progress(s, d, o)
    });
    let mut out = format!(
        "train: purchases before {train_until} ({} purchases, {} products); test: {train_until} to {test_until}\n\
         {} customers bought something new in the test period, {} of them with purchases before it{}\n",
        size.train_purchases,
        size.products,
        size.test_customers,
        size.with_history,
        if shift_days != 0 {
            format!(
                " (the history was moved {shift_days} days forward at import; dates are in its own calendar)"
            )
        } else {
            String::new()
        }
    );
    let table = |title: &str, f: &[Figures], out: &mut String| {
        out.push_str(&format!(
            "\n{title} ({} customers)\n{:<26} {:>8} {:>8} {:>8} {:>8}\n",
            f.first().map_or(0, |x| x.customers),
            "model",
            "hit@10",
            "prec@10",
            "rec@10",
            "MRR"
        ));
        for x in f {
            out.push_str(&format!(
                "{:<26} {:>8.4} {:>8.4} {:>8.4} {:>8.4}\n",
                x.model, x.hit, x.precision, x.recall, x.mrr
            ));
        }
        let hit = |m: &str| f.iter().find(|x| x.model == m).map_or(0.0, |x| x.hit);
        let served = hit(SERVED);
        let ratio = |base: f64| if base > 0.0 { served / base } else { f64::NAN };
        out.push_str(&format!(
            "served hit@10 over popularity: {:.2}x; over item-kNN: {:.2}x; over item-kNN + popularity: {:.2}x\n",
            ratio(hit("popularity")),
            ratio(hit("item-kNN (cosine)")),
            ratio(hit("item-kNN + popularity")),
        ));
    };
    table("every test customer", &all, &mut out);
    table("customers with purchases before the split", &warm, &mut out);
    out
}
