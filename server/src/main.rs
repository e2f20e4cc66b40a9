//! The `server` binary: `serve` (default) and the subcommands (server/src/cli/).

mod cli;

use clap::{Parser, Subcommand, ValueEnum};
use cli::{
    create_admin, discount, generate, migrate, payments_sandbox, reco, reindex, run_import,
    run_import_orders, run_seed,
};
use server::settings::Settings;
use server::{serve, telemetry};
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
    /// Import past orders from Online Retail line items (.csv or .csv.xz): customers,
    /// orders in the states they reached, refunds for returns; a second run adds only
    /// what is missing.
    ImportOrders {
        path: PathBuf,
        /// Move the history by whole weeks so that it ends within the last week.
        #[arg(long)]
        shift_to_now: bool,
        /// Make its products active in the shop (they are archived otherwise).
        #[arg(long)]
        active_products: bool,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Seed the demo catalog if this database has never been seeded.
    Seed,
    /// Write a deterministic synthetic catalog as Mercato JSON lines (for `import jsonl`).
    Generate {
        /// How many products.
        #[arg(long, default_value_t = 10_000)]
        count: u64,
        /// The same seed always gives the same catalog.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Output file (standard output if absent).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Rebuild the search index from PostgreSQL into a new directory and swap it in;
    /// a server running on the same data directory switches to it without stopping.
    Reindex,
    /// Create the first administrator (or make an existing account one). The password is
    /// read from standard input, so it never appears in the shell history or `ps`.
    CreateAdmin {
        #[arg(long)]
        email: String,
    },
    /// Search: the relevance harness.
    Search {
        #[command(subcommand)]
        action: SearchAction,
    },
    /// Recommendations: the offline evaluation, and a full rebuild of what is served.
    Reco {
        #[command(subcommand)]
        action: RecoAction,
    },
    /// Discount codes.
    Discount {
        #[command(subcommand)]
        action: DiscountAction,
    },
    /// Flash sales: schedule one, list them, end one.
    Flash {
        #[command(subcommand)]
        action: server::flash::FlashAction,
    },
    /// Run the sandbox payment provider on its own (its books go in the database's
    /// `payments_sandbox` schema). Point a shop at it with `payments.provider_url`,
    /// `payments.api_key` and `payments.webhook_secret`.
    PaymentsSandbox {
        #[arg(long, default_value = "127.0.0.1:4010")]
        addr: std::net::SocketAddr,
        #[arg(long, env = "MERCATO_SANDBOX_API_KEY")]
        api_key: String,
        /// The shop's webhook endpoint, e.g. http://127.0.0.1:3000/webhooks/payments.
        #[arg(long)]
        webhook_url: Option<String>,
        #[arg(long, env = "MERCATO_SANDBOX_WEBHOOK_SECRET")]
        webhook_secret: String,
        /// How long the timeout test card keeps the caller waiting, in seconds.
        #[arg(long, default_value_t = 10)]
        slow_card_secs: u64,
        /// How long the sandbox carrier takes to deliver a parcel, in seconds.
        #[arg(long, default_value_t = 120)]
        delivery_secs: u64,
    },
}

#[derive(Subcommand)]
enum SearchAction {
    /// Print nDCG@10, recall@10 and the zero-result rate of the search engine beside a
    /// plain BM25 baseline (English stemming, any word), per class of query, clean and
    /// with one typo per query, over catalogs built in memory (no database needed).
    Evaluate {
        /// The judged queries (JSON lines: catalog, class, query, grades by SKU).
        #[arg(long)]
        judged: Option<PathBuf>,
        /// Catalogs to load: `demo`, `retail`, or a file in the JSONL or CSV import
        /// format, whose judged queries name it by its file stem (default: every
        /// catalog the judged set names).
        #[arg(long)]
        catalog: Vec<String>,
        /// Also print each query's nDCG@10 by the engine and the baseline, the
        /// engine's worst first (`typo` for the queries with a typo).
        #[arg(long)]
        queries: Option<String>,
        /// Only show the first ten results of each ranker for this judged query.
        #[arg(long)]
        show: Option<String>,
    },
}

#[derive(Subcommand)]
enum RecoAction {
    /// Learn from purchases before `--train-until`, recommend ten products each customer
    /// had not bought to those who bought something new before `--test-until`, and print
    /// hit@10, precision@10, recall@10 and MRR for every model and baseline.
    Evaluate {
        /// The first day of the test period (YYYY-MM-DD).
        #[arg(long)]
        train_until: chrono::NaiveDate,
        /// The day after the test period.
        #[arg(long)]
        test_until: chrono::NaiveDate,
        /// Read purchases from this file of Online Retail line items instead of the
        /// database.
        #[arg(long)]
        file: Option<PathBuf>,
        /// Dates as stored in the database, not in the imported history's own calendar
        /// (the embedded shop moves its seeded history to end near today).
        #[arg(long)]
        stored_dates: bool,
    },
    /// Learn everything again from every confirmed order: the counts refolded and the
    /// neighbour models refitted (the running shop's worker keeps them current anyway).
    Rebuild,
}

#[derive(Subcommand)]
enum DiscountAction {
    /// Create a code, e.g. `discount add WELCOME10 --percent 10 --per-customer 1`.
    Add {
        /// Letters, digits, `-` and `_`, 3 to 32 (kept in upper case).
        code: String,
        /// Percent off the goods (e.g. 10 or 12.5; at most two decimals).
        #[arg(long, conflicts_with = "fixed", required_unless_present = "fixed")]
        percent: Option<String>,
        /// An amount off the goods, in major units of `--currency` (e.g. 5.00).
        #[arg(long, requires = "currency")]
        fixed: Option<String>,
        /// Only orders in this currency may use the code (required with `--fixed`).
        #[arg(long)]
        currency: Option<String>,
        /// The least the goods must come to, in major units (e.g. 50.00).
        #[arg(long)]
        min_spend: Option<String>,
        /// Valid from (RFC 3339, e.g. 2026-12-01T00:00:00Z).
        #[arg(long)]
        starts: Option<chrono::DateTime<chrono::Utc>>,
        /// Valid until (RFC 3339).
        #[arg(long)]
        ends: Option<chrono::DateTime<chrono::Utc>>,
        /// Uses in total.
        #[arg(long)]
        max_uses: Option<i32>,
        /// Uses per customer (by account, and by the person behind an e-mail address).
        #[arg(long)]
        per_customer: Option<i32>,
    },
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
    // Generating needs no settings or database.
    if let Some(Command::Generate { count, seed, out }) = &cli.command {
        return match generate(*count, *seed, out.as_deref()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e:#}");
                ExitCode::FAILURE
            }
        };
    }
    // Nor does the relevance harness.
    if let Some(Command::Search {
        action:
            SearchAction::Evaluate {
                judged,
                catalog,
                queries,
                show,
            },
    }) = &cli.command
    {
        let judged = judged
            .clone()
            .unwrap_or_else(server::relevance::judged_file);
        if let Some(q) = show {
            return match server::relevance::show(&judged, q) {
                Ok(text) => {
                    print!("{text}");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::FAILURE
                }
            };
        }
        return match server::relevance::evaluate(&judged, catalog) {
            Ok((rows, per_query)) => {
                println!("judged queries: {}", judged.display());
                print!("{}", app::search::ssr::relevance::report(&rows));
                if let Some(kind) = queries {
                    println!("\nper query (engine, baseline):");
                    print!("{}", per_query(kind == "typo"));
                }
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        };
    }
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Generate { .. } | Command::Search { .. } => Ok(()),
        Command::Serve => serve::run(settings).await,
        Command::Migrate => migrate(settings).await,
        Command::Seed => run_seed(settings).await,
        Command::Reindex => reindex(settings).await,
        Command::CreateAdmin { email } => create_admin(settings, &email).await,
        Command::Discount { action } => discount(settings, action).await,
        Command::Flash { action } => server::flash::run(settings, action).await,
        Command::Reco { action } => reco(settings, action).await,
        Command::PaymentsSandbox {
            addr,
            api_key,
            webhook_url,
            webhook_secret,
            slow_card_secs,
            delivery_secs,
        } => {
            let sandbox = server::sandbox::SandboxSettings {
                api_key,
                webhook_url,
                webhook_secret,
                slow_card_delay: std::time::Duration::from_secs(slow_card_secs),
                delivery_delay: std::time::Duration::from_secs(delivery_secs),
            };
            payments_sandbox(settings, addr, sandbox).await
        }
        Command::ImportOrders {
            path,
            shift_to_now,
            active_products,
        } => run_import_orders(settings, path, shift_to_now, active_products).await,
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
