//! Checkout types shared with the browser.

use crate::api_error::ErrorBody;
use crate::orders::model::OrderStatus;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(into = "ErrorBody", from = "ErrorBody")]
pub enum CheckoutError {
    /// A field the shopper must correct; the message says which and how.
    #[error("{0}")]
    InvalidInput(String),
    #[error("your cart is empty")]
    EmptyCart,
    /// Not enough stock for a line; nothing was charged.
    #[error("{0}")]
    Stock(String),
    /// The card was declined; nothing was charged and the stock is released.
    #[error("{0}")]
    Declined(String),
    /// The payment provider could not be reached; the order is kept, and trying again
    /// (the same form) cannot charge twice.
    #[error("{0}")]
    PaymentUnavailable(String),
    #[error("this request came from another site and was refused")]
    CrossSite,
    #[error("checkout is unavailable right now; please try again in a moment")]
    Unavailable,
    #[error("could not reach the shop: {0}")]
    Transport(String),
}

crate::server_fn_error!(CheckoutError);

impl From<CheckoutError> for ErrorBody {
    fn from(e: CheckoutError) -> Self {
        let code = match &e {
            CheckoutError::InvalidInput(_) => "invalid_input",
            CheckoutError::EmptyCart => "empty_cart",
            CheckoutError::Stock(_) => "stock",
            CheckoutError::Declined(_) => "declined",
            CheckoutError::PaymentUnavailable(_) => "payment_unavailable",
            CheckoutError::CrossSite => "cross_site",
            CheckoutError::Unavailable => "unavailable",
            CheckoutError::Transport(_) => "transport",
        };
        ErrorBody::new(code, &e)
    }
}

impl From<ErrorBody> for CheckoutError {
    fn from(b: ErrorBody) -> Self {
        match b.code.as_str() {
            "invalid_input" => CheckoutError::InvalidInput(b.message),
            "empty_cart" => CheckoutError::EmptyCart,
            "stock" => CheckoutError::Stock(b.message),
            "declined" => CheckoutError::Declined(b.message),
            "payment_unavailable" => CheckoutError::PaymentUnavailable(b.message),
            "cross_site" => CheckoutError::CrossSite,
            "unavailable" => CheckoutError::Unavailable,
            _ => CheckoutError::Transport(b.message),
        }
    }
}

impl crate::flash::HttpStatus for CheckoutError {
    fn http_status(&self) -> u16 {
        match self {
            CheckoutError::InvalidInput(_) => 400,
            CheckoutError::EmptyCart | CheckoutError::Stock(_) => 409,
            CheckoutError::Declined(_) => 402,
            CheckoutError::CrossSite => 403,
            CheckoutError::PaymentUnavailable(_) | CheckoutError::Unavailable => 503,
            CheckoutError::Transport(_) => 502,
        }
    }
}

/// The outcome of placing an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Placed {
    pub number: String,
    pub status: OrderStatus,
    pub total_minor: i64,
    pub currency: String,
}

/// Totals in minor units, computed on the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Totals {
    pub subtotal: i64,
    pub shipping: i64,
    pub tax: i64,
    pub total: i64,
}

/// A region's shipping rate: a base per order plus a per-item amount (standing in for
/// weight), free above a subtotal if set. Amounts are minor units of the order's currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShippingRate {
    pub region: String,
    pub base_minor: i64,
    pub per_item_minor: i64,
    pub free_over_minor: Option<i64>,
}

impl ShippingRate {
    pub fn price(&self, subtotal: i64, items: i64) -> i64 {
        match self.free_over_minor {
            Some(free) if subtotal >= free => 0,
            _ => self.base_minor + self.per_item_minor * items.max(0),
        }
    }
}

/// Tax in basis points on goods and shipping, rounded half up.
pub fn tax(taxable: i64, rate_bp: i32) -> i64 {
    (taxable * i64::from(rate_bp) + 5_000) / 10_000
}

pub fn totals(subtotal: i64, items: i64, rate: &ShippingRate, tax_bp: i32) -> Totals {
    let shipping = rate.price(subtotal, items);
    let tax = tax(subtotal + shipping, tax_bp);
    Totals {
        subtotal,
        shipping,
        tax,
        total: subtotal + shipping + tax,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_add_up_in_minor_units() {
        let rate = ShippingRate {
            region: "EU".into(),
            base_minor: 499,
            per_item_minor: 100,
            free_over_minor: Some(10_000),
        };
        let t = totals(2_500, 3, &rate, 2_000);
        assert_eq!(
            t,
            Totals {
                subtotal: 2_500,
                shipping: 799,
                tax: 660,
                total: 3_959
            }
        );
        assert_eq!(
            totals(10_000, 1, &rate, 0).shipping,
            0,
            "free over the threshold"
        );
        assert_eq!(tax(5, 1_000), 1, "0.5 rounds up");
        assert_eq!(tax(4, 1_000), 0);
    }
}
