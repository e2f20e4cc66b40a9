//! Placing an order. The steps, each durable before the next:
//!
//! 1. Stock is held for every line (all or none), under a name of this request's own; a
//!    shortage ends here, with nothing created and nothing charged.
//! 2. The checkout form's idempotency key is claimed by inserting the order with its
//!    lines and totals, straight into payment_processing (its history records pending
//!    first), in one call of the database's `order_open`. A twin request (a double
//!    click, a retry, a second tab) that loses the key releases its own holds and
//!    carries on with the winner's order, which exists only once its stock is held.
//!
//!    When no other checkout is holding any of its SKUs right now, steps 1 and 2 are one
//!    transaction: `order_open` takes the holds itself (a twin then writes nothing at
//!    all). A SKU in demand goes through the reservation batches instead.
//! 3. The provider authorizes and captures in one call (automatic capture) with a key
//!    derived from the order number, so no retry, crash or replay can charge twice.
//! 4. In one transaction (one call of the database's `order_confirm`): the order is
//!    confirmed, the holds become a sale, the payment is recorded as captured, and the
//!    bought lines leave the cart (its outbox event feeds fulfilment and e-mail).
//!
//! A decline cancels the order and releases the stock. A provider that does not answer
//! leaves the order in payment_processing with its stock held: the shopper may retry,
//! and [`settle`] (a worker) finishes it by asking the provider what happened.

use super::model::{
    CheckoutError, CheckoutView, DiscountKind, DiscountRule, Draft, MethodOption, Placed,
    ShippingRate, SummaryLine, Totals, normalize_code, totals,
};
use crate::account::addresses::Address;
use crate::inventory::model::{InventoryError, WantedLine};
use crate::inventory::ssr as inventory;
use crate::orders::model::OrderStatus;
use crate::orders::ssr::{TransitionError, transition};
use crate::payments::ssr::PaymentError;
use crate::payments::wire::{AuthorizeRequest, Intent, IntentStatus};
use crate::state::AppState;
use sqlx::PgConnection;
use std::time::Duration;

fn unavailable(error: impl std::fmt::Display) -> CheckoutError {
    tracing::error!(%error, "checkout failed");
    CheckoutError::Unavailable
}

/// What the shopper submits.
#[derive(Debug, Clone)]
pub struct PlaceOrder {
    pub idempotency_key: String,
    pub email: String,
    pub address: Address,
    pub shipping_method: String,
    pub discount_code: String,
    pub card_number: String,
}

/// The settings checkout works by.
#[derive(Debug, Clone)]
pub struct CheckoutRules {
    pub reservation_ttl: Duration,
    /// One per region; `DEFAULT` covers the rest.
    pub shipping: Vec<ShippingRate>,
    /// Orders left in payment_processing this long are settled with the provider.
    pub settle_after: Duration,
}

impl CheckoutRules {
    pub fn standard() -> Self {
        CheckoutRules {
            reservation_ttl: Duration::from_secs(15 * 60),
            shipping: vec![
                ShippingRate {
                    region: "DEFAULT".into(),
                    method: "standard".into(),
                    label: "Standard delivery (3–5 working days)".into(),
                    base_minor: 499,
                    per_kg_minor: 100,
                    free_over_minor: Some(10_000),
                },
                ShippingRate {
                    region: "DEFAULT".into(),
                    method: "express".into(),
                    label: "Express delivery (next working day)".into(),
                    base_minor: 1_499,
                    per_kg_minor: 200,
                    free_over_minor: None,
                },
            ],
            settle_after: Duration::from_secs(30),
        }
    }

    /// The region's methods, or `DEFAULT`'s when it has none of its own.
    fn methods_for(&self, region: &str) -> Vec<&ShippingRate> {
        let own: Vec<&ShippingRate> = self
            .shipping
            .iter()
            .filter(|r| r.region == region)
            .collect();
        if !own.is_empty() {
            return own;
        }
        self.shipping
            .iter()
            .filter(|r| r.region == "DEFAULT")
            .collect()
    }
}

pub(crate) struct CartLine {
    pub variant_id: i64,
    pub sku: String,
    pub title: String,
    pub quantity: i32,
    pub price_minor: i64,
    pub currency: String,
    pub weight_grams: i32,
    active: bool,
}

/// An order's essentials, as stored.
#[derive(Debug, Clone)]
struct OrderRow {
    id: i64,
    number: String,
    status: OrderStatus,
    total_minor: i64,
    currency: String,
    holder: String,
    /// Units across its lines (what its holds must add up to when sold).
    units: i64,
}

impl OrderRow {
    fn placed(&self) -> Placed {
        Placed {
            number: self.number.clone(),
            status: self.status,
            total_minor: self.total_minor,
            currency: self.currency.clone(),
        }
    }
}

/// A short order number nobody can guess: `M-` and 10 characters without look-alikes.
fn order_number() -> String {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    let bytes: [u8; 10] = rand::random();
    let code: String = bytes
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect();
    format!("M-{code}")
}

fn validate(input: &PlaceOrder) -> Result<String, CheckoutError> {
    let key = input.idempotency_key.trim();
    if !(16..=128).contains(&key.len())
        || !key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(CheckoutError::InvalidInput(
            "this checkout form has expired; please reload the page".into(),
        ));
    }
    let email = crate::account::model::normalize_email(&input.email)
        .map_err(CheckoutError::InvalidInput)?;
    let card: String = input
        .card_number
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    if !(12..=19).contains(&card.len()) || !card.bytes().all(|b| b.is_ascii_digit()) {
        return Err(CheckoutError::InvalidInput(
            "enter the card number: 12 to 19 digits".into(),
        ));
    }
    Ok(email)
}

async fn find_order(conn: &mut PgConnection, key: &str) -> Result<Option<OrderRow>, sqlx::Error> {
    sqlx::query_as!(
        OrderRow,
        r#"SELECT id, number, status AS "status: OrderStatus", total_minor, currency, holder,
                  (SELECT coalesce(sum(quantity), 0) FROM order_lines WHERE order_id = orders.id)::bigint AS "units!"
             FROM orders WHERE idempotency_key = $1"#,
        key
    )
    .fetch_optional(conn)
    .await
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
           SELECT v.id AS variant_id, v.sku, p.title, l.quantity, v.price_minor, v.currency,
                  v.weight_grams, p.status::text = 'active' AS "active!",
                  place.code AS "region!", place.rate_bp AS "rate_bp!", place.tax_name AS "tax_name!"
             FROM cart_lines l
             JOIN variants v ON v.id = l.variant_id
             JOIN products p ON p.id = v.product_id
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
            price_minor: r.price_minor,
            currency: r.currency,
            weight_grams: r.weight_grams,
            active: r.active,
        })
        .collect();
    Ok((lines, place))
}

/// A cart priced for an address, a shipping method and a discount code: everything the
/// checkout page shows and the order stores, computed here and nowhere else.
pub(crate) struct Priced {
    pub lines: Vec<CartLine>,
    pub currency: String,
    pub region: String,
    pub tax_name: String,
    pub weight_grams: i64,
    pub methods: Vec<MethodOption>,
    /// The method chosen (the first offered when the one asked for is not).
    pub method: MethodOption,
    /// The code and what it takes off, if one was given and it applies.
    pub discount: Option<(String, i64)>,
    /// Why the code given does not apply.
    pub discount_error: Option<String>,
    pub totals: Totals,
}

/// What pricing depends on besides the cart.
pub(crate) struct PriceFor<'a> {
    pub country: &'a str,
    pub method: &'a str,
    pub code: &'a str,
    /// Who is buying (for per-customer code limits), when known.
    pub customer: Option<&'a Customer>,
}

/// Who is buying, as a discount code's per-customer limit counts them: by account when
/// signed in, and by the person behind each address involved (the order's, and the
/// account's own), so neither a new address nor a `+tag` makes a new customer.
#[derive(Debug, Clone)]
pub(crate) struct Customer {
    user_id: Option<i64>,
    /// The identity of the order's address (`email_identity`), recorded with a use.
    order_key: String,
    /// Every identity whose uses count.
    keys: Vec<String>,
}

impl Customer {
    /// `order_email` and `account_email` are normalised addresses.
    pub(crate) fn new(
        user_id: Option<i64>,
        order_email: &str,
        account_email: Option<&str>,
    ) -> Self {
        use crate::account::model::email_identity;
        let order_key = email_identity(order_email);
        let mut keys = vec![order_key.clone()];
        if let Some(own) = account_email.map(email_identity)
            && own != order_key
        {
            keys.push(own);
        }
        Customer {
            user_id,
            order_key,
            keys,
        }
    }
}

async fn discount_rule(
    conn: &mut PgConnection,
    code: &str,
) -> Result<Option<DiscountRule>, sqlx::Error> {
    sqlx::query_as!(
        DiscountRule,
        r#"SELECT code, kind AS "kind: DiscountKind", amount, currency::text AS currency,
                  min_subtotal_minor, starts_at, ends_at, max_uses, max_uses_per_customer, uses, active
             FROM discount_codes WHERE code = $1"#,
        code
    )
    .fetch_optional(conn)
    .await
}

/// What `code` takes off `subtotal` for `customer` now. Read in the statements' own
/// snapshots: under the code's row lock they include every committed redemption.
async fn discount_for(
    conn: &mut PgConnection,
    code: &str,
    subtotal: i64,
    currency: &str,
    customer: Option<&Customer>,
) -> Result<Result<i64, String>, sqlx::Error> {
    let Some(rule) = discount_rule(conn, code).await? else {
        return Ok(Err(format!("the code {code} is not valid")));
    };
    let used = match customer {
        Some(c) => {
            sqlx::query_scalar!(
                r#"SELECT count(*) AS "n!" FROM discount_redemptions
                    WHERE code = $1 AND (email_key = ANY($2) OR user_id = $3)"#,
                code,
                &c.keys,
                c.user_id
            )
            .fetch_one(&mut *conn)
            .await?
        }
        None => 0,
    };
    Ok(rule.apply(subtotal, currency, chrono::Utc::now(), used))
}

/// Prices the cart's available lines. Errors: an empty cart, mixed currencies.
pub(crate) async fn price(
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
    let currency = first.currency.clone();
    if lines.iter().any(|l| l.currency != currency) {
        return Err(CheckoutError::InvalidInput(
            "your cart mixes currencies; check out one currency at a time".into(),
        ));
    }
    let subtotal: i64 = lines
        .iter()
        .map(|l| l.price_minor * i64::from(l.quantity))
        .sum();
    let weight_grams: i64 = lines
        .iter()
        .map(|l| i64::from(l.weight_grams) * i64::from(l.quantity))
        .sum();
    let code = normalize_code(input.code);
    let (discount, discount_error) = if code.is_empty() {
        (None, None)
    } else {
        match discount_for(conn, &code, subtotal, &currency, input.customer)
            .await
            .map_err(unavailable)?
        {
            Ok(off) => (Some((code, off)), None),
            Err(why) => (None, Some(why)),
        }
    };
    let off = discount.as_ref().map_or(0, |(_, off)| *off);
    let rates = rules.methods_for(&place.region);
    let methods: Vec<MethodOption> = rates
        .iter()
        .map(|r| MethodOption {
            method: r.method.clone(),
            label: r.label.clone(),
            price_minor: r.price(subtotal - off, weight_grams),
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
            price_minor: 0,
        });
    let totals = totals(subtotal, off, method.price_minor, place.rate_bp);
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

/// Places the request's cart as an order, or carries on with the order this form's key
/// already made.
pub async fn place(state: &AppState, input: PlaceOrder) -> Result<Placed, CheckoutError> {
    let email = validate(&input)?;
    let key = input.idempotency_key.trim().to_owned();
    // Never hold one connection while waiting for another (the visitor lookup takes its
    // own): under load every connection would be held by a request waiting for a second.
    let visitor = crate::account::ssr::session::visitor(state)
        .await
        .map_err(unavailable)?;
    let user_id = visitor.as_ref().and_then(|v| v.session.user_id);
    let Some(cart) = visitor.as_ref().and_then(|v| v.cart_id) else {
        return retry_or(state, &key, &input.card_number, CheckoutError::EmptyCart).await;
    };
    let customer = Customer::new(
        user_id,
        &email,
        visitor.as_ref().and_then(|v| v.email.as_deref()),
    );
    let priced = match checked_price(state, cart, &input, &customer).await {
        Ok(priced) => priced,
        Err(e) => return retry_or(state, &key, &input.card_number, e).await,
    };

    // 1 and 2. Hold the stock and claim the key with the order.
    let wanted: Vec<WantedLine> = priced
        .lines
        .iter()
        .map(|l| WantedLine {
            variant_id: l.variant_id,
            quantity: l.quantity,
        })
        .collect();
    for _ in 0..OPEN_ATTEMPTS {
        let number = order_number();
        let holder = format!("order:{number}");
        let new = NewOrder {
            key: &key,
            number: &number,
            holder: &holder,
            user_id,
            email: &email,
            customer: &customer,
            address: &input.address,
            cart,
            priced: &priced,
            hold: None,
        };
        let order_id = match open(state, new, &wanted).await {
            Ok(Opened::Order(id)) => id,
            // A twin claimed the key first: carry on with its order.
            Ok(Opened::Twin) => {
                return retry_or(state, &key, &input.card_number, CheckoutError::Unavailable).await;
            }
            // This cart is being paid for already (another tab, a script): nothing is
            // charged again, and the answer names that order.
            Ok(Opened::CartOpen(number)) => {
                tracing::info!(order.number = %number, "a second placement of a cart refused");
                return Err(CheckoutError::InProgress(number));
            }
            Ok(Opened::Retry | Opened::NotHeld) => continue,
            // Sold out, unless that is this form's own order holding the last units.
            Err(e @ CheckoutError::Stock(_)) => {
                return retry_or(state, &key, &input.card_number, e).await;
            }
            // The cart changed under this placement (was it just ordered from another
            // tab?), unless this form's own order is what changed it.
            Err(e @ CheckoutError::CartChanged) => {
                return retry_or(state, &key, &input.card_number, e).await;
            }
            Err(e) => return Err(e),
        };
        let order = OrderRow {
            id: order_id,
            number,
            status: OrderStatus::PaymentProcessing,
            total_minor: priced.totals.total,
            currency: priced.currency,
            holder,
            units: wanted.iter().map(|l| i64::from(l.quantity)).sum(),
        };
        return pay(state, order, &input.card_number).await;
    }
    Err(unavailable(format!(
        "no order opened for cart {cart} after {OPEN_ATTEMPTS} attempts"
    )))
}

/// The cart priced for the form, refused if its code or shipping method does not apply.
async fn checked_price(
    state: &AppState,
    cart: i64,
    input: &PlaceOrder,
    customer: &Customer,
) -> Result<Priced, CheckoutError> {
    let mut conn = state.db.primary.acquire().await.map_err(unavailable)?;
    let priced = price(
        &mut conn,
        &state.checkout,
        cart,
        &PriceFor {
            country: &input.address.country,
            method: &input.shipping_method,
            code: &input.discount_code,
            customer: Some(customer),
        },
    )
    .await?;
    drop(conn);
    if let Some(why) = &priced.discount_error {
        return Err(CheckoutError::InvalidInput(format!(
            "{why}; remove it or try another"
        )));
    }
    let wanted_method = input.shipping_method.trim();
    if !wanted_method.is_empty() && priced.method.method != wanted_method {
        return Err(CheckoutError::InvalidInput(format!(
            "that shipping method does not deliver to {}; choose another",
            input.address.country
        )));
    }
    Ok(priced)
}

/// A form whose key made an order already (a retry, a double click, a second tab)
/// carries on with that order, whatever its cart holds by now; otherwise `error`. The
/// key is looked up only when this request could not place an order of its own, so
/// a first submission (nearly all of them) pays for no lookup.
async fn retry_or(
    state: &AppState,
    key: &str,
    card: &str,
    error: CheckoutError,
) -> Result<Placed, CheckoutError> {
    let mut conn = state.db.primary.acquire().await.map_err(unavailable)?;
    let order = find_order(&mut conn, key).await.map_err(unavailable)?;
    drop(conn);
    match order {
        Some(order) => resume(state, order, card).await,
        None => Err(error),
    }
}

struct NewOrder<'a> {
    key: &'a str,
    number: &'a str,
    holder: &'a str,
    user_id: Option<i64>,
    email: &'a str,
    /// Who is buying, for a discount code's per-customer limit.
    customer: &'a Customer,
    address: &'a Address,
    cart: i64,
    priced: &'a Priced,
    /// Hold the order's units in the same transaction, for this long.
    hold: Option<Duration>,
}

/// What opening an order came to.
enum Opened {
    Order(i64),
    /// A twin has the key: nothing was written.
    Twin,
    /// Another placement of the same cart is being paid: its order number (nothing was
    /// written).
    CartOpen(String),
    /// Some SKU could not be held from one warehouse in the order's own transaction:
    /// nothing was written.
    NotHeld,
    /// The order that stood in the way finished meanwhile: nothing was written; try again.
    Retry,
}

/// How many times an order is tried again when the one in its way finishes meanwhile.
const OPEN_ATTEMPTS: usize = 3;

/// Holds the stock, under the order's own holder name, and opens the order. SKUs no
/// other checkout is holding right now are held in the order's own transaction (one
/// commit); otherwise, or when that finds no single warehouse for a SKU, the reservation
/// service holds them first (batched for a SKU in demand, split across warehouses when
/// need be), and they are released again if the order is not opened.
async fn open(
    state: &AppState,
    mut o: NewOrder<'_>,
    wanted: &[WantedLine],
) -> Result<Opened, CheckoutError> {
    let variants: Vec<i64> = wanted.iter().map(|l| l.variant_id).collect();
    if let Some(_claim) = state.reservations.claim_own(&variants) {
        o.hold = Some(state.checkout.reservation_ttl);
        match insert_order(state, &o).await? {
            Opened::NotHeld => o.hold = None,
            other => return Ok(other),
        }
    }
    if let Err(e) = state
        .reservations
        .reserve(
            o.holder,
            wanted,
            Some(&o.priced.region),
            state.checkout.reservation_ttl,
        )
        .await
    {
        return Err(match e {
            InventoryError::Short { .. } => {
                CheckoutError::Stock(format!("{e}; nothing was charged"))
            }
            other => unavailable(other),
        });
    }
    let opened = insert_order(state, &o).await;
    if let Ok(Opened::Order(id)) = opened {
        return Ok(Opened::Order(id));
    }
    // A twin claimed the key, the cart is being placed already, or the insert failed:
    // these holds are not needed.
    let mut conn = state.db.primary.acquire().await.map_err(unavailable)?;
    inventory::release(&mut conn, o.holder, "checkout")
        .await
        .map_err(unavailable)?;
    opened
}

/// Inserts the order with its lines straight into payment_processing (its pending step
/// recorded too), with its use of a discount code and, when `o.hold` says so, its holds.
/// Without a code this is one call (the database's `order_open`, its own transaction).
async fn insert_order(state: &AppState, o: &NewOrder<'_>) -> Result<Opened, CheckoutError> {
    let p = o.priced;
    let mut conn = state.db.primary.acquire().await.map_err(unavailable)?;
    let Some((code, quoted)) = &p.discount else {
        return opened(open_order(&mut conn, o).await);
    };
    let mut tx = sqlx::Connection::begin(&mut *conn)
        .await
        .map_err(unavailable)?;
    // The code's row first: uses are counted under its lock, and taking it before the
    // order's foreign key does (a share lock) keeps two checkouts from deadlocking.
    sqlx::query!(
        "SELECT 1 AS one FROM discount_codes WHERE code = $1 FOR UPDATE",
        code
    )
    .fetch_optional(&mut *tx)
    .await
    .map_err(unavailable)?;
    // Then the key: a twin waits here for this transaction and then finds the order.
    let order_id = match opened(open_order(&mut tx, o).await)? {
        Opened::Order(id) => id,
        other => return Ok(other),
    };
    let now = discount_for(
        &mut tx,
        code,
        p.totals.subtotal,
        &p.currency,
        Some(o.customer),
    )
    .await
    .map_err(unavailable)?;
    match now {
        Ok(off) if off == *quoted => {}
        Ok(_) => {
            return Err(CheckoutError::InvalidInput(format!(
                "the code {code} has changed since you saw your totals; review them and place the order again"
            )));
        }
        Err(why) => return Err(CheckoutError::InvalidInput(why)),
    }
    // The use is counted and recorded (a cancellation gives it back, by trigger).
    sqlx::query!(
        "WITH counted AS (UPDATE discount_codes SET uses = uses + 1 WHERE code = $2)
         INSERT INTO discount_redemptions (order_id, code, customer, user_id, email_key)
         VALUES ($1, $2, $3, $4, $5)",
        order_id,
        code,
        o.email,
        o.customer.user_id,
        o.customer.order_key
    )
    .execute(&mut *tx)
    .await
    .map_err(unavailable)?;
    tx.commit().await.map_err(unavailable)?;
    Ok(Opened::Order(order_id))
}

fn opened(result: Result<OpenRow, sqlx::Error>) -> Result<Opened, CheckoutError> {
    match result {
        Ok(row) => match (row.outcome.as_str(), row.order_id, row.order_number) {
            ("opened", Some(id), _) => Ok(Opened::Order(id)),
            ("twin", _, _) => Ok(Opened::Twin),
            ("cart_open", _, Some(number)) => Ok(Opened::CartOpen(number)),
            ("retry", _, _) => Ok(Opened::Retry),
            (other, _, _) => Err(unavailable(format!("order_open answered {other}"))),
        },
        Err(e) if not_held_own(&e) => Ok(Opened::NotHeld),
        Err(e) if db_code(&e).as_deref() == Some(CART_CHANGED) => Err(CheckoutError::CartChanged),
        Err(e) => Err(unavailable(e)),
    }
}

/// `order_open` could not hold a SKU from one warehouse (MR002), or a racing batch took
/// the units between its pick and its update (the never-oversold check).
fn not_held_own(e: &sqlx::Error) -> bool {
    let Some(d) = e.as_database_error() else {
        return false;
    };
    d.code().as_deref() == Some(NOT_HELD_OWN) || d.constraint() == Some("stock_never_oversold")
}

/// What `order_open` answers.
struct OpenRow {
    outcome: String,
    order_id: Option<i64>,
    order_number: Option<String>,
}

/// An order as `order_open` takes it: one JSON document whose field names are the
/// columns it fills (migrations/20261202000001_security.sql).
#[derive(serde::Serialize)]
struct OrderDraft<'a> {
    number: &'a str,
    idempotency_key: &'a str,
    user_id: Option<i64>,
    email: &'a str,
    currency: &'a str,
    subtotal_minor: i64,
    discount_minor: i64,
    shipping_minor: i64,
    tax_minor: i64,
    total_minor: i64,
    shipping_address: &'a Address,
    region: &'a str,
    holder: &'a str,
    cart_id: i64,
    shipping_method: &'a str,
    weight_grams: i64,
    discount_code: Option<&'a str>,
    actor: String,
    lines: Vec<DraftLine<'a>>,
    /// Hold the order's units in the same transaction, for this many seconds.
    hold_secs: Option<f64>,
}

#[derive(serde::Serialize)]
struct DraftLine<'a> {
    position: i32,
    variant_id: i64,
    sku: &'a str,
    title: &'a str,
    quantity: i32,
    unit_price_minor: i64,
}

/// The order and its lines, pending then payment_processing (both transitions recorded
/// by the database), in one call.
async fn open_order(conn: &mut PgConnection, o: &NewOrder<'_>) -> Result<OpenRow, sqlx::Error> {
    let p = o.priced;
    let t = &p.totals;
    let draft = OrderDraft {
        number: o.number,
        idempotency_key: o.key,
        user_id: o.user_id,
        email: o.email,
        currency: &p.currency,
        subtotal_minor: t.subtotal,
        discount_minor: t.discount,
        shipping_minor: t.shipping,
        tax_minor: t.tax,
        total_minor: t.total,
        shipping_address: o.address,
        region: &p.region,
        holder: o.holder,
        cart_id: o.cart,
        shipping_method: &p.method.method,
        weight_grams: p.weight_grams,
        discount_code: p.discount.as_ref().map(|(code, _)| code.as_str()),
        actor: actor(o.user_id),
        lines: p
            .lines
            .iter()
            .enumerate()
            .map(|(i, l)| DraftLine {
                position: i as i32,
                variant_id: l.variant_id,
                sku: &l.sku,
                title: &l.title,
                quantity: l.quantity,
                unit_price_minor: l.price_minor,
            })
            .collect(),
        hold_secs: o.hold.map(|d| d.as_secs_f64()),
    };
    let draft = serde_json::to_value(&draft).map_err(|e| sqlx::Error::Encode(e.into()))?;
    sqlx::query_as!(
        OpenRow,
        r#"SELECT outcome AS "outcome!", order_id, order_number FROM order_open($1)"#,
        draft
    )
    .fetch_one(conn)
    .await
}

fn payment_unavailable(number: &str) -> CheckoutError {
    CheckoutError::PaymentUnavailable(format!(
        "we could not reach the payment provider for order {number}; submit again in a moment \
         (you will not be charged twice), or we will finish or cancel it shortly"
    ))
}

fn actor(user_id: Option<i64>) -> String {
    user_id.map_or_else(|| "guest".to_owned(), |id| format!("user:{id}"))
}

/// Carries on with an order a previous request made with the same key.
async fn resume(state: &AppState, order: OrderRow, card: &str) -> Result<Placed, CheckoutError> {
    match order.status {
        OrderStatus::Pending | OrderStatus::PaymentProcessing => {
            // Its stock is still held unless it expired; payment picks up where it was.
            pay(state, order, card).await
        }
        OrderStatus::Cancelled => {
            // A declined card (or a payment that never started): this form is spent, and
            // the page offers a new one.
            let reason = sqlx::query_scalar!(
                "SELECT reason FROM order_transitions
                  WHERE order_id = $1 AND to_status = 'cancelled' ORDER BY id DESC LIMIT 1",
                order.id
            )
            .fetch_optional(&state.db.primary)
            .await
            .map_err(unavailable)?
            .flatten()
            .unwrap_or_else(|| "it was cancelled".into());
            Err(CheckoutError::Declined(format!(
                "order {} was not placed ({reason}); you have not been charged",
                order.number
            )))
        }
        _ => Ok(order.placed()),
    }
}

/// Cancels an order from `from` and releases its stock.
async fn cancel(
    state: &AppState,
    order: &OrderRow,
    from: OrderStatus,
    reason: &str,
) -> Result<(), CheckoutError> {
    let mut conn = state.db.primary.acquire().await.map_err(unavailable)?;
    let mut tx = sqlx::Connection::begin(&mut *conn)
        .await
        .map_err(unavailable)?;
    match transition(
        &mut tx,
        order.id,
        from,
        OrderStatus::Cancelled,
        "checkout",
        Some(reason),
    )
    .await
    {
        Ok(()) | Err(TransitionError::Moved(_)) => {}
        Err(e) => return Err(unavailable(e)),
    }
    tx.commit().await.map_err(unavailable)?;
    inventory::release(&mut conn, &order.holder, "checkout")
        .await
        .map_err(unavailable)?;
    Ok(())
}

/// Steps 3 and 4: authorize, capture, and confirm.
async fn pay(state: &AppState, order: OrderRow, card: &str) -> Result<Placed, CheckoutError> {
    let provider = &state.payments.provider;
    let pool = &state.db.primary;
    if order.status == OrderStatus::Pending {
        // The shopper is here: keep the stock for the payment's duration.
        inventory::extend(pool, &order.holder, state.checkout.reservation_ttl)
            .await
            .map_err(unavailable)?;
        let mut conn = pool.acquire().await.map_err(unavailable)?;
        let mut tx = sqlx::Connection::begin(&mut *conn)
            .await
            .map_err(unavailable)?;
        match transition(
            &mut tx,
            order.id,
            OrderStatus::Pending,
            OrderStatus::PaymentProcessing,
            "checkout",
            None,
        )
        .await
        {
            Ok(()) => tx.commit().await.map_err(unavailable)?,
            Err(TransitionError::Moved(_)) => {
                // Another request moved it on: report where it is.
                drop(tx);
                drop(conn);
                return current(state, &order).await;
            }
            Err(e) => return Err(unavailable(e)),
        }
    }
    let request = AuthorizeRequest {
        amount: order.total_minor,
        currency: order.currency.clone(),
        card_number: card.to_owned(),
        reference: order.number.clone(),
        // The stock is held already: take the money in the same call. Should the order
        // not be confirmable after all, it is refunded (see `complete`).
        capture: true,
    };
    let intent = match provider
        .authorize(&request, &format!("authorize:{}", order.number))
        .await
    {
        Ok(intent) => intent,
        Err(PaymentError::Declined { code, intent }) => {
            record_payment(state, order.id, &intent).await?;
            cancel(
                state,
                &order,
                OrderStatus::PaymentProcessing,
                &format!("card declined: {code}"),
            )
            .await?;
            return Err(CheckoutError::Declined(format!(
                "your card was declined ({}); you have not been charged",
                code.replace('_', " ")
            )));
        }
        Err(PaymentError::Rejected { message, .. }) => {
            // The provider refused the request itself (e.g. a card number it cannot
            // read): nothing was charged; the shopper may correct it with a new form.
            cancel(state, &order, OrderStatus::PaymentProcessing, &message).await?;
            return Err(CheckoutError::InvalidInput(message));
        }
        Err(PaymentError::Timeout | PaymentError::Unavailable) => {
            return Err(payment_unavailable(&order.number));
        }
    };
    // The payment row is written with the confirmation (a crash before it is settled
    // from the provider's records, which the order number finds).
    complete(state, &order, intent).await
}

/// Captures an authorized intent if needed, then sells the stock and confirms the order
/// in one transaction. If the stock is no longer held (it expired during a very long
/// payment), the money goes back and the order is cancelled.
async fn complete(
    state: &AppState,
    order: &OrderRow,
    intent: Intent,
) -> Result<Placed, CheckoutError> {
    let provider = &state.payments.provider;
    let intent = if intent.status == IntentStatus::Authorized {
        match provider
            .capture(&intent.id, None, &format!("capture:{}", order.number))
            .await
        {
            Ok(captured) => captured,
            Err(PaymentError::Timeout | PaymentError::Unavailable) => {
                return Err(payment_unavailable(&order.number));
            }
            Err(e) => return Err(unavailable(e)),
        }
    } else {
        intent
    };
    if intent.status != IntentStatus::Captured {
        return Err(unavailable(format!(
            "intent {} is {:?}",
            intent.id, intent.status
        )));
    }
    match confirm(state, order, &intent).await? {
        Confirmed::Now => Ok(Placed {
            status: OrderStatus::Confirmed,
            ..order.placed()
        }),
        Confirmed::Already(status) => Ok(Placed {
            status,
            ..order.placed()
        }),
        Confirmed::NotHeld => {
            let refunded = provider
                .refund(&intent.id, None, &format!("refund:{}", order.number))
                .await;
            if let Ok(i) = &refunded {
                record_payment(state, order.id, i).await?;
            }
            cancel(
                state,
                order,
                OrderStatus::PaymentProcessing,
                "the stock held for it expired",
            )
            .await?;
            Err(CheckoutError::Stock(
                "the items were released before the payment finished; your payment has been refunded".into(),
            ))
        }
    }
}

enum Confirmed {
    Now,
    /// A twin (a double click, the settling worker) moved it on first: where it is now.
    Already(OrderStatus),
    /// The stock is no longer held: the money must go back.
    NotHeld,
}

/// One transaction (one call of the database's `order_confirm`): the order is
/// confirmed, its holds become a sale, the payment is recorded as captured, and what was
/// bought leaves the cart (lines added since stay).
async fn confirm(
    state: &AppState,
    order: &OrderRow,
    intent: &Intent,
) -> Result<Confirmed, CheckoutError> {
    let confirmed = sqlx::query_scalar!(
        r#"SELECT order_confirm($1, $2, 'checkout', $3, $4, $5, $6, $7, $8, $9) AS "status: OrderStatus""#,
        order.id,
        order.units,
        intent.id,
        intent.status.as_str(),
        intent.amount,
        intent.captured,
        intent.refunded,
        intent.last4,
        intent.card_token,
    )
    .fetch_one(&state.db.primary)
    .await;
    match confirmed {
        Ok(Some(OrderStatus::Confirmed)) => Ok(Confirmed::Now),
        // A twin (a double click, the settling worker) moved it first.
        Ok(Some(status)) => Ok(Confirmed::Already(status)),
        Ok(None) => Err(unavailable(format!("order {} is gone", order.id))),
        Err(e) if db_code(&e).as_deref() == Some(NOT_HELD) => Ok(Confirmed::NotHeld),
        Err(e) => Err(unavailable(e)),
    }
}

/// `order_confirm`'s error when the order's stock is no longer all held.
const NOT_HELD: &str = "MR001";
/// `order_open`'s error when it could not hold a SKU from one warehouse.
const NOT_HELD_OWN: &str = "MR002";
/// `order_open`'s error when the cart no longer holds what was priced.
const CART_CHANGED: &str = "MR003";

fn db_code(e: &sqlx::Error) -> Option<String> {
    e.as_database_error()
        .and_then(|d| d.code())
        .map(|c| c.into_owned())
}

async fn current(state: &AppState, order: &OrderRow) -> Result<Placed, CheckoutError> {
    let status = sqlx::query_scalar!(
        r#"SELECT status AS "status: OrderStatus" FROM orders WHERE id = $1"#,
        order.id
    )
    .fetch_one(&state.db.primary)
    .await
    .map_err(unavailable)?;
    Ok(Placed {
        status,
        ..order.placed()
    })
}

/// Keeps the provider's view of a payment: the intent id, token and last four digits.
async fn record_payment(
    state: &AppState,
    order_id: i64,
    intent: &Intent,
) -> Result<(), CheckoutError> {
    let mut conn = state.db.primary.acquire().await.map_err(unavailable)?;
    upsert_payment(&mut conn, order_id, intent)
        .await
        .map_err(unavailable)
}

async fn upsert_payment(
    conn: &mut PgConnection,
    order_id: i64,
    intent: &Intent,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "SELECT payment_record($1, $2, $3, $4, $5, $6, $7, $8) AS recorded",
        order_id,
        intent.id,
        intent.status.as_str(),
        intent.amount,
        intent.captured,
        intent.refunded,
        intent.last4,
        intent.card_token,
    )
    .fetch_one(conn)
    .await?;
    Ok(())
}

/// The settling worker: orders left in payment_processing (the provider was down, or
/// the server stopped mid-payment) are finished from what the provider knows, and
/// pending orders whose stock hold expired are cancelled. Returns how many it settled.
pub async fn settle(state: &AppState) -> Result<usize, CheckoutError> {
    let stuck = sqlx::query_as!(
        OrderRow,
        r#"SELECT id, number, status AS "status: OrderStatus", total_minor, currency, holder,
                  (SELECT coalesce(sum(quantity), 0) FROM order_lines WHERE order_id = orders.id)::bigint AS "units!"
             FROM orders
            WHERE status IN ('pending', 'payment_processing')
              AND updated_at < now() - make_interval(secs => $1)
            ORDER BY updated_at LIMIT 100"#,
        state.checkout.settle_after.as_secs_f64(),
    )
    .fetch_all(&state.db.primary)
    .await
    .map_err(unavailable)?;
    let mut settled = 0;
    for order in stuck {
        let intents = match state.payments.provider.find(&order.number).await {
            Ok(intents) => intents,
            // The provider is still away: try again on the next round.
            Err(_) => continue,
        };
        let paid = intents
            .into_iter()
            .find(|i| matches!(i.status, IntentStatus::Authorized | IntentStatus::Captured));
        let outcome = match (order.status, paid) {
            (OrderStatus::PaymentProcessing, Some(intent)) => {
                record_payment(state, order.id, &intent).await?;
                complete(state, &order, intent).await.map(|_| ())
            }
            (OrderStatus::PaymentProcessing, None) => {
                cancel(
                    state,
                    &order,
                    OrderStatus::PaymentProcessing,
                    "no payment reached the provider",
                )
                .await
            }
            (_, _) => {
                // Pending: only once its hold has expired (the shopper has gone).
                let held = inventory::active_holds_of(&state.db.primary, &order.holder)
                    .await
                    .map_err(unavailable)?;
                if held == 0 {
                    cancel(
                        state,
                        &order,
                        OrderStatus::Pending,
                        "abandoned: the stock hold expired",
                    )
                    .await
                } else {
                    continue;
                }
            }
        };
        match outcome {
            Ok(()) | Err(CheckoutError::Stock(_)) => settled += 1,
            Err(e) => {
                tracing::warn!(order = %order.number, error = %e, "could not settle an order")
            }
        }
    }
    Ok(settled)
}

/// The cookie that keeps the checkout form's fields between a plain post and the page
/// it returns to (an hour; never the card number).
const DRAFT_COOKIE: &str = "mercato_checkout";

fn read_draft() -> Draft {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let Some(parts) = leptos::prelude::use_context::<axum::http::request::Parts>() else {
        return Draft::default();
    };
    crate::account::ssr::session::cookie_value(&parts.headers, DRAFT_COOKIE)
        .and_then(|raw| URL_SAFE_NO_PAD.decode(raw).ok())
        .and_then(|json| serde_json::from_slice(&json).ok())
        .unwrap_or_default()
}

/// Remembers what was typed for the next checkout page.
pub fn keep_draft(draft: &Draft) {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let clip = |s: &str| s.chars().take(200).collect::<String>();
    let tidy = Draft {
        email: clip(&draft.email),
        full_name: clip(&draft.full_name),
        line1: clip(&draft.line1),
        line2: clip(&draft.line2),
        city: clip(&draft.city),
        region: clip(&draft.region),
        postal_code: clip(&draft.postal_code),
        country: clip(&draft.country),
        method: clip(&draft.method),
        code: clip(&draft.code),
        address_id: draft.address_id,
        key: draft.key.as_deref().map(clip),
    };
    if let Ok(json) = serde_json::to_vec(&tidy) {
        crate::flash::set_cookie(DRAFT_COOKIE, &URL_SAFE_NO_PAD.encode(json), 3600);
    }
}

fn new_form_key() -> String {
    hex::encode(rand::random::<[u8; 16]>())
}

/// The checkout page: the cart priced for the draft (or the customer's first saved
/// address), with a fresh form key unless an order of this form is still being paid.
pub async fn view(state: &AppState) -> Result<CheckoutView, CheckoutError> {
    let visitor = crate::account::ssr::session::visitor(state)
        .await
        .map_err(unavailable)?;
    let cart = visitor
        .as_ref()
        .and_then(|v| v.cart_id)
        .ok_or(CheckoutError::EmptyCart)?;
    let user_id = visitor.as_ref().and_then(|v| v.session.user_id);
    let mut draft = read_draft();
    let saved = match user_id {
        Some(user) => crate::account::addresses::saved(&state.db.primary, user, None)
            .await
            .map_err(unavailable)?,
        None => Vec::new(),
    };
    if draft.email.is_empty()
        && let Some(email) = visitor.as_ref().and_then(|v| v.email.clone())
    {
        draft.email = email;
    }
    if draft.address_id.is_none() && draft.country.is_empty() {
        draft.address_id = saved.first().map(|a| a.id);
    }
    let chosen = draft
        .address_id
        .and_then(|id| saved.iter().find(|a| a.id == id));
    if chosen.is_none() {
        draft.address_id = None;
    }
    let country = chosen.map_or(draft.country.as_str(), |a| a.country.as_str());
    // The page counts a code's per-customer uses by the signed-in account only: counting
    // them by a typed address would tell anyone who has used a code. (Placing the order
    // counts them all.)
    let account_email = visitor.as_ref().and_then(|v| v.email.as_deref());
    let customer = account_email.map(|e| Customer::new(user_id, e, None));
    let mut conn = state.db.primary.acquire().await.map_err(unavailable)?;
    let priced = price(
        &mut conn,
        &state.checkout,
        cart,
        &PriceFor {
            country,
            method: &draft.method,
            code: &draft.code,
            customer: customer.as_ref(),
        },
    )
    .await?;
    drop(conn);
    let key = draft.key.clone().unwrap_or_else(new_form_key);
    Ok(CheckoutView {
        lines: priced
            .lines
            .iter()
            .map(|l| SummaryLine {
                sku: l.sku.clone(),
                title: l.title.clone(),
                quantity: l.quantity,
                unit_minor: l.price_minor,
                line_minor: l.price_minor * i64::from(l.quantity),
            })
            .collect(),
        currency: priced.currency,
        methods: priced.methods,
        method: priced.method.method,
        totals: priced.totals,
        tax_name: priced.tax_name,
        discount_error: priced.discount_error,
        draft,
        saved,
        signed_in: user_id.is_some(),
        idempotency_key: key,
    })
}

/// Placing from the form: a saved address (the customer's own) or the typed one.
pub async fn place_from_form(
    state: &AppState,
    draft: &Draft,
    idempotency_key: String,
    card_number: String,
) -> Result<Placed, CheckoutError> {
    let address = match draft.address_id {
        Some(id) => {
            let visitor = crate::account::ssr::session::visitor(state)
                .await
                .map_err(unavailable)?;
            let user = visitor.and_then(|v| v.session.user_id).ok_or_else(|| {
                CheckoutError::InvalidInput("sign in to use a saved address".into())
            })?;
            crate::account::addresses::saved(&state.db.primary, user, Some(id))
                .await
                .map_err(unavailable)?
                .pop()
                .ok_or_else(|| {
                    CheckoutError::InvalidInput("that address is not in your address book".into())
                })?
        }
        None => crate::account::addresses::validate(
            &draft.full_name,
            &draft.line1,
            &draft.line2,
            &draft.city,
            &draft.region,
            &draft.postal_code,
            &draft.country,
            "",
        )
        .map_err(|e| CheckoutError::InvalidInput(e.to_string()))?,
    };
    place(
        state,
        PlaceOrder {
            idempotency_key,
            email: draft.email.clone(),
            address,
            shipping_method: draft.method.clone(),
            discount_code: draft.code.clone(),
            card_number,
        },
    )
    .await
}

/// After a placement. A plain form post goes to the order (and forgets the draft), or
/// back to the checkout with what was typed and what went wrong; when the provider did
/// not answer, the form keeps its key so that submitting again cannot pay twice.
pub fn after_placing(result: &Result<Placed, CheckoutError>, mut draft: Draft) {
    use crate::flash::{Flash, capitalise, error_status, is_plain_form_post, set};
    if !is_plain_form_post() {
        error_status(result);
        return;
    }
    match result {
        Ok(placed) => {
            crate::flash::set_cookie(DRAFT_COOKIE, "", 0);
            let message = match placed.status {
                OrderStatus::Confirmed
                | OrderStatus::Fulfilment
                | OrderStatus::Shipped
                | OrderStatus::Delivered => format!(
                    "Thank you! Your order {} is confirmed; we have e-mailed you a receipt.",
                    placed.number
                ),
                _ => format!(
                    "Your order {} is {}.",
                    placed.number,
                    placed.status.label().to_lowercase()
                ),
            };
            set(&Flash {
                error: false,
                message,
            });
            leptos_axum::redirect(&format!("/orders/{}", placed.number));
        }
        Err(error) => {
            // Only an order still being paid keeps its form's key.
            if !matches!(error, CheckoutError::PaymentUnavailable(_)) {
                draft.key = None;
            }
            keep_draft(&draft);
            set(&Flash {
                error: true,
                message: capitalise(&error.to_string()),
            });
            // Another tab's order of this cart is being paid: show it.
            match error {
                CheckoutError::InProgress(number) => {
                    leptos_axum::redirect(&format!("/orders/{number}"))
                }
                _ => leptos_axum::redirect("/checkout"),
            }
        }
    }
}
