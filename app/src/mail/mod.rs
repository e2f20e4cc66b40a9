//! Outgoing e-mail through an outbox table. `ssr::enqueue` runs inside the caller's
//! transaction; `ssr::deliver_pending` (the server's mail worker) hands each message to
//! a [`Transport`] and marks it sent: by default a maildir (`<data_dir>/mail/{tmp,new}`,
//! readable by any mail client), or SMTP when configured (the server's `mail` module).
//! A message that cannot be delivered stays queued with its error and is retried.

pub mod ssr;

pub use ssr::{deliver_pending, enqueue, enqueue_limited};

use chrono::{DateTime, Utc};
use std::future::Future;
use std::path::{Path, PathBuf};

/// The sender when settings name none.
pub const DEFAULT_FROM: &str = "Mercato <no-reply@mercato.invalid>";

/// A queued message on its way out.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub id: i64,
    pub to: String,
    pub subject: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

/// Somewhere messages can be delivered.
pub trait Transport: Sync {
    fn send(&self, message: &Outgoing) -> impl Future<Output = Result<(), String>> + Send;
}

/// Delivery into a maildir directory.
pub struct Maildir {
    pub dir: PathBuf,
    pub from: String,
}

impl Maildir {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Maildir {
            dir: dir.into(),
            from: DEFAULT_FROM.to_owned(),
        }
    }
}

impl Transport for Maildir {
    async fn send(&self, m: &Outgoing) -> Result<(), String> {
        let message = render(m, &self.from);
        let name = format!("{}.{}.mercato", m.created_at.timestamp(), m.id);
        let dir = self.dir.clone();
        tokio::task::spawn_blocking(move || write_maildir(&dir, &name, &message))
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| format!("{}: {e}", self.dir.display()))
    }
}

/// A header's value on one line: line breaks and other control characters (which could
/// end the header and start another, or the body) become spaces.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// A text header's value ([`one_line`]); text that is not ASCII is sent as an RFC 2047
/// encoded word. (Not for addresses, which take UTF-8 as they are.)
fn header_value(text: &str) -> String {
    use base64::Engine;
    let flat = one_line(text);
    if flat.is_ascii() {
        flat
    } else {
        format!(
            "=?utf-8?b?{}?=",
            base64::engine::general_purpose::STANDARD.encode(flat.as_bytes())
        )
    }
}

/// A message in Internet Message Format.
fn render(m: &Outgoing, from: &str) -> String {
    let body = m.body.replace("\r\n", "\n").replace('\n', "\r\n");
    format!(
        "From: {from}\r\nTo: {}\r\nSubject: {}\r\nDate: {}\r\nMessage-ID: <{}.{}@mercato.invalid>\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\
         Content-Transfer-Encoding: 8bit\r\n\r\n{body}\r\n",
        one_line(&m.to),
        header_value(&m.subject),
        m.created_at.to_rfc2822(),
        m.id,
        m.created_at.timestamp()
    )
}

/// Writes one message into the maildir the safe way: into `tmp/`, then renamed to `new/`.
fn write_maildir(dir: &Path, name: &str, message: &str) -> std::io::Result<()> {
    for sub in ["tmp", "new", "cur"] {
        std::fs::create_dir_all(dir.join(sub))?;
    }
    let tmp = dir.join("tmp").join(name);
    std::fs::write(&tmp, message)?;
    std::fs::rename(&tmp, dir.join("new").join(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_well_formed() {
        let m = Outgoing {
            id: 7,
            to: "ada@example.com".into(),
            subject: "Hello".into(),
            body: "line one\nline two".into(),
            created_at: DateTime::from_timestamp(1_800_000_000, 0).unwrap(),
        };
        let text = render(&m, DEFAULT_FROM);
        assert!(
            text.starts_with("From: Mercato <no-reply@mercato.invalid>\r\nTo: ada@example.com\r\n")
        );
        assert!(text.contains("\r\n\r\nline one\r\nline two\r\n"));
        assert!(text.contains("Message-ID: <7.1800000000@mercato.invalid>"));
    }

    #[test]
    fn headers_cannot_be_injected() {
        let m = Outgoing {
            id: 1,
            to: "ada@example.com\r\nBcc: victim@example.com".into(),
            subject: "Your order\r\n\r\n<script>alert(1)</script>".into(),
            body: "hi".into(),
            created_at: DateTime::from_timestamp(1_800_000_000, 0).unwrap(),
        };
        let text = render(&m, DEFAULT_FROM);
        let head = text.split("\r\n\r\n").next().unwrap();
        assert!(!head.contains("\r\nBcc:"), "{head}");
        assert_eq!(
            head.lines().filter(|l| l.starts_with("Subject:")).count(),
            1
        );
        assert!(text.ends_with("\r\n\r\nhi\r\n"), "{text}");
        assert_eq!(super::header_value("Café"), "=?utf-8?b?Q2Fmw6k=?=");
    }
}
