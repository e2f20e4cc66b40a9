//! A stock file imported: each row the units counted on hand of a SKU in a warehouse.
//! Rows are checked first (the SKU and warehouse exist, the count is a whole number, a
//! SKU and warehouse appear once); then counts are written in batches, each one
//! transaction with its audit entry, through the same `set_on_hand` as any count (a
//! ledger row for each change; never below what is held or sold there). A batch that
//! fails in the database is rolled back whole and stops the job: earlier batches stay.

use super::actor;
use crate::audit::Change;
use crate::imports::model::{STOCK_COLUMNS, header_matches};
use crate::inventory::model::InventoryError;
use crate::jobs::files;
use serde_json::json;
use sqlx::PgPool;
use std::collections::HashMap;

const BATCH: usize = 500;

/// A row that can be written, or the reason it cannot.
#[derive(Debug, PartialEq)]
struct Count {
    line: u64,
    sku: String,
    warehouse: String,
    on_hand: i32,
}

type Skipped = Vec<serde_json::Value>;

fn skip(line: u64, reason: impl Into<String>) -> serde_json::Value {
    json!({ "line": line, "reason": reason.into() })
}

/// The file's rows, checked on their own: the good ones, and the rest with reasons.
fn parse(bytes: &[u8]) -> Result<(Vec<Count>, Skipped), String> {
    let text = std::str::from_utf8(bytes).map_err(|_| "the file is not UTF-8 text")?;
    if !header_matches(text.lines().next().unwrap_or(""), &STOCK_COLUMNS) {
        return Err(format!(
            "the first line must be the header {}",
            STOCK_COLUMNS.join(",")
        ));
    }
    let body = text.trim_start_matches('\u{feff}').as_bytes();
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(body);
    let mut numbers = crate::csv::LineNumbers::new(body);
    let mut counts = Vec::new();
    let mut skipped = Vec::new();
    let mut seen: HashMap<(String, String), u64> = HashMap::new();
    for (i, record) in reader.records().enumerate() {
        let fallback = i as u64 + 2;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e
                    .position()
                    .map_or(fallback, |p| numbers.line_of_row(p.byte()));
                skipped.push(skip(line, format!("unreadable row: {e}")));
                continue;
            }
        };
        let line = record
            .position()
            .map_or(fallback, |p| numbers.line_of_row(p.byte()));
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if record.len() != STOCK_COLUMNS.len() {
            skipped.push(skip(line, format!("{} fields instead of 3", record.len())));
            continue;
        }
        let (sku, warehouse, on_hand) = (record[0].trim(), record[1].trim(), record[2].trim());
        let on_hand = match on_hand.parse::<i32>() {
            Ok(n) if (0..=1_000_000).contains(&n) => n,
            _ => {
                skipped.push(skip(
                    line,
                    format!("on_hand {on_hand:?} is not a whole number from 0 to 1,000,000"),
                ));
                continue;
            }
        };
        if sku.is_empty() || warehouse.is_empty() {
            skipped.push(skip(line, "the SKU and the warehouse are both needed"));
            continue;
        }
        if let Some(first) = seen.insert((sku.to_owned(), warehouse.to_owned()), line) {
            skipped.push(skip(
                line,
                format!("{sku} at {warehouse} was counted already on line {first}"),
            ));
            continue;
        }
        counts.push(Count {
            line,
            sku: sku.to_owned(),
            warehouse: warehouse.to_owned(),
            on_hand,
        });
    }
    Ok((counts, skipped))
}

/// Runs a stock import job; its report counts what changed and lists every row left out.
pub async fn import(
    pool: &PgPool,
    job: i64,
    input: &serde_json::Value,
    on_progress: &(dyn Fn(u64, u64, &str) + Sync),
) -> Result<serde_json::Value, String> {
    let bytes = files::read(pool, job, files::UPLOAD)
        .await
        .map_err(|e| format!("the file could not be read: {e}"))?;
    let (counts, mut skipped) = parse(&bytes)?;
    let who = actor(input);
    let warehouses: HashMap<String, i64> = sqlx::query!("SELECT code, id FROM warehouses")
        .fetch_all(pool)
        .await
        .map_err(|e| e.to_string())?
        .into_iter()
        .map(|r| (r.code, r.id))
        .collect();
    let total = counts.len() as u64;
    let (mut changed, mut unchanged) = (0u64, 0u64);
    for (b, batch) in counts.chunks(BATCH).enumerate() {
        on_progress((b * BATCH) as u64, total, "writing the counts");
        let failed = |e: &dyn std::fmt::Display| {
            format!(
                "the rows from line {} on were not imported ({changed} counts before them were): {e}",
                batch[0].line
            )
        };
        let mut tx = pool.begin().await.map_err(|e| failed(&e))?;
        let mut left_out = Vec::new();
        let mut changes = Vec::new();
        for c in batch {
            let Some(&warehouse) = warehouses.get(&c.warehouse) else {
                left_out.push(skip(
                    c.line,
                    format!("there is no warehouse {:?}", c.warehouse),
                ));
                continue;
            };
            let Some(variant) =
                sqlx::query_scalar!("SELECT id FROM variants WHERE sku = $1", c.sku)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(|e| failed(&e))?
            else {
                left_out.push(skip(
                    c.line,
                    format!("there is no variant with the SKU {:?}", c.sku),
                ));
                continue;
            };
            let before = sqlx::query_scalar!(
                "SELECT on_hand FROM stock_levels WHERE variant_id = $1 AND warehouse_id = $2",
                variant,
                warehouse
            )
            .fetch_optional(&mut *tx)
            .await
            .map_err(|e| failed(&e))?;
            match crate::inventory::ssr::set_on_hand(
                &mut tx, variant, warehouse, c.on_hand, &who.label,
            )
            .await
            {
                Ok(true) => changes.push(json!({
                    "sku": c.sku, "warehouse": c.warehouse, "before": before, "after": c.on_hand,
                })),
                Ok(false) => unchanged += 1,
                Err(e @ (InventoryError::BelowCommitted { .. } | InventoryError::Invalid(_))) => {
                    left_out.push(skip(c.line, e.to_string()))
                }
                Err(e) => return Err(failed(&e)),
            }
        }
        if !changes.is_empty() {
            crate::audit::record(
                &mut tx,
                &who,
                Change {
                    action: "stock.import",
                    entity: "job",
                    entity_id: job.to_string(),
                    before: None,
                    after: Some(json!({ "counts": changes })),
                },
            )
            .await
            .map_err(|e| failed(&e))?;
        }
        tx.commit().await.map_err(|e| failed(&e))?;
        changed += changes.len() as u64;
        skipped.extend(left_out);
    }
    skipped.sort_by_key(|s| s["line"].as_u64().unwrap_or(0));
    on_progress(total, total, "done");
    Ok(json!({
        "changed": changed,
        "unchanged": unchanged,
        "left_out": skipped.len(),
        "skipped": skipped,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_checked_before_anything_is_written() {
        let (counts, skipped) = parse(
            b"sku,warehouse,on_hand\nA-1,main,5\nA-2,main,-1\nA-3,main\nA-1,main,7\n\nA-4,east,12\n,main,3\nA-5,main,1.5\n",
        )
        .unwrap();
        assert_eq!(
            counts,
            vec![
                Count {
                    line: 2,
                    sku: "A-1".into(),
                    warehouse: "main".into(),
                    on_hand: 5
                },
                Count {
                    line: 7,
                    sku: "A-4".into(),
                    warehouse: "east".into(),
                    on_hand: 12
                },
            ]
        );
        let lines: Vec<u64> = skipped
            .iter()
            .map(|s| s["line"].as_u64().unwrap())
            .collect();
        assert_eq!(lines, vec![3, 4, 5, 8, 9]);
        assert!(skipped[2]["reason"].as_str().unwrap().contains("line 2"));
        assert!(parse(b"sku,on_hand\nA,1\n").unwrap_err().contains("header"));
        assert!(parse(&[0xff, 0xfe]).unwrap_err().contains("UTF-8"));
    }
}
