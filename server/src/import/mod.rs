//! `server import`: Vendure sample, Online Retail, and the generic JSONL/CSV format.
//!
//! Parsing happens first and fully (a file that cannot be read at all fails before any
//! write). Rows that break a rule are skipped with their line number and reason. Products
//! are written in batches, one transaction each: a failure rolls back the whole batch and
//! stops the import, so no batch is ever half-written. Re-imports match products by SKU.

pub mod generic;
pub mod history;
pub mod images;
pub mod online_retail;
pub mod vendure;

use app::catalog::ssr::{
    ProductInput, UpsertError, UpsertOutcome, WriteCache, set_actor, upsert_product,
};
use images::ImageStore;
use indicatif::{ProgressBar, ProgressStyle};
use sqlx::PgPool;
use std::fmt;
use std::path::PathBuf;

/// A product parsed from a file, with its photos still to be processed.
#[derive(Debug, Clone)]
pub struct Draft {
    pub line: u64,
    pub product: ProductInput,
    pub images: Vec<ImageSource>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ImageSource {
    pub path: PathBuf,
    pub alt: String,
}

/// A row left out, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skip {
    pub line: u64,
    pub reason: String,
}

impl Skip {
    pub fn new(line: u64, reason: impl Into<String>) -> Self {
        Skip {
            line,
            reason: reason.into(),
        }
    }
}

pub type Row = Result<Draft, Skip>;

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file as a whole cannot be imported; nothing was written.
    #[error("{0}")]
    File(String),
    /// A batch failed in the database and was rolled back; earlier batches stay imported.
    #[error(
        "batch starting at line {line} was rolled back ({committed} products in earlier batches are imported): {source}"
    )]
    Batch {
        line: u64,
        committed: u64,
        #[source]
        source: sqlx::Error,
    },
}

#[derive(Debug, Default, Clone)]
pub struct ImportReport {
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub skipped: Vec<Skip>,
    pub warnings: Vec<Skip>,
}

impl ImportReport {
    fn count(&mut self, outcome: UpsertOutcome) {
        match outcome {
            UpsertOutcome::Inserted(_) => self.inserted += 1,
            UpsertOutcome::Updated(_) => self.updated += 1,
            UpsertOutcome::Unchanged(_) => self.unchanged += 1,
        }
    }

    pub fn committed(&self) -> u64 {
        self.inserted + self.updated + self.unchanged
    }
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "imported: {} new, {} updated, {} unchanged; skipped: {}; warnings: {}",
            self.inserted,
            self.updated,
            self.unchanged,
            self.skipped.len(),
            self.warnings.len()
        )?;
        for s in &self.skipped {
            writeln!(f, "  skipped line {}: {}", s.line, s.reason)?;
        }
        for w in &self.warnings {
            writeln!(f, "  warning line {}: {}", w.line, w.reason)?;
        }
        Ok(())
    }
}

pub struct ImportOptions {
    pub batch_size: usize,
    /// Recorded in the catalog history as who made the change.
    pub actor: String,
    pub progress: bool,
    /// Told the rows done and the rows in all after each batch (a job's progress).
    pub on_batch: Option<Box<dyn Fn(u64, u64) + Send + Sync>>,
    /// A staff member's import (an admin job): each batch's audit entry names them.
    pub audit: Option<(app::audit::Actor, i64)>,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            batch_size: 200,
            actor: "import".into(),
            progress: false,
            on_batch: None,
            audit: None,
        }
    }
}

/// Writes parsed rows in batches. See the module documentation for the guarantees.
pub async fn run(
    pool: &PgPool,
    store: &ImageStore,
    rows: Vec<Row>,
    opts: &ImportOptions,
) -> Result<ImportReport, ImportError> {
    let bar = if opts.progress {
        ProgressBar::new(rows.len() as u64)
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} products ({eta} left) {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut report = ImportReport::default();
    let total = rows.len() as u64;
    let mut done = 0u64;
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let batch: Vec<Row> = rows.by_ref().take(opts.batch_size.max(1)).collect();
        let size = batch.len() as u64;
        let mut parsed = Vec::with_capacity(batch.len());
        for row in batch {
            match row {
                Ok(draft) => parsed.push(draft),
                Err(skip) => report.skipped.push(skip),
            }
        }
        let drafts = with_images(store, parsed, &mut report).await?;
        if let Some(first) = drafts.first() {
            let first_line = first.0;
            write_batch(pool, drafts, opts, &mut report)
                .await
                .map_err(|source| ImportError::Batch {
                    line: first_line,
                    committed: report.committed(),
                    source,
                })?;
        }
        bar.inc(size);
        done += size;
        if let Some(tell) = &opts.on_batch {
            tell(done, total);
        }
    }
    bar.finish_and_clear();
    report.skipped.sort_by_key(|s| s.line);
    report.warnings.sort_by_key(|s| s.line);
    Ok(report)
}

/// Processes the photos of a batch on every core; a photo that cannot be used is a
/// warning, not a lost product.
async fn with_images(
    store: &ImageStore,
    drafts: Vec<Draft>,
    report: &mut ImportReport,
) -> Result<Vec<(u64, ProductInput)>, ImportError> {
    let store = store.clone();
    let joined = tokio::task::spawn_blocking(move || {
        let jobs: Vec<(usize, usize, ImageSource)> = drafts
            .iter()
            .enumerate()
            .flat_map(|(d, draft)| {
                draft
                    .images
                    .iter()
                    .cloned()
                    .enumerate()
                    .map(move |(i, src)| (d, i, src))
            })
            .collect();
        let queue = std::sync::Mutex::new(jobs.into_iter());
        let done = std::sync::Mutex::new(Vec::new());
        let workers = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2)
            .min(8);
        std::thread::scope(|scope| {
            for _ in 0..workers {
                scope.spawn(|| {
                    loop {
                        let job = queue.lock().map(|mut q| q.next()).unwrap_or(None);
                        let Some((d, i, src)) = job else { break };
                        let result = store.store(&src.path, &src.alt);
                        if let Ok(mut done) = done.lock() {
                            done.push((d, i, result));
                        }
                    }
                });
            }
        });
        let mut done = done.into_inner().unwrap_or_default();
        done.sort_by_key(|(d, i, _)| (*d, *i));
        (drafts, done)
    })
    .await;
    // A panic while decoding stops the import before this batch writes anything.
    let (drafts, done) =
        joined.map_err(|e| ImportError::File(format!("image processing failed: {e}")))?;
    let mut products: Vec<(u64, ProductInput)> =
        drafts.into_iter().map(|d| (d.line, d.product)).collect();
    for (d, _, result) in done {
        let (line, product) = &mut products[d];
        match result {
            Ok(image) => product.images.push(image),
            Err(e) => report.warnings.push(Skip::new(*line, e.to_string())),
        }
    }
    Ok(products)
}

async fn write_batch(
    pool: &PgPool,
    drafts: Vec<(u64, ProductInput)>,
    opts: &ImportOptions,
    report: &mut ImportReport,
) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    set_actor(&mut tx, &opts.actor).await?;
    let mut cache = WriteCache::default();
    let mut outcomes = Vec::with_capacity(drafts.len());
    let mut rejected = Vec::new();
    for (line, product) in drafts {
        match upsert_product(&mut tx, &product, &mut cache).await {
            Ok(outcome) => outcomes.push(outcome),
            Err(UpsertError::Rejected(reason)) => rejected.push(Skip::new(line, reason)),
            Err(UpsertError::Database(e)) => return Err(e), // tx rolls back on drop
        }
    }
    if let (Some((actor, job)), false) = (&opts.audit, outcomes.is_empty()) {
        let ids: Vec<i64> = outcomes
            .iter()
            .filter_map(|o| match o {
                UpsertOutcome::Inserted(id) | UpsertOutcome::Updated(id) => Some(*id),
                UpsertOutcome::Unchanged(_) => None,
            })
            .collect();
        if !ids.is_empty() {
            app::audit::record(
                &mut tx,
                actor,
                app::audit::Change {
                    action: "products.import",
                    entity: "job",
                    entity_id: job.to_string(),
                    before: None,
                    after: Some(serde_json::json!({ "products": ids })),
                },
            )
            .await?;
        }
    }
    tx.commit().await?;
    outcomes.into_iter().for_each(|o| report.count(o));
    report.skipped.extend(rejected);
    Ok(())
}

/// Reads a whole file, with the path in the error.
pub(crate) fn read_file(path: &std::path::Path) -> Result<Vec<u8>, ImportError> {
    std::fs::read(path)
        .map_err(|e| ImportError::File(format!("cannot read {}: {e}", path.display())))
}

/// A CSV reader whose header must be exactly `columns`; `wrong_header` words the error
/// when it is not. Rows may have any length here: [`csv_rows`] checks each one.
pub(crate) fn csv_reader<'a>(
    bytes: &'a [u8],
    columns: &[&str],
    wrong_header: impl FnOnce(&csv::StringRecord) -> String,
) -> Result<csv::Reader<&'a [u8]>, ImportError> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let headers = reader
        .headers()
        .map_err(|e| ImportError::File(format!("cannot read the header: {e}")))?
        .clone();
    if headers.iter().map(str::trim).collect::<Vec<_>>() != columns {
        return Err(ImportError::File(wrong_header(&headers)));
    }
    Ok(reader)
}

/// The data rows with their line numbers (as an editor counts them, blank lines too);
/// a row of the wrong width, or one that cannot be read, is a skip with its reason.
pub(crate) fn csv_rows<'r>(
    reader: &'r mut csv::Reader<&[u8]>,
    bytes: &'r [u8],
    width: usize,
) -> impl Iterator<Item = Result<(u64, csv::StringRecord), Skip>> + 'r {
    let mut numbers = app::csv::LineNumbers::new(bytes);
    reader.records().enumerate().map(move |(i, record)| {
        let fallback = i as u64 + 2;
        match record {
            Ok(r) => {
                let line = r
                    .position()
                    .map_or(fallback, |p| numbers.line_of_row(p.byte()));
                if r.len() == width {
                    Ok((line, r))
                } else {
                    Err(Skip::new(
                        line,
                        format!("{} fields instead of {width}", r.len()),
                    ))
                }
            }
            Err(e) => {
                let line = e
                    .position()
                    .map_or(fallback, |p| numbers.line_of_row(p.byte()));
                Err(Skip::new(line, format!("unreadable row: {e}")))
            }
        }
    })
}

/// An attribute's code from its name: "Plant type" -> "plant_type".
pub(crate) fn attribute_code(name: &str) -> Result<String, String> {
    let slug = app::catalog::ids::Slug::from_title(name)
        .map_err(|_| format!("attribute name `{name}` has no letters or digits"))?;
    Ok(slug.as_str().replace('-', "_"))
}

/// Title case for shouted descriptions: "WHITE METAL LANTERN" -> "White Metal Lantern".
pub(crate) fn title_case(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut start = true;
    for ch in text.trim().chars() {
        if ch.is_alphabetic() {
            if start {
                out.extend(ch.to_uppercase());
            } else {
                out.extend(ch.to_lowercase());
            }
            start = false;
        } else {
            out.push(ch);
            // Apostrophes keep the word going ("Children's"); other marks start a new one.
            start = !(ch == '\'' || ch == '’' || ch.is_ascii_digit());
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn title_case_words() {
        assert_eq!(
            super::title_case("WHITE HANGING HEART T-LIGHT HOLDER"),
            "White Hanging Heart T-Light Holder"
        );
        assert_eq!(super::title_case("CHILDREN'S  APRON "), "Children's Apron");
    }
}
