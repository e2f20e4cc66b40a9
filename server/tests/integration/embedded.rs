//! The embedded PostgreSQL: first start, reuse, and a data directory the postgres user
//! cannot reach (a checkout under /root, as root).

use crate::helpers::test_root;
use server::embedded_pg::{EmbeddedError, EmbeddedOptions, EmbeddedPostgres};
use sqlx::{Connection, PgConnection};
use std::os::unix::fs::PermissionsExt;
use std::time::Instant;

fn opts() -> EmbeddedOptions {
    EmbeddedOptions {
        unsafe_fast: true,
        database: "shop".into(),
        ..Default::default()
    }
}

async fn select_one(url: &str) -> i32 {
    let mut conn = PgConnection::connect(url).await.expect("connect");
    sqlx::query_scalar("SELECT 1")
        .fetch_one(&mut conn)
        .await
        .expect("query")
}

#[tokio::test]
async fn starts_stops_and_restarts_in_an_unreachable_data_dir() {
    let root = test_root().join(format!("run-{}", std::process::id()));
    // A private directory (0700): when we are root, the postgres user cannot traverse it.
    let private = root.join("private");
    std::fs::create_dir_all(&private).unwrap();
    std::fs::set_permissions(&private, std::fs::Permissions::from_mode(0o700)).unwrap();
    let data_dir = private.join("data");

    let pg = EmbeddedPostgres::start(&data_dir, &opts())
        .await
        .expect("first start");
    assert_eq!(select_one(&pg.url).await, 1);
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } == 0 {
        assert!(
            pg.cluster_dir.starts_with("/var/lib/mercato/clusters"),
            "{}",
            pg.cluster_dir.display()
        );
        assert!(data_dir.join("postgres-location.txt").exists());
    }
    let cluster_dir = pg.cluster_dir.clone();
    let url = pg.url.clone();
    pg.stop().await;
    assert!(PgConnection::connect(&url).await.is_err(), "stopped");

    let started = Instant::now();
    let pg = EmbeddedPostgres::start(&data_dir, &opts())
        .await
        .expect("second start");
    assert!(
        started.elapsed().as_secs() < 5,
        "a second start reuses the cluster"
    );
    assert_eq!(pg.cluster_dir, cluster_dir);
    assert_eq!(select_one(&pg.url).await, 1);
    pg.stop().await;
    if cluster_dir.starts_with("/var/lib/mercato/clusters") {
        let _ = std::fs::remove_dir_all(&cluster_dir);
        let _ = std::fs::remove_file(cluster_dir.with_extension("data-dir"));
    }
}

#[tokio::test]
async fn missing_binaries_say_how_to_install_them() {
    let opts = EmbeddedOptions {
        bin_dir: Some("/nonexistent/bin".into()),
        ..opts()
    };
    let err = EmbeddedPostgres::start(&test_root().join("never"), &opts)
        .await
        .unwrap_err();
    assert!(matches!(err, EmbeddedError::BinariesMissing(_)));
    let msg = err.to_string();
    assert!(
        msg.contains("apt-get install postgresql") && msg.contains("DATABASE_URL"),
        "{msg}"
    );
}
