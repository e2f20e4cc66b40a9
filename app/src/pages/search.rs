//! `/search?q=...&<filters>`: results with highlighted matches and facets. All state is
//! in the URL, so results are shareable, the back button works, and every control is a
//! link that works without JavaScript.

use crate::components::head::Title;
use crate::components::product_grid::ProductGrid;
use crate::pages::error::ErrorPanel;
use crate::search::api::search_products;
use crate::search::model::{FacetValue, SearchResults};
use crate::search::params::{PAGE_SIZE, SearchParams, SearchSort};
use leptos::prelude::*;
use leptos_meta::Meta;
use leptos_router::hooks::use_location;
use stylers_macro::style;

#[component]
pub fn SearchPage() -> impl IntoView {
    let location = use_location();
    let results = Resource::new(move || location.search.get(), search_products);
    view! {
        <Suspense fallback=|| {
            view! { <p>"Searching…"</p> }
        }>
            {move || Suspend::new(async move {
                match results.await {
                    Ok(data) => view! { <Results data /> }.into_any(),
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// A facet value as a link that toggles it.
#[component]
fn FacetLink(value: FacetValue, href: String, #[prop(optional)] about: bool) -> impl IntoView {
    // Estimated counts (a very large result set) read "about".
    let label = if about {
        format!("{} (~{})", value.label, value.count)
    } else {
        format!("{} ({})", value.label, value.count)
    };
    view! {
        <li>
            <a
                href=href
                aria-current=value.selected.then_some("true")
                data-test="facet"
                rel="nofollow"
            >
                <span aria-hidden="true" class="check">
                    {if value.selected { "☑ " } else { "☐ " }}
                </span>
                {label}
            </a>
        </li>
    }
}

#[component]
fn Facets(data: SearchResults) -> impl IntoView {
    let p = data.params.clone();
    let f = data.facets;
    let about = !f.exact;
    let category_block = {
        let p = p.clone();
        let all = p.with(|n| n.category = None).href();
        let trail = f
            .category_trail
            .iter()
            .map(|c| {
                let href = p.with(|n| n.category = Some(c.path.clone())).href();
                view! {
                    <li>
                        <a href=href rel="nofollow">
                            {c.name.clone()}
                        </a>
                    </li>
                }
            })
            .collect_view();
        let children = f
            .categories
            .into_iter()
            .map(|v| {
                let href = p.with(|n| n.category = Some(v.value.clone())).href();
                view! { <FacetLink value=v href about /> }
            })
            .collect_view();
        let any = p.category.is_some();
        view! {
            <section aria-labelledby="facet-category">
                <h3 id="facet-category">"Category"</h3>
                <ul>
                    {any
                        .then(|| {
                            view! {
                                <li>
                                    <a href=all rel="nofollow">
                                        "All categories"
                                    </a>
                                </li>
                            }
                        })} {trail} {children}
                </ul>
            </section>
        }
    };
    let brands = (!f.brands.is_empty()).then(|| {
        let items = f
            .brands
            .into_iter()
            .map(|v| {
                let href = p.toggle_brand(&v.value).href();
                view! { <FacetLink value=v href about /> }
            })
            .collect_view();
        view! {
            <section aria-labelledby="facet-brand">
                <h3 id="facet-brand">"Brand"</h3>
                <ul>{items}</ul>
            </section>
        }
    });
    let prices = (!f.prices.is_empty()).then(|| {
        let items = f
            .prices
            .into_iter()
            .map(|v| {
                let href = if v.selected {
                    p.with(|n| n.price = None).href()
                } else {
                    let range = SearchParams::from_pairs([("price", v.value.as_str())])
                        .ok()
                        .and_then(|x| x.price);
                    p.with(|n| n.price = range).href()
                };
                view! { <FacetLink value=v href about /> }
            })
            .collect_view();
        view! {
            <section aria-labelledby="facet-price">
                <h3 id="facet-price">"Price"</h3>
                <ul>{items}</ul>
            </section>
        }
    });
    let stock = {
        let value = FacetValue {
            value: "1".into(),
            label: "In stock only".into(),
            count: f.in_stock,
            selected: p.in_stock,
        };
        let href = p.with(|n| n.in_stock = !n.in_stock).href();
        view! {
            <section aria-labelledby="facet-stock">
                <h3 id="facet-stock">"Availability"</h3>
                <ul>
                    <FacetLink value href about />
                </ul>
            </section>
        }
    };
    let attributes = f
        .attributes
        .into_iter()
        .map(|a| {
            let id = format!("facet-attr-{}", a.code);
            let labelled_by = id.clone();
            let items = a
                .values
                .into_iter()
                .map(|v| {
                    let href = p.toggle_attribute(&a.code, &v.value).href();
                    view! { <FacetLink value=v href about /> }
                })
                .collect_view();
            view! {
                <section aria-labelledby=labelled_by>
                    <h3 id=id>{a.name}</h3>
                    <ul>{items}</ul>
                </section>
            }
        })
        .collect_view();
    view! {
        {category_block}
        {brands}
        {prices}
        {stock}
        {attributes}
    }
    .into_any()
}

fn pager(p: &SearchParams, pages: u32) -> AnyView {
    let page = p.page;
    let prev = (page > 1).then(|| {
        let href = p.at_page(page - 1).href();
        view! {
            <a href=href rel="prev">
                "Previous page"
            </a>
        }
    });
    let next = (page < pages && page < crate::search::params::MAX_PAGE).then(|| {
        let href = p.at_page(page + 1).href();
        view! {
            <a href=href rel="next">
                "Next page"
            </a>
        }
    });
    let label = (pages > 1)
        .then(|| view! { <span class="muted">{format!("Page {page} of {pages}")}</span> });
    view! {
        <nav aria-label="Pages" class="pager">
            {prev}
            {label}
            {next}
        </nav>
    }
    .into_any()
}

#[component]
fn Results(data: SearchResults) -> impl IntoView {
    let cls = style! {
        .layout {
            display: grid;
            grid-template-columns: minmax(12rem, 16rem) 1fr;
            gap: 2rem;
            align-items: start;
        }
        @media (max-width: 48rem) {
            .layout {
                grid-template-columns: 1fr;
            }
        }
        aside :deep(h3) {
            font-size: 0.95rem;
            margin: 1.25rem 0 0.4rem;
        }
        aside :deep(ul) {
            list-style: none;
            margin: 0;
            padding: 0;
        }
        aside :deep(li a) {
            display: block;
            padding: 0.2rem 0;
            color: var(--ink);
            text-decoration: none;
        }
        aside :deep(li a:hover) {
            text-decoration: underline;
        }
        aside :deep(a[aria-current]) {
            font-weight: 700;
        }
        .notice {
            padding: 0.75rem 1rem;
            border-left: 4px solid var(--accent);
            background: var(--paper);
        }
    };
    let p = data.params.clone();
    let heading = if p.q.is_empty() {
        "All products".to_owned()
    } else {
        format!("Results for “{}”", p.q)
    };
    let title = if p.q.is_empty() {
        "Search · Mercato".to_owned()
    } else {
        format!("{} – Search · Mercato", p.q)
    };
    let count = match data.total {
        0 => "No products found".to_owned(),
        1 => "1 product".to_owned(),
        n => format!("{n} products"),
    };
    let did_you_mean = data.did_you_mean.clone().map(|fixed| {
        let href = p.with(|n| n.q = fixed.clone()).href();
        view! { class=cls,
            <p class="notice" data-test="did-you-mean">
                "Did you mean "
                <a href=href>
                    <strong>{fixed}</strong>
                </a>
                "?"
            </p>
        }
    });
    let relaxed = data.relaxed.then(|| {
        view! { class=cls,
            <p class="notice">
                "No product matches every word; showing products that match some of them."
            </p>
        }
    });
    let empty = data.hits.is_empty().then(|| {
        let clear = p.has_filters().then(|| {
            let href = SearchParams {
                q: p.q.clone(),
                page: 1,
                ..Default::default()
            }
            .href();
            view! {
                <p>
                    <a href=href>"Search again without filters"</a>
                </p>
            }
        });
        let past_end = (data.total > 0).then(|| {
            let href = p.at_page(1).href();
            view! { <p>"This page is past the last result. " <a href=href>"Back to the first page"</a></p> }
        });
        view! {
            <div data-test="no-results">
                <p>"Try fewer or different words, or check the spelling."</p>
                {past_end}
                {clear}
            </div>
        }
    });
    let sort_links = SearchSort::ALL
        .into_iter()
        .map(|s| {
            let href = p.with(|n| n.sort = s).href();
            view! {
                <li>
                    <a href=href aria-current=(s == p.sort).then_some("true") rel="nofollow">
                        {s.label()}
                    </a>
                </li>
            }
        })
        .collect_view();
    let marks: Vec<_> = data.hits.iter().map(|h| h.title_marks.clone()).collect();
    let cards: Vec<_> = data.hits.iter().map(|h| h.card.clone()).collect();
    let pages = data.pages;
    let first_shown = (p.page - 1) * PAGE_SIZE;
    view! { class=cls,
        <Title text=title />
        <Meta name="robots" content="noindex, follow" />
        <h1 id="results-title">{heading}</h1>
        <p class="muted" data-test="result-count" aria-live="polite">
            {count}
        </p>
        {did_you_mean}
        {relaxed}
        <div class="layout">
            <aside aria-label="Filters">
                <h2 class="visually-hidden">"Filters"</h2>
                <Facets data=data.clone() />
            </aside>
            <div>
                <nav aria-label="Sort results">
                    <span class="muted">"Sort by: "</span>
                    <ul class="chips">{sort_links}</ul>
                </nav>
                <ProductGrid
                    cards
                    marks
                    labelled_by="results-title"
                    eager_count=if first_shown == 0 { 4 } else { 0 }
                />
                {empty}
                {pager(&p, pages)}
            </div>
        </div>
    }
}
