//! Cached pages follow the database: any change, made by any client, reaches the page.

use crate::helpers::spawn_shop;
use std::time::{Duration, Instant};

/// Polls a page until `ok(status, body)` holds (notifications arrive asynchronously).
async fn eventually_page(
    app: &crate::helpers::TestApp,
    path: &str,
    ok: impl Fn(u16, &str) -> bool,
) -> bool {
    let deadline = Instant::now() + Duration::from_secs(3);
    while Instant::now() < deadline {
        let (status, body) = app.page(path).await;
        if ok(status, &body) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    false
}

/// Polls a page until it contains `needle`.
async fn eventually(app: &crate::helpers::TestApp, path: &str, needle: &str) -> bool {
    eventually_page(app, path, |_, body| body.contains(needle)).await
}

#[tokio::test]
async fn cached_product_pages_follow_database_changes() {
    let app = spawn_shop().await;
    app.start_cache().await;
    assert!(app.page("/p/laptop").await.1.contains("$1,299.00"));
    assert!(
        app.cache.product("laptop").is_some(),
        "served from the cache from now on"
    );
    let listing = "/c/electronics/computers?sort=price-desc";
    assert!(app.page(listing).await.1.contains("from $1,299.00"));
    assert!(app.page("/").await.1.contains("from $1,299.00"));
    assert!(app.cache.home().is_some() && app.cache.listing_count() > 0);

    // A price change by another client, straight in SQL.
    sqlx::query("UPDATE variants SET price_minor = 111100 WHERE sku = 'L2201308'")
        .execute(&app.pool)
        .await
        .unwrap();
    assert!(
        eventually(&app, "/p/laptop", "$1,111.00").await,
        "new price shown"
    );
    assert!(
        eventually(&app, listing, "from $1,111.00").await,
        "cached listing updated"
    );
    assert!(
        eventually(&app, "/", "from $1,111.00").await,
        "cached home page updated"
    );

    // A category rename reaches the breadcrumbs and the header of cached pages.
    sqlx::query("UPDATE categories SET name = 'Computing' WHERE path = 'electronics/computers'")
        .execute(&app.pool)
        .await
        .unwrap();
    assert!(
        eventually(&app, "/p/laptop", ">Computing<").await,
        "renamed category shown"
    );
    sqlx::query("UPDATE categories SET name = 'Tech' WHERE path = 'electronics'")
        .execute(&app.pool)
        .await
        .unwrap();
    assert!(
        eventually(&app, "/p/tablet", ">Tech<").await,
        "renamed top category in the header"
    );

    // Archiving removes the page.
    sqlx::query("UPDATE products SET status = 'archived' WHERE slug = 'laptop'")
        .execute(&app.pool)
        .await
        .unwrap();
    assert!(
        eventually_page(&app, "/p/laptop", |status, _| status == 404).await,
        "archived product still served"
    );
}

#[tokio::test]
async fn without_its_listener_the_cache_is_bypassed() {
    let app = spawn_shop().await; // no listener started
    assert!(app.page("/p/laptop").await.1.contains("$1,299.00"));
    assert!(app.cache.product("laptop").is_none());
    sqlx::query("UPDATE variants SET price_minor = 100 WHERE sku = 'L2201308'")
        .execute(&app.pool)
        .await
        .unwrap();
    assert!(
        app.page("/p/laptop").await.1.contains("$1.00"),
        "read straight from the database"
    );
}
