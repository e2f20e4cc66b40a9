//! The header's search box: a plain GET form to `/search` (works without JavaScript),
//! enhanced in the browser into an ARIA 1.2 combobox with product, category and brand
//! suggestions as the shopper types (arrow keys move, Enter opens, Escape closes).
//!
//! It is an island: the one part of the header the browser runs. Everything it needs
//! from the page (the query the page was opened with) comes in its props, which the
//! server writes beside it (`crate::wire::island`).

use crate::catalog::model::CatalogError;
use crate::search::api::Suggest;
use crate::search::model::Suggestion;
use crate::search::params::{MAX_QUERY_CHARS, SearchParams};
use leptos::ev::{KeyboardEvent, SubmitEvent};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use std::time::Duration;
use stylers_macro::style;

const LISTBOX: &str = "search-suggestions";
/// Typing pauses this long before suggestions are fetched.
const DEBOUNCE: Duration = Duration::from_millis(120);

fn option_id(i: usize) -> String {
    format!("search-suggestion-{i}")
}

/// Where a chosen suggestion or a submitted search goes: a full page load, as with
/// JavaScript off (the island has no router of its own).
fn go_to(href: &str) {
    if let Err(error) = window().location().set_href(href) {
        leptos::logging::warn!("could not open {href}: {error:?}");
    }
}

/// What the search box starts from.
#[derive(Clone, Default, serde::Serialize)]
struct SearchBoxStart {
    /// The query of the page it is on (empty off the search page).
    initial_q: String,
}

crate::from_js_struct!(SearchBoxStart { initial_q });

/// The header's search box; `initial_q`: the query of the page it is on (empty off the
/// search page).
#[component]
pub fn SearchBox(initial_q: String) -> impl IntoView {
    crate::wire::island::with_props("search-box", SearchBoxStart { initial_q }, || {
        view! { <SearchBoxIsland /> }
    })
}

#[island]
fn SearchBoxIsland() -> impl IntoView {
    let SearchBoxStart { initial_q } = crate::wire::island::props("search-box");
    let cls = style! {
        form {
            position: relative;
            display: flex;
            flex: 1 1 18rem;
            max-width: 34rem;
            gap: 0.4rem;
        }
        input {
            flex: 1;
            min-width: 0;
            padding: 0.5rem 0.75rem;
            border: 1px solid var(--line-strong);
            border-radius: 0.5rem;
            font: inherit;
            color: var(--ink);
            background: var(--paper);
        }
        button {
            padding: 0.5rem 0.9rem;
            border: 1px solid var(--paper);
            border-radius: 0.5rem;
            background: transparent;
            color: var(--paper);
            font: inherit;
            cursor: pointer;
        }
        ul {
            position: absolute;
            top: calc(100% + 0.25rem);
            left: 0;
            right: 0;
            z-index: 20;
            margin: 0;
            padding: 0.25rem 0;
            list-style: none;
            background: var(--paper);
            color: var(--ink);
            border: 1px solid var(--line-strong);
            border-radius: 0.5rem;
            box-shadow: 0 8px 24px rgba(0, 0, 0, 0.18);
        }
        li {
            display: flex;
            justify-content: space-between;
            gap: 1rem;
            padding: 0.45rem 0.75rem;
            cursor: pointer;
        }
        li[aria-selected="true"] {
            background: var(--ink);
            color: var(--paper);
        }
        .kind {
            font-size: 0.8rem;
            opacity: 0.8;
        }
    };
    let cb = Combobox::new(initial_q.clone());
    view! { class=cls,
        <form action="/search" method="get" role="search" on:submit=move |ev| cb.submit(ev)>
            <label for="site-search" class="visually-hidden">
                "Search products"
            </label>
            <input
                id="site-search"
                type="search"
                name="q"
                placeholder="Search products, brands, categories"
                autocomplete="off"
                maxlength=MAX_QUERY_CHARS
                role="combobox"
                aria-autocomplete="list"
                aria-controls=LISTBOX
                aria-expanded=move || if cb.open.get() { "true" } else { "false" }
                aria-activedescendant=move || {
                    cb.active.get().filter(|_| cb.open.get()).map(option_id)
                }
                prop:value=move || cb.text.get()
                value=initial_q
                on:input=move |ev| {
                    let value = event_target_value(&ev);
                    cb.text.set(value.clone());
                    cb.fetch(value);
                }
                on:keydown=move |ev| cb.key(ev)
                on:blur=move |_| cb.open.set(false)
                on:focus=move |_| cb.open.set(cb.items.with(|i| !i.is_empty()))
            />
            <button type="submit">"Search"</button>
            <SuggestionList cb cls />
        </form>
    }
}

/// The combobox's state: what is typed, the suggestions for it, whether the list is open
/// and which suggestion is active. Signals are handles, so it is copied freely.
#[derive(Clone, Copy)]
struct Combobox {
    text: RwSignal<String>,
    items: RwSignal<Vec<Suggestion>>,
    open: RwSignal<bool>,
    active: RwSignal<Option<usize>>,
    /// Each fetch's number: an answer to an older one is dropped.
    version: StoredValue<u64>,
}

impl Combobox {
    fn new(initial_q: String) -> Self {
        Combobox {
            text: RwSignal::new(initial_q),
            items: RwSignal::new(Vec::new()),
            open: RwSignal::new(false),
            active: RwSignal::new(None),
            version: StoredValue::new(0),
        }
    }

    /// Suggestions for `q`, after a pause in typing (none under two characters).
    fn fetch(self, q: String) {
        let mine = self.version.get_value() + 1;
        self.version.set_value(mine);
        if q.trim().chars().count() < 2 {
            self.open.set(false);
            self.items.set(Vec::new());
            return;
        }
        set_timeout(
            move || {
                if self.version.get_value() != mine {
                    return;
                }
                leptos::task::spawn_local(async move {
                    let result = crate::fetch::post::<Vec<Suggestion>, CatalogError>(
                        Suggest::PATH,
                        &[("q", &q)],
                    )
                    .await;
                    if self.version.get_value() != mine {
                        return;
                    }
                    let list = result.unwrap_or_default();
                    self.active.set(None);
                    self.open.set(!list.is_empty());
                    self.items.set(list);
                });
            },
            DEBOUNCE,
        );
    }

    fn go(self, href: String) {
        self.open.set(false);
        self.version.set_value(self.version.get_value() + 1);
        go_to(&href);
    }

    /// Arrow keys move through the list, Enter opens the active suggestion, Escape closes
    /// the list (a second Escape clears the box: the browser's own).
    fn key(self, ev: KeyboardEvent) {
        let n = self.items.with(Vec::len);
        match ev.key().as_str() {
            "ArrowDown" if n > 0 => {
                ev.prevent_default();
                self.open.set(true);
                self.active
                    .update(|a| *a = Some(a.map_or(0, |i| (i + 1) % n)));
            }
            "ArrowUp" if n > 0 => {
                ev.prevent_default();
                self.open.set(true);
                self.active
                    .update(|a| *a = Some(a.map_or(n - 1, |i| (i + n - 1) % n)));
            }
            "Escape" if self.open.get_untracked() => {
                ev.prevent_default();
                self.open.set(false);
                self.active.set(None);
            }
            "Enter" => {
                let chosen = self
                    .active
                    .get_untracked()
                    .filter(|_| self.open.get_untracked())
                    .and_then(|i| self.items.with_untracked(|list| list.get(i).cloned()));
                if let Some(s) = chosen {
                    ev.prevent_default();
                    self.go(s.href);
                }
            }
            _ => {}
        }
    }

    /// The search itself, as the page's URL.
    fn submit(self, ev: SubmitEvent) {
        ev.prevent_default();
        let q = self.text.get_untracked();
        self.go(SearchParams {
            q: q.split_whitespace().collect::<Vec<_>>().join(" "),
            page: 1,
            ..Default::default()
        }
        .href());
    }
}

/// The list of suggestions under the box.
#[component]
fn SuggestionList(cb: Combobox, cls: &'static str) -> impl IntoView {
    let options = move || {
        cb.items
            .get()
            .into_iter()
            .enumerate()
            .map(|(i, s)| {
                let href = s.href.clone();
                let selected = move || cb.active.get() == Some(i);
                view! { class=cls,
                    <li
                        id=option_id(i)
                        role="option"
                        aria-selected=move || if selected() { "true" } else { "false" }
                        on:mousedown=move |ev| {
                            ev.prevent_default();
                            cb.go(href.clone());
                        }
                    >
                        <span>{s.label}</span>
                        <span class="kind">
                            {s.detail.unwrap_or_else(|| s.kind.label().to_owned())}
                        </span>
                    </li>
                }
            })
            .collect_view()
    };
    view! { class=cls,
        <ul id=LISTBOX role="listbox" aria-label="Suggestions" hidden=move || !cb.open.get()>
            {options}
        </ul>
    }
}
