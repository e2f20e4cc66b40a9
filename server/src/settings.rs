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
    pub accounts: AccountSettings,
    pub cart: CartSettings,
    pub mail: MailSettings,
    pub payments: PaymentSettings,
    pub checkout: CheckoutSettings,
    pub fulfilment: FulfilmentSettings,
    /// Per address and per account, for searches, sign-up and sign-in, cart changes and
    /// checkout (server/src/security/rate_limit.rs).
    pub rate_limits: crate::security::rate_limit::Limits,
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
    /// Proxies (addresses or ranges such as `10.0.0.0/8`) whose `X-Forwarded-For` names
    /// the client; with none, the client is the TCP peer.
    pub trusted_proxies: Vec<String>,
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
    /// Import a year of real order history into a new shop's empty database on first
    /// start (a background job; the dashboard shows its progress).
    pub seed_history: bool,
    /// The history shipped in this repository (Online Retail line items).
    pub history_file: PathBuf,
    /// Recommendations: confirmed orders are folded in within a second; the neighbour
    /// models are fitted again from them at most this often.
    pub reco_refit_secs: u64,
    /// How often shoppers' actions after searches are aggregated into the ranking signal
    /// (and every instance reloads it), in seconds.
    pub search_signals_secs: u64,
}

/// Sessions and sign-in throttling.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountSettings {
    /// A signed-in session ends after this long without a request.
    pub session_idle_hours: u32,
    /// And after this long whatever happens.
    pub session_absolute_days: u32,
    /// Failed sign-ins allowed per account, and per IP address, within the window.
    pub max_failures_per_account: u32,
    pub max_failures_per_ip: u32,
    pub throttle_window_minutes: u32,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CartSettings {
    /// A guest's cart (and its session) is kept this long after their last visit.
    pub guest_days: u32,
    /// The most of one variant a line may hold.
    pub max_line_quantity: u32,
    /// How often flash sales are ticked (started, shoppers let in, holds ended), in ms.
    #[serde(default = "CartSettings::flash_tick_standard")]
    pub flash_tick_ms: u64,
}

impl CartSettings {
    fn flash_tick_standard() -> u64 {
        250
    }
}

/// Outgoing e-mail: to `<data_dir>/mail` (a maildir), or by SMTP when a URL is given.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailSettings {
    pub from: String,
    pub smtp_url: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckoutSettings {
    /// Stock is held this long from the start of checkout (extended while the shopper acts).
    pub reservation_ttl_minutes: u32,
    /// Shipping methods by region (`DEFAULT` for regions without their own): `base_minor`
    /// per order plus `per_kg_minor` per started kilogram, free from `free_over_minor`
    /// (the goods after discounts) if given.
    pub shipping: Vec<app::checkout::model::ShippingRate>,
}

/// The carrier. Without a URL, the sandbox (started for payments too) plays the carrier.
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FulfilmentSettings {
    pub carrier_url: Option<String>,
    /// Required with `carrier_url`.
    pub carrier_api_key: Option<String>,
    /// How long the sandbox carrier takes to deliver a parcel.
    pub sandbox_delivery_secs: u64,
    /// Whether packed parcels get the carrier's labels at once; off, they wait for staff
    /// to ship them by hand from the order's page.
    pub automatic_dispatch: bool,
}

impl std::fmt::Debug for FulfilmentSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FulfilmentSettings")
            .field("carrier_url", &self.carrier_url)
            .field("sandbox_delivery_secs", &self.sandbox_delivery_secs)
            .field("automatic_dispatch", &self.automatic_dispatch)
            .finish_non_exhaustive()
    }
}

/// The payment provider. Without a URL the server starts the sandbox provider on a free
/// loopback port (with a fresh API key and webhook secret each start).
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentSettings {
    pub provider_url: Option<String>,
    /// Required with `provider_url`.
    pub api_key: Option<String>,
    /// Required with `provider_url`: the secret webhooks are signed with.
    pub webhook_secret: Option<String>,
    /// Per attempt.
    pub timeout_ms: u64,
    /// Attempts after the first (same idempotency key).
    pub retries: u32,
    /// Failures in a row that open the circuit breaker, and how long it stays open.
    pub breaker_threshold: u32,
    pub breaker_cool_down_secs: u64,
    /// How long the sandbox's timeout test card keeps the shop waiting.
    pub sandbox_slow_card_secs: u64,
    /// `automatic` (the money is taken at checkout) or `manual` (checkout authorizes the
    /// card and staff capture the money from the order's page).
    pub capture: app::payments::Capture,
    /// Which orders wait for staff whatever `capture` says: `off`, or those whose risk
    /// (assessed at checkout) is `medium` or `high` and above. They are only authorized,
    /// and wait as authorized until staff capture or cancel them.
    pub review: app::risk::model::Review,
}

impl std::fmt::Debug for PaymentSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PaymentSettings")
            .field("provider_url", &self.provider_url)
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field(
                "webhook_secret",
                &self.webhook_secret.as_ref().map(|_| "<redacted>"),
            )
            .field("timeout_ms", &self.timeout_ms)
            .field("retries", &self.retries)
            .field("capture", &self.capture)
            .field("review", &self.review)
            .finish_non_exhaustive()
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSettings {
    /// `tracing` filter directives; `RUST_LOG` wins when set.
    pub filter: String,
    /// `pretty` or `json`.
    pub format: String,
}

/// Four connections per core (at least eight). PostgreSQL runs beside the server on the
/// same cores, and more backends than it can run at once only queue and switch: on two
/// cores under 64 concurrent shoppers, 8 connections served the cart page 20% faster
/// than 64, with a third of the p99.
fn default_pool_size() -> u32 {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get()) as u32;
    (cores * 4).max(8)
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            data_dir: PathBuf::from("data"),
            http: HttpSettings {
                addr: None,
                public_url: None,
                shutdown_grace_secs: 20,
                trusted_proxies: Vec::new(),
            },
            database: DatabaseSettings {
                url: None,
                read_url: None,
                max_connections: default_pool_size(),
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
                seed_history: true,
                reco_refit_secs: 300,
                search_signals_secs: 300,
                history_file: Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("seed/online-retail/orders-2010-12-01_2011-09-30.csv.xz"),
            },
            accounts: AccountSettings {
                session_idle_hours: 72,
                session_absolute_days: 30,
                max_failures_per_account: 5,
                max_failures_per_ip: 50,
                throttle_window_minutes: 15,
            },
            cart: CartSettings {
                guest_days: 30,
                max_line_quantity: 20,
                flash_tick_ms: CartSettings::flash_tick_standard(),
            },
            mail: MailSettings {
                from: app::mail::DEFAULT_FROM.into(),
                smtp_url: None,
            },
            checkout: CheckoutSettings {
                reservation_ttl_minutes: 15,
                shipping: app::checkout::ssr::CheckoutRules::standard().shipping,
            },
            fulfilment: FulfilmentSettings {
                carrier_url: None,
                carrier_api_key: None,
                sandbox_delivery_secs: 120,
                automatic_dispatch: true,
            },
            payments: PaymentSettings {
                provider_url: None,
                api_key: None,
                webhook_secret: None,
                timeout_ms: 2_000,
                retries: 2,
                breaker_threshold: 5,
                breaker_cool_down_secs: 10,
                sandbox_slow_card_secs: 10,
                capture: app::payments::Capture::Automatic,
                review: app::risk::model::Review::Off,
            },
            rate_limits: crate::security::rate_limit::Limits::standard(),
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
    /// What the server's edge enforces (limits, trusted proxies). Valid settings only.
    pub fn edge_policy(&self) -> crate::security::EdgePolicy {
        crate::security::EdgePolicy {
            rate_limits: self.rate_limits.clone(),
            trusted_proxies: crate::security::client::TrustedProxies::parse(
                &self.http.trusted_proxies,
            )
            .unwrap_or_default(),
        }
    }

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
        let p = &self.payments;
        if p.provider_url.is_some() && (p.api_key.is_none() || p.webhook_secret.is_none()) {
            return bad("payments.provider_url needs payments.api_key and payments.webhook_secret");
        }
        if self.checkout.reservation_ttl_minutes == 0 {
            return bad("checkout.reservation_ttl_minutes must be at least 1");
        }
        if self.checkout.shipping.iter().any(|r| {
            r.base_minor < 0 || r.per_kg_minor < 0 || r.free_over_minor.is_some_and(|f| f < 0)
        }) {
            return bad("checkout.shipping: amounts cannot be negative");
        }
        if self.fulfilment.carrier_url.is_some() && self.fulfilment.carrier_api_key.is_none() {
            return bad("fulfilment.carrier_url needs fulfilment.carrier_api_key");
        }
        if p.timeout_ms == 0 {
            return bad("payments.timeout_ms must be at least 1");
        }
        if self.database.max_connections == 0 {
            return bad("database.max_connections must be at least 1");
        }
        if let Some(url) = &self.http.public_url
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            return bad("http.public_url must start with http:// or https://");
        }
        let a = &self.accounts;
        if a.session_idle_hours == 0 || a.session_absolute_days == 0 {
            return bad("accounts.session_idle_hours and session_absolute_days must be at least 1");
        }
        if a.max_failures_per_account == 0
            || a.max_failures_per_ip == 0
            || a.throttle_window_minutes == 0
        {
            return bad("accounts: sign-in throttling limits and window must be at least 1");
        }
        if self.cart.guest_days == 0 {
            return bad("cart.guest_days must be at least 1");
        }
        if !(1..=9999).contains(&self.cart.max_line_quantity) {
            return bad("cart.max_line_quantity must be between 1 and 9999");
        }
        if self.mail.from.parse::<lettre::message::Mailbox>().is_err() {
            return bad("mail.from must be an address such as `Shop <shop@example.com>`");
        }
        if let Some(url) = &self.mail.smtp_url
            && !(url.starts_with("smtp://") || url.starts_with("smtps://"))
        {
            return bad("mail.smtp_url must start with smtp:// or smtps://");
        }
        if !matches!(self.log.format.as_str(), "pretty" | "json") {
            return bad("log.format must be `pretty` or `json`");
        }
        self.rate_limits.check().map_err(SettingsError::Invalid)?;
        if let Err(e) = crate::security::client::TrustedProxies::parse(&self.http.trusted_proxies) {
            return Err(SettingsError::Invalid(format!("http.trusted_proxies: {e}")));
        }
        if app::money::Currency::parse(&self.catalog.default_currency).is_err() {
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
