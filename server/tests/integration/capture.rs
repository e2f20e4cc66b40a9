//! Payment in two steps (`payments.capture = "manual"`), against the sandbox provider
//! over HTTP: checkout only authorizes, the order waits as authorized with its stock
//! sold to it, staff capture it once however often they click (then it is packed), or
//! cancel it and the authorization is voided with the stock back; a provider that does
//! not answer changes nothing, and a late authorization settles as authorized.

use crate::admin::{admin, staff_member};
use crate::checkout::{
    LAPTOP_13, add, intents, key, order_status, place, shop_with_own_sandbox_and, stock,
};
use crate::helpers::{Browser, TestApp, all_at_once, last_email, sandbox_faults};
use app::payments::Capture;
use app::payments::wire::test_cards;

fn manual(s: &mut server::settings::Settings) {
    s.payments.capture = Capture::Manual;
}

/// A guest's order of `units` laptops, authorized: its number.
async fn authorized(app: &TestApp, units: &str) -> String {
    let b = Browser::new(app);
    add(&b, LAPTOP_13, units).await;
    let r = place(&b, &key(), test_cards::SUCCESS).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["status"], "authorized", "{}", r.text());
    r.json()["number"].as_str().unwrap().to_owned()
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(&app.pool).await.unwrap()
}

/// The shop's own record of the order's payment: (status, captured).
async fn payment(app: &TestApp, number: &str) -> (String, i64) {
    sqlx::query_as(
        "SELECT p.status, p.captured_minor FROM payments p JOIN orders o ON o.id = p.order_id
          WHERE o.number = $1",
    )
    .bind(number)
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

async fn total(app: &TestApp, number: &str) -> i64 {
    sqlx::query_scalar("SELECT total_minor FROM orders WHERE number = $1")
        .bind(number)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

/// One round of the fulfilment workers (allocation and the e-mails it queues).
async fn fulfil(app: &TestApp) -> usize {
    let nowhere = app::fulfilment::ssr::Carrier::new(
        "http://127.0.0.1:1",
        "unused",
        std::time::Duration::from_millis(200),
    )
    .unwrap();
    app::fulfilment::ssr::allocate(&app.state.fulfilment(nowhere))
        .await
        .unwrap()
}

async fn capture_key(b: &Browser, number: &str) -> String {
    let r = b.get(&format!("/api/admin/order?number={number}")).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let page = r.json();
    assert_eq!(page["offers"]["capture"], true, "{page}");
    page["offers"]["keys"]["capture"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn an_authorized_order_waits_for_staff_and_is_captured_once() {
    let (app, _url, _sandbox) = shop_with_own_sandbox_and(manual).await;
    let before = stock(&app, LAPTOP_13).await;
    let number = authorized(&app, "2").await;
    let total = total(&app, &number).await;

    // Authorized, not taken; the stock is the order's.
    assert_eq!(order_status(&app, &number).await, "authorized");
    assert_eq!(intents(&app, &number).await, [("authorized".to_owned(), 0)]);
    assert_eq!(payment(&app, &number).await, ("authorized".to_owned(), 0));
    assert_eq!(stock(&app, LAPTOP_13).await, (before.0, 0, before.2 + 2));
    let r = Browser::new(&app)
        .get(&format!("/orders/{number}?email=shopper%40example.com"))
        .await;
    let page = r.text();
    assert!(page.contains("Payment authorised"), "{page}");
    assert!(
        page.contains("authorised on the card ending 4242"),
        "{page}"
    );

    // Fulfilment does not pack it; the customer hears it is received, not confirmed.
    assert_eq!(fulfil(&app).await, 0);
    assert_eq!(count(&app, "SELECT count(*) FROM shipments").await, 0);
    let (_, body) = last_email(&app, "shopper@example.com", "We have received")
        .await
        .expect("the order-received e-mail");
    assert!(body.contains("authorised"), "{body}");
    assert!(
        last_email(&app, "shopper@example.com", "is confirmed")
            .await
            .is_none()
    );

    // A clerk without `orders` may not; staff with it see the offer.
    let stock_clerk = staff_member(&app, "stock@example.com", &["Catalog"]).await;
    let boss = admin(&app, "boss@example.com").await;
    let k = capture_key(&boss, &number).await;
    let r = stock_clerk
        .call(
            "/api/admin/orders/capture",
            &[("number", &number), ("key", &k)],
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.text());
    assert_eq!(order_status(&app, &number).await, "authorized");

    // Three clicks of one form and a second tab's form at once: captured once.
    let other = capture_key(&boss, &number).await;
    let answers = all_at_once([k.clone(), k.clone(), k, other].into_iter().map(|k| {
        let (b, n) = (boss.clone(), number.clone());
        async move {
            let r = b
                .call("/api/admin/orders/capture", &[("number", &n), ("key", &k)])
                .await;
            (r.status, r.text())
        }
    }))
    .await;
    // Whichever form's request reaches the order first captures it; the same form's
    // other clicks replay its answer, and the other form is told there is nothing left.
    let ok = answers.iter().filter(|(s, _)| *s == 200).count();
    let same_form = &answers[..3];
    let same_ok = same_form.iter().all(|(s, _)| *s == 200);
    assert!(
        (ok == 3 && same_ok) || (ok == 1 && answers[3].0 == 200),
        "{answers:?}"
    );
    for (status, text) in &answers {
        assert!(
            *status == 200 || (*status == 409 && text.contains("no payment to capture")),
            "{answers:?}"
        );
    }
    assert_eq!(order_status(&app, &number).await, "confirmed");
    assert_eq!(
        intents(&app, &number).await,
        [("captured".to_owned(), total)]
    );
    assert_eq!(payment(&app, &number).await, ("captured".to_owned(), total));
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM audit_log WHERE action = 'order.capture'"
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM order_transitions WHERE from_status = 'authorized' AND to_status = 'confirmed'"
        )
        .await,
        1
    );
    // Now it is packed and confirmed to the customer.
    assert_eq!(fulfil(&app).await, 1);
    assert_eq!(order_status(&app, &number).await, "fulfilment");
    assert!(
        last_email(&app, "shopper@example.com", "is confirmed")
            .await
            .is_some()
    );
    let r = boss.get(&format!("/api/admin/order?number={number}")).await;
    assert_eq!(r.json()["offers"]["capture"], false);
    let r = boss
        .call(
            "/api/admin/orders/capture",
            &[("number", &number), ("key", &key())],
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.text());
    assert_eq!(
        intents(&app, &number).await,
        [("captured".to_owned(), total)]
    );
}

#[tokio::test]
async fn cancelling_an_authorized_order_voids_it_and_gives_the_stock_back() {
    let (app, url, _sandbox) = shop_with_own_sandbox_and(manual).await;
    let before = stock(&app, LAPTOP_13).await;
    let number = authorized(&app, "3").await;
    // Customer service (no `refunds`) may cancel it: no money moved.
    let clerk = staff_member(&app, "clerk@example.com", &["Customer service"]).await;
    let page = clerk
        .get(&format!("/api/admin/order?number={number}"))
        .await;
    assert_eq!(page.json()["offers"]["cancel"], true);
    let k = page.json()["offers"]["keys"]["cancel"]
        .as_str()
        .unwrap()
        .to_owned();

    // The provider down: nothing changes, and the same form works once it is back.
    sandbox_faults(&url, r#"{"unavailable": 1000}"#).await;
    let cancel = |k: String| {
        let (b, n) = (clerk.clone(), number.clone());
        async move {
            b.call(
                "/api/admin/orders/cancel",
                &[("number", &n), ("key", &k), ("reason", "we ran out")],
            )
            .await
        }
    };
    let r = cancel(k.clone()).await;
    assert_eq!(r.status, 409, "{}", r.text());
    assert!(r.text().contains("did not answer"), "{}", r.text());
    assert_eq!(order_status(&app, &number).await, "authorized");
    assert_eq!(stock(&app, LAPTOP_13).await.2, before.2 + 3);
    sandbox_faults(&url, r#"{}"#).await;

    let answers = all_at_once((0..3).map(|_| cancel(k.clone()))).await;
    assert!(
        answers.iter().all(|r| r.status == 200),
        "{:?}",
        answers.iter().map(|r| r.text()).collect::<Vec<_>>()
    );
    assert_eq!(order_status(&app, &number).await, "cancelled");
    assert_eq!(intents(&app, &number).await, [("voided".to_owned(), 0)]);
    assert_eq!(payment(&app, &number).await, ("voided".to_owned(), 0));
    assert_eq!(stock(&app, LAPTOP_13).await, before, "the stock is back");
    let (_, body) = last_email(&app, "shopper@example.com", "has been cancelled")
        .await
        .expect("the cancellation e-mail");
    assert!(body.contains("not been charged"), "{body}");
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM audit_log WHERE action = 'order.cancel'"
        )
        .await,
        1
    );
    // Nothing to capture or refund any more.
    let boss = admin(&app, "boss@example.com").await;
    let r = boss
        .call(
            "/api/admin/orders/capture",
            &[("number", &number), ("key", &key())],
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.text());
    assert_eq!(intents(&app, &number).await, [("voided".to_owned(), 0)]);
}

#[tokio::test]
async fn capture_refuses_hostile_and_skipped_steps_and_changes_nothing() {
    let (app, url, _sandbox) = shop_with_own_sandbox_and(manual).await;
    let boss = admin(&app, "boss@example.com").await;
    let number = authorized(&app, "1").await;
    for (n, k, want) in [
        ("<script>alert(1)</script>", key(), 400),
        ("M-NOSUCH", key(), 404),
        (number.as_str(), "not a key".to_owned(), 400),
        (number.as_str(), String::new(), 400),
    ] {
        let r = boss
            .call("/api/admin/orders/capture", &[("number", n), ("key", &k)])
            .await;
        assert_eq!(r.status, want, "{n} {k}: {}", r.text());
        assert!(!r.text().contains("<script>"), "{}", r.text());
    }
    // A visitor and a shopper get nowhere.
    let r = Browser::new(&app)
        .call(
            "/api/admin/orders/capture",
            &[("number", &number), ("key", &key())],
        )
        .await;
    assert_eq!(r.status, 401, "{}", r.text());
    // The provider answers too late: nothing changes, the key is not spent.
    sandbox_faults(&url, r#"{"unavailable": 1000}"#).await;
    let k = capture_key(&boss, &number).await;
    let r = boss
        .call(
            "/api/admin/orders/capture",
            &[("number", &number), ("key", &k)],
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.text());
    assert!(r.text().contains("did not answer"), "{}", r.text());
    assert_eq!(order_status(&app, &number).await, "authorized");
    assert_eq!(intents(&app, &number).await, [("authorized".to_owned(), 0)]);
    sandbox_faults(&url, r#"{}"#).await;
    let r = boss
        .call(
            "/api/admin/orders/capture",
            &[("number", &number), ("key", &k)],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(order_status(&app, &number).await, "confirmed");
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM audit_log WHERE action = 'order.capture'"
        )
        .await,
        1
    );
}

#[tokio::test]
async fn an_authorization_whose_answer_was_lost_settles_as_authorized_not_captured() {
    let (app, url, _sandbox) = shop_with_own_sandbox_and(manual).await;
    let b = Browser::new(&app);
    add(&b, LAPTOP_13, "1").await;
    sandbox_faults(&url, r#"{"fail_after_commit": 1}"#).await;
    let r = place(&b, &key(), test_cards::SUCCESS).await;
    assert_eq!(r.status, 503, "{}", r.text());
    let number: String = sqlx::query_scalar("SELECT number FROM orders")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(order_status(&app, &number).await, "payment_processing");
    assert_eq!(
        app::checkout::ssr::settle(&app.state.checkout)
            .await
            .unwrap(),
        1
    );
    assert_eq!(order_status(&app, &number).await, "authorized");
    assert_eq!(intents(&app, &number).await, [("authorized".to_owned(), 0)]);
    assert_eq!(
        app::checkout::ssr::settle(&app.state.checkout)
            .await
            .unwrap(),
        0,
        "an authorized order waits for staff, not for the worker"
    );
}
