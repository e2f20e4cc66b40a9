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

/// The props the island `key` starts from: the next element the server wrote for it.
///
/// Props it cannot find or read are a bug in the shop (the server writes them with the
/// island), and the island cannot hydrate without them: its view would not match the
/// server's markup. So it stops there, as the `#[island]` macro's own props reading does,
/// saying which island on the console (the end-to-end tests fail on that message).
#[cfg(all(feature = "hydrate", not(feature = "ssr")))]
pub fn props<T: super::FromJs>(key: &str) -> T {
    document()
        .query_selector(&["[", KEY, "=\"", key, "\"]"].concat())
        .ok()
        .flatten()
        .and_then(|el| {
            let _ = el.remove_attribute(KEY);
            el.get_attribute("data-json")
        })
        .and_then(|json| super::parse::<T>(&json))
        .unwrap_or_else(|| panic!("the island {key} found no props it could read"))
}

/// The props the island `key` starts from: on the server, the context `with_props` gave.
#[cfg(any(feature = "ssr", not(feature = "hydrate")))]
pub fn props<T: Clone + Default + Send + Sync + 'static>(key: &str) -> T {
    let _ = (key, KEY);
    use_context::<T>().unwrap_or_default()
}
