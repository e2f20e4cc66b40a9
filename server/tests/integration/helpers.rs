//! Test harness: one embedded PostgreSQL per test run, a fresh database per test, the
//! real router on a random port, and a client that talks HTTP to it.

use app::state::AppState;
use server::database::MIGRATOR;
use server::embedded_pg::{EmbeddedOptions, EmbeddedPostgres};
use server::import::{self, ImportOptions, images::ImageStore};
use sqlx::postgres::PgPoolOptions;
use sqlx::{Connection, PgConnection, PgPool};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use tokio::sync::OnceCell;

/// Where test clusters and media live: reachable by the postgres user, outside the repo.
pub fn test_root() -> PathBuf {
    PathBuf::from("/tmp/mercato-tests")
}

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

pub fn seed_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("seed/vendure-sample")
}

/// The shared media directory: images are content-addressed, so tests can share them.
pub fn media_dir() -> PathBuf {
    test_root().join("media")
}

/// A search index directory of its own for each app, removed with the run's cluster.
pub fn search_dir() -> PathBuf {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    test_root()
        .join(format!("run-{}", std::process::id()))
        .join(format!("search-{}", NEXT.fetch_add(1, Ordering::Relaxed)))
}

static CLUSTER: OnceCell<EmbeddedPostgres> = OnceCell::const_new();
static SEEDED_TEMPLATE: OnceCell<String> = OnceCell::const_new();
static NEXT_DB: AtomicU32 = AtomicU32::new(0);

/// Removes the clusters of test runs whose process is gone.
fn remove_stale_runs(root: &Path) {
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some(pid) = name
            .strip_prefix("run-")
            .and_then(|p| p.parse::<i32>().ok())
        {
            // SAFETY: signal 0 only checks whether the process exists.
            if unsafe { libc::kill(pid, 0) } != 0 {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    }
}

/// The run's cluster. It lives in a static, so it is never dropped: the postmaster
/// stops when this process exits (parent-death signal).
async fn cluster() -> &'static EmbeddedPostgres {
    CLUSTER
        .get_or_init(|| async {
            let root = test_root();
            std::fs::create_dir_all(&root).expect("create the test root");
            remove_stale_runs(&root);
            let dir = root.join(format!("run-{}", std::process::id()));
            let opts = EmbeddedOptions {
                unsafe_fast: true,
                database: "postgres".into(),
                ..Default::default()
            };
            EmbeddedPostgres::start(&dir, &opts)
                .await
                .expect("start the test cluster")
        })
        .await
}

/// Creates a database with a name no other test uses (a copy of `template` if given)
/// and returns its URL.
async fn create_database(template: Option<&str>) -> String {
    let cluster = cluster().await;
    let name = format!(
        "t{}_{}",
        std::process::id(),
        NEXT_DB.fetch_add(1, Ordering::Relaxed)
    );
    let mut conn = PgConnection::connect(&cluster.url)
        .await
        .expect("connect to the test cluster");
    let sql = match template {
        Some(t) => format!("CREATE DATABASE {name} TEMPLATE {t}"),
        None => format!("CREATE DATABASE {name}"),
    };
    sqlx::query(&sql)
        .execute(&mut conn)
        .await
        .expect("create database");
    cluster.url_for_database(&name)
}

/// A new, migrated, empty database; returns its URL.
pub async fn fresh_database() -> String {
    let url = create_database(None).await;
    let pool = PgPool::connect(&url).await.expect("connect");
    MIGRATOR.run(&pool).await.expect("migrate");
    pool.close().await;
    url
}

/// A new database holding the demo catalog, copied from a template seeded once per run.
pub async fn seeded_database() -> String {
    let template = SEEDED_TEMPLATE
        .get_or_init(|| async {
            let url = fresh_database().await;
            let pool = PgPool::connect(&url).await.expect("connect");
            let rows = import::vendure::parse(&seed_dir(), app::money::Currency::USD)
                .expect("parse the seed");
            let report = import::run(
                &pool,
                &ImageStore::new(&media_dir()),
                rows,
                &ImportOptions::default(),
            )
            .await
            .expect("import the seed");
            assert_eq!(report.inserted, 53, "{report}");
            pool.close().await;
            url.rsplit('/').next().unwrap_or_default().to_owned()
        })
        .await;
    create_database(Some(template)).await
}

/// A response as the tests see it.
pub struct Response {
    pub status: u16,
    headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    /// Every value of a header (names are case-insensitive).
    pub fn headers_named(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The body as JSON (panics with the body when it is not).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    /// A header's value (names are case-insensitive); "" when absent.
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// A minimal HTTP/1.1 GET over a fresh connection: enough for tests, and no client crate
/// whose features would change how the server binary is built.
pub async fn http_get(addr: SocketAddr, path: &str) -> Response {
    http_request(addr, "GET", path, &[], "").await
}

/// Any request: extra headers as (name, value), and a body (sent with its length).
pub async fn http_request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, String)],
    body: &str,
) -> Response {
    http_request_bytes(addr, method, path, headers, body.as_bytes()).await
}

/// Any request with a body of bytes (a file upload).
pub async fn http_request_bytes(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, String)],
    body: &[u8],
) -> Response {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nAccept-Encoding: identity\r\n"
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    if method != "GET" {
        request.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    request.push_str("\r\n");
    let mut bytes = request.into_bytes();
    bytes.extend_from_slice(body);
    // A server may answer (and stop reading) before a large body is all sent: its
    // answer is what counts.
    if let Err(e) = stream.write_all(&bytes).await {
        assert!(
            matches!(
                e.kind(),
                std::io::ErrorKind::BrokenPipe | std::io::ErrorKind::ConnectionReset
            ),
            "send: {e}"
        );
    }
    let mut raw = Vec::new();
    // A request that never ends is a failure with a name, not a hung test run.
    tokio::time::timeout(
        std::time::Duration::from_secs(30),
        stream.read_to_end(&mut raw),
    )
    .await
    .unwrap_or_else(|_| panic!("{method} {path}: no complete answer within 30 s"))
    .or_else(|e| {
        if raw.is_empty() {
            Err(e)
        } else {
            Ok(raw.len())
        }
    })
    .expect("receive");
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("end of headers");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .expect("status line");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| {
            l.split_once(':')
                .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        })
        .collect();
    let mut body = raw[split + 4..].to_vec();
    let chunked = headers
        .iter()
        .any(|(n, v)| n.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    if chunked {
        body = dechunk(&body);
    }
    Response {
        status,
        headers,
        body,
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = data.windows(2).position(|w| w == b"\r\n") {
        let size_text = String::from_utf8_lossy(&data[..eol]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("0").trim(), 16)
            .expect("chunk size");
        if size == 0 {
            break;
        }
        let start = eol + 2;
        out.extend_from_slice(&data[start..start + size]);
        data = &data[start + size + 2..];
    }
    out
}

pub struct TestApp {
    pub addr: SocketAddr,
    pub base: String,
    pub pool: PgPool,
    pub cache: std::sync::Arc<app::catalog::ssr::cache::CatalogCache>,
    pub search: std::sync::Arc<app::search::ssr::SearchService>,
    /// Stops the search indexer (if started) when dropped or sent `true`.
    pub stop: tokio::sync::watch::Sender<bool>,
    /// The sandbox payment provider this shop talks to (over HTTP on loopback).
    pub payments: app::payments::ssr::Payments,
    /// What the router serves with (for calling services and workers directly).
    pub state: AppState,
}

impl TestApp {
    pub async fn get(&self, path: &str) -> Response {
        http_get(self.addr, path).await
    }

    /// Starts the catalog cache's database listener, as the server does, and waits for it.
    pub async fn start_cache(&self) {
        tokio::spawn(app::catalog::ssr::cache::listen(
            self.pool.clone(),
            self.cache.clone(),
        ));
        assert!(
            app::notify::until_live(app::notify::Notified::freshness(&*self.cache)).await,
            "the catalog cache did not go live"
        );
    }

    /// Changes sessions behind the shop's back (as another instance or time would), then
    /// waits until the shop's session cache has heard of it from the database.
    pub async fn change_sessions(&self, sql: &str) {
        let seen = self.state.sessions.cache.freshness().generation();
        sqlx::query(sql)
            .execute(&self.pool)
            .await
            .expect("session change");
        for _ in 0..200 {
            if self.state.sessions.cache.freshness().generation() != seen {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        panic!("the session cache never heard of: {sql}");
    }

    /// Builds (or opens) the search index and follows the outbox, as the server does;
    /// returns once searches can be answered.
    pub async fn start_search(&self) {
        tokio::spawn(
            self.search
                .clone()
                .run_indexer(self.pool.clone(), self.stop.subscribe()),
        );
        for _ in 0..1000 {
            if self.search.is_ready() {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        panic!("the search index did not open");
    }

    pub async fn page(&self, path: &str) -> (u16, String) {
        let resp = self.get(path).await;
        (resp.status, resp.text())
    }
}

/// Starts the real router on 127.0.0.1:0 against `db_url`.
pub async fn spawn_app_with(db_url: &str, page_size: i64) -> TestApp {
    let pool = PgPoolOptions::new()
        .max_connections(8)
        .connect(db_url)
        .await
        .expect("connect");
    spawn_with_pool(pool, page_size).await
}

pub async fn spawn_with_pool(pool: PgPool, page_size: i64) -> TestApp {
    spawn_with(pool, page_size, None).await
}

/// A shop on `pool`; `payments` replaces the sandbox it would start for itself.
pub async fn spawn_with(
    pool: PgPool,
    page_size: i64,
    payments: Option<app::payments::ssr::Payments>,
) -> TestApp {
    spawn_with_edge(
        pool,
        page_size,
        payments,
        &server::security::EdgePolicy::standard(),
    )
    .await
}

/// A shop whose edge (rate limits, trusted proxies) follows `policy`.
pub async fn spawn_with_edge(
    pool: PgPool,
    page_size: i64,
    payments: Option<app::payments::ssr::Payments>,
    policy: &server::security::EdgePolicy,
) -> TestApp {
    spawn_configured(pool, page_size, payments, policy, |_| {}).await
}

/// A shop on `pool` whose settings `configure` changes from the defaults.
pub async fn spawn_configured(
    pool: PgPool,
    page_size: i64,
    payments: Option<app::payments::ssr::Payments>,
    policy: &server::security::EdgePolicy,
    configure: impl FnOnce(&mut server::settings::Settings),
) -> TestApp {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr: SocketAddr = listener.local_addr().expect("addr");
    let base = format!("http://{addr}");
    let (stop, stop_rx) = tokio::sync::watch::channel(false);
    // The sandbox keeps its books in this database; without one, the provider is down.
    let payments = match payments {
        Some(p) => Ok(p),
        None => {
            server::serve::payments(
                &server::settings::Settings::default(),
                &pool,
                addr,
                stop_rx.clone(),
            )
            .await
        }
    };
    let payments = match payments {
        Ok(p) => p,
        Err(_) => {
            let mut unreachable = server::settings::Settings::default();
            unreachable.payments.provider_url = Some("http://127.0.0.1:1".into());
            unreachable.payments.api_key = Some("none".into());
            unreachable.payments.webhook_secret = Some("none".into());
            unreachable.fulfilment.carrier_url = Some("http://127.0.0.1:1".into());
            unreachable.fulfilment.carrier_api_key = Some("none".into());
            server::serve::payments(&unreachable, &pool, addr, stop_rx)
                .await
                .expect("a payment client")
        }
    };
    // The state as the server builds it (its pools, the cart pool among them, caches,
    // rules), with a search index of its own and the shared test media.
    let mut settings = server::settings::Settings {
        data_dir: search_dir(),
        ..Default::default()
    };
    settings.catalog.page_size = page_size;
    configure(&mut settings);
    let database = server::database::Database::from_pool(pool.clone(), &settings);
    let mut state = server::state::build(&settings, &database, &base, payments.clone());
    state.media_dir = media_dir();
    // Sessions are remembered across requests as the server does, once its listener is
    // live (never, for a shop whose database is down: it runs without the cache).
    tokio::spawn(app::notify::listen(
        pool.clone(),
        state.sessions.cache.clone(),
    ));
    app::notify::until_live(state.sessions.cache.freshness()).await;
    server::http::spawn(listener, state.clone(), policy);
    TestApp {
        addr,
        base,
        pool,
        cache: state.catalog.cache.clone(),
        search: state.search.clone(),
        stop,
        payments,
        state,
    }
}

/// A seeded shop on a fresh database.
pub async fn spawn_shop() -> TestApp {
    spawn_app_with(&seeded_database().await, 12).await
}

/// A seeded shop whose edge follows `policy`.
pub async fn spawn_shop_with_edge(policy: &server::security::EdgePolicy) -> TestApp {
    let pool = PgPoolOptions::new()
        .max_connections(8)
        .connect(&seeded_database().await)
        .await
        .expect("connect");
    spawn_with_edge(pool, 12, None, policy).await
}

/// The last e-mail queued for `to` whose subject contains `subject`: (subject, body).
pub async fn last_email(app: &TestApp, to: &str, subject: &str) -> Option<(String, String)> {
    sqlx::query_as(
        "SELECT subject, body FROM emails WHERE to_address = $1 AND subject LIKE '%' || $2 || '%'
          ORDER BY id DESC LIMIT 1",
    )
    .bind(to)
    .bind(subject)
    .fetch_optional(&app.pool)
    .await
    .expect("read the e-mail outbox")
}

/// The `token=` of the link in an e-mail's body.
pub fn link_token(body: &str) -> String {
    body.split("token=")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no link with a token in: {body}"))
        .to_owned()
}

/// Signs up in `b` and opens the confirmation link the shop e-mailed, as a new customer
/// does: `b` is signed in afterwards. Returns the confirmation's answer.
pub async fn sign_up_confirmed(
    app: &TestApp,
    b: &Browser,
    email: &str,
    password: &str,
    name: &str,
) -> Response {
    let r = b
        .call(
            "/api/account/sign-up",
            &[("email", email), ("password", password), ("name", name)],
        )
        .await;
    assert_eq!(r.status, 200, "sign-up: {}", r.text());
    let address = app::account::model::normalize_email(email).expect("a valid address");
    let (_, body) = last_email(app, &address, "Confirm your Mercato account")
        .await
        .expect("a confirmation e-mail");
    let r = b
        .call(
            "/api/account/confirm",
            &[("token", &link_token(&body)), ("password", password)],
        )
        .await;
    assert_eq!(r.status, 200, "confirm: {}", r.text());
    r
}

/// Every `href="..."` value in a page, in order.
pub fn hrefs(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(|s| s.replace("&amp;", "&"))
        .collect()
}

/// Form fields as (name, value).
pub type Fields<'a> = &'a [(&'a str, &'a str)];

/// Percent-encodes form fields as a browser does (`application/x-www-form-urlencoded`).
pub fn form(fields: &[(&str, &str)]) -> String {
    let query = app::url::to_query(fields.iter().copied());
    query.trim_start_matches('?').to_owned()
}

/// A browser for tests: keeps its cookies, and calls server functions either as the
/// WASM does (JSON back) or as a plain form post with JavaScript off (redirect back).
#[derive(Clone)]
pub struct Browser {
    pub addr: SocketAddr,
    pub cookies: std::sync::Arc<std::sync::Mutex<Vec<(String, String)>>>,
}

impl Browser {
    pub fn new(app: &TestApp) -> Self {
        Browser {
            addr: app.addr,
            cookies: Default::default(),
        }
    }

    pub fn cookie(&self, name: &str) -> Option<String> {
        let jar = self.cookies.lock().unwrap();
        jar.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone())
    }

    pub fn set_cookie(&self, name: &str, value: &str) {
        let mut jar = self.cookies.lock().unwrap();
        jar.retain(|(n, _)| n != name);
        jar.push((name.to_owned(), value.to_owned()));
    }

    fn cookie_header(&self) -> Vec<(&'static str, String)> {
        let jar = self.cookies.lock().unwrap();
        if jar.is_empty() {
            return vec![];
        }
        let text = jar
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        vec![("Cookie", text)]
    }

    fn keep_cookies(&self, response: &Response) {
        for set in response.headers_named("set-cookie") {
            let pair = set.split(';').next().unwrap_or_default();
            let Some((name, value)) = pair.split_once('=') else {
                continue;
            };
            let mut jar = self.cookies.lock().unwrap();
            jar.retain(|(n, _)| n != name);
            if !value.is_empty() && !set.contains("Max-Age=0") {
                jar.push((name.to_owned(), value.to_owned()));
            }
        }
    }

    /// A page, as a browser asks for it.
    pub async fn get(&self, path: &str) -> Response {
        let mut headers = self.cookie_header();
        headers.push(("Accept", "text/html,application/xhtml+xml".into()));
        let response = http_request(self.addr, "GET", path, &headers, "").await;
        self.keep_cookies(&response);
        response
    }

    /// A server function called the way the WASM calls it.
    pub async fn call(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        self.post(path, fields, "application/json", &[]).await
    }

    /// A form posted with JavaScript off, from `referer`.
    pub async fn submit(&self, path: &str, fields: &[(&str, &str)], referer: &str) -> Response {
        let referer = format!("http://{}{referer}", self.addr);
        self.post(
            path,
            fields,
            "text/html,application/xhtml+xml",
            &[("Referer", referer)],
        )
        .await
    }

    pub async fn post(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        accept: &str,
        extra: &[(&'static str, String)],
    ) -> Response {
        let mut headers = self.cookie_header();
        headers.push(("Content-Type", "application/x-www-form-urlencoded".into()));
        headers.push(("Accept", accept.into()));
        // Browsers say where a post comes from (the shop refuses a post that carries its
        // session cookie and says nothing).
        if !extra.iter().any(|(n, _)| n.eq_ignore_ascii_case("origin")) {
            headers.push(("Origin", format!("http://{}", self.addr)));
        }
        headers.extend(extra.iter().cloned());
        let response = http_request(self.addr, "POST", path, &headers, &form(fields)).await;
        self.keep_cookies(&response);
        response
    }
}

impl Browser {
    /// A form with files posted as `multipart/form-data` (fields first, in order), the
    /// way the WASM-less browser sends a file input; `accept` says who is asking.
    pub async fn upload(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &str, &[u8])],
        accept: &str,
    ) -> Response {
        let boundary = "----mercato-test-boundary-7d1f";
        let mut body = Vec::new();
        for (name, value) in fields {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                )
                .as_bytes(),
            );
        }
        for (name, file_name, bytes) in files {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: text/csv\r\n\r\n"
                )
                .as_bytes(),
            );
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let mut headers = self.cookie_header();
        headers.push((
            "Content-Type",
            format!("multipart/form-data; boundary={boundary}"),
        ));
        headers.push(("Accept", accept.into()));
        headers.push(("Origin", format!("http://{}", self.addr)));
        let response = http_request_bytes(self.addr, "POST", path, &headers, &body).await;
        self.keep_cookies(&response);
        response
    }
}

/// The credentials of a sandbox provider a test runs on its own.
pub const SANDBOX_KEY: &str = "sk_test_sandbox";
pub const SANDBOX_SECRET: &str = "whsec_test";

/// Runs the sandbox provider on its own (as `server payments-sandbox` does) with known
/// credentials until `stop`, keeping its books in `pool`'s database; returns its URL.
pub async fn standalone_sandbox(
    pool: &PgPool,
    slow_card_delay: std::time::Duration,
    stop: tokio::sync::watch::Receiver<bool>,
) -> String {
    let sandbox = server::sandbox::Sandbox::open(
        pool.clone(),
        server::sandbox::SandboxSettings {
            api_key: SANDBOX_KEY.into(),
            webhook_url: None,
            webhook_secret: SANDBOX_SECRET.into(),
            slow_card_delay,
            delivery_delay: std::time::Duration::from_secs(1),
        },
    )
    .await
    .expect("the sandbox's schema");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(sandbox.run(listener, stop));
    url
}

/// Settings whose payment client talks to the standalone sandbox at `url`.
pub fn sandbox_client(url: &str) -> server::settings::Settings {
    let mut settings = server::settings::Settings::default();
    settings.payments.provider_url = Some(url.to_owned());
    settings.payments.api_key = Some(SANDBOX_KEY.into());
    settings.payments.webhook_secret = Some(SANDBOX_SECRET.into());
    settings
}

/// Asks a standalone sandbox for faults through its HTTP API.
pub async fn sandbox_faults(url: &str, body: &str) {
    let r = reqwest::Client::new()
        .post(format!("{url}/v1/sandbox/faults"))
        .bearer_auth(SANDBOX_KEY)
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .expect("the sandbox answers");
    assert_eq!(r.status(), 204);
}

/// Runs the futures at the same time (each on its own task) and returns their outputs in
/// order.
pub async fn all_at_once<F, T>(futures: impl IntoIterator<Item = F>) -> Vec<T>
where
    F: std::future::Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let handles: Vec<_> = futures.into_iter().map(tokio::spawn).collect();
    let mut out = Vec::with_capacity(handles.len());
    for h in handles {
        out.push(h.await.expect("a task of the test panicked"));
    }
    out
}
