//! The shop tried as an attacker would, over HTTP: hostile text in every place it can
//! reach HTML, one cart paid from many tabs at once, a raced sign-in limit, discount
//! limits dodged with other addresses, missing security headers, floods of requests,
//! posts that do not say where they come from, and redirects to other sites.

use crate::checkout::{LAPTOP_13, add, key, order_status, place, place_with};
use crate::helpers::{
    Browser, TestApp, all_at_once, http_request, last_email, link_token, sign_up_confirmed,
    spawn_shop, spawn_shop_with_edge,
};
use app::payments::wire::test_cards;
use server::security::EdgePolicy;
use server::security::rate_limit::Limit;

const PASSWORD: &str = "correct horse battery";
const SCRIPT: &str = "</title><script>alert(1)</script><img src=x onerror=alert(2)>";

/// The page's HTML has no markup the shop did not write: no injected element opens, and
/// the `<title>` holds text only.
fn assert_inert(what: &str, html: &str) {
    for bad in ["<script>alert", "<img src=x", "</title><script"] {
        assert!(!html.contains(bad), "{what}: `{bad}` reached the HTML");
    }
    let titles = html.matches("<title>").count();
    assert_eq!(titles, 1, "{what}: one <title>");
    let title = html
        .split("<title>")
        .nth(1)
        .and_then(|t| t.split("</title>").next())
        .unwrap_or_default();
    assert!(!title.contains('<'), "{what}: markup in the title: {title}");
}

#[tokio::test]
async fn hostile_text_never_reaches_html_as_markup() {
    let app = spawn_shop().await;
    app.start_search().await;
    // A search for markup: the results page, its title and its heading.
    let q = app::url::encode(SCRIPT);
    let r = app.get(&format!("/search?q={q}")).await;
    assert_eq!(r.status, 200);
    assert_inert("search page", &r.text());
    assert!(
        r.text().contains("&lt;/title&gt;&lt;script&gt;"),
        "the query is shown as text"
    );

    // Stored markup: a product, its brand, its category and an attribute named so.
    sqlx::query(
        "UPDATE products SET title = $1, description = $1 || ' description'
          WHERE slug = 'laptop'",
    )
    .bind(SCRIPT)
    .execute(&app.pool)
    .await
    .unwrap();
    sqlx::query(
        "UPDATE categories SET name = $1 WHERE id = (SELECT category_id FROM products WHERE slug = 'laptop')",
    )
    .bind(format!("Cat {SCRIPT}"))
    .execute(&app.pool)
    .await
    .unwrap();
    let category: String = sqlx::query_scalar(
        "SELECT c.path FROM categories c JOIN products p ON p.category_id = c.id WHERE p.slug = 'laptop'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    for path in [
        "/p/laptop".to_owned(),
        format!("/c/{category}"),
        "/".to_owned(),
    ] {
        let r = app.get(&path).await;
        assert_eq!(r.status, 200, "{path}");
        assert_inert(&path, &r.text());
    }
    // Search results (from the index, with highlighted words) show the name as text.
    let mut shown = false;
    for _ in 0..200 {
        let r = app.get("/search?q=alert+onerror").await;
        assert_inert("search results", &r.text());
        if r.text().contains("&lt;/title&gt;") {
            shown = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(shown, "the renamed product is found and shown as text");
    // The product's structured data is still JSON, with its markup as \u escapes.
    let html = app.get("/p/laptop").await.text();
    let json_ld = html
        .split("<script type=\"application/ld+json\"")
        .nth(1)
        .and_then(|t| t.split_once('>'))
        .and_then(|(_, t)| t.split("</script>").next())
        .unwrap_or_else(|| {
            let at = html.find("ld+json").unwrap_or(0);
            panic!(
                "JSON-LD: {}",
                &html[at.saturating_sub(100)..(at + 200).min(html.len())]
            )
        });
    let data: serde_json::Value = serde_json::from_str(json_ld).expect("valid JSON-LD");
    assert_eq!(data["name"], SCRIPT);

    // Pages that echo the address: unknown products and categories.
    for path in [
        "/p/%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "/c/%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    ] {
        let r = app.get(path).await;
        assert_eq!(r.status, 404, "{path}");
        assert_inert(path, &r.text());
    }

    // A customer whose name is markup, with the product in the cart: their account, cart
    // and checkout pages.
    let b = Browser::new(&app);
    sign_up_confirmed(&app, &b, "mallory@example.com", PASSWORD, SCRIPT).await;
    add(&b, LAPTOP_13, "1").await;
    for path in ["/account", "/cart", "/checkout", "/account/addresses"] {
        let r = b.get(path).await;
        assert_eq!(r.status, 200, "{path}");
        assert_inert(path, &r.text());
    }

    // An order with markup in every field the shopper types, and its pages and e-mail.
    let hostile = format!("Ada {SCRIPT}");
    let r = place_with(
        &b,
        &key(),
        test_cards::SUCCESS,
        &[
            ("full_name", &hostile),
            ("line1", &hostile),
            ("city", &hostile),
            ("region", &hostile),
        ],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let number = r.json()["number"].as_str().unwrap().to_owned();
    let r = b.get(&format!("/orders/{number}")).await;
    assert_eq!(r.status, 200);
    assert_inert("order page", &r.text());
    assert!(
        r.text().contains("Ada &lt;/title&gt;"),
        "the name is shown as text"
    );
    for path in ["/account/orders".to_owned(), format!("/orders/{number}")] {
        assert_inert(&path, &b.get(&path).await.text());
    }
}

#[tokio::test]
async fn one_cart_placed_from_many_tabs_at_once_is_paid_once() {
    let app = spawn_shop().await;
    let b = Browser::new(&app);
    add(&b, LAPTOP_13, "1").await;
    // Ten placements at the same moment, each with its own form key (ten tabs, a script).
    let keys: Vec<String> = (0..10).map(|_| key()).collect();
    let answers = all_at_once(keys.iter().map(|k| {
        let (b, k) = (b.clone(), k.clone());
        async move { place(&b, &k, test_cards::SUCCESS).await }
    }))
    .await;
    let mut numbers = std::collections::BTreeSet::new();
    for r in &answers {
        match r.status {
            200 => {
                numbers.insert(r.json()["number"].as_str().unwrap().to_owned());
            }
            409 => assert!(
                ["payment_in_progress", "cart_changed", "empty_cart"]
                    .contains(&r.json()["code"].as_str().unwrap_or_default()),
                "{}",
                r.text()
            ),
            other => panic!("{other}: {}", r.text()),
        }
    }
    assert_eq!(
        numbers.len(),
        1,
        "every success names the one order: {numbers:?}"
    );
    let (orders, captured): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM orders WHERE status <> 'cancelled'),
                (SELECT count(*) FROM payments_sandbox.intents WHERE captured > 0)",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!((orders, captured), (1, 1), "one order, one charge");
    let sold: i64 = sqlx::query_scalar(
        "SELECT sum(sold)::bigint FROM stock_levels s JOIN variants v ON v.id = s.variant_id WHERE v.sku = $1",
    )
    .bind(LAPTOP_13)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(sold, 1);
    // The same key is still the same order.
    let again = place(&b, &keys[0], test_cards::SUCCESS).await;
    if again.status == 200 {
        assert!(numbers.contains(again.json()["number"].as_str().unwrap()));
    } else {
        assert_eq!(again.status, 409, "{}", again.text());
    }
    // A new cart after that is a new order.
    add(&b, LAPTOP_13, "1").await;
    let r = place(&b, &key(), test_cards::SUCCESS).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(!numbers.contains(r.json()["number"].as_str().unwrap()));
}

#[tokio::test]
async fn a_cart_being_paid_is_found_not_paid_again() {
    // The provider does not answer the first placement: its order stays being paid, with
    // its stock held. A second placement of the cart, from another tab with its own key,
    // finds that order and pays nothing.
    let (app, url, _sandbox) = crate::checkout::shop_with_own_sandbox().await;
    let b = Browser::new(&app);
    add(&b, LAPTOP_13, "1").await;
    crate::helpers::sandbox_faults(&url, r#"{"unavailable": 1000}"#).await;
    let first = place(&b, &key(), test_cards::SUCCESS).await;
    assert_eq!(first.status, 503, "{}", first.text());
    crate::helpers::sandbox_faults(&url, r#"{"unavailable": 0}"#).await;
    let second = place(&b, &key(), test_cards::SUCCESS).await;
    assert_eq!(second.status, 409, "{}", second.text());
    assert_eq!(second.json()["code"], "payment_in_progress");
    let (orders, number): (i64, String) =
        sqlx::query_as("SELECT count(*), max(number) FROM orders")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(orders, 1);
    assert_eq!(order_status(&app, &number).await, "payment_processing");
    assert!(
        second.text().contains(&number),
        "names the order: {}",
        second.text()
    );
    let charged: i64 =
        sqlx::query_scalar("SELECT count(*) FROM payments_sandbox.intents WHERE last4 = '4242'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(charged, 0, "nothing was charged by the second placement");
}

#[tokio::test]
async fn thirty_simultaneous_wrong_passwords_are_not_all_checked() {
    // No edge limits here: this is about the account's own throttle.
    let app = spawn_shop_with_edge(&EdgePolicy::unlimited()).await;
    sign_up_confirmed(
        &app,
        &Browser::new(&app),
        "ada@example.com",
        PASSWORD,
        "Ada",
    )
    .await;
    let answers = all_at_once((0..30).map(|i| {
        let b = Browser::new(&app);
        async move {
            b.call(
                "/api/account/sign-in",
                &[
                    ("email", "ada@example.com"),
                    ("password", &format!("wrong guess number {i}")),
                ],
            )
            .await
        }
    }))
    .await;
    let checked = answers.iter().filter(|r| r.status == 401).count();
    let throttled = answers.iter().filter(|r| r.status == 429).count();
    assert_eq!(checked + throttled, 30, "only 401s and 429s");
    assert!(
        checked <= 5,
        "{checked} guesses were checked; the limit is 5"
    );
    let counted: i64 =
        sqlx::query_scalar("SELECT count(*) FROM sign_in_failures WHERE email = 'ada@example.com'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(counted, 5);
    // The right password is refused too until the window has passed.
    let r = Browser::new(&app)
        .call(
            "/api/account/sign-in",
            &[("email", "ada@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(r.status, 429, "{}", r.text());
}

async fn discount_once_per_customer(app: &TestApp) {
    sqlx::query(
        "INSERT INTO discount_codes (code, kind, amount, max_uses_per_customer) VALUES ('ONCE', 'percentage', 1000, 1)",
    )
    .execute(&app.pool)
    .await
    .unwrap();
}

async fn buy_with_code(b: &Browser, email: &str) -> crate::helpers::Response {
    add(b, LAPTOP_13, "1").await;
    place_with(
        b,
        &key(),
        test_cards::SUCCESS,
        &[("email", email), ("discount_code", "once")],
    )
    .await
}

#[tokio::test]
async fn a_once_per_customer_code_follows_the_person_not_the_typed_address() {
    let app = spawn_shop().await;
    discount_once_per_customer(&app).await;
    // A guest: +tags, case and Gmail's dots name the same person.
    let r = buy_with_code(&Browser::new(&app), "ada.lovelace+first@gmail.com").await;
    assert_eq!(r.status, 200, "{}", r.text());
    for other in [
        "adalovelace@gmail.com",
        "Ada.Lovelace+second@GoogleMail.com",
        "a.da.love.lace@gmail.com",
    ] {
        let r = buy_with_code(&Browser::new(&app), other).await;
        assert_eq!(r.status, 400, "{other}: {}", r.text());
        assert!(r.text().contains("ONCE"), "{other}: {}", r.text());
    }
    // A customer: counted by account, whatever address the order is sent to.
    let grace = Browser::new(&app);
    sign_up_confirmed(&app, &grace, "grace@example.com", PASSWORD, "Grace").await;
    let r = buy_with_code(&grace, "grace@example.com").await;
    assert_eq!(r.status, 200, "{}", r.text());
    for other in ["grace+again@example.com", "someone.else@example.org"] {
        let r = buy_with_code(&grace, other).await;
        assert_eq!(r.status, 400, "{other}: {}", r.text());
    }
    // Signed out, the account's own address is still the same person.
    let r = buy_with_code(&Browser::new(&app), "Grace+guest@example.com").await;
    assert_eq!(r.status, 400, "{}", r.text());
    // Somebody else may use it.
    let r = buy_with_code(&Browser::new(&app), "bob@example.com").await;
    assert_eq!(r.status, 200, "{}", r.text());
    let uses: i32 = sqlx::query_scalar("SELECT uses FROM discount_codes WHERE code = 'ONCE'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(uses, 3);
}

/// The nonce of the page's inline script (Leptos's hydration loader).
fn script_nonce(html: &str) -> String {
    html.split("<script type=\"module\" nonce=\"")
        .nth(1)
        .and_then(|t| t.split('"').next())
        .expect("a nonced module script")
        .to_owned()
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = spawn_shop().await;
    for path in [
        "/",
        "/p/laptop",
        "/search?q=shoe",
        "/cart",
        "/nowhere",
        "/healthz",
        "/api/v1/search?q=shoe",
    ] {
        let r = app.get(path).await;
        let csp = r.header("content-security-policy");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(csp.contains("script-src 'self' 'nonce-"), "{path}: {csp}");
        assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
        assert_eq!(r.header("x-content-type-options"), "nosniff", "{path}");
        assert!(!r.header("referrer-policy").is_empty(), "{path}");
        assert!(
            r.header("permissions-policy").contains("camera=()"),
            "{path}"
        );
        assert!(
            r.header("strict-transport-security").is_empty(),
            "{path}: plain http"
        );
        if r.header("content-type").starts_with("text/html") {
            // The page's inline script carries the nonce its policy names, and only it.
            let html = r.text();
            let nonce = script_nonce(&html);
            assert!(csp.contains(&format!("'nonce-{nonce}'")), "{path}");
            let scripts = html.matches("<script").count();
            let nonced = html.matches(&format!("nonce=\"{nonce}\"")).count();
            let data = html.matches("type=\"application/ld+json\"").count();
            assert!(
                nonced + data >= scripts,
                "{path}: a script without the nonce"
            );
        }
    }
    // A new nonce for every response.
    let a = app
        .get("/")
        .await
        .header("content-security-policy")
        .to_owned();
    let b = app
        .get("/")
        .await
        .header("content-security-policy")
        .to_owned();
    assert_ne!(a, b);
    // Pages for one person are never stored by a shared cache; catalog pages may be.
    for path in ["/cart", "/checkout", "/account/sign-in", "/orders/lookup"] {
        let r = app.get(path).await;
        assert_eq!(r.header("cache-control"), "private, no-store", "{path}");
    }
    assert_ne!(
        app.get("/p/laptop").await.header("cache-control"),
        "private, no-store"
    );
    let shopper = Browser::new(&app);
    add(&shopper, LAPTOP_13, "1").await;
    let r = shopper.get("/p/laptop").await;
    assert_eq!(
        r.header("cache-control"),
        "private, no-store",
        "a page with their cart count"
    );
}

#[tokio::test]
async fn hsts_when_the_shop_is_served_over_https() {
    use tower::ServiceExt;
    let app = spawn_shop().await;
    let mut state = app.state.clone();
    state.site.public_url = "https://shop.example".into();
    let router = server::http::router(state, &EdgePolicy::standard());
    let response = router
        .oneshot(
            axum::http::Request::get("/healthz")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    let hsts = response.headers()["strict-transport-security"]
        .to_str()
        .unwrap();
    assert!(hsts.contains("max-age="), "{hsts}");
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .unwrap();
    assert!(csp.contains("upgrade-insecure-requests"), "{csp}");
}

/// A policy that believes loopback's `X-Forwarded-For`, so a test can be many clients.
fn behind_a_proxy(search: Limit, cart: Limit) -> EdgePolicy {
    let mut policy = EdgePolicy::standard();
    policy.trusted_proxies =
        server::security::client::TrustedProxies::parse(&["127.0.0.1".into()]).unwrap();
    policy.rate_limits.search = search;
    policy.rate_limits.cart = cart;
    policy
}

async fn search_from(addr: std::net::SocketAddr, client: &str) -> crate::helpers::Response {
    http_request(
        addr,
        "GET",
        "/api/v1/search?q=shoe",
        &[("X-Forwarded-For", client.to_owned())],
        "",
    )
    .await
}

#[tokio::test]
async fn a_flood_from_one_client_is_limited_and_others_stay_served() {
    let policy = behind_a_proxy(
        Limit {
            per_minute: 60,
            burst: 5,
        },
        Limit {
            per_minute: 60,
            burst: 4,
        },
    );
    let app = spawn_shop_with_edge(&policy).await;
    app.start_search().await;
    let addr = app.addr;
    let answers = all_at_once((0..40).map(|_| search_from(addr, "203.0.113.7"))).await;
    let served = answers.iter().filter(|r| r.status == 200).count();
    let limited: Vec<_> = answers.iter().filter(|r| r.status == 429).collect();
    assert_eq!(served + limited.len(), 40);
    assert!((5..=6).contains(&served), "{served} served");
    let retry: u64 = limited[0]
        .header("retry-after")
        .parse()
        .expect("Retry-After in seconds");
    assert!((1..=60).contains(&retry), "{retry}");
    assert_eq!(limited[0].json()["code"], "rate_limited");
    // Another client is served meanwhile.
    assert_eq!(search_from(addr, "198.51.100.9").await.status, 200);
    // A browser's page load gets a page, not JSON.
    let page = http_request(
        app.addr,
        "GET",
        "/search?q=shoe",
        &[
            ("X-Forwarded-For", "203.0.113.7".into()),
            ("Accept", "text/html".into()),
        ],
        "",
    )
    .await;
    assert_eq!(page.status, 429);
    assert!(page.text().contains("Too many requests"));

    // Per account: one shopper's cart changes from ever new addresses are still one
    // shopper's (the session is counted too).
    let b = Browser::new(&app);
    add(&b, LAPTOP_13, "1").await;
    let mut statuses = Vec::new();
    for i in 0..8 {
        let r = b
            .post(
                "/api/cart/update",
                &[("sku", LAPTOP_13), ("quantity", "1")],
                "application/json",
                &[("X-Forwarded-For", format!("192.0.2.{i}"))],
            )
            .await;
        statuses.push(r.status);
    }
    assert!(statuses.contains(&429), "{statuses:?}");
}

#[tokio::test]
async fn a_forwarded_address_from_an_untrusted_peer_changes_nothing() {
    let mut policy = EdgePolicy::standard();
    policy.rate_limits.search = Limit {
        per_minute: 60,
        burst: 3,
    };
    let app = spawn_shop_with_edge(&policy).await;
    app.start_search().await;
    // Each request claims to be another client; the shop trusts no proxy, so they are
    // all the loopback peer.
    let mut statuses = Vec::new();
    for i in 0..6 {
        statuses.push(
            search_from(app.addr, &format!("198.51.100.{i}"))
                .await
                .status,
        );
    }
    assert_eq!(statuses, [200, 200, 200, 429, 429, 429]);
}

#[tokio::test]
async fn a_placement_priced_before_another_was_confirmed_buys_nothing() {
    // Two tabs price the same cart; the first is placed and confirmed (its lines leave
    // the cart); the second's order, priced before, reaches the database after: it is
    // refused and nothing is written.
    let app = spawn_shop().await;
    let b = Browser::new(&app);
    add(&b, LAPTOP_13, "1").await;
    let (cart, variant): (i64, i64) = sqlx::query_as(
        "SELECT c.id, l.variant_id FROM carts c JOIN cart_lines l ON l.cart_id = c.id",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let r = place(&b, &key(), test_cards::SUCCESS).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let draft = serde_json::json!({
        "number": "M-LATETAB234", "idempotency_key": key(), "user_id": null,
        "email": "shopper@example.com", "currency": "USD", "subtotal_minor": 129900,
        "discount_minor": 0, "shipping_minor": 0, "tax_minor": 25980, "total_minor": 155880,
        "shipping_address": {"full_name": "Ada"}, "region": "UK", "holder": "order:M-LATETAB234",
        "cart_id": cart, "shipping_method": "standard", "weight_grams": 500,
        "discount_code": null, "actor": "guest", "hold_secs": 900.0,
        "lines": [{"position": 0, "variant_id": variant, "sku": LAPTOP_13, "title": "Laptop",
                   "quantity": 1, "unit_price_minor": 129900}],
    });
    let refused = sqlx::query("SELECT * FROM order_open($1)")
        .bind(&draft)
        .fetch_one(&app.pool)
        .await
        .expect_err("refused");
    let code = refused
        .as_database_error()
        .and_then(|d| d.code())
        .unwrap_or_default();
    assert_eq!(code, "MR003", "{refused}");
    let (orders, held): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM orders),
                (SELECT count(*) FROM reservations WHERE holder = 'order:M-LATETAB234')",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!((orders, held), (1, 0));
}

#[tokio::test]
async fn posts_must_say_they_come_from_the_shop() {
    let app = spawn_shop().await;
    let b = Browser::new(&app);
    add(&b, LAPTOP_13, "1").await;
    let cookie = format!("mercato_session={}", b.cookie("mercato_session").unwrap());
    let body = "sku=L2201308&quantity=2";
    let post = |headers: Vec<(&'static str, String)>| {
        let mut all = vec![
            ("Cookie", cookie.clone()),
            (
                "Content-Type",
                "application/x-www-form-urlencoded".to_owned(),
            ),
        ];
        all.extend(headers);
        async move { http_request(app.addr, "POST", "/api/cart/update", &all, body).await }
    };
    // The cookie alone does not change the cart.
    assert_eq!(post(vec![]).await.status, 403);
    assert_eq!(
        post(vec![("Referer", "https://evil.example/cart".into())])
            .await
            .status,
        403
    );
    assert_eq!(post(vec![("Origin", "null".into())]).await.status, 403);
    // With the shop's own page as its Referer (an old browser), it does.
    let r = post(vec![("Referer", format!("{}/cart", app.base))]).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["item_count"], 2);
}

#[tokio::test]
async fn a_form_post_is_never_redirected_to_another_site() {
    let app = spawn_shop().await;
    // No cookie, no Origin (not a browser of ours), a Referer naming another site.
    let r = http_request(
        app.addr,
        "POST",
        "/api/cart/add",
        &[
            ("Content-Type", "application/x-www-form-urlencoded".into()),
            ("Accept", "text/html".into()),
            ("Referer", "https://evil.example/phish".into()),
        ],
        "sku=L2201308&quantity=1",
    )
    .await;
    assert!((300..400).contains(&r.status), "{}: {}", r.status, r.text());
    let to = r.header("location");
    assert!(to.starts_with('/') && !to.starts_with("//"), "{to}");
}

#[tokio::test]
async fn small_leaks_are_closed() {
    let app = spawn_shop().await;
    // The stylesheet says nothing about the source tree.
    let html = app.get("/").await.text();
    let href = html
        .split("href=\"/styles/")
        .nth(1)
        .and_then(|t| t.split('"').next())
        .expect("the scoped stylesheet");
    let css = app.get(&format!("/styles/{href}")).await.text();
    assert!(
        !css.contains(".rs") && !css.contains("/*"),
        "{}",
        &css[..css.len().min(200)]
    );
    // An over-long order number is a bad request, not an outage.
    let long = format!("M-{}", "A".repeat(500));
    assert_eq!(app.get(&format!("/orders/{long}")).await.status, 400);
    let r = Browser::new(&app)
        .call("/api/orders/get", &[("number", &long), ("email", "a@b.co")])
        .await;
    assert_eq!(r.status, 400, "{}", r.text());
}

#[tokio::test]
async fn sign_up_never_tells_whether_an_address_has_an_account() {
    // No edge limits: this test signs up more often than a person would.
    let app = spawn_shop_with_edge(&EdgePolicy::unlimited()).await;
    sign_up_confirmed(
        &app,
        &Browser::new(&app),
        "ada@example.com",
        PASSWORD,
        "Ada",
    )
    .await;
    let sign_up = |email: &'static str, password: &'static str| {
        let b = Browser::new(&app);
        async move {
            let r = b
                .call(
                    "/api/account/sign-up",
                    &[("email", email), ("password", password)],
                )
                .await;
            (r.status, r.text(), r.headers_named("set-cookie").len())
        }
    };
    let taken = sign_up("ada@example.com", "an attacker's passphrase").await;
    let new = sign_up("eve@example.com", "an attacker's passphrase").await;
    assert_eq!(taken, new, "the same answer for a taken and a new address");
    // The owner's password is unchanged and the owner was told.
    let r = Browser::new(&app)
        .call(
            "/api/account/sign-in",
            &[("email", "ada@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(
        last_email(&app, "ada@example.com", "Someone tried")
            .await
            .is_some()
    );

    // An unconfirmed account cannot be used. A sign-up of someone else's address sends
    // its owner a link that is of no use without the password chosen at that sign-up, so
    // neither the squatter nor the owner who opens it gets an account with the squatter's
    // password.
    let squatter = Browser::new(&app);
    squatter
        .call(
            "/api/account/sign-up",
            &[
                ("email", "grace@example.com"),
                ("password", "the squatter's passphrase"),
            ],
        )
        .await;
    let (_, squatters_mail) = last_email(&app, "grace@example.com", "Confirm")
        .await
        .unwrap();
    let r = Browser::new(&app)
        .call(
            "/api/account/sign-in",
            &[
                ("email", "grace@example.com"),
                ("password", "the squatter's passphrase"),
            ],
        )
        .await;
    assert_eq!(r.status, 403, "unconfirmed: {}", r.text());
    let owner = Browser::new(&app);
    let page = owner
        .get(&format!(
            "/account/confirm?token={}",
            link_token(&squatters_mail)
        ))
        .await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains("Confirm my account"));
    let r = owner
        .call(
            "/api/account/confirm",
            &[
                ("token", &link_token(&squatters_mail)),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(
        r.status,
        400,
        "the owner's own password does not open it: {}",
        r.text()
    );
    // The owner signs up themselves: their link, their password, their account.
    let r = owner
        .call(
            "/api/account/sign-up",
            &[("email", "grace@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(r.status, 200);
    let (_, owners_mail) = last_email(&app, "grace@example.com", "Confirm")
        .await
        .unwrap();
    let r = owner
        .call(
            "/api/account/confirm",
            &[("token", &link_token(&owners_mail)), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["email"], "grace@example.com");
    let squat = squatter
        .call(
            "/api/account/sign-in",
            &[
                ("email", "grace@example.com"),
                ("password", "the squatter's passphrase"),
            ],
        )
        .await;
    assert_eq!(squat.status, 401, "{}", squat.text());
    // Every link of the account is spent once it is confirmed.
    for mail in [&owners_mail, &squatters_mail] {
        let again = Browser::new(&app)
            .call(
                "/api/account/confirm",
                &[
                    ("token", &link_token(mail)),
                    ("password", "the squatter's passphrase"),
                ],
            )
            .await;
        assert_eq!(again.status, 400, "{}", again.text());
    }
    // And sign-up mails are limited per person (no mail-bombing through the form, not
    // even with +tags and dots that all reach one Gmail inbox).
    for address in [
        "bob.smith@gmail.com",
        "bobsmith+1@gmail.com",
        "b.o.b.smith+2@gmail.com",
        "bobsmith@googlemail.com",
        "bob.smith+3@gmail.com",
    ] {
        let (status, text, _) = sign_up(address, "a long passphrase here").await;
        assert_eq!(status, 200, "{address}: {text}");
    }
    let mails: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM emails WHERE to_address LIKE '%@g%mail.com' AND kind = 'sign-up'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(mails, 3);
}
