//! A cart priced for an address, a delivery method and a discount code: everything the
//! checkout page shows and the order stores, computed here and nowhere else.

use super::{CheckoutRules, unavailable};
use crate::checkout::model::{CheckoutError, MethodOption, Totals, totals};
use crate::discounts::model::normalize_code;
use crate::discounts::ssr::{self as discounts, Customer};
use crate::money::{Currency, Money};
use sqlx::PgConnection;

/// A line of the cart as checkout prices it.
pub struct CartLine {
    pub variant_id: i64,
    pub sku: String,
    pub title: String,
    pub quantity: i32,
    pub price: Money,
    pub weight_grams: i32,
    active: bool,
    /// Held by this flash sale entry, at the sale's price.
    pub flash_entry: Option<i64>,
    /// A flash line whose hold has ended (or no longer matches the line).
    flash_ended: bool,
}

impl CartLine {
    /// The line's goods: its price times its quantity.
    pub fn total(&self) -> Result<Money, CheckoutError> {
        self.price
            .checked_mul(i64::from(self.quantity))
            .map_err(unavailable)
    }
}

/// Where an address is, for tax and shipping.
struct Place {
    region: String,
    rate_bp: i32,
    tax_name: String,
}

/// The cart's lines, with the place `country` is in (one call: the place rides on every
/// line, and an empty cart needs none).
async fn cart_lines(
    conn: &mut PgConnection,
    cart: i64,
    country: &str,
) -> Result<(Vec<CartLine>, Option<Place>), sqlx::Error> {
    let rows = sqlx::query!(
        r#"WITH place AS (
               SELECT r.code, coalesce(t.rate_bp, 0) AS rate_bp, coalesce(t.name, 'Tax') AS tax_name
                 FROM regions r LEFT JOIN tax_rates t ON t.region = r.code
                WHERE r.code = coalesce((SELECT code FROM regions WHERE $2 = ANY (countries) LIMIT 1),
                                        'DEFAULT'))
           SELECT v.id AS variant_id, v.sku, p.title, l.quantity,
                  coalesce(fs.sale_price_minor, v.price_minor) AS "price_minor!",
                  v.currency AS "currency: Currency",
                  v.weight_grams, p.status::text = 'active' AS "active!",
                  l.flash_entry_id,
                  (l.flash_entry_id IS NOT NULL
                   AND (e.state IS DISTINCT FROM 'admitted' OR e.hold_expires_at <= now()
                        OR e.quantity <> l.quantity)) AS "flash_ended!",
                  place.code AS "region!", place.rate_bp AS "rate_bp!", place.tax_name AS "tax_name!"
             FROM cart_lines l
             JOIN variants v ON v.id = l.variant_id
             JOIN products p ON p.id = v.product_id
             LEFT JOIN flash_entries e ON e.id = l.flash_entry_id
             LEFT JOIN flash_sales fs ON fs.id = e.sale_id
             CROSS JOIN place
            WHERE l.cart_id = $1
            ORDER BY l.added_at, v.sku"#,
        cart,
        country
    )
    .fetch_all(conn)
    .await?;
    let place = rows.first().map(|r| Place {
        region: r.region.clone(),
        rate_bp: r.rate_bp,
        tax_name: r.tax_name.clone(),
    });
    let lines = rows
        .into_iter()
        .map(|r| CartLine {
            variant_id: r.variant_id,
            sku: r.sku,
            title: r.title,
            quantity: r.quantity,
            price: Money::from_minor(r.price_minor, r.currency),
            weight_grams: r.weight_grams,
            active: r.active,
            flash_entry: r.flash_entry_id,
            flash_ended: r.flash_ended,
        })
        .collect();
    Ok((lines, place))
}

/// A cart priced for an address, a delivery method and a discount code.
pub struct Priced {
    pub lines: Vec<CartLine>,
    pub currency: Currency,
    pub region: String,
    pub tax_name: String,
    pub weight_grams: i64,
    pub methods: Vec<MethodOption>,
    /// The method chosen (the first offered when the one asked for is not).
    pub method: MethodOption,
    /// The code and what it takes off, if one was given and it applies.
    pub discount: Option<(String, Money)>,
    /// Why the code given does not apply.
    pub discount_error: Option<String>,
    pub totals: Totals,
}

impl Priced {
    /// Each line's share of the discount, in line order: in proportion to the lines'
    /// goods, to the minor unit, adding up to the discount exactly (for refunds by line).
    pub fn discount_shares(&self) -> Result<Vec<Money>, CheckoutError> {
        let weights = self
            .lines
            .iter()
            .map(|l| l.total().map(|m| m.minor()))
            .collect::<Result<Vec<_>, _>>()?;
        self.totals.discount.allocate(&weights).map_err(unavailable)
    }
}

/// What pricing depends on besides the cart.
pub struct PriceFor<'a> {
    pub country: &'a str,
    pub method: &'a str,
    pub code: &'a str,
    /// Who is buying (for per-customer code limits), when known.
    pub customer: Option<&'a Customer>,
}

/// Prices the cart's available lines. Errors: an empty cart, mixed currencies.
#[tracing::instrument(skip_all, fields(cart.id = cart, checkout.region))]
pub async fn price(
    conn: &mut PgConnection,
    rules: &CheckoutRules,
    cart: i64,
    input: &PriceFor<'_>,
) -> Result<Priced, CheckoutError> {
    let country = input.country.trim().to_uppercase();
    let (lines, place) = cart_lines(conn, cart, &country)
        .await
        .map_err(unavailable)?;
    let lines: Vec<CartLine> = lines.into_iter().filter(|l| l.active).collect();
    let (Some(first), Some(place)) = (lines.first(), place) else {
        return Err(CheckoutError::EmptyCart);
    };
    tracing::Span::current().record("checkout.region", place.region.as_str());
    if let Some(ended) = lines.iter().find(|l| l.flash_ended) {
        return Err(CheckoutError::InvalidInput(format!(
            "the flash sale hold on {} has ended (or its quantity was changed); \
             remove it from your cart",
            ended.title
        )));
    }
    let currency = first.price.currency();
    if lines.iter().any(|l| l.price.currency() != currency) {
        return Err(CheckoutError::InvalidInput(
            "your cart mixes currencies; check out one currency at a time".into(),
        ));
    }
    let mut subtotal = Money::zero(currency);
    for l in &lines {
        subtotal = subtotal.checked_add(l.total()?).map_err(unavailable)?;
    }
    let weight_grams: i64 = lines
        .iter()
        .map(|l| i64::from(l.weight_grams) * i64::from(l.quantity))
        .sum();
    let code = normalize_code(input.code);
    let (discount, discount_error) = if code.is_empty() {
        (None, None)
    } else {
        match discounts::quote(conn, &code, subtotal, input.customer)
            .await
            .map_err(unavailable)?
        {
            Ok(off) => (Some((code, off)), None),
            Err(why) => (None, Some(why)),
        }
    };
    let off = discount
        .as_ref()
        .map_or(Money::zero(currency), |(_, off)| *off);
    let goods = subtotal.checked_sub(off).map_err(unavailable)?;
    let methods: Vec<MethodOption> = rules
        .methods_for(&place.region)
        .iter()
        .map(|r| MethodOption {
            method: r.method.clone(),
            label: r.label.clone(),
            price: r.price(goods, weight_grams),
        })
        .collect();
    let method = methods
        .iter()
        .find(|m| m.method == input.method)
        .or(methods.first())
        .cloned()
        .unwrap_or(MethodOption {
            method: "standard".into(),
            label: "Delivery".into(),
            price: Money::zero(currency),
        });
    let totals = totals(subtotal, off, method.price, place.rate_bp);
    Ok(Priced {
        lines,
        currency,
        region: place.region,
        tax_name: place.tax_name,
        weight_grams,
        methods,
        method,
        discount,
        discount_error,
        totals,
    })
}
