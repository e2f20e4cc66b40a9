//! Account server functions. Sign-in and sign-up pages are plain forms posting here, so
//! they work the same with JavaScript on or off: success redirects, an error comes back
//! to the form as a message.

use super::addresses::{AddressForm, SavedAddress};
use super::model::{AccountError, CurrentUser};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
fn accounts() -> Result<super::ssr::Accounts, AccountError> {
    crate::context::dep().ok_or(AccountError::Unavailable)
}

/// The signed-in customer, if any.
#[server(endpoint = "account/whoami")]
pub async fn whoami() -> Result<Option<CurrentUser>, AccountError> {
    Ok(super::ssr::current(&accounts()?).await?.1)
}

/// Starts an account: a link to finish it is e-mailed (or, if the address has an account
/// already, a note to its owner). The answer is the same either way.
#[server(endpoint = "account/sign-up")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn sign_up(
    #[server(default)] email: String,
    #[server(default)] password: String,
    #[server(default)] name: String,
) -> Result<(), AccountError> {
    let result = super::ssr::sign_up::request(&accounts()?, &email, password, &name).await;
    crate::flash::reply(
        &result,
        "Almost done: we have e-mailed you a link. Open it to confirm your address and finish \
         creating your account.",
        None,
    );
    result
}

/// Finishes an account from its e-mailed link, and signs this browser in.
#[server(endpoint = "account/confirm")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn confirm_account(
    #[server(default)] token: String,
    #[server(default)] password: String,
) -> Result<CurrentUser, AccountError> {
    let result = super::ssr::sign_up::confirm(&accounts()?, &token, password).await;
    crate::flash::reply(&result, "Welcome! Your account is ready.", Some("/account"));
    result
}

#[server(endpoint = "account/sign-in")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn sign_in(
    #[server(default)] email: String,
    #[server(default)] password: String,
) -> Result<CurrentUser, AccountError> {
    let result = super::ssr::sign_in(&accounts()?, &email, password).await;
    crate::flash::reply(&result, "You are signed in.", Some("/account"));
    result
}

#[server(endpoint = "account/sign-out")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn sign_out() -> Result<(), AccountError> {
    let result = super::ssr::sign_out(&accounts()?).await;
    crate::flash::reply(&result, "You are signed out.", Some("/"));
    result
}

#[server(endpoint = "account/change-password")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn change_password(
    #[server(default)] current_password: String,
    #[server(default)] new_password: String,
) -> Result<(), AccountError> {
    let result = super::ssr::change_password(&accounts()?, current_password, new_password).await;
    crate::flash::reply(
        &result,
        "Password changed. Every other device has been signed out.",
        Some("/account"),
    );
    result
}

/// Sends a password reset link if the address has an account (the answer is the same
/// either way).
#[server(endpoint = "account/forgot")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn request_password_reset(#[server(default)] email: String) -> Result<(), AccountError> {
    let result = super::ssr::reset::request(&accounts()?, &email).await;
    crate::flash::reply(
        &result,
        "If an account uses that address, a link to reset its password is on its way.",
        None,
    );
    result
}

#[server(endpoint = "account/reset")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn reset_password(
    #[server(default)] token: String,
    #[server(default)] new_password: String,
) -> Result<CurrentUser, AccountError> {
    let result = super::ssr::reset::complete(&accounts()?, &token, new_password).await;
    crate::flash::reply(
        &result,
        "Your password is changed and you are signed in.",
        Some("/account"),
    );
    result
}

#[server(endpoint = "account/addresses")]
/// The signed-in customer's address book.
pub async fn list_addresses() -> Result<Vec<SavedAddress>, AccountError> {
    let result = async {
        let accounts = accounts()?;
        let (_, user) = super::ssr::require_user(&accounts).await?;
        super::ssr::addresses::saved(&accounts.sessions.pool, user.id, None)
            .await
            .map_err(super::ssr::unavailable)
    }
    .await;
    crate::flash::error_status(&result);
    result
}

#[server(endpoint = "account/addresses/add")]
pub async fn add_address(#[server(flatten)] form: AddressForm) -> Result<i64, AccountError> {
    let result = async {
        let accounts = accounts()?;
        let (_, user) = super::ssr::require_user(&accounts).await?;
        let address = super::addresses::Address::try_from(&form)?;
        super::ssr::addresses::add(&accounts.sessions.pool, user.id, &address)
            .await
            .map_err(super::ssr::unavailable)
    }
    .await;
    crate::flash::reply(&result, "Address saved.", None);
    result
}

#[server(endpoint = "account/addresses/delete")]
pub async fn delete_address(#[server(default)] id: String) -> Result<(), AccountError> {
    let result = async {
        let accounts = accounts()?;
        let (_, user) = super::ssr::require_user(&accounts).await?;
        let not_found =
            || AccountError::InvalidInput("that address is not in your address book".into());
        let id: i64 = id.trim().parse().map_err(|_| not_found())?;
        let removed = super::ssr::addresses::remove(&accounts.sessions.pool, user.id, id)
            .await
            .map_err(super::ssr::unavailable)?;
        if removed { Ok(()) } else { Err(not_found()) }
    }
    .await;
    crate::flash::reply(&result, "Address removed.", None);
    result
}
