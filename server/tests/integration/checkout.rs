//! Checkout over HTTP against real PostgreSQL and the sandbox provider over HTTP: a
//! purchase end to end, double submits, declines, the never-oversold invariant with 50
//! shoppers for 10 units, a provider that is down, a payment a crash left half done, and
//! transitions the machine does not have.

use crate::helpers::{
    Browser, Response, TestApp, sandbox_client, sandbox_faults, seeded_database, spawn_shop,
    standalone_sandbox,
};
use app::inventory::ssr as inventory;
use app::orders::model::OrderStatus;
use app::orders::ssr::{TransitionError, transition};
use app::payments::wire::test_cards;
use sqlx::postgres::PgPoolOptions;
use std::time::Duration;

/// Seeded laptop variant: $1,299.00, 100 in stock.
pub(crate) const LAPTOP_13: &str = "L2201308";

pub(crate) fn key() -> String {
    format!("test-{}", hex::encode(rand::random::<[u8; 12]>()))
}

pub(crate) async fn add(b: &Browser, sku: &str, quantity: &str) {
    let r = b
        .call("/api/cart/add", &[("sku", sku), ("quantity", quantity)])
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
}

pub(crate) async fn place(b: &Browser, key: &str, card: &str) -> Response {
    place_with(b, key, card, &[]).await
}

/// The checkout form's fields as a shopper in Leeds fills them, `extra` added or replacing.
pub(crate) fn checkout_fields<'a>(
    key: &'a str,
    card: &'a str,
    extra: &[(&'a str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![
        ("idempotency_key", key),
        ("email", "Shopper@Example.com"),
        ("full_name", "Ada Shopper"),
        ("line1", "1 High Street"),
        ("line2", ""),
        ("city", "Leeds"),
        ("region", ""),
        ("postal_code", "LS1 1AA"),
        ("country", "GB"),
        ("card_number", card),
    ];
    for (name, value) in extra {
        fields.retain(|(n, _)| n != name);
        fields.push((name, value));
    }
    fields
}

pub(crate) async fn place_with(
    b: &Browser,
    key: &str,
    card: &str,
    extra: &[(&str, &str)],
) -> Response {
    b.call("/api/checkout/place", &checkout_fields(key, card, extra))
        .await
}

pub(crate) async fn variant(app: &TestApp, sku: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM variants WHERE sku = $1")
        .bind(sku)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

/// (on_hand, reserved, sold) summed over warehouses.
pub(crate) async fn stock(app: &TestApp, sku: &str) -> (i64, i64, i64) {
    sqlx::query_as(
        "SELECT sum(on_hand)::bigint, sum(reserved)::bigint, sum(sold)::bigint
           FROM stock_levels s JOIN variants v ON v.id = s.variant_id WHERE v.sku = $1",
    )
    .bind(sku)
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

pub(crate) async fn order_status(app: &TestApp, number: &str) -> String {
    sqlx::query_scalar("SELECT status::text FROM orders WHERE number = $1")
        .bind(number)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

pub(crate) async fn intents(app: &TestApp, number: &str) -> Vec<(String, i64)> {
    sqlx::query_as(
        "SELECT status, captured FROM payments_sandbox.intents WHERE reference = $1 ORDER BY created_at",
    )
    .bind(number)
    .fetch_all(&app.pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn a_guest_buys_and_the_order_payment_stock_and_events_agree() {
    let app = spawn_shop().await;
    let b = Browser::new(&app);
    add(&b, LAPTOP_13, "2").await;
    let r = place(&b, &key(), test_cards::SUCCESS).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let placed = r.json();
    assert_eq!(placed["status"], "confirmed");
    let number = placed["number"].as_str().unwrap().to_owned();
    assert!(number.starts_with("M-") && number.len() == 12, "{number}");

    // Totals on the server: 2 × $1,299.00, free shipping over $100, UK VAT at 20%.
    assert_eq!(placed["total_minor"], 311_760);
    let (email, subtotal, shipping, tax, total): (String, i64, i64, i64, i64) = sqlx::query_as(
        "SELECT email, subtotal_minor, shipping_minor, tax_minor, total_minor FROM orders WHERE number = $1",
    )
    .bind(&number)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(email, "shopper@example.com");
    assert_eq!(
        (subtotal, shipping, tax, total),
        (259_800, 0, 51_960, 311_760)
    );

    // Every step recorded, with an outbox event for each.
    let steps: Vec<(Option<String>, String, String)> = sqlx::query_as(
        "SELECT t.from_status::text, t.to_status::text, t.actor FROM order_transitions t
           JOIN orders o ON o.id = t.order_id WHERE o.number = $1 ORDER BY t.id",
    )
    .bind(&number)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    let path: Vec<&str> = steps.iter().map(|s| s.1.as_str()).collect();
    assert_eq!(path, ["pending", "payment_processing", "confirmed"]);
    assert_eq!(steps[0].2, "guest");
    let events: Vec<String> = sqlx::query_scalar(
        "SELECT topic FROM outbox WHERE topic LIKE 'order.%' AND aggregate_id =
            (SELECT id::text FROM orders WHERE number = $1) ORDER BY id",
    )
    .bind(&number)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        events,
        [
            "order.pending",
            "order.payment_processing",
            "order.confirmed"
        ]
    );

    // Paid once; the shop keeps the token and last four digits, never the number.
    assert_eq!(
        intents(&app, &number).await,
        [("captured".to_owned(), 311_760)]
    );
    let (last4, token, captured): (String, Option<String>, i64) = sqlx::query_as(
        "SELECT p.last4, p.card_token, p.captured_minor FROM payments p JOIN orders o ON o.id = p.order_id
          WHERE o.number = $1",
    )
    .bind(&number)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!((last4.as_str(), captured), ("4242", 311_760));
    assert!(token.unwrap().starts_with("tok_"));
    let leaks: i64 = sqlx::query_scalar(
        "SELECT (SELECT count(*) FROM orders o WHERE o::text LIKE '%' || $1 || '%')
              + (SELECT count(*) FROM payments p WHERE p::text LIKE '%' || $1 || '%')
              + (SELECT count(*) FROM order_transitions t WHERE t::text LIKE '%' || $1 || '%')",
    )
    .bind(test_cards::SUCCESS)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(leaks, 0, "no card number stored by the shop");

    // The stock is sold, not held, and the cart is empty again.
    assert_eq!(stock(&app, LAPTOP_13).await, (100, 0, 2));
    let cart = b.call("/api/cart", &[]).await.json();
    assert_eq!(cart["item_count"], 0);
}

#[tokio::test]
async fn a_double_submit_or_two_tabs_make_one_order_and_one_charge() {
    let app = spawn_shop().await;
    let b = Browser::new(&app);
    add(&b, LAPTOP_13, "1").await;
    let k = key();
    let (first, second) = tokio::join!(
        place(&b, &k, test_cards::SUCCESS),
        place(&b, &k, test_cards::SUCCESS)
    );
    assert_eq!(first.status, 200, "{}", first.text());
    assert_eq!(second.status, 200, "{}", second.text());
    let number = first.json()["number"].as_str().unwrap().to_owned();
    assert_eq!(second.json()["number"], number.as_str());
    let retry = place(&b, &k, test_cards::SUCCESS).await;
    assert_eq!(retry.json()["number"], number.as_str());
    assert_eq!(retry.json()["status"], "confirmed");
    let orders: i64 = sqlx::query_scalar("SELECT count(*) FROM orders")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(orders, 1);
    assert_eq!(
        intents(&app, &number).await,
        [("captured".to_owned(), 155_880)]
    );
    assert_eq!(stock(&app, LAPTOP_13).await, (100, 0, 1));
}

#[tokio::test]
async fn a_declined_card_charges_nothing_and_gives_the_stock_back() {
    let app = spawn_shop().await;
    for (card, words) in [
        (test_cards::DECLINE, "card declined"),
        (test_cards::INSUFFICIENT_FUNDS, "insufficient funds"),
    ] {
        let b = Browser::new(&app);
        add(&b, LAPTOP_13, "3").await;
        let r = place(&b, &key(), card).await;
        assert_eq!(r.status, 402, "{}", r.text());
        let body = r.json();
        assert_eq!(body["code"], "declined");
        let message = body["message"].as_str().unwrap();
        assert!(
            message.contains(words) && message.contains("not been charged"),
            "{message}"
        );
    }
    let statuses: Vec<String> = sqlx::query_scalar("SELECT status::text FROM orders ORDER BY id")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    assert_eq!(statuses, ["cancelled", "cancelled"]);
    let captured: i64 = sqlx::query_scalar(
        "SELECT coalesce(sum(captured), 0)::bigint FROM payments_sandbox.intents",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(captured, 0);
    assert_eq!(stock(&app, LAPTOP_13).await, (100, 0, 0));

    // Bad input is refused before anything is held or charged.
    let b = Browser::new(&app);
    add(&b, LAPTOP_13, "1").await;
    for (k, card, expected) in [
        ("short", test_cards::SUCCESS, "expired"),
        (&key()[..], "4242", "card number"),
        (&key()[..], "4242424242424241", "not valid"),
    ] {
        let r = place(&b, k, card).await;
        assert_eq!(r.status, 400, "{k} {card}: {}", r.text());
        assert!(
            r.json()["message"].as_str().unwrap().contains(expected),
            "{}",
            r.text()
        );
    }
    let empty = Browser::new(&app);
    let r = place(&empty, &key(), test_cards::SUCCESS).await;
    assert_eq!(
        (r.status, r.json()["code"].as_str()),
        (409, Some("empty_cart"))
    );
    assert_eq!(stock(&app, LAPTOP_13).await, (100, 0, 0));
}

#[tokio::test]
async fn fifty_shoppers_for_ten_units_make_exactly_ten_orders() {
    // Fifty shoppers from one address: no edge limits in the way of the race.
    let app =
        crate::helpers::spawn_shop_with_edge(&server::security::EdgePolicy::unlimited()).await;
    let v = variant(&app, LAPTOP_13).await;
    {
        let mut conn = app.pool.acquire().await.unwrap();
        let main = inventory::warehouse_id(&mut conn, inventory::MAIN_WAREHOUSE)
            .await
            .unwrap();
        inventory::set_on_hand(&mut conn, v, main, 10, "test")
            .await
            .unwrap();
    }
    let mut shoppers = Vec::new();
    for _ in 0..50 {
        let b = Browser::new(&app);
        add(&b, LAPTOP_13, "1").await;
        shoppers.push(b);
    }
    let attempts: Vec<_> = shoppers
        .into_iter()
        .map(|b| tokio::spawn(async move { place(&b, &key(), test_cards::SUCCESS).await }))
        .collect();
    let (mut confirmed, mut sold_out) = (0, 0);
    for a in attempts {
        let r = a.await.unwrap();
        match r.status {
            200 => {
                assert_eq!(r.json()["status"], "confirmed");
                confirmed += 1;
            }
            409 => {
                assert_eq!(r.json()["code"], "stock", "{}", r.text());
                sold_out += 1;
            }
            other => panic!("{other}: {}", r.text()),
        }
    }
    assert_eq!((confirmed, sold_out), (10, 40));
    assert_eq!(stock(&app, LAPTOP_13).await, (10, 0, 10));
    let captured: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM payments_sandbox.intents WHERE status = 'captured'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(captured, 10, "charged exactly the ten who got one");
    let confirmed_orders: i64 =
        sqlx::query_scalar("SELECT count(*) FROM orders WHERE status = 'confirmed'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(confirmed_orders, 10);
}

#[tokio::test]
async fn a_line_no_single_warehouse_can_fill_is_held_across_warehouses() {
    // The order's own transaction finds no one warehouse with 5 (order_open writes
    // nothing), so the reservation service holds 3 + 2 from two and the order goes on.
    let app = spawn_shop().await;
    let v = variant(&app, LAPTOP_13).await;
    let b = Browser::new(&app);
    add(&b, LAPTOP_13, "5").await;
    let late = Browser::new(&app);
    add(&late, LAPTOP_13, "1").await;
    let (main, north): (i64, i64) = {
        let mut conn = app.pool.acquire().await.unwrap();
        let main = inventory::warehouse_id(&mut conn, inventory::MAIN_WAREHOUSE)
            .await
            .unwrap();
        let north: i64 = sqlx::query_scalar(
            "INSERT INTO warehouses (code, name, region, priority)
             VALUES ('north', 'North', 'DEFAULT', 50) RETURNING id",
        )
        .fetch_one(&mut *conn)
        .await
        .unwrap();
        inventory::set_on_hand(&mut conn, v, main, 3, "test")
            .await
            .unwrap();
        inventory::set_on_hand(&mut conn, v, north, 2, "test")
            .await
            .unwrap();
        (main, north)
    };
    let r = place(&b, &key(), test_cards::SUCCESS).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["status"], "confirmed");
    let sold: Vec<(i64, i32, i32)> = sqlx::query_as(
        "SELECT warehouse_id, reserved, sold FROM stock_levels WHERE variant_id = $1
          ORDER BY warehouse_id",
    )
    .bind(v)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    let mut expected = vec![(main, 0, 3), (north, 0, 2)];
    expected.sort();
    assert_eq!(sold, expected);
    let orders: i64 = sqlx::query_scalar("SELECT count(*) FROM orders")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(
        orders, 1,
        "the attempt in one transaction left nothing behind"
    );

    // One more than there are: refused, nothing held, nothing charged.
    let r = place(&late, &key(), test_cards::SUCCESS).await;
    assert_eq!((r.status, r.json()["code"].as_str()), (409, Some("stock")));
    assert_eq!(stock(&app, LAPTOP_13).await, (5, 0, 5));
}

/// A shop whose provider is a sandbox run on its own with a known key (for faults). The
/// sandbox runs until the returned sender is dropped.
pub(crate) async fn shop_with_own_sandbox() -> (TestApp, String, tokio::sync::watch::Sender<bool>) {
    shop_with_own_sandbox_and(|_| {}).await
}

/// The same, its settings changed by `configure`.
pub(crate) async fn shop_with_own_sandbox_and(
    configure: impl FnOnce(&mut server::settings::Settings),
) -> (TestApp, String, tokio::sync::watch::Sender<bool>) {
    shop_with_own_sandbox_behind(&server::security::EdgePolicy::standard(), configure).await
}

/// The same, behind the edge `policy` (trusted proxies, limits).
pub(crate) async fn shop_with_own_sandbox_behind(
    policy: &server::security::EdgePolicy,
    configure: impl FnOnce(&mut server::settings::Settings),
) -> (TestApp, String, tokio::sync::watch::Sender<bool>) {
    let pool = PgPoolOptions::new()
        .max_connections(8)
        .connect(&seeded_database().await)
        .await
        .unwrap();
    let (keep, stop) = tokio::sync::watch::channel(false);
    let url = standalone_sandbox(&pool, Duration::from_secs(2), stop.clone()).await;
    let mut settings = sandbox_client(&url);
    settings.payments.retries = 0;
    settings.payments.timeout_ms = 500;
    settings.payments.breaker_threshold = 100;
    let payments = server::serve::payments(&settings, &pool, "127.0.0.1:1".parse().unwrap(), stop)
        .await
        .unwrap();
    let mut app =
        crate::helpers::spawn_configured(pool, 12, Some(payments), policy, configure).await;
    app.state.checkout.rules.settle_after = Duration::ZERO;
    (app, url, keep)
}

#[tokio::test]
async fn a_provider_that_is_down_keeps_the_order_and_the_stock_and_a_retry_charges_once() {
    let (app, url, _sandbox) = shop_with_own_sandbox().await;
    let b = Browser::new(&app);
    add(&b, LAPTOP_13, "1").await;
    sandbox_faults(&url, r#"{"unavailable": 1000}"#).await;
    let k = key();
    let r = place(&b, &k, test_cards::SUCCESS).await;
    assert_eq!(r.status, 503, "{}", r.text());
    assert_eq!(r.json()["code"], "payment_unavailable");
    assert!(
        r.json()["message"]
            .as_str()
            .unwrap()
            .contains("not be charged twice")
    );
    let number: String = sqlx::query_scalar("SELECT number FROM orders")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(order_status(&app, &number).await, "payment_processing");
    assert_eq!(
        stock(&app, LAPTOP_13).await,
        (100, 1, 0),
        "still held for the shopper"
    );
    assert!(intents(&app, &number).await.is_empty());

    // Back up: the same form again finishes the same order, with one charge.
    sandbox_faults(&url, r#"{"unavailable": 0}"#).await;
    let r = place(&b, &k, test_cards::SUCCESS).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["number"], number.as_str());
    assert_eq!(order_status(&app, &number).await, "confirmed");
    assert_eq!(
        intents(&app, &number).await,
        [("captured".to_owned(), 155_880)]
    );
    assert_eq!(stock(&app, LAPTOP_13).await, (100, 0, 1));
}

#[tokio::test]
async fn orders_a_crash_left_half_paid_are_settled_with_the_provider() {
    let (app, url, _sandbox) = shop_with_own_sandbox().await;

    // The provider authorizes, but the answer never reaches the shop (as if the server
    // died right after sending): the order waits in payment_processing.
    let paid = Browser::new(&app);
    add(&paid, LAPTOP_13, "2").await;
    sandbox_faults(&url, r#"{"fail_after_commit": 1}"#).await;
    let r = place(&paid, &key(), test_cards::SUCCESS).await;
    assert_eq!(r.status, 503, "{}", r.text());
    // A second shopper's payment never reached the provider at all.
    let lost = Browser::new(&app);
    add(&lost, LAPTOP_13, "1").await;
    sandbox_faults(&url, r#"{"unavailable": 1}"#).await;
    let r = place(&lost, &key(), test_cards::SUCCESS).await;
    assert_eq!(r.status, 503, "{}", r.text());
    let numbers: Vec<String> = sqlx::query_scalar("SELECT number FROM orders ORDER BY id")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    assert_eq!(
        intents(&app, &numbers[0]).await,
        [("captured".to_owned(), 311_760)],
        "taken at once (automatic capture); only the answer was lost"
    );
    assert!(intents(&app, &numbers[1]).await.is_empty());
    assert_eq!(stock(&app, LAPTOP_13).await, (100, 3, 0));

    // The settling worker asks the provider: the first is captured and confirmed, the
    // second cancelled with its stock released; nothing is charged twice.
    let settled = app::checkout::ssr::settle(&app.state.checkout)
        .await
        .unwrap();
    assert_eq!(settled, 2);
    assert_eq!(order_status(&app, &numbers[0]).await, "confirmed");
    assert_eq!(
        intents(&app, &numbers[0]).await,
        [("captured".to_owned(), 311_760)]
    );
    assert_eq!(order_status(&app, &numbers[1]).await, "cancelled");
    assert!(intents(&app, &numbers[1]).await.is_empty());
    assert_eq!(stock(&app, LAPTOP_13).await, (100, 0, 2));
    assert_eq!(
        app::checkout::ssr::settle(&app.state.checkout)
            .await
            .unwrap(),
        0,
        "nothing left"
    );
}

#[tokio::test]
async fn the_machine_refuses_transitions_it_does_not_have_in_code_and_in_the_database() {
    let app = spawn_shop().await;
    let b = Browser::new(&app);
    add(&b, LAPTOP_13, "1").await;
    let r = place(&b, &key(), test_cards::SUCCESS).await;
    let number = r.json()["number"].as_str().unwrap().to_owned();
    let id: i64 = sqlx::query_scalar("SELECT id FROM orders WHERE number = $1")
        .bind(&number)
        .fetch_one(&app.pool)
        .await
        .unwrap();

    let mut tx = app.pool.begin().await.unwrap();
    let err = transition(
        &mut tx,
        id,
        OrderStatus::Confirmed,
        OrderStatus::Pending,
        "test",
        None,
    )
    .await
    .unwrap_err();
    assert!(matches!(err, TransitionError::Invalid(_)), "{err:?}");
    assert_eq!(
        err.to_string(),
        "an order cannot go from confirmed to awaiting payment"
    );
    let err = transition(
        &mut tx,
        id,
        OrderStatus::Pending,
        OrderStatus::PaymentProcessing,
        "test",
        None,
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, TransitionError::Moved(_)),
        "the order is not pending: {err:?}"
    );
    drop(tx);

    for to in ["shipped", "delivered", "pending", "payment_processing"] {
        let err = sqlx::query("UPDATE orders SET status = $2::order_status WHERE id = $1")
            .bind(id)
            .bind(to)
            .execute(&app.pool)
            .await
            .unwrap_err();
        assert!(
            err.to_string().contains("cannot go from confirmed to"),
            "{to}: {err}"
        );
    }
    let err = sqlx::query(
        "INSERT INTO orders (number, idempotency_key, email, currency, subtotal_minor, total_minor,
                             shipping_address, region, holder, status)
         VALUES ('M-X', 'k-xxxxxxxxxxxxxxxxx', 'a@b.c', 'USD', 0, 0, '{}', 'DEFAULT', 'h', 'confirmed')",
    )
    .execute(&app.pool)
    .await
    .unwrap_err();
    assert!(err.to_string().contains("starts as pending"), "{err}");

    // The allowed ones go through, each recorded.
    let mut tx = app.pool.begin().await.unwrap();
    transition(
        &mut tx,
        id,
        OrderStatus::Confirmed,
        OrderStatus::Fulfilment,
        "user:1",
        Some("picked"),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let (actor, reason): (String, Option<String>) = sqlx::query_as(
        "SELECT actor, reason FROM order_transitions WHERE order_id = $1 ORDER BY id DESC LIMIT 1",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        (actor.as_str(), reason.as_deref()),
        ("user:1", Some("picked"))
    );

    // The code's list and the database's are the same machine.
    let db: Vec<(String, String)> = sqlx::query_as(
        "SELECT from_status::text, to_status::text FROM order_status_transitions ORDER BY 1, 2",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    let mut code: Vec<(String, String)> = app::orders::model::TRANSITIONS
        .iter()
        .map(|(f, t)| {
            let name = |s: &OrderStatus| {
                serde_json::to_value(s)
                    .unwrap()
                    .as_str()
                    .unwrap()
                    .to_owned()
            };
            (name(f), name(t))
        })
        .collect();
    code.sort();
    assert_eq!(db, code);
}

#[tokio::test]
async fn with_javascript_off_the_form_goes_to_the_order_or_back_with_everything_typed() {
    let app = spawn_shop().await;
    let b = Browser::new(&app);
    add(&b, LAPTOP_13, "1").await;
    let page = b.get("/checkout").await;
    assert_eq!(page.status, 200);
    let html = page.text();
    let key = between(&html, r#"name="idempotency_key" value=""#, "\"");
    assert!(html.contains("$1,299.00"), "the summary shows the goods");

    // "Update totals" for an express delivery to Germany: priced there, fields kept.
    let fields = checkout_fields(
        &key,
        "",
        &[("country", "DE"), ("shipping_method", "express")],
    );
    let r = b.submit("/api/checkout/update", &fields, "/checkout").await;
    assert_eq!((r.status, r.header("location")), (302, "/checkout"));
    let html = b.get("/checkout").await.text();
    assert!(html.contains(r#"value="DE""#) && html.contains(r#"value="Ada Shopper""#));
    // 1,299.00 + express 14.99 + 2.00 (one started kilogram) = 1,315.99; 21% VAT = 276.36.
    assert!(
        html.contains("$1,592.35"),
        "the total for Germany by express"
    );

    // The declined card: back to the checkout with the message and what was typed, a
    // fresh form key, nothing charged.
    let key = between(&html, r#"name="idempotency_key" value=""#, "\"");
    let fields = checkout_fields(
        &key,
        test_cards::DECLINE,
        &[("country", "DE"), ("shipping_method", "express")],
    );
    let r = b.submit("/api/checkout/place", &fields, "/checkout").await;
    assert_eq!((r.status, r.header("location")), (302, "/checkout"));
    let html = b.get("/checkout").await.text();
    assert!(html.contains("Your card was declined"), "{html}");
    assert!(
        html.contains(r#"value="Ada Shopper""#),
        "what was typed is still there"
    );
    assert!(
        !html.contains(&format!(r#"value="{}""#, test_cards::DECLINE)),
        "never the card number"
    );
    let second = between(&html, r#"name="idempotency_key" value=""#, "\"");
    assert_ne!(second, key, "a spent form gets a new key");

    // The success card: to the order page, which thanks the shopper.
    let fields = checkout_fields(
        &second,
        test_cards::SUCCESS,
        &[("country", "DE"), ("shipping_method", "express")],
    );
    let r = b.submit("/api/checkout/place", &fields, "/checkout").await;
    assert_eq!(r.status, 302);
    let to = r.header("location").to_owned();
    assert!(to.starts_with("/orders/M-"), "{to}");
    let page = b.get(&to).await;
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(html.contains("Thank you! Your order"), "the confirmation");
    assert!(html.contains(r#"data-test="order-status""#) && html.contains("Confirmed"));
    assert!(html.contains("$1,592.35") && html.contains("card ending 4242"));
    // A spent draft is forgotten; the cart is empty now.
    assert_eq!(b.cookie("mercato_checkout"), None);
    let html = b.get("/checkout").await.text();
    assert!(html.contains("Your cart is empty"));

    // Someone else with the number but not the e-mail address sees nothing.
    let stranger = Browser::new(&app);
    assert_eq!(stranger.get(&to).await.status, 404);
    let lookup = format!("{}?email=SHOPPER@example.com", to);
    let page = stranger.get(&lookup).await;
    assert_eq!(page.status, 200, "the guest's link from the e-mail");
    let number = to.trim_start_matches("/orders/");
    let page = stranger
        .get(&format!(
            "/orders/lookup?number={number}&email=someone@example.com"
        ))
        .await;
    assert_eq!(page.status, 404);
    let page = stranger
        .get(&format!(
            "/orders/lookup?number={}&email=shopper@example.com",
            number.to_lowercase()
        ))
        .await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains("Awaiting payment"), "the timeline");
}

fn between(text: &str, start: &str, end: &str) -> String {
    let from = text.find(start).expect(start) + start.len();
    let len = text[from..].find(end).expect(end);
    text[from..from + len].to_owned()
}

#[tokio::test]
async fn a_customer_sees_their_orders_and_nobody_elses() {
    let app = spawn_shop().await;
    let b = Browser::new(&app);
    crate::helpers::sign_up_confirmed(
        &app,
        &b,
        "grace@example.com",
        "a long enough passphrase",
        "Grace",
    )
    .await;
    assert!(
        b.get("/account/orders")
            .await
            .text()
            .contains("No orders yet")
    );
    add(&b, LAPTOP_13, "1").await;
    let r = place(&b, &key(), test_cards::SUCCESS).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let number = r.json()["number"].as_str().unwrap().to_owned();
    let html = b.get("/account/orders").await.text();
    assert!(
        html.contains(&number) && html.contains("Confirmed"),
        "{html}"
    );
    let page = b.get(&format!("/orders/{number}")).await;
    assert_eq!(page.status, 200, "the customer's own order");

    let other = Browser::new(&app);
    let page = other.get("/account/orders").await;
    assert_eq!(page.status, 302, "sign in first");
    assert_eq!(other.get(&format!("/orders/{number}")).await.status, 404);
}
