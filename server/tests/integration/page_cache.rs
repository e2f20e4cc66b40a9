//! The page cache seen from outside: pages for visitors without a session are kept and
//! served again (`x-cache: hit`), evicted exactly when something they show changes (a
//! price, availability, a flash sale), never shared with or fed by a visitor who has a
//! session, allowed their scripts by hash, and answered 304 when the client holds them.

use crate::checkout::LAPTOP_13;
use crate::helpers::{Browser, TestApp, spawn_shop};
use base64::Engine;
use sha2::{Digest, Sha256};
use std::time::{Duration, Instant};

/// Polls `path` until `ok` holds for its body (notifications arrive asynchronously).
async fn until(app: &TestApp, path: &str, ok: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let body = app.get(path).await.text();
        if ok(&body) || Instant::now() > deadline {
            return body;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The laptop's variants, every one.
const LAPTOPS: &str = "variant_id IN (SELECT v.id FROM variants v
    JOIN products p ON p.id = v.product_id WHERE p.slug = 'laptop')";

async fn outcome(app: &TestApp, path: &str) -> String {
    app.get(path).await.header("x-cache").to_owned()
}

async fn product_paths(app: &TestApp) -> Vec<String> {
    sqlx::query_scalar::<_, String>(
        "SELECT '/p/' || slug FROM products WHERE status = 'active' ORDER BY id LIMIT 12",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn kept_pages_are_evicted_exactly_when_what_they_show_changes() {
    let app = spawn_shop().await;
    app.start_cache().await;
    let mut pages = product_paths(&app).await;
    assert!(pages.len() >= 8 && pages.contains(&"/p/laptop".to_owned()));
    pages.push("/c/electronics".into());
    pages.push("/".into());
    let mut bodies = Vec::new();
    for path in &pages {
        assert_eq!(outcome(&app, path).await, "miss", "{path}: first render");
        let r = app.get(path).await;
        assert_eq!((r.status, r.header("x-cache")), (200, "hit"), "{path}");
        bodies.push(r.text());
    }

    // Another client changes the laptop's price, straight in SQL.
    sqlx::query("UPDATE variants SET price_minor = 111100 WHERE sku = $1")
        .bind(LAPTOP_13)
        .execute(&app.pool)
        .await
        .unwrap();
    let laptop = until(&app, "/p/laptop", |b| b.contains("$1,111.00")).await;
    assert!(laptop.contains("$1,111.00"), "the new price is shown");
    // Exactly the pages that show the laptop went, and every listing; the rest stay.
    for (path, before) in pages.iter().zip(&bodies) {
        if path == "/p/laptop" {
            continue;
        }
        let shows_laptop = before.contains("href=\"/p/laptop\"");
        let listing = !path.starts_with("/p/");
        let r = app.get(path).await;
        let expected = if shows_laptop || listing {
            "miss"
        } else {
            "hit"
        };
        assert_eq!(r.header("x-cache"), expected, "{path}");
        if shows_laptop {
            assert!(!r.text().contains("$1,299.00"), "{path}: the old price");
        }
    }

    // Availability: the last units sold elsewhere.
    sqlx::query(&format!(
        "UPDATE stock_levels SET on_hand = reserved + sold WHERE {LAPTOPS}"
    ))
    .execute(&app.pool)
    .await
    .unwrap();
    let laptop = until(&app, "/p/laptop", |b| b.contains("Out of stock")).await;
    assert!(laptop.contains("Out of stock"), "{laptop}");
    sqlx::query(&format!(
        "UPDATE stock_levels SET on_hand = on_hand + 50 WHERE {LAPTOPS}"
    ))
    .execute(&app.pool)
    .await
    .unwrap();
    let laptop = until(&app, "/p/laptop", |b| !b.contains("Out of stock")).await;
    assert!(!laptop.contains("Out of stock"));

    // A flash sale scheduled for it appears on its kept page at once.
    assert_eq!(outcome(&app, "/p/laptop").await, "hit");
    let sale = crate::flash_sales::laptop_sale(&app, 5, 3600).await;
    let laptop = until(&app, "/p/laptop", |b| b.contains(&format!("/sale/{sale}"))).await;
    assert!(laptop.contains("data-test=\"flash-banner\""), "no banner");
    // Its countdown changes by the second: such a page is not kept.
    assert_ne!(outcome(&app, "/p/laptop").await, "hit");
    assert_ne!(outcome(&app, "/p/laptop").await, "hit");
}

#[tokio::test]
async fn a_visitor_with_a_session_never_gets_nor_feeds_the_shared_page() {
    let app = spawn_shop().await;
    app.start_cache().await;
    let shopper = Browser::new(&app);
    let r = shopper
        .call("/api/cart/add", &[("sku", LAPTOP_13), ("quantity", "2")])
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(shopper.cookie("mercato_session").is_some());
    for _ in 0..2 {
        let mine = shopper.get("/p/laptop").await;
        assert_eq!(
            mine.header("x-cache"),
            "",
            "a session's page is not from the cache"
        );
        assert_eq!(mine.header("cache-control"), "private, no-store");
        assert_eq!(cart_count(&mine.text()), "2", "the shopper's own count");
    }
    assert_eq!(
        outcome(&app, "/p/laptop").await,
        "miss",
        "nothing was kept for them"
    );
    let shared = app.get("/p/laptop").await;
    assert_eq!(shared.header("x-cache"), "hit");
    assert_eq!(cart_count(&shared.text()), "0");
    // Any of the shop's cookies (here a flash message) keeps a visitor off the cache.
    let r = crate::helpers::http_request(
        app.addr,
        "GET",
        "/p/laptop",
        &[("Cookie", "mercato_flash=x".into())],
        "",
    )
    .await;
    assert_eq!(r.header("x-cache"), "");
}

/// The header's cart count as the page shows it (markers and comments left out).
fn cart_count(html: &str) -> String {
    let after = html
        .split("data-test=\"cart-count\"")
        .nth(1)
        .expect("a cart count");
    let inner = &after[after.find('>').unwrap() + 1..after.find("</span>").unwrap()];
    let mut text = String::new();
    let mut in_tag = false;
    for c in inner.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.trim().to_owned()
}

/// The SHA-256 (base64) of each inline script the page runs.
fn inline_script_hashes(html: &str) -> Vec<String> {
    html.split("<script")
        .skip(1)
        .filter_map(|s| {
            let (attrs, rest) = s.split_once('>')?;
            if attrs.contains("src=") || attrs.contains("application/ld+json") {
                return None;
            }
            let content = rest.split("</script>").next()?;
            Some(base64::engine::general_purpose::STANDARD.encode(Sha256::digest(content)))
        })
        .collect()
}

#[tokio::test]
async fn kept_pages_allow_their_scripts_by_hash_and_answer_304() {
    let app = spawn_shop().await;
    app.start_cache().await;
    for path in ["/", "/p/laptop", "/c/electronics"] {
        for expected in ["miss", "hit"] {
            let r = app.get(path).await;
            assert_eq!(r.header("x-cache"), expected, "{path}");
            let csp = r.header("content-security-policy").to_owned();
            let html = r.text();
            assert!(!csp.contains("nonce"), "{path}: {csp}");
            assert!(!html.contains(" nonce="), "{path}: a nonce shown to many");
            let hashes = inline_script_hashes(&html);
            assert!(!hashes.is_empty(), "{path}: Leptos's loader is inline");
            for h in hashes {
                assert!(
                    csp.contains(&format!("'sha256-{h}'")),
                    "{path}: {h} in {csp}"
                );
            }
            assert!(csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"));
            assert_eq!(r.header("x-content-type-options"), "nosniff");
            assert!(r.header("cache-control").contains("stale-while-revalidate"));
            assert!(r.header("vary").contains("Cookie"));
        }
        let r = app.get(path).await;
        let etag = r.header("etag").to_owned();
        assert!(etag.starts_with("W/\""), "{etag}");
        let again = crate::helpers::http_request(
            app.addr,
            "GET",
            path,
            &[("If-None-Match", etag.clone())],
            "",
        )
        .await;
        assert_eq!((again.status, again.body.len()), (304, 0), "{path}");
        assert_eq!(again.header("etag"), etag);
        let other = crate::helpers::http_request(
            app.addr,
            "GET",
            path,
            &[("If-None-Match", "W/\"stale\"".into())],
            "",
        )
        .await;
        assert_eq!(other.status, 200);
        // Compressed once, sent as the client accepts.
        let br = crate::helpers::http_request(
            app.addr,
            "GET",
            path,
            &[("Accept-Encoding", "gzip, br".into())],
            "",
        )
        .await;
        assert_eq!(br.header("content-encoding"), "br");
        let mut plain = Vec::new();
        brotli::BrotliDecompress(&mut &br.body[..], &mut plain).unwrap();
        assert_eq!(plain, r.body, "{path}: the same page");
    }
}

#[tokio::test]
async fn markup_in_a_product_is_escaped_in_the_kept_page() {
    let app = spawn_shop().await;
    app.start_cache().await;
    sqlx::query("UPDATE products SET title = $1, description = $1 WHERE slug = 'laptop'")
        .bind("<script nonce=\"x\">alert(1)</script>")
        .execute(&app.pool)
        .await
        .unwrap();
    let html = until(&app, "/p/laptop", |b| b.contains("alert(1)")).await;
    assert!(!html.contains("<script nonce=\"x\">alert(1)"), "{html}");
    let r = app.get("/p/laptop").await;
    assert_eq!(r.header("x-cache"), "hit");
    let csp = r.header("content-security-policy");
    let evil = base64::engine::general_purpose::STANDARD.encode(Sha256::digest("alert(1)"));
    assert!(!csp.contains(&evil), "a product's text allowed as a script");
}
