//! The real binary: it starts its own PostgreSQL, serves, and on SIGTERM finishes,
//! stops PostgreSQL and exits cleanly; a second start reuses the cluster.

use crate::helpers::{http_get, test_root};
use std::net::SocketAddr;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

fn free_addr() -> SocketAddr {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap()
}

async fn start(data_dir: &Path, addr: SocketAddr) -> tokio::process::Child {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_server"))
        .env("MERCATO_DATA_DIR", data_dir)
        .env("MERCATO_HTTP__ADDR", addr.to_string())
        .env("MERCATO_CATALOG__SEED_DEMO", "false")
        .env("MERCATO_POSTGRES__UNSAFE_FAST", "true")
        .env_remove("DATABASE_URL")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start the server binary")
}

async fn wait_ready(addr: SocketAddr) -> Duration {
    let started = Instant::now();
    loop {
        if tokio::net::TcpStream::connect(addr).await.is_ok()
            && http_get(addr, "/readyz").await.status == 200
        {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "server did not become ready"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn postmaster_pid(data_dir: &Path) -> Option<i32> {
    let text = std::fs::read_to_string(data_dir.join("postgres/postmaster.pid")).ok()?;
    text.lines().next()?.trim().parse().ok()
}

fn alive(pid: i32) -> bool {
    // SAFETY: signal 0 only checks that the process exists.
    unsafe { libc::kill(pid, 0) == 0 }
}

#[tokio::test]
async fn sigterm_stops_server_and_database_and_restart_is_fast() {
    let data_dir = test_root()
        .join(format!("run-{}", std::process::id()))
        .join("lifecycle");
    let addr = free_addr();
    let mut server = start(&data_dir, addr).await;
    wait_ready(addr).await;
    let pg = postmaster_pid(&data_dir).expect("postmaster.pid");
    assert!(alive(pg));
    assert_eq!(
        http_get(addr, "/").await.status,
        200,
        "an empty shop still renders"
    );

    // SAFETY: kill(2) on the child we spawned.
    unsafe { libc::kill(server.id().expect("pid") as i32, libc::SIGTERM) };
    let status = tokio::time::timeout(Duration::from_secs(40), server.wait())
        .await
        .expect("exits")
        .unwrap();
    assert!(status.success(), "clean exit: {status:?}");
    assert!(!alive(pg), "PostgreSQL stopped with the server");
    assert!(
        postmaster_pid(&data_dir).is_none(),
        "clean PostgreSQL shutdown"
    );

    let addr = free_addr();
    let mut server = start(&data_dir, addr).await;
    let elapsed = wait_ready(addr).await;
    assert!(
        elapsed < Duration::from_secs(5),
        "second start took {elapsed:?}"
    );
    // SAFETY: as above.
    unsafe { libc::kill(server.id().expect("pid") as i32, libc::SIGKILL) };
    let _ = server.wait().await;
    // Killed without a chance to clean up: the parent-death signal still stops PostgreSQL.
    let pg = postmaster_pid(&data_dir);
    let deadline = Instant::now() + Duration::from_secs(30);
    while pg.is_some_and(alive) && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        !pg.is_some_and(alive),
        "PostgreSQL outlived a killed server"
    );
}
