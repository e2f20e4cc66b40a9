//! The merchant's admin under `/admin`: server-rendered pages that work without
//! JavaScript. This folder is the shell (the door, the navigation, the house style of
//! admin pages); each concept keeps its own admin pages and server functions (`staff/`,
//! `audit/`, ...), and every one of those checks its permission on the server.

pub mod layout;
#[cfg(feature = "ssr")]
pub mod requests;
pub mod style;
#[cfg(feature = "ssr")]
pub mod upload;

/// Marks the response as a file to save (`Content-Type` and `Content-Disposition`);
/// `filename` is ours, never a user's text.
#[cfg(feature = "ssr")]
pub fn download(content_type: &'static str, filename: &str) {
    use axum::http::{HeaderValue, header};
    if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
        response.insert_header(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
            response.insert_header(header::CONTENT_DISPOSITION, v);
        }
    }
}
