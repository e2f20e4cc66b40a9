//! Accounts as the pages and server functions see them, and the rules for what a shopper
//! types (e-mail addresses, passwords), shared by the server and the browser.

use crate::api_error::ErrorBody;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "ssr", derive(sqlx::Type))]
#[cfg_attr(
    feature = "ssr",
    sqlx(type_name = "user_role", rename_all = "lowercase")
)]
pub enum Role {
    Customer,
    Staff,
    Admin,
}

/// The signed-in customer, as far as pages need to know.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(into = "ErrorBody", from = "ErrorBody")]
pub enum AccountError {
    #[error("{0}")]
    InvalidInput(String),
    #[error("that e-mail address and password do not match an account")]
    BadCredentials,
    #[error(
        "this account's e-mail address is not confirmed yet; open the link we e-mailed you, \
         or sign up again for a new one"
    )]
    Unconfirmed,
    #[error("this account is disabled; please contact the shop")]
    Disabled,
    #[error(
        "too many failed sign-ins; try again in {minutes} minutes, or reset your password to \
         sign in now"
    )]
    Throttled { minutes: u32 },
    #[error("please sign in first")]
    NotSignedIn,
    #[error("you may not do that")]
    Forbidden,
    #[error("this request came from another site and was refused")]
    CrossSite,
    /// Something failed on the server; details are in the server's log, never here.
    #[error("the shop is having trouble right now; please try again in a moment")]
    Unavailable,
    #[error("could not reach the shop: {0}")]
    Transport(String),
}

crate::server_fn_error!(AccountError);

impl From<AccountError> for ErrorBody {
    fn from(e: AccountError) -> Self {
        let code = match &e {
            AccountError::InvalidInput(_) => "invalid_input",
            AccountError::BadCredentials => "bad_credentials",
            AccountError::Unconfirmed => "unconfirmed",
            AccountError::Disabled => "disabled",
            AccountError::Throttled { .. } => "throttled",
            AccountError::NotSignedIn => "not_signed_in",
            AccountError::Forbidden => "forbidden",
            AccountError::CrossSite => "cross_site",
            AccountError::Unavailable => "unavailable",
            AccountError::Transport(_) => "transport",
        };
        let mut body = ErrorBody::new(code, &e);
        if let AccountError::Throttled { minutes } = e {
            body.retry_after_minutes = Some(minutes);
        }
        body
    }
}

impl From<ErrorBody> for AccountError {
    fn from(b: ErrorBody) -> Self {
        match b.code.as_str() {
            "invalid_input" => AccountError::InvalidInput(b.message),
            "bad_credentials" => AccountError::BadCredentials,
            "unconfirmed" => AccountError::Unconfirmed,
            "disabled" => AccountError::Disabled,
            "throttled" => AccountError::Throttled {
                minutes: b.retry_after_minutes.unwrap_or(1),
            },
            "not_signed_in" => AccountError::NotSignedIn,
            "forbidden" => AccountError::Forbidden,
            "cross_site" => AccountError::CrossSite,
            "unavailable" => AccountError::Unavailable,
            _ => AccountError::Transport(b.message),
        }
    }
}

pub const MIN_PASSWORD_CHARS: usize = 10;
pub const MAX_PASSWORD_CHARS: usize = 128;

/// Passwords too common to allow, whatever their length (the top of public breach lists
/// that meet the length rule).
const COMMON: &[&str] = &[
    "1234567890",
    "12345678910",
    "123456789012",
    "0987654321",
    "1q2w3e4r5t",
    "qwertyuiop",
    "1qaz2wsx3edc",
    "password12",
    "password123",
    "password1234",
    "passw0rd123",
    "iloveyou12",
    "qwerty1234",
    "qwerty12345",
    "abcdefghij",
    "abc1234567",
    "letmein123",
    "welcome123",
    "administrator",
    "football123",
    "baseball123",
    "princess123",
    "sunshine123",
    "mercato123",
    "mercatoshop",
];

/// The password policy (after NIST SP 800-63B): long enough, not absurdly long, not a
/// well-known password, not the e-mail address, not one character repeated. Returns the
/// reason in words the shopper can act on.
pub fn check_password(password: &str, email: &str) -> Result<(), String> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(format!(
            "the password must have at least {MIN_PASSWORD_CHARS} characters"
        ));
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(format!(
            "the password must have at most {MAX_PASSWORD_CHARS} characters"
        ));
    }
    let lower = password.to_lowercase();
    if COMMON.contains(&lower.as_str()) {
        return Err("that password is too common; choose another".into());
    }
    let email = email.trim().to_lowercase();
    let local = email.split('@').next().unwrap_or_default();
    if lower == email || (local.chars().count() >= 4 && lower.contains(local)) {
        return Err("the password must not contain your e-mail address".into());
    }
    let mut distinct: Vec<char> = password.chars().collect();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() < 4 {
        return Err("the password needs more different characters".into());
    }
    Ok(())
}

/// An e-mail address trimmed and lower-cased, or why it cannot be one.
pub fn normalize_email(input: &str) -> Result<String, String> {
    let email = input.trim().to_lowercase();
    if email.is_empty() {
        return Err("enter your e-mail address".into());
    }
    if email.len() > 254 {
        return Err("that e-mail address is too long".into());
    }
    let Some((local, domain)) = email.split_once('@') else {
        return Err("that does not look like an e-mail address".into());
    };
    let fine = !local.is_empty()
        && local.len() <= 64
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && !email.chars().any(|c| c.is_whitespace() || c.is_control());
    if !fine {
        return Err("that does not look like an e-mail address".into());
    }
    Ok(email)
}

/// Mailbox providers known to ignore dots in the local part of an address.
const DOTLESS_DOMAINS: [&str; 2] = ["gmail.com", "googlemail.com"];

/// The person behind an address, for limits that count per customer: the normalised
/// address without a `+tag` (most providers deliver `ada+x@` to `ada@`) and, where the
/// provider ignores them (Gmail), without dots in the local part, googlemail.com being
/// gmail.com. `email` must be normalised already ([`normalize_email`]).
pub fn email_identity(email: &str) -> String {
    let Some((local, domain)) = email.rsplit_once('@') else {
        return email.to_owned();
    };
    let local = local.split('+').next().unwrap_or(local);
    let (local, domain) = if DOTLESS_DOMAINS.contains(&domain) {
        (local.replace('.', ""), "gmail.com")
    } else {
        (local.to_owned(), domain)
    };
    // `+tag` alone is no address of anyone's: keep it whole rather than make it empty.
    if local.is_empty() {
        return email.to_owned();
    }
    format!("{local}@{domain}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_of_one_person_share_an_identity() {
        let ada = email_identity("ada@example.com");
        for same in ["ada+shop@example.com", "ada+a+b@example.com"] {
            assert_eq!(email_identity(same), ada, "{same}");
        }
        assert_ne!(email_identity("a.da@example.com"), ada);
        let g = email_identity("adalovelace@gmail.com");
        for same in [
            "ada.lovelace@gmail.com",
            "a.d.a.lovelace+promo@gmail.com",
            "adalovelace@googlemail.com",
        ] {
            assert_eq!(email_identity(same), g, "{same}");
        }
        assert_eq!(email_identity("+tag@example.com"), "+tag@example.com");
    }

    #[test]
    fn errors_travel_as_code_and_message() {
        let e = AccountError::Throttled { minutes: 7 };
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["code"], "throttled");
        assert_eq!(json["retry_after_minutes"], 7);
        assert_eq!(
            json["message"],
            "too many failed sign-ins; try again in 7 minutes, or reset your password to sign in now"
        );
        assert_eq!(serde_json::from_value::<AccountError>(json).unwrap(), e);
    }

    #[test]
    fn password_policy() {
        let email = "ada@example.com";
        assert!(check_password("correct horse battery", email).is_ok());
        assert!(
            check_password("short", email)
                .unwrap_err()
                .contains("at least 10")
        );
        assert!(
            check_password(&"ab1!".repeat(40), email)
                .unwrap_err()
                .contains("at most")
        );
        assert!(
            check_password("Password123", email)
                .unwrap_err()
                .contains("common")
        );
        assert!(
            check_password("ada@example.com", email)
                .unwrap_err()
                .contains("e-mail")
        );
        assert!(
            check_password("aaaaaaaaaaaa", email)
                .unwrap_err()
                .contains("different")
        );
        // Length counts characters, not bytes.
        assert!(check_password("ééééé12345", email).is_ok());
    }

    #[test]
    fn emails_are_normalised_or_refused() {
        assert_eq!(
            normalize_email("  Ada@Example.COM ").unwrap(),
            "ada@example.com"
        );
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "a b@example.com",
            "ada@.com",
        ] {
            assert!(normalize_email(bad).is_err(), "{bad:?}");
        }
    }
}
