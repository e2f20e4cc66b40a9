//! HTTP status of server-rendered pages.

#[cfg(feature = "ssr")]
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
