//! Search benchmark: Mercato's tantivy read model against PostgreSQL full-text search
//! (a weighted tsvector with a GIN index, ranked by ts_rank) on the same generated
//! catalog, in the same run, at each size.
//!
//! For each size it reports bulk indexing throughput (a full rebuild from PostgreSQL,
//! the `reindex` path), the index size on disk, and p50/p99 latency for a fixed query
//! mix (single term, several terms, misspelled, faceted, autocomplete): in process, over
//! HTTP on loopback (the real router, `/api/v1/search` and `/api/v1/suggest`), and
//! through PostgreSQL, printed with ratios.

use anyhow::Context as _;
use app::catalog::ids::Slug;
use app::search::params::SearchParams;
use clap::Parser;
use server::database;
use server::generate::{GeneratedProduct, Generator};
use server::settings::Settings;
use sqlx::PgPool;
use std::collections::HashMap;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};

/// The server's allocator, so in-process figures match the shop's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(about = "Benchmark search: tantivy against PostgreSQL full-text search")]
struct Args {
    /// Catalog sizes, ascending (each run adds products to the previous one).
    #[arg(long, value_delimiter = ',', default_value = "10000,100000,1000000")]
    sizes: Vec<u64>,
    /// Queries per class of the mix.
    #[arg(long, default_value_t = 200)]
    queries: usize,
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Also print where the in-process time goes, stage by stage.
    #[arg(long)]
    breakdown: bool,
    /// Where the embedded PostgreSQL and the index live (a fresh temporary directory by default).
    /// A kept directory is reused: products already loaded are not loaded again.
    #[arg(long)]
    data_dir: Option<std::path::PathBuf>,
    /// Only run the mix in process, this many times over, and print its latencies (for
    /// profiling; no HTTP or PostgreSQL figures).
    #[arg(long)]
    in_process_rounds: Option<usize>,
    /// With `--in-process-rounds`: only these classes (single, multi, misspelled,
    /// faceted, autocomplete).
    #[arg(long, value_delimiter = ',')]
    classes: Vec<String>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Class {
    Single,
    Multi,
    Misspelled,
    Faceted,
    Autocomplete,
}

impl Class {
    const ALL: [Class; 5] = [
        Class::Single,
        Class::Multi,
        Class::Misspelled,
        Class::Faceted,
        Class::Autocomplete,
    ];
    fn name(self) -> &'static str {
        match self {
            Class::Single => "single term",
            Class::Multi => "several terms",
            Class::Misspelled => "misspelled",
            Class::Faceted => "faceted",
            Class::Autocomplete => "autocomplete",
        }
    }
}

/// One query of the mix, in the storefront's URL form and as PostgreSQL needs it.
struct Query {
    class: Class,
    /// `q=...&brand=...` (search) or the typed prefix (autocomplete).
    url: String,
    text: String,
    brand: Option<String>,
    price_max: Option<i64>,
}

fn words(title: &str) -> Vec<String> {
    title
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() >= 4 && w.chars().all(|c| c.is_ascii_alphabetic()))
        .map(str::to_lowercase)
        .collect()
}

/// One typo: two inner letters swapped, or one dropped.
fn misspell(word: &str, n: usize) -> String {
    let mut chars: Vec<char> = word.chars().collect();
    if chars.len() >= 5 {
        let i = 1 + n % (chars.len() - 3);
        if n.is_multiple_of(2) {
            chars.swap(i, i + 1);
        } else {
            chars.remove(i);
        }
    }
    chars.into_iter().collect()
}

fn encode(s: &str) -> String {
    app::url::encode(s)
}

/// A fixed mix drawn from the catalog's own products (so queries have answers).
fn mix(generator: &Generator, size: u64, per_class: usize) -> Vec<Query> {
    let mut out = Vec::new();
    let step = (size / per_class as u64).max(1);
    for n in 0..per_class {
        let p = generator.product((n as u64 * step + 7) % size);
        let w = words(&p.title);
        let Some(noun) = w.last().cloned() else {
            continue;
        };
        let first = w.first().cloned().unwrap_or_default();
        let brand = Slug::from_title(&p.brand).map(|s| s.to_string()).ok();
        out.push(Query {
            class: Class::Single,
            url: format!("q={}", encode(&noun)),
            text: noun.clone(),
            brand: None,
            price_max: None,
        });
        let two = format!("{first} {noun}");
        out.push(Query {
            class: Class::Multi,
            url: format!("q={}", encode(&two)),
            text: two,
            brand: None,
            price_max: None,
        });
        let typo = misspell(&noun, n);
        out.push(Query {
            class: Class::Misspelled,
            url: format!("q={}", encode(&typo)),
            text: typo,
            brand: None,
            price_max: None,
        });
        let max = (p.variants[0].price_minor * 2).max(1000);
        out.push(Query {
            class: Class::Faceted,
            url: format!(
                "q={}&brand={}&price=-{max}&in_stock=1",
                encode(&noun),
                brand.clone().unwrap_or_default()
            ),
            text: noun.clone(),
            brand,
            price_max: Some(max),
        });
        let prefix: String = first.chars().take(3 + n % 3).collect();
        out.push(Query {
            class: Class::Autocomplete,
            url: prefix.clone(),
            text: prefix,
            brand: None,
            price_max: None,
        });
    }
    out
}

#[derive(Default, Clone)]
struct Stats {
    samples: Vec<Duration>,
    hits: u64,
}

impl Stats {
    fn pct(&self, p: f64) -> Duration {
        let mut s = self.samples.clone();
        s.sort_unstable();
        if s.is_empty() {
            return Duration::ZERO;
        }
        s[((s.len() - 1) as f64 * p).round() as usize]
    }
}

fn ms(d: Duration) -> String {
    format!("{:.3}", d.as_secs_f64() * 1000.0)
}

fn ratio(slow: Duration, fast: Duration) -> String {
    format!("{:.0}x", slow.as_secs_f64() / fast.as_secs_f64().max(1e-9))
}

// ---------------------------------------------------------------------------------
// Loading the generated catalog with COPY.

#[derive(Default)]
struct Ids {
    categories: HashMap<String, i64>,
    brands: HashMap<String, i64>,
    attributes: HashMap<String, i64>,
}

async fn category_id(pool: &PgPool, ids: &mut Ids, names: &[String]) -> anyhow::Result<i64> {
    let mut parent: Option<i64> = None;
    let mut path = String::new();
    for name in names {
        let slug = Slug::from_title(name)?.to_string();
        if !path.is_empty() {
            path.push('/');
        }
        path.push_str(&slug);
        if let Some(&id) = ids.categories.get(&path) {
            parent = Some(id);
            continue;
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO categories (parent_id, slug, path, name) VALUES ($1, $2, $3, $4)
             ON CONFLICT (path) DO UPDATE SET name = EXCLUDED.name RETURNING id",
        )
        .bind(parent)
        .bind(&slug)
        .bind(&path)
        .bind(name)
        .fetch_one(pool)
        .await?;
        ids.categories.insert(path.clone(), id);
        parent = Some(id);
    }
    parent.context("a category has levels")
}

async fn reference_ids(
    pool: &PgPool,
    ids: &mut Ids,
    p: &GeneratedProduct,
) -> anyhow::Result<(i64, i64)> {
    let category = category_id(pool, ids, &p.category).await?;
    let slug = Slug::from_title(&p.brand)?.to_string();
    let brand = match ids.brands.get(&slug) {
        Some(&id) => id,
        None => {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO brands (slug, name) VALUES ($1, $2)
                 ON CONFLICT (slug) DO UPDATE SET name = EXCLUDED.name RETURNING id",
            )
            .bind(&slug)
            .bind(&p.brand)
            .fetch_one(pool)
            .await?;
            ids.brands.insert(slug, id);
            id
        }
    };
    for (code, _) in &p.attributes {
        if !ids.attributes.contains_key(code) {
            let name = code.replace('_', " ");
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO attributes (code, name, kind) VALUES ($1, $2, 'text')
                 ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name RETURNING id",
            )
            .bind(code)
            .bind(name)
            .fetch_one(pool)
            .await?;
            ids.attributes.insert(code.clone(), id);
        }
    }
    Ok((category, brand))
}

async fn copy(pool: &PgPool, statement: &str, data: Vec<u8>) -> anyhow::Result<()> {
    let mut conn = pool.acquire().await?;
    let mut sink = conn.copy_in_raw(statement).await?;
    sink.send(data).await?;
    sink.finish().await?;
    Ok(())
}

/// Adds products `from..to` with COPY. Catalog triggers (history, outbox, notifications)
/// are off for the bulk load: the benchmark measures search, not the write path.
async fn load(
    pool: &PgPool,
    generator: &Generator,
    ids: &mut Ids,
    from: u64,
    to: u64,
) -> anyhow::Result<()> {
    const CHUNK: u64 = 50_000;
    for table in [
        "products",
        "variants",
        "product_attributes",
        "product_popularity",
    ] {
        sqlx::query(&format!("ALTER TABLE {table} DISABLE TRIGGER USER"))
            .execute(pool)
            .await?;
    }
    let mut start = from;
    while start < to {
        let end = (start + CHUNK).min(to);
        let mut products = csv::Writer::from_writer(Vec::new());
        let mut variants = csv::Writer::from_writer(Vec::new());
        let mut attrs = csv::Writer::from_writer(Vec::new());
        let mut popularity = csv::Writer::from_writer(Vec::new());
        let now = chrono_now_secs();
        for i in start..end {
            let p = generator.product(i);
            let (category, brand) = reference_ids(pool, ids, &p).await?;
            let id = (i + 1) as i64;
            let created = now - i64::from(p.created_days_ago) * 86_400;
            products.write_record([
                id.to_string(),
                p.handle.clone(),
                p.title.clone(),
                p.description.clone(),
                brand.to_string(),
                category.to_string(),
                "active".into(),
                p.featured.to_string(),
                chrono::DateTime::from_timestamp(created, 0)
                    .unwrap_or_default()
                    .to_rfc3339(),
            ])?;
            for (n, v) in p.variants.iter().enumerate() {
                variants.write_record([
                    id.to_string(),
                    v.sku.clone(),
                    n.to_string(),
                    v.price_minor.to_string(),
                    v.currency.to_owned(),
                    v.stock_on_hand.to_string(),
                    format!(
                        "{{{}}}",
                        v.options
                            .iter()
                            .map(|o| format!("\"{}\"", o.replace('"', "")))
                            .collect::<Vec<_>>()
                            .join(",")
                    ),
                ])?;
            }
            for (pos, (code, value)) in p.attributes.iter().enumerate() {
                attrs.write_record([
                    id.to_string(),
                    ids.attributes[code].to_string(),
                    pos.to_string(),
                    value.clone(),
                ])?;
            }
            popularity.write_record([id.to_string(), p.units_sold.to_string()])?;
        }
        copy(
            pool,
            "COPY products (id, slug, title, description, brand_id, category_id, status, featured, created_at)
             FROM STDIN WITH (FORMAT csv)",
            products.into_inner()?,
        )
        .await?;
        copy(
            pool,
            "COPY variants (product_id, sku, position, price_minor, currency, stock_on_hand, option_values) FROM STDIN WITH (FORMAT csv)",
            variants.into_inner()?,
        )
        .await?;
        copy(
            pool,
            "COPY product_attributes (product_id, attribute_id, position, value_text) FROM STDIN WITH (FORMAT csv)",
            attrs.into_inner()?,
        )
        .await?;
        copy(
            pool,
            "COPY product_popularity (product_id, units_sold) FROM STDIN WITH (FORMAT csv)",
            popularity.into_inner()?,
        )
        .await?;
        start = end;
    }
    for table in [
        "products",
        "variants",
        "product_attributes",
        "product_popularity",
    ] {
        sqlx::query(&format!("ALTER TABLE {table} ENABLE TRIGGER USER"))
            .execute(pool)
            .await?;
    }
    sqlx::query(
        "SELECT setval(pg_get_serial_sequence('products', 'id'), (SELECT max(id) FROM products))",
    )
    .execute(pool)
    .await?;
    sqlx::query("ANALYZE").execute(pool).await?;
    Ok(())
}

fn chrono_now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

// ---------------------------------------------------------------------------------
// PostgreSQL full-text search, the baseline.

async fn build_fts(pool: &PgPool) -> anyhow::Result<(Duration, i64)> {
    let start = Instant::now();
    sqlx::query("DROP TABLE IF EXISTS fts_docs")
        .execute(pool)
        .await?;
    sqlx::query(
        "CREATE TABLE fts_docs AS
         SELECT d.id, d.brand_slug, d.min_price, d.in_stock,
                setweight(to_tsvector('english', d.title), 'A')
                || setweight(to_tsvector('english', coalesce(d.brand_name, '')), 'B')
                || setweight(to_tsvector('english', coalesce(c.name, '') || ' ' || array_to_string(d.attribute_values, ' ')), 'C')
                || setweight(to_tsvector('english', d.description), 'D') AS doc
         FROM search_documents d
         LEFT JOIN categories c ON c.path = d.category_path",
    )
    .execute(pool)
    .await?;
    sqlx::query("CREATE INDEX fts_docs_doc ON fts_docs USING gin (doc)")
        .execute(pool)
        .await?;
    sqlx::query("ANALYZE fts_docs").execute(pool).await?;
    let bytes: i64 = sqlx::query_scalar("SELECT pg_total_relation_size('fts_docs')")
        .fetch_one(pool)
        .await?;
    Ok((start.elapsed(), bytes))
}

/// The baseline answers with less than Mercato does (no typo tolerance, no synonyms, a
/// single brand facet): the top 24 by ts_rank, the total, and for faceted queries the
/// filter and brand counts.
async fn pg_query(pool: &PgPool, q: &Query) -> anyhow::Result<u64> {
    match q.class {
        Class::Autocomplete => {
            let tsq: String = q.text.chars().filter(|c| c.is_alphanumeric()).collect();
            let rows: Vec<i64> = sqlx::query_scalar(
                "SELECT id FROM fts_docs, to_tsquery('english', $1 || ':*') q
                 WHERE doc @@ q ORDER BY ts_rank(doc, q) DESC LIMIT 6",
            )
            .bind(tsq)
            .fetch_all(pool)
            .await?;
            Ok(rows.len() as u64)
        }
        Class::Faceted => {
            let rows: Vec<i64> = sqlx::query_scalar(
                "SELECT id FROM fts_docs, websearch_to_tsquery('english', $1) q
                 WHERE doc @@ q AND brand_slug = $2 AND min_price < $3 AND in_stock
                 ORDER BY ts_rank(doc, q) DESC LIMIT 24",
            )
            .bind(&q.text)
            .bind(&q.brand)
            .bind(q.price_max)
            .fetch_all(pool)
            .await?;
            let _facets: Vec<(Option<String>, i64)> = sqlx::query_as(
                "SELECT brand_slug, count(*) FROM fts_docs
                 WHERE doc @@ websearch_to_tsquery('english', $1) AND min_price < $2 AND in_stock
                 GROUP BY brand_slug",
            )
            .bind(&q.text)
            .bind(q.price_max)
            .fetch_all(pool)
            .await?;
            Ok(rows.len() as u64)
        }
        _ => {
            let rows: Vec<i64> = sqlx::query_scalar(
                "SELECT id FROM fts_docs, websearch_to_tsquery('english', $1) q
                 WHERE doc @@ q ORDER BY ts_rank(doc, q) DESC LIMIT 24",
            )
            .bind(&q.text)
            .fetch_all(pool)
            .await?;
            let total: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM fts_docs WHERE doc @@ websearch_to_tsquery('english', $1)",
            )
            .bind(&q.text)
            .fetch_one(pool)
            .await?;
            Ok(total.max(rows.len() as i64) as u64)
        }
    }
}

// ---------------------------------------------------------------------------------
// A minimal keep-alive HTTP/1.1 client (loopback only).

struct Http {
    reader: BufReader<tokio::net::TcpStream>,
}

impl Http {
    async fn connect(addr: std::net::SocketAddr) -> anyhow::Result<Self> {
        let stream = tokio::net::TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(Http {
            reader: BufReader::new(stream),
        })
    }

    async fn get(&mut self, path: &str) -> anyhow::Result<(u16, Vec<u8>)> {
        let request =
            format!("GET {path} HTTP/1.1\r\nHost: bench\r\nAccept: application/json\r\n\r\n");
        self.reader.get_mut().write_all(request.as_bytes()).await?;
        let mut line = String::new();
        self.reader.read_line(&mut line).await?;
        let status: u16 = line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .context("status line")?;
        let mut length = 0usize;
        loop {
            line.clear();
            self.reader.read_line(&mut line).await?;
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some((k, v)) = l.split_once(':')
                && k.eq_ignore_ascii_case("content-length")
            {
                length = v.trim().parse()?;
            }
        }
        let mut body = vec![0; length];
        self.reader.read_exact(&mut body).await?;
        Ok((status, body))
    }
}

// ---------------------------------------------------------------------------------

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let dir = match &args.data_dir {
        Some(d) => d.clone(),
        None => std::env::temp_dir().join(format!("mercato-search-bench-{}", std::process::id())),
    };
    std::fs::create_dir_all(&dir)?;
    let result = run(&args, &dir).await;
    if args.data_dir.is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    result
}

async fn run(args: &Args, dir: &std::path::Path) -> anyhow::Result<()> {
    let mut settings = Settings::load()?;
    settings.data_dir = dir.to_owned();
    settings.postgres.unsafe_fast = true;
    settings.catalog.default_currency = "GBP".into();
    settings.database.max_connections = 8;
    let database = database::open(&settings).await?;
    let pool = database.db.primary.clone();

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let (_payments_stop, payments_stop_rx) = tokio::sync::watch::channel(false);
    let payments = server::serve::payments(&settings, &pool, addr, payments_stop_rx).await?;
    let state = server::state::build(&settings, &database, &format!("http://{addr}"), payments);
    let search = state.search.clone();
    server::http::spawn(listener, state, &server::security::EdgePolicy::unlimited());

    println!(
        "Search benchmark: tantivy (Mercato) against PostgreSQL full-text search (tsvector + GIN + ts_rank)"
    );
    println!(
        "machine: {} cores; {} queries per class; seed {}; latencies in ms; ratio = PostgreSQL / tantivy",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1),
        args.queries,
        args.seed
    );
    let generator = Generator::new(args.seed);
    let mut ids = Ids::default();
    let mut loaded: u64 = sqlx::query_scalar::<_, i64>("SELECT count(*) FROM products")
        .fetch_one(&pool)
        .await? as u64;
    for &size in &args.sizes {
        println!("\n== {size} products ==");
        let t = Instant::now();
        if loaded < size {
            load(&pool, &generator, &mut ids, loaded, size).await?;
            loaded = size;
            println!(
                "loaded into PostgreSQL with COPY in {:.1} s",
                t.elapsed().as_secs_f64()
            );
        } else {
            anyhow::ensure!(
                loaded == size,
                "the kept data directory has {loaded} products, more than {size}"
            );
        }

        let report = search.rebuild(&pool, |_, _| {}).await?;
        println!(
            "tantivy: indexed {} documents from PostgreSQL in {:.1} s = {:.0} documents/s; {:.1} MB on disk",
            report.documents,
            report.elapsed.as_secs_f64(),
            report.docs_per_second(),
            report.bytes_on_disk as f64 / 1e6
        );
        search.load_context(&pool).await?;
        let queries = mix(&generator, size, args.queries);
        if let Some(rounds) = args.in_process_rounds {
            let chosen: Vec<Query> = queries
                .into_iter()
                .filter(|q| {
                    args.classes.is_empty()
                        || args
                            .classes
                            .iter()
                            .any(|c| q.class.name().starts_with(c.as_str()))
                })
                .collect();
            in_process_only(&search, &chosen, rounds)?;
            continue;
        }
        let (fts_time, fts_bytes) = build_fts(&pool).await?;
        println!(
            "postgres: tsvector table + GIN index built in {:.1} s; {:.1} MB",
            fts_time.as_secs_f64(),
            fts_bytes as f64 / 1e6
        );

        if args.breakdown {
            breakdown(&search, &queries)?;
        }
        let mut inproc: HashMap<&'static str, Stats> = HashMap::new();
        let mut http: HashMap<&'static str, Stats> = HashMap::new();
        let mut pg: HashMap<&'static str, Stats> = HashMap::new();
        let mut client = Http::connect(addr).await?;

        // Each engine runs the whole mix on its own, one after the other, after a warm-up
        // of its own: each is measured in its steady state, not right after the other
        // has filled the caches with its own data.
        for q in queries.iter().take(25) {
            run_inproc(&search, q)?;
        }
        for q in &queries {
            let t = Instant::now();
            let hits = run_inproc(&search, q)?;
            let s = inproc.entry(q.class.name()).or_default();
            s.samples.push(t.elapsed());
            s.hits += hits;
        }
        let path = |q: &Query| match q.class {
            Class::Autocomplete => format!("/api/v1/suggest?q={}", encode(&q.url)),
            _ => format!("/api/v1/search?{}", q.url),
        };
        for q in queries.iter().take(25) {
            client.get(&path(q)).await?;
        }
        for q in &queries {
            let path = path(q);
            let t = Instant::now();
            let (status, _) = client.get(&path).await?;
            anyhow::ensure!(status == 200, "{path}: HTTP {status}");
            http.entry(q.class.name())
                .or_default()
                .samples
                .push(t.elapsed());
        }
        for q in queries.iter().take(25) {
            pg_query(&pool, q).await?;
        }
        for q in &queries {
            let t = Instant::now();
            let hits = pg_query(&pool, q).await?;
            let s = pg.entry(q.class.name()).or_default();
            s.samples.push(t.elapsed());
            s.hits += hits;
        }
        println!(
            "{:<14} {:>9} {:>9} | {:>9} {:>9} | {:>9} {:>9} | {:>7} {:>7} | {:>10} {:>10}",
            "query",
            "tv p50",
            "tv p99",
            "http p50",
            "http p99",
            "pg p50",
            "pg p99",
            "x p50",
            "x p99",
            "tv hits",
            "pg hits"
        );
        let mut all = (Stats::default(), Stats::default(), Stats::default());
        for class in Class::ALL {
            let (a, h, p) = (
                &inproc[class.name()],
                &http[class.name()],
                &pg[class.name()],
            );
            all.0.samples.extend(&a.samples);
            all.1.samples.extend(&h.samples);
            all.2.samples.extend(&p.samples);
            println!(
                "{:<14} {:>9} {:>9} | {:>9} {:>9} | {:>9} {:>9} | {:>7} {:>7} | {:>10} {:>10}",
                class.name(),
                ms(a.pct(0.5)),
                ms(a.pct(0.99)),
                ms(h.pct(0.5)),
                ms(h.pct(0.99)),
                ms(p.pct(0.5)),
                ms(p.pct(0.99)),
                ratio(p.pct(0.5), a.pct(0.5)),
                ratio(p.pct(0.99), a.pct(0.99)),
                a.hits,
                p.hits
            );
        }
        println!(
            "{:<14} {:>9} {:>9} | {:>9} {:>9} | {:>9} {:>9} | {:>7} {:>7} |",
            "whole mix",
            ms(all.0.pct(0.5)),
            ms(all.0.pct(0.99)),
            ms(all.1.pct(0.5)),
            ms(all.1.pct(0.99)),
            ms(all.2.pct(0.5)),
            ms(all.2.pct(0.99)),
            ratio(all.2.pct(0.5), all.0.pct(0.5)),
            ratio(all.2.pct(0.99), all.0.pct(0.99)),
        );
    }
    database.close().await;
    Ok(())
}

/// One query in process, as the page's server function runs it; returns the hits.
fn run_inproc(
    search: &std::sync::Arc<app::search::ssr::SearchService>,
    q: &Query,
) -> anyhow::Result<u64> {
    Ok(match q.class {
        Class::Autocomplete => search
            .suggest_now(&q.text, app::search::api::SUGGESTED_PRODUCTS)
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .len() as u64,
        _ => {
            let params =
                SearchParams::from_query(&q.url).map_err(|e| anyhow::anyhow!("{}: {e}", q.url))?;
            search
                .search_now(&params)
                .map_err(|e| anyhow::anyhow!("{e}"))?
                .total
        }
    })
}

/// The mix in process only, `rounds` times over: per-class p50/p99.
fn in_process_only(
    search: &std::sync::Arc<app::search::ssr::SearchService>,
    queries: &[Query],
    rounds: usize,
) -> anyhow::Result<()> {
    if let Some(index) = search.index() {
        let searcher = index.reader.searcher();
        let compact = searcher
            .segment_readers()
            .iter()
            .filter(|s| index.tables.of(s).is_ok_and(|t| t.is_compact()))
            .count();
        println!(
            "{} segments, {compact} with compact facet rows",
            searcher.segment_readers().len()
        );
    }
    let mut stats: HashMap<&'static str, Stats> = HashMap::new();
    let mut all = Stats::default();
    for q in queries.iter().take(25) {
        run_inproc(search, q)?;
    }
    for _ in 0..rounds {
        for q in queries {
            let t = Instant::now();
            let hits = run_inproc(search, q)?;
            let elapsed = t.elapsed();
            let s = stats.entry(q.class.name()).or_default();
            s.samples.push(elapsed);
            s.hits += hits;
            all.samples.push(elapsed);
        }
    }
    println!("{:<14} {:>9} {:>9}", "query", "tv p50", "tv p99");
    for class in Class::ALL {
        let Some(s) = stats.get(class.name()) else {
            continue;
        };
        println!(
            "{:<14} {:>9} {:>9}",
            class.name(),
            ms(s.pct(0.5)),
            ms(s.pct(0.99))
        );
    }
    println!(
        "{:<14} {:>9} {:>9}",
        "whole mix",
        ms(all.pct(0.5)),
        ms(all.pct(0.99))
    );
    Ok(())
}

/// One stage of the breakdown, run for each query.
type Stage<'a> = Box<dyn FnMut(&Query) -> anyhow::Result<()> + 'a>;

/// Where the time of a search goes: each stage run alone over the same queries.
fn breakdown(
    search: &std::sync::Arc<app::search::ssr::SearchService>,
    queries: &[Query],
) -> anyhow::Result<()> {
    use app::search::ssr::facets::{Dims, FacetCollector};
    use app::search::ssr::query::{self, Analysed, Analyzers, Synonyms};
    use tantivy::collector::{Count, TopDocs};
    let index = search.index().context("index open")?;
    let searcher = index.reader.searcher();
    let f = &index.fields;
    let synonyms = Synonyms::default();
    let mut stages: Vec<(&str, Duration)> = Vec::new();
    let mut time = |name: &'static str, mut run: Stage<'_>| -> anyhow::Result<()> {
        let t = Instant::now();
        for q in queries.iter().filter(|q| q.class != Class::Autocomplete) {
            run(q)?;
        }
        stages.push((name, t.elapsed()));
        Ok(())
    };
    let build = |q: &Query| {
        let params = SearchParams::from_query(&q.url).unwrap();
        let mut an = Analyzers::default();
        let mut a = Analysed::new(&params.q, &synonyms, &mut an, true);
        a.mark_known(|_, _| true);
        let text = query::text_query(f, &a, 0, query::Mode::Match);
        let filters = query::filters(f, &params);
        query::combine(text.as_ref(), &filters, None, &index.tables)
    };
    time(
        "parse + analyse + build query",
        Box::new(|q| {
            build(q);
            Ok(())
        }),
    )?;
    time(
        "count only",
        Box::new(|q| {
            searcher.search(build(q).as_ref(), &Count)?;
            Ok(())
        }),
    )?;
    time(
        "top 24 (bm25)",
        Box::new(|q| {
            searcher.search(build(q).as_ref(), &TopDocs::with_limit(24))?;
            Ok(())
        }),
    )?;
    time(
        "facets only",
        Box::new(|q| {
            searcher.search(
                build(q).as_ref(),
                &FacetCollector::exact(Dims::ALL, index.tables.clone()),
            )?;
            Ok(())
        }),
    )?;
    time(
        "top 24 + fetch stored",
        Box::new(|q| {
            for (_, addr) in searcher.search(build(q).as_ref(), &TopDocs::with_limit(24))? {
                let _: tantivy::TantivyDocument = searcher.doc(addr)?;
            }
            Ok(())
        }),
    )?;
    time(
        "whole search",
        Box::new(|q| {
            search
                .search_now(&SearchParams::from_query(&q.url).unwrap())
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            Ok(())
        }),
    )?;
    let n = queries
        .iter()
        .filter(|q| q.class != Class::Autocomplete)
        .count()
        .max(1) as u32;
    for (name, total) in stages {
        println!("  {name:<32} {} ms per query", ms(total / n));
    }
    Ok(())
}
