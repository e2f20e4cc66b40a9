//! Account server functions. Sign-in and sign-up pages are plain forms posting here, so
//! they work the same with JavaScript on or off: success redirects, an error comes back
//! to the form as a message.

use super::model::{AccountError, CurrentUser};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
fn state() -> Result<crate::state::AppState, AccountError> {
    crate::state::app_state().ok_or(AccountError::Unavailable)
}

/// The signed-in customer, if any.
#[server(endpoint = "account/whoami")]
pub async fn whoami() -> Result<Option<CurrentUser>, AccountError> {
    Ok(super::ssr::current(&state()?).await?.1)
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
    let result = super::ssr::sign_up::request(&state()?, &email, password, &name).await;
    crate::flash::after_form(
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
    let result = super::ssr::sign_up::confirm(&state()?, &token, password).await;
    crate::flash::after_form(&result, "Welcome! Your account is ready.", Some("/account"));
    result
}

#[server(endpoint = "account/sign-in")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn sign_in(
    #[server(default)] email: String,
    #[server(default)] password: String,
) -> Result<CurrentUser, AccountError> {
    let result = super::ssr::sign_in(&state()?, &email, password).await;
    crate::flash::after_form(&result, "You are signed in.", Some("/account"));
    result
}

#[server(endpoint = "account/sign-out")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn sign_out() -> Result<(), AccountError> {
    let result = super::ssr::sign_out(&state()?).await;
    crate::flash::after_form(&result, "You are signed out.", Some("/"));
    result
}

#[server(endpoint = "account/change-password")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn change_password(
    #[server(default)] current_password: String,
    #[server(default)] new_password: String,
) -> Result<(), AccountError> {
    let result = super::ssr::change_password(&state()?, current_password, new_password).await;
    crate::flash::after_form(
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
    let result = super::ssr::reset::request(&state()?, &email).await;
    crate::flash::after_form(
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
    let result = super::ssr::reset::complete(&state()?, &token, new_password).await;
    crate::flash::after_form(
        &result,
        "Your password is changed and you are signed in.",
        Some("/account"),
    );
    result
}
