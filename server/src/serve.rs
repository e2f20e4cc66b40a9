//! `server serve`: the shop over HTTP until Ctrl-C or SIGTERM, then a graceful stop.

use crate::database::{self, Database};
use crate::http;
use crate::settings::Settings;
use app::catalog::money::Currency;
use app::search::ssr::SearchService;
use app::state::{AppState, Site};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;

/// The search read model in the data directory (not yet open: the indexer opens it).
pub fn search_service(settings: &Settings) -> std::sync::Arc<SearchService> {
    let currency = Currency::parse(&settings.catalog.default_currency)
        .unwrap_or_else(|_| Currency::parse("USD").expect("USD is a currency"));
    SearchService::new(settings.data_dir.join("search"), currency)
}

/// Everything the router needs, from settings and an open database.
pub fn app_state(settings: &Settings, database: &Database, public_url: String) -> AppState {
    let mut leptos_options = http::leptos_options();
    if let Some(addr) = settings.http.addr {
        leptos_options.site_addr = addr;
    }
    AppState {
        leptos_options,
        db: database.db.clone(),
        site: Site {
            name: "Mercato".into(),
            public_url: public_url.trim_end_matches('/').to_owned(),
            page_size: settings.catalog.page_size,
        },
        media_dir: settings.data_dir.join("media"),
        catalog_cache: Default::default(),
        search: search_service(settings),
    }
}

pub async fn run(settings: Settings) -> anyhow::Result<()> {
    let addr = settings
        .http
        .addr
        .unwrap_or(http::leptos_options().site_addr);
    let database = database::open(&settings).await?;
    if let Err(e) = crate::seed::seed_if_new(&settings, &database.db.primary).await {
        database.close().await;
        return Err(e.into());
    }
    let listener = match TcpListener::bind(addr).await {
        Ok(l) => l,
        Err(e) => {
            database.close().await;
            anyhow::bail!(
                "cannot listen on {addr}: {e} (set MERCATO_HTTP__ADDR to another address)"
            );
        }
    };
    let local = listener.local_addr()?;
    let public_url = settings
        .http
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{local}"));
    let state = app_state(&settings, &database, public_url);
    tokio::spawn(app::catalog::ssr::cache::listen(
        database.db.primary.clone(),
        state.catalog_cache.clone(),
    ));
    let (stop_tx, stop_rx) = watch::channel(false);
    let indexer = tokio::spawn(
        state
            .search
            .clone()
            .run_indexer(database.db.primary.clone(), stop_rx.clone()),
    );
    tracing::info!(address = %local, "Mercato is listening on http://{local}");

    tokio::spawn(async move {
        shutdown_signal().await;
        tracing::info!("shutting down: finishing requests in flight");
        let _ = stop_tx.send(true);
    });
    let mut graceful = stop_rx.clone();
    let server = axum::serve(listener, http::router(state)).with_graceful_shutdown(async move {
        let _ = graceful.wait_for(|stop| *stop).await;
    });
    let grace = Duration::from_secs(settings.http.shutdown_grace_secs);
    let mut deadline = stop_rx;
    tokio::select! {
        result = server => result?,
        _ = async {
            let _ = deadline.wait_for(|stop| *stop).await;
            tokio::time::sleep(grace).await;
        } => tracing::warn!("grace period over; closing remaining connections"),
    }
    let _ = tokio::time::timeout(Duration::from_secs(5), indexer).await;
    database.close().await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}
