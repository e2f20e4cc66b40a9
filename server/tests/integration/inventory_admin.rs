//! Inventory in the admin: regions and warehouses made and changed, receipts, counts
//! with a reason and transfers as ledger movements (once per form, audited), what would
//! oversell refused, two transfers at once that never take more than is there, and
//! hostile text kept as text.

use crate::admin::admin;
use crate::checkout::{LAPTOP_13, add, key, place, stock};
use crate::helpers::{Browser, Response, TestApp, all_at_once, spawn_shop};
use app::payments::wire::test_cards;

async fn post(b: &Browser, path: &str, fields: &[(&str, &str)]) -> Response {
    b.call(&format!("/api/admin/inventory/{path}"), fields)
        .await
}

/// (on hand, reserved, sold) of the laptop at `warehouse`.
async fn at(app: &TestApp, warehouse: &str) -> (i32, i32, i32) {
    sqlx::query_as(
        "SELECT coalesce(l.on_hand, 0), coalesce(l.reserved, 0), coalesce(l.sold, 0)
           FROM variants v CROSS JOIN warehouses w
           LEFT JOIN stock_levels l ON l.variant_id = v.id AND l.warehouse_id = w.id
          WHERE v.sku = $1 AND w.code = $2",
    )
    .bind(LAPTOP_13)
    .bind(warehouse)
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(&app.pool).await.unwrap()
}

#[tokio::test]
async fn stock_moves_as_ledger_movements_once_per_form_and_never_oversells() {
    let app = spawn_shop().await;
    let boss = admin(&app, "boss@example.com").await;
    // A region and a second warehouse, through the admin.
    let r = post(
        &boss,
        "region",
        &[
            ("key", &key()),
            ("code", "alps"),
            ("name", "The Alps"),
            ("countries", "fr, de, FR"),
        ],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let countries: Vec<String> =
        sqlx::query_scalar("SELECT countries FROM regions WHERE code = 'ALPS'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(countries, ["FR", "DE"]);
    let r = post(
        &boss,
        "warehouse",
        &[
            ("key", &key()),
            ("code", "paris-1"),
            ("name", "Paris"),
            ("region", "ALPS"),
            ("priority", "10"),
            ("active", "true"),
        ],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let (main_on_hand, ..) = at(&app, "main").await;

    // Received once, however often the form is sent.
    let k = key();
    for _ in 0..2 {
        let r = post(
            &boss,
            "receive",
            &[
                ("key", &k),
                ("sku", LAPTOP_13),
                ("warehouse", "main"),
                ("quantity", "5"),
                ("note", "PO-7"),
            ],
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.text());
    }
    assert_eq!(at(&app, "main").await.0, main_on_hand + 5);

    // A sale holds one unit there: a count below it is refused.
    let shopper = Browser::new(&app);
    add(&shopper, LAPTOP_13, "1").await;
    assert_eq!(
        place(&shopper, &key(), test_cards::SUCCESS).await.status,
        200
    );
    let (on_hand, _, sold) = at(&app, "main").await;
    assert_eq!(sold, 1);
    let r = post(
        &boss,
        "adjust",
        &[
            ("key", &key()),
            ("sku", LAPTOP_13),
            ("warehouse", "main"),
            ("counted", "0"),
            ("reason", "flood"),
        ],
    )
    .await;
    assert_eq!(r.status, 409, "{}", r.text());
    let r = post(
        &boss,
        "adjust",
        &[
            ("key", &key()),
            ("sku", LAPTOP_13),
            ("warehouse", "main"),
            ("counted", "10"),
            ("reason", ""),
        ],
    )
    .await;
    assert_eq!(r.status, 400, "a count needs its reason: {}", r.text());
    let r = post(
        &boss,
        "adjust",
        &[
            ("key", &key()),
            ("sku", LAPTOP_13),
            ("warehouse", "main"),
            ("counted", &(on_hand - 2).to_string()),
            ("reason", "two dropped"),
        ],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(at(&app, "main").await.0, on_hand - 2);

    // Two transfers of everything available at once: one of them, and never below zero.
    let available = {
        let (h, r, s) = at(&app, "main").await;
        h - r - s
    };
    let answers = all_at_once((0..2).map(|_| {
        let b = boss.clone();
        let n = available.to_string();
        async move {
            post(
                &b,
                "transfer",
                &[
                    ("key", &key()),
                    ("sku", LAPTOP_13),
                    ("from", "main"),
                    ("to", "paris-1"),
                    ("quantity", &n),
                ],
            )
            .await
            .status
        }
    }))
    .await;
    let mut sorted = answers.clone();
    sorted.sort();
    assert_eq!(sorted, [200, 409], "{answers:?}");
    let (h, r, s) = at(&app, "main").await;
    assert_eq!(h - r - s, 0);
    assert_eq!(at(&app, "paris-1").await.0, available);
    assert_eq!(stock(&app, LAPTOP_13).await.0, i64::from(h + available));

    // The ledger explains every unit, and every change is audited.
    let ledger: i64 = sqlx::query_scalar(
        "SELECT sum(on_hand_delta)::bigint FROM stock_movements m JOIN variants v ON v.id = m.variant_id
          WHERE v.sku = $1",
    )
    .bind(LAPTOP_13)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(ledger, stock(&app, LAPTOP_13).await.0);
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM stock_movements WHERE kind = 'transfer'"
        )
        .await,
        2
    );
    let actions: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_log WHERE entity IN ('variant', 'warehouse', 'region') ORDER BY id",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        actions,
        [
            "region.create",
            "warehouse.create",
            "stock.receive",
            "stock.adjust",
            "stock.transfer"
        ]
    );
    let r = boss
        .get(&format!("/api/admin/inventory?sku={LAPTOP_13}"))
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let board = r.json();
    assert!(
        board["variant"]["movements"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["note"] == "two dropped" && m["kind"] == "Adjustment")
    );
}

#[tokio::test]
async fn bad_and_hostile_inventory_input_is_refused_or_kept_as_text() {
    let app = spawn_shop().await;
    let boss = admin(&app, "boss@example.com").await;
    let snapshot = || async {
        sqlx::query_scalar::<_, String>(
            "SELECT concat_ws('|', (SELECT string_agg(concat_ws(',', variant_id, warehouse_id, on_hand), ';' ORDER BY variant_id, warehouse_id) FROM stock_levels),
                    (SELECT count(*) FROM stock_movements), (SELECT count(*) FROM warehouses),
                    (SELECT string_agg(concat_ws(',', code, name, countries::text), ';') FROM regions),
                    (SELECT count(*) FROM audit_log))",
        )
        .fetch_one(&app.pool)
        .await
        .unwrap()
    };
    let before = snapshot().await;
    let k = key();
    for (path, fields, why) in [
        (
            "receive",
            vec![("sku", LAPTOP_13), ("warehouse", "main"), ("quantity", "0")],
            "nothing received",
        ),
        (
            "receive",
            vec![
                ("sku", LAPTOP_13),
                ("warehouse", "main"),
                ("quantity", "-5"),
            ],
            "negative",
        ),
        (
            "receive",
            vec![
                ("sku", LAPTOP_13),
                ("warehouse", "main"),
                ("quantity", "lots"),
            ],
            "not a number",
        ),
        (
            "receive",
            vec![("sku", "NOPE"), ("warehouse", "main"), ("quantity", "1")],
            "no such SKU",
        ),
        (
            "receive",
            vec![
                ("sku", LAPTOP_13),
                ("warehouse", "'; DROP TABLE x"),
                ("quantity", "1"),
            ],
            "no such warehouse",
        ),
        (
            "transfer",
            vec![
                ("sku", LAPTOP_13),
                ("from", "main"),
                ("to", "main"),
                ("quantity", "1"),
            ],
            "to itself",
        ),
        (
            "threshold",
            vec![("sku", LAPTOP_13), ("low_stock_at", "-1")],
            "a negative level",
        ),
        (
            "region",
            vec![("code", "EU"), ("name", "Europe"), ("countries", "France")],
            "not a country code",
        ),
        (
            "region",
            vec![("code", "e"), ("name", "Europe"), ("countries", "")],
            "a bad region code",
        ),
        (
            "warehouse",
            vec![
                ("code", "Paris 1"),
                ("name", "Paris"),
                ("region", "DEFAULT"),
                ("priority", "1"),
            ],
            "a bad code",
        ),
        (
            "warehouse",
            vec![
                ("code", "paris"),
                ("name", "Paris"),
                ("region", "MARS"),
                ("priority", "1"),
            ],
            "no such region",
        ),
    ] {
        let mut all = vec![("key", k.as_str())];
        all.extend(fields);
        let r = post(&boss, path, &all).await;
        assert_eq!(r.status, 400, "{why}: {}", r.text());
        assert_eq!(snapshot().await, before, "{why} changed something");
    }
    let r = post(
        &boss,
        "receive",
        &[
            ("key", "x"),
            ("sku", LAPTOP_13),
            ("warehouse", "main"),
            ("quantity", "1"),
        ],
    )
    .await;
    assert_eq!(r.status, 400, "no key: {}", r.text());

    // Markup in names and notes is text on the page.
    let hostile = "<script>alert('w')</script>";
    let r = post(
        &boss,
        "warehouse",
        &[
            ("key", &key()),
            ("code", "odd"),
            ("name", hostile),
            ("region", "DEFAULT"),
            ("priority", "5"),
        ],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = post(
        &boss,
        "receive",
        &[
            ("key", &key()),
            ("sku", LAPTOP_13),
            ("warehouse", "odd"),
            ("quantity", "1"),
            ("note", hostile),
        ],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let html = boss
        .get(&format!("/admin/inventory?sku={LAPTOP_13}"))
        .await
        .text();
    assert!(!html.contains("<script>alert('w')"));
    assert!(html.contains("&lt;script&gt;alert("));
}
