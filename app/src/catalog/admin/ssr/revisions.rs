//! Revisions: any two compared field by field, and a rollback, which saves an earlier
//! revision's draft as a new revision (audited, and on to the storefront and the search
//! index through the outbox like any edit).

use super::edit::{Saved, save};
use crate::audit::Actor;
use crate::catalog::admin::model::{Comparison, Draft, diff};
use crate::staff::model::AdminError;
use crate::staff::ssr::unavailable;
use sqlx::PgPool;

async fn snapshot(pool: &PgPool, id: i64, revision: i32) -> Result<Draft, AdminError> {
    let value = sqlx::query_scalar!(
        "SELECT snapshot FROM product_revisions WHERE product_id = $1 AND revision = $2",
        id,
        revision
    )
    .fetch_optional(pool)
    .await
    .map_err(unavailable)?
    .ok_or(AdminError::NotFound)?;
    serde_json::from_value(value).map_err(unavailable)
}

/// What changed from revision `from` to revision `to`.
pub async fn compare(pool: &PgPool, id: i64, from: i32, to: i32) -> Result<Comparison, AdminError> {
    let a = snapshot(pool, id, from).await?;
    let b = snapshot(pool, id, to).await?;
    Ok(Comparison {
        from,
        to,
        title: b.title.clone(),
        changes: diff(&a, &b),
    })
}

/// Makes revision `revision` the product's content again, as a new revision. Variants
/// it had that were removed since come back under their SKUs; variants added since go
/// (unless they have been ordered: then it is refused and nothing changes).
pub async fn rollback(
    pool: &PgPool,
    actor: &Actor,
    id: i64,
    revision: i32,
    expected: i32,
) -> Result<Saved, AdminError> {
    let mut target = snapshot(pool, id, revision).await?;
    let mut conn = pool.acquire().await.map_err(unavailable)?;
    let (_, current, _) = super::edit::load(&mut conn, id)
        .await
        .map_err(unavailable)?
        .ok_or(AdminError::NotFound)?;
    drop(conn);
    // Variants are the same rows while they exist (an edited SKU goes back too); one
    // removed since is created again, or found by its SKU.
    for v in &mut target.variants {
        let still =
            v.id.filter(|id| current.variants.iter().any(|c| c.id == Some(*id)));
        v.id = still.or_else(|| {
            current
                .variants
                .iter()
                .find(|c| c.sku.eq_ignore_ascii_case(&v.sku))
                .and_then(|c| c.id)
        });
    }
    save(
        pool,
        actor,
        Some(id),
        expected,
        &target,
        &format!("rollback to revision {revision}"),
    )
    .await
}
