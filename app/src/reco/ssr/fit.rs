//! Fitting the neighbour models from the counts: EASE over customers' purchases, times
//! each product's momentum (`personal`), and the content model over the active catalog
//! (`similar`), written whole in one transaction (readers see the previous fit until it
//! commits).

use crate::reco::engine::content::{Item, similar};
use crate::reco::engine::{Data, Neighbours, Purchase, momentum};
use sqlx::PgPool;
use std::time::Instant;

/// Similar products kept per product.
pub const SIMILAR: usize = 20;

/// What a fit came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fitted {
    pub purchases: i64,
    pub products: i64,
    pub millis: i64,
}

/// Fits both models and replaces the served neighbours (`refolded`: the counts were
/// just rebuilt from every order). `progress(stage, done, of)`.
#[tracing::instrument(skip_all, err)]
pub async fn fit(
    pool: &PgPool,
    refolded: bool,
    progress: impl FnMut(&str, usize, usize) + Send + 'static,
) -> Result<Fitted, sqlx::Error> {
    let started = Instant::now();
    let purchases: Vec<Purchase> = sqlx::query!(
        r#"SELECT customer_id, product_id, extract(epoch FROM last_at)::bigint AS "at!"
             FROM reco_purchases"#
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| Purchase {
        customer: r.customer_id,
        order: r.customer_id,
        product: r.product_id,
        at: r.at,
    })
    .collect();
    let items: Vec<Item> = sqlx::query!(
        r#"SELECT p.id, p.title, p.category_id, b.name AS "brand?"
             FROM products p LEFT JOIN brands b ON b.id = p.brand_id
            WHERE p.status = 'active' ORDER BY p.id"#
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| Item {
        id: r.id,
        title: r.title,
        category: r.category_id,
        brand: r.brand,
    })
    .collect();
    let count = purchases.len() as i64;
    let (personal, similar_rows, products) = tokio::task::spawn_blocking(move || {
        let mut progress = progress;
        let data = Data::new(&purchases);
        let weights: Vec<Neighbours> =
            momentum::personal(&data, |d, o| progress("EASE", d, o)).unwrap_or_default();
        progress("similar", 0, 1);
        let near = similar(&items, SIMILAR);
        let rows = |ids: &dyn Fn(usize) -> i64, lists: &[Neighbours]| {
            let mut out = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
            for (i, list) in lists.iter().enumerate() {
                for (rank, &(j, score)) in list.iter().enumerate() {
                    out.0.push(ids(i));
                    out.1.push(rank as i16);
                    out.2.push(ids(j));
                    out.3.push(score);
                }
            }
            out
        };
        let personal = rows(&|i| data.products[i], &weights);
        let similar_rows = rows(&|i| items[i].id, &near);
        (personal, similar_rows, data.len() as i64)
    })
    .await
    .map_err(|e| sqlx::Error::Protocol(format!("the fit stopped: {e}")))?;
    let mut tx = pool.begin().await?;
    sqlx::query!("DELETE FROM reco_neighbours")
        .execute(&mut *tx)
        .await?;
    for (model, (from, rank, to, score)) in [("personal", personal), ("similar", similar_rows)] {
        // In slices, so no statement carries more than a few hundred thousand values.
        for start in (0..from.len()).step_by(50_000) {
            let end = (start + 50_000).min(from.len());
            sqlx::query!(
                "INSERT INTO reco_neighbours (model, product_id, rank, other_id, score)
                 SELECT $1, * FROM unnest($2::bigint[], $3::smallint[], $4::bigint[], $5::float8[])",
                model,
                &from[start..end],
                &rank[start..end],
                &to[start..end],
                &score[start..end],
            )
            .execute(&mut *tx)
            .await?;
        }
    }
    let millis = started.elapsed().as_millis() as i64;
    sqlx::query!(
        "INSERT INTO reco_fits (purchases, products, millis, refolded) VALUES ($1, $2, $3, $4)",
        count,
        products,
        millis,
        refolded
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Fitted {
        purchases: count,
        products,
        millis,
    })
}
