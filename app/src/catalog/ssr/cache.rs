//! An in-process cache of what the storefront's pages read, invalidated exactly by
//! PostgreSQL: triggers `pg_notify` on every catalog change at commit, and [`listen`]
//! evicts what changed. While the listener is not connected, the cache is bypassed, so a
//! page is never served from data the database has since changed.

use crate::catalog::model::{CategoryLink, CategoryPage, HomePage, ProductDetail};
pub use crate::notify::Ticket;
use crate::notify::{Freshness, Notified};
use crate::page_cache::store::{Page, PageStore};
use sqlx::PgPool;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

/// Channel the catalog triggers notify (see migrations/*_catalog_notify.sql).
pub const CHANNEL: &str = "mercato_catalog";
const MAX_PRODUCTS: usize = 50_000;
const MAX_LISTINGS: usize = 10_000;

/// One kind of cached value, by key, bounded in size.
#[derive(Debug)]
struct Shelf<V> {
    map: RwLock<HashMap<String, Arc<V>>>,
    capacity: usize,
}

impl<V> Shelf<V> {
    fn new(capacity: usize) -> Self {
        Shelf {
            map: RwLock::new(HashMap::new()),
            capacity,
        }
    }

    fn get(&self, key: &str) -> Option<Arc<V>> {
        self.map.read().ok()?.get(key).cloned()
    }
}

/// The catalog's read cache: product pages, category listings, the home page and the
/// header's categories; and the rendered pages kept for visitors without a session
/// (`page_cache`), evicted by the same notifications under the same generation.
#[derive(Debug)]
pub struct CatalogCache {
    freshness: Freshness,
    pages: PageStore,
    products: Shelf<ProductDetail>,
    listings: Shelf<CategoryPage>,
    home: Shelf<HomePage>,
    nav: Shelf<Vec<CategoryLink>>,
}

impl Default for CatalogCache {
    fn default() -> Self {
        CatalogCache {
            freshness: Freshness::default(),
            pages: PageStore::default(),
            products: Shelf::new(MAX_PRODUCTS),
            listings: Shelf::new(MAX_LISTINGS),
            home: Shelf::new(1),
            nav: Shelf::new(1),
        }
    }
}

impl CatalogCache {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn is_live(&self) -> bool {
        self.freshness.is_live()
    }

    /// Take one before reading the database (see [`Ticket`]).
    pub fn ticket(&self) -> Ticket {
        self.freshness.ticket()
    }

    fn get<V>(&self, shelf: &Shelf<V>, key: &str) -> Option<Arc<V>> {
        if !self.is_live() {
            return None;
        }
        shelf.get(key)
    }

    fn put<V>(&self, shelf: &Shelf<V>, ticket: Ticket, key: &str, value: Arc<V>) {
        if let Ok(mut map) = shelf.map.write()
            && self.freshness.admits(ticket)
        {
            if map.len() >= shelf.capacity && !map.contains_key(key) {
                map.clear();
            }
            map.insert(key.to_owned(), value);
        }
    }

    pub fn product(&self, slug: &str) -> Option<Arc<ProductDetail>> {
        self.get(&self.products, slug)
    }

    pub fn put_product(&self, ticket: Ticket, slug: &str, product: Arc<ProductDetail>) {
        self.put(&self.products, ticket, slug, product);
    }

    /// A category page by its listing key (path, sort and cursor).
    pub fn listing(&self, key: &str) -> Option<Arc<CategoryPage>> {
        self.get(&self.listings, key)
    }

    /// How many category pages are cached (for tests and diagnostics).
    pub fn listing_count(&self) -> usize {
        self.listings.map.read().map(|m| m.len()).unwrap_or(0)
    }

    pub fn put_listing(&self, ticket: Ticket, key: &str, page: Arc<CategoryPage>) {
        self.put(&self.listings, ticket, key, page);
    }

    pub fn home(&self) -> Option<Arc<HomePage>> {
        self.get(&self.home, "")
    }

    pub fn put_home(&self, ticket: Ticket, page: Arc<HomePage>) {
        self.put(&self.home, ticket, "", page);
    }

    /// A rendered page kept for visitors without a session, by its address.
    pub fn page(&self, key: &str) -> Option<Arc<Page>> {
        if !self.is_live() {
            return None;
        }
        self.pages.get(key)
    }

    /// Keeps a page whose render began when `ticket` was taken, unless anything was
    /// invalidated since.
    pub fn put_page(&self, ticket: Ticket, key: &str, page: Arc<Page>) {
        self.pages.put(key, page, || self.freshness.admits(ticket));
    }

    /// How many rendered pages are kept (tests and diagnostics).
    pub fn page_count(&self) -> usize {
        self.pages.len()
    }

    pub fn nav(&self) -> Option<Arc<Vec<CategoryLink>>> {
        self.get(&self.nav, "")
    }

    pub fn put_nav(&self, ticket: Ticket, nav: Arc<Vec<CategoryLink>>) {
        self.put(&self.nav, ticket, "", nav);
    }
}

impl Notified for CatalogCache {
    const NAME: &'static str = "catalog";
    const CHANNEL: &'static str = CHANNEL;

    fn freshness(&self) -> &Freshness {
        &self.freshness
    }

    /// Applies one notification: `product:<slug>` evicts that product and every page that
    /// lists products; anything else evicts everything.
    fn invalidate(&self, payload: &str) {
        match payload.strip_prefix("product:") {
            Some(slug) => {
                // Bump under the locks, so no reader can store what it read before.
                if let (Ok(mut products), Ok(mut listings), Ok(mut home)) = (
                    self.products.map.write(),
                    self.listings.map.write(),
                    self.home.map.write(),
                ) {
                    self.freshness.bump();
                    products.remove(slug);
                    listings.clear();
                    home.clear();
                }
                // After the bump: a render that began before it can no longer store.
                self.pages.evict_product(slug);
            }
            None => self.clear(),
        }
    }

    fn clear(&self) {
        if let (Ok(mut products), Ok(mut listings), Ok(mut home), Ok(mut nav)) = (
            self.products.map.write(),
            self.listings.map.write(),
            self.home.map.write(),
            self.nav.map.write(),
        ) {
            self.freshness.bump();
            products.clear();
            listings.clear();
            home.clear();
            nav.clear();
        }
        self.pages.clear();
    }
}

/// Keeps `cache` in step with the database for as long as the process runs.
pub async fn listen(pool: PgPool, cache: Arc<CatalogCache>) {
    crate::notify::listen(pool, cache).await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::set_live;

    fn product(slug: &str) -> Arc<ProductDetail> {
        Arc::new(ProductDetail::fixture(slug))
    }

    #[test]
    fn bypassed_until_live() {
        let cache = CatalogCache::new();
        cache.put_product(cache.ticket(), "a", product("a"));
        assert!(cache.product("a").is_none());
        set_live(&cache, true);
        cache.put_product(cache.ticket(), "a", product("a"));
        assert!(cache.product("a").is_some());
        set_live(&cache, false);
        assert!(cache.product("a").is_none());
    }

    #[test]
    fn an_invalidation_during_a_read_discards_what_was_read() {
        let cache = CatalogCache::new();
        set_live(&cache, true);
        let ticket = cache.ticket(); // a reader starts reading the database...
        cache.invalidate("product:a"); // ...the row changes and the notification arrives...
        cache.put_product(ticket, "a", product("a")); // ...so its (possibly old) copy is dropped.
        assert!(cache.product("a").is_none());
    }

    #[test]
    fn invalidation_is_precise() {
        let cache = CatalogCache::new();
        set_live(&cache, true);
        cache.put_product(cache.ticket(), "a", product("a"));
        cache.put_product(cache.ticket(), "b", product("b"));
        cache.put_nav(cache.ticket(), Arc::new(vec![]));
        cache.invalidate("product:a");
        assert!(
            cache.product("a").is_none() && cache.product("b").is_some() && cache.nav().is_some()
        );
        cache.invalidate("all");
        assert!(cache.product("b").is_none() && cache.nav().is_none());
    }
}
