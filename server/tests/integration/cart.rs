//! The cart over HTTP: guests, customers, merging, limits, bad input and concurrency.

use crate::helpers::{Browser, Fields, TestApp, spawn_shop};
use serde_json::Value;

const PASSWORD: &str = "correct horse battery";
/// Seeded laptop variants: $1,299.00 and $1,399.00, 100 in stock each.
const LAPTOP_13: &str = "L2201308";
const LAPTOP_15: &str = "L2201508";

async fn add(b: &Browser, sku: &str, quantity: &str) -> crate::helpers::Response {
    b.call("/api/cart/add", &[("sku", sku), ("quantity", quantity)])
        .await
}

async fn cart(b: &Browser) -> Value {
    let r = b.call("/api/cart", &[]).await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()
}

fn quantity_of(cart: &Value, sku: &str) -> Option<i64> {
    cart["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["sku"] == sku)
        .map(|l| l["quantity"].as_i64().unwrap())
}

async fn lines_in_db(app: &TestApp) -> Vec<(String, i32)> {
    sqlx::query_as(
        "SELECT v.sku, l.quantity FROM cart_lines l JOIN variants v ON v.id = l.variant_id ORDER BY 1, 2",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap()
}

async fn sign_up(app: &TestApp, b: &Browser, email: &str) {
    crate::helpers::sign_up_confirmed(app, b, email, PASSWORD, "").await;
}

#[tokio::test]
async fn a_guest_adds_changes_and_removes_with_totals_from_the_server() {
    let app = spawn_shop().await;
    let b = Browser::new(&app);
    assert_eq!(cart(&b).await["item_count"], 0);
    assert!(
        b.cookie("mercato_session").is_none(),
        "no session until there is a cart"
    );

    let r = add(&b, LAPTOP_13, "2").await;
    assert_eq!(r.status, 200, "{}", r.text());
    let set = r.headers_named("set-cookie").join("\n");
    assert!(
        set.contains("Max-Age=2592000") && set.contains("HttpOnly"),
        "30 days: {set}"
    );
    let c = r.json();
    assert_eq!(c["item_count"], 2);
    assert_eq!(c["lines"][0]["line_total"]["minor"], 2 * 129900);
    assert_eq!(c["subtotals"][0]["minor"], 2 * 129900);

    add(&b, LAPTOP_13, "1").await;
    let c = add(&b, LAPTOP_15, "1").await.json();
    assert_eq!(
        quantity_of(&c, LAPTOP_13),
        Some(3),
        "same variant, same line"
    );
    assert_eq!(c["item_count"], 4);
    assert_eq!(c["subtotals"][0]["minor"], 3 * 129900 + 139900);

    let r = b
        .call("/api/cart/update", &[("sku", LAPTOP_13), ("quantity", "5")])
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = b.call("/api/cart/remove", &[("sku", LAPTOP_15)]).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(lines_in_db(&app).await, vec![(LAPTOP_13.to_owned(), 5)]);

    // The header counts what the cart holds.
    let page = b.get("/").await.text();
    assert!(page.contains("Cart, 5 items"), "header count");
}

#[tokio::test]
async fn bad_input_gets_a_clear_error_and_changes_nothing() {
    let app = spawn_shop().await;
    let b = Browser::new(&app);
    add(&b, LAPTOP_13, "2").await;
    sqlx::query("UPDATE variants SET stock_on_hand = 3 WHERE sku = $1")
        .bind(LAPTOP_15)
        .execute(&app.pool)
        .await
        .unwrap();
    sqlx::query("UPDATE products SET status = 'archived' WHERE slug = 'tablet'")
        .execute(&app.pool)
        .await
        .unwrap();
    let before = lines_in_db(&app).await;
    let cases: &[(&str, Fields, u16, &str)] = &[
        (
            "/api/cart/add",
            &[("sku", LAPTOP_13), ("quantity", "0")],
            400,
            "at least 1",
        ),
        (
            "/api/cart/add",
            &[("sku", LAPTOP_13), ("quantity", "-3")],
            400,
            "at least 1",
        ),
        (
            "/api/cart/add",
            &[("sku", LAPTOP_13), ("quantity", "21")],
            400,
            "most you can buy of one item is 20",
        ),
        (
            "/api/cart/add",
            &[("sku", LAPTOP_13), ("quantity", "99999999999999999999")],
            400,
            "between 1 and 20",
        ),
        (
            "/api/cart/add",
            &[("sku", LAPTOP_13), ("quantity", "two")],
            400,
            "whole number",
        ),
        (
            "/api/cart/add",
            &[("sku", LAPTOP_13), ("quantity", "1.5")],
            400,
            "whole number",
        ),
        (
            "/api/cart/add",
            &[("sku", LAPTOP_13), ("quantity", "")],
            400,
            "enter a quantity",
        ),
        (
            "/api/cart/add",
            &[("sku", LAPTOP_13)],
            400,
            "enter a quantity",
        ),
        (
            "/api/cart/add",
            &[("sku", "NO-SUCH-SKU"), ("quantity", "1")],
            404,
            "not available",
        ),
        (
            "/api/cart/add",
            &[("sku", ""), ("quantity", "1")],
            404,
            "not available",
        ),
        (
            "/api/cart/add",
            &[("sku", "TBL200032"), ("quantity", "1")],
            404,
            "not available",
        ),
        (
            "/api/cart/add",
            &[("sku", LAPTOP_15), ("quantity", "4")],
            409,
            "only 3 left",
        ),
        (
            "/api/cart/add",
            &[("sku", LAPTOP_13), ("quantity", "19")],
            409,
            "you already have 2",
        ),
        (
            "/api/cart/update",
            &[("sku", LAPTOP_15), ("quantity", "1")],
            404,
            "not in your cart",
        ),
        (
            "/api/cart/update",
            &[("sku", LAPTOP_13), ("quantity", "0")],
            400,
            "Remove",
        ),
        (
            "/api/cart/update",
            &[("sku", LAPTOP_13), ("quantity", "x")],
            400,
            "whole number",
        ),
        (
            "/api/cart/remove",
            &[("sku", LAPTOP_15)],
            404,
            "not in your cart",
        ),
        (
            "/api/cart/remove",
            &[("sku", "'; DROP TABLE carts; --")],
            404,
            "not in your cart",
        ),
    ];
    for (path, fields, status, says) in cases {
        let r = b.call(path, fields).await;
        assert_eq!(r.status, *status, "{path} {fields:?}: {}", r.text());
        assert!(r.text().contains(says), "{path} {fields:?}: {}", r.text());
    }
    // Not even a malformed body is a 500.
    let r = b.post("/api/cart/add", &[], "application/json", &[]).await;
    assert_ne!(r.status, 500);
    assert_eq!(lines_in_db(&app).await, before, "nothing changed");
}

#[tokio::test]
async fn a_cookie_never_reaches_anyone_elses_cart() {
    let app = spawn_shop().await;
    let alice = Browser::new(&app);
    add(&alice, LAPTOP_13, "2").await;
    let token = alice.cookie("mercato_session").unwrap();

    // A tampered cookie (one character changed, garbage, far too long) is no session.
    let mut tampered = token.clone().into_bytes();
    tampered[0] = if tampered[0] == b'A' { b'B' } else { b'A' };
    for bad in [
        String::from_utf8(tampered).unwrap(),
        "garbage".into(),
        "x".repeat(5000),
        String::new(),
    ] {
        let mallory = Browser::new(&app);
        mallory.set_cookie("mercato_session", &bad);
        let c = cart(&mallory).await;
        assert_eq!(c["item_count"], 0, "{bad:.20}");
        let r = mallory
            .call("/api/cart/remove", &[("sku", LAPTOP_13)])
            .await;
        assert_eq!(r.status, 404);
    }
    // A signed-in customer sending someone's cart id gets their own cart, never that one.
    let bob = Browser::new(&app);
    sign_up(&app, &bob, "bob@example.com").await;
    let alices_cart: i64 = sqlx::query_scalar("SELECT id FROM carts LIMIT 1")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let r = bob
        .call("/api/cart", &[("cart_id", &alices_cart.to_string())])
        .await;
    assert!(
        r.status == 400 || r.json()["item_count"] == 0,
        "{} {}",
        r.status,
        r.text()
    );
    assert_eq!(lines_in_db(&app).await, vec![(LAPTOP_13.to_owned(), 2)]);
}

#[tokio::test]
async fn two_tabs_adding_at_once_lose_nothing() {
    let app = spawn_shop().await;
    let b = Browser::new(&app);
    add(&b, LAPTOP_13, "1").await;
    let tabs: Vec<_> = (0..10)
        .map(|_| {
            let b = b.clone();
            tokio::spawn(async move { add(&b, LAPTOP_13, "1").await.status })
        })
        .collect();
    for tab in tabs {
        assert_eq!(tab.await.unwrap(), 200);
    }
    assert_eq!(lines_in_db(&app).await, vec![(LAPTOP_13.to_owned(), 11)]);

    // At the limit, concurrent adds stop exactly there.
    let tabs: Vec<_> = (0..12)
        .map(|_| {
            let b = b.clone();
            tokio::spawn(async move { add(&b, LAPTOP_13, "1").await.status })
        })
        .collect();
    let mut ok = 0;
    for tab in tabs {
        if tab.await.unwrap() == 200 {
            ok += 1;
        }
    }
    assert_eq!(ok, 9);
    assert_eq!(lines_in_db(&app).await, vec![(LAPTOP_13.to_owned(), 20)]);
}

#[tokio::test]
async fn a_guest_cart_merges_into_the_customers_at_sign_in() {
    let app = spawn_shop().await;
    // Ada already has 2 small laptops in her account's cart from another device.
    let phone = Browser::new(&app);
    sign_up(&app, &phone, "ada@example.com").await;
    add(&phone, LAPTOP_13, "2").await;

    // As a guest on this computer she adds 3 more and a big laptop, then signs in.
    let computer = Browser::new(&app);
    add(&computer, LAPTOP_13, "3").await;
    add(&computer, LAPTOP_15, "1").await;
    let guest_token = computer.cookie("mercato_session").unwrap();
    let r = computer
        .call(
            "/api/account/sign-in",
            &[("email", "ada@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let c = cart(&computer).await;
    assert_eq!(quantity_of(&c, LAPTOP_13), Some(5), "quantities add up");
    assert_eq!(quantity_of(&c, LAPTOP_15), Some(1));
    assert_eq!(cart(&phone).await, c, "the same cart on both devices");
    let carts: i64 = sqlx::query_scalar("SELECT count(*) FROM carts")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(carts, 1, "the guest cart is gone");
    let old = Browser::new(&app);
    old.set_cookie("mercato_session", &guest_token);
    assert_eq!(
        cart(&old).await["item_count"],
        0,
        "the guest token ended at sign-in"
    );

    // Merging caps at the line limit and at stock.
    let guest = Browser::new(&app);
    add(&guest, LAPTOP_13, "18").await;
    sqlx::query("UPDATE variants SET stock_on_hand = 4 WHERE sku = $1")
        .bind(LAPTOP_15)
        .execute(&app.pool)
        .await
        .unwrap();
    add(&guest, LAPTOP_15, "4").await;
    guest
        .call(
            "/api/account/sign-in",
            &[("email", "ada@example.com"), ("password", PASSWORD)],
        )
        .await;
    let c = cart(&guest).await;
    assert_eq!(quantity_of(&c, LAPTOP_13), Some(20), "5 + 18, capped at 20");
    assert_eq!(
        quantity_of(&c, LAPTOP_15),
        Some(4),
        "1 + 4, capped at the 4 in stock"
    );
}

#[tokio::test]
async fn price_changes_and_short_stock_are_flagged() {
    let app = spawn_shop().await;
    let b = Browser::new(&app);
    add(&b, LAPTOP_13, "3").await;
    sqlx::query("UPDATE variants SET price_minor = 119900, stock_on_hand = 2 WHERE sku = $1")
        .bind(LAPTOP_13)
        .execute(&app.pool)
        .await
        .unwrap();
    let c = cart(&b).await;
    let line = &c["lines"][0];
    assert_eq!(line["added_price"]["minor"], 129900);
    assert_eq!(line["unit_price"]["minor"], 119900);
    assert_eq!(
        c["subtotals"][0]["minor"],
        3 * 119900,
        "totals use today's price"
    );
    let page = b.get("/cart").await.text();
    assert!(
        page.contains("The price has changed from $1,299.00 to $1,199.00")
            || page.contains("Only 2 left in stock"),
        "{page}"
    );
    assert!(
        page.contains("Only 2 left in stock."),
        "short stock is flagged first"
    );
    // Setting the quantity within stock accepts the new price; the warnings go.
    let c = b
        .call("/api/cart/update", &[("sku", LAPTOP_13), ("quantity", "2")])
        .await
        .json();
    assert_eq!(c["lines"][0]["added_price"]["minor"], 119900);
    let page = b.get("/cart").await.text();
    assert!(!page.contains("line-warning"), "no warnings left");
}

#[tokio::test]
async fn the_cart_works_without_javascript() {
    let app = spawn_shop().await;
    let b = Browser::new(&app);
    let product = b.get("/p/laptop").await.text();
    assert!(product.contains("action=\"/api/cart/add\""), "a real form");
    let r = b
        .submit(
            "/api/cart/add",
            &[("sku", LAPTOP_15), ("quantity", "2")],
            "/p/laptop",
        )
        .await;
    assert_eq!(r.status, 302);
    assert!(
        r.header("location").ends_with("/p/laptop"),
        "{}",
        r.header("location")
    );
    let page = b.get("/p/laptop").await.text();
    assert!(page.contains("Added to your cart."), "the outcome is shown");
    assert!(page.contains("Cart, 2 items"));

    let r = b
        .submit(
            "/api/cart/update",
            &[("sku", LAPTOP_15), ("quantity", "zero")],
            "/cart",
        )
        .await;
    assert_eq!(r.status, 302);
    let page = b.get("/cart").await.text();
    assert!(
        page.contains("The quantity must be a whole number."),
        "the error is shown"
    );
    assert!(page.contains("$2,798.00"), "the line total");

    b.submit("/api/cart/remove", &[("sku", LAPTOP_15)], "/cart")
        .await;
    let page = b.get("/cart").await.text();
    assert!(page.contains("Your cart is empty"));
}

#[tokio::test]
async fn a_new_guest_is_remembered_from_the_first_add() {
    let app = spawn_shop().await;
    let b = Browser::new(&app);
    add(&b, LAPTOP_13, "1").await;
    // Its cart's notification (if any) has had time to arrive: nothing evicted it.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(
        app.state.sessions.cache.len(),
        1,
        "remembered from its creation"
    );
    assert_eq!(cart(&b).await["item_count"], 1);
    add(&b, LAPTOP_13, "2").await;
    assert_eq!(cart(&b).await["item_count"], 3);
}

#[tokio::test]
async fn abandoned_guest_carts_expire() {
    let app = spawn_shop().await;
    let b = Browser::new(&app);
    add(&b, LAPTOP_13, "1").await;
    assert_eq!(cart(&b).await["item_count"], 1);
    app.change_sessions("UPDATE sessions SET expires_at = now() - interval '1 minute'")
        .await;
    assert_eq!(
        cart(&b).await["item_count"],
        0,
        "an expired guest session has no cart"
    );
    let rules = app::session::SessionRules::standard(false);
    app::session::purge_expired(&app.pool, &rules)
        .await
        .unwrap();
    assert!(
        lines_in_db(&app).await.is_empty(),
        "and it is deleted with its cart"
    );
}
