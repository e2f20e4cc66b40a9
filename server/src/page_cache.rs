//! The page cache at the edge: the home, category and product pages rendered for a
//! visitor without a session are kept as bytes (identity, gzip and brotli) under their
//! address, and the next such visitor gets them for a lookup and a write. A render for
//! one person is never kept: a request with any of the shop's cookies, or a render that
//! set one, passes through untouched.
//!
//! - A visitor whose only cookie of the shop's is their session gets the kept page with
//!   the few parts that differ per visitor (the header's account link and cart count, the
//!   recommender's lists) drawn for them alone and put in place (`app::page_cache::parts`;
//!   `x-cache: parts`), never stored anywhere. Where those parts stand was found when the
//!   page was kept, by drawing them for no one; a page where they cannot be found gets the
//!   whole render instead.
//! - What a kept page shows was noted while it rendered (`app::page_cache`); the catalog's
//!   notifications evict exactly the pages that show a changed product (and every
//!   listing), under the catalog cache's generation, so a render that began before a
//!   change is never kept after it (`app::page_cache::store`).
//! - A kept page is seen by many, so its content security policy allows its inline
//!   scripts by their hashes rather than by a nonce: the render gets a nonce made here,
//!   and only the scripts that carry that exact value (which the page's text cannot
//!   forge) are hashed and lose the attribute.
//! - `ETag` (weak: the same for every encoding) and `If-None-Match` give 304; a CDN may
//!   hold the page for a few seconds and serve it stale while it asks again.

use crate::security::headers::{CspNonce, Policy};
use app::catalog::ssr::cache::CatalogCache;
use app::page_cache::parts::{self, Hole};
use app::page_cache::store::Page;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use sha2::{Digest, Sha256};
use std::io::Write;
use std::sync::Arc;
use std::time::Instant;

/// What the page cache works with.
#[derive(Clone)]
pub struct PageCache {
    pub catalog: Arc<CatalogCache>,
    pub policy: Arc<Policy>,
    /// What every render gets for its request (the parts are drawn with it).
    pub provide: Arc<dyn Fn() + Send + Sync>,
    pub unkept: Arc<Unkept>,
}

/// A rendered page larger than this is sent but not kept.
const MAX_PAGE: usize = 4 << 20;
/// How a shared cache may hold a kept page (browsers ask again every time).
const SHARED: &str = "public, max-age=0, s-maxage=10, stale-while-revalidate=30";

/// Who a page from the cache is for.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Audience {
    /// A visitor without any of the shop's cookies: the kept page as it is.
    Anyone,
    /// A visitor whose one cookie of the shop's is their session: the kept page with
    /// their own parts.
    Session,
}

/// The key a request's page is kept under, if it may be served from the cache, and who
/// the answer is for.
fn key_of(request: &Request) -> Option<(&str, Audience)> {
    if request.method() != Method::GET {
        return None;
    }
    let audience = audience(request.headers())?;
    let uri = request.uri();
    let path = uri.path();
    // The query parameters each kind of page reads; any other makes it bypass the
    // cache, so random addresses cannot be made up to fill it.
    let allowed: &[&str] = if path == "/" {
        &[]
    } else if path.starts_with("/c/") {
        &["sort", "after"]
    } else if path.starts_with("/p/") {
        &["variant"]
    } else {
        return None;
    };
    let query = uri.query().unwrap_or("");
    let known = query
        .split('&')
        .filter(|p| !p.is_empty())
        .all(|p| allowed.contains(&p.split_once('=').map_or(p, |(k, _)| k)));
    let key = uri.path_and_query().map_or(path, |pq| pq.as_str());
    (known && key.len() <= 1024).then_some((key, audience))
}

/// Who the request is by the shop's cookies: none, the session alone, or `None` when
/// it carries another (a flash message, a checkout draft: a page for them alone).
fn audience(headers: &HeaderMap) -> Option<Audience> {
    let mut audience = Audience::Anyone;
    for pair in headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .map(str::trim_start)
        .filter(|pair| pair.starts_with("mercato"))
    {
        let is_session = pair
            .split_once('=')
            .is_some_and(|(name, _)| name == app::session::COOKIE);
        if !is_session || audience == Audience::Session {
            return None;
        }
        audience = Audience::Session;
    }
    Some(audience)
}

/// The encodings a client takes, best first.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Encoding {
    Brotli,
    Gzip,
    Identity,
}

fn encoding_for(headers: &HeaderMap) -> Encoding {
    let mut br = false;
    let mut gzip = false;
    for item in headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
    {
        let mut parts = item.split(';');
        let name = parts.next().unwrap_or("").trim();
        let refused = parts.any(|p| {
            p.trim()
                .strip_prefix("q=")
                .and_then(|q| q.trim().parse::<f32>().ok())
                .is_some_and(|q| q <= 0.0)
        });
        if refused {
            continue;
        }
        if name.eq_ignore_ascii_case("br") || name == "*" {
            br = true;
        } else if name.eq_ignore_ascii_case("gzip") {
            gzip = true;
        }
    }
    if br {
        Encoding::Brotli
    } else if gzip {
        Encoding::Gzip
    } else {
        Encoding::Identity
    }
}

/// Serves kept pages, and keeps the ones rendered for visitors without a session.
pub async fn serve(State(cache): State<PageCache>, request: Request, next: Next) -> Response {
    let Some((key, audience)) = key_of(&request) else {
        return next.run(request).await;
    };
    // A hit borrows the address: nothing is allocated but the answer's headers.
    if let Some(page) = cache.catalog.page(key) {
        return match audience {
            Audience::Anyone => answer(&page, request.headers(), "hit"),
            Audience::Session if page.holes.is_some() => {
                with_parts(&cache, page, request, next).await
            }
            Audience::Session => next.run(request).await,
        };
    }
    let key = key.to_owned();
    match audience {
        Audience::Anyone => {
            let client = request.headers().clone();
            match render_and_keep(&cache, &key, request, next).await {
                Rendered::Kept(page) => answer(&page, &client, "miss"),
                Rendered::Passed(response) => response,
            }
        }
        Audience::Session => {
            // The page is rendered for no one and kept, then served with the visitor's
            // parts; a page that cannot be kept (a countdown) is rendered for them, and
            // for a few seconds their next requests for it go straight there.
            if cache.unkept.recently(&key) {
                return next.run(request).await;
            }
            let (parts, _) = request.into_parts();
            let mut anonymous = parts.clone();
            without_own_cookies(&mut anonymous.headers);
            let anonymous = Request::from_parts(anonymous, Body::empty());
            match render_and_keep(&cache, &key, anonymous, next.clone()).await {
                Rendered::Kept(page) if page.holes.is_some() => {
                    with_parts(
                        &cache,
                        page,
                        Request::from_parts(parts, Body::empty()),
                        next,
                    )
                    .await
                }
                _ => {
                    cache.unkept.note(&key);
                    next.run(Request::from_parts(parts, Body::empty())).await
                }
            }
        }
    }
}

/// What rendering a page for the cache gave.
enum Rendered {
    /// The page, kept (or, when a change came during its render, fresh but not kept).
    Kept(Arc<Page>),
    /// A response that is not kept (not a page, not 200, or for one person), as it is.
    Passed(Response),
}

/// Renders the page for a visitor without a session and keeps it when it may be.
async fn render_and_keep(cache: &PageCache, key: &str, request: Request, next: Next) -> Rendered {
    let ticket = cache.catalog.ticket();
    if ticket.generation().is_none() {
        // The catalog's listener is not connected: nothing is kept or served.
        return Rendered::Passed(next.run(request).await);
    }
    let (mut parts, body) = request.into_parts();
    let anonymous = parts.clone();
    // The render comes back whole and plain; this layer compresses what it keeps.
    parts.headers.remove(header::ACCEPT_ENCODING);
    let nonce = CspNonce::new();
    let rendered = app::page_cache::Rendered::default();
    parts.extensions.insert(nonce.clone());
    parts.extensions.insert(rendered.clone());
    let response = next.run(Request::from_parts(parts, body)).await;
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if response.status() != StatusCode::OK
        || !is_html
        || response.headers().contains_key(header::SET_COOKIE)
        || response.headers().contains_key(header::CONTENT_ENCODING)
    {
        return Rendered::Passed(response);
    }
    let (head, body) = response.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_PAGE).await {
        Ok(bytes) => bytes,
        Err(error) => {
            tracing::error!(%error, key, "a page could not be read whole");
            return Rendered::Passed(
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "the page could not be rendered",
                )
                    .into_response(),
            );
        }
    };
    let notes = rendered.notes();
    if notes.not_shared.is_some() {
        return Rendered::Passed(Response::from_parts(head, Body::from(bytes)));
    }
    let Some(mut page) = keep(cache, key, head.headers.clone(), &bytes, &nonce.0, notes) else {
        return Rendered::Passed(Response::from_parts(head, Body::from(bytes)));
    };
    page.holes = holes(cache, key, &page.identity, anonymous).await;
    let page = Arc::new(page);
    cache.catalog.put_page(ticket, key, page.clone());
    Rendered::Kept(page)
}

/// Leaves out the shop's own cookies (a render for no one), keeping any others.
fn without_own_cookies(headers: &mut HeaderMap) {
    let others: Vec<String> = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .map(str::trim)
        .filter(|pair| !pair.is_empty() && !pair.starts_with("mercato"))
        .map(str::to_owned)
        .collect();
    headers.remove(header::COOKIE);
    if let Ok(value) = HeaderValue::from_str(&others.join("; "))
        && !others.is_empty()
    {
        headers.insert(header::COOKIE, value);
    }
}

/// The addresses whose page could not be kept a moment ago (a flash sale's countdown):
/// a visitor with a session gets them rendered whole at once, not after a render for no
/// one that would be thrown away.
#[derive(Debug, Default)]
pub struct Unkept(std::sync::Mutex<std::collections::HashMap<String, Instant>>);

/// How long an address stays known as not kept.
const UNKEPT_FOR: std::time::Duration = std::time::Duration::from_secs(5);
/// At most this many such addresses are remembered (a flood of addresses forgets them).
const UNKEPT_MAX: usize = 10_000;

impl Unkept {
    fn recently(&self, key: &str) -> bool {
        let now = Instant::now();
        self.0
            .lock()
            .map(|m| m.get(key).is_some_and(|until| now < *until))
            .unwrap_or(false)
    }

    fn note(&self, key: &str) {
        if let Ok(mut m) = self.0.lock() {
            let now = Instant::now();
            if m.len() >= UNKEPT_MAX {
                m.retain(|_, until| now < *until);
            }
            // Full of addresses still remembered (a flood of them): the new one is not,
            // and those already known stay known.
            if m.len() < UNKEPT_MAX || m.contains_key(key) {
                m.insert(key.to_owned(), now + UNKEPT_FOR);
            }
        }
    }
}

/// The page to keep: its scripts allowed by hash, its encodings and validator.
fn keep(
    cache: &PageCache,
    key: &str,
    mut headers: HeaderMap,
    bytes: &[u8],
    nonce: &str,
    notes: app::page_cache::Notes,
) -> Option<Page> {
    let html = std::str::from_utf8(bytes).ok()?;
    let (html, hashes) = scripts_by_hash(html, nonce);
    let identity = Bytes::from(html);
    let etag = {
        let digest = Sha256::digest(&identity);
        HeaderValue::from_str(&format!("W/\"{}\"", hex::encode(&digest[..12]))).ok()?
    };
    headers.remove(header::CONTENT_LENGTH);
    let csp = HeaderValue::from_str(&cache.policy.csp_for_hashes(&hashes)).ok()?;
    headers.insert(header::CONTENT_SECURITY_POLICY, csp);
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(SHARED));
    headers.insert(
        header::VARY,
        HeaderValue::from_static("Accept-Encoding, Cookie"),
    );
    headers.insert(header::ETAG, etag.clone());
    Some(Page {
        headers,
        etag,
        gzip: gzip(&identity)?,
        brotli: brotli(&identity)?,
        identity,
        slugs: notes.slugs,
        listing: !key.starts_with("/p/"),
        expires: notes.lasts.map(|d| Instant::now() + d),
        holes: None,
    })
}

/// Where the page's per-visitor parts stand: drawn for no one (the request that was
/// just rendered had none of the shop's cookies) and found in the page.
async fn holes(
    cache: &PageCache,
    key: &str,
    html: &[u8],
    anonymous: axum::http::request::Parts,
) -> Option<Vec<Hole>> {
    let path = key.split_once('?').map_or(key, |(path, _)| path);
    let wanted = parts::of_path(path)?;
    let html = std::str::from_utf8(html).ok()?;
    let provide = cache.provide.clone();
    let drawn = match parts::draw(&wanted, anonymous, move || provide()).await {
        Ok(drawn) => drawn,
        Err(error) => {
            tracing::warn!(%error, key, "the page is kept without its parts");
            return None;
        }
    };
    let found = parts::find(html, wanted, &drawn);
    if found.is_none() {
        // The page drew a part otherwise than the part alone: a defect, not the visitor's.
        tracing::warn!(
            key,
            "a part was not found in the kept page; sessions get it whole"
        );
    }
    found
}

/// How a page with a visitor's own parts may be held: by their browser only, and not
/// kept (as every page for one person; `security::headers`).
const PRIVATE: &str = "private, no-store";

/// The kept page with the parts of the request's visitor drawn in (when they cannot be
/// drawn, the page as anyone sees it: what the whole render would show then too).
async fn with_parts(cache: &PageCache, page: Arc<Page>, request: Request, next: Next) -> Response {
    // The kept page is UTF-8 (checked when it was kept), every hole on a boundary.
    let (Some(holes), Ok(html)) = (page.holes.as_deref(), std::str::from_utf8(&page.identity))
    else {
        return next.run(request).await;
    };
    let (parts, _) = request.into_parts();
    let wanted: Vec<parts::Part> = holes.iter().map(|h| h.part.clone()).collect();
    let provide = cache.provide.clone();
    let mine = match parts::draw(&wanted, parts, move || provide()).await {
        Ok(drawn) => parts::fill(html, holes, &drawn),
        Err(error) => {
            // The database is not answering: the whole render would show what anyone
            // sees too (its header's defaults), so that is what they get.
            tracing::warn!(%error, "a visitor's parts could not be drawn; the page as anyone sees it");
            html.to_owned()
        }
    };
    let mut response = Response::new(Body::from(mine));
    *response.headers_mut() = page.headers.clone();
    let headers = response.headers_mut();
    headers.remove(header::ETAG);
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(PRIVATE));
    headers.insert("x-cache", HeaderValue::from_static("parts"));
    response
}

/// The HTML without the render's nonce, and the SHA-256 (base64) of each inline script
/// that carried it. Only an attribute with this exact, unguessable value counts: a
/// product's text cannot make its own script allowed.
fn scripts_by_hash(html: &str, nonce: &str) -> (String, Vec<String>) {
    let attribute = format!(" nonce=\"{nonce}\"");
    let mut out = String::with_capacity(html.len());
    let mut hashes = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find(&attribute) {
        let (before, after) = rest.split_at(at);
        out.push_str(before);
        let after = &after[attribute.len()..];
        let is_script = before
            .rfind('<')
            .is_some_and(|open| before[open..].starts_with("<script"));
        if is_script
            && let Some(close) = after.find('>')
            && let Some(end) = after[close + 1..].find("</script>")
            && !after[..close].contains(" src=")
        {
            let content = &after[close + 1..close + 1 + end];
            hashes.push(base64::engine::general_purpose::STANDARD.encode(Sha256::digest(content)));
        }
        rest = after;
    }
    out.push_str(rest);
    hashes.sort();
    hashes.dedup();
    (out, hashes)
}

fn gzip(bytes: &[u8]) -> Option<Bytes> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).ok()?;
    encoder.finish().ok().map(Bytes::from)
}

fn brotli(bytes: &[u8]) -> Option<Bytes> {
    let mut out = Vec::with_capacity(bytes.len() / 4);
    {
        // Quality 9: within a few percent of 11 on HTML, at a fraction of its time.
        let mut writer = brotli::CompressorWriter::new(&mut out, 4096, 9, 22);
        writer.write_all(bytes).ok()?;
    }
    Some(Bytes::from(out))
}

/// A kept page for this client: 304 when it holds the same, else the best encoding.
fn answer(page: &Page, client: &HeaderMap, outcome: &'static str) -> Response {
    let mut response = Response::new(Body::empty());
    *response.headers_mut() = page.headers.clone();
    response
        .headers_mut()
        .insert("x-cache", HeaderValue::from_static(outcome));
    let unchanged = client
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == "*" || t == page.etag.to_str().unwrap_or("").trim_start_matches("W/"));
    if unchanged {
        *response.status_mut() = StatusCode::NOT_MODIFIED;
        response.headers_mut().remove(header::CONTENT_TYPE);
        return response;
    }
    let (body, encoding) = match encoding_for(client) {
        Encoding::Brotli => (page.brotli.clone(), Some("br")),
        Encoding::Gzip => (page.gzip.clone(), Some("gzip")),
        Encoding::Identity => (page.identity.clone(), None),
    };
    if let Some(encoding) = encoding {
        response
            .headers_mut()
            .insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
    }
    *response.body_mut() = Body::from(body);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(uri: &str, cookie: Option<&str>) -> Request {
        let mut r = axum::http::Request::get(uri);
        if let Some(c) = cookie {
            r = r.header(header::COOKIE, c);
        }
        r.body(Body::empty()).unwrap()
    }

    #[test]
    fn only_shared_pages_with_their_own_parameters_are_kept() {
        let anyone = |k| Some((k, Audience::Anyone));
        assert_eq!(key_of(&request("/", None)), anyone("/"));
        assert_eq!(
            key_of(&request("/p/laptop?variant=LAP-1", None)),
            anyone("/p/laptop?variant=LAP-1")
        );
        assert!(key_of(&request("/c/electronics?sort=price&after=abc", None)).is_some());
        assert!(key_of(&request("/p/laptop?utm=1", None)).is_none());
        assert!(key_of(&request("/?x", None)).is_none());
        assert!(key_of(&request("/cart", None)).is_none());
        assert!(key_of(&request("/search?q=a", None)).is_none());
        assert!(key_of(&request("/admin", None)).is_none());
        // The session alone: the kept page with the visitor's parts.
        assert_eq!(
            key_of(&request("/p/laptop", Some("theme=1; mercato_session=abc"))),
            Some(("/p/laptop", Audience::Session))
        );
        // Any other of the shop's cookies, or two sessions: the whole render.
        assert!(key_of(&request("/p/laptop", Some("theme=1; mercato_flash=x"))).is_none());
        assert!(
            key_of(&request(
                "/p/laptop",
                Some("mercato_session=a; mercato_checkout=b")
            ))
            .is_none()
        );
        assert!(
            key_of(&request(
                "/p/laptop",
                Some("mercato_session=a; mercato_session=b")
            ))
            .is_none()
        );
        assert!(key_of(&request("/p/laptop", Some("mercato_sessionx=a"))).is_none());
        assert_eq!(
            key_of(&request("/p/laptop", Some("theme=1"))),
            anyone("/p/laptop")
        );
        let post = axum::http::Request::post("/p/laptop")
            .body(Body::empty())
            .unwrap();
        assert!(key_of(&post).is_none());
    }

    #[test]
    fn a_render_for_no_one_keeps_only_others_cookies() {
        let mut headers = HeaderMap::new();
        headers.append(
            header::COOKIE,
            HeaderValue::from_static("theme=dark; mercato_session=abc"),
        );
        headers.append(header::COOKIE, HeaderValue::from_static("mercato_flash=x"));
        without_own_cookies(&mut headers);
        assert_eq!(headers.get_all(header::COOKIE).iter().count(), 1);
        assert_eq!(headers[header::COOKIE], "theme=dark");
        let mut only = HeaderMap::new();
        only.insert(
            header::COOKIE,
            HeaderValue::from_static("mercato_session=abc"),
        );
        without_own_cookies(&mut only);
        assert!(!only.contains_key(header::COOKIE));
    }

    #[test]
    fn an_unkept_address_is_remembered_briefly_and_boundedly() {
        let unkept = Unkept::default();
        assert!(!unkept.recently("/p/a"));
        unkept.note("/p/a");
        assert!(unkept.recently("/p/a") && !unkept.recently("/p/b"));
        for i in 0..UNKEPT_MAX + 5 {
            unkept.note(&format!("/p/{i}"));
        }
        assert!(unkept.0.lock().unwrap().len() <= UNKEPT_MAX);
        assert!(
            unkept.recently("/p/a"),
            "a flood does not wipe what is known"
        );
    }

    #[test]
    fn the_best_accepted_encoding() {
        let h = |v: &str| {
            let mut m = HeaderMap::new();
            m.insert(header::ACCEPT_ENCODING, HeaderValue::from_str(v).unwrap());
            m
        };
        assert_eq!(encoding_for(&h("gzip, deflate, br")), Encoding::Brotli);
        assert_eq!(encoding_for(&h("gzip;q=1, br;q=0")), Encoding::Gzip);
        assert_eq!(encoding_for(&h("identity")), Encoding::Identity);
        assert_eq!(encoding_for(&HeaderMap::new()), Encoding::Identity);
    }

    #[test]
    fn only_scripts_with_the_render_nonce_are_allowed() {
        let html = concat!(
            "<head><script type=\"module\" nonce=\"N1\">import('/pkg/m.js')</script>",
            "<link rel=\"modulepreload\" href=\"/pkg/m.js\" nonce=\"N1\">",
            "<script nonce=\"N1\" src=\"/pkg/x.js\"></script></head>",
            "<body><img alt='<script nonce=\"N2\">evil()</script>'>",
            "<p> nonce=\"N1 </p></body>"
        );
        let (out, hashes) = scripts_by_hash(html, "N1");
        assert!(!out.contains("nonce=\"N1\""), "{out}");
        assert!(
            out.contains("nonce=\"N2\""),
            "the page's text is left as it was"
        );
        let expected =
            base64::engine::general_purpose::STANDARD.encode(Sha256::digest("import('/pkg/m.js')"));
        assert_eq!(hashes, vec![expected]);
    }
}
