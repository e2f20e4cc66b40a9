//! Requests that change state must come from this site, and redirects go only to it.

use app::session;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// `scheme://host[:port]` of an absolute URL, if it is one.
fn origin_of(url: &str) -> Option<&str> {
    let (scheme, rest) = url.split_once("://")?;
    if scheme.is_empty() || !scheme.bytes().all(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    Some(&url[..scheme.len() + 3 + end])
}

/// Whether `origin` (`scheme://host[:port]`) is this shop: its public URL, or the host
/// the request was sent to under the public URL's scheme.
fn is_ours(origin: &str, public_url: &str, headers: &HeaderMap) -> bool {
    let Some(ours) = origin_of(public_url) else {
        return false;
    };
    if ours.eq_ignore_ascii_case(origin) {
        return true;
    }
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let scheme = ours.split_once("://").map_or("", |(s, _)| s);
    match origin.split_once("://") {
        Some((s, rest)) => {
            !host.is_empty() && s.eq_ignore_ascii_case(scheme) && rest.eq_ignore_ascii_case(host)
        }
        None => false,
    }
}

/// Why a state-changing request is refused, if it is.
fn refusal(headers: &HeaderMap, public_url: &str) -> Option<&'static str> {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    // What the browser itself says (a page cannot set it) decides first. A page whose
    // referrer policy is no-referrer posts with `Origin: null`, so a same-origin fetch
    // site is trusted over the origin.
    match text("sec-fetch-site") {
        Some("cross-site") => return Some("a cross-site fetch"),
        Some("same-origin") => return None,
        _ => {}
    }
    if let Some(origin) = text("origin") {
        // `null` comes from sandboxed frames, some redirects and no-referrer pages: it
        // names no site, so it is not ours.
        return (!is_ours(origin, public_url, headers)).then_some("a foreign origin");
    }
    // Neither header: an old browser, or not a browser. A request that carries the
    // shop's session cookie must show where it comes from with a Referer of this site;
    // one without cookies acts for nobody (API clients, the payment provider's webhooks).
    session::cookie_value(headers, session::COOKIE)?;
    match text("referer").and_then(origin_of) {
        Some(origin) if is_ours(origin, public_url, headers) => None,
        Some(_) => Some("a foreign referer"),
        None => Some("no origin, fetch site or referer with a session cookie"),
    }
}

/// Refuses a state-changing request (anything but GET, HEAD and OPTIONS) that a browser
/// marks as coming from another site, or that carries the session cookie without saying
/// where it comes from, before any server function runs.
pub async fn same_site_only(
    State(public_url): State<String>,
    request: Request,
    next: Next,
) -> Response {
    // A browser's report of a refused script changes nothing (it is only logged).
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) || request.uri().path() == super::headers::REPORTS
    {
        return next.run(request).await;
    }
    if let Some(why) = refusal(request.headers(), &public_url) {
        tracing::warn!(
            reason = why,
            path = %request.uri().path(),
            "refused a cross-site request"
        );
        return (
            StatusCode::FORBIDDEN,
            "This request came from another site and was refused.",
        )
            .into_response();
    }
    next.run(request).await
}

/// A redirect's target, made a path of this site: a same-origin URL becomes its path,
/// anything else (another site, `//host`, a scheme of its own) the home page. Leptos
/// sends a plain form post back to its `Referer`, which the client wrote.
fn local_target(location: &str, public_url: &str, headers: &HeaderMap) -> String {
    // Browsers drop tabs and line breaks from a URL, so `/\t/host` would become `//host`.
    if location
        .chars()
        .any(|c| c.is_control() || c.is_whitespace())
    {
        return "/".to_owned();
    }
    if location.starts_with('/') && !location.starts_with("//") && !location.contains('\\') {
        return location.to_owned();
    }
    match origin_of(location) {
        Some(origin) if is_ours(origin, public_url, headers) => {
            let path = &location[origin.len()..];
            if path.starts_with('/') && !path.starts_with("//") {
                path.to_owned()
            } else {
                format!("/{}", path.trim_start_matches('/'))
            }
        }
        _ => "/".to_owned(),
    }
}

/// Keeps every redirect on this site (see [`local_target`]). The request's headers are
/// needed to know its host, so this runs as a middleware rather than a response map.
pub async fn same_origin_redirects(
    State(public_url): State<String>,
    request: Request,
    next: Next,
) -> Response {
    let headers = request.headers().clone();
    let mut response = next.run(request).await;
    if response.status().is_redirection()
        && let Some(location) = response
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
    {
        let target = local_target(location, &public_url, &headers);
        if target != location
            && let Ok(value) = HeaderValue::from_str(&target)
        {
            response.headers_mut().insert(header::LOCATION, value);
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHOP: &str = "https://shop.example";

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_static("shop.example"));
        for (name, value) in pairs {
            h.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        h
    }

    #[test]
    fn origins_of_urls() {
        assert_eq!(origin_of("https://a.b:8/x?y"), Some("https://a.b:8"));
        assert_eq!(origin_of("http://a.b"), Some("http://a.b"));
        assert_eq!(origin_of("/path"), None);
        assert_eq!(origin_of("javascript:alert(1)"), None);
    }

    #[test]
    fn who_may_change_state() {
        let cookie = ("cookie", "mercato_session=abc");
        // Browsers say where they come from.
        assert!(refusal(&headers(&[("origin", SHOP)]), SHOP).is_none());
        assert!(refusal(&headers(&[("sec-fetch-site", "same-origin"), cookie]), SHOP).is_none());
        assert!(refusal(&headers(&[("origin", "https://evil.example")]), SHOP).is_some());
        assert!(refusal(&headers(&[("origin", "null"), cookie]), SHOP).is_some());
        // A no-referrer page of the shop posts with a null origin; the browser's fetch
        // site says where it really comes from.
        assert!(
            refusal(
                &headers(&[
                    ("origin", "null"),
                    ("sec-fetch-site", "same-origin"),
                    cookie
                ]),
                SHOP
            )
            .is_none()
        );
        assert!(
            refusal(
                &headers(&[
                    ("origin", "https://evil.example"),
                    ("sec-fetch-site", "same-site")
                ]),
                SHOP
            )
            .is_some()
        );
        assert!(refusal(&headers(&[("sec-fetch-site", "cross-site")]), SHOP).is_some());
        // No cookie, no headers: a client acting for nobody.
        assert!(refusal(&headers(&[]), SHOP).is_none());
        // The session cookie alone is not enough.
        assert!(refusal(&headers(&[cookie]), SHOP).is_some());
        assert!(
            refusal(
                &headers(&[cookie, ("referer", "https://evil.example/x")]),
                SHOP
            )
            .is_some()
        );
        assert!(
            refusal(
                &headers(&[cookie, ("referer", "https://shop.example/cart")]),
                SHOP
            )
            .is_none()
        );
    }

    #[test]
    fn redirects_stay_on_the_site() {
        let h = headers(&[]);
        for (to, want) in [
            ("/cart", "/cart"),
            ("/p/x?variant=1", "/p/x?variant=1"),
            ("https://shop.example/checkout?a=1", "/checkout?a=1"),
            ("https://shop.example", "/"),
            ("https://evil.example/phish", "/"),
            ("//evil.example/phish", "/"),
            ("/\\evil.example", "/"),
            ("javascript:alert(1)", "/"),
            ("/\t/evil.example", "/"),
            ("http://shop.example/x", "/"),
        ] {
            assert_eq!(local_target(to, SHOP, &h), want, "{to}");
        }
    }
}
