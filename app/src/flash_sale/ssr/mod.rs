//! Flash sales on the server: scheduling (`schedule`), the worker that starts, places,
//! admits, promotes and ends (`ticker`), and what a shopper does (`shopper`).
//!
//! How a sale runs:
//! - At its start the allocation moves from the chosen warehouses into the sale's
//!   buckets (warehouses of the sale, inactive: no normal checkout plans from them;
//!   their units are not in the catalog's stock figure), `buckets` per source, so no
//!   single stock row carries the sale.
//! - Shoppers join (one entry per account; before the start they form the pre-queue).
//!   At the start PostgreSQL draws the pre-queue's order at random; later arrivals are
//!   placed in arrival order. Every instance's worker tries each tick; an advisory lock
//!   lets one at a time act on a sale, so there is one queue whatever the instances.
//! - Shoppers are let in in place order at the sale's pace (per minute, in waves of
//!   units, or automatic from the checkouts completed); being let in is a hold in one
//!   bucket (an ordinary reservation, `flash:<entry>`), for `hold_secs`.
//! - The shopper's checkout takes the hold over (`order_open`'s `flash` lines). A hold
//!   that runs out, or an order that fails, gives its units back to its bucket; the next
//!   waitlisted shopper is let in and told by e-mail and on the page.
//! - When every unit is held or sold, everyone still queued is told at once and may
//!   join the waitlist. At the end the buckets' free units go back where they came from
//!   (and do again as late holds end).

pub mod schedule;
pub mod shopper;
pub mod ticker;
pub mod token;

use crate::catalog::ssr::cache::CatalogCache;
use crate::flash_sale::model::FlashError;
use crate::session::Sessions;
use crate::site::Site;
use sqlx::PgPool;
use std::sync::Arc;

/// What the flash sale services depend on.
#[derive(Clone, Debug)]
pub struct FlashSales {
    pub pool: PgPool,
    pub sessions: Sessions,
    pub site: Site,
    key: Arc<tokio::sync::OnceCell<Vec<u8>>>,
    /// The catalog's cache: a sale's change notifies its product, so the list of open
    /// sales is read again after any catalog change (cached pages show the banner).
    catalog: Arc<CatalogCache>,
    /// The sales that have not ended, when they were read, and the catalog's generation.
    open: Arc<std::sync::Mutex<Option<OpenSales>>>,
}

/// The open sales this instance read, when, and at which catalog generation.
type OpenSales = (std::time::Instant, u64, Arc<Vec<shopper::OpenSale>>);

/// How long this instance's list of open sales is used before it is read again.
const OPEN_SALES_FOR: std::time::Duration = std::time::Duration::from_secs(5);

impl FlashSales {
    pub fn new(pool: PgPool, sessions: Sessions, site: Site, catalog: Arc<CatalogCache>) -> Self {
        FlashSales {
            pool,
            sessions,
            site,
            catalog,
            key: Arc::default(),
            open: Arc::default(),
        }
    }

    /// The sales that have not ended: read at most every few seconds, and again after
    /// any change to the catalog (a sale's change is one: its trigger notifies).
    pub async fn open_sales(&self) -> Result<Arc<Vec<shopper::OpenSale>>, FlashError> {
        let ticket = self.catalog.ticket();
        if let Ok(guard) = self.open.lock()
            && let Some((at, generation, list)) = guard.as_ref()
            && at.elapsed() < OPEN_SALES_FOR
            && ticket.generation() == Some(*generation)
        {
            return Ok(list.clone());
        }
        let list = Arc::new(shopper::read_open_sales(&self.pool).await?);
        if let (Some(generation), Ok(mut guard)) = (ticket.generation(), self.open.lock()) {
            *guard = Some((std::time::Instant::now(), generation, list.clone()));
        }
        Ok(list)
    }

    /// The key places are signed with: the database's, the same for every instance.
    pub async fn key(&self) -> Result<&[u8], FlashError> {
        self.key
            .get_or_try_init(|| async {
                sqlx::query_scalar!("SELECT key FROM flash_keys")
                    .fetch_one(&self.pool)
                    .await
            })
            .await
            .map(Vec::as_slice)
            .map_err(unavailable)
    }
}

pub(crate) fn unavailable(error: impl std::fmt::Display) -> FlashError {
    tracing::error!(%error, "flash sale operation failed");
    FlashError::Unavailable
}

/// The reservation holder of an entry's hold.
pub fn holder(entry_id: i64) -> String {
    format!("flash:{entry_id}")
}
