//! One-time messages for plain form posts. Without JavaScript a form posts to a server
//! function and is redirected back; the outcome ("Added to your cart.", or what was
//! wrong) travels in a short-lived cookie and is shown once on the next page.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub const COOKIE: &str = "mercato_flash";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flash {
    pub error: bool,
    pub message: String,
}

/// Whether this request is a browser's plain form post (not a call from the WASM).
#[cfg(feature = "ssr")]
pub fn is_plain_form_post() -> bool {
    use axum::http::{Method, header, request::Parts};
    use_context::<Parts>().is_some_and(|p| {
        p.method == Method::POST
            && p.headers
                .get(header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.contains("text/html"))
    })
}

#[cfg(feature = "ssr")]
pub fn set(flash: &Flash) {
    let value = format!(
        "{}{}",
        if flash.error { "e:" } else { "n:" },
        crate::url::encode(&flash.message)
    );
    set_cookie(COOKIE, &value, 60);
}

/// Adds a short-lived, script-proof cookie for this site to the response (`max_age` 0
/// removes it). `value` must already be cookie-safe.
#[cfg(feature = "ssr")]
pub fn set_cookie(name: &str, value: &str, max_age: u32) {
    use axum::http::{HeaderValue, header};
    let cookie = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}");
    if let (Some(response), Ok(value)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        HeaderValue::from_str(&cookie),
    ) {
        response.append_header(header::SET_COOKIE, value);
    }
}

pub use crate::api_error::HttpStatus;

/// The response step every server function ends with. For a plain form post: leaves the
/// message for the next page and, on success, redirects to `then` (otherwise back to the
/// form's page). For a call from the browser's code: an error gets its own status (400,
/// 404, 409, ...).
#[cfg(feature = "ssr")]
pub fn reply<T, E: std::fmt::Display + HttpStatus>(
    result: &Result<T, E>,
    success: &str,
    then: Option<&str>,
) {
    if !is_plain_form_post() {
        error_status(result);
        return;
    }
    match result {
        Ok(_) => {
            set(&Flash {
                error: false,
                message: success.to_owned(),
            });
            if let Some(to) = then {
                leptos_axum::redirect(to);
            }
        }
        Err(error) => set(&Flash {
            error: true,
            message: capitalise(&error.to_string()),
        }),
    }
}

/// An error message as a sentence: capital first letter, full stop.
pub fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect::<String>() + ".",
        None => String::new(),
    }
}

/// Gives a server function's error response its own status instead of 500 (only when
/// it was called over HTTP: called while rendering a page, the page decides its status).
#[cfg(feature = "ssr")]
pub fn error_status<T, E: HttpStatus>(result: &Result<T, E>) {
    let over_http = use_context::<axum::http::request::Parts>()
        .is_some_and(|p| p.method == axum::http::Method::POST || p.uri.path().starts_with("/api/"));
    if !over_http {
        return;
    }
    if let (Err(error), Some(response)) = (result, use_context::<leptos_axum::ResponseOptions>())
        && let Ok(status) = axum::http::StatusCode::from_u16(error.http_status())
    {
        response.set_status(status);
    }
}

/// The message left for this page, if any; it is cleared as it is read.
#[cfg(feature = "ssr")]
pub fn take() -> Option<Flash> {
    let parts = use_context::<axum::http::request::Parts>()?;
    let raw = crate::session::cookie_value(&parts.headers, COOKIE)?;
    set_cookie(COOKIE, "", 0);
    let (kind, message) = raw.split_at_checked(2)?;
    let message: String = crate::url::decode(message).chars().take(300).collect();
    (!message.is_empty()).then(|| Flash {
        error: kind == "e:",
        message,
    })
}

/// Shows the page's one-time message (rendered on the server only).
#[component]
pub fn FlashMessage() -> impl IntoView {
    #[cfg(feature = "ssr")]
    let flash = take();
    #[cfg(not(feature = "ssr"))]
    let flash: Option<Flash> = None;
    flash.map(|f| {
        let (class, role) = if f.error {
            ("flash flash-error", "alert")
        } else {
            ("flash flash-notice", "status")
        };
        view! {
            <p class=class role=role data-test="flash">
                {f.message}
            </p>
        }
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn messages_read_as_sentences() {
        assert_eq!(
            super::capitalise("only 2 left in stock"),
            "Only 2 left in stock."
        );
    }
}
