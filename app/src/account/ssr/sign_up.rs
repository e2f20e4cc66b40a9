//! Creating an account, confirmed by e-mail. Signing up answers the same whatever the
//! address: a new one gets a link that finishes the account, one that has an account
//! already gets a note telling its owner (with links to sign in or reset the password).
//! So the form cannot be used to find out who shops here, and nobody can hold an
//! address they cannot read: an account is only usable once its link was opened.

use super::{
    Accounts, begin_attempt, client_ip, complete_sign_in, current, link_hash, spend_sign_up_links,
    unavailable,
};
use crate::account::model::{
    AccountError, CurrentUser, check_password, email_identity, normalize_email,
};
use crate::session;

/// How long a confirmation link works.
pub const LINK_LIFETIME_SECS: f64 = 24.0 * 3600.0;
/// At most this many sign-up e-mails per address per hour (the rest are not sent).
const MAX_MAILS_PER_HOUR: i64 = 3;

const INVALID_LINK: &str = "this confirmation link is not valid, was already used or has \
                            expired; sign up again for a new one";

/// Signs up `email`: the account is created unconfirmed (or, if an unconfirmed one was
/// there, takes this password and name) and a confirmation link is e-mailed; an address
/// with a confirmed account gets a note instead. The answer is the same either way.
pub async fn request(
    accounts: &Accounts,
    email: &str,
    password: String,
    name: &str,
) -> Result<(), AccountError> {
    let email = normalize_email(email).map_err(AccountError::InvalidInput)?;
    check_password(&password, &email).map_err(AccountError::InvalidInput)?;
    let name = name.trim();
    if name.chars().count() > 200 {
        return Err(AccountError::InvalidInput("the name is too long".into()));
    }
    // Hashed whatever happens next, so the time taken says nothing about the address.
    let hash = super::password::hash(password).await.map_err(unavailable)?;
    let mut tx = accounts.sessions.pool.begin().await.map_err(unavailable)?;
    // A new account, or the unconfirmed one of an earlier sign-up; a confirmed account
    // is left alone. The password and name travel with the link: whichever sign-up's
    // link is opened sets its own, so a second sign-up of someone else's address (which
    // they cannot confirm) never sets the password the owner's link confirms.
    let account = sqlx::query!(
        r#"INSERT INTO users (email, name, password_hash) VALUES ($1, $2, $3)
           ON CONFLICT (email) DO UPDATE SET email = EXCLUDED.email
            WHERE users.email_verified_at IS NULL
           RETURNING id"#,
        email,
        name,
        hash
    )
    .fetch_optional(&mut *tx)
    .await
    .map_err(unavailable)?;
    // Counted by the person behind the address, so `+tags` and dots do not multiply it.
    let identity = email_identity(&email);
    let recent = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM emails
            WHERE limit_key = $1 AND kind = 'sign-up' AND created_at > now() - interval '1 hour'"#,
        identity
    )
    .fetch_one(&mut *tx)
    .await
    .map_err(unavailable)?;
    if recent >= MAX_MAILS_PER_HOUR {
        tracing::warn!("sign-up e-mails: hourly limit reached for an address");
        tx.commit().await.map_err(unavailable)?;
        return Ok(());
    }
    let (subject, body) = match account {
        Some(row) => {
            let token = session::new_token();
            sqlx::query!(
                "INSERT INTO email_confirmations (token_hash, user_id, password_hash, name, expires_at)
                 VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5))",
                &session::token_hash(&token)[..],
                row.id,
                hash,
                name,
                LINK_LIFETIME_SECS
            )
            .execute(&mut *tx)
            .await
            .map_err(unavailable)?;
            let link = accounts
                .site
                .absolute(&format!("/account/confirm?token={token}"));
            (
                "Confirm your Mercato account",
                format!(
                    "Welcome to Mercato!\n\nOpen this link within a day and enter the password \
                     you chose to confirm your e-mail address and finish creating your \
                     account:\n\n{link}\n\nIf you did not sign up, ignore this e-mail: no \
                     account is made without it."
                ),
            )
        }
        None => (
            "Someone tried to sign up with your address",
            format!(
                "Someone (perhaps you) tried to create a Mercato account with this e-mail \
                 address, which already has one.\n\nTo sign in: {}\nForgot your password? \
                 Choose a new one: {}\n\nIf it was not you, ignore this e-mail: nothing \
                 has changed.",
                accounts.site.absolute("/account/sign-in"),
                accounts.site.absolute("/account/forgot"),
            ),
        ),
    };
    crate::mail::enqueue_limited(&mut tx, &email, subject, &body, "sign-up", &identity)
        .await
        .map_err(unavailable)?;
    tx.commit().await.map_err(unavailable)?;
    Ok(())
}

/// Opens a confirmation link, with the password chosen at sign-up (whoever did not sign
/// up cannot know it, so a link sent by someone else's sign-up is of no use to them or
/// to the owner of the mailbox): the account is confirmed with the password and name of
/// the sign-up that sent the link, and this browser signed in (its guest cart joins the
/// customer's). The account's other links stop working. Wrong passwords count towards
/// the account's sign-in throttle.
pub async fn confirm(
    accounts: &Accounts,
    token: &str,
    password: String,
) -> Result<CurrentUser, AccountError> {
    let invalid = || AccountError::InvalidInput(INVALID_LINK.into());
    let hash_of_token = &link_hash(token, INVALID_LINK)?[..];
    let link = sqlx::query!(
        "SELECT u.email, c.password_hash FROM email_confirmations c JOIN users u ON u.id = c.user_id
          WHERE c.token_hash = $1 AND c.used_at IS NULL AND c.expires_at > now()
            AND u.email_verified_at IS NULL",
        hash_of_token
    )
    .fetch_optional(&accounts.sessions.pool)
    .await
    .map_err(unavailable)?
    .ok_or_else(invalid)?;
    let attempt = begin_attempt(accounts, &link.email, &client_ip()).await?;
    if !super::password::verify(password, Some(link.password_hash))
        .await
        .map_err(unavailable)?
    {
        return Err(AccountError::InvalidInput(
            "that is not the password you chose when you signed up".into(),
        ));
    }
    let (previous, _) = current(accounts).await?;
    let mut tx = accounts.sessions.pool.begin().await.map_err(unavailable)?;
    // Using the link and confirming the account are one statement each: of two
    // concurrent uses, one wins, and an account confirmed meanwhile takes nothing.
    let user_id = sqlx::query_scalar!(
        "WITH used AS (
             UPDATE email_confirmations SET used_at = now()
              WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now()
              RETURNING user_id, password_hash, name)
         UPDATE users u
            SET email_verified_at = now(), password_hash = used.password_hash,
                name = used.name, password_changed_at = now()
           FROM used
          WHERE u.id = used.user_id AND u.email_verified_at IS NULL
         RETURNING u.id",
        hash_of_token
    )
    .fetch_optional(&mut *tx)
    .await
    .map_err(unavailable)?
    .ok_or_else(invalid)?;
    spend_sign_up_links(&mut tx, user_id).await?;
    sqlx::query!("DELETE FROM sign_in_failures WHERE id = $1", attempt)
        .execute(&mut *tx)
        .await
        .map_err(unavailable)?;
    tracing::info!(user.id = user_id, "account confirmed");
    complete_sign_in(tx, accounts, user_id, previous).await
}

/// Removes accounts whose sign-up was never confirmed, once no link of theirs works.
pub async fn purge_unconfirmed(pool: &sqlx::PgPool) -> Result<u64, sqlx::Error> {
    let done = sqlx::query!(
        "DELETE FROM users u
          WHERE u.email_verified_at IS NULL
            AND u.created_at < now() - make_interval(secs => $1)
            AND NOT EXISTS (SELECT 1 FROM email_confirmations c
                             WHERE c.user_id = u.id AND c.used_at IS NULL AND c.expires_at > now())",
        LINK_LIFETIME_SECS
    )
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}
