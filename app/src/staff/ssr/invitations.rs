//! Invitations to the staff: a single-use link e-mailed by someone who may manage the
//! staff, and accepting it (a new account, or an existing one's password).

use super::members::{permissions_of, within_own};
use super::{Signed, Staff, unavailable};
use crate::account::model::{CurrentUser, Role, check_password, normalize_email};
use crate::account::ssr::{begin_attempt, client_ip, complete_sign_in, current, link_hash};
use crate::audit::{self, Actor, Change};
use crate::session;
use crate::staff::model::{AdminError, Invitation};
use serde_json::json;

/// How long an invitation link works.
pub const INVITATION_HOURS: f64 = 72.0;
const INVALID_INVITATION: &str =
    "this invitation is not valid, was already used or has expired; ask for a new one";

/// Invitations not yet accepted and not expired.
pub async fn invitations(staff: &Staff) -> Result<Vec<Invitation>, AdminError> {
    let rows = sqlx::query!(
        r#"SELECT email, role AS "role: Role", expires_at FROM staff_invitations
            WHERE used_at IS NULL AND expires_at > now() ORDER BY created_at DESC"#
    )
    .fetch_all(staff.pool())
    .await
    .map_err(unavailable)?;
    Ok(rows
        .into_iter()
        .map(|r| Invitation {
            email: r.email,
            role: r.role,
            expires: r.expires_at.format("%Y-%m-%d %H:%M UTC").to_string(),
        })
        .collect())
}

/// Invites `email` to join the staff with `role` in `groups`: a single-use link is
/// e-mailed (older invitations to the address stop working). Only an administrator
/// invites an administrator.
pub async fn invite(
    staff: &Staff,
    signer: &Signed,
    email: &str,
    role: Role,
    group_ids: &[i64],
) -> Result<(), AdminError> {
    let email = normalize_email(email).map_err(AdminError::InvalidInput)?;
    if role == Role::Customer {
        return Err(AdminError::InvalidInput(
            "invite as staff or as administrator".into(),
        ));
    }
    if role == Role::Admin && signer.user.role != Role::Admin {
        return Err(AdminError::Forbidden);
    }
    let mut tx = staff.pool().begin().await.map_err(unavailable)?;
    let given = permissions_of(&mut tx, group_ids).await?;
    within_own(signer, &given)?;
    let already = sqlx::query_scalar!(
        "SELECT EXISTS (SELECT 1 FROM users WHERE email = $1 AND role <> 'customer') AS \"x!\"",
        email
    )
    .fetch_one(&mut *tx)
    .await
    .map_err(unavailable)?;
    if already {
        return Err(AdminError::Conflict(
            "that address belongs to a staff account already".into(),
        ));
    }
    sqlx::query!(
        "UPDATE staff_invitations SET used_at = now() WHERE email = $1 AND used_at IS NULL",
        email
    )
    .execute(&mut *tx)
    .await
    .map_err(unavailable)?;
    let token = session::new_token();
    sqlx::query!(
        "INSERT INTO staff_invitations (token_hash, email, role, group_ids, invited_by, expires_at)
         VALUES ($1, $2, $3, $4, $5, now() + make_interval(hours => $6))",
        &session::token_hash(&token)[..],
        email,
        role as Role,
        group_ids,
        signer.user.id,
        INVITATION_HOURS as i32,
    )
    .execute(&mut *tx)
    .await
    .map_err(unavailable)?;
    let link = staff
        .accounts
        .site
        .absolute(&format!("/account/staff-invitation?token={token}"));
    let body = format!(
        "{} has invited you to join the staff of the Mercato shop.\n\n\
         Accept within {INVITATION_HOURS} hours here:\n\n{link}\n\n\
         If you did not expect this, ignore this e-mail.",
        signer.user.email
    );
    crate::mail::enqueue(
        &mut tx,
        &email,
        "You are invited to the Mercato admin",
        &body,
    )
    .await
    .map_err(unavailable)?;
    audit::record_and_commit(
        tx,
        &signer.actor,
        Change {
            action: "staff.invite",
            entity: "staff_invitation",
            entity_id: email.clone(),
            before: None,
            after: Some(json!({ "email": email, "role": role, "groups": group_ids })),
        },
    )
    .await
    .map_err(unavailable)
}

/// Accepts an invitation from its link. A new address chooses a password; an address
/// that has a customer account proves it with that account's password, and the
/// account becomes staff. The browser is signed in.
pub async fn accept(
    staff: &Staff,
    token: &str,
    name: &str,
    password: String,
) -> Result<CurrentUser, AdminError> {
    let accounts = &staff.accounts;
    let invalid = || AdminError::InvalidInput(INVALID_INVITATION.into());
    let hash_of_token = link_hash(token, INVALID_INVITATION).map_err(AdminError::from)?;
    let inv = sqlx::query!(
        r#"SELECT id, email, role AS "role: Role", group_ids FROM staff_invitations
            WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now()"#,
        &hash_of_token[..]
    )
    .fetch_optional(staff.pool())
    .await
    .map_err(unavailable)?
    .ok_or_else(invalid)?;
    let name = name.trim();
    if name.chars().count() > 200 {
        return Err(AdminError::InvalidInput("the name is too long".into()));
    }
    let existing = sqlx::query!(
        "SELECT id, password_hash, disabled_at IS NOT NULL AS \"disabled!\" FROM users WHERE email = $1",
        inv.email
    )
    .fetch_optional(staff.pool())
    .await
    .map_err(unavailable)?;
    let new_hash = match &existing {
        Some(user) => {
            let attempt = begin_attempt(accounts, &inv.email, &client_ip()).await?;
            let right =
                crate::account::ssr::password::verify(password, Some(user.password_hash.clone()))
                    .await
                    .map_err(unavailable)?;
            if !right {
                return Err(AdminError::InvalidInput(
                    "this address has an account: enter its password to accept".into(),
                ));
            }
            if user.disabled {
                return Err(AdminError::Forbidden);
            }
            sqlx::query!("DELETE FROM sign_in_failures WHERE id = $1", attempt)
                .execute(staff.pool())
                .await
                .map_err(unavailable)?;
            None
        }
        None => {
            check_password(&password, &inv.email).map_err(AdminError::InvalidInput)?;
            Some(
                crate::account::ssr::password::hash(password)
                    .await
                    .map_err(unavailable)?,
            )
        }
    };
    let (previous, _) = current(accounts).await?;
    let mut tx = staff.pool().begin().await.map_err(unavailable)?;
    let used = sqlx::query!(
        "UPDATE staff_invitations SET used_at = now() WHERE id = $1 AND used_at IS NULL AND expires_at > now()",
        inv.id
    )
    .execute(&mut *tx)
    .await
    .map_err(unavailable)?;
    if used.rows_affected() != 1 {
        return Err(invalid());
    }
    let user_id = match (existing, new_hash) {
        (Some(user), _) => {
            sqlx::query!(
                "UPDATE users SET role = greatest(role, $2), email_verified_at = coalesce(email_verified_at, now()),
                                  name = CASE WHEN $3 = '' THEN name ELSE $3 END
                  WHERE id = $1",
                user.id,
                inv.role as Role,
                name
            )
            .execute(&mut *tx)
            .await
            .map_err(unavailable)?;
            user.id
        }
        (None, Some(hash)) => sqlx::query_scalar!(
            "INSERT INTO users (email, name, password_hash, role, email_verified_at)
             VALUES ($1, $2, $3, $4, now()) RETURNING id",
            inv.email,
            name,
            hash,
            inv.role as Role
        )
        .fetch_one(&mut *tx)
        .await
        .map_err(unavailable)?,
        (None, None) => return Err(AdminError::Unavailable),
    };
    sqlx::query!(
        "INSERT INTO staff_memberships (user_id, group_id)
         SELECT $1, g.id FROM staff_groups g WHERE g.id = ANY($2)
         ON CONFLICT DO NOTHING",
        user_id,
        &inv.group_ids
    )
    .execute(&mut *tx)
    .await
    .map_err(unavailable)?;
    audit::record(
        &mut tx,
        &Actor::staff(user_id, &inv.email),
        Change {
            action: "staff.join",
            entity: "staff",
            entity_id: user_id.to_string(),
            before: None,
            after: Some(json!({ "role": inv.role, "groups": inv.group_ids })),
        },
    )
    .await
    .map_err(unavailable)?;
    complete_sign_in(tx, accounts, user_id, previous)
        .await
        .map_err(AdminError::from)
}
