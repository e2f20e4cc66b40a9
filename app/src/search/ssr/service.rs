//! The search read model's life: generations of the index on disk, full rebuilds that
//! swap in atomically, and the indexer that follows the outbox.
//!
//! Layout under the data directory: `search/CURRENT` names the live generation
//! (`search/gen-<millis>-<pid>/`, a tantivy index). The index's commit payload holds the
//! schema version and the outbox cursor, so the cursor moves atomically with the
//! documents it describes. A rebuild (in the server on first start, or the `reindex`
//! command beside a running server) writes a new generation and then renames a new
//! `CURRENT` into place; searches keep using the old generation until the swap.

use super::engine::{Context, SearchIndex};
use super::query::{Analyzers, Synonyms};
use super::schema::{self, DocBuilder, Payload, SCHEMA_VERSION};
use super::signals::{self, Behaviour, Personal};
use super::source::{self, Cursor, Labels, ProductDoc};
use crate::catalog::model::CatalogError;
use crate::money::Currency;
use crate::search::model::{SearchResults, Suggestion};
use crate::search::params::SearchParams;
use sqlx::PgPool;
use sqlx::postgres::PgListener;
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};
use tantivy::{Index, IndexWriter, Term};
use tokio::sync::watch;

/// Events applied per commit, at most.
const EVENT_BATCH: i64 = 1000;
/// Products read from PostgreSQL per query during a rebuild.
const REBUILD_BATCH: i64 = 2000;
/// The indexer looks for events this often even without a notification.
const POLL: Duration = Duration::from_millis(500);
const WRITER_BUDGET: usize = 128 << 20;

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("search index files: {0}")]
    Io(#[from] std::io::Error),
    #[error("search worker stopped: {0}")]
    Join(#[from] tokio::task::JoinError),
}

/// What a rebuild did.
#[derive(Debug, Clone)]
pub struct RebuildReport {
    pub documents: u64,
    pub elapsed: Duration,
    pub bytes_on_disk: u64,
    pub dir: PathBuf,
}

impl RebuildReport {
    pub fn docs_per_second(&self) -> f64 {
        self.documents as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

pub struct SearchService {
    root: PathBuf,
    current: RwLock<Option<Arc<SearchIndex>>>,
    synonyms: RwLock<Arc<Synonyms>>,
    labels: RwLock<Arc<Labels>>,
    behaviour: RwLock<Arc<Behaviour>>,
    /// Signed-in customers' brands and categories, with when they were read.
    personal: Mutex<HashMap<i64, Remembered>>,
    currency: Currency,
    applied: watch::Sender<Option<Cursor>>,
}

/// A customer's brands and categories (none when they have no orders), and when they
/// were read.
type Remembered = (Instant, Option<Arc<Personal>>);

/// How long a customer's brands and categories are kept, and for how many customers.
const PERSONAL_TTL: Duration = Duration::from_secs(300);
const PERSONAL_CACHE: usize = 10_000;

impl std::fmt::Debug for SearchService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchService")
            .field("root", &self.root)
            .finish_non_exhaustive()
    }
}

fn read_current(root: &Path) -> Option<String> {
    let name = std::fs::read_to_string(root.join("CURRENT")).ok()?;
    let name = name.trim();
    (name.starts_with("gen-") && !name.contains('/')).then(|| name.to_owned())
}

fn dir_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter_map(|e| e.metadata().ok())
                .filter(|m| m.is_file())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

fn open_generation(dir: &Path) -> Result<(SearchIndex, Option<Payload>), SearchError> {
    let mut index = Index::open_in_dir(dir)?;
    index.set_default_multithread_executor()?;
    schema::register_tokenizers(&index);
    let (_, fields) = schema::schema();
    let payload = index
        .load_metas()?
        .payload
        .as_deref()
        .and_then(Payload::decode);
    Ok((SearchIndex::open(dir.to_owned(), index, fields)?, payload))
}

fn commit(writer: &mut IndexWriter, cursor: Cursor) -> tantivy::Result<()> {
    let mut prepared = writer.prepare_commit()?;
    prepared.set_payload(
        &Payload {
            schema: SCHEMA_VERSION,
            cursor,
        }
        .encode(),
    );
    prepared.commit()?;
    Ok(())
}

impl SearchService {
    /// A service over `root` (the data directory's `search/`), with no index open yet.
    pub fn new(root: PathBuf, currency: Currency) -> Arc<Self> {
        Arc::new(SearchService {
            root,
            current: RwLock::new(None),
            synonyms: RwLock::new(Arc::new(Synonyms::default())),
            labels: RwLock::new(Arc::new(Labels::default())),
            behaviour: RwLock::new(Arc::new(Behaviour::default())),
            personal: Mutex::new(HashMap::new()),
            currency,
            applied: watch::channel(None).0,
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The open generation, if any.
    pub fn index(&self) -> Option<Arc<SearchIndex>> {
        self.current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Ready to answer: an index is open.
    pub fn is_ready(&self) -> bool {
        self.index().is_some()
    }

    /// The outbox position the open index reflects.
    pub fn applied(&self) -> watch::Receiver<Option<Cursor>> {
        self.applied.subscribe()
    }

    fn context(&self, personal: Option<Arc<Personal>>) -> Context {
        Context {
            behaviour: self
                .behaviour
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .clone(),
            personal,
            synonyms: self
                .synonyms
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .clone(),
            labels: self
                .labels
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .clone(),
            currency: self.currency,
        }
    }

    /// Searches on this thread (callers on the async runtime use [`Self::search`]).
    pub fn search_now(&self, params: &SearchParams) -> Result<SearchResults, CatalogError> {
        self.search_as(params, None)
    }

    /// A search for a signed-in customer (their brands and categories rank a little
    /// higher).
    pub fn search_as(
        &self,
        params: &SearchParams,
        personal: Option<Arc<Personal>>,
    ) -> Result<SearchResults, CatalogError> {
        let index = self.index().ok_or(CatalogError::Unavailable)?;
        index.search(params, &self.context(personal)).map_err(|e| {
            tracing::error!(error = %e, "search failed");
            CatalogError::Unavailable
        })
    }

    pub fn suggest_now(&self, q: &str, limit: usize) -> Result<Vec<Suggestion>, CatalogError> {
        let index = self.index().ok_or(CatalogError::Unavailable)?;
        index.suggest(q, &self.context(None), limit).map_err(|e| {
            tracing::error!(error = %e, "suggest failed");
            CatalogError::Unavailable
        })
    }

    pub async fn search(
        self: &Arc<Self>,
        params: SearchParams,
    ) -> Result<SearchResults, CatalogError> {
        self.search_for(params, None).await
    }

    /// [`Self::search_as`] off the async runtime; `customer` with the database that
    /// knows their orders.
    pub async fn search_for(
        self: &Arc<Self>,
        params: SearchParams,
        customer: Option<(i64, &PgPool)>,
    ) -> Result<SearchResults, CatalogError> {
        let personal = match customer {
            Some((id, pool)) => self.personal(id, pool).await,
            None => None,
        };
        let me = self.clone();
        tokio::task::spawn_blocking(move || me.search_as(&params, personal))
            .await
            .map_err(|_| CatalogError::Unavailable)?
    }

    /// A customer's brands and categories, kept a few minutes (`None` for a customer
    /// with no orders, or when the database does not answer: the search goes on).
    async fn personal(&self, customer: i64, pool: &PgPool) -> Option<Arc<Personal>> {
        let fresh = |at: &Instant| at.elapsed() < PERSONAL_TTL;
        if let Some((at, p)) = self
            .personal
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&customer)
            && fresh(at)
        {
            return p.clone();
        }
        let found = match signals::personal(pool, customer).await {
            Ok(p) if p.brands.is_empty() && p.categories.is_empty() => None,
            Ok(p) => Some(Arc::new(p)),
            Err(e) => {
                tracing::warn!(error = %e, "searching without the customer's preferences");
                return None;
            }
        };
        let mut cache = self.personal.lock().unwrap_or_else(|e| e.into_inner());
        if cache.len() >= PERSONAL_CACHE {
            cache.retain(|_, (at, _)| fresh(at));
            if cache.len() >= PERSONAL_CACHE {
                cache.clear();
            }
        }
        cache.insert(customer, (Instant::now(), found.clone()));
        found
    }

    /// Reloads shoppers' choices per query from the aggregate (see `signals`).
    pub async fn load_behaviour(&self, pool: &PgPool) -> Result<usize, sqlx::Error> {
        let behaviour = signals::load(pool).await?;
        let queries = behaviour.len();
        *self.behaviour.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(behaviour);
        Ok(queries)
    }

    pub async fn suggest(
        self: &Arc<Self>,
        q: String,
        limit: usize,
    ) -> Result<Vec<Suggestion>, CatalogError> {
        let me = self.clone();
        tokio::task::spawn_blocking(move || me.suggest_now(&q, limit))
            .await
            .map_err(|_| CatalogError::Unavailable)?
    }

    /// Loads synonyms and facet labels from the database.
    pub async fn load_context(&self, pool: &PgPool) -> Result<(), SearchError> {
        let mut conn = pool.acquire().await?;
        let labels = Labels::load(&mut conn).await?;
        let groups = source::synonym_groups(pool).await?;
        let synonyms = Synonyms::new(&groups, &mut Analyzers::default());
        *self.labels.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(labels);
        *self.synonyms.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(synonyms);
        Ok(())
    }

    /// Opens the generation `CURRENT` names, if it is there and of this schema. Returns
    /// its cursor.
    pub fn open_current(&self) -> Result<Option<Cursor>, SearchError> {
        let Some(name) = read_current(&self.root) else {
            return Ok(None);
        };
        let (index, payload) = match open_generation(&self.root.join(&name)) {
            Ok(opened) => opened,
            Err(e) => {
                tracing::warn!(generation = %name, error = %e, "search index unreadable; it will be rebuilt");
                return Ok(None);
            }
        };
        match payload {
            Some(p) if p.schema == SCHEMA_VERSION => {
                *self.current.write().unwrap_or_else(|e| e.into_inner()) = Some(Arc::new(index));
                self.applied.send_replace(Some(p.cursor));
                Ok(Some(p.cursor))
            }
            _ => {
                tracing::info!(generation = %name, "search index is of another schema version; it will be rebuilt");
                Ok(None)
            }
        }
    }

    /// Builds a new generation from PostgreSQL and makes it current. Searches keep using
    /// the previous generation until the swap. `progress(done, total)` is called per batch.
    pub async fn rebuild(
        &self,
        pool: &PgPool,
        progress: impl Fn(u64, u64),
    ) -> Result<RebuildReport, SearchError> {
        let started = Instant::now();
        std::fs::create_dir_all(&self.root)?;
        let millis = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis())
            .unwrap_or(0);
        let name = format!("gen-{millis}-{}", std::process::id());
        let dir = self.root.join(&name);
        std::fs::create_dir_all(&dir)?;
        let result = self.build_into(pool, &dir, &progress).await;
        let documents = match result {
            Ok(n) => n,
            Err(e) => {
                let _ = std::fs::remove_dir_all(&dir);
                return Err(e);
            }
        };
        // Swap: a new CURRENT renamed over the old one is atomic.
        let tmp = self.root.join(format!("CURRENT.{}", std::process::id()));
        {
            use std::io::Write;
            let mut file = std::fs::File::create(&tmp)?;
            file.write_all(name.as_bytes())?;
            file.sync_all()?;
        }
        std::fs::rename(&tmp, self.root.join("CURRENT"))?;
        if let Ok(d) = std::fs::File::open(&self.root) {
            let _ = d.sync_all();
        }
        self.open_current()?;
        self.remove_old_generations(&name);
        Ok(RebuildReport {
            documents,
            elapsed: started.elapsed(),
            bytes_on_disk: dir_size(&dir),
            dir,
        })
    }

    async fn build_into(
        &self,
        pool: &PgPool,
        dir: &Path,
        progress: &impl Fn(u64, u64),
    ) -> Result<u64, SearchError> {
        let (tantivy_schema, fields) = schema::schema();
        let index = Index::create_in_dir(dir, tantivy_schema)?;
        schema::register_tokenizers(&index);
        let threads = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2)
            .clamp(1, 4);
        let writer: IndexWriter = index.writer_with_num_threads(threads, WRITER_BUDGET * 2)?;

        // One snapshot for the labels, the cursor and every product.
        let mut tx = pool.begin().await?;
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .execute(&mut *tx)
            .await?;
        let cursor = source::snapshot_cursor(&mut *tx).await?;
        let labels = Labels::load(&mut tx).await?;
        let total = source::count_active(&mut *tx).await?.max(0) as u64;

        // Documents are analysed and added on a blocking thread while the next batch is read.
        let (send, receive) = std::sync::mpsc::sync_channel::<Vec<ProductDoc>>(4);
        let adder = tokio::task::spawn_blocking(move || -> Result<u64, SearchError> {
            let mut writer = writer;
            let mut builder = DocBuilder::new(fields);
            let mut added = 0u64;
            for batch in receive {
                for doc in &batch {
                    writer.add_document(builder.build(doc, &labels))?;
                    added += 1;
                }
            }
            commit(&mut writer, cursor)?;
            writer.wait_merging_threads()?;
            Ok(added)
        });
        let mut after = 0i64;
        let mut read = 0u64;
        let mut failed = None;
        loop {
            let ids = match source::active_ids_after(&mut *tx, after, REBUILD_BATCH).await {
                Ok(ids) => ids,
                Err(e) => {
                    failed = Some(e);
                    break;
                }
            };
            let Some(&last) = ids.last() else { break };
            after = last;
            match source::documents(&mut *tx, &ids).await {
                Ok(docs) => {
                    read += docs.len() as u64;
                    if send.send(docs).is_err() {
                        break;
                    }
                }
                Err(e) => {
                    failed = Some(e);
                    break;
                }
            }
            progress(read, total);
        }
        drop(send);
        let added = adder.await??;
        if let Some(e) = failed {
            return Err(e.into());
        }
        tx.commit().await?;
        Ok(added)
    }

    fn remove_old_generations(&self, keep: &str) {
        let Ok(entries) = std::fs::read_dir(&self.root) else {
            return;
        };
        for entry in entries.filter_map(Result::ok) {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with("gen-") && name != keep {
                // Open files stay readable until closed (a searcher may still hold them).
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    }

    /// Applies outbox events after `cursor` to the open index and commits them with the
    /// new cursor. Returns how many events were applied.
    pub async fn catch_up(
        &self,
        pool: &PgPool,
        writer: &mut Option<IndexWriter>,
        cursor: &mut Cursor,
    ) -> Result<usize, SearchError> {
        let Some(index) = self.index() else {
            return Ok(0);
        };
        let mut applied = 0;
        loop {
            let events = source::events_after(pool, *cursor, EVENT_BATCH).await?;
            let Some(last) = events.last().map(|e| e.cursor) else {
                break;
            };
            let mut products = BTreeSet::new();
            let mut reload = false;
            for e in &events {
                let id: Option<i64> = e.aggregate_id.parse().ok();
                match (e.topic.as_str(), id) {
                    ("catalog.product.changed", Some(id)) => {
                        products.insert(id);
                    }
                    ("catalog.category.changed", Some(id)) => {
                        reload = true;
                        products.extend(source::products_in_category(pool, id).await?);
                    }
                    ("catalog.brand.changed", Some(id)) => {
                        reload = true;
                        products.extend(source::products_of_brand(pool, id).await?);
                    }
                    ("catalog.attribute.changed", _) | ("search.synonyms.changed", _) => {
                        reload = true;
                    }
                    _ => {}
                }
            }
            if reload {
                self.load_context(pool).await?;
            }
            let ids: Vec<i64> = products.into_iter().collect();
            let mut docs = Vec::with_capacity(ids.len());
            for chunk in ids.chunks(REBUILD_BATCH as usize) {
                docs.extend(source::documents(pool, chunk).await?);
            }
            let labels = self.context(None).labels;
            let mut w = match writer.take() {
                Some(w) => w,
                None => index.index.writer_with_num_threads(1, WRITER_BUDGET / 4)?,
            };
            let fields = index.fields;
            let index_for_reload = index.clone();
            let w = tokio::task::spawn_blocking(move || -> Result<IndexWriter, SearchError> {
                let mut builder = DocBuilder::new(fields);
                for id in &ids {
                    w.delete_term(Term::from_field_u64(fields.id, *id as u64));
                }
                for doc in &docs {
                    w.add_document(builder.build(doc, &labels))?;
                }
                commit(&mut w, last)?;
                index_for_reload.reader.reload()?;
                Ok(w)
            })
            .await??;
            *writer = Some(w);
            *cursor = last;
            self.applied.send_replace(Some(last));
            applied += events.len();
        }
        Ok(applied)
    }

    /// Opens the current index, or builds one if there is none (first start, or a schema
    /// change), then loads synonyms and labels. Returns the cursor to follow from.
    pub async fn start(&self, pool: &PgPool) -> Result<Cursor, SearchError> {
        self.load_context(pool).await?;
        if let Some(cursor) = self.open_current()? {
            return Ok(cursor);
        }
        let report = self.rebuild(pool, |_, _| {}).await?;
        tracing::info!(
            documents = report.documents,
            seconds = report.elapsed.as_secs_f64(),
            "search index built"
        );
        Ok((*self.applied.borrow()).unwrap_or_default())
    }

    /// The indexer: follows the outbox until `stop` turns true. Errors are logged and
    /// retried; searching goes on with the index as it is.
    pub async fn run_indexer(self: Arc<Self>, pool: PgPool, mut stop: watch::Receiver<bool>) {
        let mut cursor = loop {
            match self.start(&pool).await {
                Ok(c) => break c,
                Err(e) => {
                    tracing::error!(error = %e, "search index could not be opened or built; retrying");
                    tokio::select! {
                        _ = tokio::time::sleep(Duration::from_secs(2)) => {}
                        _ = stop.wait_for(|s| *s) => return,
                    }
                }
            }
        };
        let mut listener = match PgListener::connect_with(&pool).await {
            Ok(mut l) => match l.listen("mercato_outbox").await {
                Ok(()) => Some(l),
                Err(_) => None,
            },
            Err(_) => None,
        };
        let mut writer: Option<IndexWriter> = None;
        let mut generation = read_current(&self.root);
        loop {
            // A `reindex` beside us swapped the index: follow it from its cursor.
            let now = read_current(&self.root);
            if now != generation {
                writer = None;
                match self.open_current() {
                    Ok(Some(c)) => {
                        tracing::info!(generation = ?now, "switched to a rebuilt search index");
                        cursor = c;
                        generation = now.clone();
                        if let Some(keep) = &now {
                            self.remove_old_generations(keep);
                        }
                    }
                    Ok(None) | Err(_) => generation = now,
                }
            }
            if let Err(e) = self.catch_up(&pool, &mut writer, &mut cursor).await {
                tracing::warn!(error = %e, "search indexer: applying events failed; will retry");
                writer = None;
            }
            let wait = async {
                match listener.as_mut() {
                    Some(l) => {
                        let _ = tokio::time::timeout(POLL, l.recv()).await;
                    }
                    None => tokio::time::sleep(POLL).await,
                }
            };
            tokio::select! {
                _ = wait => {}
                _ = stop.wait_for(|s| *s) => break,
            }
        }
        if let Some(w) = writer {
            let _ = tokio::task::spawn_blocking(move || w.wait_merging_threads()).await;
        }
    }
}
