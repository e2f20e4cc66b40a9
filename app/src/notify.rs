//! In-process caches kept exact by PostgreSQL: triggers `pg_notify` at commit with what
//! changed, and [`listen`] hands each notification to its cache. While the listener is
//! not connected, a cache is bypassed, so nothing is served from data the database has
//! since changed.

use sqlx::PgPool;
use sqlx::postgres::PgListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

/// Whether a cache may be used (its listener is connected), and a generation that every
/// invalidation bumps, so a reader that loaded data before an invalidation cannot store
/// it afterwards (it may be older than the change).
#[derive(Debug, Default)]
pub struct Freshness {
    live: AtomicBool,
    generation: AtomicU64,
}

/// Taken before reading the database; storing succeeds only if nothing was invalidated
/// in between (and the cache was live when it was taken).
#[derive(Debug, Clone, Copy)]
pub struct Ticket(Option<u64>);

impl Ticket {
    /// The generation it was taken at, if the cache was live then.
    pub fn generation(self) -> Option<u64> {
        self.0
    }
}

impl Freshness {
    pub fn is_live(&self) -> bool {
        self.live.load(Ordering::Acquire)
    }

    pub fn ticket(&self) -> Ticket {
        Ticket(self.is_live().then(|| self.generation()))
    }

    /// How many invalidations there have been (tests wait on it).
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Call while holding the cache's write lock, so no reader stores in between.
    pub fn bump(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }

    /// Call while holding the cache's write lock: may what `ticket` read be stored?
    pub fn admits(&self, ticket: Ticket) -> bool {
        ticket
            .0
            .is_some_and(|g| self.is_live() && self.generation() == g)
    }

    pub fn set_live(&self, live: bool) {
        self.live.store(live, Ordering::Release);
    }
}

/// A cache that a channel's notifications keep exact.
pub trait Notified: Send + Sync + 'static {
    /// What the cache is called in the logs.
    const NAME: &'static str;
    /// The channel its triggers notify.
    const CHANNEL: &'static str;
    fn freshness(&self) -> &Freshness;
    /// Applies one notification's payload.
    fn invalidate(&self, payload: &str);
    /// Forgets everything (notifications may have been missed).
    fn clear(&self);
}

/// Turns a cache on or off, emptied either way.
pub fn set_live<C: Notified>(cache: &C, live: bool) {
    cache.clear();
    cache.freshness().set_live(live);
    cache.clear();
}

/// Keeps `cache` in step with the database for as long as the process runs. Connection
/// losses clear the cache and bypass it until the listener is back.
pub async fn listen<C: Notified>(pool: PgPool, cache: Arc<C>) {
    let mut backoff = Duration::from_millis(100);
    loop {
        let mut listener = match PgListener::connect_with(&pool).await {
            Ok(l) => l,
            Err(e) => {
                tracing::warn!(error = %e, cache = C::NAME, "cache listener cannot connect; cache bypassed");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(10));
                continue;
            }
        };
        if let Err(e) = listener.listen(C::CHANNEL).await {
            tracing::warn!(error = %e, cache = C::NAME, "cache listener cannot LISTEN; cache bypassed");
            tokio::time::sleep(backoff).await;
            continue;
        }
        backoff = Duration::from_millis(100);
        set_live(&*cache, true);
        tracing::info!(cache = C::NAME, "cache is live");
        loop {
            match listener.try_recv().await {
                Ok(Some(notification)) => cache.invalidate(notification.payload()),
                // The connection dropped: notifications may have been missed.
                Ok(None) => cache.clear(),
                Err(e) => {
                    tracing::warn!(error = %e, cache = C::NAME, "cache listener lost; cache bypassed");
                    set_live(&*cache, false);
                    break;
                }
            }
        }
    }
}

/// Waits (up to two seconds) for a cache's listener to go live; false if it did not.
pub async fn until_live(freshness: &Freshness) -> bool {
    for _ in 0..200 {
        if freshness.is_live() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    false
}
