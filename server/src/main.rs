//! The `server` binary: `serve` (default), `import`, `migrate`, `seed`.

use app::catalog::money::Currency;
use clap::{Parser, Subcommand, ValueEnum};
use server::import::{self, ImportOptions, images::ImageStore, online_retail::RetailOptions};
use server::settings::Settings;
use server::{database, seed, serve, telemetry};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

/// Server-side rendering allocates many small strings; mimalloc serves them faster.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "mercato", version, about = "Mercato: an e-commerce platform")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the shop (the default).
    Serve,
    /// Import products from a file; re-importing updates by SKU.
    Import {
        #[arg(value_enum)]
        format: Format,
        /// The file (or, for `vendure`, the folder with products.jsonl and images/).
        path: PathBuf,
        /// Products per transaction.
        #[arg(long, default_value_t = 200)]
        batch_size: usize,
        /// Currency for prices in files that carry none.
        #[arg(long)]
        currency: Option<String>,
        /// Online Retail: stock on hand given to each product.
        #[arg(long, default_value_t = 100)]
        stock: i32,
        /// Online Retail: category path, levels separated by '>'.
        #[arg(long, default_value = "Gifts & Homeware")]
        category: String,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Seed the demo catalog if this database has never been seeded.
    Seed,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// The Vendure sample folder (products.jsonl + images/).
    Vendure,
    /// The UCI Online Retail order lines (.csv or .csv.xz).
    OnlineRetail,
    /// Mercato JSON lines, one product per line.
    Jsonl,
    /// Mercato CSV, one variant per row.
    Csv,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let settings = match Settings::load() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    telemetry::init(&settings.log);
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve::run(settings).await,
        Command::Migrate => migrate(settings).await,
        Command::Seed => run_seed(settings).await,
        Command::Import {
            format,
            path,
            batch_size,
            currency,
            stock,
            category,
        } => {
            run_import(
                settings, format, path, batch_size, currency, stock, category,
            )
            .await
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = format!("{e:#}"), "failed");
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn migrate(settings: Settings) -> anyhow::Result<()> {
    let db = database::open(&settings).await?;
    println!("migrations applied");
    db.close().await;
    Ok(())
}

async fn run_seed(settings: Settings) -> anyhow::Result<()> {
    let db = database::open(&settings).await?;
    let result = seed::seed_if_new(&settings, &db.db.primary).await;
    db.close().await;
    match result? {
        Some(report) => print!("{report}"),
        None => println!("already seeded (or products exist); nothing to do"),
    }
    Ok(())
}

async fn run_import(
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
    };
    let result = import::run(&db.db.primary, &store, rows, &opts).await;
    db.close().await;
    let report = result?;
    print!("{report}");
    Ok(())
}
