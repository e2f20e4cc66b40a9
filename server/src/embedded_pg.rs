//! A private PostgreSQL cluster in the data directory, run with the machine's own
//! PostgreSQL binaries.
//!
//! - PostgreSQL refuses to run as root; when we are root it runs as the `postgres` user.
//!   That user must be able to reach the cluster directory, so when the data directory
//!   sits somewhere it cannot traverse (e.g. under /root), the cluster lives in
//!   /var/lib/mercato/clusters/<hash of the data directory> instead.
//! - The postmaster is started from a dedicated keeper thread with a parent-death signal,
//!   so it stops if this process dies, whichever thread or runtime started it.
//! - It listens on 127.0.0.1 only (no Unix socket) with a password made at `initdb`.

use std::fs;
use std::io::Write;
use std::os::unix::ffi::OsStringExt;
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Mutex, mpsc};
use std::time::{Duration, Instant};

const DB_USER: &str = "mercato";
const PASSWORD_FILE: &str = "mercato_password";

#[derive(Debug, thiserror::Error)]
pub enum EmbeddedError {
    #[error(
        "PostgreSQL server binaries (initdb, postgres) were not found{0}. Install them \
         (Debian/Ubuntu: `apt-get install postgresql`), point MERCATO_POSTGRES__BIN_DIR at \
         their directory, or set DATABASE_URL to use a server you already run."
    )]
    BinariesMissing(String),
    #[error(
        "running as root, but PostgreSQL refuses to run as root and there is no `postgres` \
         system user to run it as; create one (`adduser --system --group postgres`) or run as \
         an ordinary user"
    )]
    NoPostgresUser,
    #[error("initdb failed (see {log}): {detail}")]
    Initdb { log: PathBuf, detail: String },
    #[error("PostgreSQL did not start (see {log}): {detail}")]
    Start { log: PathBuf, detail: String },
    #[error("{context}: {source}")]
    Io {
        context: String,
        source: std::io::Error,
    },
}

fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> EmbeddedError {
    let context = context.into();
    move |source| EmbeddedError::Io { context, source }
}

/// The account PostgreSQL runs as (None: our own).
#[derive(Clone, Copy, Debug)]
struct RunAs {
    uid: u32,
    gid: u32,
}

/// A running embedded cluster. Dropping it without [`EmbeddedPostgres::stop`] still stops
/// the postmaster when the process exits (parent-death signal).
pub struct EmbeddedPostgres {
    /// Connection URL of the shop's database in this cluster (contains a password).
    pub url: String,
    pub cluster_dir: PathBuf,
    pub port: u16,
    pid: i32,
    /// Signals the postmaster's exit; `None` when another process started it.
    exited: Option<Mutex<mpsc::Receiver<()>>>,
}

impl std::fmt::Debug for EmbeddedPostgres {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmbeddedPostgres")
            .field("cluster_dir", &self.cluster_dir)
            .field("port", &self.port)
            .field("pid", &self.pid)
            .finish()
    }
}

/// Options for [`EmbeddedPostgres::start`].
#[derive(Clone, Debug, Default)]
pub struct EmbeddedOptions {
    pub bin_dir: Option<PathBuf>,
    /// fsync off and friends: only for throwaway clusters (tests).
    pub unsafe_fast: bool,
    /// Name of the database to create and connect to.
    pub database: String,
}

impl EmbeddedPostgres {
    /// Starts (creating on first use) the cluster belonging to `data_dir`, and waits until
    /// it accepts connections. A cluster already running for this directory is reused.
    pub async fn start(data_dir: &Path, opts: &EmbeddedOptions) -> Result<Self, EmbeddedError> {
        let bins = find_binaries(opts.bin_dir.as_deref())?;
        let run_as = run_as()?;
        fs::create_dir_all(data_dir).map_err(io(format!("create {}", data_dir.display())))?;
        let data_dir = data_dir
            .canonicalize()
            .map_err(io(format!("resolve {}", data_dir.display())))?;
        let cluster_dir = cluster_location(&data_dir, run_as)?;
        let log_path = data_dir.join("postgres.log");

        if !cluster_dir.join("PG_VERSION").exists() {
            let started = Instant::now();
            init_cluster(&bins, &cluster_dir, run_as, &log_path)?;
            tracing::info!(cluster.dir = %cluster_dir.display(), elapsed_ms = started.elapsed().as_millis() as u64, "created PostgreSQL cluster");
        }
        let password = fs::read_to_string(cluster_dir.join(PASSWORD_FILE)).map_err(io(format!(
            "read the cluster password in {}",
            cluster_dir.display()
        )))?;
        let password = password.trim().to_owned();

        if let Some((pid, port)) = running_postmaster(&cluster_dir) {
            tracing::info!(
                pid,
                port,
                "reusing the PostgreSQL already running for this data directory"
            );
            let url = url_for(&password, port, &opts.database);
            wait_ready(&password, port, None, &log_path).await?;
            create_database(&password, port, &opts.database).await?;
            return Ok(EmbeddedPostgres {
                url,
                cluster_dir,
                port,
                pid,
                exited: None,
            });
        }

        let port = free_port().map_err(io("find a free port"))?;
        let (pid, exited) = spawn_postmaster(
            &bins,
            &cluster_dir,
            run_as,
            port,
            opts.unsafe_fast,
            &log_path,
        )?;
        let pg = EmbeddedPostgres {
            url: url_for(&password, port, &opts.database),
            cluster_dir,
            port,
            pid,
            exited: Some(Mutex::new(exited)),
        };
        wait_ready(&password, port, pg.exited.as_ref(), &log_path).await?;
        create_database(&password, port, &opts.database).await?;
        tracing::info!(port, pid, "embedded PostgreSQL is ready");
        Ok(pg)
    }

    /// A URL for another database in the same cluster (tests make one per test).
    pub fn url_for_database(&self, database: &str) -> String {
        match self.url.rsplit_once('/') {
            Some((base, _)) => format!("{base}/{database}"),
            None => self.url.clone(),
        }
    }

    /// Fast shutdown: ends sessions, checkpoints, exits. Waits up to 30 s.
    pub async fn stop(mut self) {
        let Some(exited) = self.exited.take() else {
            return; // Not ours: another process started it.
        };
        // SAFETY: kill(2) with a pid we spawned; no memory is involved.
        unsafe { libc::kill(self.pid, libc::SIGINT) };
        let waited = tokio::task::spawn_blocking(move || {
            let exited = exited
                .into_inner()
                .map_err(|_| mpsc::RecvTimeoutError::Disconnected)?;
            exited.recv_timeout(Duration::from_secs(30))
        })
        .await;
        match waited {
            Ok(Ok(())) => tracing::info!("embedded PostgreSQL stopped"),
            _ => {
                tracing::warn!(
                    pid = self.pid,
                    "PostgreSQL did not stop in 30 s; sending SIGQUIT"
                );
                // SAFETY: as above.
                unsafe { libc::kill(self.pid, libc::SIGQUIT) };
            }
        }
    }
}

fn url_for(password: &str, port: u16, database: &str) -> String {
    format!("postgres://{DB_USER}:{password}@127.0.0.1:{port}/{database}")
}

struct Binaries {
    initdb: PathBuf,
    postgres: PathBuf,
}

fn find_binaries(bin_dir: Option<&Path>) -> Result<Binaries, EmbeddedError> {
    let from_dir = |dir: &Path| {
        let b = Binaries {
            initdb: dir.join("initdb"),
            postgres: dir.join("postgres"),
        };
        (b.initdb.is_file() && b.postgres.is_file()).then_some(b)
    };
    if let Some(dir) = bin_dir {
        return from_dir(dir)
            .ok_or_else(|| EmbeddedError::BinariesMissing(format!(" in {}", dir.display())));
    }
    // Debian keeps them out of PATH, one directory per major version; prefer the newest.
    let mut candidates: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    if let Ok(entries) = fs::read_dir("/usr/lib/postgresql") {
        let mut versions: Vec<(u32, PathBuf)> = entries
            .filter_map(|e| e.ok())
            .filter_map(|e| {
                let v = e.file_name().to_string_lossy().parse::<u32>().ok()?;
                Some((v, e.path().join("bin")))
            })
            .collect();
        versions.sort_by_key(|v| std::cmp::Reverse(v.0));
        candidates.extend(versions.into_iter().map(|(_, p)| p));
    }
    candidates
        .iter()
        .find_map(|d| from_dir(d))
        .ok_or_else(|| EmbeddedError::BinariesMissing(String::new()))
}

fn run_as() -> Result<Option<RunAs>, EmbeddedError> {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return Ok(None);
    }
    let name = c"postgres";
    // SAFETY: getpwnam with a valid C string; we copy the fields out at once.
    let pw = unsafe { libc::getpwnam(name.as_ptr()) };
    if pw.is_null() {
        return Err(EmbeddedError::NoPostgresUser);
    }
    // SAFETY: pw is non-null and points to a static passwd record.
    let (uid, gid) = unsafe { ((*pw).pw_uid, (*pw).pw_gid) };
    Ok(Some(RunAs { uid, gid }))
}

/// Whether `user` can reach (search) `dir`: asked of the kernel by running `test` as them.
fn reachable_by(dir: &Path, user: RunAs) -> bool {
    Command::new("test")
        .arg("-x")
        .arg(dir)
        .uid(user.uid)
        .gid(user.gid)
        .stdin(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

fn cluster_location(data_dir: &Path, run_as: Option<RunAs>) -> Result<PathBuf, EmbeddedError> {
    let preferred = data_dir.join("postgres");
    let Some(user) = run_as else {
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&preferred)
            .map_err(io("create the cluster directory"))?;
        return Ok(preferred);
    };
    let dir = if reachable_by(data_dir, user) {
        preferred
    } else {
        let hash = fnv64(data_dir.as_os_str().as_encoded_bytes());
        let fallback = Path::new(FALLBACK_ROOT).join(format!("{hash:016x}"));
        tracing::warn!(
            data.dir = %data_dir.display(),
            cluster.dir = %fallback.display(),
            "the postgres user cannot reach the data directory; keeping the cluster where it can"
        );
        let note = data_dir.join("postgres-location.txt");
        let _ = fs::write(&note, format!("{}\n", fallback.display()));
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o755)
            .create(FALLBACK_ROOT)
            .map_err(io(format!("create {FALLBACK_ROOT}")))?;
        remove_orphaned_clusters(Path::new(FALLBACK_ROOT));
        fallback
    };
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&dir)
        .map_err(io(format!("create {}", dir.display())))?;
    chown(&dir, user)?;
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o700))
        .map_err(io("chmod the cluster directory"))?;
    if !dir.starts_with(data_dir) {
        // Names the data directory it belongs to, so it can be removed once that is gone.
        // Beside the cluster, not in it: initdb wants an empty directory.
        let _ = fs::write(owner_note(&dir), data_dir.as_os_str().as_encoded_bytes());
    }
    Ok(dir)
}

/// Where clusters go whose data directory the postgres user cannot reach.
const FALLBACK_ROOT: &str = "/var/lib/mercato/clusters";

/// Beside a fallback cluster `<hash>`: `<hash>.data-dir`, the path of the data directory
/// it belongs to.
fn owner_note(cluster: &Path) -> PathBuf {
    cluster.with_extension("data-dir")
}

/// Removes fallback clusters whose data directory no longer exists and whose postmaster
/// is not running (a deleted temporary data directory would otherwise leave its cluster
/// behind for good). Clusters without an owner note are left alone.
fn remove_orphaned_clusters(root: &Path) {
    let Ok(entries) = fs::read_dir(root) else {
        return;
    };
    for entry in entries.flatten() {
        let dir = entry.path();
        if !dir.is_dir() {
            continue;
        }
        let note = owner_note(&dir);
        let Ok(owner) = fs::read(&note) else {
            continue;
        };
        let owner = PathBuf::from(std::ffi::OsString::from_vec(owner));
        if !owner.exists() && running_postmaster(&dir).is_none() {
            match fs::remove_dir_all(&dir).and_then(|()| fs::remove_file(&note)) {
                Ok(()) => {
                    tracing::info!(cluster.dir = %dir.display(), "removed the cluster of a deleted data directory")
                }
                Err(error) => {
                    tracing::warn!(cluster.dir = %dir.display(), %error, "could not remove an orphaned cluster")
                }
            }
        }
    }
}

fn chown(path: &Path, user: RunAs) -> Result<(), EmbeddedError> {
    std::os::unix::fs::chown(path, Some(user.uid), Some(user.gid))
        .map_err(io(format!("chown {}", path.display())))
}

fn fnv64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn random_password() -> Result<String, EmbeddedError> {
    let mut buf = [0u8; 24];
    let mut f = fs::File::open("/dev/urandom").map_err(io("open /dev/urandom"))?;
    std::io::Read::read_exact(&mut f, &mut buf).map_err(io("read /dev/urandom"))?;
    Ok(hex::encode(buf))
}

fn log_file(path: &Path) -> Result<fs::File, EmbeddedError> {
    fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(io(format!("open {}", path.display())))
}

fn command(program: &Path, run_as: Option<RunAs>) -> Command {
    let mut cmd = Command::new(program);
    if let Some(user) = run_as {
        // std also drops root's supplementary groups when it switches the uid.
        cmd.uid(user.uid).gid(user.gid);
    }
    // The postgres user may not be able to reach our working directory.
    cmd.current_dir("/")
        .env("LC_ALL", "C")
        .env("LANG", "C")
        .stdin(Stdio::null());
    cmd
}

fn init_cluster(
    bins: &Binaries,
    dir: &Path,
    run_as: Option<RunAs>,
    log_path: &Path,
) -> Result<(), EmbeddedError> {
    let password = random_password()?;
    let pwfile = dir.join("initdb.pw");
    {
        let mut f = fs::OpenOptions::new()
            .create(true)
            .truncate(true)
            .write(true)
            .mode_0600()
            .open(&pwfile)
            .map_err(io("write the initdb password file"))?;
        f.write_all(password.as_bytes())
            .map_err(io("write the initdb password file"))?;
    }
    if let Some(user) = run_as {
        chown(&pwfile, user)?;
    }
    // initdb wants an empty directory: move the password file out of its way first.
    let outside = dir.with_extension("initdb.pw");
    fs::rename(&pwfile, &outside).map_err(io("move the initdb password file"))?;
    let log = log_file(log_path)?;
    let output = command(&bins.initdb, run_as)
        .arg("-D")
        .arg(dir)
        .args([
            "-U",
            DB_USER,
            "--auth=scram-sha-256",
            "--encoding=UTF8",
            "--locale=C",
            "--no-instructions",
        ])
        .arg(format!("--pwfile={}", outside.display()))
        .stdout(log.try_clone().map_err(io("log file"))?)
        .stderr(Stdio::piped())
        .output();
    let _ = fs::remove_file(&outside);
    let output = output.map_err(io("run initdb"))?;
    if !output.status.success() {
        return Err(EmbeddedError::Initdb {
            log: log_path.to_owned(),
            detail: String::from_utf8_lossy(&output.stderr)
                .trim()
                .chars()
                .take(800)
                .collect(),
        });
    }
    let secret = dir.join(PASSWORD_FILE);
    fs::write(&secret, &password).map_err(io("store the cluster password"))?;
    fs::set_permissions(&secret, fs::Permissions::from_mode(0o600))
        .map_err(io("chmod the cluster password"))?;
    if let Some(user) = run_as {
        chown(&secret, user)?;
    }
    Ok(())
}

trait Mode0600 {
    fn mode_0600(&mut self) -> &mut Self;
}

impl Mode0600 for fs::OpenOptions {
    fn mode_0600(&mut self) -> &mut Self {
        std::os::unix::fs::OpenOptionsExt::mode(self, 0o600)
    }
}

/// A postmaster already running for this cluster (pid, port), from postmaster.pid.
fn running_postmaster(dir: &Path) -> Option<(i32, u16)> {
    let text = fs::read_to_string(dir.join("postmaster.pid")).ok()?;
    let mut lines = text.lines();
    let pid: i32 = lines.next()?.trim().parse().ok()?;
    let port: u16 = lines.nth(2)?.trim().parse().ok()?;
    // SAFETY: signal 0 only checks that the process exists.
    let alive = unsafe { libc::kill(pid, 0) } == 0;
    alive.then_some((pid, port))
}

fn free_port() -> std::io::Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

fn spawn_postmaster(
    bins: &Binaries,
    dir: &Path,
    run_as: Option<RunAs>,
    port: u16,
    unsafe_fast: bool,
    log_path: &Path,
) -> Result<(i32, mpsc::Receiver<()>), EmbeddedError> {
    let log = log_file(log_path)?;
    let mut cmd = command(&bins.postgres, run_as);
    cmd.arg("-D")
        .arg(dir)
        .arg("-p")
        .arg(port.to_string())
        .args([
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            "unix_socket_directories=",
            "-c",
            "max_connections=300",
        ])
        .args([
            "-c",
            "shared_buffers=256MB",
            "-c",
            "log_min_messages=warning",
        ]);
    if unsafe_fast {
        cmd.args([
            "-c",
            "fsync=off",
            "-c",
            "synchronous_commit=off",
            "-c",
            "full_page_writes=off",
        ]);
    }
    cmd.stdout(log.try_clone().map_err(io("log file"))?)
        .stderr(log);
    // Its own process group: a Ctrl-C at the terminal reaches us, and we stop it in order.
    cmd.process_group(0);
    // SAFETY: prctl is async-signal-safe; it runs in the child after the uid switch, so the
    // death signal survives into the exec'd postmaster.
    unsafe {
        cmd.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGINT);
            Ok(())
        });
    }

    // The death signal fires when the *thread* that forked dies, so fork from a thread that
    // lives exactly as long as the postmaster.
    let (pid_tx, pid_rx) = mpsc::channel::<std::io::Result<i32>>();
    let (exit_tx, exit_rx) = mpsc::channel::<()>();
    std::thread::Builder::new()
        .name("postgres-keeper".into())
        .spawn(move || match cmd.spawn() {
            Ok(mut child) => {
                let _ = pid_tx.send(Ok(child.id() as i32));
                let _ = child.wait();
                let _ = exit_tx.send(());
            }
            Err(e) => {
                let _ = pid_tx.send(Err(e));
            }
        })
        .map_err(io("start the postgres keeper thread"))?;
    let pid = pid_rx
        .recv()
        .map_err(|_| EmbeddedError::Start {
            log: log_path.to_owned(),
            detail: "keeper thread died".into(),
        })?
        .map_err(io("run postgres"))?;
    Ok((pid, exit_rx))
}

async fn wait_ready(
    password: &str,
    port: u16,
    exited: Option<&Mutex<mpsc::Receiver<()>>>,
    log_path: &Path,
) -> Result<(), EmbeddedError> {
    use sqlx::Connection;
    let deadline = Instant::now() + Duration::from_secs(60);
    let url = url_for(password, port, "postgres");
    loop {
        // The lock is held only for the check, never across an await.
        let died = exited.is_some_and(|rx| rx.lock().is_ok_and(|rx| rx.try_recv().is_ok()));
        if died {
            return Err(EmbeddedError::Start {
                log: log_path.to_owned(),
                detail: tail(log_path),
            });
        }
        match sqlx::PgConnection::connect(&url).await {
            Ok(conn) => {
                let _ = conn.close().await;
                return Ok(());
            }
            Err(e) if Instant::now() > deadline => {
                return Err(EmbeddedError::Start {
                    log: log_path.to_owned(),
                    detail: format!("{e}; {}", tail(log_path)),
                });
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}

fn tail(path: &Path) -> String {
    let text = fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().rev().take(5).collect();
    lines.into_iter().rev().collect::<Vec<_>>().join(" | ")
}

async fn create_database(password: &str, port: u16, database: &str) -> Result<(), EmbeddedError> {
    use sqlx::Connection;
    let fail = |e: sqlx::Error| EmbeddedError::Io {
        context: format!("create database {database}"),
        source: std::io::Error::other(e.to_string()),
    };
    let mut conn = sqlx::PgConnection::connect(&url_for(password, port, "postgres"))
        .await
        .map_err(fail)?;
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
            .bind(database)
            .fetch_one(&mut conn)
            .await
            .map_err(fail)?;
    if !exists {
        // Identifiers cannot be bound; the name is checked to be a plain identifier.
        if !database
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_')
            || database.is_empty()
        {
            return Err(fail(sqlx::Error::Protocol(format!(
                "bad database name {database}"
            ))));
        }
        let create = format!("CREATE DATABASE \"{database}\"");
        match sqlx::query(&create).execute(&mut conn).await {
            Ok(_) => {}
            // Two starts racing: the other one created it.
            Err(sqlx::Error::Database(db)) if db.code().as_deref() == Some("42P04") => {}
            Err(e) => return Err(fail(e)),
        }
    }
    let _ = conn.close().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orphaned_fallback_clusters_are_removed_and_others_kept() {
        let root = std::env::temp_dir().join(format!("mercato-orphans-{}", std::process::id()));
        let live_owner = root.join("still-here");
        fs::create_dir_all(&live_owner).unwrap();
        let cluster = |name: &str, owner: Option<&Path>| {
            let dir = root.join("clusters").join(name);
            fs::create_dir_all(&dir).unwrap();
            if let Some(owner) = owner {
                fs::write(owner_note(&dir), owner.as_os_str().as_encoded_bytes()).unwrap();
            }
            dir
        };
        let orphan = cluster("a", Some(&root.join("deleted")));
        let owned = cluster("b", Some(&live_owner));
        let unknown = cluster("c", None);

        remove_orphaned_clusters(&root.join("clusters"));
        assert!(
            !orphan.exists(),
            "the cluster of a deleted data directory is removed"
        );
        assert!(!owner_note(&orphan).exists(), "and its note");
        assert!(
            owned.exists(),
            "a cluster whose data directory exists is kept"
        );
        assert!(
            unknown.exists(),
            "a cluster without an owner note is left alone"
        );
        fs::remove_dir_all(&root).unwrap();
    }
}
