//! CSV as the admin's exports write it: RFC 4180 quoting, cells that a spreadsheet would
//! run as a formula made inert, and lines produced by a task as the client reads them
//! (an export of any size holds one batch in memory, and stops when the client goes).

use futures::Stream;
use std::future::Future;

/// One CSV line (with its newline).
pub fn line(fields: &[String]) -> String {
    let mut out = String::new();
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&cell(f));
    }
    out.push('\n');
    out
}

/// A cell: quoted when it holds a comma, quote or line break; a text starting with
/// `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'` so that a
/// spreadsheet shows it instead of running it (numbers such as `-5` stay numbers).
pub fn cell(value: &str) -> String {
    let risky =
        value.starts_with(['=', '+', '-', '@', '\t', '\r']) && value.parse::<f64>().is_err();
    let value = if risky {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

/// Where a producer sends its lines; sending fails once the reader has gone.
pub struct Lines(tokio::sync::mpsc::Sender<Result<String, sqlx::Error>>);

/// The reader went away.
#[derive(Debug)]
pub struct Gone;

impl From<Gone> for sqlx::Error {
    fn from(_: Gone) -> Self {
        sqlx::Error::PoolClosed
    }
}

impl Lines {
    pub async fn send(&self, line: String) -> Result<(), Gone> {
        self.0.send(Ok(line)).await.map_err(|_| Gone)
    }
}

/// Runs `producer` as its own task and streams what it sends. A failure ends the
/// stream with the error (logged); a reader that stops reading stops the producer at
/// its next send.
pub fn produce<F, Fut>(
    producer: F,
) -> impl Stream<Item = Result<String, sqlx::Error>> + Send + 'static
where
    F: FnOnce(Lines) -> Fut + Send + 'static,
    Fut: Future<Output = Result<(), sqlx::Error>> + Send + 'static,
{
    let (tx, mut rx) = tokio::sync::mpsc::channel(256);
    let errors = tx.clone();
    tokio::spawn(async move {
        if let Err(error) = producer(Lines(tx)).await {
            if !matches!(error, sqlx::Error::PoolClosed) {
                tracing::error!(%error, "export failed");
            }
            let _ = errors.send(Err(error)).await;
        }
    });
    futures::stream::poll_fn(move |cx| rx.poll_recv(cx))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_quoted_and_formulas_made_inert() {
        assert_eq!(cell("plain"), "plain");
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("two\nlines"), "\"two\nlines\"");
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("-5"), "-5");
        assert_eq!(cell("-1.25"), "-1.25");
        assert_eq!(cell("+44 20 7946 0000"), "'+44 20 7946 0000");
        assert_eq!(line(&["a".into(), "b,c".into()]), "a,\"b,c\"\n");
    }
}
