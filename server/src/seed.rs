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
