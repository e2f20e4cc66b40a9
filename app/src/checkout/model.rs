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
    /// The cart no longer holds what was priced (it changed, or was ordered meanwhile
    /// from another tab); nothing was charged.
    #[error(
        "your cart changed while the order was being placed (was it just ordered in another \
         tab?); nothing was charged: review your cart and try again"
    )]
    CartChanged,
    /// Another placement of the same cart (another tab) is being paid: nothing is charged
    /// again. Carries that order's number.
    #[error(
        "a payment for this cart is already in progress (order {0}); you will not be charged \
         twice: see the order, or try again in a moment"
    )]
    InProgress(String),
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
            CheckoutError::CartChanged => "cart_changed",
            CheckoutError::InProgress(_) => "payment_in_progress",
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
            "cart_changed" => CheckoutError::CartChanged,
            "payment_in_progress" => CheckoutError::InProgress(
                b.message
                    .split("(order ")
                    .nth(1)
                    .and_then(|rest| rest.split(')').next())
                    .unwrap_or_default()
                    .to_owned(),
            ),
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
            CheckoutError::EmptyCart
            | CheckoutError::Stock(_)
            | CheckoutError::CartChanged
            | CheckoutError::InProgress(_) => 409,
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

/// What the shopper has typed into the checkout form so far (never the card number),
/// kept between a plain form post and the page it comes back to.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Draft {
    pub email: String,
    pub full_name: String,
    pub line1: String,
    pub line2: String,
    pub city: String,
    pub region: String,
    pub postal_code: String,
    pub country: String,
    pub method: String,
    pub code: String,
    /// A saved address chosen instead of the fields.
    pub address_id: Option<i64>,
    /// The form's idempotency key when its order is still being paid (the provider did
    /// not answer): submitting again must carry on with that order, not start another.
    pub key: Option<String>,
}

impl Draft {
    /// The checkout form's fields as posted (a saved address by its id, if chosen).
    #[allow(clippy::too_many_arguments)]
    pub fn from_form(
        email: String,
        address_id: String,
        full_name: String,
        line1: String,
        line2: String,
        city: String,
        region: String,
        postal_code: String,
        country: String,
        method: String,
        code: String,
    ) -> Self {
        Draft {
            email,
            full_name,
            line1,
            line2,
            city,
            region,
            postal_code,
            country,
            method,
            code,
            address_id: address_id.trim().parse().ok(),
            key: None,
        }
    }

    pub fn with_key(self, key: &str) -> Self {
        Draft {
            key: Some(key.to_owned()),
            ..self
        }
    }
}

/// A line of the order summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SummaryLine {
    pub sku: String,
    pub title: String,
    pub quantity: i32,
    pub unit_minor: i64,
    pub line_minor: i64,
}

/// Everything the checkout page shows, priced on the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutView {
    pub lines: Vec<SummaryLine>,
    pub currency: String,
    pub methods: Vec<MethodOption>,
    pub method: String,
    pub totals: Totals,
    pub tax_name: String,
    pub discount_error: Option<String>,
    pub draft: Draft,
    pub saved: Vec<crate::account::addresses::Address>,
    pub signed_in: bool,
    pub idempotency_key: String,
}

/// Totals in minor units, computed on the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Totals {
    pub subtotal: i64,
    pub discount: i64,
    pub shipping: i64,
    pub tax: i64,
    pub total: i64,
}

/// A shipping method's rate in a region: a base per order plus an amount per started
/// kilogram, free from a subtotal (after discounts) if set. Amounts are minor units of
/// the order's currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShippingRate {
    pub region: String,
    #[serde(default = "standard_method")]
    pub method: String,
    #[serde(default = "standard_label")]
    pub label: String,
    pub base_minor: i64,
    #[serde(default)]
    pub per_kg_minor: i64,
    #[serde(default)]
    pub free_over_minor: Option<i64>,
}

fn standard_method() -> String {
    "standard".into()
}

fn standard_label() -> String {
    "Standard delivery".into()
}

impl ShippingRate {
    pub fn price(&self, goods: i64, weight_grams: i64) -> i64 {
        match self.free_over_minor {
            Some(free) if goods >= free => 0,
            _ => {
                let kilos = (weight_grams.max(0) + 999) / 1000;
                self.base_minor + self.per_kg_minor * kilos.max(1)
            }
        }
    }
}

/// A shipping method as the checkout offers it, priced for this cart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MethodOption {
    pub method: String,
    pub label: String,
    pub price_minor: i64,
}

/// How a discount code takes money off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::Type))]
#[cfg_attr(
    feature = "ssr",
    sqlx(type_name = "discount_kind", rename_all = "snake_case")
)]
#[serde(rename_all = "snake_case")]
pub enum DiscountKind {
    /// `amount` is basis points of the goods (1000 = 10%).
    Percentage,
    /// `amount` is minor units of the code's currency.
    Fixed,
}

/// A discount code's rules, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiscountRule {
    pub code: String,
    pub kind: DiscountKind,
    pub amount: i64,
    pub currency: Option<String>,
    pub min_subtotal_minor: i64,
    pub starts_at: Option<chrono::DateTime<chrono::Utc>>,
    pub ends_at: Option<chrono::DateTime<chrono::Utc>>,
    pub max_uses: Option<i32>,
    pub max_uses_per_customer: Option<i32>,
    pub uses: i32,
    pub active: bool,
}

/// A code as the shopper types it: trimmed, upper case.
pub fn normalize_code(code: &str) -> String {
    code.trim().to_uppercase()
}

impl DiscountRule {
    /// What the code takes off these goods now, or why it cannot be used.
    /// `customer_uses` is how often this customer has used it already.
    pub fn apply(
        &self,
        subtotal: i64,
        currency: &str,
        now: chrono::DateTime<chrono::Utc>,
        customer_uses: i64,
    ) -> Result<i64, String> {
        let code = &self.code;
        if !self.active {
            return Err(format!("the code {code} is not valid"));
        }
        if self.starts_at.is_some_and(|s| now < s) {
            return Err(format!("the code {code} is not valid yet"));
        }
        if self.ends_at.is_some_and(|e| now >= e) {
            return Err(format!("the code {code} has expired"));
        }
        if let Some(c) = &self.currency
            && c != currency
        {
            return Err(format!("the code {code} is for orders in {c}"));
        }
        if subtotal < self.min_subtotal_minor {
            return Err(format!(
                "the code {code} needs a minimum spend of {}",
                format_money(self.min_subtotal_minor, currency)
            ));
        }
        if self.max_uses.is_some_and(|m| self.uses >= m) {
            return Err(format!("the code {code} has been used up"));
        }
        if self
            .max_uses_per_customer
            .is_some_and(|m| customer_uses >= i64::from(m))
        {
            return Err(format!(
                "you have already used the code {code} as often as it allows"
            ));
        }
        let off = match self.kind {
            DiscountKind::Percentage => (subtotal * self.amount + 5_000) / 10_000,
            DiscountKind::Fixed => self.amount,
        };
        Ok(off.clamp(0, subtotal))
    }
}

/// An amount for people ("£12.50") from minor units and a currency code.
pub fn format_money(minor: i64, currency: &str) -> String {
    use crate::money::{Currency, Money};
    Money::from_minor(minor, Currency::parse(currency).unwrap_or(Currency::XXX)).to_string()
}

/// Tax in basis points, rounded half up.
pub fn tax(taxable: i64, rate_bp: i32) -> i64 {
    (taxable * i64::from(rate_bp) + 5_000) / 10_000
}

/// The order's totals: tax on the discounted goods and the shipping.
pub fn totals(subtotal: i64, discount: i64, shipping: i64, tax_bp: i32) -> Totals {
    let discount = discount.clamp(0, subtotal);
    let taxable = subtotal - discount + shipping;
    let tax = tax(taxable, tax_bp);
    Totals {
        subtotal,
        discount,
        shipping,
        tax,
        total: taxable + tax,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn rate() -> ShippingRate {
        ShippingRate {
            region: "EU".into(),
            method: "standard".into(),
            label: "Standard".into(),
            base_minor: 499,
            per_kg_minor: 100,
            free_over_minor: Some(10_000),
        }
    }

    #[test]
    fn shipping_is_by_started_kilogram_and_free_over_the_threshold() {
        assert_eq!(rate().price(2_500, 2_100), 799, "3 started kilograms");
        assert_eq!(rate().price(2_500, 0), 599, "at least one kilogram");
        assert_eq!(rate().price(10_000, 50_000), 0, "free over the threshold");
    }

    #[test]
    fn totals_add_up_in_minor_units() {
        let t = totals(2_500, 500, 799, 2_000);
        assert_eq!(
            t,
            Totals {
                subtotal: 2_500,
                discount: 500,
                shipping: 799,
                tax: 560,
                total: 3_359
            }
        );
        assert_eq!(totals(100, 500, 0, 0).total, 0, "never below zero");
        assert_eq!(tax(5, 1_000), 1, "0.5 rounds up");
        assert_eq!(tax(4, 1_000), 0);
    }

    fn rule() -> DiscountRule {
        DiscountRule {
            code: "SPRING10".into(),
            kind: DiscountKind::Percentage,
            amount: 1_000,
            currency: None,
            min_subtotal_minor: 2_000,
            starts_at: Some(Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap()),
            ends_at: Some(Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap()),
            max_uses: Some(100),
            max_uses_per_customer: Some(1),
            uses: 0,
            active: true,
        }
    }

    #[test]
    fn discounts_follow_their_rules() {
        let april = Utc.with_ymd_and_hms(2026, 4, 1, 0, 0, 0).unwrap();
        assert_eq!(rule().apply(2_505, "EUR", april, 0), Ok(251));
        let refuses = |r: DiscountRule, subtotal, currency, at, used, says: &str| {
            let e = r.apply(subtotal, currency, at, used).unwrap_err();
            assert!(e.contains(says), "{e}");
        };
        let feb = Utc.with_ymd_and_hms(2026, 2, 1, 0, 0, 0).unwrap();
        let june = Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap();
        refuses(rule(), 2_505, "EUR", feb, 0, "not valid yet");
        refuses(rule(), 2_505, "EUR", june, 0, "expired");
        refuses(rule(), 1_999, "EUR", april, 0, "minimum spend of €20.00");
        refuses(rule(), 2_505, "EUR", april, 1, "already used");
        refuses(
            DiscountRule {
                uses: 100,
                ..rule()
            },
            2_505,
            "EUR",
            april,
            0,
            "used up",
        );
        let fixed = DiscountRule {
            kind: DiscountKind::Fixed,
            amount: 5_000,
            currency: Some("USD".into()),
            ..rule()
        };
        assert_eq!(
            fixed.apply(3_000, "USD", april, 0),
            Ok(3_000),
            "never more than the goods"
        );
        refuses(fixed, 3_000, "EUR", april, 0, "for orders in USD");
        assert_eq!(normalize_code(" spring10 "), "SPRING10");
    }
}
