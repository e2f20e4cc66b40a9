//! The address book of a signed-in customer. Every query is scoped to the session's
//! customer: an address id from another account is simply not found.
// A server function takes one argument per form field, and an address has eight.
#![allow(clippy::too_many_arguments)]

use super::model::AccountError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    pub id: i64,
    pub full_name: String,
    pub line1: String,
    pub line2: String,
    pub city: String,
    pub region: String,
    pub postal_code: String,
    pub country: String,
    pub phone: String,
}

impl Address {
    /// The address as lines for display.
    pub fn lines(&self) -> Vec<String> {
        let place = [
            self.postal_code.as_str(),
            self.city.as_str(),
            self.region.as_str(),
        ]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
        [
            self.full_name.clone(),
            self.line1.clone(),
            self.line2.clone(),
            place,
            self.country.clone(),
            self.phone.clone(),
        ]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect()
    }
}

/// Checks and tidies a new address; the first problem is reported in words.
pub fn validate(
    full_name: &str,
    line1: &str,
    line2: &str,
    city: &str,
    region: &str,
    postal_code: &str,
    country: &str,
    phone: &str,
) -> Result<Address, AccountError> {
    let field = |value: &str, label: &str, required: bool, max: usize| {
        let value = value.trim();
        if required && value.is_empty() {
            return Err(AccountError::InvalidInput(format!("enter the {label}")));
        }
        if value.chars().count() > max {
            return Err(AccountError::InvalidInput(format!(
                "the {label} is too long (at most {max} characters)"
            )));
        }
        if value.chars().any(char::is_control) {
            return Err(AccountError::InvalidInput(format!(
                "the {label} contains characters that cannot be printed"
            )));
        }
        Ok(value.to_owned())
    };
    let country = country.trim().to_uppercase();
    if country.len() != 2 || !country.chars().all(|c| c.is_ascii_uppercase()) {
        return Err(AccountError::InvalidInput(
            "the country must be a two-letter code such as GB or US".into(),
        ));
    }
    let phone = field(phone, "phone number", false, 40)?;
    if !phone
        .chars()
        .all(|c| c.is_ascii_digit() || " +-().".contains(c))
    {
        return Err(AccountError::InvalidInput(
            "the phone number may hold digits, spaces and + - ( ) only".into(),
        ));
    }
    Ok(Address {
        id: 0,
        full_name: field(full_name, "name", true, 200)?,
        line1: field(line1, "street address", true, 200)?,
        line2: field(line2, "second address line", false, 200)?,
        city: field(city, "town or city", true, 100)?,
        region: field(region, "county, state or region", false, 100)?,
        postal_code: field(postal_code, "postcode", true, 20)?,
        country,
        phone,
    })
}

/// A customer's saved addresses, oldest first, or only `id` (if it is theirs).
#[cfg(feature = "ssr")]
pub async fn saved(
    pool: &sqlx::PgPool,
    user_id: i64,
    id: Option<i64>,
) -> Result<Vec<Address>, sqlx::Error> {
    sqlx::query_as!(
        Address,
        r#"SELECT id, full_name, line1, line2, city, region, postal_code,
                  country AS "country!", phone
             FROM addresses WHERE user_id = $1 AND ($2::bigint IS NULL OR id = $2) ORDER BY id"#,
        user_id,
        id
    )
    .fetch_all(pool)
    .await
}

#[server(endpoint = "account/addresses")]
pub async fn list_addresses() -> Result<Vec<Address>, AccountError> {
    let state = crate::state::app_state().ok_or(AccountError::Unavailable)?;
    let result = async {
        let (_, user) = super::ssr::require_user(&state).await?;
        saved(&state.db.primary, user.id, None)
            .await
            .map_err(super::ssr::unavailable)
    }
    .await;
    crate::flash::error_status(&result);
    result
}

#[server(endpoint = "account/addresses/add")]
pub async fn add_address(
    #[server(default)] full_name: String,
    #[server(default)] line1: String,
    #[server(default)] line2: String,
    #[server(default)] city: String,
    #[server(default)] region: String,
    #[server(default)] postal_code: String,
    #[server(default)] country: String,
    #[server(default)] phone: String,
) -> Result<i64, AccountError> {
    let state = crate::state::app_state().ok_or(AccountError::Unavailable)?;
    let result = async {
        let (_, user) = super::ssr::require_user(&state).await?;
        let a = validate(
            &full_name,
            &line1,
            &line2,
            &city,
            &region,
            &postal_code,
            &country,
            &phone,
        )?;
        sqlx::query_scalar!(
            "INSERT INTO addresses (user_id, full_name, line1, line2, city, region, postal_code, country, phone)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            user.id,
            a.full_name,
            a.line1,
            a.line2,
            a.city,
            a.region,
            a.postal_code,
            a.country,
            a.phone
        )
        .fetch_one(&state.db.primary)
        .await
        .map_err(super::ssr::unavailable)
    }
    .await;
    crate::flash::after_form(&result, "Address saved.", None);
    result
}

#[server(endpoint = "account/addresses/delete")]
pub async fn delete_address(#[server(default)] id: String) -> Result<(), AccountError> {
    let state = crate::state::app_state().ok_or(AccountError::Unavailable)?;
    let result = async {
        let (_, user) = super::ssr::require_user(&state).await?;
        let not_found =
            || AccountError::InvalidInput("that address is not in your address book".into());
        let id: i64 = id.trim().parse().map_err(|_| not_found())?;
        let done = sqlx::query!(
            "DELETE FROM addresses WHERE id = $1 AND user_id = $2",
            id,
            user.id
        )
        .execute(&state.db.primary)
        .await
        .map_err(super::ssr::unavailable)?;
        if done.rows_affected() == 0 {
            return Err(not_found());
        }
        Ok(())
    }
    .await;
    crate::flash::after_form(&result, "Address removed.", None);
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_tidied_or_refused() {
        let a = validate(
            " Ada Lovelace ",
            "12 St James's Square",
            "",
            "London",
            "",
            "SW1Y 4JH",
            "gb",
            "+44 20 7946 0000",
        )
        .unwrap();
        assert_eq!(a.full_name, "Ada Lovelace");
        assert_eq!(a.country, "GB");
        assert_eq!(a.lines()[2], "SW1Y 4JH London");
        for (args, says) in [
            (
                ["", "1 Road", "", "City", "", "1", "GB", ""],
                "enter the name",
            ),
            (
                ["A", "1 Road", "", "City", "", "", "GB", ""],
                "enter the postcode",
            ),
            (
                ["A", "1 Road", "", "City", "", "1", "Britain", ""],
                "two-letter code",
            ),
            (
                ["A", "1 Road", "", "City", "", "1", "GB", "call me"],
                "phone number",
            ),
            (
                ["A", "1 Road\u{7}", "", "City", "", "1", "GB", ""],
                "cannot be printed",
            ),
        ] {
            let e = validate(
                args[0], args[1], args[2], args[3], args[4], args[5], args[6], args[7],
            )
            .unwrap_err()
            .to_string();
            assert!(e.contains(says), "{args:?}: {e}");
        }
    }
}
