//! Addresses: the address book of a signed-in customer, and the address every order
//! ships to. An [`AddressForm`] is what a form posts; an [`Address`] is what it becomes
//! once checked (only then); a [`SavedAddress`] is one in the book, with its id. The
//! queries are in `ssr/addresses.rs`, each scoped to its customer; the server functions
//! in `api.rs`.

use super::model::AccountError;
use serde::{Deserialize, Serialize};

/// A postal address, checked and tidied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    pub full_name: String,
    pub line1: String,
    pub line2: String,
    pub city: String,
    pub region: String,
    pub postal_code: String,
    /// ISO 3166 alpha-2, upper case.
    pub country: String,
    pub phone: String,
}

/// An address in a customer's book.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedAddress {
    pub id: i64,
    #[serde(flatten)]
    pub address: Address,
}

/// An address as a form posts it: every field text, any of them missing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AddressForm {
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

/// Checks and tidies an address; the first problem is reported in words.
impl TryFrom<&AddressForm> for Address {
    type Error = AccountError;

    fn try_from(form: &AddressForm) -> Result<Self, Self::Error> {
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
        let country = form.country.trim().to_uppercase();
        if country.len() != 2 || !country.chars().all(|c| c.is_ascii_uppercase()) {
            return Err(AccountError::InvalidInput(
                "the country must be a two-letter code such as GB or US".into(),
            ));
        }
        let phone = field(&form.phone, "phone number", false, 40)?;
        if !phone
            .chars()
            .all(|c| c.is_ascii_digit() || " +-().".contains(c))
        {
            return Err(AccountError::InvalidInput(
                "the phone number may hold digits, spaces and + - ( ) only".into(),
            ));
        }
        Ok(Address {
            full_name: field(&form.full_name, "name", true, 200)?,
            line1: field(&form.line1, "street address", true, 200)?,
            line2: field(&form.line2, "second address line", false, 200)?,
            city: field(&form.city, "town or city", true, 100)?,
            region: field(&form.region, "county, state or region", false, 100)?,
            postal_code: field(&form.postal_code, "postcode", true, 20)?,
            country,
            phone,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(f: [&str; 8]) -> AddressForm {
        AddressForm {
            full_name: f[0].into(),
            line1: f[1].into(),
            line2: f[2].into(),
            city: f[3].into(),
            region: f[4].into(),
            postal_code: f[5].into(),
            country: f[6].into(),
            phone: f[7].into(),
        }
    }

    #[test]
    fn addresses_are_tidied_or_refused() {
        let a = Address::try_from(&form([
            " Ada Lovelace ",
            "12 St James's Square",
            "",
            "London",
            "",
            "SW1Y 4JH",
            "gb",
            "+44 20 7946 0000",
        ]))
        .unwrap();
        assert_eq!(a.full_name, "Ada Lovelace");
        assert_eq!(a.country, "GB");
        assert_eq!(a.lines()[2], "SW1Y 4JH London");
        for (fields, says) in [
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
            let e = Address::try_from(&form(fields)).unwrap_err().to_string();
            assert!(e.contains(says), "{fields:?}: {e}");
        }
    }

    #[test]
    fn a_saved_address_reads_as_before() {
        // Saved addresses travel with their fields and id side by side, as ever.
        let json = serde_json::json!({
            "id": 7, "full_name": "Ada", "line1": "1 Road", "line2": "", "city": "Leeds",
            "region": "", "postal_code": "LS1", "country": "GB", "phone": ""
        });
        let saved: SavedAddress = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(saved.id, 7);
        assert_eq!(serde_json::to_value(&saved).unwrap(), json);
    }
}
