//! The rendered pages kept for visitors without a session, by URL: each with the
//! products it shows, so a change to one product evicts exactly the pages that show it
//! (and every listing, whose membership any change may alter). The catalog cache owns
//! the store and drives it from the same notifications and the same generation, so a
//! page rendered from data older than a change is never stored after it.

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::{Arc, RwLock};
use std::time::Instant;

/// At most this many pages, and this many bytes of them (all encodings).
const MAX_PAGES: usize = 20_000;
const MAX_BYTES: usize = 256 << 20;

/// One rendered page, ready to send.
#[derive(Debug)]
pub struct Page {
    /// Every header but the body's encoding and length.
    pub headers: HeaderMap,
    pub etag: HeaderValue,
    pub identity: Bytes,
    pub gzip: Bytes,
    pub brotli: Bytes,
    /// The products it shows.
    pub slugs: BTreeSet<String>,
    /// A listing (home, a category): any product's change may alter which it shows.
    pub listing: bool,
    /// When a part of it may no longer be shown.
    pub expires: Option<Instant>,
    /// Where the parts drawn per visitor stand in `identity`, if it may be served to a
    /// visitor with a session that way (`super::parts`).
    pub holes: Option<Vec<super::parts::Hole>>,
}

impl Page {
    fn size(&self) -> usize {
        self.identity.len() + self.gzip.len() + self.brotli.len()
    }

    fn fresh(&self, now: Instant) -> bool {
        self.expires.is_none_or(|at| now < at)
    }
}

#[derive(Debug, Default)]
struct Inner {
    pages: HashMap<String, Arc<Page>>,
    by_slug: HashMap<String, HashSet<String>>,
    listings: HashSet<String>,
    bytes: usize,
}

impl Inner {
    fn remove(&mut self, key: &str) {
        let Some(page) = self.pages.remove(key) else {
            return;
        };
        self.bytes -= page.size();
        self.listings.remove(key);
        for slug in &page.slugs {
            if let Some(keys) = self.by_slug.get_mut(slug) {
                keys.remove(key);
                if keys.is_empty() {
                    self.by_slug.remove(slug);
                }
            }
        }
    }

    /// Makes room for `size` more bytes: expired pages first, then about a quarter of
    /// the rest, whichever they are (a flood of new addresses cannot pin the old ones).
    fn make_room(&mut self, size: usize, now: Instant) {
        if self.pages.len() < MAX_PAGES && self.bytes + size <= MAX_BYTES {
            return;
        }
        let expired: Vec<String> = self
            .pages
            .iter()
            .filter(|(_, p)| !p.fresh(now))
            .map(|(k, _)| k.clone())
            .collect();
        for key in expired {
            self.remove(&key);
        }
        if self.pages.len() >= MAX_PAGES || self.bytes + size > MAX_BYTES {
            let some: Vec<String> = self
                .pages
                .keys()
                .take(self.pages.len() / 4 + 1)
                .cloned()
                .collect();
            for key in some {
                self.remove(&key);
            }
        }
    }
}

/// The store (the catalog cache holds one; see `CatalogCache::page`).
#[derive(Debug, Default)]
pub struct PageStore {
    inner: RwLock<Inner>,
}

impl PageStore {
    /// The page kept for `key`, while every part of it may still be shown.
    pub fn get(&self, key: &str) -> Option<Arc<Page>> {
        let page = self.inner.read().ok()?.pages.get(key).cloned()?;
        page.fresh(Instant::now()).then_some(page)
    }

    /// Stores `page` under `key` if `admitted` says, under the store's lock, that nothing
    /// was invalidated since its render began.
    pub fn put(&self, key: &str, page: Arc<Page>, admitted: impl FnOnce() -> bool) {
        if page.size() > MAX_BYTES / 16 {
            return;
        }
        let Ok(mut inner) = self.inner.write() else {
            return;
        };
        if !admitted() {
            return;
        }
        inner.remove(key);
        inner.make_room(page.size(), Instant::now());
        inner.bytes += page.size();
        if page.listing {
            inner.listings.insert(key.to_owned());
        }
        for slug in &page.slugs {
            inner
                .by_slug
                .entry(slug.clone())
                .or_default()
                .insert(key.to_owned());
        }
        inner.pages.insert(key.to_owned(), page);
    }

    /// A product changed: the pages that show it and every listing go.
    pub fn evict_product(&self, slug: &str) {
        if let Ok(mut inner) = self.inner.write() {
            let mut keys: Vec<String> = inner.listings.iter().cloned().collect();
            keys.extend(inner.by_slug.get(slug).into_iter().flatten().cloned());
            for key in keys {
                inner.remove(&key);
            }
        }
    }

    pub fn clear(&self) {
        if let Ok(mut inner) = self.inner.write() {
            *inner = Inner::default();
        }
    }

    /// How many pages are kept (tests and diagnostics).
    pub fn len(&self) -> usize {
        self.inner.read().map(|i| i.pages.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(slugs: &[&str], listing: bool) -> Arc<Page> {
        Arc::new(Page {
            headers: HeaderMap::new(),
            etag: HeaderValue::from_static("W/\"x\""),
            identity: Bytes::from_static(b"<html>"),
            gzip: Bytes::new(),
            brotli: Bytes::new(),
            slugs: slugs.iter().map(|s| s.to_string()).collect(),
            listing,
            expires: None,
            holes: None,
        })
    }

    #[test]
    fn a_product_change_evicts_its_pages_and_the_listings_only() {
        let store = PageStore::default();
        store.put("/p/a", page(&["a", "b"], false), || true);
        store.put("/p/a?variant=A-2", page(&["a"], false), || true);
        store.put("/p/c", page(&["c"], false), || true);
        store.put("/c/x", page(&["c"], true), || true);
        store.put("/", page(&[], true), || true);
        store.evict_product("b");
        assert!(store.get("/p/a").is_none(), "the page that recommends b");
        assert!(store.get("/p/a?variant=A-2").is_some());
        assert!(store.get("/p/c").is_some());
        assert!(store.get("/c/x").is_none() && store.get("/").is_none());
        store.evict_product("a");
        assert_eq!(store.len(), 1);
        store.clear();
        assert!(store.is_empty());
    }

    #[test]
    fn refused_when_not_admitted_and_gone_when_expired() {
        let store = PageStore::default();
        store.put("/p/a", page(&["a"], false), || false);
        assert!(store.get("/p/a").is_none());
        let mut expired = Arc::try_unwrap(page(&["a"], false)).unwrap();
        expired.expires = Some(Instant::now());
        store.put("/p/a", Arc::new(expired), || true);
        assert!(store.get("/p/a").is_none());
    }

    #[test]
    fn bounded_in_count() {
        let store = PageStore::default();
        for i in 0..MAX_PAGES + 10 {
            store.put(&format!("/c/x?after={i}"), page(&[], true), || true);
        }
        assert!(store.len() <= MAX_PAGES);
        let inner = store.inner.read().unwrap();
        assert_eq!(inner.listings.len(), inner.pages.len());
    }
}
