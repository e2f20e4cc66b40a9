//! The site's JS, WASM and CSS (`<site root>/pkg`), served under a name that carries a
//! hash of their bytes: `/pkg/<version>/mercato.wasm`. A browser keeps such a file for a
//! year without asking again (`immutable`), and a new build is a new version, so it is
//! never served yesterday's code. The version is taken from the files at start-up, so it
//! is the same on every instance that serves the same build.
//!
//! A precompressed `.br` or `.gz` beside a file (a release build with `--precompress`) is
//! sent as it is to a client that accepts it. The plain `/pkg/<file>` still answers, to be
//! revalidated on each use; a version this instance does not serve is not found (its
//! script and WASM are a pair, and another build's half would not fit).
//!
//! Product photos (`/media`) are named by the hash of their source, so they are immutable
//! too. An AVIF width not made yet (server/src/media_worker.rs) is answered with the WebP
//! of the same width, to be asked again next time: the browser reads it by its bytes.

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use leptos::prelude::LeptosOptions;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use tower_http::services::ServeDir;

/// Where the site's files are on disk and in URLs (`site-pkg-dir` in Cargo.toml).
pub const PKG: &str = "pkg";
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const REVALIDATE: &str = "no-cache";

/// The directory of the site's files under `options`' site root.
pub fn pkg_dir(options: &LeptosOptions) -> PathBuf {
    Path::new(options.site_root.as_ref()).join(PKG)
}

/// Sixteen hex digits of a hash over the names and bytes of the site's files (their
/// precompressed copies follow from them). A missing directory has a version too.
pub fn version(dir: &Path) -> String {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file())
                .filter(|p| !matches!(p.extension().and_then(|e| e.to_str()), Some("br" | "gz")))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    let mut hash = Sha256::new();
    for file in files {
        let name = file.file_name().map(|n| n.to_string_lossy().into_owned());
        hash.update(name.unwrap_or_default().as_bytes());
        hash.update([0]);
        hash.update(std::fs::read(&file).unwrap_or_default());
        hash.update([0]);
    }
    hex::encode(&hash.finalize()[..8])
}

/// Points the pages' script, WASM and stylesheet links at the versioned directory;
/// not under `cargo leptos watch` (`scripts/shop --dev`), which rebuilds the WASM and CSS
/// without restarting the server, so a version taken at start-up would go stale.
pub fn use_versioned_names(options: &mut LeptosOptions) {
    if std::env::var("LEPTOS_WATCH").is_ok_and(|v| v == "true") {
        return;
    }
    let version = version(&pkg_dir(options));
    options.site_pkg_dir = format!("{PKG}/{version}").into();
}

/// The routes under `/pkg`: `/<version>/<file>` for the current version (immutable),
/// `/<file>` revalidated.
pub fn routes<S: Clone + Send + Sync + 'static>(options: &LeptosOptions) -> Router<S> {
    let dir = pkg_dir(options);
    let files = || ServeDir::new(&dir).precompressed_br().precompressed_gzip();
    let current = options
        .site_pkg_dir
        .strip_prefix(PKG)
        .and_then(|rest| rest.strip_prefix('/'))
        .filter(|v| !v.is_empty() && !v.contains('/'));
    let plain = Router::new()
        .fallback_service(files())
        .layer(axum::middleware::from_fn(|r: Request, n: Next| {
            cache_found(r, n, REVALIDATE)
        }));
    let mut router = Router::new();
    if let Some(version) = current {
        let versioned = Router::new()
            .fallback_service(files())
            .layer(axum::middleware::from_fn(|r: Request, n: Next| {
                cache_found(r, n, IMMUTABLE)
            }));
        router = router.nest_service(&format!("/{version}"), versioned);
    }
    router.fallback_service(plain)
}

/// The routes under `/media`, from `dir`.
pub fn media<S: Clone + Send + Sync + 'static>(dir: &Path) -> Router<S> {
    let files =
        Router::new()
            .fallback_service(ServeDir::new(dir))
            .layer(axum::middleware::from_fn(|r: Request, n: Next| {
                cache_found(r, n, IMMUTABLE)
            }));
    Router::new()
        .fallback_service(files)
        .layer(axum::middleware::from_fn_with_state(
            dir.to_owned(),
            avif_or_webp,
        ))
}

/// An `.avif` name whose file is not there yet is served the `.webp` of the same name,
/// revalidated, so the AVIF is fetched once it exists.
async fn avif_or_webp(State(dir): State<PathBuf>, mut request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let Some(stem) = path.strip_suffix(".avif") else {
        return next.run(request).await;
    };
    let relative = path.trim_start_matches('/');
    let plain = relative
        .split('/')
        .all(|part| !part.is_empty() && part != "." && part != ".." && !part.contains('\\'));
    if !plain || dir.join(relative).is_file() {
        return next.run(request).await;
    }
    let Ok(uri) = format!("{stem}.webp").parse() else {
        return next.run(request).await;
    };
    *request.uri_mut() = uri;
    let mut response = next.run(request).await;
    if response.status().is_success() {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(REVALIDATE));
    }
    response
}

/// Sets `cache` on a file that was found (a miss is not to be remembered).
async fn cache_found(request: Request, next: Next, cache: &'static str) -> Response {
    let mut response = next.run(request).await;
    if response.status().is_success() || response.status().is_redirection() {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::StatusCode;
    use tower::ServiceExt;

    fn site(tag: &str) -> (PathBuf, LeptosOptions) {
        let root = std::env::temp_dir().join(format!("mercato-site-{tag}-{}", std::process::id()));
        let pkg = root.join(PKG);
        std::fs::create_dir_all(&pkg).unwrap();
        std::fs::write(pkg.join("m.wasm"), b"plain wasm bytes").unwrap();
        std::fs::write(pkg.join("m.wasm.br"), b"brotli bytes").unwrap();
        std::fs::write(pkg.join("m.wasm.gz"), b"gzip bytes").unwrap();
        std::fs::write(pkg.join("m.js"), b"import wasm").unwrap();
        let mut options = LeptosOptions::builder()
            .output_name("m")
            .site_root(root.to_string_lossy().into_owned())
            .site_pkg_dir(PKG)
            .build();
        use_versioned_names(&mut options);
        (root, options)
    }

    async fn get(
        files: &Router,
        path: &str,
        encoding: &str,
    ) -> (StatusCode, Vec<(String, String)>, Vec<u8>) {
        let mut req = axum::http::Request::get(path);
        if !encoding.is_empty() {
            req = req.header(header::ACCEPT_ENCODING, encoding);
        }
        let resp = files
            .clone()
            .oneshot(req.body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = resp.status();
        let headers = [header::CONTENT_ENCODING, header::CACHE_CONTROL]
            .iter()
            .filter_map(|h| {
                resp.headers()
                    .get(h)
                    .map(|v| (h.to_string(), v.to_str().unwrap().to_owned()))
            })
            .collect();
        let body = axum::body::to_bytes(resp.into_body(), 1 << 20)
            .await
            .unwrap();
        (status, headers, body.to_vec())
    }

    fn pair(a: &str, b: &str) -> (String, String) {
        (a.to_owned(), b.to_owned())
    }

    #[tokio::test]
    async fn versioned_files_are_immutable_and_precompressed() {
        let (root, options) = site("versioned");
        let version = options
            .site_pkg_dir
            .strip_prefix("pkg/")
            .unwrap()
            .to_owned();
        assert_eq!(version.len(), 16, "{}", options.site_pkg_dir);
        let files: Router = routes(&options);
        let url = format!("/{version}/m.wasm");

        let (status, headers, body) = get(&files, &url, "br, gzip").await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            headers.contains(&pair("content-encoding", "br")),
            "{headers:?}"
        );
        assert!(
            headers.contains(&pair("cache-control", IMMUTABLE)),
            "{headers:?}"
        );
        assert_eq!(body, b"brotli bytes");

        let (_, headers, body) = get(&files, &url, "gzip").await;
        assert!(
            headers.contains(&pair("content-encoding", "gzip")),
            "{headers:?}"
        );
        assert_eq!(body, b"gzip bytes");

        let (status, headers, body) = get(&files, &url, "").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers, vec![pair("cache-control", IMMUTABLE)]);
        assert_eq!(body, b"plain wasm bytes");
        let _ = std::fs::remove_dir_all(&root);
    }

    #[tokio::test]
    async fn plain_names_revalidate_and_other_versions_are_not_found() {
        let (root, options) = site("plain");
        let files: Router = routes(&options);
        let (status, headers, body) = get(&files, "/m.js", "").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers, vec![pair("cache-control", REVALIDATE)]);
        assert_eq!(body, b"import wasm");

        for path in ["/0123456789abcdef/m.js", "/missing.js", "/../Cargo.toml"] {
            let (status, headers, _) = get(&files, path, "").await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
            assert!(
                headers.iter().all(|(h, _)| h != "cache-control"),
                "{path}: {headers:?}"
            );
        }
        let current = options.site_pkg_dir.strip_prefix("pkg/").unwrap();
        let (status, headers, _) = get(&files, &format!("/{current}/missing.js"), "").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(headers.is_empty(), "a miss is not cached: {headers:?}");
        let _ = std::fs::remove_dir_all(&root);
    }

    #[tokio::test]
    async fn media_avif_falls_back_to_webp_until_it_exists() {
        let root = std::env::temp_dir().join(format!("mercato-media-{}", std::process::id()));
        let products = root.join("products");
        std::fs::create_dir_all(&products).unwrap();
        std::fs::write(products.join("k-320.webp"), b"RIFF0000WEBP bytes").unwrap();
        std::fs::write(root.join("secret.txt"), b"not a photo").unwrap();
        let files: Router = media(&root);

        let (status, headers, body) = get(&files, "/products/k-320.webp", "").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers, vec![pair("cache-control", IMMUTABLE)]);
        assert_eq!(body, b"RIFF0000WEBP bytes");

        let (status, headers, body) = get(&files, "/products/k-320.avif", "").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers, vec![pair("cache-control", REVALIDATE)]);
        assert_eq!(body, b"RIFF0000WEBP bytes");

        std::fs::write(products.join("k-320.avif"), b"....ftypavif").unwrap();
        let (status, headers, body) = get(&files, "/products/k-320.avif", "").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers, vec![pair("cache-control", IMMUTABLE)]);
        assert_eq!(body, b"....ftypavif");

        for path in [
            "/products/k-480.avif",
            "/products/../secret.avif",
            "/products/%2e%2e/secret.avif",
            "/products//k-480.avif",
        ] {
            let (status, headers, _) = get(&files, path, "").await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
            assert!(headers.is_empty(), "{path}: {headers:?}");
        }
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    fn the_version_follows_the_bytes_not_their_compressed_copies() {
        let (root, options) = site("bytes");
        let dir = pkg_dir(&options);
        let before = version(&dir);
        assert_eq!(
            version(&dir),
            before,
            "the same files give the same version"
        );
        std::fs::write(dir.join("m.wasm.br"), b"recompressed").unwrap();
        assert_eq!(version(&dir), before);
        std::fs::write(dir.join("m.wasm"), b"a new build").unwrap();
        assert_ne!(version(&dir), before);
        let _ = std::fs::remove_dir_all(&root);
    }
}
