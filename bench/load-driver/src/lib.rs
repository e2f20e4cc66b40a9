//! A closed-loop load driver: `clients` tasks each run an operation again and again for
//! a fixed time; the figures are operations per second and latency percentiles.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Which operations the rate and latencies are taken from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Count {
    /// Every operation, failed or not (the cost of answering at all).
    All,
    /// Only what succeeded (a refusal, such as "sold out", is not a sale).
    Successes,
}

/// What one run measured.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Figures {
    pub per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub failed: u64,
}

/// Runs `op` (given a number no other call gets) from `clients` tasks for `seconds`.
pub async fn drive<F, Fut>(
    clients: u32,
    seconds: u64,
    count: Count,
    op: F,
) -> anyhow::Result<Figures>
where
    F: Fn(u64) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = anyhow::Result<()>> + Send,
{
    let op = Arc::new(op);
    let stop = Arc::new(AtomicBool::new(false));
    let counter = Arc::new(AtomicU64::new(0));
    let failures = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let tasks: Vec<_> = (0..clients)
        .map(|_| {
            let (op, stop, counter, failures) =
                (op.clone(), stop.clone(), counter.clone(), failures.clone());
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                while !stop.load(Ordering::Relaxed) {
                    let n = counter.fetch_add(1, Ordering::Relaxed);
                    let t = Instant::now();
                    let ok = op(n).await.is_ok();
                    if !ok {
                        failures.fetch_add(1, Ordering::Relaxed);
                    }
                    if ok || count == Count::All {
                        latencies.push(t.elapsed());
                    }
                }
                latencies
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    stop.store(true, Ordering::Relaxed);
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await?);
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.sort();
    Ok(Figures {
        per_second: all.len() as f64 / elapsed,
        p50_ms: percentile(&all, 0.50),
        p99_ms: percentile(&all, 0.99),
        failed: failures.load(Ordering::Relaxed),
    })
}

/// The `p` quantile of sorted durations, in milliseconds (0 for none).
pub fn percentile(sorted: &[Duration], p: f64) -> f64 {
    sorted
        .get(((sorted.len() as f64 * p) as usize).min(sorted.len().saturating_sub(1)))
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

/// One line of a bench's table.
pub fn row(label: &str, f: Figures) {
    println!(
        "{label:<44} {:>8.0} /s   p50 {:>7.2} ms   p99 {:>7.2} ms   failed {}",
        f.per_second, f.p50_ms, f.p99_ms, f.failed
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_of_sorted_durations() {
        let d: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(percentile(&d, 0.5), 51.0);
        assert_eq!(percentile(&d, 0.99), 100.0);
        assert_eq!(percentile(&[], 0.99), 0.0);
    }

    #[tokio::test]
    async fn failures_are_counted_and_timed_only_when_asked() {
        let fail_odd = |n: u64| async move {
            tokio::time::sleep(Duration::from_millis(1)).await;
            if n % 2 == 1 {
                anyhow::bail!("odd")
            } else {
                Ok(())
            }
        };
        let all = drive(2, 1, Count::All, fail_odd).await.unwrap();
        let ok = drive(2, 1, Count::Successes, fail_odd).await.unwrap();
        assert!(all.failed > 0 && ok.failed > 0);
        // Counting only successes halves the rate of the same mix.
        assert!(ok.per_second < all.per_second * 0.75, "{ok:?} vs {all:?}");
    }
}
