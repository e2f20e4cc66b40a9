//! Makes the AVIF widths of stored photos (app/src/media/avif.rs) in the background, on
//! one thread at the lowest CPU priority, so pages and checkouts never wait for an AV1
//! encoder: it takes only what the shop leaves idle. It looks for photos without them at
//! start-up and then every few seconds (uploads and imports add some), and at start-up
//! sweeps away half-written files an hour old (a process stopped while writing). Every instance
//! sharing a media directory may run it: files are written whole under their final
//! name, so two encoders of one photo only repeat each other's work.

use crate::import::images::ImageStore;
use std::collections::HashSet;
use std::time::Duration;
use tokio::sync::watch;

/// How long the worker rests when nothing is left to encode.
const IDLE: Duration = Duration::from_secs(5);

/// Starts the worker on its own thread; it ends when `stop` turns true.
pub fn spawn(store: ImageStore, stop: watch::Receiver<bool>) {
    let started = std::thread::Builder::new()
        .name("avif-encoder".into())
        .spawn(move || {
            lowest_priority();
            run(&store, &stop);
        });
    if let Err(error) = started {
        tracing::warn!(%error, "the AVIF encoder did not start; photos stay WebP only");
    }
}

/// Encodes until every photo has its AVIF widths or `stop`; photos that fail (a damaged
/// file) are reported once and not retried until the next start.
pub fn run(store: &ImageStore, stop: &watch::Receiver<bool>) {
    let swept = store.sweep_temporary(Duration::from_secs(3600));
    if swept > 0 {
        tracing::info!(files = swept, "removed half-written media files");
    }
    let mut failed: HashSet<String> = HashSet::new();
    while !*stop.borrow() {
        let pending: Vec<_> = store
            .pending_avif()
            .into_iter()
            .filter(|p| !failed.contains(&p.key))
            .collect();
        if pending.is_empty() {
            rest(stop, IDLE);
            continue;
        }
        for photo in pending {
            if *stop.borrow() {
                return;
            }
            match store.make_avif(&photo) {
                Ok(n) if n > 0 => tracing::debug!(key = %photo.key, widths = n, "AVIF made"),
                Ok(_) => {}
                Err(error) => {
                    tracing::warn!(key = %photo.key, %error, "no AVIF for this photo");
                    failed.insert(photo.key);
                }
            }
        }
    }
}

/// Sleeps up to `time`, waking early on `stop`.
fn rest(stop: &watch::Receiver<bool>, time: Duration) {
    let step = Duration::from_millis(200);
    let mut slept = Duration::ZERO;
    while slept < time && !*stop.borrow() {
        std::thread::sleep(step);
        slept += step;
    }
}

/// Lowers this thread's scheduling priority to the least (Linux gives each thread its own).
fn lowest_priority() {
    // SAFETY: setpriority with who = 0 changes only the calling thread; it reads no memory.
    let result = unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, 19) };
    if result != 0 {
        tracing::debug!("could not lower the AVIF encoder's priority");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn makes_every_missing_avif_then_rests_until_stopped() {
        let dir = std::env::temp_dir().join(format!("mercato-avif-worker-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let src = dir.join("square.png");
        image::RgbImage::from_fn(330, 330, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
        })
        .save(&src)
        .unwrap();
        let store = ImageStore::new(&dir.join("media"));
        let photo = store.store(&src, "A square").unwrap();
        // A damaged photo beside it is skipped, not retried in a loop, and blocks nothing.
        std::fs::write(
            dir.join("media/products/00000000000000aa-320.webp"),
            b"RIFF....WEBPbroken",
        )
        .unwrap();
        let (stop_tx, stop_rx) = watch::channel(false);
        let worker = {
            let store = store.clone();
            std::thread::spawn(move || run(&store, &stop_rx))
        };
        let deadline = std::time::Instant::now() + Duration::from_secs(120);
        while store.pending_avif().len() > 1 && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(100));
        }
        for w in [320u32, 330] {
            assert!(store.avif_path(&photo.key, w).is_file(), "{w}");
        }
        let pending = store.pending_avif();
        assert_eq!(pending.len(), 1);
        assert_eq!(pending[0].key, "00000000000000aa");
        stop_tx.send(true).unwrap();
        worker.join().unwrap();
        let _ = std::fs::remove_dir_all(&dir);
    }
}
