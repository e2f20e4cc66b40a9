//! `payments-sandbox`: the sandbox payment provider on its own.

use server::database;
use server::settings::Settings;

pub(crate) async fn payments_sandbox(
    settings: Settings,
    addr: std::net::SocketAddr,
    sandbox: server::sandbox::SandboxSettings,
) -> anyhow::Result<()> {
    let db = database::open(&settings).await?;
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let sandbox = server::sandbox::Sandbox::open(db.db.primary.clone(), sandbox).await?;
    println!(
        "sandbox payment provider on http://{}",
        listener.local_addr()?
    );
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        let _ = tokio::signal::ctrl_c().await;
        let _ = stop_tx.send(true);
    });
    let result = sandbox.run(listener, stop_rx).await;
    db.close().await;
    Ok(result?)
}
