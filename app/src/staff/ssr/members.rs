//! The staff: their groups, roles, disabling, and resetting a lost second step. Nobody
//! gives or takes away a permission they do not hold themselves, nobody changes their own
//! standing, and the shop always keeps one administrator who can sign in. (Invitations
//! are in `invitations.rs`, the groups themselves in `groups.rs`.)

use super::{Signed, Staff, unavailable};
use crate::account::model::Role;
use crate::audit::{self, Change};
use crate::session;
use crate::staff::model::{AdminError, Member, Permission};
use serde_json::json;
use sqlx::PgConnection;
/// Every staff account, administrators first.
pub async fn members(staff: &Staff) -> Result<Vec<Member>, AdminError> {
    let rows = sqlx::query!(
        r#"SELECT u.id, u.email, u.name, u.role AS "role: Role",
                  u.disabled_at IS NOT NULL AS "disabled!",
                  EXISTS (SELECT 1 FROM staff_totp t
                           WHERE t.user_id = u.id AND t.confirmed_at IS NOT NULL) AS "two_step!",
                  ARRAY(SELECT g.name FROM staff_memberships m JOIN staff_groups g ON g.id = m.group_id
                         WHERE m.user_id = u.id ORDER BY g.name) AS "groups!",
                  (SELECT max(last_seen_at) FROM sessions s WHERE s.user_id = u.id) AS last_seen
             FROM users u
            WHERE u.role IN ('staff', 'admin')
            ORDER BY u.role DESC, u.email"#
    )
    .fetch_all(staff.pool())
    .await
    .map_err(unavailable)?;
    Ok(rows
        .into_iter()
        .map(|r| Member {
            id: r.id,
            email: r.email,
            name: r.name,
            role: r.role,
            groups: r.groups,
            two_step: r.two_step,
            disabled: r.disabled,
            last_seen: r
                .last_seen
                .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string()),
        })
        .collect())
}

/// Refuses to give or take away a permission the signer does not hold.
pub(super) fn within_own(signer: &Signed, permissions: &[Permission]) -> Result<(), AdminError> {
    match permissions.iter().find(|p| !signer.user.may(**p)) {
        None => Ok(()),
        Some(p) => Err(AdminError::InvalidInput(format!(
            "you can only give or take away permissions you have yourself ({} is not one of yours)",
            p.as_str()
        ))),
    }
}

/// The permissions of groups, by id; an unknown id is an error.
pub(super) async fn permissions_of(
    conn: &mut PgConnection,
    group_ids: &[i64],
) -> Result<Vec<Permission>, AdminError> {
    let rows = sqlx::query!(
        "SELECT id, permissions FROM staff_groups WHERE id = ANY($1)",
        group_ids
    )
    .fetch_all(conn)
    .await
    .map_err(unavailable)?;
    let mut unique = group_ids.to_vec();
    unique.sort_unstable();
    unique.dedup();
    if rows.len() != unique.len() {
        return Err(AdminError::InvalidInput("that group does not exist".into()));
    }
    Ok(rows
        .iter()
        .flat_map(|r| r.permissions.iter().filter_map(|p| Permission::parse(p)))
        .collect())
}

/// A staff account that someone else changes: locked for the change, and refused when
/// it is the signer's own, not staff, or an administrator changed by someone who is
/// not one.
async fn other_staff(
    conn: &mut PgConnection,
    signer: &Signed,
    user_id: i64,
) -> Result<(String, Role, bool), AdminError> {
    if user_id == signer.user.id {
        return Err(AdminError::InvalidInput(
            "you cannot change your own standing; ask another administrator".into(),
        ));
    }
    let row = sqlx::query!(
        r#"SELECT email, role AS "role: Role", disabled_at IS NOT NULL AS "disabled!"
             FROM users WHERE id = $1 AND role <> 'customer' FOR UPDATE"#,
        user_id
    )
    .fetch_optional(&mut *conn)
    .await
    .map_err(unavailable)?
    .ok_or(AdminError::NotFound)?;
    if row.role == Role::Admin && signer.user.role != Role::Admin {
        return Err(AdminError::Forbidden);
    }
    Ok((row.email, row.role, row.disabled))
}

/// Refuses to leave the shop without an administrator who can sign in: the enabled
/// administrators are locked, so two such changes at once cannot both pass.
async fn keep_an_admin(conn: &mut PgConnection, losing: i64) -> Result<(), AdminError> {
    let others = sqlx::query_scalar!(
        "SELECT id FROM users WHERE role = 'admin' AND disabled_at IS NULL AND id <> $1
          ORDER BY id FOR UPDATE",
        losing
    )
    .fetch_all(conn)
    .await
    .map_err(unavailable)?;
    if others.is_empty() {
        return Err(AdminError::Conflict(
            "the shop must keep at least one enabled administrator".into(),
        ));
    }
    Ok(())
}

/// Puts a staff member in exactly `group_ids`.
pub async fn set_groups(
    staff: &Staff,
    signer: &Signed,
    user_id: i64,
    group_ids: &[i64],
) -> Result<(), AdminError> {
    let mut tx = staff.pool().begin().await.map_err(unavailable)?;
    other_staff(&mut tx, signer, user_id).await?;
    let current: Vec<i64> = sqlx::query_scalar!(
        "SELECT group_id FROM staff_memberships WHERE user_id = $1 ORDER BY group_id",
        user_id
    )
    .fetch_all(&mut *tx)
    .await
    .map_err(unavailable)?;
    let mut wanted = group_ids.to_vec();
    wanted.sort_unstable();
    wanted.dedup();
    let changed: Vec<i64> = current
        .iter()
        .filter(|g| !wanted.contains(g))
        .chain(wanted.iter().filter(|g| !current.contains(g)))
        .copied()
        .collect();
    let touched = permissions_of(&mut tx, &changed).await?;
    within_own(signer, &touched)?;
    sqlx::query!(
        "DELETE FROM staff_memberships WHERE user_id = $1 AND NOT (group_id = ANY($2))",
        user_id,
        &wanted
    )
    .execute(&mut *tx)
    .await
    .map_err(unavailable)?;
    sqlx::query!(
        "INSERT INTO staff_memberships (user_id, group_id) SELECT $1, unnest($2::bigint[])
         ON CONFLICT DO NOTHING",
        user_id,
        &wanted
    )
    .execute(&mut *tx)
    .await
    .map_err(unavailable)?;
    audit::record_and_commit(
        tx,
        &signer.actor,
        Change {
            action: "staff.groups",
            entity: "staff",
            entity_id: user_id.to_string(),
            before: Some(json!({ "groups": current })),
            after: Some(json!({ "groups": wanted })),
        },
    )
    .await
    .map_err(unavailable)
}

/// Disables (every session ends at once) or enables a staff account.
pub async fn set_disabled(
    staff: &Staff,
    signer: &Signed,
    user_id: i64,
    disabled: bool,
) -> Result<(), AdminError> {
    let mut tx = staff.pool().begin().await.map_err(unavailable)?;
    let (_, role, was) = other_staff(&mut tx, signer, user_id).await?;
    if was == disabled {
        return Ok(());
    }
    if disabled && role == Role::Admin {
        keep_an_admin(&mut tx, user_id).await?;
    }
    disable_account(&mut tx, staff, user_id, disabled).await?;
    audit::record_and_commit(
        tx,
        &signer.actor,
        Change {
            action: if disabled {
                "staff.disable"
            } else {
                "staff.enable"
            },
            entity: "staff",
            entity_id: user_id.to_string(),
            before: Some(json!({ "disabled": was })),
            after: Some(json!({ "disabled": disabled })),
        },
    )
    .await
    .map_err(unavailable)
}

/// Marks an account disabled or enabled in `conn`; disabling ends its sessions on every
/// instance (their cache entries are dropped through the database's notifications).
pub async fn disable_account(
    conn: &mut PgConnection,
    staff: &Staff,
    user_id: i64,
    disabled: bool,
) -> Result<(), AdminError> {
    sqlx::query!(
        "UPDATE users SET disabled_at = CASE WHEN $2 THEN now() END WHERE id = $1",
        user_id,
        disabled
    )
    .execute(&mut *conn)
    .await
    .map_err(unavailable)?;
    if disabled {
        session::revoke_all(conn, &staff.accounts.sessions.cache, user_id, None)
            .await
            .map_err(unavailable)?;
    }
    Ok(())
}

/// Makes a staff member an administrator or takes it away (administrators only).
pub async fn set_role(
    staff: &Staff,
    signer: &Signed,
    user_id: i64,
    role: Role,
) -> Result<(), AdminError> {
    if signer.user.role != Role::Admin {
        return Err(AdminError::Forbidden);
    }
    if role == Role::Customer {
        return Err(AdminError::InvalidInput(
            "to take someone off the staff, disable the account".into(),
        ));
    }
    let mut tx = staff.pool().begin().await.map_err(unavailable)?;
    let (_, was, _) = other_staff(&mut tx, signer, user_id).await?;
    if was == role {
        return Ok(());
    }
    if was == Role::Admin {
        keep_an_admin(&mut tx, user_id).await?;
    }
    sqlx::query!(
        "UPDATE users SET role = $2 WHERE id = $1",
        user_id,
        role as Role
    )
    .execute(&mut *tx)
    .await
    .map_err(unavailable)?;
    // A new administrator sets up two-step sign-in at their next visit; their sessions
    // end so that it happens now.
    session::revoke_all(&mut tx, &staff.accounts.sessions.cache, user_id, None)
        .await
        .map_err(unavailable)?;
    audit::record_and_commit(
        tx,
        &signer.actor,
        Change {
            action: "staff.role",
            entity: "staff",
            entity_id: user_id.to_string(),
            before: Some(json!({ "role": was })),
            after: Some(json!({ "role": role })),
        },
    )
    .await
    .map_err(unavailable)
}

/// Turns off a staff member's two-step sign-in (the phone and the recovery codes are
/// lost): they set it up again at their next sign-in. Administrators only.
pub async fn reset_two_step(
    staff: &Staff,
    signer: &Signed,
    user_id: i64,
) -> Result<(), AdminError> {
    if signer.user.role != Role::Admin {
        return Err(AdminError::Forbidden);
    }
    let mut tx = staff.pool().begin().await.map_err(unavailable)?;
    other_staff(&mut tx, signer, user_id).await?;
    sqlx::query!("DELETE FROM staff_totp WHERE user_id = $1", user_id)
        .execute(&mut *tx)
        .await
        .map_err(unavailable)?;
    sqlx::query!(
        "DELETE FROM staff_recovery_codes WHERE user_id = $1",
        user_id
    )
    .execute(&mut *tx)
    .await
    .map_err(unavailable)?;
    session::revoke_all(&mut tx, &staff.accounts.sessions.cache, user_id, None)
        .await
        .map_err(unavailable)?;
    audit::record_and_commit(
        tx,
        &signer.actor,
        Change {
            action: "staff.two_step_reset",
            entity: "staff",
            entity_id: user_id.to_string(),
            before: None,
            after: None,
        },
    )
    .await
    .map_err(unavailable)
}
