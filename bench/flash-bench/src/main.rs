//! Flash sale benchmark and load test, on one embedded PostgreSQL with durable commits:
//! 1. the sale's hot write (a held unit sold, as an order's confirmation does) from many
//!    clients at once, with the allocation in one bucket (one stock row) and in eight,
//!    beside a plain single-row `UPDATE` loop in the same run;
//! 2. a load test: three `server serve` instances (their workers running) on that
//!    PostgreSQL behind haproxy (round robin, loopback only), and N simulated buyers for M
//!    units: arrivals before and after the start, polling at the pace the server asks,
//!    think time, abandoned holds, double submits, the waitlist. Everything it reports is
//!    read back from the database: oversold, duplicate orders, customers over their
//!    limit, fairness (rank correlation of place and admission), and how fast it went.
//!
//! Bounded: the sale lasts `--sale-secs`, every buyer stops at its end, requests time
//! out after 30 s, and the servers and haproxy are stopped at the end.

mod buyers;
mod shops;

use anyhow::{Context, bail};
use clap::Parser;
use load_driver::{Count, drive, row};
use server::database;
use server::settings::Settings;
use sqlx::PgPool;
use std::sync::Arc;
use std::time::Duration;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser, Debug, Clone)]
#[command(about = "Flash sale: buckets against one stock row, and a three-instance load test")]
pub struct Args {
    /// Simulated buyers in the load test.
    #[arg(long, default_value_t = 20_000)]
    buyers: usize,
    /// Units in the sale.
    #[arg(long, default_value_t = 500)]
    units: i32,
    /// Units one customer may buy.
    #[arg(long, default_value_t = 2)]
    limit: i32,
    /// Shoppers let in per minute (0: automatic).
    #[arg(long, default_value_t = 1200)]
    per_minute: i32,
    /// How long the sale lasts, in seconds (holds last 30 s, the least a sale allows).
    #[arg(long, default_value_t = 75)]
    sale_secs: i64,
    /// Seconds before the start when the first buyers arrive.
    #[arg(long, default_value_t = 10)]
    early_secs: u64,
    /// Requests in flight at once from the simulated buyers.
    #[arg(long, default_value_t = 400)]
    in_flight: usize,
    /// Concurrent clients in the bucket comparison.
    #[arg(long, default_value_t = 32)]
    clients: u32,
    /// Seconds per measurement in the bucket comparison.
    #[arg(long, default_value_t = 5)]
    seconds: u64,
    /// Only the bucket comparison.
    #[arg(long)]
    buckets_only: bool,
    /// Only the load test.
    #[arg(long)]
    load_only: bool,
    /// The shop's binary, run as `serve` three times.
    #[arg(long, default_value = "target/release/server")]
    server: std::path::PathBuf,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let dir = std::env::temp_dir().join(format!("mercato-flash-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let result = run(&args, &dir).await;
    let _ = std::fs::remove_dir_all(&dir);
    result
}

async fn run(args: &Args, dir: &std::path::Path) -> anyhow::Result<()> {
    let mut settings = Settings::load()?;
    settings.data_dir = dir.to_owned();
    settings.catalog.seed_demo = false;
    settings.database.max_connections = args.clients.max(16);
    let database = database::open(&settings).await?;
    let pool = database.db.primary.clone();
    let url = database
        .embedded
        .as_ref()
        .map(|pg| pg.url.clone())
        .context("the embedded PostgreSQL")?;
    println!(
        "machine: {} cores; durable commits; one embedded PostgreSQL",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    let users = buyers::accounts(&pool, args.buyers.max(20_000)).await?;
    if !args.load_only {
        buckets(args, &pool, &users).await?;
    }
    if !args.buckets_only {
        buyers::load_test(args, &pool, &url, dir, &users).await?;
    }
    database.close().await;
    Ok(())
}

/// A product with one variant and `units` in the main warehouse.
pub async fn product(pool: &PgPool, slug: &str, sku: &str, units: i32) -> anyhow::Result<i64> {
    let product: i64 = sqlx::query_scalar(
        "INSERT INTO products (slug, title, status) VALUES ($1, $1, 'active') RETURNING id",
    )
    .bind(slug)
    .fetch_one(pool)
    .await?;
    let variant: i64 = sqlx::query_scalar(
        "INSERT INTO variants (product_id, sku, price_minor, currency) VALUES ($1, $2, 19999, 'USD') RETURNING id",
    )
    .bind(product)
    .bind(sku)
    .fetch_one(pool)
    .await?;
    let mut conn = pool.acquire().await?;
    let main =
        app::inventory::ssr::warehouse_id(&mut conn, app::inventory::ssr::MAIN_WAREHOUSE).await?;
    app::inventory::ssr::set_on_hand(&mut conn, variant, main, units, "bench").await?;
    Ok(variant)
}

/// A sale of `sku` starting now (or in `start_in`), through the shop's own scheduling.
#[allow(clippy::too_many_arguments)]
pub async fn schedule(
    pool: &PgPool,
    sku: &str,
    units: i32,
    limit: i32,
    per_minute: i32,
    start_in: Duration,
    length: Duration,
    hold_secs: i32,
    buckets: i32,
) -> anyhow::Result<i64> {
    let starts = chrono::Utc::now() + chrono::Duration::from_std(start_in)?;
    let form = app::flash_sale::ssr::schedule::SaleForm {
        sku: sku.into(),
        sale_price: "99.00".into(),
        sources: format!("main={units}"),
        starts_at: Some(starts),
        ends_at: Some(starts + chrono::Duration::from_std(length)?),
        per_customer_limit: limit.to_string(),
        admission_per_minute: if per_minute > 0 {
            per_minute.to_string()
        } else {
            String::new()
        },
        hold_secs: hold_secs.to_string(),
        buckets: buckets.to_string(),
        ..Default::default()
    };
    app::flash_sale::ssr::schedule::schedule(pool, &app::audit::Actor::system("bench"), form)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))
}

/// The sale's hot write, a held unit sold (what an order's confirmation does to stock),
/// from `clients` at once: all on one stock row (one bucket) and spread over eight, each
/// beside a plain single-row UPDATE loop with the same clients.
async fn buckets(args: &Args, pool: &PgPool, users: &[buyers::Account]) -> anyhow::Result<()> {
    sqlx::query("CREATE TABLE bench_counter (id INT PRIMARY KEY, n BIGINT NOT NULL)")
        .execute(pool)
        .await?;
    sqlx::query("INSERT INTO bench_counter VALUES (1, 0)")
        .execute(pool)
        .await?;
    println!(
        "\nThe sale's hot write (a held unit sold, its own durable transaction), {} clients, {} s each",
        args.clients, args.seconds
    );
    let p = pool.clone();
    let baseline = drive(args.clients, args.seconds, Count::Successes, move |_| {
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
    let mut rates = Vec::new();
    for buckets in [1, 8] {
        let sku = format!("BUCKETS-{buckets}");
        let holds = users.len().min(20_000) as i32;
        product(pool, &format!("buckets-{buckets}"), &sku, holds).await?;
        let sale = schedule(
            pool,
            &sku,
            holds,
            1,
            1_000_000,
            Duration::ZERO,
            Duration::from_secs(3600),
            3600,
            buckets,
        )
        .await?;
        // Everyone joins; the worker starts the sale and lets them all in.
        let ids: Vec<i64> = users
            .iter()
            .take(holds as usize)
            .map(|u| u.user_id)
            .collect();
        sqlx::query(
            "INSERT INTO flash_entries (sale_id, user_id, quantity, early)
             SELECT $1, u, 1, false FROM unnest($2::bigint[]) u",
        )
        .bind(sale)
        .bind(&ids)
        .execute(pool)
        .await?;
        for _ in 0..200 {
            app::flash_sale::ssr::ticker::tick(pool).await?;
            let waiting: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM flash_entries WHERE sale_id = $1 AND state = 'queued'",
            )
            .bind(sale)
            .fetch_one(pool)
            .await?;
            if waiting == 0 {
                break;
            }
        }
        let holders: Arc<Vec<String>> = Arc::new(
            sqlx::query_scalar::<_, i64>(
                "SELECT id FROM flash_entries WHERE sale_id = $1 AND state = 'admitted' ORDER BY random()",
            )
            .bind(sale)
            .fetch_all(pool)
            .await?
            .into_iter()
            .map(app::flash_sale::ssr::holder)
            .collect(),
        );
        let p = pool.clone();
        let sold = drive(args.clients, args.seconds, Count::Successes, move |n| {
            let (p, holders) = (p.clone(), holders.clone());
            async move {
                let Some(holder) = holders.get(n as usize) else {
                    // Yield: a task that never waits would keep the clock from stopping it.
                    tokio::time::sleep(Duration::from_millis(5)).await;
                    bail!("out of holds");
                };
                let sold: i64 = sqlx::query_scalar(
                    "SELECT count(*) FROM stock_finish(
                         ARRAY(SELECT id FROM reservations WHERE holder = $1 AND status = 'active'),
                         -1, 'bench')",
                )
                .bind(holder)
                .fetch_one(&p)
                .await?;
                if sold != 1 {
                    bail!("{holder} sold {sold}");
                }
                Ok(())
            }
        })
        .await?;
        row(
            &format!(
                "sales of held units, {buckets} bucket{}",
                if buckets == 1 { "" } else { "s" }
            ),
            sold,
        );
        rates.push(sold.per_second);
    }
    println!(
        "ratios: one bucket / plain UPDATE = {:.2}x; eight buckets / plain UPDATE = {:.2}x; eight / one = {:.2}x",
        rates[0] / baseline.per_second,
        rates[1] / baseline.per_second,
        rates[1] / rates[0]
    );
    Ok(())
}
