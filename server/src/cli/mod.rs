//! The `server` binary's subcommands other than `serve` (server/src/main.rs parses the
//! command line and calls these).

mod admin;
mod data;
mod reco;
mod sandbox;

pub(crate) use admin::{create_admin, discount};
pub(crate) use data::{generate, migrate, reindex, run_import, run_import_orders, run_seed};
pub(crate) use reco::reco;
pub(crate) use sandbox::payments_sandbox;

use std::io::IsTerminal;

pub(crate) fn progress_bar(template: &str) -> indicatif::ProgressBar {
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template(template)
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar
}
