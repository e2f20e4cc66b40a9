//! What a shopper sees in place of a page that cannot load.

use crate::catalog::model::CatalogError;
use crate::components::status::set_http_status;
use leptos::prelude::*;

/// What a shopper sees when a page cannot load: a clear message, the right status.
#[component]
pub fn ErrorPanel(error: CatalogError) -> impl IntoView {
    if error == CatalogError::NotFound {
        return view! { <crate::pages::not_found::NotFound /> }.into_any();
    }
    set_http_status(crate::api_error::HttpStatus::http_status(&error));
    view! {
        <section class="error-panel" role="alert">
            <h1>"Something went wrong"</h1>
            <p>{error.to_string()}</p>
            <p>
                <a href="/">"Back to the home page"</a>
            </p>
        </section>
    }
    .into_any()
}
