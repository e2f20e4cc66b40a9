//! Recommendations from real orders through real checkout: folding confirmed orders one
//! at a time from the outbox and rebuilding from every order give the same counts, the
//! same fitted neighbours and the same lists; the lists keep their rules (nothing in
//! the cart, archived or bought already), the JSON API refuses what it cannot answer,
//! and what a session viewed stays with that session.

use crate::checkout::{add, key, place};
use crate::helpers::{Browser, TestApp, spawn_shop};
use app::payments::wire::test_cards;
use std::time::Duration;

const LAPTOP: &str = "L2201308";
const MOUSE: &str = "834444";
const KEYBOARD: &str = "A4TKLA45535";
const CABLE: &str = "USBCIN01.5MI";
const TRIPOD: &str = "B00XI87KV8";

/// A signed-in customer's browser.
async fn customer(app: &TestApp, email: &str) -> Browser {
    let b = Browser::new(app);
    crate::helpers::sign_up_confirmed(app, &b, email, "a long enough password", "Ann Buyer").await;
    b
}

/// Buys one of each SKU in `b`.
async fn buy(b: &Browser, skus: &[&str]) {
    for sku in skus {
        add(b, sku, "1").await;
    }
    let r = place(b, &key(), test_cards::SUCCESS).await;
    assert_eq!(r.status, 200, "{}", r.text());
}

/// Every row the models learned and fitted, in a fixed order.
async fn learned(app: &TestApp) -> Vec<String> {
    let mut out = Vec::new();
    for sql in [
        "SELECT order_id::text FROM reco_folded ORDER BY 1",
        "SELECT customer_id || ' ' || product_id || ' ' || first_at || ' ' || last_at || ' ' || orders
           FROM reco_purchases ORDER BY customer_id, product_id",
        "SELECT product_id || ' ' || buyers || ' ' || baskets FROM reco_products ORDER BY product_id",
        "SELECT product_id || ' ' || other_id || ' ' || baskets FROM reco_basket_pairs ORDER BY 1",
        "SELECT model || ' ' || product_id || ' ' || rank || ' ' || other_id || ' ' || round(score::numeric, 9)
           FROM reco_neighbours ORDER BY model, product_id, rank",
    ] {
        let rows: Vec<String> = sqlx::query_scalar(sql).fetch_all(&app.pool).await.unwrap();
        assert!(!rows.is_empty(), "nothing learned: {sql}");
        out.extend(rows);
    }
    out
}

/// The lists the JSON API gives `b` for `place` and `key`: (kind, [product slugs]).
async fn lists(b: &Browser, place: &str, key: &str) -> Vec<(String, Vec<String>)> {
    let r = b
        .get(&format!(
            "/api/v1/recommendations?place={place}&key={}",
            app::url::encode(key)
        ))
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["kind"].as_str().unwrap().to_owned(),
                s["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|i| i["card"]["slug"].as_str().unwrap().to_owned())
                    .collect(),
            )
        })
        .collect()
}

fn shelf<'a>(all: &'a [(String, Vec<String>)], kind: &str) -> &'a [String] {
    all.iter()
        .find(|(k, _)| k == kind)
        .map(|(_, items)| items.as_slice())
        .unwrap_or_default()
}

#[tokio::test]
async fn orders_folded_one_at_a_time_and_a_rebuild_learn_the_same_and_serve_the_same() {
    let app = spawn_shop().await;
    // Laptops go with mice (three baskets), keyboards with cables; one guest too.
    let ann = customer(&app, "ann@example.com").await;
    buy(&ann, &[LAPTOP, MOUSE]).await;
    buy(&ann, &[CABLE]).await;
    let bob = customer(&app, "bob@example.com").await;
    buy(&bob, &[LAPTOP, MOUSE, KEYBOARD]).await;
    let cy = customer(&app, "cy@example.com").await;
    buy(&cy, &[KEYBOARD, CABLE]).await;
    let guest = Browser::new(&app);
    buy(&guest, &[LAPTOP, MOUSE]).await;

    // The worker folds what the outbox says was confirmed, and fits.
    let round = app::reco::ssr::run_once(&app.pool, Duration::ZERO)
        .await
        .unwrap();
    assert_eq!(round.folded, 5, "{round:?}");
    assert!(round.fitted);
    let again = app::reco::ssr::run_once(&app.pool, Duration::ZERO)
        .await
        .unwrap();
    assert_eq!(
        (again.folded, again.fitted),
        (0, false),
        "nothing is folded twice"
    );
    let folded = learned(&app).await;
    let viewer = Browser::new(&app);
    let served = lists(&viewer, "sku", LAPTOP).await;
    assert_eq!(
        shelf(&served, "together").first().map(String::as_str),
        Some("cordless-mouse"),
        "{served:?}"
    );

    // Everything again from every order: the same rows and the same lists.
    let (orders, fitted) = app::reco::ssr::rebuild(&app.pool, |_, _, _| {})
        .await
        .unwrap();
    assert_eq!(orders, 5);
    assert!(fitted.products >= 4, "{fitted:?}");
    assert_eq!(learned(&app).await, folded);
    assert_eq!(lists(&viewer, "sku", LAPTOP).await, served);
    let counts: (i64, i64, i64) = sqlx::query_as(
        "SELECT buyers::bigint, baskets::bigint,
                (SELECT baskets::bigint FROM reco_basket_pairs p JOIN variants a ON a.product_id = p.product_id
                   JOIN variants b ON b.product_id = p.other_id WHERE a.sku = $1 AND b.sku = $2)
           FROM reco_products r JOIN variants v ON v.product_id = r.product_id WHERE v.sku = $1",
    )
    .bind(LAPTOP)
    .bind(MOUSE)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        counts,
        (2, 3, 3),
        "two customers and a guest bought laptops, each with a mouse"
    );

    // A customer with no orders yet: picks filled from the most bought first (what the
    // offline evaluation measures), then what is trending.
    let dee = customer(&app, "dee@example.com").await;
    let r = dee.get("/api/v1/recommendations?place=customer&key=").await;
    assert_eq!(r.status, 200, "{}", r.text());
    let body = r.json();
    let reasons: Vec<&str> = body[0]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["reason"].as_str().unwrap())
        .collect();
    assert_eq!(body[0]["kind"], "for_you", "{body}");
    assert!(
        reasons.len() >= 4 && reasons[..4].iter().all(|r| *r == "popular"),
        "the four products customers bought come first, as popular: {body}"
    );

    // Personal picks never hold what the customer bought; the cart's products never
    // appear; an archived product is never recommended.
    let picks = lists(&ann, "customer", "").await;
    let mine = shelf(&picks, "for_you");
    assert!(!mine.is_empty(), "{picks:?}");
    for bought in ["laptop", "cordless-mouse", "usb-cable"] {
        assert!(!mine.iter().any(|s| s == bought), "{bought} in {mine:?}");
    }
    add(&viewer, MOUSE, "1").await;
    let with_cart = lists(&viewer, "sku", LAPTOP).await;
    assert!(
        with_cart
            .iter()
            .all(|(_, items)| !items.iter().any(|s| s == "cordless-mouse")),
        "{with_cart:?}"
    );
    sqlx::query("UPDATE products SET status = 'archived' WHERE slug = 'clacky-keyboard'")
        .execute(&app.pool)
        .await
        .unwrap();
    for (place, key) in [("sku", LAPTOP), ("cart", ""), ("home", ""), ("sku", CABLE)] {
        let all = lists(&viewer, place, key).await;
        assert!(
            all.iter()
                .all(|(_, items)| !items.iter().any(|s| s == "clacky-keyboard")),
            "{place}: {all:?}"
        );
    }
}

#[tokio::test]
async fn the_api_refuses_what_it_cannot_answer_and_views_stay_with_their_session() {
    let app = spawn_shop().await;
    // A new shop's first round fits the content model (no sales needed).
    let round = app::reco::ssr::run_once(&app.pool, Duration::from_secs(300))
        .await
        .unwrap();
    assert!(round.fitted, "{round:?}");
    let b = Browser::new(&app);
    for (place, key, want) in [
        ("product", "<script>alert(1)</script>", 400),
        ("nowhere", "", 400),
        ("sku", "", 400),
        ("sku", &"X,".repeat(30), 400),
        ("sku", &"x".repeat(3000), 400),
        ("customer", "", 400),
    ] {
        let r = b
            .get(&format!(
                "/api/v1/recommendations?place={}&key={}",
                app::url::encode(place),
                app::url::encode(key)
            ))
            .await;
        assert_eq!(r.status, want, "{place} {key}: {}", r.text());
        assert!(!r.text().contains("<script>"), "{}", r.text());
    }
    // A new shop with no sales still has something to show: featured products.
    let home = lists(&b, "home", "").await;
    assert_eq!(shelf(&home, "trending").len(), 8, "{home:?}");

    // A guest with a session (a cart) looks at two products; the home page shows them,
    // latest first, and nobody else sees them.
    add(&b, TRIPOD, "1").await;
    let page = b.get("/p/laptop").await;
    assert_eq!(page.status, 200);
    let page = b.get("/p/tablet").await;
    assert_eq!(page.status, 200);
    let home = lists(&b, "home", "").await;
    assert_eq!(
        shelf(&home, "recently_viewed"),
        ["tablet", "laptop"],
        "{home:?}"
    );
    let other = Browser::new(&app);
    add(&other, TRIPOD, "1").await;
    let theirs = lists(&other, "home", "").await;
    assert!(shelf(&theirs, "recently_viewed").is_empty(), "{theirs:?}");
    // The pages draw the lists on the server, JavaScript or not.
    let html = b.get("/").await.text();
    assert!(html.contains("Recently viewed"), "the home page lists them");
    let html = b.get("/p/laptop").await.text();
    assert!(
        html.contains("data-test=\"reco-similar\""),
        "similar products on the page"
    );
}

#[tokio::test]
async fn a_guest_without_a_session_gets_one_for_what_they_view_in_a_browser() {
    let app = spawn_shop().await;
    app.start_cache().await;
    let guest = Browser::new(&app);
    // The product page is the same for everyone: no session from it.
    let page = guest.get("/p/laptop").await;
    assert_eq!(page.status, 200);
    assert!(guest.cookie("mercato_session").is_none());
    // Its buy box tells the shop once it runs in the browser.
    for (slug, why) in [
        ("", "no product"),
        ("no-such-product", "unknown"),
        ("<script>alert(1)</script>", "markup"),
        (&"x".repeat(300), "too long"),
    ] {
        let r = guest.call("/api/reco/seen", &[("slug", slug)]).await;
        assert_eq!(r.status, 400, "{why}: {}", r.text());
        assert!(!r.text().contains("<script>"), "{}", r.text());
        assert!(
            guest.cookie("mercato_session").is_none(),
            "{why}: no session"
        );
    }
    let r = guest.call("/api/reco/seen", &[("slug", "laptop")]).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let token = guest.cookie("mercato_session").expect("a guest session");
    let sessions: i64 = sqlx::query_scalar("SELECT count(*) FROM sessions")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    // Started by a view alone, it lasts a day unless the guest comes back (a crawler
    // that runs the script and keeps no cookie leaves a day's rows).
    let hours: f64 = sqlx::query_scalar(
        "SELECT extract(epoch FROM max(expires_at) - now())::float8 / 3600 FROM sessions",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!((23.0..=24.0).contains(&hours), "{hours} hours");
    // Their next pages are drawn for them: the home page lists what they viewed, as do
    // the product pages they open from now on (recorded with the page).
    assert_eq!(guest.get("/p/tablet").await.header("x-cache"), "parts");
    let r = guest.call("/api/reco/seen", &[("slug", "tablet")]).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        guest.cookie("mercato_session"),
        Some(token),
        "the same session"
    );
    let home = lists(&guest, "home", "").await;
    assert_eq!(
        shelf(&home, "recently_viewed"),
        ["tablet", "laptop"],
        "{home:?}"
    );
    let html = guest.get("/").await.text();
    assert!(html.contains("data-test=\"reco-recently_viewed\""));
    let after: i64 = sqlx::query_scalar("SELECT count(*) FROM sessions")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(after, sessions, "one session, however many views");
    // Nobody else sees them.
    assert!(!app.get("/").await.text().contains("reco-recently_viewed"));
}

/// The lists of `b` for `place` once `done` holds of them (at most five seconds).
async fn lists_until(
    b: &Browser,
    place: &str,
    done: impl Fn(&[(String, Vec<String>)]) -> bool,
) -> Vec<(String, Vec<String>)> {
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        let all = lists(b, place, "").await;
        if done(&all) || std::time::Instant::now() > deadline {
            return all;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn what_lists_are_filled_from_is_read_again_when_a_product_is_archived_or_sold_out() {
    let app = spawn_shop().await;
    app.start_cache().await;
    let b = Browser::new(&app);
    // Asked twice: the second answer comes from what the first one read.
    let home = lists(&b, "home", "").await;
    assert_eq!(lists(&b, "home", "").await, home);
    let shown = shelf(&home, "trending").to_vec();
    assert!(shown.len() >= 2, "{home:?}");
    let (archived, sold_out) = (shown[0].clone(), shown[1].clone());
    sqlx::query("UPDATE products SET status = 'archived' WHERE slug = $1")
        .bind(&archived)
        .execute(&app.pool)
        .await
        .unwrap();
    sqlx::query(
        "UPDATE stock_levels SET on_hand = 0 WHERE variant_id IN
           (SELECT v.id FROM variants v JOIN products p ON p.id = v.product_id WHERE p.slug = $1)",
    )
    .bind(&sold_out)
    .execute(&app.pool)
    .await
    .unwrap();
    let gone = |all: &[(String, Vec<String>)]| {
        !shelf(all, "trending")
            .iter()
            .any(|s| *s == archived || *s == sold_out)
    };
    let home = lists_until(&b, "home", gone).await;
    assert!(
        gone(&home),
        "{archived} or {sold_out} still shown: {home:?}"
    );
    assert_eq!(shelf(&home, "trending").len(), 8, "{home:?}");
}
