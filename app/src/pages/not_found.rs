use crate::components::head::Title;
use crate::components::status::set_http_status;
use leptos::prelude::*;
use leptos_meta::Meta;

/// The 404 page; the response carries status 404.
#[component]
pub fn NotFound() -> impl IntoView {
    set_http_status(404);
    view! {
        <Title text="Page not found · Mercato" />
        <Meta name="robots" content="noindex" />
        <section class="not-found">
            <h1>"Page not found"</h1>
            <p>
                "We could not find that page. It may have moved, or the product may no longer be sold."
            </p>
            <p>
                <a href="/">"Go to the home page"</a>
            </p>
        </section>
    }
}
