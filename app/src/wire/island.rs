//! What an island starts from, without the `#[island]` macro's props (which it reads with
//! serde_json in the browser). The server renders [`with_props`]: the props as JSON in a
//! hidden element just before the island (outside it, so its hydration never sees the
//! element), and the island itself inside a context holding the same props. The island
//! asks [`props`]: on the server that context, in the browser the element, parsed by the
//! browser and read with `FromJs`, then marked as taken so that a second island of the
//! same kind on the page reads the next one (islands hydrate in document order).
//!
//! Each island has its own props type, so two islands never read each other's context.

use leptos::prelude::*;

/// The attribute naming which island a props element is for; removed once read.
const KEY: &str = "data-island-props";

/// `island` (a component with no props) rendered with `props` as what it starts from.
pub fn with_props<T, V>(
    key: &'static str,
    props: T,
    island: impl FnOnce() -> V + Send + 'static,
) -> impl IntoView
where
    T: serde::Serialize + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    // Attribute values are escaped by the renderer; the browser gives back the JSON.
    #[cfg(feature = "ssr")]
    let json = serde_json::to_string(&props).unwrap_or_default();
    #[cfg(not(feature = "ssr"))]
    let json = String::new();
    view! {
        <div hidden data-island-props=key data-json=json></div>
        <leptos::context::Provider value=props>{island()}</leptos::context::Provider>
    }
}

/// The props the island `key` starts from (on the server, its context; in the browser,
/// the next element the server wrote for it). Default, with a warning in the console,
/// if they are missing or unreadable.
#[cfg(feature = "hydrate")]
pub fn props<T: super::FromJs + Default>(key: &str) -> T {
    let found = document()
        .query_selector(&["[", KEY, "=\"", key, "\"]"].concat())
        .ok()
        .flatten()
        .and_then(|el| {
            let _ = el.remove_attribute(KEY);
            el.get_attribute("data-json")
        })
        .and_then(|json| super::parse::<T>(&json));
    found.unwrap_or_else(|| {
        leptos::logging::warn!("the island {key} found no props it could read");
        T::default()
    })
}

/// The props the island `key` starts from (on the server, its context; in the browser,
/// the next element the server wrote for it).
#[cfg(not(feature = "hydrate"))]
pub fn props<T: Clone + Default + Send + Sync + 'static>(key: &str) -> T {
    let _ = (key, KEY);
    use_context::<T>().unwrap_or_default()
}
