//! `reco rebuild` and `reco evaluate`: the recommendation models from the command line.

use super::progress_bar;
use crate::RecoAction;
use server::database;
use server::settings::Settings;

pub(crate) async fn reco(settings: Settings, action: RecoAction) -> anyhow::Result<()> {
    match action {
        RecoAction::Evaluate {
            train_until,
            test_until,
            file,
            stored_dates,
        } => {
            anyhow::ensure!(
                train_until < test_until,
                "--train-until must come before --test-until"
            );
            let (purchases, shift) = match file {
                Some(path) => (server::reco::purchases_in_file(&path)?, 0),
                None => {
                    let db = database::open(&settings).await?;
                    let purchases = server::reco::purchases(&db.db.primary).await?;
                    let shift = if stored_dates {
                        0
                    } else {
                        server::reco::history_shift_days(&db.db.primary).await?
                    };
                    db.close().await;
                    (purchases, shift)
                }
            };
            let bar = progress_bar("{msg:>10} {bar:40} {pos}/{len}");
            let table = tokio::task::spawn_blocking(move || {
                server::reco::report(
                    &purchases,
                    train_until,
                    test_until,
                    shift,
                    |stage, done, of| {
                        bar.set_message(stage.to_owned());
                        bar.set_length(of as u64);
                        bar.set_position(done as u64);
                    },
                )
            })
            .await?;
            print!("{table}");
            Ok(())
        }
        RecoAction::Rebuild => {
            let db = database::open(&settings).await?;
            let bar = progress_bar("{msg:>10} {bar:40} {pos}/{len}");
            bar.set_message("folding");
            let shown = bar.clone();
            let result = app::reco::ssr::rebuild(&db.db.primary, move |stage, done, of| {
                shown.set_message(stage.to_owned());
                shown.set_length(of as u64);
                shown.set_position(done as u64);
            })
            .await;
            bar.finish_and_clear();
            db.close().await;
            let (orders, fitted) = result?;
            println!(
                "folded {orders} confirmed orders; fitted {} products from {} customer purchases in {:.1} s",
                fitted.products,
                fitted.purchases,
                fitted.millis as f64 / 1000.0
            );
            Ok(())
        }
    }
}
