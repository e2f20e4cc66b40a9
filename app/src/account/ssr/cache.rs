//! Who a session token belongs to, remembered across requests, so a shopper's every
//! request does not start with a query. PostgreSQL keeps it exact: triggers notify at
//! commit whenever a session ends or becomes less valid, or a session's or customer's
//! cart appears or goes (migrations/*_session_notify.sql), and the listener evicts it.
//! A session is trusted for at most [`TRUST_FOR`] before the database is asked again
//! (which also records the visit for the idle timeout), and never past its expiry.
//! Nothing here is used while the listener is not connected.

use super::session::Visitor;
use crate::notify::{Freshness, Notified, Ticket};
use std::collections::HashMap;
use std::sync::RwLock;
use std::time::{Duration, Instant};

/// The channel the session triggers notify.
pub const CHANNEL: &str = "mercato_sessions";
/// The longest a looked-up session is used without asking the database again.
pub const TRUST_FOR: Duration = Duration::from_secs(30);
const CAPACITY: usize = 100_000;

/// SHA-256 of a session token.
pub type TokenHash = [u8; 32];

#[derive(Debug, Default)]
pub struct SessionCache {
    freshness: Freshness,
    entries: RwLock<HashMap<TokenHash, (Visitor, Instant)>>,
}

impl SessionCache {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn freshness(&self) -> &Freshness {
        &self.freshness
    }

    /// Take one before reading the database (see [`Ticket`]).
    pub fn ticket(&self) -> Ticket {
        self.freshness.ticket()
    }

    /// The visitor a token belongs to, if it was looked up recently enough.
    pub fn get(&self, token: &TokenHash) -> Option<Visitor> {
        if !self.freshness.is_live() {
            return None;
        }
        let entries = self.entries.read().ok()?;
        let (visitor, until) = entries.get(token)?;
        (Instant::now() < *until).then(|| visitor.clone())
    }

    /// Remembers what the database said about a token, for at most `valid_for` (capped
    /// by [`TRUST_FOR`]), unless anything was evicted since `ticket` was taken.
    pub fn put(&self, ticket: Ticket, token: TokenHash, visitor: Visitor, valid_for: Duration) {
        let Some(until) = Instant::now().checked_add(valid_for.min(TRUST_FOR)) else {
            return;
        };
        if let Ok(mut entries) = self.entries.write()
            && self.freshness.admits(ticket)
        {
            if entries.len() >= CAPACITY && !entries.contains_key(&token) {
                let now = Instant::now();
                entries.retain(|_, (_, until)| *until > now);
                if entries.len() >= CAPACITY {
                    entries.clear();
                }
            }
            entries.insert(token, (visitor, until));
        }
    }

    fn evict_where(&self, gone: impl Fn(&Visitor) -> bool) {
        if let Ok(mut entries) = self.entries.write() {
            self.freshness.bump();
            entries.retain(|_, (visitor, _)| !gone(visitor));
        }
    }

    /// Forgets a session at once (this instance ended or changed it; the commit's
    /// notification tells the others, and evicts here again).
    pub fn evict_session(&self, session_id: i64) {
        self.evict_where(|v| v.session.id == session_id);
    }

    /// Forgets every session of a customer at once.
    pub fn evict_user(&self, user_id: i64) {
        self.evict_where(|v| v.session.user_id == Some(user_id));
    }

    /// How many tokens are remembered (for tests and diagnostics).
    pub fn len(&self) -> usize {
        self.entries.read().map(|e| e.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Notified for SessionCache {
    const NAME: &'static str = "sessions";
    const CHANNEL: &'static str = CHANNEL;

    fn freshness(&self) -> &Freshness {
        &self.freshness
    }

    /// `session:<id>` or `user:<id>` evicts those; anything else evicts everything.
    fn invalidate(&self, payload: &str) {
        let id = |prefix: &str| payload.strip_prefix(prefix)?.parse::<i64>().ok();
        match (id("session:"), id("user:")) {
            (Some(session), _) => self.evict_session(session),
            (_, Some(user)) => self.evict_user(user),
            _ => self.clear(),
        }
    }

    fn clear(&self) {
        if let Ok(mut entries) = self.entries.write() {
            self.freshness.bump();
            entries.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::ssr::session::Session;
    use crate::notify::set_live;

    fn visitor(id: i64, user_id: Option<i64>) -> Visitor {
        Visitor {
            session: Session { id, user_id },
            cart_id: None,
            email: None,
        }
    }

    const LONG: Duration = Duration::from_secs(3600);

    #[test]
    fn bypassed_until_live() {
        let cache = SessionCache::new();
        cache.put(cache.ticket(), [1; 32], visitor(1, None), LONG);
        assert_eq!(cache.get(&[1; 32]), None);
        set_live(&cache, true);
        cache.put(cache.ticket(), [1; 32], visitor(1, None), LONG);
        assert_eq!(cache.get(&[1; 32]), Some(visitor(1, None)));
        set_live(&cache, false);
        assert_eq!(cache.get(&[1; 32]), None);
    }

    #[test]
    fn an_eviction_during_a_lookup_discards_what_was_read() {
        let cache = SessionCache::new();
        set_live(&cache, true);
        let ticket = cache.ticket(); // a request starts reading the database...
        cache.invalidate("session:1"); // ...the session ends and the notification arrives...
        cache.put(ticket, [1; 32], visitor(1, None), LONG); // ...so its copy is dropped.
        assert_eq!(cache.get(&[1; 32]), None);
    }

    #[test]
    fn evictions_are_precise() {
        let cache = SessionCache::new();
        set_live(&cache, true);
        cache.put(cache.ticket(), [1; 32], visitor(1, None), LONG);
        cache.put(cache.ticket(), [2; 32], visitor(2, Some(7)), LONG);
        cache.put(cache.ticket(), [3; 32], visitor(3, Some(7)), LONG);
        cache.put(cache.ticket(), [4; 32], visitor(4, Some(8)), LONG);
        cache.invalidate("session:1");
        assert_eq!(cache.get(&[1; 32]), None);
        assert_eq!(cache.len(), 3);
        cache.invalidate("user:7");
        assert_eq!(cache.get(&[2; 32]), None);
        assert_eq!(cache.get(&[3; 32]), None);
        assert_eq!(cache.get(&[4; 32]), Some(visitor(4, Some(8))));
        cache.invalidate("something new");
        assert!(cache.is_empty());
    }

    #[test]
    fn trusted_for_a_while_only() {
        let cache = SessionCache::new();
        set_live(&cache, true);
        cache.put(cache.ticket(), [1; 32], visitor(1, None), Duration::ZERO);
        assert_eq!(cache.get(&[1; 32]), None, "already expired");
        cache.put(cache.ticket(), [2; 32], visitor(2, None), LONG);
        let (_, until) = cache.entries.read().unwrap()[&[2; 32]].clone();
        assert!(until <= Instant::now() + TRUST_FOR, "capped by TRUST_FOR");
    }
}
