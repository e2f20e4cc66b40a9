//! Discount codes at checkout: each rule refused with a clear message, limits that no
//! race can pass, and a use given back when its order is not paid.

use crate::checkout::{LAPTOP_13, add, key, place_with};
use crate::helpers::{Browser, TestApp, spawn_shop};
use app::payments::wire::test_cards;

async fn code(app: &TestApp, sql_values: &str) {
    sqlx::query(&format!(
        "INSERT INTO discount_codes (code, kind, amount, currency, min_subtotal_minor, starts_at,
                                     ends_at, max_uses, max_uses_per_customer)
         VALUES {sql_values}"
    ))
    .execute(&app.pool)
    .await
    .unwrap();
}

async fn uses(app: &TestApp, code: &str) -> (i32, i64) {
    sqlx::query_as(
        "SELECT d.uses, (SELECT count(*) FROM discount_redemptions r WHERE r.code = d.code)
           FROM discount_codes d WHERE d.code = $1",
    )
    .bind(code)
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

async fn shopper(app: &TestApp, units: &str) -> Browser {
    let b = Browser::new(app);
    add(&b, LAPTOP_13, units).await;
    b
}

#[tokio::test]
async fn a_percentage_code_takes_its_share_once_per_customer() {
    let app = spawn_shop().await;
    code(
        &app,
        "('WELCOME10', 'percentage', 1000, NULL, 100000, NULL, NULL, NULL, 1)",
    )
    .await;
    let b = shopper(&app, "1").await;
    let r = place_with(
        &b,
        &key(),
        test_cards::SUCCESS,
        &[("discount_code", " welcome10 ")],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let number = r.json()["number"].as_str().unwrap().to_owned();
    let (discount, code, total): (i64, Option<String>, i64) = sqlx::query_as(
        "SELECT discount_minor, discount_code, total_minor FROM orders WHERE number = $1",
    )
    .bind(&number)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    // 10% of $1,299.00; free delivery over $100 after the discount; 20% VAT on the rest.
    assert_eq!((discount, code.as_deref()), (12_990, Some("WELCOME10")));
    assert_eq!(total, (129_900 - 12_990) * 12 / 10);
    assert_eq!(uses(&app, "WELCOME10").await, (1, 1));

    // The same customer (any case of the address) again: refused, nothing created.
    let again = shopper(&app, "1").await;
    let r = place_with(
        &again,
        &key(),
        test_cards::SUCCESS,
        &[
            ("discount_code", "WELCOME10"),
            ("email", "SHOPPER@example.com"),
        ],
    )
    .await;
    assert_eq!(r.status, 400);
    assert!(
        r.json()["message"]
            .as_str()
            .unwrap()
            .contains("already used the code WELCOME10")
    );
    // Someone else may.
    let r = place_with(
        &again,
        &key(),
        test_cards::SUCCESS,
        &[
            ("discount_code", "WELCOME10"),
            ("email", "other@example.com"),
        ],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(uses(&app, "WELCOME10").await, (2, 2));
}

#[tokio::test]
async fn each_rule_is_refused_in_words() {
    let app = spawn_shop().await;
    code(
        &app,
        "('LATER', 'percentage', 500, NULL, 0, now() + interval '1 day', NULL, NULL, NULL),
         ('GONE', 'percentage', 500, NULL, 0, now() - interval '2 days', now() - interval '1 day', NULL, NULL),
         ('BIGSPEND', 'fixed', 5000, 'USD', 500000, NULL, NULL, NULL, NULL),
         ('EUROS', 'fixed', 5000, 'EUR', 0, NULL, NULL, NULL, NULL)",
    )
    .await;
    let b = shopper(&app, "1").await;
    for (code, says) in [
        ("NOPE", "the code NOPE is not valid"),
        ("LATER", "not valid yet"),
        ("GONE", "has expired"),
        ("BIGSPEND", "minimum spend of $5,000.00"),
        ("EUROS", "is for orders in EUR"),
    ] {
        let r = place_with(&b, &key(), test_cards::SUCCESS, &[("discount_code", code)]).await;
        assert_eq!(r.status, 400, "{code}");
        let message = r.json()["message"].as_str().unwrap().to_owned();
        assert!(message.contains(says), "{code}: {message}");
    }
    let orders: i64 = sqlx::query_scalar("SELECT count(*) FROM orders")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(orders, 0, "nothing was placed");
    let held: i64 =
        sqlx::query_scalar("SELECT coalesce(sum(reserved), 0)::bigint FROM stock_levels")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(held, 0, "and no stock is held");
}

#[tokio::test]
async fn eight_shoppers_racing_for_three_uses_get_exactly_three() {
    let app = spawn_shop().await;
    code(
        &app,
        "('FIRST3', 'fixed', 1000, 'USD', 0, NULL, NULL, 3, NULL)",
    )
    .await;
    let mut shoppers = Vec::new();
    for _ in 0..8 {
        shoppers.push(shopper(&app, "1").await);
    }
    let tasks: Vec<_> = shoppers
        .into_iter()
        .enumerate()
        .map(|(i, b)| {
            tokio::spawn(async move {
                let email = format!("racer{i}@example.com");
                place_with(
                    &b,
                    &key(),
                    test_cards::SUCCESS,
                    &[("discount_code", "FIRST3"), ("email", &email)],
                )
                .await
                .status
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    statuses.sort();
    assert_eq!(statuses, [200, 200, 200, 400, 400, 400, 400, 400]);
    assert_eq!(uses(&app, "FIRST3").await, (3, 3));
    let discounted: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM orders WHERE discount_code = 'FIRST3' AND status = 'confirmed'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(discounted, 3);
}

#[tokio::test]
async fn a_declined_order_gives_its_use_back() {
    let app = spawn_shop().await;
    code(
        &app,
        "('ONCE', 'percentage', 2000, NULL, 0, NULL, NULL, 1, NULL)",
    )
    .await;
    let b = shopper(&app, "1").await;
    let r = place_with(
        &b,
        &key(),
        test_cards::DECLINE,
        &[("discount_code", "ONCE")],
    )
    .await;
    assert_eq!(r.status, 402);
    assert_eq!(
        uses(&app, "ONCE").await,
        (0, 0),
        "given back with the cancellation"
    );
    let r = place_with(
        &b,
        &key(),
        test_cards::SUCCESS,
        &[("discount_code", "ONCE")],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(uses(&app, "ONCE").await, (1, 1));
}
