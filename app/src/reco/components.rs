//! Recommendation lists on pages: drawn on the server with the page (no JavaScript
//! needed), each a titled grid of product cards; nothing at all when there is nothing
//! to recommend.

use super::api::get_recommendations;
use super::model::Shelf;
use crate::components::product_grid::ProductGrid;
use leptos::prelude::*;

/// The heading id of a list of `kind` (the grid is labelled by it).
fn heading_id(kind: &str) -> &'static str {
    match kind {
        "together" => "reco-together",
        "similar" => "reco-similar",
        "cart" => "reco-cart",
        "for_you" => "reco-for-you",
        "trending" => "reco-trending",
        "recently_viewed" => "reco-recently-viewed",
        "also_bought" => "reco-also-bought",
        _ => "reco-list",
    }
}

/// How many photos of the home page's first list load at once (it is at the top).
pub const HOME_EAGER: usize = 4;

/// The lists for a place (see `get_recommendations`).
#[component]
pub fn Recommendations(
    place: &'static str,
    #[prop(into)] key: String,
    /// How many photos of the first list load at once (it is at the top of the page).
    #[prop(default = 0)]
    eager: usize,
) -> impl IntoView {
    // The lists follow the recommender's own clock (and the catalog's changes).
    crate::page_cache::lasts_at_most(super::model::FRESH_FOR);
    let lists = Resource::new(
        move || key.clone(),
        move |key| get_recommendations(place.to_owned(), key),
    );
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let shelves = lists.await.unwrap_or_default();
                view! { <Shelves shelves eager /> }
            })}
        </Suspense>
    }
}

/// The lists themselves, in one element that takes no place in the layout: for a
/// visitor with a session the page cache draws this alone and puts it in the kept page
/// (`page_cache::parts`).
#[component]
pub fn Shelves(shelves: Vec<Shelf>, eager: usize) -> impl IntoView {
    view! {
        <div class="reco-lists">
            {shelves
                .into_iter()
                .enumerate()
                .map(|(i, shelf)| {
                    let eager = if i == 0 { eager } else { 0 };
                    view! { <ShelfView shelf eager /> }
                })
                .collect_view()}
        </div>
    }
}

#[component]
fn ShelfView(shelf: Shelf, eager: usize) -> impl IntoView {
    let id = heading_id(&shelf.kind);
    let cards = shelf.items.into_iter().map(|i| i.card).collect::<Vec<_>>();
    view! {
        <section aria-labelledby=id data-test=format!("reco-{}", shelf.kind)>
            <h2 id=id>{shelf.title}</h2>
            <ProductGrid cards labelled_by=id eager_count=eager />
        </section>
    }
}
