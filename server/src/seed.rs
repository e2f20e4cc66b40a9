//! The demo catalog, seeded once into a new database from the copy shipped in this repo.

use crate::import::{self, ImportOptions, ImportReport, images::ImageStore};
use crate::settings::Settings;
use app::money::Currency;
use sqlx::PgPool;

#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error(transparent)]
    Import(#[from] import::ImportError),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Seeds when the database has never been seeded and holds no products. A merchant who
/// later deletes every product does not get the demo back.
pub async fn seed_if_new(
    settings: &Settings,
    pool: &PgPool,
) -> Result<Option<ImportReport>, SeedError> {
    if !settings.catalog.seed_demo {
        return Ok(None);
    }
    let seeded = sqlx::query_scalar!(
        "SELECT EXISTS (SELECT 1 FROM app_meta WHERE key = 'demo_seeded_at') AS \"seeded!\""
    )
    .fetch_one(pool)
    .await?;
    let has_products = sqlx::query_scalar!("SELECT EXISTS (SELECT 1 FROM products) AS \"any!\"")
        .fetch_one(pool)
        .await?;
    if seeded || has_products {
        return Ok(None);
    }
    let dir = &settings.catalog.seed_dir;
    if !dir.join("products.jsonl").exists() {
        tracing::warn!(seed.dir = %dir.display(), "demo catalog not found; starting with an empty shop");
        return Ok(None);
    }
    let currency = Currency::parse(&settings.catalog.default_currency).unwrap_or(Currency::USD);
    let rows = import::vendure::parse(dir, currency)?;
    let store = ImageStore::new(&settings.data_dir.join("media"));
    let opts = ImportOptions {
        actor: "seed:vendure-sample".into(),
        ..ImportOptions::default()
    };
    let report = import::run(pool, &store, rows, &opts).await?;
    sqlx::query!(
        "INSERT INTO app_meta (key, value) VALUES ('demo_seeded_at', now()::text) ON CONFLICT (key) DO NOTHING"
    )
    .execute(pool)
    .await?;
    tracing::info!(
        products = report.inserted,
        skipped = report.skipped.len(),
        "seeded the demo catalog"
    );
    Ok(Some(report))
}

/// Queues the import of the shipped order history, once, into a shop that has never had
/// an order (any instance may ask; one queues it). The import runs as a background job
/// (server/src/jobs.rs), so the shop opens at once.
pub async fn queue_history_if_new(
    settings: &Settings,
    pool: &PgPool,
) -> Result<Option<i64>, SeedError> {
    if !settings.catalog.seed_history {
        return Ok(None);
    }
    if !settings.catalog.history_file.exists() {
        tracing::warn!(file = %settings.catalog.history_file.display(), "order history not found; not importing one");
        return Ok(None);
    }
    let mut tx = pool.begin().await?;
    let first = sqlx::query!(
        "INSERT INTO app_meta (key, value)
         SELECT 'history_queued_at', now()::text WHERE NOT EXISTS (SELECT 1 FROM orders)
         ON CONFLICT (key) DO NOTHING"
    )
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if !first {
        return Ok(None);
    }
    let input = serde_json::json!({
        "path": settings.catalog.history_file,
        "shift_to_now": true,
    });
    let id =
        app::jobs::ssr::enqueue(&mut tx, app::jobs::model::HISTORY_IMPORT, &input, None).await?;
    tx.commit().await?;
    tracing::info!(job = id, "queued the import of the order history");
    Ok(Some(id))
}
