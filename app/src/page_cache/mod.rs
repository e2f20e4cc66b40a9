//! The page cache, as the pages see it: while a page renders for a visitor without a
//! session, its components note what it shows (each product's slug), what it must not
//! be shared for (a countdown that changes by the second) and how long a part of it may
//! be shown at most (lists the recommender refreshes on its own clock). The edge
//! (`server/src/page_cache.rs`) keeps the rendered bytes in [`store`] under those notes,
//! and the catalog's notifications evict them exactly (`catalog::ssr::cache`).
//!
//! Outside a cached render (a visitor with a session, the browser) the notes go nowhere.

#[cfg(feature = "ssr")]
pub mod parts;
#[cfg(feature = "ssr")]
pub mod store;

#[cfg(feature = "ssr")]
use std::collections::BTreeSet;
#[cfg(feature = "ssr")]
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What one render noted.
#[cfg(feature = "ssr")]
#[derive(Debug, Default, Clone)]
pub struct Notes {
    /// The products the page shows: a change to any of them evicts it.
    pub slugs: BTreeSet<String>,
    /// Why the page must not be kept for others, if it must not.
    pub not_shared: Option<&'static str>,
    /// The shortest time a part of the page may be shown for.
    pub lasts: Option<Duration>,
}

/// The notes of the request being rendered: the edge puts one in the request, and the
/// request's context hands it to the components.
#[cfg(feature = "ssr")]
#[derive(Debug, Default, Clone)]
pub struct Rendered(Arc<Mutex<Notes>>);

#[cfg(feature = "ssr")]
impl Rendered {
    /// What was noted so far (the whole render, once its body has been read).
    pub fn notes(&self) -> Notes {
        self.0.lock().map(|n| n.clone()).unwrap_or_else(|_| Notes {
            not_shared: Some("the notes were lost"),
            ..Notes::default()
        })
    }
}

#[cfg(feature = "ssr")]
fn note(change: impl FnOnce(&mut Notes)) {
    if let Some(rendered) = leptos::prelude::use_context::<Rendered>()
        && let Ok(mut notes) = rendered.0.lock()
    {
        change(&mut notes);
    }
}

/// The page shows this product (its title, price, photo or availability).
pub fn shows(slug: &str) {
    #[cfg(feature = "ssr")]
    note(|n| {
        n.slugs.insert(slug.to_owned());
    });
    #[cfg(not(feature = "ssr"))]
    let _ = slug;
}

/// The page must not be served to anyone else (it shows something that changes with
/// time rather than with the catalog).
pub fn not_shared(why: &'static str) {
    #[cfg(feature = "ssr")]
    note(|n| n.not_shared = n.not_shared.or(Some(why)));
    #[cfg(not(feature = "ssr"))]
    let _ = why;
}

/// Part of the page may be shown for at most `time`.
pub fn lasts_at_most(time: Duration) {
    #[cfg(feature = "ssr")]
    note(|n| n.lasts = Some(n.lasts.map_or(time, |t| t.min(time))));
    #[cfg(not(feature = "ssr"))]
    let _ = time;
}
