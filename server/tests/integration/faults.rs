//! A broken dependency: the database goes away. Shoppers get a clear page, never a panic,
//! and readiness reports it so a load balancer stops sending traffic.

use crate::helpers::spawn_with_pool;
use sqlx::postgres::PgPoolOptions;
use std::time::Duration;

#[tokio::test]
async fn database_down_gives_clear_errors() {
    // Nothing listens on port 1: every connection attempt fails at once.
    let pool = PgPoolOptions::new()
        .acquire_timeout(Duration::from_secs(1))
        .connect_lazy("postgres://mercato:x@127.0.0.1:1/mercato")
        .unwrap();
    let app = spawn_with_pool(pool, 12).await;
    let (status, body) = app.page("/readyz").await;
    assert_eq!((status, body.as_str()), (503, "database unavailable"));
    assert_eq!(
        app.page("/healthz").await.0,
        200,
        "the process itself is alive"
    );

    let (status, html) = app.page("/p/laptop").await;
    assert_eq!(status, 503);
    assert!(html.contains("having trouble right now"), "a clear message");
    assert!(
        !html.contains("127.0.0.1:1") && !html.to_lowercase().contains("connection refused"),
        "no internals leak"
    );
    assert_eq!(app.page("/sitemap.xml").await.0, 503);
}
