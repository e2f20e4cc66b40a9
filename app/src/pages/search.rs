//! `/search?q=...&<filters>`: results with highlighted matches and facets. All state is
//! in the URL, so results are shareable, the back button works, and every control is a
//! link that works without JavaScript.

use crate::catalog::model::CategoryLink;
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

/// One facet: a heading and its values.
#[component]
fn FacetSection(id: String, heading: String, children: Children) -> impl IntoView {
    let labelled_by = id.clone();
    view! {
        <section aria-labelledby=labelled_by>
            <h3 id=id>{heading}</h3>
            <ul>{children()}</ul>
        </section>
    }
}

/// The category facet: "All categories" when one is chosen, the chosen path, then the
/// subcategories with their counts.
#[component]
fn CategoryFacet(
    p: SearchParams,
    trail: Vec<CategoryLink>,
    children: Vec<FacetValue>,
    about: bool,
) -> impl IntoView {
    let all = p.category.is_some().then(|| {
        let href = p.with(|n| n.category = None).href();
        view! {
            <li>
                <a href=href rel="nofollow">
                    "All categories"
                </a>
            </li>
        }
    });
    let trail = trail
        .into_iter()
        .map(|c| {
            let href = p.with(|n| n.category = Some(c.path.clone())).href();
            view! {
                <li>
                    <a href=href rel="nofollow">
                        {c.name}
                    </a>
                </li>
            }
        })
        .collect_view();
    let children = children
        .into_iter()
        .map(|v| {
            let href = p.with(|n| n.category = Some(v.value.clone())).href();
            view! { <FacetLink value=v href about /> }
        })
        .collect_view();
    view! {
        <FacetSection id="facet-category".into() heading="Category".into()>
            {all}
            {trail}
            {children}
        </FacetSection>
    }
}

/// The link that chooses a price range, or clears the chosen one.
fn price_href(p: &SearchParams, v: &FacetValue) -> String {
    if v.selected {
        p.with(|n| n.price = None).href()
    } else {
        let range = SearchParams::from_pairs([("price", v.value.as_str())])
            .ok()
            .and_then(|x| x.price);
        p.with(|n| n.price = range).href()
    }
}

#[component]
fn Facets(data: SearchResults) -> impl IntoView {
    let p = data.params.clone();
    let f = data.facets;
    let about = !f.exact;
    let links = |values: Vec<FacetValue>, href: &dyn Fn(&FacetValue) -> String| {
        values
            .into_iter()
            .map(|v| {
                let href = href(&v);
                view! { <FacetLink value=v href about /> }
            })
            .collect_view()
    };
    let brands = (!f.brands.is_empty()).then(|| {
        let items = links(f.brands, &|v| p.toggle_brand(&v.value).href());
        view! {
            <FacetSection id="facet-brand".into() heading="Brand".into()>
                {items}
            </FacetSection>
        }
    });
    let prices = (!f.prices.is_empty()).then(|| {
        let items = links(f.prices, &|v| price_href(&p, v));
        view! {
            <FacetSection id="facet-price".into() heading="Price".into()>
                {items}
            </FacetSection>
        }
    });
    let in_stock = FacetValue {
        value: "1".into(),
        label: "In stock only".into(),
        count: f.in_stock,
        selected: p.in_stock,
    };
    let in_stock_href = p.with(|n| n.in_stock = !n.in_stock).href();
    let attributes = f
        .attributes
        .into_iter()
        .map(|a| {
            let items = links(a.values, &|v| p.toggle_attribute(&a.code, &v.value).href());
            view! {
                <FacetSection id=format!("facet-attr-{}", a.code) heading=a.name>
                    {items}
                </FacetSection>
            }
        })
        .collect_view();
    view! {
        <CategoryFacet p=p.clone() trail=f.category_trail children=f.categories about />
        {brands}
        {prices}
        <FacetSection id="facet-stock".into() heading="Availability".into()>
            <FacetLink value=in_stock href=in_stock_href about />
        </FacetSection>
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
        <Notices
            did_you_mean=data.did_you_mean.clone()
            relaxed=data.relaxed
            ignored=data.ignored.clone()
            p=p.clone()
            cls
        />
        <div class="layout">
            <aside aria-label="Filters">
                <h2 class="visually-hidden">"Filters"</h2>
                <Facets data=data.clone() />
            </aside>
            <div>
                <nav aria-label="Sort results">
                    <span class="muted">"Sort by: "</span>
                    <SortLinks p=p.clone() />
                </nav>
                <ProductGrid
                    cards
                    marks
                    labelled_by="results-title"
                    eager_count=if first_shown == 0 { 4 } else { 0 }
                />
                {data.hits.is_empty().then(|| view! { <NoResults p=p.clone() total=data.total /> })}
                {pager(&p, pages)}
            </div>
        </div>
    }
}

/// "Did you mean", or that only some of the words matched.
#[component]
fn Notices(
    did_you_mean: Option<String>,
    relaxed: bool,
    ignored: Vec<String>,
    p: SearchParams,
    cls: &'static str,
) -> impl IntoView {
    let ignored = (!ignored.is_empty()).then(|| {
        let words = ignored
            .iter()
            .map(|w| format!("“{w}”"))
            .collect::<Vec<_>>()
            .join(", ");
        view! { class=cls,
            <p class="notice" data-test="ignored">
                "Nothing in the shop matches "
                {words}
                "; showing results without it."
            </p>
        }
    });
    let did_you_mean = did_you_mean.map(|fixed| {
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
    let relaxed = relaxed.then(|| {
        view! { class=cls,
            <p class="notice">
                "No product matches every word; showing products that match most of them."
            </p>
        }
    });
    view! {
        {did_you_mean}
        {ignored}
        {relaxed}
    }
}

/// The sort orders, the current one marked.
#[component]
fn SortLinks(p: SearchParams) -> impl IntoView {
    let links = SearchSort::ALL
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
    view! { <ul class="chips">{links}</ul> }
}

/// What to try when a page shows no products: other words, no filters, or the first page.
#[component]
fn NoResults(p: SearchParams, total: u64) -> impl IntoView {
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
    let past_end = (total > 0).then(|| {
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
}
