//! Export jobs: every product (in the import's own format, so the file can be edited and
//! imported again) or every stock level, read from the database a page at a time in id
//! order and written to the job's result a chunk at a time: a million products never sit
//! in memory. Photos are not in the file (an import keeps a product's photos when its
//! row names none).

use crate::csv::line;
use crate::imports::model::{PRODUCT_COLUMNS, STOCK_COLUMNS};
use crate::jobs::files::Writer;
use crate::money::{Currency, Money};
use serde_json::json;
use sqlx::PgPool;

const PAGE: i64 = 2_000;

type Progress<'a> = &'a (dyn Fn(u64, u64, &str) + Sync);

async fn estimate(pool: &PgPool, table: &str) -> Result<u64, sqlx::Error> {
    let n: i64 = sqlx::query_scalar(
        "SELECT greatest(reltuples, 0)::bigint FROM pg_class WHERE oid = $1::regclass",
    )
    .bind(table)
    .fetch_one(pool)
    .await?;
    Ok(n.max(0) as u64)
}

/// Every variant of every product, one row each, products in id order.
pub async fn products(
    pool: &PgPool,
    job: i64,
    on_progress: Progress<'_>,
) -> Result<serde_json::Value, String> {
    let err = |e: sqlx::Error| format!("the export stopped: {e}");
    let total = estimate(pool, "variants").await.map_err(err)?;
    let mut out = Writer::new(pool.clone(), job).await.map_err(err)?;
    out.push(&format!("{}\n", PRODUCT_COLUMNS.join(",")))
        .await
        .map_err(err)?;
    let (mut after, mut rows, mut products) = (0i64, 0u64, 0u64);
    loop {
        let page = sqlx::query!(
            r#"SELECT p.id, p.slug, p.title, p.description, p.status::text AS "status!", p.featured,
                      br.name AS "brand?",
                      (SELECT string_agg(a.name, ' > ' ORDER BY length(a.path)) FROM categories a
                        WHERE c.path = a.path OR c.path LIKE a.path || '/%') AS category,
                      (SELECT string_agg(o.name, '|' ORDER BY o.position)
                         FROM product_options o WHERE o.product_id = p.id) AS options,
                      (SELECT string_agg(at.name || ':' || at.kind::text || '='
                                         || coalesce(pa.value_text, pa.value_number::text, pa.value_boolean::text),
                                         '|' ORDER BY at.code, pa.position)
                         FROM product_attributes pa JOIN attributes at ON at.id = pa.attribute_id
                        WHERE pa.product_id = p.id) AS attributes,
                      v.sku, v.price_minor, v.currency::text AS "currency!", v.option_values,
                      coalesce((SELECT l.on_hand FROM stock_levels l JOIN warehouses w ON w.id = l.warehouse_id
                                 WHERE l.variant_id = v.id AND w.code = 'main'), 0) AS "stock!"
                 FROM products p
                 JOIN variants v ON v.product_id = p.id
                 LEFT JOIN brands br ON br.id = p.brand_id
                 LEFT JOIN categories c ON c.id = p.category_id
                WHERE p.id IN (SELECT id FROM products WHERE id > $1 ORDER BY id LIMIT $2)
                ORDER BY p.id, v.position, v.id"#,
            after,
            PAGE
        )
        .fetch_all(pool)
        .await
        .map_err(err)?;
        let Some(last) = page.last() else { break };
        after = last.id;
        let mut text = String::new();
        let mut previous = 0;
        for r in page {
            // The product's own fields on its first row; later rows are its variants.
            let first = r.id != previous;
            previous = r.id;
            products += first as u64;
            let price = Currency::parse(&r.currency)
                .map(|c| Money::from_minor(r.price_minor, c).decimal_string())
                .unwrap_or_else(|_| r.price_minor.to_string());
            let own = |s: String| if first { s } else { String::new() };
            text.push_str(&line(&[
                r.slug,
                own(r.title),
                own(r.description),
                own(r.brand.unwrap_or_default()),
                own(r.category.unwrap_or_default()),
                own(r.status),
                own(r.featured.to_string()),
                own(r.options.unwrap_or_default()),
                r.sku,
                price,
                r.currency,
                r.stock.to_string(),
                r.option_values.join("|"),
                String::new(),
                own(r.attributes.unwrap_or_default()),
            ]));
            rows += 1;
        }
        out.push(&text).await.map_err(err)?;
        on_progress(rows, total.max(rows), "writing products");
    }
    out.finish().await.map_err(err)?;
    on_progress(rows, rows, "done");
    Ok(json!({ "products": products, "variants": rows }))
}

/// Every stock level: a SKU in a warehouse, with what is held and sold there; the first
/// three columns are the stock import's format.
pub async fn stock(
    pool: &PgPool,
    job: i64,
    on_progress: Progress<'_>,
) -> Result<serde_json::Value, String> {
    let err = |e: sqlx::Error| format!("the export stopped: {e}");
    let total = estimate(pool, "stock_levels").await.map_err(err)?;
    let mut out = Writer::new(pool.clone(), job).await.map_err(err)?;
    out.push(&format!(
        "{},reserved,sold,available\n",
        STOCK_COLUMNS.join(",")
    ))
    .await
    .map_err(err)?;
    let (mut after, mut rows) = ((0i64, 0i64), 0u64);
    loop {
        let page = sqlx::query!(
            "SELECT l.variant_id, l.warehouse_id, v.sku, w.code, l.on_hand, l.reserved, l.sold
               FROM stock_levels l
               JOIN variants v ON v.id = l.variant_id
               JOIN warehouses w ON w.id = l.warehouse_id
              WHERE (l.variant_id, l.warehouse_id) > ($1, $2)
              ORDER BY l.variant_id, l.warehouse_id LIMIT $3",
            after.0,
            after.1,
            PAGE
        )
        .fetch_all(pool)
        .await
        .map_err(err)?;
        let Some(last) = page.last() else { break };
        after = (last.variant_id, last.warehouse_id);
        let mut text = String::new();
        for r in page {
            text.push_str(&line(&[
                r.sku,
                r.code,
                r.on_hand.to_string(),
                r.reserved.to_string(),
                r.sold.to_string(),
                (r.on_hand - r.reserved - r.sold).to_string(),
            ]));
            rows += 1;
        }
        out.push(&text).await.map_err(err)?;
        on_progress(rows, total.max(rows), "writing stock levels");
    }
    out.finish().await.map_err(err)?;
    on_progress(rows, rows, "done");
    Ok(json!({ "stock_levels": rows }))
}
