//! Every product the list's filter matches as CSV, one line per variant, read from the
//! database as the lines are sent (a million products never sit in memory at once).

use super::list::{Bounds, bounds, push_where, resolve};
use crate::catalog::admin::model::ProductFilter;
use crate::catalog::model::ProductStatus;
use crate::money::{Currency, Money};
use futures::{Stream, StreamExt};
use sqlx::{PgPool, QueryBuilder};

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    slug: String,
    title: String,
    status: ProductStatus,
    category: Option<String>,
    brand: Option<String>,
    sku: String,
    price_minor: i64,
    currency: String,
    option_values: Vec<String>,
    available: i64,
}

pub fn export(
    pool: PgPool,
    filter: ProductFilter,
) -> Result<impl Stream<Item = Result<String, sqlx::Error>> + Send + 'static, String> {
    let b: Bounds = bounds(&filter)?;
    Ok(crate::csv::produce(move |out| async move {
        out.send(
            "product_id,slug,title,status,category,brand,sku,price,currency,options,available\n"
                .to_owned(),
        )
        .await?;
        let r = resolve(&mut *pool.acquire().await?, &b).await?;
        let mut q = QueryBuilder::new(
            "SELECT p.id, p.slug, p.title, p.status, c.path AS category, br.name AS brand,
                    v.sku, v.price_minor, v.currency::text AS currency, v.option_values,
                    (SELECT coalesce(sum(l.on_hand - l.reserved - l.sold), 0)::bigint
                       FROM stock_levels l WHERE l.variant_id = v.id) AS available
               FROM products p
               JOIN variants v ON v.product_id = p.id
               LEFT JOIN categories c ON c.id = p.category_id
               LEFT JOIN brands br ON br.id = p.brand_id
              WHERE",
        );
        push_where(&mut q, &r);
        q.push(" ORDER BY p.id, v.position, v.id");
        let mut rows = q.build_query_as::<Row>().persistent(false).fetch(&pool);
        while let Some(row) = rows.next().await {
            let r = row?;
            let price = Currency::parse(&r.currency)
                .map(|c| Money::from_minor(r.price_minor, c).decimal_string())
                .unwrap_or_else(|_| r.price_minor.to_string());
            out.send(crate::csv::line(&[
                r.id.to_string(),
                r.slug,
                r.title,
                format!("{:?}", r.status).to_lowercase(),
                r.category.unwrap_or_default(),
                r.brand.unwrap_or_default(),
                r.sku,
                price,
                r.currency,
                r.option_values.join(" / "),
                r.available.to_string(),
            ]))
            .await?;
        }
        Ok(())
    }))
}
