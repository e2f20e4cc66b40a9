//! The database: an external server from `DATABASE_URL`, or the embedded cluster.

use crate::embedded_pg::{EmbeddedOptions, EmbeddedPostgres};
use crate::settings::Settings;
use app::db::Db;
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use std::str::FromStr;
use std::time::Duration;

/// The migrations in the repository's `migrations/`, compiled into the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

/// Pools plus, when we run it, the embedded cluster (stopped at shutdown).
pub struct Database {
    pub db: Db,
    pub embedded: Option<EmbeddedPostgres>,
}

#[derive(Debug, thiserror::Error)]
pub enum DatabaseError {
    #[error(transparent)]
    Embedded(#[from] crate::embedded_pg::EmbeddedError),
    #[error("the database URL is not valid: {0}")]
    BadUrl(String),
    #[error("could not connect to PostgreSQL")]
    Connect(#[source] sqlx::Error),
    #[error("could not migrate the database")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

pub async fn pool(url: &str, settings: &Settings) -> Result<PgPool, DatabaseError> {
    let options =
        PgConnectOptions::from_str(url).map_err(|e| DatabaseError::BadUrl(e.to_string()))?;
    pool_with(options, settings).await
}

/// A pool whose commits do not wait for the disk (see `Db::carts`).
pub async fn cart_pool(url: &str, settings: &Settings) -> Result<PgPool, DatabaseError> {
    let options = PgConnectOptions::from_str(url)
        .map_err(|e| DatabaseError::BadUrl(e.to_string()))?
        .options([("synchronous_commit", "off")]);
    pool_with(options, settings).await
}

async fn pool_with(
    options: PgConnectOptions,
    settings: &Settings,
) -> Result<PgPool, DatabaseError> {
    // No ping before each use: a broken connection fails its one query (answered as
    // "unavailable") and is replaced, instead of every query paying a round trip.
    PgPoolOptions::new()
        .max_connections(settings.database.max_connections)
        .acquire_timeout(Duration::from_secs(settings.database.acquire_timeout_secs))
        .test_before_acquire(false)
        .connect_with(options)
        .await
        .map_err(DatabaseError::Connect)
}

/// Connects (starting the embedded cluster when no URL is configured) and migrates.
pub async fn open(settings: &Settings) -> Result<Database, DatabaseError> {
    let (url, embedded) = match &settings.database.url {
        Some(url) => (url.clone(), None),
        None => {
            let opts = EmbeddedOptions {
                bin_dir: settings.postgres.bin_dir.clone(),
                unsafe_fast: settings.postgres.unsafe_fast,
                database: "mercato".into(),
            };
            let pg = EmbeddedPostgres::start(&settings.data_dir, &opts).await?;
            (pg.url.clone(), Some(pg))
        }
    };
    let primary = match pool(&url, settings).await {
        Ok(p) => p,
        Err(e) => {
            if let Some(pg) = embedded {
                pg.stop().await;
            }
            return Err(e);
        }
    };
    MIGRATOR.run(&primary).await?;
    let replica = match &settings.database.read_url {
        Some(read_url) => pool(read_url, settings).await?,
        None => primary.clone(),
    };
    let carts = cart_pool(&url, settings).await?;
    Ok(Database {
        db: Db {
            primary,
            replica,
            carts,
        },
        embedded,
    })
}

impl Database {
    /// The pools for a database the caller connected to already (tests, tools): its
    /// pool as the primary and the replica, and a cart pool to the same database, made as
    /// `open` makes it (connecting when first used).
    pub fn from_pool(primary: PgPool, settings: &Settings) -> Self {
        let options = (*primary.connect_options())
            .clone()
            .options([("synchronous_commit", "off")]);
        let carts = PgPoolOptions::new()
            .max_connections(settings.database.max_connections)
            .acquire_timeout(Duration::from_secs(settings.database.acquire_timeout_secs))
            .test_before_acquire(false)
            .connect_lazy_with(options);
        Database {
            db: Db {
                replica: primary.clone(),
                primary,
                carts,
            },
            embedded: None,
        }
    }

    pub async fn close(self) {
        self.db.primary.close().await;
        self.db.replica.close().await;
        self.db.carts.close().await;
        if let Some(pg) = self.embedded {
            pg.stop().await;
        }
    }
}
