//! A job's files (`job_files`): an uploaded CSV, an export's result. Kept in the database
//! in chunks, so any instance's worker reads what another instance received, and a
//! download streams them back a chunk at a time.

use futures::Stream;
use sqlx::{PgConnection, PgPool};

/// The uploaded file a job imports.
pub const UPLOAD: &str = "upload";
/// The file an export job wrote.
pub const RESULT: &str = "result";

/// A chunk's size: a result's chunks end at a line's end, so each is whole text.
const CHUNK: usize = 1 << 20;

/// Stores `bytes` as `name` of `job`, in the caller's transaction.
pub async fn store(
    conn: &mut PgConnection,
    job: i64,
    name: &str,
    bytes: &[u8],
) -> Result<(), sqlx::Error> {
    for (seq, chunk) in bytes.chunks(CHUNK).enumerate() {
        sqlx::query!(
            "INSERT INTO job_files (job_id, name, seq, data) VALUES ($1, $2, $3, $4)",
            job,
            name,
            seq as i32,
            chunk
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// A whole (small) file: uploads are limited in size when they arrive.
pub async fn read(pool: &PgPool, job: i64, name: &str) -> Result<Vec<u8>, sqlx::Error> {
    let chunks = sqlx::query_scalar!(
        "SELECT data FROM job_files WHERE job_id = $1 AND name = $2 ORDER BY seq",
        job,
        name
    )
    .fetch_all(pool)
    .await?;
    Ok(chunks.concat())
}

/// The file's chunks one at a time, as text (a result's chunks end at line ends).
pub fn stream(
    pool: PgPool,
    job: i64,
    name: &'static str,
) -> impl Stream<Item = Result<String, sqlx::Error>> + Send + 'static {
    futures::stream::try_unfold(0i32, move |seq| {
        let pool = pool.clone();
        async move {
            let chunk = sqlx::query_scalar!(
                "SELECT data FROM job_files WHERE job_id = $1 AND name = $2 AND seq = $3",
                job,
                name,
                seq
            )
            .fetch_optional(&pool)
            .await?;
            Ok(chunk.map(|bytes| (String::from_utf8_lossy(&bytes).into_owned(), seq + 1)))
        }
    })
}

/// Writes a job's result line by line, a chunk at a time; starting again (a job run a
/// second time) replaces what an earlier run wrote.
pub struct Writer {
    pool: PgPool,
    job: i64,
    seq: i32,
    buf: String,
}

impl Writer {
    pub async fn new(pool: PgPool, job: i64) -> Result<Writer, sqlx::Error> {
        sqlx::query!(
            "DELETE FROM job_files WHERE job_id = $1 AND name = $2",
            job,
            RESULT
        )
        .execute(&pool)
        .await?;
        Ok(Writer {
            pool,
            job,
            seq: 0,
            buf: String::with_capacity(CHUNK),
        })
    }

    /// Adds whole lines (each ending in a newline).
    pub async fn push(&mut self, lines: &str) -> Result<(), sqlx::Error> {
        if self.buf.len() + lines.len() > CHUNK && !self.buf.is_empty() {
            self.flush().await?;
        }
        self.buf.push_str(lines);
        Ok(())
    }

    async fn flush(&mut self) -> Result<(), sqlx::Error> {
        sqlx::query!(
            "INSERT INTO job_files (job_id, name, seq, data) VALUES ($1, $2, $3, $4)",
            self.job,
            RESULT,
            self.seq,
            self.buf.as_bytes()
        )
        .execute(&self.pool)
        .await?;
        self.seq += 1;
        self.buf.clear();
        Ok(())
    }

    pub async fn finish(mut self) -> Result<(), sqlx::Error> {
        if !self.buf.is_empty() || self.seq == 0 {
            self.flush().await?;
        }
        Ok(())
    }
}
