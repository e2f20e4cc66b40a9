//! Staff on the server: who stands at the admin's door, and the check every admin server
//! function starts with ([`require`]): signed in, staff, not disabled, past the second
//! step when it is set up (administrators must set it up), and holding the permission.
//! Deny by default: a function that forgets to ask cannot be written, because the
//! [`Signed`] it gets back is what the audit log and every admin service take.

pub mod groups;
pub mod invitations;
pub mod members;
pub mod two_step;

use super::model::{AdminError, Door, Permission, StaffUser};
use crate::account::model::Role;
use crate::account::ssr::Accounts;
use crate::audit::Actor;
use crate::session;

/// What the staff services work with: the accounts' (sessions, sign-in throttling, the
/// site for links in e-mails).
#[derive(Clone, Debug)]
pub struct Staff {
    pub accounts: Accounts,
}

impl Staff {
    pub fn pool(&self) -> &sqlx::PgPool {
        &self.accounts.sessions.pool
    }
}

/// A staff member let through for one permission: who they are, their session, and the
/// actor their changes are recorded under.
#[derive(Clone, Debug)]
pub struct Signed {
    pub user: StaffUser,
    pub session_id: i64,
    pub actor: Actor,
}

/// Logs a server-side failure and gives the generic message.
pub fn unavailable(error: impl std::fmt::Display) -> AdminError {
    tracing::error!(%error, "admin operation failed");
    AdminError::Unavailable
}

/// The signed-in person as the admin sees them, with their session, whatever their
/// standing (staff or not, past the second step or not).
pub(crate) struct Visit {
    pub session_id: i64,
    pub user: StaffUser,
    pub disabled: bool,
    pub second_step_done: bool,
}

pub(crate) async fn visit(staff: &Staff) -> Result<Option<Visit>, AdminError> {
    let Some(visitor) = session::visitor(&staff.accounts.sessions)
        .await
        .map_err(unavailable)?
    else {
        return Ok(None);
    };
    let Some(user_id) = visitor.session.user_id else {
        return Ok(None);
    };
    let row = sqlx::query!(
        r#"SELECT u.id, u.email, u.name, u.role AS "role: Role",
                  u.disabled_at IS NOT NULL AS "disabled!",
                  s.second_factor_at IS NOT NULL AS "second_step_done!",
                  EXISTS (SELECT 1 FROM staff_totp t
                           WHERE t.user_id = u.id AND t.confirmed_at IS NOT NULL) AS "two_step!",
                  ARRAY(SELECT DISTINCT p
                          FROM staff_memberships m
                          JOIN staff_groups g ON g.id = m.group_id,
                               unnest(g.permissions) p
                         WHERE m.user_id = u.id ORDER BY p) AS "permissions!"
             FROM sessions s JOIN users u ON u.id = s.user_id
            WHERE s.id = $1 AND s.user_id = $2"#,
        visitor.session.id,
        user_id
    )
    .fetch_optional(staff.pool())
    .await
    .map_err(unavailable)?;
    Ok(row.map(|r| {
        let permissions = if r.role == Role::Admin {
            Permission::ALL.to_vec()
        } else {
            // In the order the admin's sections are shown.
            Permission::ALL
                .into_iter()
                .filter(|p| r.permissions.iter().any(|held| held == p.as_str()))
                .collect()
        };
        Visit {
            session_id: visitor.session.id,
            user: StaffUser {
                id: r.id,
                email: r.email,
                name: r.name,
                role: r.role,
                permissions,
                two_step: r.two_step,
            },
            disabled: r.disabled,
            second_step_done: r.second_step_done,
        }
    }))
}

/// Where the signed-in person stands at the admin's door.
pub(crate) fn door_of(visit: Option<&Visit>) -> Door {
    let Some(v) = visit else {
        return Door::SignIn;
    };
    if v.user.role == Role::Customer || v.disabled {
        return Door::NoAccess;
    }
    if v.user.two_step && !v.second_step_done {
        return Door::SecondStep;
    }
    if v.user.role == Role::Admin && !v.user.two_step {
        return Door::SetUpTwoStep(v.user.clone());
    }
    Door::Open(v.user.clone())
}

pub async fn door(staff: &Staff) -> Result<Door, AdminError> {
    Ok(door_of(visit(staff).await?.as_ref()))
}

/// The check every admin server function starts with: the signed-in staff member, if
/// they may use `permission`; 401 for nobody, 403 for anyone else.
pub async fn require(staff: &Staff, permission: Permission) -> Result<Signed, AdminError> {
    let signed = require_door(staff).await?;
    if signed.user.may(permission) {
        Ok(signed)
    } else {
        tracing::warn!(
            user.id = signed.user.id,
            permission = permission.as_str(),
            "admin access refused"
        );
        Err(AdminError::Forbidden)
    }
}

/// Past the admin's door (staff, signed in, past the second step), whatever they may
/// open: for what is checked against a permission once it is found.
pub async fn require_door(staff: &Staff) -> Result<Signed, AdminError> {
    let visit = visit(staff).await?;
    let signed = |v: Visit| Signed {
        actor: Actor::staff(v.user.id, &v.user.email),
        session_id: v.session_id,
        user: v.user,
    };
    match (door_of(visit.as_ref()), visit) {
        (Door::Open(_), Some(v)) => Ok(signed(v)),
        (Door::SignIn, _) => Err(AdminError::NotSignedIn),
        (Door::SecondStep, _) => Err(AdminError::SecondStep),
        (Door::SetUpTwoStep(_), _) => Err(AdminError::SetUpTwoStep),
        (_, v) => {
            tracing::warn!(
                user.id = v.as_ref().map(|v| v.user.id),
                "admin access refused: not staff"
            );
            Err(AdminError::Forbidden)
        }
    }
}
