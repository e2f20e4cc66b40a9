//! `server serve`: the shop over HTTP until Ctrl-C or SIGTERM, then a graceful stop.

use crate::database;
use crate::http;
use crate::settings::Settings;
use crate::state::{build, spawn_cache_listeners};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;

/// The payment provider: the configured one, or the sandbox started here on a free
/// loopback port (fresh credentials each start), sending its webhooks to this shop at
/// `shop_addr`. The sandbox stops with `stop`.
pub async fn payments(
    settings: &Settings,
    pool: &sqlx::PgPool,
    shop_addr: std::net::SocketAddr,
    stop: watch::Receiver<bool>,
) -> anyhow::Result<app::payments::ssr::Payments> {
    Ok(providers(settings, pool, shop_addr, stop).await?.0)
}

/// The payment provider and the carrier: each the configured one, or the sandbox (one
/// service playing both) started here on a free loopback port with fresh credentials.
pub async fn providers(
    settings: &Settings,
    pool: &sqlx::PgPool,
    shop_addr: std::net::SocketAddr,
    stop: watch::Receiver<bool>,
) -> anyhow::Result<(app::payments::ssr::Payments, app::fulfilment::ssr::Carrier)> {
    use app::payments::ssr::{ClientSettings, HttpProvider};
    let p = &settings.payments;
    let f = &settings.fulfilment;
    let random = || hex::encode(rand::random::<[u8; 24]>());
    let sandbox = if p.provider_url.is_none() || f.carrier_url.is_none() {
        let (api_key, secret) = (random(), random());
        let sandbox = crate::sandbox::Sandbox::open(
            pool.clone(),
            crate::sandbox::SandboxSettings {
                api_key: api_key.clone(),
                webhook_url: Some(format!("http://{shop_addr}/webhooks/payments")),
                webhook_secret: secret.clone(),
                slow_card_delay: Duration::from_secs(p.sandbox_slow_card_secs),
                delivery_delay: Duration::from_secs(f.sandbox_delivery_secs),
            },
        )
        .await?;
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}", listener.local_addr()?);
        tracing::info!(%url, "sandbox payment provider and carrier listening");
        tokio::spawn(async move {
            if let Err(error) = sandbox.run(listener, stop).await {
                tracing::error!(%error, "the sandbox payment provider stopped");
            }
        });
        Some((url, api_key, secret))
    } else {
        None
    };
    let no_sandbox = || anyhow::anyhow!("the sandbox was not started");
    let (base_url, api_key, webhook_secret) = match &p.provider_url {
        Some(url) => (
            url.clone(),
            p.api_key.clone().unwrap_or_default(),
            p.webhook_secret.clone().unwrap_or_default(),
        ),
        None => sandbox.clone().ok_or_else(no_sandbox)?,
    };
    let (carrier_url, carrier_key) = match &f.carrier_url {
        Some(url) => (url.clone(), f.carrier_api_key.clone().unwrap_or_default()),
        None => sandbox
            .map(|(url, key, _)| (url, key))
            .ok_or_else(no_sandbox)?,
    };
    let provider = HttpProvider::new(ClientSettings {
        base_url,
        api_key,
        timeout: Duration::from_millis(p.timeout_ms),
        retries: p.retries,
        breaker_threshold: p.breaker_threshold,
        breaker_cool_down: Duration::from_secs(p.breaker_cool_down_secs),
    })
    .map_err(|e| anyhow::anyhow!("payment client: {e}"))?;
    let carrier =
        app::fulfilment::ssr::Carrier::new(&carrier_url, &carrier_key, Duration::from_secs(5))
            .map_err(|e| anyhow::anyhow!("carrier client: {e}"))?;
    Ok((
        app::payments::ssr::Payments {
            provider: std::sync::Arc::new(provider),
            webhook_secret: webhook_secret.into(),
        },
        carrier,
    ))
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
    if let Err(e) = crate::seed::queue_history_if_new(&settings, &database.db.primary).await {
        tracing::warn!(error = %e, "could not queue the order history's import");
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
    let (stop_tx, stop_rx) = watch::channel(false);
    let (payments, carrier) =
        match providers(&settings, &database.db.primary, local, stop_rx.clone()).await {
            Ok(p) => p,
            Err(e) => {
                database.close().await;
                return Err(e);
            }
        };
    let state = build(&settings, &database, &public_url, payments);
    spawn_cache_listeners(&state);
    let indexer = tokio::spawn(
        state
            .search
            .clone()
            .run_indexer(database.db.primary.clone(), stop_rx.clone()),
    );
    tokio::spawn(purge_sessions(state.accounts.clone(), stop_rx.clone()));
    tokio::spawn(release_expired_reservations(
        database.db.primary.clone(),
        stop_rx.clone(),
    ));
    tokio::spawn(settle_orders(state.checkout.clone(), stop_rx.clone()));
    tokio::spawn(crate::jobs::work(
        database.db.primary.clone(),
        crate::import::images::ImageStore::new(&settings.data_dir.join("media")),
        app::money::Currency::parse(&settings.catalog.default_currency)
            .unwrap_or(app::money::Currency::USD),
        stop_rx.clone(),
    ));
    crate::media_worker::spawn(
        crate::import::images::ImageStore::new(&settings.data_dir.join("media")),
        stop_rx.clone(),
    );
    let fulfilment = app::fulfilment::ssr::Fulfilment {
        automatic_dispatch: settings.fulfilment.automatic_dispatch,
        ..state.fulfilment(carrier)
    };
    tokio::spawn(fulfil_orders(fulfilment, stop_rx.clone()));
    tokio::spawn(recommend(
        state.db.primary.clone(),
        Duration::from_secs(settings.catalog.reco_refit_secs),
        stop_rx.clone(),
    ));
    tokio::spawn(flash_sales(
        state.db.primary.clone(),
        Duration::from_millis(settings.cart.flash_tick_ms.max(20)),
        stop_rx.clone(),
    ));
    tokio::spawn(search_signals(
        state.search.clone(),
        state.db.primary.clone(),
        Duration::from_secs(settings.catalog.search_signals_secs.max(1)),
        stop_rx.clone(),
    ));
    match &settings.mail.smtp_url {
        Some(url) => {
            let smtp = crate::mail::Smtp::new(url, &settings.mail.from)?;
            tokio::spawn(deliver_mail(
                database.db.primary.clone(),
                smtp,
                stop_rx.clone(),
            ));
        }
        None => {
            let maildir = app::mail::Maildir {
                dir: settings.data_dir.join("mail"),
                from: settings.mail.from.clone(),
            };
            tokio::spawn(deliver_mail(
                database.db.primary.clone(),
                maildir,
                stop_rx.clone(),
            ));
        }
    }
    tracing::info!(address = %local, "Mercato is listening on http://{local}");

    tokio::spawn(async move {
        shutdown_signal().await;
        tracing::info!("shutting down: finishing requests in flight");
        let _ = stop_tx.send(true);
    });
    let mut graceful = stop_rx.clone();
    let app = http::router(state, &settings.edge_policy())
        .into_make_service_with_connect_info::<std::net::SocketAddr>();
    let server = axum::serve(listener, app).with_graceful_shutdown(async move {
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

/// Every ten minutes: removes expired sessions (and so abandoned guest carts), old
/// sign-in failures, and accounts whose sign-up was never confirmed.
async fn purge_sessions(accounts: app::account::ssr::Accounts, mut stop: watch::Receiver<bool>) {
    use tracing::Instrument;
    let pool = &accounts.sessions.pool;
    loop {
        async {
            match app::session::purge_expired(pool, &accounts.sessions.rules).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(sessions = n, "removed expired sessions"),
                Err(error) => tracing::warn!(%error, "could not remove expired sessions"),
            }
            if let Err(error) = app::account::ssr::purge_failures(pool, &accounts.rules).await {
                tracing::warn!(%error, "could not remove old sign-in failures");
            }
            match app::account::ssr::sign_up::purge_unconfirmed(pool).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(accounts = n, "removed accounts never confirmed"),
                Err(error) => tracing::warn!(%error, "could not remove unconfirmed accounts"),
            }
        }
        .instrument(tracing::info_span!("worker", worker = "purge"))
        .await;
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(600)) => {}
            _ = stop.wait_for(|s| *s) => return,
        }
    }
}

/// Returns the stock of checkouts that went quiet: holds past their time are released
/// every few seconds, a batch at a time until none are left.
async fn release_expired_reservations(pool: sqlx::PgPool, mut stop: watch::Receiver<bool>) {
    const BATCH: i64 = 500;
    loop {
        match app::inventory::ssr::release_expired(&pool, BATCH).await {
            Ok(n) if n as i64 == BATCH => continue,
            Ok(0) => {}
            Ok(n) => tracing::info!(reservations = n, "released expired reservations"),
            Err(error) => tracing::warn!(%error, "could not release expired reservations"),
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(5)) => {}
            _ = stop.wait_for(|s| *s) => return,
        }
    }
}

/// Finishes orders a crash or a provider outage left unpaid or half paid, every 10 s.
async fn settle_orders(checkout: app::checkout::ssr::Checkout, mut stop: watch::Receiver<bool>) {
    loop {
        match app::checkout::ssr::settle(&checkout).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(orders = n, "settled unfinished orders"),
            Err(error) => tracing::warn!(%error, "could not settle orders"),
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(10)) => {}
            _ = stop.wait_for(|s| *s) => return,
        }
    }
}

/// Fulfilment every second: parcels for confirmed orders, labels, deliveries.
async fn fulfil_orders(
    fulfilment: app::fulfilment::ssr::Fulfilment,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        match app::fulfilment::ssr::run_once(&fulfilment).await {
            Ok(round) if round == Default::default() => {}
            Ok(round) => tracing::info!(?round, "fulfilment"),
            Err(error) => tracing::warn!(%error, "fulfilment round failed"),
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            _ = stop.wait_for(|s| *s) => return,
        }
    }
}

/// Recommendations every second: confirmed orders folded into the counts, the
/// neighbours refitted when due.
async fn recommend(pool: sqlx::PgPool, refit_after: Duration, mut stop: watch::Receiver<bool>) {
    loop {
        match app::reco::ssr::run_once(&pool, refit_after).await {
            Ok(round) if round.folded == 0 && !round.fitted && !round.rebuilt => {}
            Ok(round) => tracing::info!(?round, "recommendations"),
            Err(error) => tracing::warn!(%error, "recommendation round failed"),
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            _ = stop.wait_for(|s| *s) => return,
        }
    }
}

/// Flash sales: started, placed, let in, promoted and ended, every `every` (each sale
/// by one instance at a time: the others skip it for that tick).
async fn flash_sales(pool: sqlx::PgPool, every: Duration, mut stop: watch::Receiver<bool>) {
    loop {
        match app::flash_sale::ssr::ticker::tick(&pool).await {
            Ok(round) if round.quiet() => {}
            Ok(round) => tracing::info!(?round, "flash sales"),
            Err(error) => tracing::warn!(%error, "flash sale tick failed"),
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.wait_for(|s| *s) => return,
        }
    }
}

/// Shoppers' actions after searches: aggregated (by one instance at a time) and
/// reloaded into this instance's search, at start and then every `every`.
async fn search_signals(
    search: std::sync::Arc<app::search::ssr::SearchService>,
    pool: sqlx::PgPool,
    every: Duration,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        match app::search::ssr::signals::aggregate(&pool).await {
            Ok(Some(n)) if n > 0 => tracing::info!(signals = n, "search signals aggregated"),
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "search signals were not aggregated"),
        }
        if let Err(error) = search.load_behaviour(&pool).await {
            tracing::warn!(%error, "search signals were not reloaded");
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.wait_for(|s| *s) => return,
        }
    }
}

/// Delivers queued e-mail (to the maildir or by SMTP), every second.
async fn deliver_mail<T: app::mail::Transport + Send + 'static>(
    pool: sqlx::PgPool,
    transport: T,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        match app::mail::deliver_pending(&pool, &transport).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(emails = n, "delivered e-mail"),
            Err(error) => tracing::warn!(%error, "could not deliver e-mail"),
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            _ = stop.wait_for(|s| *s) => return,
        }
    }
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
