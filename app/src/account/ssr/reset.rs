//! Password reset by e-mail: a single-use link that expires after an hour. Asking for one
//! answers the same whether or not the address has an account, so the form cannot be
//! used to find out who shops here.

use super::{Accounts, link_hash, spend_sign_up_links, unavailable};
use crate::account::model::{AccountError, CurrentUser, check_password, normalize_email};
use crate::session;

/// How long a reset link works.
pub const LINK_LIFETIME_SECS: f64 = 3600.0;
/// At most this many links per account per hour (the rest are silently not sent).
const MAX_LINKS_PER_HOUR: i64 = 3;

const INVALID_LINK: &str =
    "this reset link is not valid, was already used or has expired; ask for a new one";

pub async fn request(accounts: &Accounts, email: &str) -> Result<(), AccountError> {
    let email = normalize_email(email).map_err(AccountError::InvalidInput)?;
    let mut tx = accounts.sessions.pool.begin().await.map_err(unavailable)?;
    let Some(user_id) = sqlx::query_scalar!("SELECT id FROM users WHERE email = $1", email)
        .fetch_optional(&mut *tx)
        .await
        .map_err(unavailable)?
    else {
        tracing::info!("password reset asked for an address without an account");
        return Ok(());
    };
    let recent = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM password_resets
            WHERE user_id = $1 AND created_at > now() - interval '1 hour'"#,
        user_id
    )
    .fetch_one(&mut *tx)
    .await
    .map_err(unavailable)?;
    if recent >= MAX_LINKS_PER_HOUR {
        tracing::warn!(
            user.id = user_id,
            "password reset links: hourly limit reached"
        );
        return Ok(());
    }
    let token = session::new_token();
    sqlx::query!(
        "INSERT INTO password_resets (token_hash, user_id, expires_at)
         VALUES ($1, $2, now() + make_interval(secs => $3))",
        &session::token_hash(&token)[..],
        user_id,
        LINK_LIFETIME_SECS
    )
    .execute(&mut *tx)
    .await
    .map_err(unavailable)?;
    let link = accounts
        .site
        .absolute(&format!("/account/reset?token={token}"));
    let body = format!(
        "Someone (we hope you) asked to reset the password of your Mercato account.\n\n\
         Choose a new password here within the next hour:\n\n{link}\n\n\
         The link works once. If you did not ask, ignore this e-mail: your password stays as it is."
    );
    crate::mail::enqueue(&mut tx, &email, "Reset your Mercato password", &body)
        .await
        .map_err(unavailable)?;
    tx.commit().await.map_err(unavailable)?;
    Ok(())
}

/// Sets a new password with a reset link's token: the link is used up, every session of
/// the account ends, and this browser is signed in.
pub async fn complete(
    accounts: &Accounts,
    token: &str,
    new_password: String,
) -> Result<CurrentUser, AccountError> {
    let invalid = || AccountError::InvalidInput(INVALID_LINK.into());
    let hash_of_token = &link_hash(token, INVALID_LINK)?[..];
    let email = sqlx::query_scalar!(
        "SELECT u.email FROM password_resets r JOIN users u ON u.id = r.user_id
          WHERE r.token_hash = $1 AND r.used_at IS NULL AND r.expires_at > now()",
        hash_of_token
    )
    .fetch_optional(&accounts.sessions.pool)
    .await
    .map_err(unavailable)?
    .ok_or_else(invalid)?;
    check_password(&new_password, &email).map_err(AccountError::InvalidInput)?;
    let password_hash = super::password::hash(new_password)
        .await
        .map_err(unavailable)?;
    let mut tx = accounts.sessions.pool.begin().await.map_err(unavailable)?;
    // Using the link is one statement: of two concurrent uses, one wins.
    let user_id = sqlx::query_scalar!(
        "UPDATE password_resets SET used_at = now()
          WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now()
          RETURNING user_id",
        hash_of_token
    )
    .fetch_optional(&mut *tx)
    .await
    .map_err(unavailable)?
    .ok_or_else(invalid)?;
    sqlx::query!(
        "UPDATE password_resets SET used_at = now() WHERE user_id = $1 AND used_at IS NULL",
        user_id
    )
    .execute(&mut *tx)
    .await
    .map_err(unavailable)?;
    // The link reached the address: that confirms it too.
    sqlx::query!(
        "UPDATE users SET password_hash = $2, password_changed_at = now(),
                          email_verified_at = coalesce(email_verified_at, now())
          WHERE id = $1",
        user_id,
        password_hash
    )
    .execute(&mut *tx)
    .await
    .map_err(unavailable)?;
    // Any sign-up link still out is spent: the address's owner has just chosen.
    spend_sign_up_links(&mut tx, user_id).await?;
    sqlx::query!("DELETE FROM sign_in_failures WHERE email = $1", email)
        .execute(&mut *tx)
        .await
        .map_err(unavailable)?;
    let ended = session::revoke_all(&mut tx, &accounts.sessions.cache, user_id, None)
        .await
        .map_err(unavailable)?;
    tracing::info!(user.id = user_id, sessions.ended = ended, "password reset");
    super::complete_sign_in(tx, accounts, user_id, None).await
}
