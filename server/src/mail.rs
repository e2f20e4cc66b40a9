//! SMTP delivery for the e-mail outbox (lettre), used when `mail.smtp_url` is set:
//! `smtps://user:password@smtp.example.com` (TLS), `smtp://host:587?tls=required`
//! (STARTTLS), or `smtp://relay:25` (a relay on a trusted network, no TLS).

use app::mail::{Outgoing, Transport};
use lettre::message::{Mailbox, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::{Duration, SystemTime};

pub struct Smtp {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Smtp {
    pub fn new(url: &str, from: &str) -> anyhow::Result<Self> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| anyhow::anyhow!("mail.smtp_url is not usable: {e}"))?
            .timeout(Some(Duration::from_secs(20)))
            .build();
        let from = from
            .parse()
            .map_err(|e| anyhow::anyhow!("mail.from is not an address: {e}"))?;
        Ok(Smtp { transport, from })
    }
}

impl Transport for Smtp {
    async fn send(&self, m: &Outgoing) -> Result<(), String> {
        let to: Mailbox =
            m.to.parse()
                .map_err(|e| format!("cannot send to {}: {e}", m.to))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&m.subject)
            .date(SystemTime::from(m.created_at))
            .header(ContentType::TEXT_PLAIN)
            .body(m.body.clone())
            .map_err(|e| e.to_string())?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| format!("SMTP: {e}"))
    }
}
