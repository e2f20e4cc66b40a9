//! What the server hands to pages and server functions through context.

use crate::catalog::ssr::cache::CatalogCache;
use crate::search::ssr::SearchService;
use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use sqlx::PgPool;
use std::path::PathBuf;
use std::sync::Arc;

/// Connection pools: writes go to the primary; catalog reads may go to a replica.
#[derive(Clone, Debug)]
pub struct Db {
    pub primary: PgPool,
    pub replica: PgPool,
    /// The primary, for cart lines only: its commits do not wait for the disk
    /// (`synchronous_commit = off`). A database crash may lose the last fraction of a
    /// second of cart changes, never anything else: every order, payment or account
    /// commit waits for the disk, and flushes every cart change before it.
    pub carts: PgPool,
}

impl Db {
    /// One pool for everything (no read replica; cart commits as durable as the rest).
    pub fn single(pool: PgPool) -> Self {
        Db {
            primary: pool.clone(),
            replica: pool.clone(),
            carts: pool,
        }
    }
}

/// Facts about the site that pages need.
#[derive(Clone, Debug)]
pub struct Site {
    pub name: String,
    /// Absolute base URL without a trailing slash, for canonical links and the sitemap.
    pub public_url: String,
    pub page_size: i64,
}

impl Site {
    pub fn absolute(&self, path: &str) -> String {
        format!("{}{}", self.public_url, path)
    }
}

/// Session, throttling and cart rules (from settings).
#[derive(Clone, Debug)]
pub struct AccountRules {
    pub session_idle: std::time::Duration,
    pub session_absolute: std::time::Duration,
    pub max_failures_per_account: i64,
    pub max_failures_per_ip: i64,
    pub throttle_window: std::time::Duration,
    pub guest_cart: std::time::Duration,
    pub max_line_quantity: i32,
    /// Cookies get `Secure` when the shop is served over HTTPS.
    pub secure_cookies: bool,
}

impl AccountRules {
    /// The defaults the settings start from (for tests and tools).
    pub fn standard(secure_cookies: bool) -> Self {
        const HOUR: u64 = 3600;
        AccountRules {
            session_idle: std::time::Duration::from_secs(72 * HOUR),
            session_absolute: std::time::Duration::from_secs(30 * 24 * HOUR),
            max_failures_per_account: 5,
            max_failures_per_ip: 50,
            throttle_window: std::time::Duration::from_secs(15 * 60),
            guest_cart: std::time::Duration::from_secs(30 * 24 * HOUR),
            max_line_quantity: 20,
            secure_cookies,
        }
    }
}

/// The axum router state. Leptos provides it as context to pages and server functions.
#[derive(Clone, Debug, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub site: Site,
    pub media_dir: PathBuf,
    /// Product pages and navigation, kept exact by database notifications.
    pub catalog_cache: Arc<CatalogCache>,
    /// The search read model (an embedded tantivy index fed by the outbox).
    pub search: Arc<SearchService>,
    pub accounts: AccountRules,
    /// Who session tokens belong to, kept exact by database notifications.
    pub sessions: Arc<crate::account::ssr::cache::SessionCache>,
    pub payments: Payments,
    pub checkout: crate::checkout::ssr::CheckoutRules,
    /// Stock holds, batched per SKU (see `inventory::ssr::Reservations`).
    pub reservations: crate::inventory::ssr::Reservations,
}

/// The payment provider and the secret its webhooks are signed with.
#[derive(Clone, Debug)]
pub struct Payments {
    pub provider: Arc<dyn crate::payments::ssr::PaymentProvider>,
    pub webhook_secret: Arc<str>,
}

/// The client's address as the server's edge found it: the TCP peer, or the address a
/// trusted proxy forwarded (server/src/security/client.rs). In the request's extensions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientAddr(pub std::net::IpAddr);

impl ClientAddr {
    /// What limits count against: an IPv4 address, or an IPv6 client's /64 (a subscriber
    /// is given a whole /64, so one address of it is no one person).
    pub fn bucket(&self) -> String {
        match self.0 {
            std::net::IpAddr::V4(v4) => v4.to_string(),
            std::net::IpAddr::V6(v6) => {
                let s = v6.segments();
                let net = std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0);
                format!("{net}/64")
            }
        }
    }
}

/// The state from context, or a logged error (never a panic) if the server forgot it.
pub fn app_state() -> Option<AppState> {
    let state = leptos::prelude::use_context::<AppState>();
    if state.is_none() {
        tracing::error!("AppState is missing from the Leptos context");
    }
    state
}
