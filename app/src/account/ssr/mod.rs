//! The account service: who the request is, signing up, in and out, and passwords.
//! Every function takes the session from the request's cookie, never an id from the
//! browser, so nobody can act as someone else whatever they send.

pub mod addresses;
pub mod password;
pub mod reset;
pub mod sign_up;

use super::model::{AccountError, CurrentUser, Role, check_password, normalize_email};
use crate::session::{self, Session, Sessions};
use crate::site::Site;
use sqlx::PgConnection;
use std::time::Duration;

/// Sign-in throttling (from settings).
#[derive(Clone, Debug)]
pub struct AccountRules {
    pub max_failures_per_account: i64,
    pub max_failures_per_ip: i64,
    pub throttle_window: Duration,
}

impl AccountRules {
    /// The defaults the settings start from (for tests and tools).
    pub fn standard() -> Self {
        AccountRules {
            max_failures_per_account: 5,
            max_failures_per_ip: 50,
            throttle_window: Duration::from_secs(15 * 60),
        }
    }
}

/// What the account services work with: sessions, the throttling rules, the site (for
/// links in e-mails) and the cart's rules (a guest's cart joins the customer's at
/// sign-in).
#[derive(Clone, Debug)]
pub struct Accounts {
    pub sessions: Sessions,
    pub rules: AccountRules,
    pub site: Site,
    pub carts: crate::cart::ssr::CartRules,
}

/// Removes sign-in failures older than the throttling window.
pub async fn purge_failures(pool: &sqlx::PgPool, rules: &AccountRules) -> Result<u64, sqlx::Error> {
    let done = sqlx::query!(
        "DELETE FROM sign_in_failures WHERE failed_at < now() - make_interval(secs => $1)",
        rules.throttle_window.as_secs_f64(),
    )
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}

/// The stored hash of an e-mailed link's token, or `invalid` (said as the link's own
/// message) when the token cannot be one of ours.
pub(crate) fn link_hash(token: &str, invalid: &str) -> Result<[u8; 32], AccountError> {
    if session::well_formed(token) {
        Ok(session::token_hash(token))
    } else {
        Err(AccountError::InvalidInput(invalid.into()))
    }
}

/// Spends every sign-up link of the account still out (it was confirmed, or its owner
/// has just chosen a password).
pub(super) async fn spend_sign_up_links(
    tx: &mut sqlx::PgConnection,
    user_id: i64,
) -> Result<(), AccountError> {
    sqlx::query!(
        "UPDATE email_confirmations SET used_at = now() WHERE user_id = $1 AND used_at IS NULL",
        user_id
    )
    .execute(tx)
    .await
    .map_err(unavailable)?;
    Ok(())
}

/// Logs a server-side failure and gives the shopper the generic message.
pub fn unavailable(error: impl std::fmt::Display) -> AccountError {
    tracing::error!(%error, "account operation failed");
    AccountError::Unavailable
}

/// Who the request came from, for counting per address: as the server's edge resolved
/// it (behind a trusted proxy, the forwarded client), else the TCP peer; an IPv6 client
/// by its /64 (one subscriber's whole range).
pub fn client_ip() -> String {
    crate::context::client_ip()
        .map(|ip| crate::context::ClientAddr(ip).bucket())
        .unwrap_or_else(|| "unknown".into())
}

async fn load_user(conn: &mut PgConnection, id: i64) -> Result<Option<CurrentUser>, sqlx::Error> {
    sqlx::query_as!(
        CurrentUser,
        r#"SELECT id, email, name, role AS "role: Role" FROM users WHERE id = $1"#,
        id
    )
    .fetch_optional(conn)
    .await
}

/// The request's session and its customer, if signed in.
pub async fn current(
    accounts: &Accounts,
) -> Result<(Option<Session>, Option<CurrentUser>), AccountError> {
    let session = session::current(&accounts.sessions)
        .await
        .map_err(unavailable)?;
    let user = match session.and_then(|s| s.user_id) {
        Some(id) => {
            let mut conn = accounts
                .sessions
                .pool
                .acquire()
                .await
                .map_err(unavailable)?;
            load_user(&mut conn, id).await.map_err(unavailable)?
        }
        None => None,
    };
    Ok((session, user))
}

/// The signed-in customer, or `NotSignedIn`.
pub async fn require_user(accounts: &Accounts) -> Result<(Session, CurrentUser), AccountError> {
    match current(accounts).await? {
        (Some(session), Some(user)) => Ok((session, user)),
        _ => Err(AccountError::NotSignedIn),
    }
}

/// Staff pages: the signed-in user must have at least `role`.
pub async fn require_role(accounts: &Accounts, role: Role) -> Result<CurrentUser, AccountError> {
    let (_, user) = require_user(accounts).await?;
    let rank = |r: Role| match r {
        Role::Customer => 0,
        Role::Staff => 1,
        Role::Admin => 2,
    };
    if rank(user.role) >= rank(role) {
        Ok(user)
    } else {
        Err(AccountError::Forbidden)
    }
}

/// Finishes a sign-in or sign-up in `tx`: starts the session, commits, and sends the
/// new session's cookie.
pub(crate) async fn complete_sign_in(
    mut tx: sqlx::Transaction<'_, sqlx::Postgres>,
    accounts: &Accounts,
    id: i64,
    previous: Option<Session>,
) -> Result<CurrentUser, AccountError> {
    // A disabled account never gets a session, however it got here (a password, a
    // reset link, a confirmation).
    let disabled = sqlx::query_scalar!(
        "SELECT disabled_at IS NOT NULL AS \"disabled!\" FROM users WHERE id = $1",
        id
    )
    .fetch_one(&mut *tx)
    .await
    .map_err(unavailable)?;
    if disabled {
        return Err(AccountError::Disabled);
    }
    let token = establish(&mut tx, accounts, id, previous)
        .await
        .map_err(unavailable)?;
    let user = load_user(&mut tx, id)
        .await
        .map_err(unavailable)?
        .ok_or(AccountError::Unavailable)?;
    tx.commit().await.map_err(unavailable)?;
    session::set_cookie(
        Some(&token),
        accounts.sessions.rules.absolute,
        &accounts.sessions.rules,
    );
    Ok(user)
}

/// Starts a signed-in session in `tx`: the guest cart of the browser's previous session
/// (if any) merges into the customer's cart, and that session ends.
async fn establish(
    tx: &mut PgConnection,
    accounts: &Accounts,
    user_id: i64,
    previous: Option<Session>,
) -> Result<String, sqlx::Error> {
    let (new, token) = session::create_signed_in(tx, user_id, &accounts.sessions.rules).await?;
    if let Some(old) = previous {
        if old.user_id.is_none() {
            crate::cart::ssr::merge_guest_cart(tx, old.id, user_id, &accounts.carts).await?;
        }
        session::delete(tx, &accounts.sessions.cache, old.id).await?;
    }
    debug_assert_eq!(new.user_id, Some(user_id));
    Ok(token)
}

/// Counts a password attempt before the password is checked, or refuses it when this
/// account or this address has failed too often recently. The check and the count are
/// one step: under a transaction lock per account and then per address, the recent
/// failures are counted and this attempt is recorded as one. Of thirty guesses sent at
/// once, only as many as the limit allows are ever checked. Returns the attempt's row,
/// which a right password removes (with the account's other failures, on sign-in).
pub(crate) async fn begin_attempt(
    accounts: &Accounts,
    email: &str,
    ip: &str,
) -> Result<i64, AccountError> {
    let rules = &accounts.rules;
    let mut tx = accounts.sessions.pool.begin().await.map_err(unavailable)?;
    // Always the account first, then the address: two attempts never wait in a circle.
    sqlx::query!(
        "SELECT pg_advisory_xact_lock(hashtextextended('sign-in:account:' || $1, 0)),
                pg_advisory_xact_lock(hashtextextended('sign-in:address:' || $2, 0))",
        email,
        ip
    )
    .fetch_one(&mut *tx)
    .await
    .map_err(unavailable)?;
    let row = sqlx::query!(
        r#"SELECT count(*) FILTER (WHERE email = $1) AS "by_email!",
                  count(*) FILTER (WHERE ip = $2) AS "by_ip!",
                  ceil(EXTRACT(EPOCH FROM (min(failed_at) + make_interval(secs => $3) - now())) / 60)::int AS wait_minutes
             FROM sign_in_failures
            WHERE failed_at > now() - make_interval(secs => $3)
              AND (email = $1 OR ip = $2)"#,
        email,
        ip,
        rules.throttle_window.as_secs_f64(),
    )
    .fetch_one(&mut *tx)
    .await
    .map_err(unavailable)?;
    if row.by_email >= rules.max_failures_per_account || row.by_ip >= rules.max_failures_per_ip {
        tracing::warn!(%ip, by_email = row.by_email, by_ip = row.by_ip, "sign-in throttled");
        let minutes = row.wait_minutes.unwrap_or(1).max(1) as u32;
        return Err(AccountError::Throttled { minutes });
    }
    let attempt = sqlx::query_scalar!(
        "INSERT INTO sign_in_failures (email, ip) VALUES ($1, $2) RETURNING id",
        email,
        ip
    )
    .fetch_one(&mut *tx)
    .await
    .map_err(unavailable)?;
    tx.commit().await.map_err(unavailable)?;
    Ok(attempt)
}

pub async fn sign_in(
    accounts: &Accounts,
    email: &str,
    password: String,
) -> Result<CurrentUser, AccountError> {
    let Ok(email) = normalize_email(email) else {
        return Err(AccountError::BadCredentials);
    };
    if password.chars().count() > super::model::MAX_PASSWORD_CHARS {
        return Err(AccountError::BadCredentials);
    }
    let ip = client_ip();
    begin_attempt(accounts, &email, &ip).await?;
    let found = sqlx::query!(
        "SELECT id, password_hash, email_verified_at IS NOT NULL AS \"confirmed!\"
           FROM users WHERE email = $1",
        email
    )
    .fetch_optional(&accounts.sessions.pool)
    .await
    .map_err(unavailable)?;
    let (id, hash, confirmed) = match found {
        Some(row) => (Some(row.id), Some(row.password_hash), row.confirmed),
        None => (None, None, false),
    };
    let matches = password::verify(password, hash)
        .await
        .map_err(unavailable)?;
    // A wrong password leaves its attempt counted as a failure.
    let Some(id) = id.filter(|_| matches) else {
        return Err(AccountError::BadCredentials);
    };
    // The right password of an account whose address was never confirmed: whoever signed
    // up must open the link first (only they know this password, so saying so is safe).
    if !confirmed {
        return Err(AccountError::Unconfirmed);
    }
    let (previous, _) = current(accounts).await?;
    let mut tx = accounts.sessions.pool.begin().await.map_err(unavailable)?;
    sqlx::query!("DELETE FROM sign_in_failures WHERE email = $1", email)
        .execute(&mut *tx)
        .await
        .map_err(unavailable)?;
    complete_sign_in(tx, accounts, id, previous).await
}

/// Ends this browser's session (the cart stays with the account).
pub async fn sign_out(accounts: &Accounts) -> Result<(), AccountError> {
    if let Some(s) = session::current(&accounts.sessions)
        .await
        .map_err(unavailable)?
    {
        let mut conn = accounts
            .sessions
            .pool
            .acquire()
            .await
            .map_err(unavailable)?;
        session::delete(&mut conn, &accounts.sessions.cache, s.id)
            .await
            .map_err(unavailable)?;
    }
    session::set_cookie(None, std::time::Duration::ZERO, &accounts.sessions.rules);
    Ok(())
}

/// Changes the password after checking the current one. Every session of the account
/// ends, on every device; this browser gets a new one.
pub async fn change_password(
    accounts: &Accounts,
    current_password: String,
    new_password: String,
) -> Result<(), AccountError> {
    let (_, user) = require_user(accounts).await?;
    let ip = client_ip();
    let attempt = begin_attempt(accounts, &user.email, &ip).await?;
    let stored = sqlx::query_scalar!("SELECT password_hash FROM users WHERE id = $1", user.id)
        .fetch_one(&accounts.sessions.pool)
        .await
        .map_err(unavailable)?;
    if !password::verify(current_password, Some(stored))
        .await
        .map_err(unavailable)?
    {
        return Err(AccountError::InvalidInput(
            "the current password is not right".into(),
        ));
    }
    sqlx::query!("DELETE FROM sign_in_failures WHERE id = $1", attempt)
        .execute(&accounts.sessions.pool)
        .await
        .map_err(unavailable)?;
    check_password(&new_password, &user.email).map_err(AccountError::InvalidInput)?;
    let hash = password::hash(new_password).await.map_err(unavailable)?;
    let mut tx = accounts.sessions.pool.begin().await.map_err(unavailable)?;
    sqlx::query!(
        "UPDATE users SET password_hash = $2, password_changed_at = now() WHERE id = $1",
        user.id,
        hash
    )
    .execute(&mut *tx)
    .await
    .map_err(unavailable)?;
    let ended = session::revoke_all(&mut tx, &accounts.sessions.cache, user.id, None)
        .await
        .map_err(unavailable)?;
    let (_, token) = session::create_signed_in(&mut tx, user.id, &accounts.sessions.rules)
        .await
        .map_err(unavailable)?;
    tx.commit().await.map_err(unavailable)?;
    session::set_cookie(
        Some(&token),
        accounts.sessions.rules.absolute,
        &accounts.sessions.rules,
    );
    tracing::info!(
        user.id = user.id,
        sessions.ended = ended,
        "password changed"
    );
    Ok(())
}

/// Creates or promotes an administrator (the `create-admin` subcommand).
pub async fn create_admin(
    pool: &sqlx::PgPool,
    email: &str,
    password: String,
) -> Result<i64, AccountError> {
    let email = normalize_email(email).map_err(AccountError::InvalidInput)?;
    check_password(&password, &email).map_err(AccountError::InvalidInput)?;
    let hash = password::hash(password).await.map_err(unavailable)?;
    sqlx::query_scalar!(
        "INSERT INTO users (email, password_hash, role, email_verified_at)
         VALUES ($1, $2, 'admin', now())
         ON CONFLICT (email) DO UPDATE
            SET password_hash = EXCLUDED.password_hash, role = 'admin', password_changed_at = now(),
                email_verified_at = coalesce(users.email_verified_at, now())
         RETURNING id",
        email,
        hash
    )
    .fetch_one(pool)
    .await
    .map_err(unavailable)
}
