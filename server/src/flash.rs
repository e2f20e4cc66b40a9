//! `server flash`: schedule a flash sale, list sales with their figures, end one now.
//! The same checks and audit entries as the admin's page (`app::flash_sale::ssr`).

use crate::database;
use crate::settings::Settings;
use app::audit::Actor;
use app::flash_sale::ssr::schedule::{self, SaleForm};
use clap::Subcommand;

#[derive(Subcommand)]
pub enum FlashAction {
    /// Schedule a sale, e.g. `flash schedule --sku LAPTOP-13 --price 499.00
    /// --from main=300 --starts 2026-12-24T09:00:00Z --ends 2026-12-24T10:00:00Z --limit 1
    /// --per-minute 600`.
    Schedule(Box<ScheduleArgs>),
    /// Every sale (the newest 100) with its figures.
    List,
    /// End a sale now (a scheduled one never starts).
    End { id: i64 },
}

#[derive(clap::Args)]
pub struct ScheduleArgs {
    #[arg(long)]
    sku: String,
    /// The sale price in major units (not above the normal price).
    #[arg(long)]
    price: String,
    /// Units taken out of normal sale at the start, per warehouse: `main=300,east=200`.
    #[arg(long)]
    from: String,
    /// The start (RFC 3339); now when left out. Shoppers who join before it are put
    /// in a random order at the start.
    #[arg(long)]
    starts: Option<chrono::DateTime<chrono::Utc>>,
    /// The end (RFC 3339).
    #[arg(long)]
    ends: chrono::DateTime<chrono::Utc>,
    /// Units one customer may buy.
    #[arg(long, default_value = "1")]
    limit: String,
    /// Shoppers let in per minute; left out: automatic, from the checkouts completed.
    #[arg(long, default_value = "")]
    per_minute: String,
    /// Release in waves of this many units...
    #[arg(long, default_value = "", requires = "wave_every")]
    wave_units: String,
    /// ...every this many seconds.
    #[arg(long, default_value = "", requires = "wave_units")]
    wave_every: String,
    /// How long a shopper let in keeps the units, in seconds.
    #[arg(long, default_value = "300")]
    hold_secs: String,
    /// Buckets per source warehouse (stock rows the sale's holds are spread over).
    #[arg(long, default_value = "8")]
    buckets: String,
}

pub async fn run(settings: Settings, action: FlashAction) -> anyhow::Result<()> {
    let db = database::open(&settings).await?;
    let pool = db.db.primary.clone();
    let actor = Actor::system("cli");
    let result = async {
        match action {
            FlashAction::Schedule(a) => {
                let ScheduleArgs {
                    sku,
                    price,
                    from,
                    starts,
                    ends,
                    limit,
                    per_minute,
                    wave_units,
                    wave_every,
                    hold_secs,
                    buckets,
                } = *a;
                let form = SaleForm {
                    sku,
                    sale_price: price,
                    sources: from,
                    starts_at: starts,
                    ends_at: Some(ends),
                    per_customer_limit: limit,
                    admission_per_minute: per_minute,
                    wave_units,
                    wave_every_secs: wave_every,
                    hold_secs,
                    buckets,
                };
                let id = schedule::schedule(&pool, &actor, form).await?;
                println!("flash sale {id} scheduled: /sale/{id}");
            }
            FlashAction::List => {
                let board = schedule::board(&pool).await?;
                println!(
                    "{:>5}  {:<10} {:<20} {:>10} {:>6} {:>6} {:>6} {:>7} {:>6}",
                    "id", "state", "sku", "price", "units", "sold", "held", "queued", "wait"
                );
                for f in board.sales {
                    println!(
                        "{:>5}  {:<10} {:<20} {:>10} {:>6} {:>6} {:>6} {:>7} {:>6}",
                        f.id,
                        format!("{:?}", f.state),
                        f.sku,
                        f.sale_price.to_string(),
                        f.allocated.max(f.quantity),
                        f.sold,
                        f.held,
                        f.queued,
                        f.waitlisted
                    );
                }
            }
            FlashAction::End { id } => {
                if schedule::end_now(&pool, &actor, id).await? {
                    println!("flash sale {id} is ending");
                } else {
                    println!("flash sale {id} had ended already");
                }
            }
        }
        Ok::<_, app::staff::model::AdminError>(())
    }
    .await;
    db.close().await;
    result.map_err(|e| anyhow::anyhow!("{e}"))
}
