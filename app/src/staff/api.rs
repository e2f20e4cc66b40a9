//! Staff server functions: the admin's door (sign-in, the second step, setting it up),
//! invitations, groups, roles and disabling. Every function but the door's checks its
//! permission on the server first (`ssr::require`); pages are plain forms posting here.

use super::model::{AdminError, Door, Group, Invitation, Member};
use crate::account::model::CurrentUser;
#[cfg(feature = "ssr")]
use crate::account::model::Role;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
pub(crate) fn staff() -> Result<super::ssr::Staff, AdminError> {
    crate::context::dep().ok_or(AdminError::Unavailable)
}

/// The staff dependencies and the signed-in staff member, if they may use `permission`:
/// what every admin server function starts with.
#[cfg(feature = "ssr")]
pub(crate) async fn signed(
    permission: super::model::Permission,
) -> Result<(super::ssr::Staff, super::ssr::Signed), AdminError> {
    let staff = staff()?;
    let signer = super::ssr::require(&staff, permission).await?;
    Ok((staff, signer))
}

/// The staff page's content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffBoard {
    pub me: i64,
    pub i_am_admin: bool,
    pub members: Vec<Member>,
    pub invitations: Vec<Invitation>,
    pub groups: Vec<Group>,
}

/// Where the signed-in person stands at the admin's door (no permission needed: it is
/// the question every admin page asks first).
#[server(endpoint = "admin/door")]
pub async fn admin_door() -> Result<Door, AdminError> {
    let result = async { super::ssr::door(&staff()?).await }.await;
    crate::flash::error_status(&result);
    result
}

/// Signs in from the admin's sign-in form; then the door says what comes next.
#[server(endpoint = "admin/sign-in")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn staff_sign_in(
    #[server(default)] email: String,
    #[server(default)] password: String,
) -> Result<CurrentUser, AdminError> {
    let result = async {
        let staff = staff()?;
        Ok(crate::account::ssr::sign_in(&staff.accounts, &email, password).await?)
    }
    .await;
    crate::flash::reply(&result, "You are signed in.", Some("/admin"));
    result
}

/// The set-up page's content: a new secret (or the one being set up) and the recovery
/// codes it will make active.
#[server(endpoint = "admin/two-step/begin")]
pub async fn two_step_begin() -> Result<super::model::TwoStepPending, AdminError> {
    let result = async {
        let staff = staff()?;
        super::ssr::two_step::begin(&staff, &staff.accounts.site.name).await
    }
    .await;
    crate::flash::error_status(&result);
    result
}

/// Finishes setting up two-step sign-in with the first code from the app.
#[server(endpoint = "admin/two-step/confirm")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn two_step_confirm(#[server(default)] code: String) -> Result<(), AdminError> {
    let result = super::ssr::two_step::confirm(&staff()?, &code).await;
    crate::flash::reply(
        &result,
        "Two-step sign-in is on. Keep your recovery codes somewhere safe.",
        Some("/admin"),
    );
    result
}

/// The second step of a sign-in: a code from the app, or a recovery code.
#[server(endpoint = "admin/two-step/verify")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn two_step_verify(#[server(default)] code: String) -> Result<(), AdminError> {
    let result = super::ssr::two_step::verify(&staff()?, &code).await;
    let message = match &result {
        Ok(Some(left)) => format!(
            "Signed in with a recovery code; {left} left. Set up two-step sign-in again if your phone is lost."
        ),
        _ => "Welcome back.".to_owned(),
    };
    let result = result.map(|_| ());
    crate::flash::reply(&result, &message, Some("/admin"));
    result
}

/// The staff, pending invitations and groups.
#[server(endpoint = "admin/staff")]
pub async fn staff_overview() -> Result<StaffBoard, AdminError> {
    use super::model::Permission;
    let result = async {
        let staff = staff()?;
        let signer = super::ssr::require(&staff, Permission::Staff).await?;
        Ok(StaffBoard {
            me: signer.user.id,
            i_am_admin: signer.user.role == Role::Admin,
            members: super::ssr::members::members(&staff).await?,
            invitations: super::ssr::invitations::invitations(&staff).await?,
            groups: super::ssr::groups::groups(&staff).await?,
        })
    }
    .await;
    crate::flash::error_status(&result);
    result
}

/// Group ids as a form sends them (`groups[]`), checked.
#[cfg(feature = "ssr")]
fn group_ids(values: &[String]) -> Result<Vec<i64>, AdminError> {
    values
        .iter()
        .map(|v| {
            v.trim()
                .parse::<i64>()
                .map_err(|_| AdminError::InvalidInput("that group does not exist".into()))
        })
        .collect()
}

#[cfg(feature = "ssr")]
fn role(value: &str) -> Result<Role, AdminError> {
    match value.trim() {
        "staff" => Ok(Role::Staff),
        "admin" => Ok(Role::Admin),
        _ => Err(AdminError::InvalidInput(
            "choose staff or administrator".into(),
        )),
    }
}

/// Invites someone to the staff by e-mail.
#[server(endpoint = "admin/staff/invite")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn invite_staff(
    #[server(default)] email: String,
    #[server(default)] role: String,
    #[server(default)] groups: Vec<String>,
) -> Result<(), AdminError> {
    use super::model::Permission;
    let result = async {
        let staff = staff()?;
        let signer = super::ssr::require(&staff, Permission::Staff).await?;
        let role = self::role(&role)?;
        super::ssr::invitations::invite(&staff, &signer, &email, role, &group_ids(&groups)?).await
    }
    .await;
    crate::flash::reply(&result, "Invitation sent.", None);
    result
}

/// Puts a staff member in exactly the groups given.
#[server(endpoint = "admin/staff/groups")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn set_staff_groups(
    #[server(default)] user_id: i64,
    #[server(default)] groups: Vec<String>,
) -> Result<(), AdminError> {
    use super::model::Permission;
    let result = async {
        let staff = staff()?;
        let signer = super::ssr::require(&staff, Permission::Staff).await?;
        super::ssr::members::set_groups(&staff, &signer, user_id, &group_ids(&groups)?).await
    }
    .await;
    crate::flash::reply(&result, "Groups saved.", None);
    result
}

/// Disables a staff account (its sessions end at once) or enables it again.
#[server(endpoint = "admin/staff/disable")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn set_staff_disabled(
    #[server(default)] user_id: i64,
    #[server(default)] disabled: bool,
) -> Result<(), AdminError> {
    use super::model::Permission;
    let result = async {
        let staff = staff()?;
        let signer = super::ssr::require(&staff, Permission::Staff).await?;
        super::ssr::members::set_disabled(&staff, &signer, user_id, disabled).await
    }
    .await;
    crate::flash::reply(
        &result,
        if disabled {
            "Account disabled; its sessions have ended."
        } else {
            "Account enabled."
        },
        None,
    );
    result
}

/// Makes a staff member an administrator, or staff again (administrators only).
#[server(endpoint = "admin/staff/role")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn set_staff_role(
    #[server(default)] user_id: i64,
    #[server(default)] role: String,
) -> Result<(), AdminError> {
    use super::model::Permission;
    let result = async {
        let staff = staff()?;
        let signer = super::ssr::require(&staff, Permission::Staff).await?;
        super::ssr::members::set_role(&staff, &signer, user_id, self::role(&role)?).await
    }
    .await;
    crate::flash::reply(&result, "Role changed.", None);
    result
}

/// Turns off a staff member's two-step sign-in (administrators only).
#[server(endpoint = "admin/staff/reset-two-step")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn reset_staff_two_step(#[server(default)] user_id: i64) -> Result<(), AdminError> {
    use super::model::Permission;
    let result = async {
        let staff = staff()?;
        let signer = super::ssr::require(&staff, Permission::Staff).await?;
        super::ssr::members::reset_two_step(&staff, &signer, user_id).await
    }
    .await;
    crate::flash::reply(
        &result,
        "Two-step sign-in reset: they set it up again at their next sign-in.",
        None,
    );
    result
}

/// Creates a group (no id) or saves one.
#[server(endpoint = "admin/staff/group")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn save_staff_group(
    #[server(default)] id: Option<i64>,
    #[server(default)] name: String,
    #[server(default)] permissions: Vec<String>,
) -> Result<i64, AdminError> {
    use super::model::{Permission, parse_permissions};
    let result = async {
        let staff = staff()?;
        let signer = super::ssr::require(&staff, Permission::Staff).await?;
        let permissions = parse_permissions(&permissions)?;
        super::ssr::groups::save_group(&staff, &signer, id, &name, &permissions).await
    }
    .await;
    crate::flash::reply(&result, "Group saved.", None);
    result
}

/// Deletes a group.
#[server(endpoint = "admin/staff/group/delete")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn delete_staff_group(#[server(default)] id: i64) -> Result<(), AdminError> {
    use super::model::Permission;
    let result = async {
        let staff = staff()?;
        let signer = super::ssr::require(&staff, Permission::Staff).await?;
        super::ssr::groups::delete_group(&staff, &signer, id).await
    }
    .await;
    crate::flash::reply(&result, "Group deleted.", None);
    result
}

/// Accepts an invitation to the staff from its e-mailed link, and signs in.
#[server(endpoint = "account/staff-invitation")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn accept_invitation(
    #[server(default)] token: String,
    #[server(default)] name: String,
    #[server(default)] password: String,
) -> Result<CurrentUser, AdminError> {
    let result = async {
        let staff = staff()?;
        super::ssr::invitations::accept(&staff, &token, &name, password).await
    }
    .await;
    crate::flash::reply(&result, "Welcome to the staff.", Some("/admin"));
    result
}
