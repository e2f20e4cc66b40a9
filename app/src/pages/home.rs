use crate::catalog::api::get_home;
use crate::catalog::model::HomePage as HomeData;
use crate::components::head::Title;
use crate::components::product_grid::ProductGrid;
use crate::pages::error::ErrorPanel;
use leptos::prelude::*;
use leptos_meta::{Link, Meta};

#[component]
pub fn HomePage() -> impl IntoView {
    let home = Resource::new(|| (), |_| get_home());
    view! {
        <Title text="Mercato · electronics, home and outdoor gear" />
        <Meta
            name="description"
            content="Shop laptops, cameras, furniture, plants, running shoes and sports equipment at Mercato."
        />
        <Suspense fallback=|| {
            view! { <p>"Loading…"</p> }
        }>
            {move || Suspend::new(async move {
                match home.await {
                    Ok(data) => view! { <Home data /> }.into_any(),
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Home(data: HomeData) -> impl IntoView {
    view! {
        <Link rel="canonical" href=data.canonical />
        <section class="hero">
            <h1>"Welcome to Mercato"</h1>
            <p>"Good things for work, home and the outdoors, delivered."</p>
        </section>
        <section aria-labelledby="shop-by-category">
            <h2 id="shop-by-category">"Shop by category"</h2>
            <ul class="category-tiles">
                {data
                    .categories
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
        </section>
        // The first list (trending, or picked for you) is the first row of photos.
        <crate::reco::components::Recommendations
            place="home"
            key=""
            eager=crate::reco::components::HOME_EAGER
        />
        <section aria-labelledby="featured">
            <h2 id="featured">"Featured"</h2>
            <ProductGrid cards=data.featured labelled_by="featured" />
        </section>
        <section aria-labelledby="newest">
            <h2 id="newest">"New in"</h2>
            <ProductGrid cards=data.newest labelled_by="newest" />
        </section>
    }
}
