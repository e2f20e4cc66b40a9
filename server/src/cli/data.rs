//! `migrate`, `seed`, `generate`, `reindex` and the importers (`import`, `import-orders`).

use super::progress_bar;
use crate::Format;
use app::money::Currency;
use server::import::{self, ImportOptions, images::ImageStore, online_retail::RetailOptions};
use server::settings::Settings;
use server::{database, seed};
use std::io::IsTerminal;
use std::path::PathBuf;

pub(crate) async fn migrate(settings: Settings) -> anyhow::Result<()> {
    let db = database::open(&settings).await?;
    println!("migrations applied");
    db.close().await;
    Ok(())
}

pub(crate) async fn run_seed(settings: Settings) -> anyhow::Result<()> {
    let db = database::open(&settings).await?;
    let result = seed::seed_if_new(&settings, &db.db.primary).await;
    db.close().await;
    match result? {
        Some(report) => print!("{report}"),
        None => println!("already seeded (or products exist); nothing to do"),
    }
    Ok(())
}

pub(crate) fn generate(count: u64, seed: u64, out: Option<&std::path::Path>) -> anyhow::Result<()> {
    let generator = server::generate::Generator::new(seed);
    match out {
        Some(path) => {
            let mut file = std::fs::File::create(path)?;
            server::generate::write_jsonl(&generator, count, &mut file)?;
        }
        None => server::generate::write_jsonl(&generator, count, &mut std::io::stdout().lock())?,
    }
    Ok(())
}

pub(crate) async fn reindex(settings: Settings) -> anyhow::Result<()> {
    let db = database::open(&settings).await?;
    let service = server::state::search_service(&settings);
    let bar = progress_bar("indexing {bar:40} {pos}/{len} products ({per_sec}, {eta} left)");
    let result = service
        .rebuild(&db.db.primary, |done, total| {
            bar.set_length(total);
            bar.set_position(done);
        })
        .await;
    bar.finish_and_clear();
    db.close().await;
    let report = result?;
    println!(
        "indexed {} products in {:.1} s ({:.0} per second); {:.1} MB on disk in {}",
        report.documents,
        report.elapsed.as_secs_f64(),
        report.docs_per_second(),
        report.bytes_on_disk as f64 / 1e6,
        report.dir.display()
    );
    Ok(())
}

pub(crate) async fn run_import_orders(
    settings: Settings,
    path: PathBuf,
    shift_to_now: bool,
    active_products: bool,
) -> anyhow::Result<()> {
    use import::history::{HistoryOptions, import_file};
    let mut opts = HistoryOptions {
        shift_to_now,
        ..HistoryOptions::default()
    };
    if active_products {
        opts.products.status = app::catalog::model::ProductStatus::Active;
    }
    let db = database::open(&settings).await?;
    let store = ImageStore::new(&settings.data_dir.join("media"));
    let bar = if std::io::stderr().is_terminal() {
        indicatif::ProgressBar::new(0)
    } else {
        indicatif::ProgressBar::hidden()
    };
    let progress = |done: u64, total: u64, stage: &str| {
        bar.set_length(total);
        bar.set_position(done);
        bar.set_message(stage.to_owned());
    };
    let result = import_file(&db.db.primary, &store, &path, opts, &progress).await;
    bar.finish_and_clear();
    db.close().await;
    let report = result?;
    println!(
        "{} lines read: {} orders imported ({} already there), {} refunds, {} customers, {} products; history moved {} days",
        report.lines_read,
        report.orders,
        report.orders_already_there,
        report.refunds,
        report.customers,
        report.products,
        report.shifted_days
    );
    println!("{} lines left out:", report.skipped.len());
    for s in report.skipped.iter().take(50) {
        println!("  line {}: {}", s.line, s.reason);
    }
    if report.skipped.len() > 50 {
        println!("  ... and {} more", report.skipped.len() - 50);
    }
    Ok(())
}

pub(crate) async fn run_import(
    settings: Settings,
    format: Format,
    path: PathBuf,
    batch_size: usize,
    currency: Option<String>,
    stock: i32,
    category: String,
) -> anyhow::Result<()> {
    let currency = Currency::parse(
        currency
            .as_deref()
            .unwrap_or(&settings.catalog.default_currency),
    )?;
    // Parse before touching the database: a file that cannot be read changes nothing.
    let rows = match format {
        Format::Vendure => import::vendure::parse(&path, currency)?,
        Format::OnlineRetail => {
            let category = category
                .split('>')
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect();
            import::online_retail::parse(
                &path,
                &RetailOptions {
                    category,
                    stock_on_hand: stock,
                    ..RetailOptions::default()
                },
            )?
        }
        Format::Jsonl => import::generic::parse_jsonl(&path, currency)?,
        Format::Csv => import::generic::parse_csv(&path, currency)?,
    };
    let db = database::open(&settings).await?;
    let store = ImageStore::new(&settings.data_dir.join("media"));
    let opts = ImportOptions {
        batch_size,
        actor: format!(
            "import:{}",
            path.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        ),
        progress: std::io::stderr().is_terminal(),
        ..ImportOptions::default()
    };
    let result = import::run(&db.db.primary, &store, rows, &opts).await;
    db.close().await;
    let report = result?;
    print!("{report}");
    Ok(())
}
