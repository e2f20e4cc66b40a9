//! Order operations from the admin, against the real sandbox provider over HTTP: refunds
//! in part and in full (money, order state, stock, e-mail, audit), double clicks and
//! races that give back no more than was paid, a provider that does not answer, the
//! cancellation of a paid order, notes, and hostile input that changes nothing.

use crate::admin::{admin, staff_member};
use crate::checkout::{LAPTOP_13, add, key, order_status, place, shop_with_own_sandbox, stock};
use crate::helpers::{Browser, Response, TestApp, all_at_once, sandbox_faults};
use app::payments::wire::test_cards;

/// A paid order of `units` laptops by a guest: its number.
pub(crate) async fn buy(app: &TestApp, units: &str) -> String {
    let b = Browser::new(app);
    add(&b, LAPTOP_13, units).await;
    let r = place(&b, &key(), test_cards::SUCCESS).await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()["number"].as_str().unwrap().to_owned()
}

/// Moves a confirmed order on to delivered through the machine (as fulfilment would).
pub(crate) async fn deliver(app: &TestApp, number: &str) {
    for status in ["fulfilment", "shipped", "delivered"] {
        sqlx::query("UPDATE orders SET status = $2::order_status WHERE number = $1")
            .bind(number)
            .bind(status)
            .execute(&app.pool)
            .await
            .unwrap();
    }
}

/// The order page's data as staff get it.
async fn order_json(b: &Browser, number: &str) -> serde_json::Value {
    let r = b.get(&format!("/api/admin/order?number={number}")).await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()
}

async fn refund(b: &Browser, number: &str, key: &str, fields: &[(&str, &str)]) -> Response {
    let mut all = vec![("number", number), ("key", key)];
    all.extend_from_slice(fields);
    b.call("/api/admin/orders/refund", &all).await
}

/// (order total, shipping, captured, refunded by the provider's record, refunds given)
async fn money(app: &TestApp, number: &str) -> (i64, i64, i64, i64, i64) {
    sqlx::query_as(
        "SELECT o.total_minor, o.shipping_minor,
                (SELECT coalesce(sum(captured_minor), 0)::bigint FROM payments p WHERE p.order_id = o.id),
                (SELECT coalesce(sum(refunded_minor), 0)::bigint FROM payments p WHERE p.order_id = o.id),
                (SELECT coalesce(sum(amount_minor), 0)::bigint FROM refunds f WHERE f.order_id = o.id AND f.status = 'done')
           FROM orders o WHERE o.number = $1",
    )
    .bind(number)
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

/// What the sandbox itself says was refunded on the order's intent.
async fn provider_refunded(app: &TestApp, number: &str) -> i64 {
    sqlx::query_scalar("SELECT coalesce(sum(refunded), 0)::bigint FROM payments_sandbox.intents WHERE reference = $1")
        .bind(number)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(&app.pool).await.unwrap()
}

#[tokio::test]
async fn a_delivered_order_is_refunded_in_part_then_in_full_through_the_provider() {
    let (app, _url, _sandbox) = shop_with_own_sandbox().await;
    let boss = admin(&app, "boss@example.com").await;
    let number = buy(&app, "2").await;
    deliver(&app, &number).await;
    let before_stock = stock(&app, LAPTOP_13).await;
    let page = order_json(&boss, &number).await;
    assert_eq!(page["offers"]["refund"], true);
    assert_eq!(page["offers"]["open_units"], serde_json::json!([[0, 2]]));
    let k = page["offers"]["keys"]["refund"]
        .as_str()
        .unwrap()
        .to_owned();

    // One of the two laptops back, into the main warehouse.
    let r = refund(
        &boss,
        &number,
        &k,
        &[
            ("units[]", "0:1"),
            ("restock", "main"),
            ("reason", "arrived scratched"),
        ],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let (total, shipping, captured, refunded, given) = money(&app, &number).await;
    assert_eq!(captured, total);
    let half = (total - shipping) / 2;
    assert_eq!(
        (refunded, given),
        (half, half),
        "half the goods, to the unit"
    );
    assert_eq!(provider_refunded(&app, &number).await, half);
    assert_eq!(order_status(&app, &number).await, "partially_refunded");
    let after_stock = stock(&app, LAPTOP_13).await;
    assert_eq!(after_stock.0, before_stock.0 + 1, "one unit back on hand");
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM stock_movements WHERE kind = 'return' AND on_hand_delta = 1"
        )
        .await,
        1
    );
    let (_, body) = crate::helpers::last_email(&app, "shopper@example.com", "Your refund")
        .await
        .expect("the refund e-mail");
    assert!(body.contains(&number) && body.contains("1 ×"), "{body}");
    let audited: (String, serde_json::Value) = sqlx::query_as(
        "SELECT actor, after FROM audit_log WHERE action = 'order.refund' AND entity_id = $1",
    )
    .bind(&number)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(audited.0, "boss@example.com");
    assert_eq!(audited.1["status"], "partially_refunded");
    assert_eq!(audited.1["reason"], "arrived scratched");

    // The same form again (a double click, a retry): nothing more.
    let audit = count(&app, "SELECT count(*) FROM audit_log").await;
    let r = refund(&boss, &number, &k, &[("units[]", "0:1")]).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(count(&app, "SELECT count(*) FROM refunds").await, 1);
    assert_eq!(count(&app, "SELECT count(*) FROM audit_log").await, audit);
    assert_eq!(provider_refunded(&app, &number).await, half);

    // The rest and the delivery charge: the order is refunded, every unit accounted for.
    let page = order_json(&boss, &number).await;
    assert_eq!(page["offers"]["open_units"], serde_json::json!([[0, 1]]));
    assert_eq!(page["offers"]["shipping_refundable"], shipping > 0);
    let k2 = page["offers"]["keys"]["refund"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(k, k2, "each drawing of the page has its own key");
    let r = refund(
        &boss,
        &number,
        &k2,
        &[("units[]", "0:1"), ("shipping", "true")],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let (total, _, captured, refunded, given) = money(&app, &number).await;
    assert_eq!((refunded, given), (captured, total));
    assert_eq!(provider_refunded(&app, &number).await, total);
    assert_eq!(order_status(&app, &number).await, "refunded");

    // Nothing is left to give: refused, with a reason.
    let page = order_json(&boss, &number).await;
    assert_eq!(page["offers"]["refund"], false);
    let k3 = page["offers"]["keys"]["refund"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = refund(&boss, &number, &k3, &[("amount", "1.00")]).await;
    assert_eq!(r.status, 409, "{}", r.text());
    assert_eq!(provider_refunded(&app, &number).await, total);
}

#[tokio::test]
async fn refunds_at_once_never_give_back_more_than_was_paid() {
    let (app, _url, _sandbox) = shop_with_own_sandbox().await;
    let boss = admin(&app, "boss@example.com").await;
    let number = buy(&app, "2").await;
    deliver(&app, &number).await;
    let (_, shipping, ..) = money(&app, &number).await;

    // The same form clicked five times at once: one refund.
    let k = order_json(&boss, &number).await["offers"]["keys"]["refund"]
        .as_str()
        .unwrap()
        .to_owned();
    let answers = all_at_once((0..5).map(|_| {
        let (b, n, k) = (boss.clone(), number.clone(), k.clone());
        async move { refund(&b, &n, &k, &[("units[]", "0:1")]).await.status }
    }))
    .await;
    assert!(answers.contains(&200), "{answers:?}");
    assert!(
        answers.iter().all(|s| *s == 200 || *s == 409),
        "{answers:?}"
    );
    assert_eq!(count(&app, "SELECT count(*) FROM refunds").await, 1);

    // Two staff refunding the last unit from two pages at once: one of them.
    let keys: Vec<String> = [0, 1]
        .iter()
        .map(|_| crate::checkout::key().chars().take(40).collect())
        .collect();
    let answers = all_at_once(keys.into_iter().map(|k| {
        let (b, n) = (boss.clone(), number.clone());
        async move { refund(&b, &n, &k, &[("units[]", "0:1")]).await.status }
    }))
    .await;
    assert_eq!(
        answers.iter().filter(|s| **s == 200).count(),
        1,
        "{answers:?}"
    );
    let (total, _, captured, refunded, given) = money(&app, &number).await;
    assert_eq!(refunded, given);
    assert_eq!(given, total - shipping, "both laptops, once each");
    assert!(refunded <= captured);
    assert_eq!(provider_refunded(&app, &number).await, given);
    assert_eq!(
        count(
            &app,
            "SELECT coalesce(sum(quantity), 0)::bigint FROM refund_lines"
        )
        .await,
        2
    );
}

#[tokio::test]
async fn a_provider_that_does_not_answer_leaves_the_refund_to_finish_once() {
    let (app, url, _sandbox) = shop_with_own_sandbox().await;
    let boss = admin(&app, "boss@example.com").await;
    let number = buy(&app, "1").await;
    deliver(&app, &number).await;
    let k = order_json(&boss, &number).await["offers"]["keys"]["refund"]
        .as_str()
        .unwrap()
        .to_owned();
    sandbox_faults(&url, r#"{"unavailable": 1000}"#).await;
    let r = refund(&boss, &number, &k, &[("amount", "10.00")]).await;
    assert_eq!(r.status, 409, "{}", r.text());
    assert!(r.text().contains("did not answer"), "{}", r.text());
    assert_eq!(order_status(&app, &number).await, "delivered");
    let page = order_json(&boss, &number).await;
    assert_eq!(page["refunds"][0]["status"], "pending");
    assert_eq!(
        page["refunds"][0]["key"],
        k.as_str(),
        "the page offers to finish it"
    );
    // Meanwhile another refund waits for this one.
    let other = page["offers"]["keys"]["refund"]
        .as_str()
        .unwrap()
        .to_owned();
    sandbox_faults(&url, r#"{"unavailable": 0}"#).await;
    let r = refund(&boss, &number, &other, &[("amount", "5.00")]).await;
    assert_eq!(r.status, 409, "{}", r.text());

    // Back, but the answer is lost after the refund was made (this shop's client does
    // not retry): still pending; the form again gets that refund from the provider's
    // record of the key, and once more changes nothing.
    sandbox_faults(&url, r#"{"fail_after_commit": 1}"#).await;
    let r = refund(&boss, &number, &k, &[]).await;
    assert_eq!(r.status, 409, "{}", r.text());
    assert_eq!(provider_refunded(&app, &number).await, 1_000);
    assert_eq!(money(&app, &number).await.4, 0, "not recorded as given yet");
    for _ in 0..2 {
        let r = refund(&boss, &number, &k, &[]).await;
        assert_eq!(r.status, 200, "{}", r.text());
    }
    assert_eq!(provider_refunded(&app, &number).await, 1_000, "once");
    assert_eq!(money(&app, &number).await.4, 1_000);
    assert_eq!(order_status(&app, &number).await, "partially_refunded");
}

#[tokio::test]
async fn a_paid_order_not_yet_packed_is_cancelled_with_its_stock_and_money_back() {
    let (app, _url, _sandbox) = shop_with_own_sandbox().await;
    let boss = admin(&app, "boss@example.com").await;
    let clerk = staff_member(&app, "clerk@example.com", &["Customer service"]).await;
    let before = stock(&app, LAPTOP_13).await;
    let number = buy(&app, "2").await;
    assert_eq!(stock(&app, LAPTOP_13).await.2, before.2 + 2);

    // Customer service may cancel, but a paid order's money needs `refunds`.
    let page = order_json(&clerk, &number).await;
    assert_eq!(page["offers"]["cancel"], false);
    let k = page["offers"]["keys"]["cancel"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = clerk
        .call(
            "/api/admin/orders/cancel",
            &[
                ("number", &number),
                ("key", &k),
                ("reason", "customer asked"),
            ],
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.text());
    assert_eq!(order_status(&app, &number).await, "confirmed");

    let page = order_json(&boss, &number).await;
    assert_eq!(page["offers"]["cancel"], true);
    let k = page["offers"]["keys"]["cancel"]
        .as_str()
        .unwrap()
        .to_owned();
    let answers = all_at_once((0..3).map(|_| {
        let (b, n, k) = (boss.clone(), number.clone(), k.clone());
        async move {
            b.call(
                "/api/admin/orders/cancel",
                &[("number", &n), ("key", &k), ("reason", "customer asked")],
            )
            .await
            .status
        }
    }))
    .await;
    assert!(answers.iter().all(|s| *s == 200), "{answers:?}");
    assert_eq!(order_status(&app, &number).await, "cancelled");
    assert_eq!(
        stock(&app, LAPTOP_13).await,
        before,
        "nothing sold any more"
    );
    let (total, _, captured, refunded, given) = money(&app, &number).await;
    assert_eq!((captured, refunded, given), (total, total, total));
    assert_eq!(provider_refunded(&app, &number).await, total);
    assert!(
        crate::helpers::last_email(&app, "shopper@example.com", "cancelled and refunded")
            .await
            .is_some()
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM audit_log WHERE action = 'order.cancel'"
        )
        .await,
        1
    );
    // The fulfilment worker finds nothing to pack.
    let carrier = app::fulfilment::ssr::Carrier::new(
        "http://127.0.0.1:1",
        "none",
        std::time::Duration::from_millis(200),
    )
    .unwrap();
    let round = app::fulfilment::ssr::run_once(&app.state.fulfilment(carrier))
        .await
        .unwrap();
    assert_eq!(round.allocated, 0);
    assert_eq!(count(&app, "SELECT count(*) FROM shipments").await, 0);

    // A delivered order is not cancelled (it is refunded).
    let delivered = buy(&app, "1").await;
    deliver(&app, &delivered).await;
    let k = order_json(&boss, &delivered).await["offers"]["keys"]["cancel"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = boss
        .call(
            "/api/admin/orders/cancel",
            &[("number", &delivered), ("key", &k), ("reason", "late")],
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.text());
    assert!(r.text().contains("refund it instead"), "{}", r.text());
}

#[tokio::test]
async fn hostile_input_to_order_operations_is_refused_and_changes_nothing() {
    let (app, _url, _sandbox) = shop_with_own_sandbox().await;
    let boss = admin(&app, "boss@example.com").await;
    let number = buy(&app, "1").await;
    let other = buy(&app, "1").await;
    deliver(&app, &number).await;
    deliver(&app, &other).await;
    let page = order_json(&boss, &number).await;
    let k = page["offers"]["keys"]["refund"]
        .as_str()
        .unwrap()
        .to_owned();
    let snapshot = |app: &TestApp| {
        let pool = app.pool.clone();
        async move {
            sqlx::query_scalar::<_, String>(
                "SELECT concat_ws('|', (SELECT count(*) FROM refunds), (SELECT count(*) FROM audit_log),
                        (SELECT string_agg(status::text, ',' ORDER BY id) FROM orders),
                        (SELECT sum(refunded_minor) FROM payments), (SELECT count(*) FROM stock_movements))",
            )
            .fetch_one(&pool)
            .await
            .unwrap()
        }
    };
    let before = snapshot(&app).await;
    let long = "x".repeat(600);
    for (fields, status, why) in [
        (vec![("units[]", "0:2")], 400, "more units than bought"),
        (vec![("units[]", "9:1")], 400, "no such line"),
        (vec![("units[]", "0:-1")], 400, "negative units"),
        (vec![("units[]", "0:one")], 400, "not a number"),
        (
            vec![("units[]", "0:1"), ("units[]", "0:1")],
            400,
            "a line twice",
        ),
        (vec![("amount", "abc")], 400, "not an amount"),
        (vec![("amount", "-5")], 400, "a negative amount"),
        (vec![("amount", "99999999.00")], 400, "more than was paid"),
        (
            vec![("units[]", "0:1"), ("restock", "<script>")],
            400,
            "no such warehouse",
        ),
        (
            vec![("units[]", "0:1"), ("reason", long.as_str())],
            400,
            "a reason too long",
        ),
        (vec![], 400, "nothing asked"),
    ] {
        let r = refund(&boss, &number, &k, &fields).await;
        assert_eq!(r.status, status, "{why}: {}", r.text());
        assert_eq!(snapshot(&app).await, before, "{why} changed something");
    }
    for (number, key, status, why) in [
        (
            "NOT-AN-ORDER",
            k.as_str(),
            404,
            "an order that does not exist",
        ),
        (
            "'; DROP TABLE orders; --",
            k.as_str(),
            400,
            "markup for a number",
        ),
        (number.as_str(), "short", 400, "a key that is no key"),
    ] {
        let r = refund(&boss, number, key, &[("units[]", "0:1")]).await;
        assert_eq!(r.status, status, "{why}: {}", r.text());
        assert_eq!(snapshot(&app).await, before, "{why} changed something");
    }
    // A key spent on one order is not taken for another.
    let r = refund(&boss, &number, &k, &[("amount", "1.00")]).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = refund(&boss, &other, &k, &[("amount", "1.00")]).await;
    assert_eq!(r.status, 400, "{}", r.text());
    assert_eq!(provider_refunded(&app, &other).await, 0);

    // A note with markup is text on the order page; the same note form twice is one note.
    let nk = order_json(&boss, &number).await["offers"]["keys"]["note"]
        .as_str()
        .unwrap()
        .to_owned();
    for _ in 0..2 {
        let r = boss
            .call(
                "/api/admin/orders/note",
                &[
                    ("number", &number),
                    ("key", &nk),
                    ("note", "<script>alert('note')</script> called back"),
                ],
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
    }
    assert_eq!(count(&app, "SELECT count(*) FROM order_notes").await, 1);
    let html = boss.get(&format!("/admin/orders/{number}")).await.text();
    assert!(
        html.contains("&lt;script&gt;alert(&#39;note&#39;)&lt;/script&gt; called back")
            || html.contains("&lt;script&gt;alert('note')&lt;/script&gt; called back"),
        "the note escaped on the page"
    );
    assert!(!html.contains("<script>alert('note')"));
    let r = boss
        .call(
            "/api/admin/orders/note",
            &[
                ("number", &number),
                ("key", &crate::checkout::key()),
                ("note", "  "),
            ],
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text());

    // The packing slip lists what goes in the parcel and where it goes.
    let slip = boss
        .get(&format!("/admin/orders/{number}/packing-slip"))
        .await;
    assert_eq!(slip.status, 200);
    assert!(slip.text().contains(LAPTOP_13) && slip.text().contains("LS1 1AA"));
    // Resending the e-mail twice from one form sends one.
    let rk = order_json(&boss, &number).await["offers"]["keys"]["resend"]
        .as_str()
        .unwrap()
        .to_owned();
    let mails = count(&app, "SELECT count(*) FROM emails").await;
    for _ in 0..2 {
        let r = boss
            .call(
                "/api/admin/orders/resend-email",
                &[("number", &number), ("key", &rk)],
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
    }
    assert_eq!(count(&app, "SELECT count(*) FROM emails").await, mails + 1);
}

/// Packs a confirmed order (the fulfilment worker's allocation, without its carrier):
/// its packed parcel's id.
pub(crate) async fn pack(app: &TestApp, number: &str) -> i64 {
    let nowhere = app::fulfilment::ssr::Carrier::new(
        "http://127.0.0.1:1",
        "unused",
        std::time::Duration::from_secs(1),
    )
    .unwrap();
    app::fulfilment::ssr::allocate(&app.state.fulfilment(nowhere))
        .await
        .unwrap();
    sqlx::query_scalar(
        "SELECT s.id FROM shipments s JOIN orders o ON o.id = s.order_id
          WHERE o.number = $1 AND s.status = 'packed'",
    )
    .bind(number)
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn a_parcel_ships_by_hand_in_parts_with_tracking_and_is_marked_delivered() {
    let (app, _sandbox, _stop) = shop_with_own_sandbox().await;
    let boss = admin(&app, "boss@example.com").await;
    let number = buy(&app, "3").await;
    let other = buy(&app, "1").await;
    let parcel = pack(&app, &number).await;
    let before = stock(&app, "L2201308").await;
    assert_eq!(order_status(&app, &number).await, "fulfilment");
    let offered = order_json(&boss, &number).await;
    let to_ship = &offered["offers"]["to_ship"];
    assert_eq!(to_ship[0]["id"], parcel, "{offered}");
    let variant = to_ship[0]["lines"][0]["variant_id"].as_i64().unwrap();
    assert_eq!(to_ship[0]["lines"][0]["quantity"], 3);
    let page = boss.get(&format!("/admin/orders/{number}")).await.text();
    assert!(
        page.contains("Ship parcel 1 by hand"),
        "the form is on the order's page"
    );
    let ship = |key: String, units: String, tracking: &'static str| {
        let boss = boss.clone();
        let number = number.clone();
        async move {
            boss.call(
                "/api/admin/orders/ship",
                &[
                    ("number", number.as_str()),
                    ("key", key.as_str()),
                    ("parcel", &parcel.to_string()),
                    ("units[]", units.as_str()),
                    ("carrier", "Royal  Mail"),
                    ("tracking", tracking),
                ],
            )
            .await
        }
    };
    // Hostile or wrong: nothing moves.
    for (units, tracking, status) in [
        (format!("{variant}:4"), "RM000000001GB", 400),
        (format!("{variant}:-1"), "RM000000001GB", 400),
        (format!("{}:1", variant + 1), "RM000000001GB", 400),
        (format!("{variant}:0"), "RM000000001GB", 400),
        (format!("{variant}:1"), "<script>x</script>", 400),
        (format!("{variant}:1"), "", 400),
    ] {
        let r = ship(key(), units.clone(), tracking).await;
        assert_eq!(r.status, status, "{units} {tracking}: {}", r.text());
    }
    let r = boss
        .call(
            "/api/admin/orders/ship",
            &[
                ("number", other.as_str()),
                ("key", &key()),
                ("parcel", &parcel.to_string()),
                ("units[]", &format!("{variant}:1")),
                ("carrier", "Royal Mail"),
                ("tracking", "RM000000002GB"),
            ],
        )
        .await;
    assert_eq!(r.status, 409, "another order's parcel: {}", r.text());
    assert_eq!(stock(&app, "L2201308").await, before);

    // One unit now, twice sent: one parcel.
    let first = key();
    for _ in 0..2 {
        let r = ship(first.clone(), format!("{variant}:1"), "RM000000001GB").await;
        assert_eq!(r.status, 200, "{}", r.text());
    }
    type Parcel = (String, bool, Option<String>, Option<String>, i32);
    let parcels: Vec<Parcel> = sqlx::query_as(
        "SELECT s.status::text, s.manual, s.carrier, s.tracking_number, l.quantity
           FROM shipments s JOIN orders o ON o.id = s.order_id JOIN shipment_lines l ON l.shipment_id = s.id
          WHERE o.number = $1 ORDER BY s.id",
    )
    .bind(&number)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        parcels,
        vec![
            ("packed".into(), false, None, None, 2),
            (
                "shipped".into(),
                true,
                Some("Royal Mail".into()),
                Some("RM000000001GB".into()),
                1
            ),
        ]
    );
    let on_hand: i32 = sqlx::query_scalar(
        "SELECT sum(on_hand)::int FROM stock_levels l JOIN variants v ON v.id = l.variant_id WHERE v.sku = 'L2201308'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(order_status(&app, &number).await, "fulfilment");
    // A tracking number is one parcel's.
    let r = ship(key(), format!("{variant}:2"), "RM000000001GB").await;
    assert_eq!(r.status, 409, "{}", r.text());
    // The rest: the order has left, and the customer hears of it.
    let r = ship(key(), format!("{variant}:2"), "RM000000003GB").await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(order_status(&app, &number).await, "shipped");
    let email: String = sqlx::query_scalar("SELECT email FROM orders WHERE number = $1")
        .bind(&number)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let (_, body) = crate::helpers::last_email(&app, &email, "has shipped")
        .await
        .expect("the shipping e-mail");
    assert!(
        body.contains("RM000000001GB") && body.contains("RM000000003GB"),
        "{body}"
    );
    let left: i32 = sqlx::query_scalar(
        "SELECT sum(on_hand)::int FROM stock_levels l JOIN variants v ON v.id = l.variant_id WHERE v.sku = 'L2201308'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(left, on_hand - 2, "stock leaves with the parcel");

    // Delivered, one parcel at a time.
    let manual: Vec<i64> = sqlx::query_scalar(
        "SELECT s.id FROM shipments s JOIN orders o ON o.id = s.order_id WHERE o.number = $1 ORDER BY s.id",
    )
    .bind(&number)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        order_json(&boss, &number).await["offers"]["to_deliver"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let page = boss.get(&format!("/admin/orders/{number}")).await.text();
    assert!(
        page.contains("Mark parcel RM000000001GB delivered"),
        "{page}"
    );
    for (i, id) in manual.iter().enumerate() {
        let r = boss
            .call(
                "/api/admin/orders/delivered",
                &[
                    ("number", number.as_str()),
                    ("key", &key()),
                    ("parcel", &id.to_string()),
                ],
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
        let expected = if i == 0 { "shipped" } else { "delivered" };
        assert_eq!(order_status(&app, &number).await, expected);
    }
    let r = boss
        .call(
            "/api/admin/orders/delivered",
            &[
                ("number", number.as_str()),
                ("key", &key()),
                ("parcel", &manual[0].to_string()),
            ],
        )
        .await;
    assert_eq!(r.status, 404, "delivered already: {}", r.text());
    let audited: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_log WHERE action IN ('orders.ship', 'orders.delivered') ORDER BY id",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        audited,
        [
            "orders.ship",
            "orders.ship",
            "orders.delivered",
            "orders.delivered"
        ]
    );
}
