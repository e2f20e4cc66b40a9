//! Fulfilment fed by the outbox: a paid order is packed at the warehouse its stock was
//! held in (the shopper's region first), labelled by the sandbox carrier over HTTP,
//! shipped (the stock leaves), delivered, with e-mails on confirmation and dispatch;
//! a carrier that is down delays it and loses nothing.

use crate::checkout::{LAPTOP_13, add, key, place, stock};
use crate::helpers::{Browser, SANDBOX_KEY, TestApp, spawn_shop, standalone_sandbox};
use app::fulfilment::ssr::{Carrier, Round, run_once};
use app::payments::wire::test_cards;
use std::time::Duration;

async fn carrier(app: &TestApp) -> Carrier {
    let url = standalone_sandbox(&app.pool, Duration::from_secs(10), app.stop.subscribe()).await;
    Carrier::new(&url, SANDBOX_KEY, Duration::from_secs(5)).unwrap()
}

async fn buy(app: &TestApp) -> String {
    let b = Browser::new(app);
    add(&b, LAPTOP_13, "2").await;
    let r = place(&b, &key(), test_cards::SUCCESS).await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()["number"].as_str().unwrap().to_owned()
}

async fn path(app: &TestApp, number: &str) -> Vec<(String, String)> {
    sqlx::query_as(
        "SELECT t.to_status::text, t.actor FROM order_transitions t
           JOIN orders o ON o.id = t.order_id WHERE o.number = $1 ORDER BY t.id",
    )
    .bind(number)
    .fetch_all(&app.pool)
    .await
    .unwrap()
}

async fn emails(app: &TestApp) -> Vec<(String, String, String)> {
    sqlx::query_as("SELECT to_address, subject, body FROM emails ORDER BY id")
        .fetch_all(&app.pool)
        .await
        .unwrap()
}

/// Runs rounds until `done` or 10 s pass.
async fn until(app: &TestApp, carrier: &Carrier, done: impl Fn(&Round) -> bool) -> Round {
    let mut total = Round::default();
    for _ in 0..50 {
        let round = run_once(&app.state.fulfilment(carrier.clone()))
            .await
            .expect("a fulfilment round");
        total.allocated += round.allocated;
        total.shipped += round.shipped;
        total.delivered += round.delivered;
        if done(&total) {
            return total;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("fulfilment did not finish: {total:?}");
}

#[tokio::test]
async fn a_paid_order_is_packed_shipped_and_delivered_with_emails() {
    let app = spawn_shop().await;
    let carrier = carrier(&app).await;
    let number = buy(&app).await;
    let before = stock(&app, LAPTOP_13).await;
    assert_eq!((before.1, before.2), (0, 2), "sold, not yet shipped");

    until(&app, &carrier, |r| r.delivered == 1).await;
    let steps = path(&app, &number).await;
    let statuses: Vec<&str> = steps.iter().map(|s| s.0.as_str()).collect();
    assert_eq!(
        statuses,
        [
            "pending",
            "payment_processing",
            "confirmed",
            "fulfilment",
            "shipped",
            "delivered"
        ]
    );
    assert!(steps[3..].iter().all(|s| s.1 == "worker:fulfilment"));

    // The stock left the warehouse: on hand and sold both down by 2, and the ledger says so.
    let after = stock(&app, LAPTOP_13).await;
    assert_eq!(after, (before.0 - 2, 0, 0));
    let shipped: i64 = sqlx::query_scalar(
        "SELECT -sum(on_hand_delta)::bigint FROM stock_movements m JOIN orders o ON o.id = m.order_id
          WHERE o.number = $1 AND m.kind = 'shipment'",
    )
    .bind(&number)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(shipped, 2);
    let (tracking, status): (String, String) = sqlx::query_as(
        "SELECT s.tracking_number, s.status::text FROM shipments s JOIN orders o ON o.id = s.order_id
          WHERE o.number = $1",
    )
    .bind(&number)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(tracking.starts_with("SBX"), "{tracking}");
    assert_eq!(status, "delivered");

    let mail = emails(&app).await;
    assert_eq!(mail.len(), 2, "{mail:?}");
    assert_eq!(mail[0].0, "shopper@example.com");
    assert!(mail[0].1.contains(&number) && mail[0].1.contains("confirmed"));
    assert!(mail[0].2.contains("Total paid: $3,117.60"), "{}", mail[0].2);
    assert!(
        mail[0]
            .2
            .contains(&format!("/orders/{number}?email=shopper%40example.com"))
    );
    assert!(mail[1].1.contains("shipped") && mail[1].2.contains(&tracking));

    // More rounds change nothing: no second parcel, e-mail or transition.
    let round = run_once(&app.state.fulfilment(carrier.clone()))
        .await
        .unwrap();
    assert_eq!(round, Round::default());
    assert_eq!(emails(&app).await.len(), 2);
    assert_eq!(path(&app, &number).await.len(), 6);

    // The customer's page shows the parcel and the whole timeline.
    let b = Browser::new(&app);
    let html = b
        .get(&format!("/orders/{number}?email=shopper@example.com"))
        .await
        .text();
    assert!(
        html.contains(&tracking) && html.contains("Delivered"),
        "{html}"
    );
}

#[tokio::test]
async fn stock_is_packed_in_the_shoppers_region_when_it_has_it() {
    let app = spawn_shop().await;
    let carrier = carrier(&app).await;
    let leeds: i64 = sqlx::query_scalar(
        "INSERT INTO warehouses (code, name, region, priority) VALUES ('leeds', 'Leeds', 'UK', 50) RETURNING id",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let variant: i64 = sqlx::query_scalar("SELECT id FROM variants WHERE sku = $1")
        .bind(LAPTOP_13)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let mut conn = app.pool.acquire().await.unwrap();
    app::inventory::ssr::set_on_hand(&mut conn, variant, leeds, 5, "test")
        .await
        .unwrap();
    drop(conn);
    let number = buy(&app).await;
    until(&app, &carrier, |r| r.shipped == 1).await;
    let from: Vec<String> = sqlx::query_scalar(
        "SELECT w.code FROM shipments s JOIN warehouses w ON w.id = s.warehouse_id
           JOIN orders o ON o.id = s.order_id WHERE o.number = $1",
    )
    .bind(&number)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        from,
        ["leeds"],
        "a GB address is served from the UK warehouse"
    );
    let left: i32 = sqlx::query_scalar(
        "SELECT on_hand FROM stock_levels WHERE warehouse_id = $1 AND variant_id = $2",
    )
    .bind(leeds)
    .bind(variant)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(left, 3);
}

#[tokio::test]
async fn a_carrier_that_is_down_delays_dispatch_and_loses_nothing() {
    let app = spawn_shop().await;
    let number = buy(&app).await;
    let down = Carrier::new("http://127.0.0.1:1", SANDBOX_KEY, Duration::from_secs(1)).unwrap();
    let round = run_once(&app.state.fulfilment(down.clone())).await.unwrap();
    assert_eq!((round.allocated, round.shipped), (1, 0));
    let statuses: Vec<String> = path(&app, &number).await.into_iter().map(|s| s.0).collect();
    assert_eq!(statuses.last().map(String::as_str), Some("fulfilment"));
    let packed: String = sqlx::query_scalar(
        "SELECT s.status::text FROM shipments s JOIN orders o ON o.id = s.order_id WHERE o.number = $1",
    )
    .bind(&number)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(packed, "packed");

    let carrier = carrier(&app).await;
    until(&app, &carrier, |r| r.shipped == 1).await;
    let statuses: Vec<String> = path(&app, &number).await.into_iter().map(|s| s.0).collect();
    assert_eq!(statuses.last().map(String::as_str), Some("shipped"));
    assert_eq!(
        emails(&app).await.len(),
        2,
        "one confirmation, one dispatch"
    );
}
