//! Imports as the database sees them: idempotent, versioned, transactional per batch.

use crate::helpers::{fresh_database, media_dir, repo_root, seed_dir};
use app::money::Currency;
use server::import::{self, ImportError, ImportOptions, images::ImageStore, online_retail};
use sqlx::PgPool;

async fn pool() -> PgPool {
    PgPool::connect(&fresh_database().await).await.unwrap()
}

fn store() -> ImageStore {
    ImageStore::new(&media_dir())
}

async fn count(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

#[tokio::test]
async fn vendure_import_is_idempotent_and_records_history() {
    let pool = pool().await;
    let rows = import::vendure::parse(&seed_dir(), Currency::USD).unwrap();
    let first = import::run(&pool, &store(), rows.clone(), &ImportOptions::default())
        .await
        .unwrap();
    assert_eq!(
        (first.inserted, first.updated, first.skipped.len()),
        (53, 0, 1),
        "{first}"
    );
    assert_eq!(count(&pool, "SELECT count(*) FROM variants").await, 85);
    assert_eq!(
        count(&pool, "SELECT count(*) FROM product_images").await,
        53
    );
    assert_eq!(count(&pool, "SELECT count(*) FROM categories").await, 9);
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM outbox WHERE topic = 'catalog.product.changed'"
        )
        .await,
        53
    );
    let history = count(&pool, "SELECT count(*) FROM catalog_history").await;

    // The same file again: nothing new, nothing changed, no history, no events.
    let again = import::run(&pool, &store(), rows.clone(), &ImportOptions::default())
        .await
        .unwrap();
    assert_eq!(
        (again.inserted, again.updated, again.unchanged),
        (0, 0, 53),
        "{again}"
    );
    assert_eq!(count(&pool, "SELECT count(*) FROM products").await, 53);
    assert_eq!(
        count(&pool, "SELECT count(*) FROM catalog_history").await,
        history
    );

    // A changed price updates by SKU, bumps the version and records old and new values.
    let mut changed = rows;
    let laptop = changed
        .iter_mut()
        .filter_map(|r| r.as_mut().ok())
        .find(|d| d.product.slug.as_str() == "laptop")
        .unwrap();
    laptop.product.variants[0].price = app::money::Money::from_minor(119_900, Currency::USD);
    let version_before: i32 =
        sqlx::query_scalar("SELECT version FROM products WHERE slug = 'laptop'")
            .fetch_one(&pool)
            .await
            .unwrap();
    let opts = ImportOptions {
        actor: "import:test".into(),
        ..Default::default()
    };
    let third = import::run(&pool, &store(), changed, &opts).await.unwrap();
    assert_eq!(
        (third.inserted, third.updated, third.unchanged),
        (0, 1, 52),
        "{third}"
    );
    let (version, old, new, actor): (i32, i64, i64, String) = sqlx::query_as(
        "SELECT h.version, (h.old_value->>'price_minor')::bigint, (h.new_value->>'price_minor')::bigint, h.actor
         FROM catalog_history h JOIN products p ON p.id = h.product_id
         WHERE p.slug = 'laptop' AND h.entity = 'variant' AND h.operation = 'update'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        (version, old, new, actor.as_str()),
        (version_before + 1, 129_900, 119_900, "import:test")
    );
}

#[tokio::test]
async fn a_failing_batch_rolls_back_whole_and_stops() {
    let pool = pool().await;
    // A database failure on one product (not a rule violation the importer can skip).
    sqlx::query(
        "CREATE FUNCTION fail_on_tablet() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN IF NEW.slug = 'tablet' THEN RAISE EXCEPTION 'disk full (simulated)' USING ERRCODE = '53100'; END IF; RETURN NEW; END $$",
    )
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query("CREATE TRIGGER fail_on_tablet BEFORE INSERT ON products FOR EACH ROW EXECUTE FUNCTION fail_on_tablet()")
        .execute(&pool)
        .await
        .unwrap();
    let rows = import::vendure::parse(&seed_dir(), Currency::USD).unwrap();
    // "tablet" is the 2nd product: batches of 1 commit the laptop, then fail.
    let opts = ImportOptions {
        batch_size: 1,
        ..Default::default()
    };
    let err = import::run(&pool, &store(), rows.clone(), &opts)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            ImportError::Batch {
                line: 2,
                committed: 1,
                ..
            }
        ),
        "{err}"
    );
    let slugs: Vec<String> = sqlx::query_scalar("SELECT slug FROM products")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(slugs, vec!["laptop"]);

    // Larger batches: the batch holding the tablet leaves nothing behind, not even its variants.
    let pool = self::pool().await;
    sqlx::query("CREATE FUNCTION fail_on_tablet() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.slug = 'tablet' THEN RAISE EXCEPTION 'boom' USING ERRCODE = '53100'; END IF; RETURN NEW; END $$").execute(&pool).await.unwrap();
    sqlx::query("CREATE TRIGGER fail_on_tablet BEFORE INSERT ON products FOR EACH ROW EXECUTE FUNCTION fail_on_tablet()").execute(&pool).await.unwrap();
    let opts = ImportOptions {
        batch_size: 10,
        ..Default::default()
    };
    assert!(import::run(&pool, &store(), rows, &opts).await.is_err());
    assert_eq!(count(&pool, "SELECT count(*) FROM products").await, 0);
    assert_eq!(count(&pool, "SELECT count(*) FROM variants").await, 0);
    assert_eq!(count(&pool, "SELECT count(*) FROM categories").await, 0);
}

#[tokio::test]
async fn rule_breaking_rows_are_skipped_not_fatal() {
    let pool = pool().await;
    let dir = std::env::temp_dir().join(format!("mercato-it-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("products.jsonl");
    std::fs::write(
        &file,
        [
            r#"{"title":"Mug","category":"Kitchen","attributes":{"capacity_ml":350},"variants":[{"sku":"MUG-1","price":"8.00"}]}"#,
            r#"{"title":"Photo","images":["missing.jpg"],"variants":[{"sku":"PH-1","price":"3.00"}]}"#,
            r#"{"title":"Jug","category":"Kitchen","attributes":{"capacity_ml":"large"},"variants":[{"sku":"JUG-1","price":"12.00"}]}"#,
            r#"{"title":"Combo","variants":[{"sku":"MUG-1","price":"9.00"}, {"sku":"PH-1","price":"9.00"}]}"#,
        ]
        .join("\n"),
    )
    .unwrap();
    let rows = import::generic::parse_jsonl(&file, Currency::GBP).unwrap();
    let report = import::run(&pool, &store(), rows, &ImportOptions::default())
        .await
        .unwrap();
    assert_eq!(report.inserted, 2, "{report}");
    let reasons: Vec<(u64, &str)> = report
        .skipped
        .iter()
        .map(|s| (s.line, s.reason.as_str()))
        .collect();
    assert_eq!(reasons.len(), 2, "{report}");
    assert_eq!(reasons[0].0, 3);
    assert!(
        reasons[0].1.contains("holds number values, not text"),
        "{report}"
    );
    assert_eq!(reasons[1].0, 4);
    assert!(
        reasons[1].1.contains("2 different existing products"),
        "{report}"
    );
    assert_eq!(report.warnings.len(), 1);
    assert_eq!(report.warnings[0].line, 2);
    assert!(report.warnings[0].reason.contains("missing.jpg"));
    let price: i64 = sqlx::query_scalar("SELECT price_minor FROM variants WHERE sku = 'MUG-1'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(price, 800, "the mug kept its price");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The real Online Retail file: one product per stock code, every skip reported.
#[tokio::test]
async fn online_retail_import() {
    // The copy shipped in the repository: always here, so this test always runs.
    let file = repo_root().join("server/seed/online-retail/orders-2010-12-01_2011-09-30.csv.xz");
    let rows = online_retail::parse(&file, &online_retail::RetailOptions::default()).unwrap();
    let products = rows.iter().filter(|r| r.is_ok()).count();
    assert!((3_700..3_900).contains(&products), "{products}");
    let pool = pool().await;
    let report = import::run(
        &pool,
        &store(),
        rows,
        &ImportOptions {
            batch_size: 500,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(report.inserted as usize, products);
    assert!(
        report
            .skipped
            .iter()
            .any(|s| s.reason.contains("cancellation"))
    );
    assert!(
        report
            .skipped
            .iter()
            .any(|s| s.reason.contains("`POST` is not a product"))
    );
    let (title, price, currency): (String, i64, String) = sqlx::query_as(
        "SELECT p.title, v.price_minor, v.currency FROM products p JOIN variants v ON v.product_id = p.id WHERE v.sku = '85123A'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(title, "White Hanging Heart T-Light Holder");
    assert_eq!(currency, "GBP");
    assert!(price > 0);
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM products WHERE slug !~ '^[a-z0-9]+(-[a-z0-9]+)*$'"
        )
        .await,
        0
    );
}
