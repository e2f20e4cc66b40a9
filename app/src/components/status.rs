//! HTTP status of server-rendered pages, and the error panel.

use crate::catalog::model::CatalogError;
use leptos::prelude::*;

/// Sets the status of the response being rendered (no-op in the browser).
pub fn set_http_status(code: u16) {
    #[cfg(feature = "ssr")]
    if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
        let status = axum::http::StatusCode::from_u16(code)
            .unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR);
        resp.set_status(status);
    }
    #[cfg(not(feature = "ssr"))]
    let _ = code;
}

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
