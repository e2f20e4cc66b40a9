//! Sessions: who a request is. Server-side sessions in PostgreSQL; the cookie holds 256
//! random bits (base64url), the table only their SHA-256. Guests get a session when they
//! first put something in a cart; signing in always starts a new one (the old token
//! stops working). The request's visitor (session, customer, cart) is looked up at most
//! once per request, and remembered across requests by [`cache`], kept exact by the
//! database's notifications. This module is also the session's HTTP adapter: the cookie.

pub mod cache;

use axum::http::{HeaderMap, HeaderValue, header, request::Parts};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cache::{SessionCache, TokenHash};
use leptos::prelude::use_context;
use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::{PgConnection, PgPool};
use std::sync::Arc;
use std::time::Duration;

pub const COOKIE: &str = "mercato_session";

/// How long sessions last, and how their cookie is sent (from settings).
#[derive(Clone, Debug)]
pub struct SessionRules {
    /// A signed-in session ends after this long without a request.
    pub idle: Duration,
    /// And after this long whatever happens.
    pub absolute: Duration,
    /// A guest's session (and cart) is kept this long after their last visit.
    pub guest: Duration,
    /// Cookies get `Secure` when the shop is served over HTTPS.
    pub secure_cookies: bool,
}

impl SessionRules {
    /// The defaults the settings start from (for tests and tools).
    pub fn standard(secure_cookies: bool) -> Self {
        const HOUR: u64 = 3600;
        SessionRules {
            idle: Duration::from_secs(72 * HOUR),
            absolute: Duration::from_secs(30 * 24 * HOUR),
            guest: Duration::from_secs(30 * 24 * HOUR),
            secure_cookies,
        }
    }
}

/// What the session functions work with: the primary pool, the session cache and the
/// rules.
#[derive(Clone, Debug)]
pub struct Sessions {
    pub pool: PgPool,
    pub cache: Arc<SessionCache>,
    pub rules: SessionRules,
}
/// 32 random bytes in base64url without padding.
const TOKEN_CHARS: usize = 43;
/// `last_seen_at` is written at most this often per session, not on every request.
const TOUCH_EVERY_SECS: f64 = 60.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Session {
    pub id: i64,
    pub user_id: Option<i64>,
}

pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

pub fn token_hash(token: &str) -> TokenHash {
    Sha256::digest(token.as_bytes()).into()
}

/// A cookie's value from request headers (every `Cookie` header, `a=b; c=d` pairs).
pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim_matches('"').to_owned())
}

pub fn well_formed(token: &str) -> bool {
    token.len() == TOKEN_CHARS
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The session token the request carries, if it has a well-formed one.
pub fn request_token() -> Option<String> {
    let parts = use_context::<Parts>()?;
    cookie_value(&parts.headers, COOKIE).filter(|t| well_formed(t))
}

/// Who is asking: the request's valid session, and what the header and the cart need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Visitor {
    pub session: Session,
    /// The session's cart (the customer's, when signed in), if it has one yet.
    pub cart_id: Option<i64>,
    /// The signed-in customer's e-mail address.
    pub email: Option<String>,
}

/// What one request has looked up about its visitor, at most once however many server
/// functions and components ask (the header and the page render concurrently). Leptos
/// provides a fresh one per request (server/src/http.rs). Anything that changes the
/// session or the cart calls [`forget`], and the next question reads again; what other
/// concepts remember for the request ([`Memo`], the cart's) starts again with it.
///
/// Each lookup is a shared future: whoever asks polls it, so no asker ever waits on
/// another that has stopped being polled (a lock held across the query could).
#[derive(Debug, Default, Clone)]
pub struct RequestVisitor(std::sync::Arc<VisitorMemo>);

#[derive(Default)]
pub struct VisitorMemo {
    generation: std::sync::atomic::AtomicU64,
    visitor: Memo<Result<Option<Visitor>, std::sync::Arc<sqlx::Error>>>,
}

impl std::fmt::Debug for VisitorMemo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VisitorMemo").finish_non_exhaustive()
    }
}

type Shared<T> = futures::future::Shared<futures::future::BoxFuture<'static, T>>;

/// One lookup for the request, started at a generation of [`RequestVisitor`].
pub struct Memo<T: Clone>(std::sync::Mutex<Option<(u64, Shared<T>)>>);

impl<T: Clone> Default for Memo<T> {
    fn default() -> Self {
        Memo(std::sync::Mutex::new(None))
    }
}

impl<T: Clone + Send + Sync + 'static> Memo<T> {
    /// The lookup of this generation, started by `start` if there is none yet.
    pub async fn get(
        &self,
        generation: u64,
        start: impl FnOnce() -> futures::future::BoxFuture<'static, T>,
    ) -> T {
        use futures::FutureExt;
        let lookup = match self.0.lock() {
            Ok(mut slot) => match slot.as_ref() {
                Some((seen, lookup)) if *seen == generation => lookup.clone(),
                _ => {
                    let lookup = start().shared();
                    *slot = Some((generation, lookup.clone()));
                    lookup
                }
            },
            Err(_) => start().shared(),
        };
        lookup.await
    }
}

/// Drops what the request remembers about its visitor (its session or cart just changed).
pub fn forget() {
    if let Some(memo) = use_context::<RequestVisitor>() {
        memo.0
            .generation
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }
}

fn request_memo() -> Option<(RequestVisitor, u64)> {
    let memo = use_context::<RequestVisitor>()?;
    let generation = memo.0.generation.load(std::sync::atomic::Ordering::SeqCst);
    Some((memo, generation))
}

/// The request's generation of what it knows about its visitor (see [`forget`]), if it
/// is a request.
pub fn generation() -> Option<u64> {
    request_memo().map(|(_, g)| g)
}

/// The visitor the request's cookie names, if its session is still valid. A tampered,
/// unknown or expired cookie is simply no visitor.
pub async fn visitor(sessions: &Sessions) -> Result<Option<Visitor>, sqlx::Error> {
    use futures::FutureExt;
    let Some(token) = request_token() else {
        return Ok(None);
    };
    let lookup = {
        let sessions = sessions.clone();
        move || {
            async move {
                lookup_visitor(&sessions.pool, &sessions.cache, &token, &sessions.rules)
                    .await
                    .map_err(std::sync::Arc::new)
            }
            .boxed()
        }
    };
    let found = match request_memo() {
        Some((memo, generation)) => memo.0.visitor.get(generation, lookup).await,
        None => lookup().await,
    };
    found.map_err(|e| sqlx::Error::Protocol(format!("session lookup: {e}")))
}

/// The session the request's cookie names, if it is still valid.
pub async fn current(sessions: &Sessions) -> Result<Option<Session>, sqlx::Error> {
    Ok(visitor(sessions).await?.map(|v| v.session))
}

async fn lookup_visitor(
    pool: &PgPool,
    sessions: &SessionCache,
    token: &str,
    rules: &SessionRules,
) -> Result<Option<Visitor>, sqlx::Error> {
    let hash = token_hash(token);
    if let Some(visitor) = sessions.get(&hash) {
        return Ok(Some(visitor));
    }
    let ticket = sessions.ticket();
    // The cart is found on one of its two unique indexes (a guest's by session, a
    // customer's by account); an `OR` in one condition would scan instead.
    let row = sqlx::query!(
        r#"SELECT s.id, s.user_id, u.email AS "email?", c.id AS "cart_id?",
                  s.last_seen_at < now() - make_interval(secs => $3) AS "stale!",
                  extract(epoch FROM LEAST(
                      s.expires_at,
                      CASE WHEN s.user_id IS NOT NULL
                           THEN s.last_seen_at + make_interval(secs => $2) END) - now()
                  )::float8 AS "valid_secs!"
             FROM sessions s
             LEFT JOIN users u ON u.id = s.user_id
             LEFT JOIN LATERAL (
                  SELECT id FROM carts WHERE s.user_id IS NULL AND session_id = s.id
                  UNION ALL
                  SELECT id FROM carts WHERE user_id = s.user_id
                  LIMIT 1) c ON true
            WHERE s.token_hash = $1
              AND s.expires_at > now()
              AND (s.user_id IS NULL OR s.last_seen_at > now() - make_interval(secs => $2))"#,
        &hash[..],
        rules.idle.as_secs_f64(),
        TOUCH_EVERY_SECS,
    )
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    if row.stale {
        // A guest's session (and cart) is kept for the configured time after each visit.
        sqlx::query!(
            "UPDATE sessions
                SET last_seen_at = now(),
                    expires_at = CASE WHEN user_id IS NULL
                                      THEN now() + make_interval(secs => $2)
                                      ELSE expires_at END
              WHERE id = $1",
            row.id,
            rules.guest.as_secs_f64(),
        )
        .execute(pool)
        .await?;
    }
    let visitor = Visitor {
        session: Session {
            id: row.id,
            user_id: row.user_id,
        },
        cart_id: row.cart_id,
        email: row.email,
    };
    let valid_for = Duration::try_from_secs_f64(row.valid_secs).unwrap_or(Duration::ZERO);
    sessions.put(ticket, hash, visitor.clone(), valid_for);
    Ok(Some(visitor))
}

/// A new guest session (for a cart). Returns it and its token.
pub async fn create_guest(
    conn: &mut PgConnection,
    rules: &SessionRules,
) -> Result<(Session, String), sqlx::Error> {
    create_guest_for(conn, rules.guest).await
}

/// A guest session that ends after `lasting` unless it is used again (each later visit
/// keeps a guest's session for the configured time: `lookup_visitor`).
pub async fn create_guest_for(
    conn: &mut PgConnection,
    lasting: Duration,
) -> Result<(Session, String), sqlx::Error> {
    let token = new_token();
    let id = sqlx::query_scalar!(
        "INSERT INTO sessions (token_hash, expires_at)
         VALUES ($1, now() + make_interval(secs => $2)) RETURNING id",
        &token_hash(&token)[..],
        lasting.as_secs_f64(),
    )
    .fetch_one(conn)
    .await?;
    Ok((Session { id, user_id: None }, token))
}

/// A new session for a customer who just proved who they are.
pub async fn create_signed_in(
    conn: &mut PgConnection,
    user_id: i64,
    rules: &SessionRules,
) -> Result<(Session, String), sqlx::Error> {
    let token = new_token();
    let id = sqlx::query_scalar!(
        "INSERT INTO sessions (token_hash, user_id, expires_at)
         VALUES ($1, $2, now() + make_interval(secs => $3)) RETURNING id",
        &token_hash(&token)[..],
        user_id,
        rules.absolute.as_secs_f64(),
    )
    .fetch_one(conn)
    .await?;
    Ok((
        Session {
            id,
            user_id: Some(user_id),
        },
        token,
    ))
}

/// Ends a session. This instance forgets it at once; the commit's notification tells
/// the others (and evicts here again, after any request that read it meanwhile).
pub async fn delete(
    conn: &mut PgConnection,
    sessions: &SessionCache,
    session_id: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query!("DELETE FROM sessions WHERE id = $1", session_id)
        .execute(conn)
        .await?;
    sessions.evict_session(session_id);
    Ok(())
}

/// Ends every session of a customer (all devices), but one if given.
pub async fn revoke_all(
    conn: &mut PgConnection,
    sessions: &SessionCache,
    user_id: i64,
    except: Option<i64>,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query!(
        "DELETE FROM sessions WHERE user_id = $1 AND id IS DISTINCT FROM $2",
        user_id,
        except,
    )
    .execute(conn)
    .await?;
    sessions.evict_user(user_id);
    Ok(done.rows_affected())
}

/// Removes expired sessions (with guests' carts).
pub async fn purge_expired(pool: &PgPool, rules: &SessionRules) -> Result<u64, sqlx::Error> {
    let sessions = sqlx::query!(
        "DELETE FROM sessions
          WHERE expires_at < now()
             OR (user_id IS NOT NULL AND last_seen_at < now() - make_interval(secs => $1))",
        rules.idle.as_secs_f64(),
    )
    .execute(pool)
    .await?;
    Ok(sessions.rows_affected())
}

/// The `Set-Cookie` value for a session token (or for removing it, with `None`); `None`
/// only if the token holds characters a header cannot (ours are base64url).
pub fn cookie_header(token: Option<&str>, max_age: Duration, secure: bool) -> Option<HeaderValue> {
    let secure = if secure { "; Secure" } else { "" };
    let text = match token {
        Some(token) => format!(
            "{COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
            max_age.as_secs()
        ),
        None => format!("{COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}"),
    };
    HeaderValue::from_str(&text).ok()
}

/// Sends the session cookie with this response (and forgets the request's visitor).
pub fn set_cookie(token: Option<&str>, max_age: Duration, rules: &SessionRules) {
    forget();
    if let (Some(response), Some(cookie)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        cookie_header(token, max_age, rules.secure_cookies),
    ) {
        response.append_header(header::SET_COOKIE, cookie);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_well_formed() {
        let a = new_token();
        let b = new_token();
        assert_ne!(a, b);
        assert!(well_formed(&a), "{a}");
        assert_eq!(token_hash(&a).len(), 32);
        assert!(!well_formed("short"));
        assert!(!well_formed(&format!("{}=", &a[..42])));
    }

    #[test]
    fn cookies_are_found_among_others_and_flagged() {
        let mut headers = HeaderMap::new();
        headers.append(
            header::COOKIE,
            HeaderValue::from_static("a=1; mercato_session=abc"),
        );
        assert_eq!(cookie_value(&headers, COOKIE).as_deref(), Some("abc"));
        assert_eq!(cookie_value(&headers, "b"), None);
        let set = cookie_header(Some("tok"), Duration::from_secs(60), true).unwrap();
        let set = set.to_str().unwrap();
        for part in ["HttpOnly", "SameSite=Lax", "Secure", "Max-Age=60", "Path=/"] {
            assert!(set.contains(part), "{set}");
        }
        let plain = cookie_header(None, Duration::ZERO, false).unwrap();
        assert!(!plain.to_str().unwrap().contains("Secure"));
    }
}
