//! Staff as the admin pages and server functions see them: the permissions a staff
//! member can be given (through groups), who is signed in to the admin, and the one error
//! type every admin server function answers with.

use crate::account::model::Role;
use crate::api_error::ErrorBody;
use serde::{Deserialize, Serialize};

/// What a staff member may open and do. An administrator has them all; anyone else has
/// those of their groups. The database holds the same list (`staff_groups.permissions`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Permission {
    Products,
    Inventory,
    Orders,
    Refunds,
    Discounts,
    Customers,
    Reports,
    Staff,
    Settings,
}

impl Permission {
    pub const ALL: [Permission; 9] = [
        Permission::Products,
        Permission::Inventory,
        Permission::Orders,
        Permission::Refunds,
        Permission::Discounts,
        Permission::Customers,
        Permission::Reports,
        Permission::Staff,
        Permission::Settings,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Permission::Products => "products",
            Permission::Inventory => "inventory",
            Permission::Orders => "orders",
            Permission::Refunds => "refunds",
            Permission::Discounts => "discounts",
            Permission::Customers => "customers",
            Permission::Reports => "reports",
            Permission::Staff => "staff",
            Permission::Settings => "settings",
        }
    }

    pub fn parse(s: &str) -> Option<Permission> {
        Permission::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// What a merchant reads beside the checkbox.
    pub fn label(self) -> &'static str {
        match self {
            Permission::Products => "Products: edit the catalog, images, versions",
            Permission::Inventory => "Inventory: stock, receipts, transfers, warehouses",
            Permission::Orders => "Orders: view, capture, cancel, fulfil",
            Permission::Refunds => "Refunds: give money back",
            Permission::Discounts => "Discounts: create and end codes",
            Permission::Customers => "Customers: view, disable, export, erase",
            Permission::Reports => "Reports: the dashboard and exports",
            Permission::Staff => "Staff: invite, group and disable staff; the audit log",
            Permission::Settings => "Settings: the shop's settings",
        }
    }
}

/// The staff member signed in to the admin, as the pages need them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffUser {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    /// What they may open (every permission for an administrator).
    pub permissions: Vec<Permission>,
    /// Whether two-step sign-in is set up for the account.
    pub two_step: bool,
}

impl StaffUser {
    pub fn may(&self, permission: Permission) -> bool {
        self.role == Role::Admin || self.permissions.contains(&permission)
    }
}

/// Where a signed-in person stands at the admin's door.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Door {
    /// Nobody is signed in.
    SignIn,
    /// Signed in, but not staff (or disabled).
    NoAccess,
    /// Two-step sign-in is set up: this session must give a code first.
    SecondStep,
    /// An administrator without two-step sign-in must set it up first.
    SetUpTwoStep(StaffUser),
    /// In.
    Open(StaffUser),
}

/// The error of every admin server function.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(into = "ErrorBody", from = "ErrorBody")]
pub enum AdminError {
    #[error("{0}")]
    InvalidInput(String),
    #[error("please sign in first")]
    NotSignedIn,
    #[error("you do not have access to this part of the admin")]
    Forbidden,
    #[error("this account is disabled")]
    Disabled,
    #[error("enter the code from your authenticator app first")]
    SecondStep,
    #[error("administrators must set up two-step sign-in first")]
    SetUpTwoStep,
    #[error("too many wrong codes; try again in {minutes} minutes")]
    Throttled { minutes: u32 },
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    Conflict(String),
    /// Something failed on the server; details are in the server's log, never here.
    #[error("the admin is having trouble right now; please try again in a moment")]
    Unavailable,
    #[error("could not reach the shop: {0}")]
    Transport(String),
}

crate::server_fn_error!(AdminError);

impl From<AdminError> for ErrorBody {
    fn from(e: AdminError) -> Self {
        let code = match &e {
            AdminError::InvalidInput(_) => "invalid_input",
            AdminError::NotSignedIn => "not_signed_in",
            AdminError::Forbidden => "forbidden",
            AdminError::Disabled => "disabled",
            AdminError::SecondStep => "second_step_required",
            AdminError::SetUpTwoStep => "two_step_setup_required",
            AdminError::Throttled { .. } => "throttled",
            AdminError::NotFound => "not_found",
            AdminError::Conflict(_) => "conflict",
            AdminError::Unavailable => "unavailable",
            AdminError::Transport(_) => "transport",
        };
        let mut body = ErrorBody::new(code, &e);
        if let AdminError::Throttled { minutes } = e {
            body.retry_after_minutes = Some(minutes);
        }
        body
    }
}

impl From<ErrorBody> for AdminError {
    fn from(body: ErrorBody) -> Self {
        match body.code.as_str() {
            "invalid_input" => AdminError::InvalidInput(body.message),
            "not_signed_in" => AdminError::NotSignedIn,
            "forbidden" => AdminError::Forbidden,
            "disabled" => AdminError::Disabled,
            "second_step_required" => AdminError::SecondStep,
            "two_step_setup_required" => AdminError::SetUpTwoStep,
            "throttled" => AdminError::Throttled {
                minutes: body.retry_after_minutes.unwrap_or(1),
            },
            "not_found" => AdminError::NotFound,
            "conflict" => AdminError::Conflict(body.message),
            "unavailable" => AdminError::Unavailable,
            _ => AdminError::Transport(body.message),
        }
    }
}

impl From<crate::account::model::AccountError> for AdminError {
    fn from(e: crate::account::model::AccountError) -> Self {
        use crate::account::model::AccountError as A;
        match e {
            A::NotSignedIn => AdminError::NotSignedIn,
            A::Forbidden | A::CrossSite => AdminError::Forbidden,
            A::Disabled => AdminError::Disabled,
            A::Throttled { minutes } => AdminError::Throttled { minutes },
            A::Unavailable => AdminError::Unavailable,
            A::Transport(t) => AdminError::Transport(t),
            other => AdminError::InvalidInput(other.to_string()),
        }
    }
}

/// A staff group: a name and its permissions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    pub id: i64,
    pub name: String,
    pub permissions: Vec<Permission>,
    pub members: i64,
}

/// A staff account, as the staff list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub groups: Vec<String>,
    pub two_step: bool,
    pub disabled: bool,
    pub last_seen: Option<String>,
}

/// An invitation not yet accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invitation {
    pub email: String,
    pub role: Role,
    pub expires: String,
}

/// Set-up of two-step sign-in: the secret to type or scan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwoStepSetup {
    /// The secret in base32, grouped by four for typing.
    pub secret: String,
    /// The `otpauth://` link an authenticator app reads.
    pub link: String,
    /// The link as a QR code: its side in modules and the dark ones, row by row.
    pub qr_side: u32,
    pub qr_dark: Vec<bool>,
}

/// The set-up page's content: the secret and the recovery codes that the first right
/// code will make active.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwoStepPending {
    pub setup: TwoStepSetup,
    pub recovery_codes: Vec<String>,
}

/// Parses a form's permissions (checkbox values), refusing unknown ones.
pub fn parse_permissions(values: &[String]) -> Result<Vec<Permission>, AdminError> {
    let mut out = Vec::new();
    for v in values {
        let p = Permission::parse(v.trim())
            .ok_or_else(|| AdminError::InvalidInput(format!("unknown permission: {v}")))?;
        if !out.contains(&p) {
            out.push(p);
        }
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permissions_round_trip_and_unknown_ones_are_refused() {
        for p in Permission::ALL {
            assert_eq!(Permission::parse(p.as_str()), Some(p));
        }
        assert!(parse_permissions(&["products".into(), "root".into()]).is_err());
        assert_eq!(
            parse_permissions(&["orders".into(), "products".into(), "orders".into()]).unwrap(),
            vec![Permission::Products, Permission::Orders]
        );
    }

    #[test]
    fn an_administrator_may_everything_and_staff_what_their_groups_give() {
        let mut u = StaffUser {
            id: 1,
            email: "a@b.c".into(),
            name: String::new(),
            role: Role::Staff,
            permissions: vec![Permission::Orders],
            two_step: false,
        };
        assert!(u.may(Permission::Orders));
        assert!(!u.may(Permission::Refunds));
        u.role = Role::Admin;
        assert!(Permission::ALL.into_iter().all(|p| u.may(p)));
    }

    #[test]
    fn errors_travel_with_their_codes() {
        for e in [
            AdminError::NotSignedIn,
            AdminError::Forbidden,
            AdminError::SecondStep,
            AdminError::SetUpTwoStep,
            AdminError::NotFound,
            AdminError::InvalidInput("x".into()),
            AdminError::Conflict("y".into()),
            AdminError::Throttled { minutes: 3 },
        ] {
            assert_eq!(AdminError::from(ErrorBody::from(e.clone())), e);
        }
    }
}
