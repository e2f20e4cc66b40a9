//! The load test's buyers: accounts with signed-in sessions made in SQL (a sign-in is a
//! password hash, not what this measures), then one task per buyer doing what a shopper
//! does, over HTTP through haproxy, and the figures read back from the database.

use crate::{Args, product, schedule, shops};
use anyhow::bail;
use load_driver::percentile;
use rand::Rng;
use sqlx::PgPool;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::{Mutex, Semaphore};

/// A buyer's account and session token.
#[derive(Clone, Debug)]
pub struct Account {
    pub user_id: i64,
    pub token: String,
}

/// `n` customer accounts, each with a signed-in session.
pub async fn accounts(pool: &PgPool, n: usize) -> anyhow::Result<Vec<Account>> {
    let tokens: Vec<String> = (0..n).map(|_| app::session::new_token()).collect();
    let hashes: Vec<Vec<u8>> = tokens
        .iter()
        .map(|t| app::session::token_hash(t).to_vec())
        .collect();
    let emails: Vec<String> = (0..n).map(|i| format!("buyer{i}@bench.example")).collect();
    let ids: Vec<i64> = sqlx::query_scalar(
        "WITH u AS (
             INSERT INTO users (email, name, password_hash, email_verified_at)
             SELECT e, 'Buyer', '$argon2id$v=19$m=19456,t=2,p=1$YmVuY2g$YmVuY2g', now()
               FROM unnest($1::text[]) WITH ORDINALITY AS x(e, n) ORDER BY n
             RETURNING id, email)
         SELECT id FROM u ORDER BY id",
    )
    .bind(&emails)
    .fetch_all(pool)
    .await?;
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, expires_at)
         SELECT h, u, now() + interval '1 day' FROM unnest($1::bytea[], $2::bigint[]) AS x(h, u)",
    )
    .bind(&hashes)
    .bind(&ids)
    .execute(pool)
    .await?;
    Ok(ids
        .into_iter()
        .zip(tokens)
        .map(|(user_id, token)| Account { user_id, token })
        .collect())
}

/// What the buyers saw.
#[derive(Default)]
struct Seen {
    joins: Vec<Duration>,
    polls: Vec<Duration>,
    buys: Vec<Duration>,
    places: Vec<Duration>,
}

struct Shared {
    http: reqwest::Client,
    base: String,
    sale: i64,
    gate: Semaphore,
    seen: Mutex<Seen>,
    unanswered: AtomicU64,
    server_errors: AtomicU64,
    requests: AtomicU64,
    abandoned: AtomicU64,
    double_submits: AtomicU64,
    end: Instant,
}

/// What a buyer will do.
#[derive(Clone, Copy)]
struct Plan {
    arrive: Instant,
    quantity: i32,
    abandon: bool,
    waitlist: bool,
    double_submit: bool,
}

enum Kind {
    Join,
    Poll,
    Buy,
    Place,
    Other,
}

impl Shared {
    /// One request (at most `in_flight` at once): its answer, or `None` when none came
    /// (a connection error or no answer within 30 s), counted.
    async fn send(
        &self,
        kind: Kind,
        request: reqwest::RequestBuilder,
    ) -> Option<(u16, serde_json::Value)> {
        let _permit = self.gate.acquire().await.ok()?;
        self.requests.fetch_add(1, Ordering::Relaxed);
        let t = Instant::now();
        let answer = request.timeout(Duration::from_secs(30)).send().await;
        let r = match answer {
            Ok(r) => r,
            Err(_) => {
                self.unanswered.fetch_add(1, Ordering::Relaxed);
                return None;
            }
        };
        let status = r.status().as_u16();
        let body = r.json::<serde_json::Value>().await.unwrap_or_default();
        let took = t.elapsed();
        if status >= 500 {
            self.server_errors.fetch_add(1, Ordering::Relaxed);
        }
        let mut seen = self.seen.lock().await;
        match kind {
            Kind::Join => seen.joins.push(took),
            Kind::Poll => seen.polls.push(took),
            Kind::Buy => seen.buys.push(took),
            Kind::Place => seen.places.push(took),
            Kind::Other => {}
        }
        Some((status, body))
    }

    fn post(&self, path: &str, cookie: &str, fields: &[(&str, &str)]) -> reqwest::RequestBuilder {
        self.http
            .post(format!("{}{path}", self.base))
            .header("accept", "application/json")
            .header("origin", &self.base)
            .header("cookie", cookie)
            .form(fields)
    }
}

async fn think(lo_ms: u64, hi_ms: u64) {
    let ms = rand::thread_rng().gen_range(lo_ms..=hi_ms);
    tokio::time::sleep(Duration::from_millis(ms)).await;
}

/// Entries joined, early, let in, promoted; started, sold out; units allocated.
type SaleRow = (
    i64,
    i64,
    i64,
    i64,
    Option<chrono::DateTime<chrono::Utc>>,
    Option<chrono::DateTime<chrono::Utc>>,
    i32,
);

/// One buyer, from arriving to buying (or giving up, or the end of the sale).
async fn buyer(shared: Arc<Shared>, account: Account, plan: Plan) {
    tokio::time::sleep_until(plan.arrive.into()).await;
    let cookie = format!("mercato_session={}", account.token);
    let sale = shared.sale.to_string();
    let quantity = plan.quantity.to_string();
    // Join, retried on no answer or a server error.
    let mut token = String::new();
    for _ in 0..3 {
        let r = shared
            .send(
                Kind::Join,
                shared.post(
                    "/api/flash/join",
                    &cookie,
                    &[("id", &sale), ("quantity", &quantity)],
                ),
            )
            .await;
        match r {
            Some((200, body)) => {
                token = body["token"].as_str().unwrap_or_default().to_owned();
                break;
            }
            Some((s, _)) if s < 500 => return,
            _ => think(200, 1000).await,
        }
    }
    if token.is_empty() {
        return;
    }
    let mut waitlisted = false;
    while Instant::now() < shared.end {
        let r = shared
            .send(
                Kind::Poll,
                shared
                    .http
                    .get(format!(
                        "{}/api/flash/standing?id={sale}&token={token}",
                        shared.base
                    ))
                    .header("cookie", &cookie),
            )
            .await;
        let Some((200, page)) = r else {
            think(500, 2000).await;
            continue;
        };
        let refresh = page["refresh_secs"].as_u64().unwrap_or(5).clamp(1, 15);
        match page["standing"]["standing"].as_str().unwrap_or_default() {
            "admitted" => {
                if plan.abandon {
                    shared.abandoned.fetch_add(1, Ordering::Relaxed);
                    return;
                }
                think(300, 1500).await;
                buy(&shared, &cookie, &sale, &token, plan.double_submit).await;
                return;
            }
            "sold_out" | "expired" if plan.waitlist && !waitlisted => {
                let r = shared
                    .send(
                        Kind::Other,
                        shared.post(
                            "/api/flash/waitlist",
                            &cookie,
                            &[("id", &sale), ("token", &token)],
                        ),
                    )
                    .await;
                waitlisted = matches!(r, Some((200, _)));
                if !waitlisted {
                    return;
                }
            }
            "placing" | "queued" | "waitlisted" => {}
            _ => return,
        }
        // As a browser does: the refresh the page asks for, a little later or sooner.
        let ms = refresh * 1000;
        think(ms * 3 / 4, ms * 5 / 4).await;
    }
}

/// The held units into the cart, then the normal checkout (sometimes submitted twice).
async fn buy(shared: &Shared, cookie: &str, sale: &str, token: &str, twice: bool) {
    let r = shared
        .send(
            Kind::Buy,
            shared.post("/api/flash/buy", cookie, &[("id", sale), ("token", token)]),
        )
        .await;
    if !matches!(r, Some((200, _))) {
        return;
    }
    think(500, 2000).await;
    let key = format!("flash-{}", hex::encode(rand::random::<[u8; 12]>()));
    let fields = [
        ("idempotency_key", key.as_str()),
        ("email", "buyer@bench.example"),
        ("full_name", "Bench Buyer"),
        ("line1", "1 Loopback Road"),
        ("city", "Localhost"),
        ("postal_code", "127 001"),
        ("country", "GB"),
        ("card_number", app::payments::wire::test_cards::SUCCESS),
    ];
    let place = || {
        shared.send(
            Kind::Place,
            shared.post("/api/checkout/place", cookie, &fields),
        )
    };
    if twice {
        shared.double_submits.fetch_add(1, Ordering::Relaxed);
        let _ = tokio::join!(place(), place());
        return;
    }
    for _ in 0..3 {
        match place().await {
            Some((s, _)) if s < 500 => return,
            _ => think(500, 1500).await,
        }
    }
}

fn spearman(pairs: &[(f64, f64)]) -> f64 {
    fn ranks(values: &[f64]) -> Vec<f64> {
        let mut idx: Vec<usize> = (0..values.len()).collect();
        idx.sort_by(|a, b| values[*a].total_cmp(&values[*b]));
        let mut r = vec![0.0; values.len()];
        let mut i = 0;
        while i < idx.len() {
            let mut j = i;
            while j + 1 < idx.len() && values[idx[j + 1]] == values[idx[i]] {
                j += 1;
            }
            let avg = (i + j) as f64 / 2.0 + 1.0;
            for k in i..=j {
                r[idx[k]] = avg;
            }
            i = j + 1;
        }
        r
    }
    let a = ranks(&pairs.iter().map(|p| p.0).collect::<Vec<_>>());
    let b = ranks(&pairs.iter().map(|p| p.1).collect::<Vec<_>>());
    let n = a.len() as f64;
    let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    let cov: f64 = a.iter().zip(&b).map(|(x, y)| (x - ma) * (y - mb)).sum();
    let va: f64 = a.iter().map(|x| (x - ma).powi(2)).sum();
    let vb: f64 = b.iter().map(|y| (y - mb).powi(2)).sum();
    cov / (va * vb).sqrt()
}

pub async fn load_test(
    args: &Args,
    pool: &PgPool,
    url: &str,
    dir: &std::path::Path,
    accounts: &[Account],
) -> anyhow::Result<()> {
    let buyers = args.buyers.min(accounts.len());
    product(pool, "flash-item", "FLASH-1", args.units * 2).await?;
    println!(
        "\nLoad test: 3 instances of `server serve` (workers running) behind haproxy (round robin), one PostgreSQL"
    );
    let mut children = Vec::new();
    let mut ports = Vec::new();
    for n in 0..3 {
        let (child, port) = shops::shop(&args.server, url, dir, n).await?;
        children.push(child);
        ports.push(port);
    }
    let (proxy, port) = shops::haproxy(&ports, dir).await?;
    let early = Duration::from_secs(args.early_secs);
    let sale = schedule(
        pool,
        "FLASH-1",
        args.units,
        args.limit,
        args.per_minute,
        early,
        Duration::from_secs(args.sale_secs as u64),
        30,
        8,
    )
    .await?;
    println!(
        "{buyers} buyers for {} units, at most {} each, {} a minute let in, holds of 30 s, sale of {} s",
        args.units,
        args.limit,
        if args.per_minute > 0 {
            args.per_minute.to_string()
        } else {
            "automatic".into()
        },
        args.sale_secs
    );
    let now = Instant::now();
    let start = now + early;
    let shared = Arc::new(Shared {
        http: reqwest::Client::builder()
            .pool_max_idle_per_host(args.in_flight)
            .build()?,
        base: format!("http://127.0.0.1:{port}"),
        sale,
        gate: Semaphore::new(args.in_flight),
        seen: Mutex::default(),
        unanswered: AtomicU64::new(0),
        server_errors: AtomicU64::new(0),
        requests: AtomicU64::new(0),
        abandoned: AtomicU64::new(0),
        double_submits: AtomicU64::new(0),
        end: start + Duration::from_secs(args.sale_secs as u64 + 5),
    });
    // Arrivals: 40% over the seconds before the start, the rest over the first 20 s.
    let mut rng = rand::thread_rng();
    let tasks: Vec<_> = accounts[..buyers]
        .iter()
        .map(|a| {
            let arrive = if rng.gen_bool(0.4) {
                now + Duration::from_millis(rng.gen_range(0..early.as_millis().max(1) as u64))
            } else {
                start + Duration::from_millis(rng.gen_range(0..20_000))
            };
            let plan = Plan {
                arrive,
                quantity: rng.gen_range(1..=args.limit),
                abandon: rng.gen_bool(0.10),
                waitlist: rng.gen_bool(0.30),
                double_submit: rng.gen_bool(0.05),
            };
            tokio::spawn(buyer(shared.clone(), a.clone(), plan))
        })
        .collect();
    for t in tasks {
        let _ = t.await;
    }
    let finished = now.elapsed();
    // Let the last ticks and payments land, then read everything back.
    tokio::time::sleep(Duration::from_secs(3)).await;
    drop(proxy);
    drop(children);
    report(pool, sale, &shared, finished).await
}

async fn report(
    pool: &PgPool,
    sale: i64,
    shared: &Shared,
    finished: Duration,
) -> anyhow::Result<()> {
    let (joined, early, admitted, promoted, started, sold_out, allocated): SaleRow =
        sqlx::query_as(
            "SELECT count(e.id), count(e.id) FILTER (WHERE e.early),
                count(e.id) FILTER (WHERE e.admitted_at IS NOT NULL),
                count(e.id) FILTER (WHERE e.promoted),
                f.started_at, f.sold_out_at, f.allocated
           FROM flash_sales f LEFT JOIN flash_entries e ON e.sale_id = f.id
          WHERE f.id = $1 GROUP BY f.id",
        )
        .bind(sale)
        .fetch_one(pool)
        .await?;
    // Sold: units on confirmed orders that took a hold of this sale.
    let (orders, sold): (i64, i64) = sqlx::query_as(
        "SELECT count(DISTINCT o.id), coalesce(sum(l.quantity), 0)::bigint
           FROM flash_entries e JOIN orders o ON o.id = e.order_id
           JOIN order_lines l ON l.order_id = o.id
          WHERE e.sale_id = $1 AND o.status NOT IN ('pending', 'payment_processing', 'cancelled')",
    )
    .bind(sale)
    .fetch_one(pool)
    .await?;
    let sold_in_stock: i64 = sqlx::query_scalar(
        "SELECT coalesce(sum(s.sold), 0)::bigint FROM stock_levels s
           JOIN warehouses w ON w.id = s.warehouse_id WHERE w.flash_sale_id = $1",
    )
    .bind(sale)
    .fetch_one(pool)
    .await?;
    let oversold = (sold.max(sold_in_stock) - i64::from(allocated)).max(0);
    // Duplicates: a customer with more than one paid order of the sale's SKU.
    let duplicates: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM (
             SELECT o.user_id FROM orders o JOIN order_lines l ON l.order_id = o.id
               JOIN flash_sales f ON f.variant_id = l.variant_id AND f.id = $1
              WHERE o.status NOT IN ('pending', 'payment_processing', 'cancelled')
              GROUP BY o.user_id HAVING count(DISTINCT o.id) > 1) d",
    )
    .bind(sale)
    .fetch_one(pool)
    .await?;
    let over_limit: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM (
             SELECT o.user_id FROM orders o JOIN order_lines l ON l.order_id = o.id
               JOIN flash_sales f ON f.variant_id = l.variant_id AND f.id = $1
              WHERE o.status NOT IN ('pending', 'payment_processing', 'cancelled')
              GROUP BY o.user_id, f.per_customer_limit
             HAVING sum(l.quantity) > f.per_customer_limit) d",
    )
    .bind(sale)
    .fetch_one(pool)
    .await?;
    let charges: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM payments_sandbox.intents i JOIN orders o ON o.number = i.reference
           JOIN flash_entries e ON e.order_id = o.id AND e.sale_id = $1
          WHERE i.status = 'captured'",
    )
    .bind(sale)
    .fetch_one(pool)
    .await?;
    // Fairness: among those let in from the queue, place against the order of admission.
    let pairs: Vec<(f64, f64)> = sqlx::query_as::<_, (i32, f64)>(
        "SELECT position, extract(epoch FROM admitted_at)::float8 FROM flash_entries
          WHERE sale_id = $1 AND admitted_at IS NOT NULL AND NOT promoted AND position IS NOT NULL",
    )
    .bind(sale)
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|(p, t)| (f64::from(p), t))
    .collect();
    let fairness = if pairs.len() > 1 {
        spearman(&pairs)
    } else {
        f64::NAN
    };
    // Waits to be let in: from the start (the pre-queue) or from joining.
    let mut waits: Vec<Duration> = sqlx::query_scalar::<_, f64>(
        "SELECT extract(epoch FROM e.admitted_at - greatest(e.joined_at, f.started_at))::float8
           FROM flash_entries e JOIN flash_sales f ON f.id = e.sale_id
          WHERE e.sale_id = $1 AND e.admitted_at IS NOT NULL AND NOT e.promoted",
    )
    .bind(sale)
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|s| Duration::from_secs_f64(s.max(0.0)))
    .collect();
    waits.sort();
    let seen = shared.seen.lock().await;
    let mut by: HashMap<&str, Vec<Duration>> = HashMap::new();
    for (name, list) in [
        ("join", &seen.joins),
        ("standing (poll)", &seen.polls),
        ("buy (into the cart)", &seen.buys),
        ("checkout (place)", &seen.places),
    ] {
        let mut l = list.clone();
        l.sort();
        by.insert(name, l);
    }
    println!(
        "joined {joined} ({early} before the start); let in {admitted} ({promoted} promoted from the waitlist); {} held and abandoned; {} double submits",
        shared.abandoned.load(Ordering::Relaxed),
        shared.double_submits.load(Ordering::Relaxed)
    );
    println!("sold {sold} of {allocated} units in {orders} orders, {charges} captured payments");
    for name in [
        "join",
        "standing (poll)",
        "buy (into the cart)",
        "checkout (place)",
    ] {
        let l = &by[name];
        println!(
            "  {name:<22} {:>7} requests   p50 {:>8.2} ms   p99 {:>8.2} ms",
            l.len(),
            percentile(l, 0.5),
            percentile(l, 0.99)
        );
    }
    println!(
        "  waiting to be let in   {:>7} shoppers   p50 {:>8.2} s    p99 {:>8.2} s",
        waits.len(),
        percentile(&waits, 0.5) / 1000.0,
        percentile(&waits, 0.99) / 1000.0
    );
    let sell_out = match (started, sold_out) {
        (Some(a), Some(b)) => format!("{:.1} s", (b - a).num_milliseconds() as f64 / 1000.0),
        _ => "not sold out".into(),
    };
    println!("time to sell out (every unit held or sold, from the start): {sell_out}");
    println!(
        "fairness: Spearman rank correlation of place and admission = {fairness:.4} (1 is perfectly in order)"
    );
    println!(
        "requests {}, unanswered {}, server errors (5xx) {}; the run took {:.1} s",
        shared.requests.load(Ordering::Relaxed),
        shared.unanswered.load(Ordering::Relaxed),
        shared.server_errors.load(Ordering::Relaxed),
        finished.as_secs_f64()
    );
    println!(
        "oversold units {oversold}, duplicate orders {duplicates}, customers over their limit {over_limit} (each must be 0)"
    );
    if oversold != 0 || duplicates != 0 || over_limit != 0 {
        bail!("the sale broke a rule");
    }
    if charges != orders {
        bail!("{orders} orders but {charges} captured payments");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::spearman;

    #[test]
    fn rank_correlation_of_ordered_reversed_and_tied_data() {
        let up: Vec<(f64, f64)> = (0..10).map(|i| (i as f64, i as f64 * 2.0)).collect();
        assert!((spearman(&up) - 1.0).abs() < 1e-9);
        let down: Vec<(f64, f64)> = (0..10).map(|i| (i as f64, -(i as f64))).collect();
        assert!((spearman(&down) + 1.0).abs() < 1e-9);
        // Batches admitted together (ties) in order still correlate strongly.
        let batches: Vec<(f64, f64)> = (0..10).map(|i| (i as f64, (i / 5) as f64)).collect();
        assert!(spearman(&batches) > 0.8);
    }
}
