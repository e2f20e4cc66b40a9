//! Security headers on every response, and a content security policy that allows no
//! script but the shop's own files and the inline scripts Leptos writes with this
//! request's nonce. Pages for one person are never stored by a shared cache.

use app::session;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use std::sync::Arc;

/// This request's script nonce, for the page renderer (server/src/http.rs gives it to
/// Leptos, which writes it on every inline script it emits).
#[derive(Clone, Debug)]
pub struct CspNonce(pub Arc<str>);

impl Default for CspNonce {
    fn default() -> Self {
        Self::new()
    }
}

impl CspNonce {
    pub fn new() -> Self {
        CspNonce(URL_SAFE_NO_PAD.encode(rand::random::<[u8; 16]>()).into())
    }
}

/// The headers that depend on how the shop is served.
#[derive(Debug)]
pub struct Policy {
    /// HSTS, and `upgrade-insecure-requests`, when the public URL is https.
    https: bool,
    /// The development server's live reload connects over a WebSocket.
    live_reload: bool,
}

impl Policy {
    pub fn for_site(public_url: &str) -> Self {
        Policy {
            https: public_url.starts_with("https://"),
            live_reload: std::env::var_os("LEPTOS_WATCH").is_some(),
        }
    }

    /// The content security policy for a response whose scripts carry `nonce`.
    pub fn csp(&self, nonce: &str) -> String {
        self.csp_allowing(&format!("'nonce-{nonce}'"))
    }

    /// The content security policy for a page kept for many visitors: its inline scripts
    /// allowed by their SHA-256 (base64), since a nonce must never be shown twice.
    pub fn csp_for_hashes(&self, hashes: &[String]) -> String {
        let sources: Vec<String> = hashes.iter().map(|h| format!("'sha256-{h}'")).collect();
        self.csp_allowing(&sources.join(" "))
    }

    fn csp_allowing(&self, inline_scripts: &str) -> String {
        // 'wasm-unsafe-eval' lets the islands' WebAssembly compile; it allows no eval().
        let connect = if self.live_reload {
            "'self' ws: wss:"
        } else {
            "'self'"
        };
        let upgrade = if self.https {
            "; upgrade-insecure-requests"
        } else {
            ""
        };
        format!(
            "default-src 'self'; script-src 'self' {inline_scripts} 'wasm-unsafe-eval'; \
             style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src {connect}; \
             object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; \
             report-uri {REPORTS}{upgrade}"
        )
    }
}

/// Where browsers report what the policy refused ([`report`] logs it).
pub const REPORTS: &str = "/csp-report";

/// Logs a browser's report of something the content security policy refused (at most a
/// few per second per instance: a page visited by many could otherwise flood the log).
pub async fn report(body: axum::body::Bytes) -> axum::http::StatusCode {
    use std::sync::atomic::{AtomicU64, Ordering};
    static WINDOW: AtomicU64 = AtomicU64::new(0);
    static COUNT: AtomicU64 = AtomicU64::new(0);
    let second = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    if WINDOW.swap(second, Ordering::Relaxed) != second {
        COUNT.store(0, Ordering::Relaxed);
    }
    if COUNT.fetch_add(1, Ordering::Relaxed) < 5 {
        let text = String::from_utf8_lossy(&body[..body.len().min(2048)]).into_owned();
        tracing::warn!(csp.report = %text, "content security policy violation reported");
    }
    axum::http::StatusCode::NO_CONTENT
}

/// Paths whose pages belong to one person: never stored by a shared cache.
const PERSONAL: [&str; 5] = ["/cart", "/checkout", "/account", "/orders", "/api"];

fn is_personal(path: &str) -> bool {
    PERSONAL.iter().any(|base| {
        path.strip_prefix(base)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    })
}

/// Adds the security headers to the response, and the nonce to the request (the page
/// cache's, when it made one: it keeps the page under a policy of hashes instead).
pub async fn secure(
    State(policy): State<Arc<Policy>>,
    mut request: Request,
    next: Next,
) -> Response {
    let nonce = request
        .extensions()
        .get::<CspNonce>()
        .cloned()
        .unwrap_or_default();
    let personal = is_personal(request.uri().path())
        || session::cookie_value(request.headers(), session::COOKIE).is_some();
    request.extensions_mut().insert(nonce.clone());
    let mut response = next.run(request).await;
    let personal = personal || response.headers().contains_key(header::SET_COOKIE);
    add(response.headers_mut(), &policy, &nonce.0, personal);
    response
}

fn add(headers: &mut HeaderMap, policy: &Policy, nonce: &str, personal: bool) {
    // Files that say they are immutable (media, hashed assets) are the same for everyone
    // and keep their header.
    let immutable = headers
        .get(header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("immutable"));
    let mut set = |name: HeaderName, value: &str| {
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.insert(name, value);
        }
    };
    set(header::CONTENT_SECURITY_POLICY, &policy.csp(nonce));
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(header::X_FRAME_OPTIONS, "DENY");
    set(header::REFERRER_POLICY, "strict-origin-when-cross-origin");
    set(
        HeaderName::from_static("permissions-policy"),
        "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), \
         microphone=(), payment=(), usb=()",
    );
    set(
        HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    );
    if policy.https {
        set(header::STRICT_TRANSPORT_SECURITY, "max-age=63072000");
    }
    // A page for one person (their cart, a page with their flash message or cart count)
    // must never be served to another from a shared cache.
    if personal && !immutable {
        set(header::CACHE_CONTROL, "private, no-store");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_names_the_nonce_and_no_foreign_origin() {
        let policy = Policy {
            https: false,
            live_reload: false,
        };
        let csp = policy.csp("abc123");
        assert!(csp.contains("script-src 'self' 'nonce-abc123' 'wasm-unsafe-eval'"));
        assert!(csp.contains("frame-ancestors 'none'"));
        assert!(!csp.contains("unsafe-inline"));
        assert!(!csp.contains("http"), "{csp}");
        assert!(!csp.contains("upgrade-insecure-requests"));
    }

    #[test]
    fn a_kept_page_names_hashes_and_no_nonce() {
        let policy = Policy {
            https: false,
            live_reload: false,
        };
        let csp = policy.csp_for_hashes(&["AAA=".into(), "BBB=".into()]);
        assert!(
            csp.contains("script-src 'self' 'sha256-AAA=' 'sha256-BBB=' 'wasm-unsafe-eval'"),
            "{csp}"
        );
        assert!(!csp.contains("nonce"));
    }

    #[test]
    fn https_adds_hsts() {
        let policy = Policy {
            https: true,
            live_reload: false,
        };
        let mut headers = HeaderMap::new();
        add(&mut headers, &policy, "n", false);
        assert!(headers.contains_key(header::STRICT_TRANSPORT_SECURITY));
        assert!(!headers.contains_key(header::CACHE_CONTROL));
        let plain = Policy {
            https: false,
            live_reload: false,
        };
        let mut headers = HeaderMap::new();
        add(&mut headers, &plain, "n", true);
        assert!(!headers.contains_key(header::STRICT_TRANSPORT_SECURITY));
        assert_eq!(headers[header::CACHE_CONTROL], "private, no-store");
    }

    #[test]
    fn a_report_address_is_named() {
        let csp = Policy {
            https: false,
            live_reload: false,
        }
        .csp("n");
        assert!(csp.contains("report-uri /csp-report"), "{csp}");
    }

    #[test]
    fn personal_paths() {
        for p in [
            "/cart",
            "/checkout",
            "/account",
            "/account/orders",
            "/orders/M-1",
            "/api/cart/add",
        ] {
            assert!(is_personal(p), "{p}");
        }
        for p in [
            "/",
            "/p/laptop",
            "/search",
            "/cartography",
            "/accounts-payable",
        ] {
            assert!(!is_personal(p), "{p}");
        }
    }
}
