//! The cart as pages see it. Every figure is computed on the server from current prices
//! and stock; the browser only shows them.

use crate::api_error::ErrorBody;
use crate::catalog::model::ImageRef;
use crate::money::Money;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartLine {
    pub sku: String,
    pub title: String,
    pub slug: String,
    /// Option values of the variant ("15 inch", "8GB").
    pub options: Vec<String>,
    pub image: Option<ImageRef>,
    pub quantity: i32,
    /// The price now: what the shopper will pay.
    pub unit_price: Money,
    /// The price when the line was added or last changed.
    pub added_price: Money,
    pub in_stock: i32,
    /// False once the product is archived or withdrawn: the line is not counted.
    pub available: bool,
    pub line_total: Money,
}

crate::from_js_struct!(CartLine {
    sku,
    title,
    slug,
    options,
    image,
    quantity,
    unit_price,
    added_price,
    in_stock,
    available,
    line_total,
});

/// How serious a line's warning is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// The line will not be ordered as it stands.
    Bad,
    /// Worth knowing before paying.
    Warn,
}

impl CartLine {
    /// What the shopper must know about this line, if anything: it is gone, out of
    /// stock, short of stock, or its price has changed since it was added.
    pub fn warning(&self) -> Option<(Severity, String)> {
        if !self.available {
            Some((
                Severity::Bad,
                "No longer available: it will not be ordered.".to_owned(),
            ))
        } else if self.in_stock == 0 {
            Some((Severity::Bad, "Out of stock.".to_owned()))
        } else if self.short_of_stock() {
            Some((
                Severity::Bad,
                format!("Only {} left in stock.", self.in_stock),
            ))
        } else if self.price_changed() {
            Some((
                Severity::Warn,
                format!(
                    "The price has changed from {} to {} since you added it.",
                    self.added_price, self.unit_price
                ),
            ))
        } else {
            None
        }
    }

    pub fn price_changed(&self) -> bool {
        self.unit_price != self.added_price
    }

    pub fn short_of_stock(&self) -> bool {
        self.available && self.quantity > self.in_stock
    }

    pub fn href(&self) -> String {
        crate::catalog::model::variant_href(&self.slug, &self.sku)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cart {
    pub lines: Vec<CartLine>,
    /// Units across available lines (the header's count).
    pub item_count: i64,
    /// One subtotal per currency (a catalog may price products in several).
    pub subtotals: Vec<Money>,
    /// The most of one variant a line may hold.
    pub max_line_quantity: i32,
}

crate::from_js_struct!(Cart {
    lines,
    item_count,
    subtotals,
    max_line_quantity
});

impl Cart {
    pub fn has_warnings(&self) -> bool {
        self.lines
            .iter()
            .any(|l| l.price_changed() || l.short_of_stock() || !l.available)
    }
}

/// What the header shows: who is signed in, and how many items the cart holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeaderInfo {
    pub signed_in_as: Option<String>,
    pub cart_items: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(into = "ErrorBody", from = "ErrorBody")]
pub enum CartError {
    #[error("{0}")]
    InvalidInput(String),
    #[error("that product is not available")]
    NotAvailable,
    #[error("that item is not in your cart")]
    NotInCart,
    #[error("{0}")]
    Stock(String),
    #[error("this request came from another site and was refused")]
    CrossSite,
    #[error("the shop is having trouble right now; please try again in a moment")]
    Unavailable,
    #[error("could not reach the shop: {0}")]
    Transport(String),
}

crate::server_fn_error!(CartError);
crate::from_js_error_body!(CartError);

impl From<CartError> for ErrorBody {
    fn from(e: CartError) -> Self {
        let code = match &e {
            CartError::InvalidInput(_) => "invalid_input",
            CartError::NotAvailable => "not_available",
            CartError::NotInCart => "not_in_cart",
            CartError::Stock(_) => "stock",
            CartError::CrossSite => "cross_site",
            CartError::Unavailable => "unavailable",
            CartError::Transport(_) => "transport",
        };
        ErrorBody::new(code, &e)
    }
}

impl From<ErrorBody> for CartError {
    fn from(b: ErrorBody) -> Self {
        match b.code.as_str() {
            "invalid_input" => CartError::InvalidInput(b.message),
            "not_available" => CartError::NotAvailable,
            "not_in_cart" => CartError::NotInCart,
            "stock" => CartError::Stock(b.message),
            "cross_site" => CartError::CrossSite,
            "unavailable" => CartError::Unavailable,
            _ => CartError::Transport(b.message),
        }
    }
}

/// A quantity as typed into a form: a whole number from 1 to `max`.
pub fn parse_quantity(text: &str, max: i32) -> Result<i32, CartError> {
    let text = text.trim();
    let bad = |m: String| Err(CartError::InvalidInput(m));
    if text.is_empty() {
        return bad("enter a quantity".into());
    }
    let Ok(n) = text.parse::<i64>() else {
        return if text
            .trim_start_matches(['-', '+'])
            .chars()
            .all(|c| c.is_ascii_digit())
        {
            bad(format!("the quantity must be between 1 and {max}"))
        } else {
            bad("the quantity must be a whole number".into())
        };
    };
    if n < 1 {
        return bad("the quantity must be at least 1 (use Remove to take an item out)".into());
    }
    if n > i64::from(max) {
        return bad(format!("the most you can buy of one item is {max}"));
    }
    Ok(n as i32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_travel_as_code_and_message() {
        let e = CartError::Stock("only 2 left in stock".into());
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"code": "stock", "message": "only 2 left in stock"})
        );
        assert_eq!(serde_json::from_value::<CartError>(json).unwrap(), e);
        let json = serde_json::to_value(CartError::NotAvailable).unwrap();
        assert_eq!(json["message"], "that product is not available");
        assert_eq!(
            serde_json::from_value::<CartError>(json).unwrap(),
            CartError::NotAvailable
        );
    }

    #[test]
    fn quantities() {
        assert_eq!(parse_quantity(" 3 ", 20), Ok(3));
        assert_eq!(parse_quantity("20", 20), Ok(20));
        for (input, says) in [
            ("", "enter a quantity"),
            ("0", "at least 1"),
            ("-2", "at least 1"),
            ("21", "most you can buy"),
            ("99999999999999999999", "between 1 and 20"),
            ("2.5", "whole number"),
            ("two", "whole number"),
            ("1e3", "whole number"),
        ] {
            let error = parse_quantity(input, 20).unwrap_err().to_string();
            assert!(error.contains(says), "{input:?}: {error}");
        }
    }
}
