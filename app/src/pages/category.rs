use crate::catalog::api::get_category;
use crate::catalog::model::{CategoryPage as CategoryData, ListingSort};
use crate::components::breadcrumbs::Breadcrumbs;
use crate::components::head::Title;
use crate::components::product_grid::ProductGrid;
use crate::pages::error::ErrorPanel;
use leptos::prelude::*;
use leptos_meta::{Link, Meta};
use leptos_router::hooks::{use_params_map, use_query_map};

/// `/c/<category path>?sort=<order>&after=<cursor>`
#[component]
pub fn CategoryPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let page = Resource::new(
        move || {
            let q = query.read();
            (
                params.read().get("path").unwrap_or_default(),
                q.get("sort"),
                q.get("after"),
            )
        },
        |(path, sort, after)| get_category(path, sort, after),
    );
    view! {
        <Suspense fallback=|| {
            view! { <p>"Loading…"</p> }
        }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(data) => view! { <Listing data /> }.into_any(),
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn listing_href(path: &str, sort: ListingSort, after: Option<&str>) -> String {
    let mut href = format!("/c/{path}");
    let mut sep = '?';
    if sort != ListingSort::default() {
        href.push_str(&format!("{sep}sort={}", sort.param()));
        sep = '&';
    }
    if let Some(after) = after {
        href.push_str(&format!("{sep}after={}", crate::url::encode(after)));
    }
    href
}

#[component]
fn Listing(data: CategoryData) -> impl IntoView {
    let title = format!("{} · Mercato", data.name);
    let description = format!(
        "Shop {} {} at Mercato.",
        data.total,
        data.name.to_lowercase()
    );
    let current = data.sort;
    let path = data.path.clone();
    let sort_links = ListingSort::ALL
        .into_iter()
        .map(|s| {
            let here = s == current;
            view! {
                <li>
                    <a href=listing_href(&path, s, None) aria-current=here.then_some("true")>
                        {s.label()}
                    </a>
                </li>
            }
        })
        .collect_view();
    let first = (!data.is_first_page).then(|| {
        view! { <a href=listing_href(&data.path, current, None)>"First page"</a> }
    });
    let next = data.next.as_deref().map(|after| {
        view! {
            <a href=listing_href(&data.path, current, Some(after)) rel="next">
                "Next page"
            </a>
        }
    });
    let empty = data
        .products
        .is_empty()
        .then(|| view! { <p>"No products here yet."</p> });
    view! {
        <Title text=title />
        <Meta name="description" content=description />
        <Link rel="canonical" href=data.canonical />
        <Breadcrumbs trail=data.breadcrumbs />
        <h1 id="listing-title">{data.name}</h1>
        <p class="muted" data-test="result-count">
            {format!("{} products", data.total)}
        </p>
        {(!data.children.is_empty())
            .then(|| {
                view! {
                    <nav aria-label="Subcategories">
                        <ul class="chips">
                            {data
                                .children
                                .into_iter()
                                .map(|c| {
                                    let href = c.href();
                                    view! {
                                        <li>
                                            <a href=href>{c.name}</a>
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    </nav>
                }
            })}
        <nav aria-label="Sort products">
            <span class="muted">"Sort by: "</span>
            <ul class="chips">{sort_links}</ul>
        </nav>
        // The cards' titles are h3s: a heading between them and the page's h1.
        <h2 class="visually-hidden">"Products"</h2>
        <ProductGrid cards=data.products labelled_by="listing-title" eager_count=4 />
        {empty}
        <nav aria-label="Pages" class="pager">
            {first}
            {next}
        </nav>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hrefs_encode_cursors() {
        assert_eq!(listing_href("a/b", ListingSort::Newest, None), "/c/a/b");
        assert_eq!(
            listing_href("a", ListingSort::Name, Some("7~x y&z")),
            "/c/a?sort=name&after=7~x%20y%26z"
        );
    }
}
