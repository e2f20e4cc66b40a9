//! The order history import (as the background job worker runs it) and the dashboard
//! that reads it: orders in their real past states with transitions at their real
//! times and no worker woken, refunds on the right orders, a second run that writes
//! nothing, and figures on the dashboard that match the database.

use crate::admin::admin;
use crate::helpers::{Browser, spawn_shop};
use std::time::Duration;

const HEADER: &str =
    "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n";

/// Imports the fixture's orders directly (no job), for tests that need some.
pub async fn import_fixture(app: &crate::helpers::TestApp) {
    let path = fixture();
    server::import::history::import_file(
        &app.pool,
        &server::import::images::ImageStore::new(
            &std::env::temp_dir().join("mercato-fixture-media"),
        ),
        &path,
        server::import::history::HistoryOptions {
            shift_to_now: true,
            ..Default::default()
        },
        &|_, _, _| {},
    )
    .await
    .expect("the fixture imports");
    let _ = std::fs::remove_file(path);
}

/// Three sales (two by one customer, one by a guest), a return, and what is not a sale.
fn fixture() -> std::path::PathBuf {
    let rows = "\
536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2011-08-01 08:26:00,2.55,17850,United Kingdom\n\
536365,71053,WHITE METAL LANTERN,6,2011-08-01 08:26:00,3.39,17850,United Kingdom\n\
536365,POST,POSTAGE,1,2011-08-01 08:26:00,18.00,17850,United Kingdom\n\
536366,22633,<SCRIPT>ALERT(1)</SCRIPT> HAND WARMER,10,2011-09-20 09:00:00,1.85,,France\n\
536367,85123A,WHITE HANGING HEART T-LIGHT HOLDER,2,2011-09-29 12:00:00,2.55,17850,United Kingdom\n\
C536368,85123A,WHITE HANGING HEART T-LIGHT HOLDER,-4,2011-09-30 10:00:00,2.55,17850,United Kingdom\n\
536369,M,Manual,1,2011-09-30 11:00:00,5.00,17850,United Kingdom\n\
536370,22752,SET 7 BABUSHKA NESTING BOXES,2,2011-09-30 11:00:00,0.00,17850,United Kingdom\n";
    let path = std::env::temp_dir().join(format!(
        "mercato-history-{}-{}.csv",
        std::process::id(),
        rand_suffix()
    ));
    std::fs::write(&path, format!("{HEADER}{rows}")).unwrap();
    path
}

fn rand_suffix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
}

/// Queues the import as the first start does and lets the shop's job worker run it.
async fn run_job(app: &crate::helpers::TestApp, path: &std::path::Path) -> serde_json::Value {
    let mut tx = app.pool.begin().await.unwrap();
    let id = app::jobs::ssr::enqueue(
        &mut tx,
        app::jobs::model::HISTORY_IMPORT,
        &serde_json::json!({"path": path, "shift_to_now": true}),
        None,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let media = std::env::temp_dir().join(format!("mercato-history-media-{}", rand_suffix()));
    let worker = tokio::spawn(server::jobs::work(
        app.pool.clone(),
        server::import::images::ImageStore::new(&media),
        app::money::Currency::USD,
        stopped,
    ));
    let mut row = (String::new(), None::<serde_json::Value>, None::<String>);
    for _ in 0..600 {
        row = sqlx::query_as("SELECT status::text, report, error FROM jobs WHERE id = $1")
            .bind(id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
        if row.0 == "done" || row.0 == "failed" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = stop.send(true);
    let _ = worker.await;
    assert_eq!(row.0, "done", "job error: {:?}", row.2);
    row.1.expect("a report")
}

#[tokio::test]
async fn the_history_becomes_orders_in_their_past_states_once_and_the_dashboard_counts_them() {
    let app = spawn_shop().await;
    let path = fixture();
    let outbox_before: i64 =
        sqlx::query_scalar("SELECT count(*) FROM outbox WHERE topic LIKE 'order.%'")
            .fetch_one(&app.pool)
            .await
            .unwrap();

    let report = run_job(&app, &path).await;
    assert_eq!(report["orders"], 3, "{report}");
    // Past orders wake no worker: the recommendations worker sees the import done and
    // learns every confirmed order at once, then not again.
    let round = app::reco::ssr::run_once(&app.pool, std::time::Duration::from_secs(300))
        .await
        .unwrap();
    assert!(round.rebuilt && round.fitted, "{round:?}");
    let folded: i64 = sqlx::query_scalar("SELECT count(*) FROM reco_folded")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(folded >= 1, "the imported orders were learned");
    let again = app::reco::ssr::run_once(&app.pool, std::time::Duration::from_secs(300))
        .await
        .unwrap();
    assert!(!again.rebuilt, "{again:?}");
    assert_eq!(
        report["refunds"], 2,
        "one for each order the return reached: {report}"
    );
    assert_eq!(report["customers"], 1, "{report}");
    let reasons: Vec<String> = report["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| format!("{}: {}", s["line"], s["reason"].as_str().unwrap()))
        .collect();
    assert_eq!(reasons.len(), 2, "{reasons:?}");
    assert!(
        reasons[0].starts_with("8: ") && reasons[0].contains("`M`"),
        "{reasons:?}"
    );
    assert!(
        reasons[1].starts_with("9: ") && reasons[1].contains("zero price"),
        "{reasons:?}"
    );

    // Orders with their real totals, in the states they reached; the first has postage.
    let orders: Vec<(String, String, i64, i64, String, Option<i64>)> = sqlx::query_as(
        "SELECT o.number, o.status::text, o.total_minor, o.shipping_minor, o.region, o.user_id
           FROM orders o WHERE o.number LIKE 'OR-%' ORDER BY o.created_at",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(orders.len(), 3);
    assert_eq!(orders[0].0, "OR-536365");
    assert_eq!(orders[0].2, 6 * 255 + 6 * 339 + 1800);
    assert_eq!(orders[0].3, 1800);
    assert_eq!(
        orders[0].4, "UK",
        "United Kingdom orders are the UK region's"
    );
    assert_eq!(orders[1].4, "EU");
    assert_eq!(orders[1].5, None, "a guest's order has no account");
    // The return of four hearts: two from the latest order (all it had), two from the
    // first, each order refunded in part once delivered.
    let refunds: Vec<(String, i64)> = sqlx::query_as(
        "SELECT o.number, f.amount_minor FROM refunds f JOIN orders o ON o.id = f.order_id ORDER BY o.number",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        refunds,
        vec![("OR-536365".into(), 2 * 255), ("OR-536367".into(), 2 * 255)]
    );

    // Transitions at the invoice's time (shifted by whole weeks), in the machine's order.
    let steps: Vec<(
        String,
        chrono::DateTime<chrono::Utc>,
        chrono::DateTime<chrono::Utc>,
    )> = sqlx::query_as(
        "SELECT t.to_status::text, t.at, o.created_at FROM order_transitions t
               JOIN orders o ON o.id = t.order_id WHERE o.number = 'OR-536365' ORDER BY t.at, t.id",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    let names: Vec<&str> = steps.iter().map(|s| s.0.as_str()).collect();
    assert_eq!(
        names,
        [
            "pending",
            "payment_processing",
            "confirmed",
            "fulfilment",
            "shipped",
            "delivered",
            "partially_refunded"
        ]
    );
    assert_eq!(
        steps[0].1, steps[0].2,
        "placed when the invoice was written"
    );
    assert_eq!(
        chrono::Datelike::weekday(&steps[0].1),
        chrono::Weekday::Mon,
        "2011-08-01 was a Monday"
    );
    let payment: (String, i64, i64) = sqlx::query_as(
        "SELECT p.status, p.captured_minor, p.refunded_minor FROM payments p
           JOIN orders o ON o.id = p.order_id WHERE o.number = 'OR-536365'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(payment, ("partially_refunded".into(), orders[0].2, 510));
    // Nothing was woken for orders of the past: no order events in the outbox.
    let outbox_after: i64 =
        sqlx::query_scalar("SELECT count(*) FROM outbox WHERE topic LIKE 'order.%'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(outbox_after, outbox_before);
    // The history's customers cannot sign in.
    let r = Browser::new(&app)
        .call(
            "/api/account/sign-in",
            &[
                ("email", "customer-17850@online-retail.invalid"),
                ("password", "correct horse battery"),
            ],
        )
        .await;
    assert!(r.status >= 400, "{}", r.text());

    // A second run writes nothing twice.
    let again = run_job(&app, &path).await;
    assert_eq!(again["orders"], 0, "{again}");
    assert_eq!(again["orders_already_there"], 3, "{again}");
    assert_eq!(again["refunds"], 0, "{again}");
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM refunds")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(count, 2);

    // The dashboard's figures are the database's.
    let boss = admin(&app, "boss@example.com").await;
    let d = boss
        .get("/api/admin/dashboard?period=12m&currency=GBP")
        .await
        .json();
    let revenue: i64 = orders.iter().map(|o| o.2).sum();
    let metric = |name: &str| {
        d["metrics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["label"] == name)
            .unwrap_or_else(|| panic!("no {name} in {d}"))["current"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(
        metric("Revenue"),
        app::money::Money::from_minor(revenue, app::money::Currency::GBP).to_string()
    );
    assert_eq!(metric("Orders"), "3");
    assert_eq!(metric("Units sold"), (6 + 6 + 10 + 2).to_string());
    assert_eq!(metric("New customers"), "2", "one account and one guest");
    assert_eq!(metric("Returning customers"), "0");
    assert_eq!(
        metric("Refunds"),
        app::money::Money::from_minor(1020, app::money::Currency::GBP).to_string()
    );
    let charted: i64 = d["revenue"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["current"].as_i64().unwrap())
        .sum();
    assert_eq!(charted, revenue, "the chart's slots add up to the period");
    assert!(d["currencies"].as_array().unwrap().contains(&"GBP".into()));

    // The page: charts as SVG with titles, the table beside, and a product's markup as text.
    let page = boss.get("/admin?period=12m&currency=GBP").await;
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(html.contains("role=\"img\""), "{html}");
    assert!(html.contains("Revenue, Last 12 months, against the 12 months before"));
    assert!(html.contains("as a table"));
    assert!(
        html.contains("&lt;Script&gt;Alert(1)&lt;/Script&gt; Hand Warmer"),
        "{html}"
    );
    assert!(!html.contains("<Script>"));
    let _ = std::fs::remove_file(path);
}

#[tokio::test]
async fn a_file_that_is_not_a_history_fails_the_job_and_writes_nothing() {
    let app = spawn_shop().await;
    let path = std::env::temp_dir().join(format!("mercato-not-history-{}.csv", rand_suffix()));
    std::fs::write(&path, "a,b,c\n1,2,3\n").unwrap();
    let mut tx = app.pool.begin().await.unwrap();
    let id = app::jobs::ssr::enqueue(
        &mut tx,
        app::jobs::model::HISTORY_IMPORT,
        &serde_json::json!({"path": path}),
        None,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let worker = tokio::spawn(server::jobs::work(
        app.pool.clone(),
        server::import::images::ImageStore::new(&std::env::temp_dir()),
        app::money::Currency::USD,
        stopped,
    ));
    let mut status = String::new();
    for _ in 0..300 {
        status = sqlx::query_scalar("SELECT status::text FROM jobs WHERE id = $1")
            .bind(id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
        if status == "failed" || status == "done" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = stop.send(true);
    let _ = worker.await;
    assert_eq!(status, "failed");
    let error: String = sqlx::query_scalar("SELECT error FROM jobs WHERE id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(error.contains("Online Retail columns"), "{error}");
    let orders: i64 = sqlx::query_scalar("SELECT count(*) FROM orders")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(orders, 0);
    let _ = std::fs::remove_file(path);
}

#[tokio::test]
async fn staff_find_orders_by_status_number_and_address_read_one_whole_and_export_them() {
    let app = spawn_shop().await;
    import_fixture(&app).await;
    let boss = admin(&app, "boss@example.com").await;

    let numbers = |v: serde_json::Value| -> Vec<String> {
        v["rows"]
            .as_array()
            .unwrap_or_else(|| panic!("{v}"))
            .iter()
            .map(|r| r["number"].as_str().unwrap().to_owned())
            .collect()
    };
    let all = boss.get("/api/admin/orders").await.json();
    assert_eq!(
        numbers(all),
        ["OR-536367", "OR-536366", "OR-536365"],
        "newest first"
    );
    let by_address = boss
        .get("/api/admin/orders?q=Customer-17850%40online-retail.invalid")
        .await
        .json();
    assert_eq!(numbers(by_address), ["OR-536367", "OR-536365"]);
    let by_number = boss.get("/api/admin/orders?q=or-536366").await.json();
    assert_eq!(numbers(by_number), ["OR-536366"]);
    let refunded = boss
        .get("/api/admin/orders?status=partially_refunded")
        .await
        .json();
    assert!(numbers(refunded).contains(&"OR-536365".to_owned()));
    let big = boss.get("/api/admin/orders?min_total=40").await.json();
    assert_eq!(numbers(big), ["OR-536365"], "only the first is over 40");
    for bad in [
        "status=lost",
        "from=yesterday",
        "min_total=lots",
        "after=nope",
    ] {
        let r = boss.get(&format!("/api/admin/orders?{bad}")).await;
        assert_eq!(r.status, 400, "{bad}: {}", r.text());
    }

    // One order whole: lines, payment, refund, and who did each step.
    let o = boss.get("/api/admin/order?number=OR-536365").await.json();
    assert_eq!(o["view"]["lines"].as_array().unwrap().len(), 2, "{o}");
    assert_eq!(o["payments"][0]["status"], "partially_refunded");
    assert_eq!(o["refunds"][0]["units"], 2);
    assert_eq!(o["steps"][0]["actor"], "import:online-retail");
    assert_eq!(o["customer"][1], "customer-17850@online-retail.invalid");
    assert_eq!(
        boss.get("/api/admin/order?number=M-NOSUCHORDER")
            .await
            .status,
        404
    );

    // The pages, with a product's markup as text.
    let list = boss.get("/admin/orders").await;
    assert_eq!(list.status, 200);
    assert!(list.text().contains("href=\"/admin/orders/OR-536366\""));
    let page = boss.get("/admin/orders/OR-536366").await;
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(
        html.contains("&lt;Script&gt;Alert(1)&lt;/Script&gt; Hand Warmer"),
        "{html}"
    );
    assert!(!html.contains("<Script>"));
    assert_eq!(boss.get("/admin/orders/M-NOSUCHORDER").await.status, 404);

    // The export: every matching order, a line each, and the export is in the log.
    let csv = boss.get("/api/admin/orders.csv?status=delivered").await;
    assert_eq!(csv.status, 200);
    let text = csv.text();
    let mut lines = text.lines();
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("number,placed_at,status,email")
    );
    let rows: Vec<&str> = lines.collect();
    assert!(rows.iter().all(|l| l.contains(",delivered,")), "{text}");
    let logged: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'orders.export'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(logged, 1);
}
