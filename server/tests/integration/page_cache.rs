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
async fn a_visitor_with_a_session_never_shares_their_own_parts() {
    let app = spawn_shop().await;
    app.start_cache().await;
    let shopper = Browser::new(&app);
    let r = shopper
        .call("/api/cart/add", &[("sku", LAPTOP_13), ("quantity", "2")])
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(shopper.cookie("mercato_session").is_some());
    // Nothing is kept yet: the page is rendered for no one and kept, and they get it
    // with their own parts.
    for _ in 0..2 {
        let mine = shopper.get("/p/laptop").await;
        assert_eq!(mine.header("x-cache"), "parts");
        assert_eq!(mine.header("cache-control"), "private, no-store");
        assert_eq!(cart_count(&mine.text()), "2", "the shopper's own count");
    }
    let shared = app.get("/p/laptop").await;
    assert_eq!(
        shared.header("x-cache"),
        "hit",
        "kept by their first request"
    );
    assert_eq!(cart_count(&shared.text()), "0");
    // Any other of the shop's cookies (here a flash message) keeps a visitor off the cache.
    let cookie = format!(
        "mercato_session={}; mercato_flash=x",
        shopper.cookie("mercato_session").unwrap()
    );
    let r =
        crate::helpers::http_request(app.addr, "GET", "/p/laptop", &[("Cookie", cookie)], "").await;
    assert_eq!(r.header("x-cache"), "");
    // A page that cannot be kept (a flash sale's countdown) is theirs, rendered whole.
    crate::flash_sales::laptop_sale(&app, 5, 3600).await;
    let page = until(&app, "/p/laptop", |b| b.contains("flash-banner")).await;
    assert!(page.contains("data-test=\"flash-banner\""));
    for _ in 0..2 {
        let mine = shopper.get("/p/laptop").await;
        assert_eq!((mine.status, mine.header("x-cache")), (200, ""));
        assert!(mine.text().contains("data-test=\"flash-banner\""));
        assert_eq!(cart_count(&mine.text()), "2");
    }
}

/// A page without the render's nonce (the kept page allows its scripts by hash; Leptos
/// also writes the nonce as the preloads' `crossorigin`).
fn without_nonces(html: &str) -> String {
    let mut out = html.to_owned();
    for attribute in [" nonce=\"", " crossorigin=\""] {
        let mut kept = String::with_capacity(out.len());
        let mut rest = out.as_str();
        while let Some(at) = rest.find(attribute) {
            kept.push_str(&rest[..at]);
            let after = &rest[at + attribute.len()..];
            rest = &after[after.find('"').map_or(after.len(), |e| e + 1)..];
        }
        kept.push_str(rest);
        out = kept;
    }
    out
}

/// Where two pages first differ, for a readable failure.
fn first_difference(a: &str, b: &str) -> String {
    let at = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    let from = a.floor_char_boundary(at.saturating_sub(200));
    let show = |s: &str| s[from..s.ceil_char_boundary((at + 200).min(s.len()))].to_owned();
    format!("at byte {at}:\n{}\n---\n{}", show(a), show(b))
}

/// The same page rendered whole for the same visitor: an address the cache never keeps
/// (a parameter the page does not read) renders it from scratch.
async fn whole(b: &Browser, path: &str) -> String {
    let sep = if path.contains('?') { '&' } else { '?' };
    let r = b.get(&format!("{path}{sep}whole=1")).await;
    assert_eq!((r.status, r.header("x-cache")), (200, ""), "{path}");
    without_nonces(&r.text())
}

#[tokio::test]
async fn a_visitor_with_a_session_gets_the_kept_page_with_their_own_parts() {
    let app = spawn_shop().await;
    app.start_cache().await;
    let pages = ["/c/electronics", "/p/laptop", "/"];
    let mut kept = Vec::new();
    for path in pages {
        assert_eq!(outcome(&app, path).await, "miss", "{path}");
        let r = app.get(path).await;
        assert_eq!(r.header("x-cache"), "hit", "{path}");
        kept.push(r.text());
    }

    // A guest with two laptops in their cart.
    let guest = Browser::new(&app);
    let r = guest
        .call("/api/cart/add", &[("sku", LAPTOP_13), ("quantity", "2")])
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    // A customer signed in, with an empty cart.
    let customer = Browser::new(&app);
    crate::helpers::sign_up_confirmed(
        &app,
        &customer,
        "parts@example.com",
        "a long passphrase 1",
        "P",
    )
    .await;
    for (b, count, link) in [(&guest, "2", "Sign in"), (&customer, "0", "Account")] {
        for path in pages {
            let r = b.get(path).await;
            assert_eq!((r.status, r.header("x-cache")), (200, "parts"), "{path}");
            assert_eq!(r.header("cache-control"), "private, no-store", "{path}");
            assert!(r.header("etag").is_empty(), "{path}: no validator for one");
            let mine = r.text();
            assert_eq!(cart_count(&mine), count, "{path}");
            assert!(mine.contains(&format!(">{link}</a>")), "{path}");
            // Exactly what the whole render gives them (the lists leave out their cart,
            // the home page has what they viewed), but for the scripts' nonces.
            let whole = whole(b, path).await;
            let mine = without_nonces(&mine);
            assert!(mine == whole, "{path}: {}", first_difference(&mine, &whole));
        }
    }
    // Their view of the laptop was recorded as the whole page records it.
    let home = guest.get("/").await;
    assert_eq!(home.header("x-cache"), "parts");
    let viewed = home
        .text()
        .split("data-test=\"reco-recently_viewed\"")
        .nth(1)
        .map(|s| s.split("</section>").next().unwrap_or("").to_owned())
        .expect("a recently viewed list");
    assert!(viewed.contains("href=\"/p/laptop\""), "{viewed}");

    // Nothing of theirs reached the kept pages.
    for (path, before) in pages.iter().zip(&kept) {
        let r = app.get(path).await;
        assert_eq!(r.header("x-cache"), "hit", "{path}");
        assert_eq!(&r.text(), before, "{path}");
        assert_eq!(cart_count(before), "0");
        assert!(!before.contains(">Account</a>") && !before.contains("reco-recently_viewed"));
    }

    // A made-up or expired session is no one: the kept page as it is, privately.
    let stranger = Browser::new(&app);
    stranger.set_cookie("mercato_session", &"A".repeat(43));
    for (path, before) in pages.iter().zip(&kept) {
        let r = stranger.get(path).await;
        assert_eq!(r.header("x-cache"), "parts", "{path}");
        assert_eq!(&r.text(), before, "{path}");
    }
    app.change_sessions("UPDATE sessions SET expires_at = now() - interval '1 second'")
        .await;
    let r = guest.get("/c/electronics").await;
    assert_eq!(
        r.text(),
        kept[0],
        "an expired session sees what anyone sees"
    );
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
    // Kept once every notification of the edit has arrived (one edit may evict twice).
    let deadline = Instant::now() + Duration::from_secs(5);
    let r = loop {
        let r = app.get("/p/laptop").await;
        if (r.header("x-cache") == "hit" && r.text().contains("alert(1)"))
            || Instant::now() > deadline
        {
            break r;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(r.header("x-cache"), "hit");
    assert!(!r.text().contains("<script nonce=\"x\">alert(1)"));
    let csp = r.header("content-security-policy");
    let evil = base64::engine::general_purpose::STANDARD.encode(Sha256::digest("alert(1)"));
    assert!(!csp.contains(&evil), "a product's text allowed as a script");
    // The same text in a part drawn for one visitor (their recently viewed list).
    assert_eq!(outcome(&app, "/").await, "miss");
    let guest = Browser::new(&app);
    let r = guest
        .call("/api/cart/add", &[("sku", "B00XI87KV8"), ("quantity", "1")])
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(guest.get("/p/laptop").await.header("x-cache"), "parts");
    let home = guest.get("/").await;
    assert_eq!(home.header("x-cache"), "parts");
    let html = home.text();
    assert!(
        html.contains("data-test=\"reco-recently_viewed\""),
        "{html}"
    );
    assert!(
        html.contains("&lt;script nonce=\"x\"&gt;alert(1)"),
        "{html}"
    );
    assert!(!html.contains("<script nonce=\"x\">alert(1)"), "{html}");
    assert!(!home.header("content-security-policy").contains(&evil));
}
