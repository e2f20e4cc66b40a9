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

/// The line number of a byte offset in a file read forwards: a CSV reader's own line
/// numbers leave out blank lines, and a merchant's editor counts them.
pub struct LineNumbers<'a> {
    bytes: &'a [u8],
    at: usize,
    line: u64,
}

impl<'a> LineNumbers<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        LineNumbers {
            bytes,
            at: 0,
            line: 1,
        }
    }

    /// The line `byte` is on (offsets asked in order cost one pass in all).
    pub fn line_of(&mut self, byte: u64) -> u64 {
        let to = (byte as usize).min(self.bytes.len());
        if to < self.at {
            self.at = 0;
            self.line = 1;
        }
        self.line += self.bytes[self.at..to]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64;
        self.at = to;
        self.line
    }

    /// The line a CSV row starts on, from the offset a CSV reader gives for it (which
    /// is before the blank lines it skipped to reach the row).
    pub fn line_of_row(&mut self, byte: u64) -> u64 {
        let mut at = byte as usize;
        while self
            .bytes
            .get(at)
            .is_some_and(|b| matches!(b, b'\n' | b'\r'))
        {
            at += 1;
        }
        self.line_of(at as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_numbers_count_blank_lines() {
        let text = b"a\n\nb\n\n\nc";
        let mut lines = LineNumbers::new(text);
        assert_eq!(lines.line_of(0), 1);
        assert_eq!(lines.line_of(3), 3);
        assert_eq!(lines.line_of(7), 6);
        assert_eq!(lines.line_of(3), 3);
        assert_eq!(lines.line_of_row(1), 3, "after the blank line");
    }

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
