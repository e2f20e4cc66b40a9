//! Checkout benchmark, on one embedded PostgreSQL with durable settings (fsync and
//! synchronous commit on), every figure beside a plain single-row `UPDATE` loop measured
//! in the same run with the same clients (absolute rates do not travel between machines;
//! ratios do):
//! - orders end to end: the real `server` binary (`serve`, with its workers: indexer,
//!   fulfilment, settling, mail, expiry) against that PostgreSQL, the sandbox provider
//!   over HTTP, shoppers placing one order each through `POST /api/checkout/place`;
//! - reservations on one hot SKU through the inventory service;
//! - a sell-out: far more demand than stock, and a count of oversold units (must be zero).

use anyhow::{Context, bail};
use app::inventory::model::{InventoryError, WantedLine};
use app::inventory::ssr as inventory;
use clap::Parser;
use load_driver::{Count, drive, row};
use server::database;
use server::settings::Settings;
use sqlx::PgPool;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser, Debug)]
#[command(about = "Hot-SKU reservations against a plain single-row UPDATE loop")]
struct Args {
    /// Concurrent clients, each with its own connection.
    #[arg(long, default_value_t = 64)]
    clients: u32,
    /// Seconds per measurement.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Units of the hot SKU in the sell-out.
    #[arg(long, default_value_t = 2000)]
    sell_out_units: i32,
    /// Distinct SKUs the orders are spread over.
    #[arg(long, default_value_t = 500)]
    skus: usize,
    /// Carts prepared for the orders run (each places one order).
    #[arg(long, default_value_t = 12_000)]
    carts: usize,
    /// Only the orders run (skips the hot-SKU comparison and the sell-out).
    #[arg(long)]
    orders_only: bool,
    /// The shop's binary, run as `serve` for the orders.
    #[arg(long, default_value = "target/release/server")]
    server: std::path::PathBuf,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let dir = std::env::temp_dir().join(format!("mercato-checkout-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let result = run(&args, &dir).await;
    let _ = std::fs::remove_dir_all(&dir);
    result
}

async fn hot_variant(pool: &PgPool) -> anyhow::Result<(i64, i64)> {
    let product: i64 = sqlx::query_scalar(
        "INSERT INTO products (slug, title, status) VALUES ('hot-item', 'Hot item', 'active') RETURNING id",
    )
    .fetch_one(pool)
    .await?;
    let variant: i64 = sqlx::query_scalar(
        "INSERT INTO variants (product_id, sku, price_minor, currency) VALUES ($1, 'HOT-1', 1999, 'USD') RETURNING id",
    )
    .bind(product)
    .fetch_one(pool)
    .await?;
    let mut conn = pool.acquire().await?;
    let main = inventory::warehouse_id(&mut conn, inventory::MAIN_WAREHOUSE).await?;
    Ok((variant, main))
}

async fn run(args: &Args, dir: &std::path::Path) -> anyhow::Result<()> {
    let mut settings = Settings::load()?;
    settings.data_dir = dir.to_owned();
    settings.catalog.seed_demo = false;
    settings.database.max_connections = args.clients;
    let database = database::open(&settings).await?;
    let pool = database.db.primary.clone();
    sqlx::query("CREATE TABLE bench_counter (id INT PRIMARY KEY, n BIGINT NOT NULL)")
        .execute(&pool)
        .await?;
    sqlx::query("INSERT INTO bench_counter VALUES (1, 0)")
        .execute(&pool)
        .await?;
    // Every client's connection open before the clock starts.
    let warm: Vec<_> = warm_up(args.clients, &pool).await?;
    drop(warm);
    println!(
        "machine: {} cores; {} clients, one connection each; {} s per run; durable commits",
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        args.clients,
        args.seconds
    );
    let p = pool.clone();
    let baseline = drive(args.clients, args.seconds, Count::All, move |_| {
        let p = p.clone();
        async move {
            sqlx::query("UPDATE bench_counter SET n = n + 1 WHERE id = 1")
                .execute(&p)
                .await?;
            Ok(())
        }
    })
    .await?;
    row("plain UPDATE of one row (baseline)", baseline);

    orders(args, &database, baseline.per_second).await?;
    if args.orders_only {
        database.close().await;
        return Ok(());
    }

    println!("\nHot-SKU reservations against the same plain single-row UPDATE loop");
    let (variant, main) = hot_variant(&pool).await.context("the hot SKU")?;
    {
        let mut conn = pool.acquire().await?;
        inventory::set_on_hand(&mut conn, variant, main, 100_000_000, "bench").await?;
    }
    let service = inventory::Reservations::new(pool.clone());
    let r = service.clone();
    let reservations = drive(args.clients, args.seconds, Count::All, move |n| {
        let r = r.clone();
        async move {
            let line = [WantedLine {
                variant_id: variant,
                quantity: 1,
            }];
            r.reserve(&format!("bench-{n}"), &line, None, Duration::from_secs(900))
                .await?;
            Ok(())
        }
    })
    .await?;

    row("reservations of one hot SKU", reservations);
    println!(
        "ratio: reservations / plain UPDATE = {:.2}x (target: at least 1.0x)",
        reservations.per_second / baseline.per_second
    );

    // The sell-out: clients keep asking until the stock is gone.
    sqlx::query("UPDATE reservations SET status = 'released' WHERE variant_id = $1")
        .bind(variant)
        .execute(&pool)
        .await?;
    sqlx::query("UPDATE stock_levels SET reserved = 0, on_hand = $2 WHERE variant_id = $1")
        .bind(variant)
        .bind(args.sell_out_units)
        .execute(&pool)
        .await?;
    let refused = Arc::new(AtomicU64::new(0));
    let r = refused.clone();
    let sell_out = drive(args.clients, 3, Count::All, move |n| {
        let (service, r) = (service.clone(), r.clone());
        async move {
            let line = [WantedLine {
                variant_id: variant,
                quantity: 1 + (n % 3) as i32,
            }];
            match service
                .reserve(
                    &format!("sellout-{n}"),
                    &line,
                    None,
                    Duration::from_secs(900),
                )
                .await
            {
                Ok(_) => Ok(()),
                Err(InventoryError::Short { .. }) => {
                    r.fetch_add(1, Ordering::Relaxed);
                    Ok(())
                }
                Err(e) => Err(e.into()),
            }
        }
    })
    .await?;
    let (held, on_hand, reserved): (i64, i32, i32) = sqlx::query_as(
        "SELECT (SELECT coalesce(sum(quantity), 0) FROM reservations
                  WHERE variant_id = $1 AND status = 'active' AND holder LIKE 'sellout-%'),
                on_hand, reserved
           FROM stock_levels WHERE variant_id = $1",
    )
    .bind(variant)
    .fetch_one(&pool)
    .await?;
    let oversold = (held - i64::from(on_hand)).max(0);
    println!(
        "\nsell-out: {} units, {:.0} requests/s for 3 s, {} refused as sold out; held {held}, reserved {reserved}, oversold units: {oversold}",
        args.sell_out_units,
        sell_out.per_second,
        refused.load(Ordering::Relaxed)
    );
    if oversold != 0 || i64::from(reserved) != held || held > i64::from(args.sell_out_units) {
        bail!("the sell-out went past the stock");
    }
    database.close().await;
    Ok(())
}

/// The shop's `server` binary serving `database_url` on a free loopback port until
/// dropped (it is killed with its process group's signal on drop).
struct Shop {
    child: tokio::process::Child,
    base: String,
}

impl Shop {
    async fn start(
        binary: &std::path::Path,
        database_url: &str,
        dir: &std::path::Path,
    ) -> anyhow::Result<Self> {
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0")?;
            l.local_addr()?.port()
        };
        let data = dir.join("shop");
        std::fs::create_dir_all(&data)?;
        let log = std::fs::File::create(dir.join("server.log"))?;
        let child = tokio::process::Command::new(binary)
            .arg("serve")
            .env("DATABASE_URL", database_url)
            .env("MERCATO_DATA_DIR", &data)
            .env("MERCATO_HTTP__ADDR", format!("127.0.0.1:{port}"))
            .env("MERCATO_CATALOG__SEED_DEMO", "false")
            // The load comes from one address on purpose.
            .env("MERCATO_RATE_LIMITS__ENABLED", "false")
            .env("RUST_LOG", "warn")
            .stdout(std::process::Stdio::null())
            .stderr(log)
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("start {}", binary.display()))?;
        let shop = Shop {
            child,
            base: format!("http://127.0.0.1:{port}"),
        };
        let http = reqwest::Client::new();
        for _ in 0..600 {
            if let Ok(r) = http.get(format!("{}/readyz", shop.base)).send().await
                && r.status().is_success()
            {
                return Ok(shop);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        bail!(
            "the shop did not become ready; see {}",
            dir.join("server.log").display()
        )
    }
}

impl Drop for Shop {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

/// Orders end to end: the real shop (`server serve`, its workers running) over loopback
/// HTTP, the sandbox provider over HTTP, one guest cart per order (one unit of one of
/// `skus` SKUs), and `clients` shoppers placing them through `POST /api/checkout/place`.
/// Printed beside the same run's plain UPDATE rate (`baseline`).
async fn orders(args: &Args, database: &database::Database, baseline: f64) -> anyhow::Result<()> {
    let url = database
        .embedded
        .as_ref()
        .map(|pg| pg.url.clone())
        .context("the embedded PostgreSQL")?;
    let pool = database.db.primary.clone();
    // The catalog: distinct SKUs with plenty of stock in the main warehouse.
    sqlx::query(
        "INSERT INTO products (slug, title, status)
         SELECT 'bench-' || i, 'Bench product ' || i, 'active' FROM generate_series(1, $1) i",
    )
    .bind(args.skus as i32)
    .execute(&pool)
    .await?;
    sqlx::query(
        "INSERT INTO variants (product_id, sku, price_minor, currency)
         SELECT id, upper(slug), 1000 + id % 5000, 'USD' FROM products WHERE slug LIKE 'bench-%'",
    )
    .execute(&pool)
    .await?;
    let variants: Vec<i64> = sqlx::query_scalar("SELECT id FROM variants WHERE sku LIKE 'BENCH-%'")
        .fetch_all(&pool)
        .await?;
    {
        let mut conn = pool.acquire().await?;
        let main = inventory::warehouse_id(&mut conn, inventory::MAIN_WAREHOUSE).await?;
        for v in &variants {
            inventory::set_on_hand(&mut conn, *v, main, 1_000_000, "bench").await?;
        }
    }
    let dir = database
        .embedded
        .as_ref()
        .map(|_| {
            std::env::temp_dir().join(format!(
                "mercato-checkout-bench-shop-{}",
                std::process::id()
            ))
        })
        .context("a directory for the shop")?;
    std::fs::create_dir_all(&dir)?;
    let shop = Shop::start(&args.server, &url, &dir).await?;
    let base = shop.base.clone();
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(args.clients as usize)
        .build()?;

    // One cart per order, made over HTTP like a shopper's (concurrently).
    let made = Arc::new(std::sync::Mutex::new(Vec::with_capacity(args.carts)));
    let next = Arc::new(AtomicU64::new(0));
    let tasks: Vec<_> = (0..args.clients)
        .map(|_| {
            let (http, base, made, next) = (http.clone(), base.clone(), made.clone(), next.clone());
            let (carts, skus) = (args.carts as u64, args.skus as u64);
            tokio::spawn(async move {
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if n >= carts {
                        return Ok::<_, anyhow::Error>(());
                    }
                    let sku = format!("BENCH-{}", n % skus + 1);
                    let r = http
                        .post(format!("{base}/api/cart/add"))
                        .header("accept", "application/json")
                        .form(&[("sku", sku.as_str()), ("quantity", "1")])
                        .send()
                        .await?;
                    let cookie = r
                        .headers()
                        .get("set-cookie")
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.split(';').next())
                        .map(str::to_owned)
                        .context("no session cookie")?;
                    if !r.status().is_success() {
                        bail!("add to cart answered {}", r.status());
                    }
                    made.lock()
                        .map_err(|_| anyhow::anyhow!("poisoned"))?
                        .push(cookie);
                }
            })
        })
        .collect();
    for t in tasks {
        t.await??;
    }
    let cookies: Arc<Vec<String>> = Arc::new(std::mem::take(
        &mut *made.lock().map_err(|_| anyhow::anyhow!("poisoned"))?,
    ));

    // The planner's statistics for the tables set up above, as autovacuum would have
    // analysed them within a minute in a running shop. (Not the still empty order
    // tables: statistics saying "empty" would plan scans of them.)
    sqlx::query("ANALYZE products, variants, stock_levels, carts, cart_lines")
        .execute(&pool)
        .await?;

    let next = Arc::new(AtomicU64::new(0));
    let refused = Arc::new(AtomicU64::new(0));
    let (h, b, c, r) = (http.clone(), base.clone(), cookies.clone(), refused.clone());
    let placed = drive(args.clients, args.seconds, Count::All, move |_| {
        let (http, base, cookies, next, refused) =
            (h.clone(), b.clone(), c.clone(), next.clone(), r.clone());
        async move {
            let n = next.fetch_add(1, Ordering::Relaxed) as usize;
            let Some(cookie) = cookies.get(n) else {
                tokio::time::sleep(Duration::from_millis(5)).await;
                bail!("out of prepared carts");
            };
            let key = format!("bench-{}", hex::encode(rand::random::<[u8; 12]>()));
            let r = http
                .post(format!("{base}/api/checkout/place"))
                .header("accept", "application/json")
                .header("sec-fetch-site", "same-origin")
                .header("cookie", cookie)
                .form(&[
                    ("idempotency_key", key.as_str()),
                    ("email", "bench@example.com"),
                    ("full_name", "Bench Shopper"),
                    ("line1", "1 Loopback Road"),
                    ("city", "Localhost"),
                    ("postal_code", "127 001"),
                    ("country", "GB"),
                    ("card_number", app::payments::wire::test_cards::SUCCESS),
                ])
                .send()
                .await?;
            let ok = r.status().is_success();
            let body: serde_json::Value = r.json().await?;
            if !ok || body["status"] != "confirmed" {
                refused.fetch_add(1, Ordering::Relaxed);
                bail!("not confirmed: {body}");
            }
            Ok(())
        }
    })
    .await?;

    let (confirmed, captured): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM orders
                  WHERE status NOT IN ('pending', 'payment_processing', 'cancelled')),
                (SELECT count(*) FROM payments_sandbox.intents WHERE status = 'captured')",
    )
    .fetch_one(&pool)
    .await?;
    drop(shop);
    let _ = std::fs::remove_dir_all(&dir);
    println!(
        "\nOrders end to end: the real `server serve` with its workers, HTTP on loopback (add-to-cart"
    );
    println!(
        "beforehand, then POST /api/checkout/place), the sandbox provider over HTTP, {} distinct SKUs",
        args.skus
    );
    row("orders placed", placed);
    println!("confirmed orders {confirmed}, captured payments {captured} (must be equal)");
    println!(
        "ratio: orders / plain UPDATE = {:.2}x   (targets: at least 0.5x, p99 under 250 ms)",
        placed.per_second / baseline
    );
    if confirmed != captured {
        bail!("orders and charges disagree");
    }
    Ok(())
}

/// Opens `n` connections at once (then returns them to the pool).
async fn warm_up(
    n: u32,
    pool: &PgPool,
) -> anyhow::Result<Vec<sqlx::pool::PoolConnection<sqlx::Postgres>>> {
    let mut conns = Vec::new();
    for _ in 0..n {
        conns.push(pool.acquire().await?);
    }
    Ok(conns)
}
