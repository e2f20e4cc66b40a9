//! The header with navigation and the footer with the data sets' attributions.

use super::search_box::SearchBox;
use crate::cart::api::get_header_info;
use crate::cart::model::HeaderInfo;
use crate::cart::pages::CartCount;
use crate::catalog::api::get_nav;
use leptos::either::Either;
use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_query_map};
use stylers_macro::style;

/// The top categories as list items of links.
fn category_links(
    nav: Result<Vec<crate::catalog::model::CategoryLink>, crate::catalog::model::CatalogError>,
    cls: &'static str,
) -> impl IntoView {
    nav.unwrap_or_default()
        .into_iter()
        .map(|c| {
            let href = c.href();
            view! { class=cls,
                <li>
                    <a href=href>{c.name}</a>
                </li>
            }
        })
        .collect_view()
}

#[component]
pub fn Header() -> impl IntoView {
    let nav = Resource::new(|| (), |_| get_nav());
    let me = Resource::new(|| (), |_| get_header_info());
    // The search page's query stays in the box; elsewhere it starts empty.
    let initial_q = if use_location().pathname.get_untracked() == "/search" {
        use_query_map()
            .read_untracked()
            .get("q")
            .unwrap_or_default()
    } else {
        String::new()
    };
    let cls = style! {
        header {
            display: flex;
            flex-wrap: wrap;
            align-items: center;
            gap: 0.5rem 2rem;
            padding: 0.75rem clamp(1rem, 4vw, 3rem);
            background: var(--ink);
            color: var(--paper);
        }
        a {
            color: var(--paper);
            text-decoration: none;
        }
        a:hover, a:focus-visible {
            text-decoration: underline;
        }
        .brand {
            font-size: 1.4rem;
            font-weight: 700;
            letter-spacing: 0.03rem;
        }
        ul {
            display: flex;
            flex-wrap: wrap;
            gap: 1.25rem;
            list-style: none;
            margin: 0;
            padding: 0;
        }
        .menu {
            display: none;
        }
        summary {
            cursor: pointer;
            padding: 0.25rem 0;
        }
        @media (max-width: 40rem) {
            header {
                gap: 0.5rem 1rem;
                padding: 0.5rem 1rem;
            }
            .wide {
                display: none;
            }
            .menu {
                display: block;
            }
            .menu ul {
                flex-direction: column;
                gap: 0.5rem;
                padding: 0.5rem 0;
            }
        }
    };
    view! { class=cls,
        <header>
            <a class="brand" href="/">
                "Mercato"
            </a>
            // On a phone the categories fold behind a menu (a `details`: no JavaScript),
            // so the header leaves the screen to the page; wider, they are a row of links.
            <nav aria-label="Categories" class="wide">
                <ul>
                    <Suspense fallback=|| ()>
                        // A failed load was logged on the server; the page still works without the menu.
                        {move || Suspend::new(async move { category_links(nav.await, cls) })}
                    </Suspense>
                </ul>
            </nav>
            <details class="menu">
                <summary>"Menu"</summary>
                <nav aria-label="Categories">
                    <ul>
                        <Suspense fallback=|| ()>
                            {move || Suspend::new(async move { category_links(nav.await, cls) })}
                        </Suspense>
                    </ul>
                </nav>
            </details>
            <SearchBox initial_q />
            <Suspense fallback=|| ()>
                // Without the database the page still renders; the links then show defaults.
                {move || Suspend::new(async move {
                    let info = me.await.unwrap_or_default();
                    view! { <AccountNav info /> }
                })}
            </Suspense>
        </header>
    }
}

/// The header's part for one visitor: their account link and cart count. It is the only
/// part of the header that differs between visitors, so the page cache draws it alone
/// for a visitor with a session and puts it in the kept page (`page_cache::parts`).
#[component]
pub fn AccountNav(info: HeaderInfo) -> impl IntoView {
    let cls = style! {
        nav {
            display: flex;
            flex-wrap: nowrap;
            gap: 1.25rem;
            align-items: center;
        }
        a {
            color: var(--paper);
            text-decoration: none;
        }
        a:hover, a:focus-visible {
            text-decoration: underline;
        }
    };
    let account = match info.signed_in_as {
        Some(_) => Either::Left(view! { class=cls, <a href="/account">"Account"</a> }),
        None => Either::Right(view! { class=cls, <a href="/account/sign-in">"Sign in"</a> }),
    };
    view! { class=cls,
        <nav aria-label="Your account">{account} <CartCount initial=info.cart_items /></nav>
    }
}

#[component]
pub fn Footer() -> impl IntoView {
    let cls = style! {
        footer {
            margin-top: 4rem;
            padding: 2rem clamp(1rem, 4vw, 3rem);
            border-top: 1px solid var(--line);
            color: var(--muted);
            font-size: 0.85rem;
        }
        a {
            color: var(--muted);
        }
    };
    view! { class=cls,
        <footer>
            <p>
                <a href="/orders/lookup">"Find an order"</a>
            </p>
            <p>
                "Demo catalog from the Vendure sample data (MIT licence); product photos from "
                <a href="https://unsplash.com/license">"Unsplash"</a>
                ". Online Retail data set: Chen, Sain and Guo (2012), UCI Machine Learning Repository, CC BY 4.0."
            </p>
        </footer>
    }
}
