//! Checkout types shared with the browser.

use crate::account::addresses::{AddressForm, SavedAddress};
use crate::api_error::ErrorBody;
use crate::money::{Currency, Money};
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

/// The outcome of placing an order. On the wire it is
/// `{"number", "status", "total_minor", "currency"}` (the documented contract).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "PlacedWire", try_from = "PlacedWire")]
pub struct Placed {
    pub number: String,
    pub status: OrderStatus,
    pub total: Money,
}

#[derive(Serialize, Deserialize)]
struct PlacedWire {
    number: String,
    status: OrderStatus,
    total_minor: i64,
    currency: Currency,
}

impl From<Placed> for PlacedWire {
    fn from(p: Placed) -> Self {
        PlacedWire {
            number: p.number,
            status: p.status,
            total_minor: p.total.minor(),
            currency: p.total.currency(),
        }
    }
}

impl From<PlacedWire> for Placed {
    fn from(w: PlacedWire) -> Self {
        Placed {
            number: w.number,
            status: w.status,
            total: Money::from_minor(w.total_minor, w.currency),
        }
    }
}

/// The checkout form's fields as posted (both "Update totals" and "Place order"): text,
/// any of them missing. A saved address is chosen by `address_id`; otherwise the address
/// fields are the address.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct CheckoutForm {
    pub email: String,
    pub address_id: String,
    #[serde(flatten)]
    pub address: AddressForm,
    pub shipping_method: String,
    pub discount_code: String,
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

impl From<CheckoutForm> for Draft {
    fn from(f: CheckoutForm) -> Self {
        Draft {
            email: f.email,
            full_name: f.address.full_name,
            line1: f.address.line1,
            line2: f.address.line2,
            city: f.address.city,
            region: f.address.region,
            postal_code: f.address.postal_code,
            country: f.address.country,
            method: f.shipping_method,
            code: f.discount_code,
            address_id: f.address_id.trim().parse().ok(),
            key: None,
        }
    }
}

impl Draft {
    pub fn with_key(self, key: &str) -> Self {
        Draft {
            key: Some(key.to_owned()),
            ..self
        }
    }

    /// The typed address's fields as a form (to be checked into an address).
    pub fn address_form(&self) -> AddressForm {
        AddressForm {
            full_name: self.full_name.clone(),
            line1: self.line1.clone(),
            line2: self.line2.clone(),
            city: self.city.clone(),
            region: self.region.clone(),
            postal_code: self.postal_code.clone(),
            country: self.country.clone(),
            phone: String::new(),
        }
    }
}

/// A line of the order summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SummaryLine {
    pub sku: String,
    pub title: String,
    pub quantity: i32,
    pub unit: Money,
    pub line: Money,
}

/// Everything the checkout page shows, priced on the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutView {
    pub lines: Vec<SummaryLine>,
    pub methods: Vec<MethodOption>,
    pub method: String,
    pub totals: Totals,
    pub tax_name: String,
    pub discount_error: Option<String>,
    pub draft: Draft,
    pub saved: Vec<SavedAddress>,
    pub signed_in: bool,
    pub idempotency_key: String,
}

/// An order's totals, computed on the server, all in the order's currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    pub subtotal: Money,
    pub discount: Money,
    pub shipping: Money,
    pub tax: Money,
    pub total: Money,
}

/// A shipping method's rate in a region: a base per order plus an amount per started
/// kilogram, free from a subtotal (after discounts) if set. Amounts are minor units of
/// the order's currency (settings name no currency: the rates apply to every one).
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
    /// The price of delivering `weight_grams` of `goods` (after discounts), in their
    /// currency.
    pub fn price(&self, goods: Money, weight_grams: i64) -> Money {
        let minor = match self.free_over_minor {
            Some(free) if goods.minor() >= free => 0,
            _ => {
                let kilos = (weight_grams.max(0) + 999) / 1000;
                self.base_minor + self.per_kg_minor * kilos.max(1)
            }
        };
        Money::from_minor(minor, goods.currency())
    }
}

/// A shipping method as the checkout offers it, priced for this cart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MethodOption {
    pub method: String,
    pub label: String,
    pub price: Money,
}

/// Tax in basis points, rounded half up.
pub fn tax(taxable: Money, rate_bp: i32) -> Money {
    Money::from_minor(
        (taxable.minor() * i64::from(rate_bp) + 5_000) / 10_000,
        taxable.currency(),
    )
}

/// The order's totals: tax on the discounted goods and the shipping. All in the
/// subtotal's currency (the others are in it by construction).
pub fn totals(subtotal: Money, discount: Money, shipping: Money, tax_bp: i32) -> Totals {
    let currency = subtotal.currency();
    let discount = Money::from_minor(discount.minor().clamp(0, subtotal.minor()), currency);
    let taxable = Money::from_minor(
        subtotal.minor() - discount.minor() + shipping.minor(),
        currency,
    );
    let tax = tax(taxable, tax_bp);
    Totals {
        subtotal,
        discount,
        shipping,
        tax,
        total: Money::from_minor(taxable.minor() + tax.minor(), currency),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gbp(minor: i64) -> Money {
        Money::from_minor(minor, Currency::GBP)
    }

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
        assert_eq!(
            rate().price(gbp(2_500), 2_100),
            gbp(799),
            "3 started kilograms"
        );
        assert_eq!(
            rate().price(gbp(2_500), 0),
            gbp(599),
            "at least one kilogram"
        );
        assert_eq!(
            rate().price(gbp(10_000), 50_000),
            gbp(0),
            "free over the threshold"
        );
    }

    #[test]
    fn totals_add_up_in_minor_units() {
        let t = totals(gbp(2_500), gbp(500), gbp(799), 2_000);
        assert_eq!(
            t,
            Totals {
                subtotal: gbp(2_500),
                discount: gbp(500),
                shipping: gbp(799),
                tax: gbp(560),
                total: gbp(3_359)
            }
        );
        assert_eq!(
            totals(gbp(100), gbp(500), gbp(0), 0).total,
            gbp(0),
            "never below zero"
        );
        assert_eq!(tax(gbp(5), 1_000), gbp(1), "0.5 rounds up");
        assert_eq!(tax(gbp(4), 1_000), gbp(0));
    }

    #[test]
    fn placed_keeps_its_wire_form() {
        let placed = Placed {
            number: "M-ABC".into(),
            status: OrderStatus::Confirmed,
            total: Money::from_minor(311_760, Currency::USD),
        };
        let json = serde_json::to_value(&placed).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"number": "M-ABC", "status": "confirmed", "total_minor": 311760, "currency": "USD"})
        );
        assert_eq!(serde_json::from_value::<Placed>(json).unwrap(), placed);
        let bad = serde_json::json!({"number": "M", "status": "confirmed", "total_minor": 1, "currency": "??"});
        assert!(
            serde_json::from_value::<Placed>(bad).is_err(),
            "a bad currency fails"
        );
    }
}
