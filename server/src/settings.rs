//! Typed settings: defaults, then a TOML file, then `MERCATO_*` environment variables.
//!
//! Nested keys use a double underscore: `MERCATO_HTTP__ADDR=0.0.0.0:8080`,
//! `MERCATO_DATABASE__MAX_CONNECTIONS=64`. `DATABASE_URL` is honoured as the ecosystem expects.

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Everything the shop keeps on disk: the embedded PostgreSQL cluster, media, logs.
    pub data_dir: PathBuf,
    pub http: HttpSettings,
    pub database: DatabaseSettings,
    pub postgres: EmbeddedPostgresSettings,
    pub catalog: CatalogSettings,
    pub log: LogSettings,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpSettings {
    /// Where to listen; defaults to the Leptos site address (127.0.0.1:3000).
    pub addr: Option<SocketAddr>,
    /// The public base URL for canonical links and the sitemap; defaults to `http://<addr>`.
    pub public_url: Option<String>,
    /// Seconds to let in-flight requests finish on shutdown.
    pub shutdown_grace_secs: u64,
}

#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    /// An external PostgreSQL; without it the shop runs its own cluster in `data_dir`.
    pub url: Option<String>,
    /// Optional read replica for catalog reads.
    pub read_url: Option<String>,
    pub max_connections: u32,
    pub acquire_timeout_secs: u64,
}

impl fmt::Debug for DatabaseSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // URLs may carry passwords: never print them.
        f.debug_struct("DatabaseSettings")
            .field("url", &self.url.as_ref().map(|_| "<redacted>"))
            .field("read_url", &self.read_url.as_ref().map(|_| "<redacted>"))
            .field("max_connections", &self.max_connections)
            .field("acquire_timeout_secs", &self.acquire_timeout_secs)
            .finish()
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmbeddedPostgresSettings {
    /// Directory holding `initdb` and `postgres`; searched on PATH and in
    /// /usr/lib/postgresql/*/bin when unset.
    pub bin_dir: Option<PathBuf>,
    /// fsync off: for throwaway test clusters only.
    pub unsafe_fast: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogSettings {
    pub page_size: i64,
    /// Seed the demo catalog into an empty database on first start.
    pub seed_demo: bool,
    /// The demo catalog shipped in this repository.
    pub seed_dir: PathBuf,
    /// Currency of imports whose files carry none (the Vendure sample).
    pub default_currency: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSettings {
    /// `tracing` filter directives; `RUST_LOG` wins when set.
    pub filter: String,
    /// `pretty` or `json`.
    pub format: String,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            data_dir: PathBuf::from("data"),
            http: HttpSettings {
                addr: None,
                public_url: None,
                shutdown_grace_secs: 20,
            },
            database: DatabaseSettings {
                url: None,
                read_url: None,
                max_connections: 48,
                acquire_timeout_secs: 5,
            },
            postgres: EmbeddedPostgresSettings {
                bin_dir: None,
                unsafe_fast: false,
            },
            catalog: CatalogSettings {
                page_size: 12,
                seed_demo: true,
                seed_dir: Path::new(env!("CARGO_MANIFEST_DIR")).join("seed/vendure-sample"),
                default_currency: "USD".into(),
            },
            log: LogSettings {
                filter: "info,sqlx=warn,tower_http=info,tantivy=warn".into(),
                format: "pretty".into(),
            },
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("invalid settings: {0}")]
    Invalid(String),
    #[error(transparent)]
    Load(#[from] Box<figment::Error>),
}

impl Settings {
    /// Reads the settings once at start-up. The file is `MERCATO_CONFIG`, or `mercato.toml`
    /// in the working directory when it exists.
    pub fn load() -> Result<Self, SettingsError> {
        let file = std::env::var_os("MERCATO_CONFIG")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("mercato.toml"));
        let mut figment = Figment::from(Serialized::defaults(Settings::default()));
        if file.exists() {
            figment = figment.merge(Toml::file(&file));
        } else if std::env::var_os("MERCATO_CONFIG").is_some() {
            return Err(SettingsError::Invalid(format!(
                "MERCATO_CONFIG names {} which does not exist",
                file.display()
            )));
        }
        figment = figment.merge(Env::prefixed("MERCATO_").ignore(&["CONFIG"]).split("__"));
        if let Ok(url) = std::env::var("DATABASE_URL")
            && !url.trim().is_empty()
        {
            figment = figment.merge(("database.url", url));
        }
        let settings: Settings = figment.extract().map_err(Box::new)?;
        settings.validate()?;
        Ok(settings)
    }

    pub fn validate(&self) -> Result<(), SettingsError> {
        let bad = |m: &str| Err(SettingsError::Invalid(m.to_owned()));
        if !(1..=200).contains(&self.catalog.page_size) {
            return bad("catalog.page_size must be between 1 and 200");
        }
        if self.database.max_connections == 0 {
            return bad("database.max_connections must be at least 1");
        }
        if let Some(url) = &self.http.public_url
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            return bad("http.public_url must start with http:// or https://");
        }
        if !matches!(self.log.format.as_str(), "pretty" | "json") {
            return bad("log.format must be `pretty` or `json`");
        }
        if app::catalog::money::Currency::parse(&self.catalog.default_currency).is_err() {
            return bad("catalog.default_currency must be a three-letter code such as USD");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        assert!(Settings::default().validate().is_ok());
    }

    #[test]
    fn rejects_bad_values() {
        let mut s = Settings::default();
        s.catalog.page_size = 0;
        assert!(s.validate().is_err());
        let mut s = Settings::default();
        s.http.public_url = Some("shop.example".into());
        assert!(s.validate().is_err());
    }

    #[test]
    fn debug_never_prints_database_urls() {
        let mut s = Settings::default();
        s.database.url = Some("postgres://u:hunter2@db/shop".into());
        assert!(!format!("{s:?}").contains("hunter2"));
    }
}
