//! Inventory against real PostgreSQL: the never-oversold invariant under concurrency,
//! warehouse choice by region, holds that expire, sales, and a ledger that explains every
//! stock level.

use crate::helpers::seeded_database;
use app::inventory::model::{InventoryError, MovementKind, WantedLine};
use app::inventory::ssr as inventory;
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;
use std::time::Duration;

const TTL: Duration = Duration::from_secs(900);

async fn pool(connections: u32) -> PgPool {
    PgPoolOptions::new()
        .max_connections(connections)
        .connect(&seeded_database().await)
        .await
        .expect("connect")
}

async fn variant(pool: &PgPool, sku: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM variants WHERE sku = $1")
        .bind(sku)
        .fetch_one(pool)
        .await
        .expect("variant")
}

async fn main_warehouse(pool: &PgPool) -> i64 {
    let mut conn = pool.acquire().await.unwrap();
    inventory::warehouse_id(&mut conn, inventory::MAIN_WAREHOUSE)
        .await
        .unwrap()
}

/// A region and a warehouse in it (priority as given).
async fn warehouse(pool: &PgPool, code: &str, region: &str, priority: i32) -> i64 {
    sqlx::query("INSERT INTO regions (code, name) VALUES ($1, $1) ON CONFLICT DO NOTHING")
        .bind(region)
        .execute(pool)
        .await
        .unwrap();
    sqlx::query_scalar(
        "INSERT INTO warehouses (code, name, region, priority) VALUES ($1, $1, $2, $3) RETURNING id",
    )
    .bind(code)
    .bind(region)
    .bind(priority)
    .fetch_one(pool)
    .await
    .unwrap()
}

async fn count(pool: &PgPool, variant_id: i64, warehouse_id: i64, on_hand: i32) {
    let mut conn = pool.acquire().await.unwrap();
    inventory::set_on_hand(&mut conn, variant_id, warehouse_id, on_hand, "test")
        .await
        .unwrap();
}

/// (on_hand, reserved, sold) of one stock level.
async fn level(pool: &PgPool, variant_id: i64, warehouse_id: i64) -> (i32, i32, i32) {
    sqlx::query_as(
        "SELECT on_hand, reserved, sold FROM stock_levels WHERE variant_id = $1 AND warehouse_id = $2",
    )
    .bind(variant_id)
    .bind(warehouse_id)
    .fetch_one(pool)
    .await
    .unwrap()
}

async fn catalog_stock(pool: &PgPool, variant_id: i64) -> i32 {
    sqlx::query_scalar("SELECT stock_on_hand FROM variants WHERE id = $1")
        .bind(variant_id)
        .fetch_one(pool)
        .await
        .unwrap()
}

/// Every stock level equals the sums of its ledger, and the catalog's figure equals the
/// available units over all warehouses.
async fn assert_ledger_explains_everything(pool: &PgPool) {
    let unexplained: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM stock_levels s
           LEFT JOIN (SELECT variant_id, warehouse_id, sum(on_hand_delta) AS on_hand,
                             sum(reserved_delta) AS reserved, sum(sold_delta) AS sold
                        FROM stock_movements GROUP BY 1, 2) m USING (variant_id, warehouse_id)
          WHERE (s.on_hand, s.reserved, s.sold)
                IS DISTINCT FROM (coalesce(m.on_hand, 0)::int, coalesce(m.reserved, 0)::int,
                                  coalesce(m.sold, 0)::int)",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(unexplained, 0, "stock levels the ledger does not explain");
    let drifted: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM variants v
          WHERE v.stock_on_hand <> coalesce((SELECT sum(on_hand - reserved - sold)
                                               FROM stock_levels s WHERE s.variant_id = v.id), 0)",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(
        drifted, 0,
        "variants whose catalog stock is not the warehouses' sum"
    );
    let active: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM stock_levels s
          WHERE s.reserved <> coalesce((SELECT sum(quantity) FROM reservations r
                                         WHERE r.variant_id = s.variant_id
                                           AND r.warehouse_id = s.warehouse_id
                                           AND r.status = 'active'), 0)",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(active, 0, "reserved units without active holds behind them");
}

#[tokio::test]
async fn fifty_concurrent_checkouts_for_ten_units_hold_exactly_ten() {
    let pool = pool(24).await;
    let reservations = inventory::Reservations::new(pool.clone());
    let v = variant(&pool, "L2201308").await;
    let main = main_warehouse(&pool).await;
    count(&pool, v, main, 10).await;

    // Two server instances (each batches its own requests) against one database.
    let other = inventory::Reservations::new(pool.clone());
    let attempts: Vec<_> = (0..50)
        .map(|i| {
            let r = if i % 2 == 0 {
                reservations.clone()
            } else {
                other.clone()
            };
            tokio::spawn(async move {
                let wanted = [WantedLine {
                    variant_id: v,
                    quantity: 1,
                }];
                r.reserve(&format!("race-{i}"), &wanted, None, TTL)
                    .await
                    .map(|held| held.len())
            })
        })
        .collect();
    let mut won = 0;
    for attempt in attempts {
        match attempt.await.unwrap() {
            Ok(1) => won += 1,
            Ok(n) => panic!("one line held in {n} parts"),
            Err(InventoryError::Short { available, .. }) => assert_eq!(available, 0),
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(won, 10);
    assert_eq!(level(&pool, v, main).await, (10, 10, 0));
    assert_eq!(catalog_stock(&pool, v).await, 0);

    // The database itself refuses an oversell, whoever writes.
    let refused = sqlx::query(
        "UPDATE stock_levels SET reserved = reserved + 1 WHERE variant_id = $1 AND warehouse_id = $2",
    )
    .bind(v)
    .bind(main)
    .execute(&pool)
    .await
    .unwrap_err();
    assert!(
        refused.to_string().contains("stock_never_oversold"),
        "{refused}"
    );
    assert_ledger_explains_everything(&pool).await;
}

#[tokio::test]
async fn stock_comes_from_the_shoppers_region_first_and_splits_only_when_it_must() {
    let pool = pool(4).await;
    let reservations = inventory::Reservations::new(pool.clone());
    let v = variant(&pool, "L2201508").await;
    let eu = warehouse(&pool, "dublin", "EU", 10).await;
    let us = warehouse(&pool, "newark", "US", 20).await;
    count(&pool, v, eu, 3).await;
    count(&pool, v, us, 4).await;

    let line = |quantity| WantedLine {
        variant_id: v,
        quantity,
    };
    let held = reservations
        .reserve("us-shopper", &[line(2)], Some("US"), TTL)
        .await
        .unwrap();
    assert_eq!(held.len(), 1);
    assert_eq!(held[0].warehouse_id, us);

    let held = reservations
        .reserve("eu-shopper", &[line(1), line(1)], Some("EU"), TTL)
        .await
        .unwrap();
    assert_eq!(
        (held.len(), held[0].warehouse_id, held[0].quantity),
        (1, eu, 2),
        "the same variant twice is one hold"
    );

    // The seeded main warehouse still has its 100; a shopper wanting more than any one
    // warehouse has gets it from several.
    let main = main_warehouse(&pool).await;
    let available = 100 + 1 + 2;
    let held = reservations
        .reserve("big", &[line(available)], Some("EU"), TTL)
        .await
        .unwrap();
    let mut parts: Vec<(i64, i32)> = held.iter().map(|h| (h.warehouse_id, h.quantity)).collect();
    parts.sort();
    let mut expected = vec![(main, 100), (eu, 1), (us, 2)];
    expected.sort();
    assert_eq!(parts, expected);

    let err = reservations
        .reserve("late", &[line(1)], None, TTL)
        .await
        .unwrap_err();
    assert_eq!(
        err,
        InventoryError::Short {
            sku: "L2201508".into(),
            available: 0
        }
    );
    assert_eq!(err.to_string(), "only 0 of L2201508 left");
    assert_ledger_explains_everything(&pool).await;
}

#[tokio::test]
async fn a_checkout_is_held_all_or_nothing() {
    let pool = pool(4).await;
    let reservations = inventory::Reservations::new(pool.clone());
    let a = variant(&pool, "L2201308").await;
    let b = variant(&pool, "L2201508").await;
    let main = main_warehouse(&pool).await;
    count(&pool, b, main, 1).await;
    let before_a = level(&pool, a, main).await;

    let err = reservations
        .reserve(
            "both",
            &[
                WantedLine {
                    variant_id: a,
                    quantity: 2,
                },
                WantedLine {
                    variant_id: b,
                    quantity: 2,
                },
            ],
            None,
            TTL,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, InventoryError::Short { available: 1, .. }),
        "{err:?}"
    );
    assert_eq!(
        level(&pool, a, main).await,
        before_a,
        "nothing held of the other line"
    );
    for bad in [0, -3] {
        let err = reservations
            .reserve(
                "bad",
                &[WantedLine {
                    variant_id: a,
                    quantity: bad,
                }],
                None,
                TTL,
            )
            .await
            .unwrap_err();
        assert!(matches!(err, InventoryError::Invalid(_)), "{err:?}");
    }
    assert_ledger_explains_everything(&pool).await;
}

#[tokio::test]
async fn holds_expire_release_or_become_sales_and_shipments() {
    let pool = pool(4).await;
    let reservations = inventory::Reservations::new(pool.clone());
    let v = variant(&pool, "L2201308").await;
    let mut conn = pool.acquire().await.unwrap();
    let main = main_warehouse(&pool).await;
    count(&pool, v, main, 10).await;
    let line = |quantity| WantedLine {
        variant_id: v,
        quantity,
    };

    // Expiry: a hold past its time goes back on sale.
    reservations
        .reserve("quiet", &[line(3)], None, Duration::ZERO)
        .await
        .unwrap();
    assert_eq!(catalog_stock(&pool, v).await, 7);
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert_eq!(inventory::release_expired(&pool, 100).await.unwrap(), 1);
    assert_eq!(level(&pool, v, main).await, (10, 0, 0));
    assert_eq!(catalog_stock(&pool, v).await, 10);
    let status: String =
        sqlx::query_scalar("SELECT status::text FROM reservations WHERE holder = 'quiet'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(status, "released");

    // A sale needs every held unit still held; an expired hold sells nothing.
    reservations
        .reserve("slow", &[line(2)], None, Duration::ZERO)
        .await
        .unwrap();
    inventory::release_expired(&pool, 100).await.unwrap();
    let err = inventory::sell(&mut conn, "slow", 1, 2, "test")
        .await
        .unwrap_err();
    assert_eq!(err, InventoryError::NotHeld);
    assert_eq!(level(&pool, v, main).await, (10, 0, 0));

    // Extended holds survive the worker; selling moves them from reserved to sold.
    reservations
        .reserve("buyer", &[line(4)], None, Duration::ZERO)
        .await
        .unwrap();
    assert_eq!(inventory::extend(&pool, "buyer", TTL).await.unwrap(), 1);
    assert_eq!(inventory::release_expired(&pool, 100).await.unwrap(), 0);
    let sold = inventory::sell(&mut conn, "buyer", 42, 4, "test")
        .await
        .unwrap();
    assert_eq!(sold.len(), 1);
    assert_eq!(level(&pool, v, main).await, (10, 0, 4));
    assert_eq!(catalog_stock(&pool, v).await, 6);
    assert_eq!(
        inventory::release(&mut conn, "buyer", "test")
            .await
            .unwrap(),
        0,
        "sold units cannot be released"
    );

    // Shipping takes them out of the building; a return puts one back.
    inventory::ship(&mut conn, v, main, 4, 42, "test")
        .await
        .unwrap();
    assert_eq!(level(&pool, v, main).await, (6, 0, 0));
    assert!(
        inventory::ship(&mut conn, v, main, 1, 42, "test")
            .await
            .is_err()
    );
    inventory::receive(&mut conn, v, main, 1, MovementKind::Return, "test")
        .await
        .unwrap();
    assert_eq!(level(&pool, v, main).await, (7, 0, 0));

    // Releasing by hand (payment failed).
    reservations
        .reserve("declined", &[line(5)], None, TTL)
        .await
        .unwrap();
    assert_eq!(
        inventory::release(&mut conn, "declined", "test")
            .await
            .unwrap(),
        5
    );
    assert_eq!(level(&pool, v, main).await, (7, 0, 0));

    let kinds: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT kind::text FROM stock_movements WHERE variant_id = $1 ORDER BY 1",
    )
    .bind(v)
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        kinds,
        [
            "adjustment",
            "receipt",
            "release",
            "reservation",
            "return",
            "sale",
            "shipment"
        ]
    );
    assert_ledger_explains_everything(&pool).await;
}

#[tokio::test]
async fn a_stock_count_below_what_is_committed_is_refused_and_changes_nothing() {
    let pool = pool(4).await;
    let reservations = inventory::Reservations::new(pool.clone());
    let v = variant(&pool, "L2201308").await;
    let mut conn = pool.acquire().await.unwrap();
    let main = main_warehouse(&pool).await;
    reservations
        .reserve(
            "holder",
            &[WantedLine {
                variant_id: v,
                quantity: 6,
            }],
            None,
            TTL,
        )
        .await
        .unwrap();
    let err = inventory::set_on_hand(&mut conn, v, main, 5, "test")
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "L2201308 at main: 6 units are already reserved or sold"
    );
    let err = inventory::set_on_hand(&mut conn, v, main, -1, "test")
        .await
        .unwrap_err();
    assert!(matches!(err, InventoryError::Invalid(_)));
    assert_eq!(level(&pool, v, main).await, (100, 6, 0));
    assert!(
        inventory::set_on_hand(&mut conn, v, main, 6, "test")
            .await
            .unwrap()
    );
    assert!(
        !inventory::set_on_hand(&mut conn, v, main, 6, "test")
            .await
            .unwrap(),
        "the same count again changes nothing"
    );
    assert_eq!(level(&pool, v, main).await, (6, 6, 0));
    assert_ledger_explains_everything(&pool).await;
}

#[tokio::test]
async fn pages_hear_of_stock_only_when_what_they_show_changes() {
    let pool = pool(4).await;
    let reservations = inventory::Reservations::new(pool.clone());
    let v = variant(&pool, "L2201308").await;
    let product: i64 = sqlx::query_scalar("SELECT product_id FROM variants WHERE id = $1")
        .bind(v)
        .fetch_one(&pool)
        .await
        .unwrap();
    let version = || async {
        sqlx::query_scalar::<_, i32>("SELECT version FROM products WHERE id = $1")
            .bind(product)
            .fetch_one(&pool)
            .await
            .unwrap()
    };
    let history = || async {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM catalog_history WHERE product_id = $1")
            .bind(product)
            .fetch_one(&pool)
            .await
            .unwrap()
    };
    let (v0, h0) = (version().await, history().await);
    let line = |quantity| WantedLine {
        variant_id: v,
        quantity,
    };
    reservations
        .reserve("a", &[line(10)], None, TTL)
        .await
        .unwrap();
    assert_eq!(
        version().await,
        v0,
        "100 to 90 in stock: pages show the same"
    );
    reservations
        .reserve("b", &[line(87)], None, TTL)
        .await
        .unwrap();
    assert_eq!(version().await, v0 + 1, "3 left: the page says so");
    reservations
        .reserve("c", &[line(3)], None, TTL)
        .await
        .unwrap();
    assert_eq!(version().await, v0 + 2, "sold out");
    assert_eq!(history().await, h0, "holds are not catalog edits");
}
