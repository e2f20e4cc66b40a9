//! Three `server serve` instances on loopback ports, and haproxy in front of them (round
//! robin), each stopped when dropped.

use anyhow::{Context, bail};
use std::path::Path;
use std::time::Duration;

fn free_port() -> anyhow::Result<u16> {
    let l = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(l.local_addr()?.port())
}

/// Whether `/healthz` on `port` answers within `tries` tenths of a second.
async fn healthy(port: u16, tries: u32) -> bool {
    let http = reqwest::Client::new();
    for _ in 0..tries {
        if let Ok(r) = http
            .get(format!("http://127.0.0.1:{port}/healthz"))
            .send()
            .await
            && r.status().is_success()
        {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

/// A child process killed when dropped.
pub struct Child(tokio::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.start_kill();
    }
}

/// The shop (`server serve`) on a free loopback port, ready.
pub async fn shop(
    binary: &Path,
    database_url: &str,
    dir: &Path,
    n: usize,
) -> anyhow::Result<(Child, u16)> {
    let port = free_port()?;
    let data = dir.join(format!("shop-{n}"));
    std::fs::create_dir_all(&data)?;
    let log = std::fs::File::create(dir.join(format!("server-{n}.log")))?;
    let child = tokio::process::Command::new(binary)
        .arg("serve")
        .env("DATABASE_URL", database_url)
        .env("MERCATO_DATA_DIR", &data)
        .env("MERCATO_HTTP__ADDR", format!("127.0.0.1:{port}"))
        .env("MERCATO_CATALOG__SEED_DEMO", "false")
        .env("MERCATO_CATALOG__SEED_HISTORY", "false")
        // Every buyer comes from one address (loopback) on purpose.
        .env("MERCATO_RATE_LIMITS__ENABLED", "false")
        .env("MERCATO_DATABASE__MAX_CONNECTIONS", "24")
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(log)
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("start {}", binary.display()))?;
    let child = Child(child);
    if healthy(port, 900).await {
        return Ok((child, port));
    }
    bail!(
        "shop {n} did not become ready; see {}",
        dir.join(format!("server-{n}.log")).display()
    )
}

/// haproxy on a free loopback port, balancing over `ports` round robin.
pub async fn haproxy(ports: &[u16], dir: &Path) -> anyhow::Result<(Child, u16)> {
    let port = free_port()?;
    let servers: String = ports
        .iter()
        .enumerate()
        .map(|(i, p)| format!("    server shop{i} 127.0.0.1:{p} maxconn 256\n"))
        .collect();
    let config = format!(
        "global\n    maxconn 4000\n\
         defaults\n    mode http\n    timeout connect 5s\n    timeout client 60s\n    timeout server 60s\n    timeout queue 30s\n    http-reuse always\n\
         frontend shop\n    bind 127.0.0.1:{port}\n    default_backend shops\n\
         backend shops\n    balance roundrobin\n{servers}"
    );
    let path = dir.join("haproxy.cfg");
    std::fs::write(&path, config)?;
    let binary = ["/usr/sbin/haproxy", "/usr/bin/haproxy"]
        .into_iter()
        .find(|p| Path::new(p).exists())
        .context("haproxy is not installed (bench/flash installs it)")?;
    let child = tokio::process::Command::new(binary)
        .arg("-f")
        .arg(&path)
        .arg("-db")
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(dir.join("haproxy.log"))?)
        .kill_on_drop(true)
        .spawn()
        .context("start haproxy")?;
    let child = Child(child);
    if healthy(port, 100).await {
        return Ok((child, port));
    }
    bail!(
        "haproxy did not answer; see {}",
        dir.join("haproxy.log").display()
    )
}
