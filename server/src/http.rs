//! The axum router: Leptos pages and server functions, operations endpoints, media,
//! sitemap and robots.

use crate::security::EdgePolicy;
use crate::security::headers::CspNonce;
use app::cart::ssr::RequestCart;
use app::session::RequestVisitor;
use app::state::AppState;
use app::{App, shell};
use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use leptos::nonce::Nonce;
use leptos::prelude::{LeptosOptions, provide_context, use_context};
use leptos_axum::{LeptosRoutes, generate_route_list};
use std::sync::Arc;
use std::time::Duration;
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// Leptos options from cargo-leptos's environment, or defaults that match Cargo.toml
/// (with the site root from `LEPTOS_SITE_ROOT` when only that is set: the tests' debug
/// site lives apart from the release one).
pub fn leptos_options() -> LeptosOptions {
    match leptos::config::get_configuration(None) {
        Ok(conf) => conf.leptos_options,
        Err(_) => LeptosOptions::builder()
            .output_name("mercato")
            .site_root(std::env::var("LEPTOS_SITE_ROOT").unwrap_or_else(|_| "target/site".into()))
            .site_pkg_dir(crate::assets::PKG)
            .build(),
    }
}

/// Serves the shop on `listener` in the background, for as long as the process runs
/// (benches and tests; `serve` adds a graceful shutdown).
pub fn spawn(listener: tokio::net::TcpListener, state: AppState, policy: &EdgePolicy) {
    let app = router(state, policy).into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
}

/// The shop's routes inside its edge (security headers, client address, rate limits,
/// same-site checks: server/src/security/).
pub fn router(state: AppState, policy: &EdgePolicy) -> Router {
    let routes = generate_route_list(App);
    let shell_options = state.leptos_options.clone();
    let routes = Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/robots.txt", get(robots))
        .route("/sitemap.xml", get(sitemap))
        .route("/styles/{file}", get(scoped_css))
        .route(
            crate::security::headers::REPORTS,
            axum::routing::post(crate::security::headers::report)
                .layer(axum::extract::DefaultBodyLimit::max(16 * 1024)),
        )
        .route("/api/v1/search", get(crate::search_api::search))
        .route("/api/v1/suggest", get(crate::search_api::suggest))
        .route(
            "/webhooks/payments",
            axum::routing::post(crate::webhooks::payments),
        )
        .nest("/media", crate::assets::media(&state.media_dir))
        .nest(
            &format!("/{}", crate::assets::PKG),
            crate::assets::routes(&state.leptos_options),
        )
        .leptos_routes_with_context(&state, routes, request_context(state.clone()), move || {
            shell(shell_options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(request_context(state.clone()), shell))
        .layer(axum::middleware::map_response(bad_arguments_are_400))
        .layer(axum::middleware::map_request(get_calls_are_not_forms));
    let pages = crate::page_cache::PageCache {
        catalog: state.catalog.cache.clone(),
        provide: Arc::new(request_context(state.clone())),
        unkept: Default::default(),
        policy: Arc::new(crate::security::headers::Policy::for_site(
            &state.site.public_url,
        )),
    };
    crate::security::layer(routes, &state, policy)
        .layer(axum::middleware::from_fn_with_state(
            pages,
            crate::page_cache::serve,
        ))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// What every page and server function gets for its request: each concept's
/// dependencies, a visitor and a cart looked up at most once, and the nonce its content
/// security policy names for inline scripts.
fn request_context(state: AppState) -> impl Fn() + Clone + Send + Sync + 'static {
    move || {
        state.provide();
        provide_context(RequestVisitor::default());
        provide_context(RequestCart::default());
        if let Some(parts) = use_context::<axum::http::request::Parts>() {
            if let Some(nonce) = parts.extensions.get::<CspNonce>() {
                provide_context(Nonce::from_value(nonce.0.clone()));
            }
            // A render the page cache may keep notes what it shows.
            if let Some(rendered) = parts.extensions.get::<app::page_cache::Rendered>() {
                provide_context(rendered.clone());
            }
        }
    }
}

/// Liveness: the process answers.
async fn healthz() -> &'static str {
    "ok"
}

/// Readiness: the database answers within two seconds and the search index is open.
async fn readyz(State(state): State<AppState>) -> Response {
    let check = tokio::time::timeout(
        Duration::from_secs(2),
        sqlx::query_scalar::<_, i32>("SELECT 1").fetch_one(&state.db.primary),
    )
    .await;
    match check {
        Ok(Ok(_)) if !state.search.is_ready() => {
            (StatusCode::SERVICE_UNAVAILABLE, "search index not ready").into_response()
        }
        Ok(Ok(_)) => (StatusCode::OK, "ready").into_response(),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "readiness check: database error");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "database timed out").into_response(),
    }
}

/// Leptos answers any server function call that accepts `text/html` as a plain form
/// post: with a redirect back to the `Referer`. A GET server function is never a form
/// post (an admin's download link is one, followed by the browser's navigation), so its
/// answer is what the function returns.
async fn get_calls_are_not_forms(mut request: axum::extract::Request) -> axum::extract::Request {
    if request.method() == axum::http::Method::GET && request.uri().path().starts_with("/api/") {
        request
            .headers_mut()
            .insert(header::ACCEPT, HeaderValue::from_static("*/*"));
    }
    request
}

/// Two fixes to server functions' answers:
/// - A server function answers 500 when its arguments cannot be read (ours set their own
///   status for every error they return), but that is the caller's mistake: 400.
/// - After a plain form post, Leptos redirects back with the error in the address
///   (`?__path=...&__err=<base64>`, or a bare `?` on success); the page shows the message from a one-time cookie
///   instead (app/src/flash.rs), so the address stays the page's own.
async fn bad_arguments_are_400(mut response: Response) -> Response {
    if response.status() == StatusCode::INTERNAL_SERVER_ERROR
        && response.headers().contains_key("serverfnerror")
    {
        *response.status_mut() = StatusCode::BAD_REQUEST;
    }
    if response.status().is_redirection()
        && let Some(location) = response
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
        && (location.contains("__err=") || location.ends_with('?'))
    {
        let (path, query) = location.split_once('?').unwrap_or((location, ""));
        let kept: Vec<&str> = query
            .split('&')
            .filter(|p| !p.is_empty() && !p.starts_with("__err=") && !p.starts_with("__path="))
            .collect();
        let tidy = if kept.is_empty() {
            path.to_owned()
        } else {
            format!("{path}?{}", kept.join("&"))
        };
        if let Ok(value) = HeaderValue::from_str(&tidy) {
            response.headers_mut().insert(header::LOCATION, value);
        }
    }
    response
}

async fn robots(State(state): State<AppState>) -> Response {
    let body = format!(
        "User-agent: *\nAllow: /\nDisallow: /api/\n\nSitemap: {}\n",
        state.site.absolute("/sitemap.xml")
    );
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body).into_response()
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

async fn sitemap(State(state): State<AppState>) -> Response {
    let entries = match app::catalog::ssr::sitemap_entries(&state.db.replica).await {
        Ok(entries) => entries,
        Err(_) => return (StatusCode::SERVICE_UNAVAILABLE, "sitemap unavailable").into_response(),
    };
    let mut xml = String::with_capacity(128 + entries.len() * 128);
    xml.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    xml.push_str("<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    xml.push_str(&format!(
        "<url><loc>{}</loc></url>\n",
        xml_escape(&state.site.absolute("/"))
    ));
    for e in entries {
        xml.push_str(&format!(
            "<url><loc>{}</loc><lastmod>{}</lastmod></url>\n",
            xml_escape(&state.site.absolute(&e.path)),
            e.updated_at.format("%Y-%m-%d")
        ));
    }
    xml.push_str("</urlset>\n");
    (
        [(header::CONTENT_TYPE, "application/xml; charset=utf-8")],
        xml,
    )
        .into_response()
}

/// The scoped component CSS, compiled into the binary. The file name carries its hash.
async fn scoped_css(Path(file): Path<String>) -> Response {
    let current = format!("scoped-{}.css", app::styles::scoped_css_version());
    if !file.starts_with("scoped-") || !file.ends_with(".css") {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    }
    // An old hash still gets today's styles, but must not be cached for long.
    let cache = if file == current {
        IMMUTABLE
    } else {
        "no-cache"
    };
    Response::builder()
        .header(header::CONTENT_TYPE, "text/css; charset=utf-8")
        .header(header::CACHE_CONTROL, cache)
        .body(Body::from(app::styles::SCOPED_CSS))
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}
