//! Rate limits on what is costly or abusable: searches, suggestions, sign-up, sign-in
//! (and the other password forms), cart changes and checkout placement. Each request of
//! such a kind is counted against its client address and, when it carries a session,
//! against that account (or session): past either limit it gets 429 with `Retry-After`,
//! and nothing runs. Other clients are counted apart and stay served.
//!
//! The counts are kept in this instance's memory (GCRA, the `governor` crate): behind a
//! load balancer of N instances a client gets up to N times the limit, which the
//! balancer can cap with its own per-address limits (haproxy stick tables).

use app::context::ClientAddr;
use app::session;
use app::session::cache::SessionCache;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use serde::{Deserialize, Serialize};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::{Arc, Weak};
use std::time::Duration;

/// A sustained rate and the burst allowed above it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limit {
    pub per_minute: u32,
    pub burst: u32,
}

impl Limit {
    const fn new(per_minute: u32, burst: u32) -> Self {
        Limit { per_minute, burst }
    }

    fn quota(self) -> Option<Quota> {
        let per_minute = NonZeroU32::new(self.per_minute)?;
        let burst = NonZeroU32::new(self.burst)?;
        Some(Quota::per_minute(per_minute).allow_burst(burst))
    }
}

/// The limits, per kind of request (settings `rate_limits.*`). Each applies per client
/// address and, separately, per account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    pub enabled: bool,
    /// Search pages and `/api/v1/search`.
    pub search: Limit,
    /// Suggestions as someone types.
    pub suggest: Limit,
    pub sign_up: Limit,
    /// Sign-in, password change, reset requests and resets, account confirmations, and
    /// order look-ups by number and e-mail.
    pub sign_in: Limit,
    /// Adding, changing and removing cart lines.
    pub cart: Limit,
    /// Placing an order, and updating the checkout's totals.
    pub checkout: Limit,
    /// Joining a flash sale's queue or its waitlist (per address: one place per account
    /// is the database's rule).
    #[serde(default = "Limits::flash_join_standard")]
    pub flash_join: Limit,
    /// Asking where one stands in a flash sale's queue (a browser asks every few seconds).
    #[serde(default = "Limits::flash_poll_standard")]
    pub flash_poll: Limit,
    /// A product page telling the shop it was seen (once per browser tab; it may start a
    /// guest's session).
    #[serde(default = "Limits::views_standard")]
    pub views: Limit,
}

impl Limits {
    pub fn standard() -> Self {
        Limits {
            enabled: true,
            search: Limit::new(240, 60),
            suggest: Limit::new(600, 60),
            sign_up: Limit::new(10, 5),
            sign_in: Limit::new(30, 10),
            cart: Limit::new(240, 60),
            checkout: Limit::new(30, 15),
            flash_join: Self::flash_join_standard(),
            flash_poll: Self::flash_poll_standard(),
            views: Self::views_standard(),
        }
    }

    fn views_standard() -> Limit {
        Limit::new(120, 60)
    }

    fn flash_join_standard() -> Limit {
        Limit::new(20, 10)
    }

    fn flash_poll_standard() -> Limit {
        Limit::new(120, 30)
    }

    /// Settings errors, if any.
    pub fn check(&self) -> Result<(), String> {
        for (name, limit) in self.named() {
            if limit.quota().is_none() {
                return Err(format!(
                    "rate_limits.{name}: per_minute and burst must be at least 1"
                ));
            }
        }
        Ok(())
    }

    fn named(&self) -> [(&'static str, Limit); KINDS] {
        [
            ("search", self.search),
            ("suggest", self.suggest),
            ("sign_up", self.sign_up),
            ("sign_in", self.sign_in),
            ("cart", self.cart),
            ("checkout", self.checkout),
            ("flash_join", self.flash_join),
            ("flash_poll", self.flash_poll),
            ("views", self.views),
        ]
    }
}

const KINDS: usize = 9;

/// The kind of a request, as far as limits go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Search = 0,
    Suggest = 1,
    SignUp = 2,
    SignIn = 3,
    Cart = 4,
    Checkout = 5,
    FlashJoin = 6,
    FlashPoll = 7,
    Views = 8,
}

fn kind_of(method: &Method, path: &str) -> Option<Kind> {
    let get = method == Method::GET || method == Method::HEAD;
    let post = method == Method::POST;
    match path {
        "/search" | "/api/v1/search" if get => Some(Kind::Search),
        "/api/search/products" if post => Some(Kind::Search),
        "/api/v1/suggest" if get => Some(Kind::Suggest),
        "/api/search/suggest" if post => Some(Kind::Suggest),
        "/api/account/sign-up" if post => Some(Kind::SignUp),
        "/api/account/sign-in"
        | "/api/account/change-password"
        | "/api/account/forgot"
        | "/api/account/reset"
        | "/api/account/confirm"
        | "/api/orders/get"
            if post =>
        {
            Some(Kind::SignIn)
        }
        "/api/cart/add" | "/api/cart/update" | "/api/cart/remove" if post => Some(Kind::Cart),
        "/api/reco/seen" if post => Some(Kind::Views),
        "/api/checkout/place" | "/api/checkout/update" if post => Some(Kind::Checkout),
        "/api/flash/join" | "/api/flash/waitlist" if post => Some(Kind::FlashJoin),
        "/api/flash/standing" | "/api/flash/live" => Some(Kind::FlashPoll),
        _ => None,
    }
}

/// Whom a request is counted against.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Key {
    /// An IPv4 address, or an IPv6 client's /64 (a subscriber has a whole /64).
    Address(IpAddr),
    Account(i64),
    /// A guest's session (one the session cache knows: a made-up cookie counts nothing).
    Session(i64),
}

impl Key {
    fn address(ip: IpAddr) -> Self {
        match ip {
            IpAddr::V6(v6) => {
                let s = v6.segments();
                Key::Address(IpAddr::V6(std::net::Ipv6Addr::new(
                    s[0], s[1], s[2], s[3], 0, 0, 0, 0,
                )))
            }
            v4 => Key::Address(v4),
        }
    }
}

/// The limiters of one router.
pub struct Limiter {
    enabled: bool,
    by_kind: Vec<Option<DefaultKeyedRateLimiter<Key>>>,
    sessions: Arc<SessionCache>,
    clock: DefaultClock,
}

impl std::fmt::Debug for Limiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Limiter")
            .field("enabled", &self.enabled)
            .finish_non_exhaustive()
    }
}

impl Limiter {
    pub fn new(limits: &Limits, sessions: Arc<SessionCache>) -> Self {
        Limiter {
            enabled: limits.enabled,
            by_kind: limits
                .named()
                .iter()
                .map(|(_, l)| l.quota().map(RateLimiter::keyed))
                .collect(),
            sessions,
            clock: DefaultClock::default(),
        }
    }

    /// How long to wait if `key` is past its limit for `kind`; counts the request if not.
    fn wait(&self, kind: Kind, key: &Key) -> Option<Duration> {
        let limiter = self.by_kind.get(kind as usize)?.as_ref()?;
        limiter
            .check_key(key)
            .err()
            .map(|not_until| not_until.wait_time_from(self.clock.now()))
    }

    /// The account (or guest session) a request's cookie names, as far as the session
    /// cache knows it, without asking the database. An unknown cookie names nobody (the
    /// address still counts), so made-up cookies cannot fill the limiter.
    fn account_of(&self, headers: &axum::http::HeaderMap) -> Option<Key> {
        let token = session::cookie_value(headers, session::COOKIE)?;
        if !session::well_formed(&token) {
            return None;
        }
        let visitor = self.sessions.get(&session::token_hash(&token))?;
        Some(match visitor.session.user_id {
            Some(user) => Key::Account(user),
            None => Key::Session(visitor.session.id),
        })
    }

    fn forget_idle(&self) {
        for limiter in self.by_kind.iter().flatten() {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }
}

/// Drops the counts of clients that have been quiet long enough to be back at full
/// allowance, every minute, for as long as the router lives.
pub fn spawn_housekeeping(limiter: &Arc<Limiter>) {
    let weak: Weak<Limiter> = Arc::downgrade(limiter);
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_secs(60)).await;
            match weak.upgrade() {
                Some(limiter) => limiter.forget_idle(),
                None => return,
            }
        }
    });
}

/// Counts a limited request against its address and account; 429 past either limit.
pub async fn enforce(
    State(limiter): State<Arc<Limiter>>,
    request: Request,
    next: Next,
) -> Response {
    if !limiter.enabled {
        return next.run(request).await;
    }
    let Some(kind) = kind_of(request.method(), request.uri().path()) else {
        return next.run(request).await;
    };
    let address = request.extensions().get::<ClientAddr>().map(|c| c.0);
    // The address first, then the account; a request refused by the first is not counted
    // against the second.
    let wait = address
        .and_then(|ip| limiter.wait(kind, &Key::address(ip)))
        .or_else(|| {
            limiter
                .account_of(request.headers())
                .and_then(|account| limiter.wait(kind, &account))
        });
    match wait {
        None => next.run(request).await,
        Some(wait) => {
            tracing::warn!(
                client.address = ?address,
                limit = ?kind,
                wait_ms = wait.as_millis() as u64,
                "rate limited"
            );
            too_many(&request, wait)
        }
    }
}

/// 429 with `Retry-After` in whole seconds: JSON for the browser's code and API clients,
/// a short page for a browser's plain form post or page load.
fn too_many(request: &Request, wait: Duration) -> Response {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    let secs = secs.max(1);
    let wants_html = request
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    let message = format!("Too many requests; please try again in {secs} seconds.");
    let mut response = if wants_html {
        (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            format!(
                "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
                 <title>Too many requests · Mercato</title></head><body><main>\
                 <h1>Too many requests</h1><p>{message}</p><p><a href=\"/\">Mercato</a></p>\
                 </main></body></html>"
            ),
        )
            .into_response()
    } else {
        let body = serde_json::json!({ "code": "rate_limited", "message": message });
        (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::CONTENT_TYPE, "application/json")],
            body.to_string(),
        )
            .into_response()
    };
    if let Ok(value) = HeaderValue::from_str(&secs.to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limited_requests_by_method_and_path() {
        assert_eq!(kind_of(&Method::GET, "/search"), Some(Kind::Search));
        assert_eq!(kind_of(&Method::POST, "/api/cart/add"), Some(Kind::Cart));
        assert_eq!(kind_of(&Method::POST, "/api/reco/seen"), Some(Kind::Views));
        assert_eq!(
            kind_of(&Method::POST, "/api/checkout/place"),
            Some(Kind::Checkout)
        );
        assert_eq!(kind_of(&Method::GET, "/p/laptop"), None);
        assert_eq!(kind_of(&Method::GET, "/api/cart/add"), None);
        assert_eq!(kind_of(&Method::POST, "/api/cart"), None);
    }

    #[test]
    fn one_client_is_limited_and_another_is_not() {
        let mut limits = Limits::standard();
        limits.search = Limit::new(60, 3);
        let limiter = Limiter::new(&limits, Arc::new(SessionCache::new()));
        let a = Key::Address("203.0.113.1".parse().unwrap());
        let b = Key::Address("203.0.113.2".parse().unwrap());
        for _ in 0..3 {
            assert_eq!(limiter.wait(Kind::Search, &a), None);
        }
        let wait = limiter.wait(Kind::Search, &a).expect("limited");
        assert!(wait <= Duration::from_secs(1), "{wait:?}");
        assert_eq!(limiter.wait(Kind::Search, &b), None);
        // Each kind has its own allowance.
        assert_eq!(limiter.wait(Kind::Cart, &a), None);
    }

    #[test]
    fn an_ipv6_subscriber_is_one_client() {
        let a = Key::address("2001:db8:1:2::1".parse().unwrap());
        let b = Key::address("2001:db8:1:2:ffff::9".parse().unwrap());
        let c = Key::address("2001:db8:1:3::1".parse().unwrap());
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(
            Key::address("203.0.113.5".parse().unwrap()),
            Key::Address("203.0.113.5".parse().unwrap())
        );
    }

    #[test]
    fn zero_limits_are_refused() {
        let mut limits = Limits::standard();
        limits.cart = Limit::new(0, 5);
        assert!(limits.check().is_err());
        assert!(Limits::standard().check().is_ok());
    }
}
