//! CSV imports and exports as background jobs: a products file with bad rows (each left
//! out with its line and reason, downloadable), a stock file through the ledger, exports
//! that import again unchanged, and hostile uploads: the wrong person, the wrong file, a
//! file too large, a form sent twice, markup in every cell.

use crate::admin::{admin, staff_member};
use crate::helpers::{Browser, Response, TestApp, spawn_shop};
use serde_json::Value;
use std::time::Duration;

const JSON: &str = "application/json";

/// Runs the job worker (as `serve` does) until every job has ended.
async fn run_jobs(app: &TestApp) {
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let worker = tokio::spawn(server::jobs::work(
        app.pool.clone(),
        server::import::images::ImageStore::new(&std::env::temp_dir()),
        app::money::Currency::USD,
        stopped,
    ));
    for _ in 0..600 {
        let waiting: i64 =
            sqlx::query_scalar("SELECT count(*) FROM jobs WHERE status IN ('queued', 'running')")
                .fetch_one(&app.pool)
                .await
                .unwrap();
        if waiting == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    stop.send(true).unwrap();
    worker.await.unwrap();
}

fn key(n: u32) -> String {
    format!("test-form-key-{n:04}-abcdefgh")
}

async fn upload(b: &Browser, subject: &str, key: &str, file: &[u8]) -> Response {
    b.upload(
        "/api/admin/imports/upload",
        &[("subject", subject), ("key", key)],
        &[("file", "upload.csv", file)],
        JSON,
    )
    .await
}

async fn job(app: &TestApp, id: i64) -> (String, Value, Option<String>) {
    sqlx::query_as("SELECT status::text, coalesce(report, '{}'), error FROM jobs WHERE id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(&app.pool).await.unwrap()
}

#[tokio::test]
async fn a_products_file_imports_its_good_rows_and_reports_the_rest() {
    let app = spawn_shop().await;
    let boss = admin(&app, "boss@example.com").await;
    let file = "handle,title,description,brand,category,status,featured,option_names,sku,price,currency,stock,option_values,images,attributes
desk-lamp,Desk Lamp <script>alert(1)</script>,A lamp,Lumen,Home > Lighting,active,no,colour,DL-1,25.00,USD,4,black,,
desk-lamp,,,,,,,,DL-2,26.00,USD,2,white,,
bad-price,Bad Price,,,,active,no,,BP-1,12.345,USD,1,,,
photo,With Photo,,,,active,no,,PH-1,5.00,USD,1,,../../etc/passwd,
short,row
mixed,Two Products,,,,active,no,size,L2201308,9.00,USD,1,S,,
mixed,,,,,,,,TBL200032,9.00,USD,1,M,,
=cmd,Formula,,,,draft,no,,FM-1,1.00,USD,0,,,
";
    let r = upload(&boss, "products", &key(1), file.as_bytes()).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let id = r.json().as_i64().unwrap();
    // The same form again is the same job.
    let again = upload(&boss, "products", &key(1), file.as_bytes()).await;
    assert_eq!(again.json().as_i64(), Some(id));
    assert_eq!(count(&app, "SELECT count(*) FROM jobs").await, 1);
    run_jobs(&app).await;
    let (status, report, error) = job(&app, id).await;
    assert_eq!(status, "done", "{error:?}");
    assert_eq!(report["new"], 1, "{report}");
    let lines: Vec<u64> = report["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, vec![4, 5, 6, 7, 9], "{report}");
    let reasons = report["skipped"].to_string();
    assert!(reasons.contains("photos cannot be named"), "{reasons}");
    assert!(
        reasons.contains("2 different existing products"),
        "{reasons}"
    );
    // What the shop holds: the good product whole, with its stock; none of the others.
    let (title, prices): (String, String) = sqlx::query_as(
        "SELECT p.title, string_agg(v.sku || '=' || v.price_minor || '/' || v.stock_on_hand, ',' ORDER BY v.sku)
           FROM products p JOIN variants v ON v.product_id = p.id WHERE p.slug = 'desk-lamp' GROUP BY p.title",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(title, "Desk Lamp <script>alert(1)</script>");
    assert_eq!(prices, "DL-1=2500/4,DL-2=2600/2");
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM variants WHERE sku IN ('BP-1', 'PH-1', 'FM-1')"
        )
        .await,
        0
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM products WHERE slug = 'laptop' AND title = 'Laptop'"
        )
        .await,
        1,
        "SKUs of two products changed nothing"
    );
    // Recorded under who asked: the request and the batch.
    assert_eq!(
        count(&app, "SELECT count(*) FROM audit_log WHERE action = 'products.import' AND actor = 'boss@example.com'").await,
        2
    );
    // The page shows the rows left out; the report downloads whole.
    let page = boss.get(&format!("/admin/jobs/{id}")).await;
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(html.contains("job-rejected"), "{html}");
    let csv = boss
        .get(&format!("/api/admin/job-rejected.csv?id={id}"))
        .await;
    assert_eq!(csv.status, 200, "{}", csv.text());
    let text = csv.text();
    assert!(text.starts_with("line,reason\n"));
    assert_eq!(text.lines().count(), 6, "{text}");
    assert!(text.contains("\n4,"));
    // The storefront shows the title as text.
    let (_, product) = app.page("/p/desk-lamp").await;
    assert!(!product.contains("<script>alert(1)"), "markup is escaped");
    assert!(product.contains("&lt;script&gt;alert(1)"));
}

#[tokio::test]
async fn hostile_uploads_are_refused_and_nothing_is_queued() {
    let app = spawn_shop().await;
    let boss = admin(&app, "boss@example.com").await;
    let clerk = staff_member(&app, "clerk@example.com", &["Customer service"]).await;
    sqlx::query(
        "INSERT INTO staff_groups (name, permissions) VALUES ('Merchandising', '{products}')",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let merch = staff_member(&app, "merch@example.com", &["Merchandising"]).await;
    let visitor = Browser::new(&app);
    let stock = b"sku,warehouse,on_hand\nL2201308,main,5\n";
    for (who, b, subject, status) in [
        ("a visitor", &visitor, "stock", 401),
        ("customer service", &clerk, "stock", 403),
        ("customer service", &clerk, "products", 403),
        ("products only", &merch, "stock", 403),
    ] {
        let r = upload(b, subject, &key(2), stock).await;
        assert_eq!(r.status, status, "{who} {subject}: {}", r.text());
        let r = b
            .call(
                "/api/admin/imports/export",
                &[("subject", subject), ("key", &key(3))],
            )
            .await;
        assert_eq!(r.status, status, "{who} export {subject}: {}", r.text());
    }
    let big = {
        let mut v = b"sku,warehouse,on_hand\n".to_vec();
        v.resize(21 * 1024 * 1024, b'x');
        v
    };
    for (what, subject, file, needle) in [
        (
            "not text",
            "stock",
            b"\xff\xfe\x00garbage".to_vec(),
            "UTF-8",
        ),
        (
            "another format",
            "stock",
            b"sku,on_hand\nA,1\n".to_vec(),
            "sku,warehouse,on_hand",
        ),
        (
            "a products file as stock",
            "stock",
            b"handle,title\n".to_vec(),
            "header",
        ),
        ("empty", "products", Vec::new(), "empty"),
        ("too large", "stock", big, "20 MB"),
        (
            "no such subject",
            "orders",
            stock.to_vec(),
            "products or stock",
        ),
    ] {
        let r = upload(&boss, subject, &key(4), &file).await;
        assert_eq!(r.status, 400, "{what}: {}", r.text());
        assert!(r.text().contains(needle), "{what}: {}", r.text());
    }
    // A file sent before saying what it is, and a forged key.
    let r = boss
        .upload(
            "/api/admin/imports/upload",
            &[],
            &[("file", "a.csv", stock)],
            JSON,
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text());
    let r = upload(&boss, "stock", "'; DROP TABLE jobs; --", stock).await;
    assert_eq!(r.status, 400, "{}", r.text());
    assert_eq!(count(&app, "SELECT count(*) FROM jobs").await, 0);
    assert_eq!(count(&app, "SELECT count(*) FROM job_files").await, 0);
    // Someone else's job: its file stays theirs.
    let r = upload(&boss, "products", &key(5), b"handle,title,description,brand,category,status,featured,option_names,sku,price,currency,stock,option_values,images,attributes\n").await;
    let id = r.json().as_i64().unwrap();
    run_jobs(&app).await;
    for b in [&clerk, &visitor] {
        let r = b.get(&format!("/api/admin/job-rejected.csv?id={id}")).await;
        assert!(matches!(r.status, 401 | 403), "{}", r.status);
        let r = b.get(&format!("/admin/jobs/{id}")).await;
        assert!(!r.text().contains("Importing products"), "{}", r.text());
    }
}

#[tokio::test]
async fn stock_counts_go_through_the_ledger_and_exports_import_again_unchanged() {
    let app = spawn_shop().await;
    let boss = admin(&app, "boss@example.com").await;
    let before: i32 = sqlx::query_scalar(
        "SELECT l.on_hand FROM stock_levels l JOIN variants v ON v.id = l.variant_id
           JOIN warehouses w ON w.id = l.warehouse_id WHERE v.sku = 'L2201308' AND w.code = 'main'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    // Held stock: a count below it is refused.
    sqlx::query(
        "UPDATE stock_levels SET reserved = 3 WHERE variant_id = (SELECT id FROM variants WHERE sku = 'L2201309')
            AND warehouse_id = (SELECT id FROM warehouses WHERE code = 'main')",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let file = format!(
        "sku,warehouse,on_hand\nL2201308,main,{}\nL2201309,main,1\nNOPE-1,main,4\nL2201308,nowhere,4\nL2201508,main,x\nL2201308,main,2\n",
        before + 7
    );
    let r = upload(&boss, "stock", &key(6), file.as_bytes()).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let id = r.json().as_i64().unwrap();
    run_jobs(&app).await;
    let (status, report, error) = job(&app, id).await;
    assert_eq!(status, "done", "{error:?}");
    assert_eq!(report["changed"], 1, "{report}");
    let lines: Vec<u64> = report["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, vec![3, 4, 5, 6, 7], "{report}");
    let moved: (i32, String) = sqlx::query_as(
        "SELECT m.on_hand_delta, m.kind::text FROM stock_movements m JOIN variants v ON v.id = m.variant_id
          WHERE v.sku = 'L2201308' ORDER BY m.id DESC LIMIT 1",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(moved, (7, "adjustment".to_owned()));
    let audit: Value = sqlx::query_scalar(
        "SELECT after FROM audit_log WHERE action = 'stock.import' AND entity = 'job' AND after ? 'counts'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(audit["counts"][0]["before"], before);
    assert_eq!(audit["counts"][0]["after"], before + 7);

    // Exports: a job each, downloaded from its page.
    let mut files = Vec::new();
    for (n, subject) in [(7, "products"), (8, "stock")] {
        let r = boss
            .call(
                "/api/admin/imports/export",
                &[("subject", subject), ("key", &key(n))],
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
        let id = r.json().as_i64().unwrap();
        run_jobs(&app).await;
        assert_eq!(job(&app, id).await.0, "done");
        let csv = boss
            .get(&format!("/api/admin/job-result.csv?id={id}"))
            .await;
        assert_eq!(csv.status, 200, "{}", csv.text());
        assert!(csv.header("content-disposition").contains(".csv"));
        files.push(csv.text());
    }
    let variants = count(&app, "SELECT count(*) FROM variants").await;
    assert_eq!(files[0].lines().count() as i64, 1 + variants);
    let levels = count(&app, "SELECT count(*) FROM stock_levels").await;
    assert_eq!(files[1].lines().count() as i64, 1 + levels);
    assert!(files[1].contains(&format!("L2201308,main,{},", before + 7)));
    // The exported products import again with nothing to change.
    let versions = count(&app, "SELECT sum(version) FROM products").await;
    let r = upload(&boss, "products", &key(9), files[0].as_bytes()).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let id = r.json().as_i64().unwrap();
    run_jobs(&app).await;
    let (status, report, error) = job(&app, id).await;
    assert_eq!(status, "done", "{error:?}");
    assert_eq!(report["left_out"], 0, "{report}");
    assert_eq!(report["updated"], 0, "{report}");
    assert_eq!(
        count(&app, "SELECT sum(version) FROM products").await,
        versions
    );
}
