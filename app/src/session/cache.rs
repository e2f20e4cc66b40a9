//! Who a session token belongs to, remembered across requests, so a shopper's every
//! request does not start with a query. PostgreSQL keeps it exact: triggers notify at
//! commit whenever a session ends or becomes less valid, or a session's or customer's
//! cart appears or goes (migrations/*_session_notify.sql), and the listener evicts it.
//! A session is trusted for at most [`TRUST_FOR`] before the database is asked again
//! (which also records the visit for the idle timeout), and never past its expiry.
//! Nothing here is used while the listener is not connected.

use super::Visitor;
use crate::notify::{Freshness, Notified, Ticket};
use std::collections::{HashMap, VecDeque};
use std::sync::RwLock;
use std::time::{Duration, Instant};

/// The channel the session triggers notify.
pub const CHANNEL: &str = "mercato_sessions";
/// The longest a looked-up session is used without asking the database again.
pub const TRUST_FOR: Duration = Duration::from_secs(30);
const CAPACITY: usize = 100_000;
/// Evictions remembered, so a lookup that raced one is refused only if it was about the
/// same session or customer (new carts are made all the time; each one evicts).
const EVICTIONS_KEPT: usize = 4096;

/// SHA-256 of a session token.
pub type TokenHash = [u8; 32];

#[derive(Debug, Default)]
pub struct SessionCache {
    freshness: Freshness,
    inner: RwLock<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    entries: HashMap<TokenHash, (Visitor, Instant)>,
    /// The latest evictions, oldest first, each with the generation it made.
    evictions: VecDeque<(u64, Evicted)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Evicted {
    Session(i64),
    User(i64),
    All,
}

impl Evicted {
    fn covers(self, v: &Visitor) -> bool {
        match self {
            Evicted::Session(id) => v.session.id == id,
            Evicted::User(id) => v.session.user_id == Some(id),
            Evicted::All => true,
        }
    }
}

impl Inner {
    /// Was nothing about `visitor` evicted after `since` (as far as we remember)?
    fn untouched_since(&self, since: u64, now: u64, visitor: &Visitor) -> bool {
        if since == now {
            return true;
        }
        // Every generation after `since` must still be on record.
        let remembered = self
            .evictions
            .front()
            .is_some_and(|(first, _)| *first <= since + 1);
        remembered
            && self
                .evictions
                .iter()
                .filter(|(g, _)| *g > since)
                .all(|(_, e)| !e.covers(visitor))
    }
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
        let inner = self.inner.read().ok()?;
        let (visitor, until) = inner.entries.get(token)?;
        (Instant::now() < *until).then(|| visitor.clone())
    }

    /// Remembers what the database said about a token (or what was just created), for
    /// at most `valid_for` (capped by [`TRUST_FOR`]), unless that session or its customer
    /// was evicted since `ticket` was taken.
    pub fn put(&self, ticket: Ticket, token: TokenHash, visitor: Visitor, valid_for: Duration) {
        let Some(until) = Instant::now().checked_add(valid_for.min(TRUST_FOR)) else {
            return;
        };
        let Some(since) = ticket.generation() else {
            return;
        };
        if let Ok(mut inner) = self.inner.write()
            && self.freshness.is_live()
            && inner.untouched_since(since, self.freshness.generation(), &visitor)
        {
            if inner.entries.len() >= CAPACITY && !inner.entries.contains_key(&token) {
                let now = Instant::now();
                inner.entries.retain(|_, (_, until)| *until > now);
                if inner.entries.len() >= CAPACITY {
                    inner.entries.clear();
                }
            }
            inner.entries.insert(token, (visitor, until));
        }
    }

    fn evict(&self, what: Evicted) {
        if let Ok(mut inner) = self.inner.write() {
            self.freshness.bump();
            let generation = self.freshness.generation();
            inner
                .entries
                .retain(|_, (visitor, _)| !what.covers(visitor));
            if inner.evictions.len() >= EVICTIONS_KEPT {
                inner.evictions.pop_front();
            }
            inner.evictions.push_back((generation, what));
        }
    }

    /// Forgets a session at once (this instance ended or changed it; the commit's
    /// notification tells the others, and evicts here again).
    pub fn evict_session(&self, session_id: i64) {
        self.evict(Evicted::Session(session_id));
    }

    /// Forgets every session of a customer at once.
    pub fn evict_user(&self, user_id: i64) {
        self.evict(Evicted::User(user_id));
    }

    /// How many tokens are remembered (for tests and diagnostics).
    pub fn len(&self) -> usize {
        self.inner.read().map(|i| i.entries.len()).unwrap_or(0)
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
        self.evict(Evicted::All);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::set_live;
    use crate::session::Session;

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
    fn a_lookup_is_refused_only_for_an_eviction_that_concerns_it() {
        let cache = SessionCache::new();
        set_live(&cache, true);
        let ticket = cache.ticket();
        cache.invalidate("session:2"); // another shopper's new cart
        cache.invalidate("user:9");
        cache.put(ticket, [1; 32], visitor(1, Some(7)), LONG);
        assert_eq!(
            cache.get(&[1; 32]),
            Some(visitor(1, Some(7))),
            "unrelated evictions"
        );
        let ticket = cache.ticket();
        cache.invalidate("user:7");
        cache.put(ticket, [1; 32], visitor(1, Some(7)), LONG);
        assert_eq!(
            cache.get(&[1; 32]),
            None,
            "its customer was evicted meanwhile"
        );
        let ticket = cache.ticket();
        cache.invalidate("all");
        cache.put(ticket, [3; 32], visitor(3, None), LONG);
        assert_eq!(
            cache.get(&[3; 32]),
            None,
            "everything was evicted meanwhile"
        );
        let ticket = cache.ticket();
        for n in 0..=EVICTIONS_KEPT as i64 {
            cache.invalidate(&format!("session:{}", 100 + n));
        }
        cache.put(ticket, [4; 32], visitor(4, None), LONG);
        assert_eq!(cache.get(&[4; 32]), None, "too many evictions to tell");
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
        let (_, until) = cache.inner.read().unwrap().entries[&[2; 32]].clone();
        assert!(until <= Instant::now() + TRUST_FOR, "capped by TRUST_FOR");
    }
}
