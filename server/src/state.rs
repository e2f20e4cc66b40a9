//! The application's state, built in one place from the settings and an open database:
//! `serve`, the integration tests and the benches all build it here, so what they run is
//! what production runs (its pools, caches, rules and clients).

use crate::database::Database;
use crate::http;
use crate::settings::Settings;
use app::account::ssr::{AccountRules, Accounts};
use app::cart::ssr::{CartRules, Carts};
use app::catalog::ssr::Catalog;
use app::checkout::ssr::{Checkout, CheckoutRules};
use app::money::Currency;
use app::payments::ssr::Payments;
use app::search::ssr::SearchService;
use app::session::{SessionRules, Sessions};
use app::site::Site;
use app::state::AppState;
use std::sync::Arc;
use std::time::Duration;

/// The search read model in the data directory (not yet open: the indexer opens it).
pub fn search_service(settings: &Settings) -> Arc<SearchService> {
    let currency = Currency::parse(&settings.catalog.default_currency).unwrap_or(Currency::USD);
    SearchService::new(settings.data_dir.join("search"), currency)
}

fn hours(h: u32) -> Duration {
    Duration::from_secs(u64::from(h) * 3600)
}

fn session_rules(settings: &Settings, public_url: &str) -> SessionRules {
    let a = &settings.accounts;
    SessionRules {
        idle: hours(a.session_idle_hours),
        absolute: hours(a.session_absolute_days * 24),
        guest: hours(settings.cart.guest_days * 24),
        secure_cookies: public_url.starts_with("https://"),
    }
}

fn account_rules(settings: &Settings) -> AccountRules {
    let a = &settings.accounts;
    AccountRules {
        max_failures_per_account: a.max_failures_per_account.into(),
        max_failures_per_ip: a.max_failures_per_ip.into(),
        throttle_window: Duration::from_secs(u64::from(a.throttle_window_minutes) * 60),
    }
}

fn checkout_rules(settings: &Settings) -> CheckoutRules {
    let mut rules = CheckoutRules::standard();
    rules.reservation_ttl =
        Duration::from_secs(u64::from(settings.checkout.reservation_ttl_minutes) * 60);
    rules.shipping = settings.checkout.shipping.clone();
    rules.capture = settings.payments.capture;
    rules.review = settings.payments.review;
    rules
}

/// Everything the router, the pages and the workers need, from valid settings, an open
/// database, the shop's public address and its payment provider.
pub fn build(
    settings: &Settings,
    database: &Database,
    public_url: &str,
    payments: Payments,
) -> AppState {
    let mut leptos_options = http::leptos_options();
    if let Some(addr) = settings.http.addr {
        leptos_options.site_addr = addr;
    }
    crate::assets::use_versioned_names(&mut leptos_options);
    let db = database.db.clone();
    let site = Site {
        name: "Mercato".into(),
        public_url: public_url.trim_end_matches('/').to_owned(),
        page_size: settings.catalog.page_size,
    };
    let sessions = Sessions {
        pool: db.primary.clone(),
        cache: Default::default(),
        rules: session_rules(settings, public_url),
    };
    let cart_rules = CartRules {
        max_line_quantity: settings.cart.max_line_quantity as i32,
    };
    let catalog = Catalog {
        pool: db.replica.clone(),
        cache: Default::default(),
        site: site.clone(),
    };
    let flash_sales = app::flash_sale::ssr::FlashSales::new(
        db.primary.clone(),
        sessions.clone(),
        site.clone(),
        catalog.cache.clone(),
    );
    AppState {
        leptos_options,
        reco: app::reco::ssr::Recommender::new(db.primary.clone(), catalog.cache.clone())
            .with_views_on(db.carts.clone()),
        catalog,
        search: search_service(settings),
        accounts: Accounts {
            sessions: sessions.clone(),
            rules: account_rules(settings),
            site: site.clone(),
            carts: cart_rules,
        },
        carts: Carts {
            pool: db.carts.clone(),
            sessions: sessions.clone(),
            rules: cart_rules,
        },
        checkout: Checkout {
            pool: db.primary.clone(),
            rules: checkout_rules(settings),
            reservations: app::inventory::ssr::Reservations::new(db.primary.clone()),
            provider: payments.provider.clone(),
        },
        flash_sales,
        sessions,
        payments,
        media_dir: settings.data_dir.join("media"),
        site,
        db,
    }
}

/// Keeps the catalog and session caches exact (each bypassed until its listener is live).
pub fn spawn_cache_listeners(state: &AppState) {
    tokio::spawn(app::catalog::ssr::cache::listen(
        state.db.primary.clone(),
        state.catalog.cache.clone(),
    ));
    tokio::spawn(app::notify::listen(
        state.db.primary.clone(),
        state.sessions.cache.clone(),
    ));
}
