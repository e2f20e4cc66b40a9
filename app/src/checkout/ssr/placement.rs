//! Placing the cart as an order: the command checked, the address chosen, the cart
//! priced, the stock held and the order opened (through the orders and discounts
//! concepts, in one transaction when it can be), then paid (`payment`). A form's key
//! makes at most one order: a twin carries on with it.

use super::payment::{pay, resume};
use super::pricing::{PriceFor, Priced, price};
use super::{Checkout, unavailable};
use crate::account::addresses::Address;
use crate::checkout::model::{CheckoutError, CheckoutForm, Placed};
use crate::discounts::ssr::{self as discounts, Customer, RedeemError};
use crate::inventory::model::{InventoryError, WantedLine};
use crate::inventory::ssr as inventory;
use crate::orders::model::OrderStatus;
use crate::orders::ssr::placement::{
    self as orders, DraftLine, FlashDraft, Opened, OrderDraft, PlacedOrder,
};
use crate::risk::model::{Assessment, RiskLevel};
use crate::risk::ssr::{self as risk, Buyer};
use crate::session::Visitor;
use std::time::Duration;

/// How many times an order is tried again when the one in its way finishes meanwhile.
const OPEN_ATTEMPTS: usize = 3;

/// Where the order goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddressChoice {
    /// One of the signed-in customer's saved addresses, by id.
    Saved(i64),
    /// An address typed into the form.
    Typed(Address),
}

/// An order to place, checked: the form's idempotency key, the shopper's address (both
/// e-mail and postal), the delivery method, the discount code and the card.
#[derive(Debug, Clone)]
pub struct Placement {
    pub key: String,
    /// Normalised.
    pub email: String,
    pub address: AddressChoice,
    pub shipping_method: String,
    pub discount_code: String,
    /// Digits only.
    pub card_number: String,
    /// Where the order came from, as the shop's edge resolved it (for the risk checks).
    pub client: Option<std::net::IpAddr>,
}

impl Placement {
    /// Checks what the checkout form posted; the first problem is the answer.
    pub fn parse(form: &CheckoutForm, key: &str, card: &str) -> Result<Self, CheckoutError> {
        let address = match form.address_id.trim().parse::<i64>() {
            Ok(id) => AddressChoice::Saved(id),
            Err(_) => AddressChoice::Typed(
                Address::try_from(&form.address)
                    .map_err(|e| CheckoutError::InvalidInput(e.to_string()))?,
            ),
        };
        let key = key.trim();
        if !(16..=128).contains(&key.len())
            || !key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(CheckoutError::InvalidInput(
                "this checkout form has expired; please reload the page".into(),
            ));
        }
        let email = crate::account::model::normalize_email(&form.email)
            .map_err(CheckoutError::InvalidInput)?;
        let card_number: String = card
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        if !(12..=19).contains(&card_number.len())
            || !card_number.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(CheckoutError::InvalidInput(
                "enter the card number: 12 to 19 digits".into(),
            ));
        }
        Ok(Placement {
            key: key.to_owned(),
            email,
            address,
            shipping_method: form.shipping_method.clone(),
            discount_code: form.discount_code.clone(),
            card_number,
            client: None,
        })
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

/// A form key as logs may show it: the first bytes of its SHA-256 (the key itself lets
/// whoever holds it carry on with the order).
pub fn key_hash(key: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(&Sha256::digest(key.as_bytes())[..6])
}

/// Who the order's actor is in its history.
pub(super) fn actor(user_id: Option<i64>) -> String {
    user_id.map_or_else(|| "guest".to_owned(), |id| format!("user:{id}"))
}

/// Places the visitor's cart as an order, or carries on with the order this form's key
/// already made.
#[tracing::instrument(
    skip_all,
    fields(checkout.key = %key_hash(&order.key), cart.id, order.number, user.id)
)]
pub async fn place(
    co: &Checkout,
    visitor: Option<&Visitor>,
    order: Placement,
) -> Result<Placed, CheckoutError> {
    let span = tracing::Span::current();
    let user_id = visitor.and_then(|v| v.session.user_id);
    if let Some(user) = user_id {
        span.record("user.id", user);
    }
    let address = match &order.address {
        AddressChoice::Typed(address) => address.clone(),
        AddressChoice::Saved(id) => {
            let user = user_id.ok_or_else(|| {
                CheckoutError::InvalidInput("sign in to use a saved address".into())
            })?;
            crate::account::ssr::addresses::saved(&co.pool, user, Some(*id))
                .await
                .map_err(unavailable)?
                .pop()
                .map(|s| s.address)
                .ok_or_else(|| {
                    CheckoutError::InvalidInput("that address is not in your address book".into())
                })?
        }
    };
    let Some(cart) = visitor.and_then(|v| v.cart_id) else {
        return retry_or(co, &order, CheckoutError::EmptyCart).await;
    };
    span.record("cart.id", cart);
    let customer = Customer::new(
        user_id,
        &order.email,
        visitor.and_then(|v| v.email.as_deref()),
    );
    let priced = match checked_price(co, cart, &order, &address, &customer).await {
        Ok(priced) => priced,
        Err(e) => return retry_or(co, &order, e).await,
    };
    let buyer = Buyer {
        email: &order.email,
        user_id,
        client: order.client,
        last4: &order.card_number[order.card_number.len().saturating_sub(4)..],
        total_minor: priced.totals.total.minor(),
        largest_line: priced.lines.iter().map(|l| l.quantity).max().unwrap_or(0),
    };
    let risk = assessed(co, &buyer).await?;

    // Hold the stock and claim the key with the order.
    // A flash sale's lines are held already (by their entries): the order takes those
    // holds over; the rest are held now.
    let wanted: Vec<WantedLine> = priced
        .lines
        .iter()
        .filter(|l| l.flash_entry.is_none())
        .map(|l| WantedLine {
            variant_id: l.variant_id,
            quantity: l.quantity,
        })
        .collect();
    let shares = priced.discount_shares()?;
    for _ in 0..OPEN_ATTEMPTS {
        let number = order_number();
        span.record("order.number", number.as_str());
        let new = NewOrder {
            key: &order.key,
            number: &number,
            holder: &format!("order:{number}"),
            user_id,
            email: &order.email,
            customer: &customer,
            address: &address,
            cart,
            priced: &priced,
            shares: &shares,
            hold: None,
            flash_hold: co.rules.reservation_ttl,
            risk: &risk,
            client: buyer.public_address(),
        };
        let order_id = match open(co, new, &wanted).await {
            Ok(Opened::Order(id)) => id,
            // A twin claimed the key first: carry on with its order.
            Ok(Opened::Twin) => return retry_or(co, &order, CheckoutError::Unavailable).await,
            // This cart is being paid for already (another tab, a script): nothing is
            // charged again, and the answer names that order.
            Ok(Opened::CartOpen(number)) => {
                tracing::info!(order.other = %number, "a second placement of a cart refused");
                return Err(CheckoutError::InProgress(number));
            }
            // The cart changed under this placement (was it just ordered from another
            // tab?), unless this form's own order is what changed it.
            Ok(Opened::CartChanged) => {
                return retry_or(co, &order, CheckoutError::CartChanged).await;
            }
            Ok(Opened::SaleHoldEnded) => {
                return retry_or(
                    co,
                    &order,
                    CheckoutError::InvalidInput(
                        "your flash sale hold has ended; remove the sale item from your cart"
                            .into(),
                    ),
                )
                .await;
            }
            Ok(Opened::Retry | Opened::NotHeld) => continue,
            // Sold out, unless that is this form's own order holding the last units.
            Err(e @ CheckoutError::Stock(_)) => return retry_or(co, &order, e).await,
            Err(e) => return Err(e),
        };
        let placed = PlacedOrder {
            id: order_id,
            holder: format!("order:{number}"),
            number,
            status: OrderStatus::PaymentProcessing,
            total: priced.totals.total,
            units: priced.lines.iter().map(|l| i64::from(l.quantity)).sum(),
            risk: Some(risk.level),
        };
        return pay(co, placed, &order.card_number).await;
    }
    Err(unavailable(format!(
        "no order opened for cart {cart} after {OPEN_ATTEMPTS} attempts"
    )))
}

/// The order's risk, from what the shop knows of its buyer now.
async fn assessed(co: &Checkout, buyer: &Buyer<'_>) -> Result<Assessment, CheckoutError> {
    let mut conn = co.pool.acquire().await.map_err(unavailable)?;
    let facts = risk::facts(&mut conn, buyer).await.map_err(unavailable)?;
    let assessment = risk::assess(&co.rules.risk, buyer, &facts);
    if assessment.level > RiskLevel::Low {
        tracing::info!(
            risk.level = assessment.level.as_str(),
            risk.score = assessment.score,
            "an order assessed as risky"
        );
    }
    Ok(assessment)
}

/// The cart priced for the form, refused if its code or shipping method does not apply.
async fn checked_price(
    co: &Checkout,
    cart: i64,
    order: &Placement,
    address: &Address,
    customer: &Customer,
) -> Result<Priced, CheckoutError> {
    let mut conn = co.pool.acquire().await.map_err(unavailable)?;
    let priced = price(
        &mut conn,
        &co.rules,
        cart,
        &PriceFor {
            country: &address.country,
            method: &order.shipping_method,
            code: &order.discount_code,
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
    let wanted_method = order.shipping_method.trim();
    if !wanted_method.is_empty() && priced.method.method != wanted_method {
        return Err(CheckoutError::InvalidInput(format!(
            "that shipping method does not deliver to {}; choose another",
            address.country
        )));
    }
    Ok(priced)
}

/// A form whose key made an order already (a retry, a double click, a second tab)
/// carries on with that order, whatever its cart holds by now; otherwise `error`. The
/// key is looked up only when this request could not place an order of its own, so
/// a first submission (nearly all of them) pays for no lookup.
async fn retry_or(
    co: &Checkout,
    order: &Placement,
    error: CheckoutError,
) -> Result<Placed, CheckoutError> {
    match orders::by_key(&co.pool, &order.key)
        .await
        .map_err(unavailable)?
    {
        Some(found) => {
            tracing::Span::current().record("order.number", found.number.as_str());
            resume(co, found, &order.card_number).await
        }
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
    /// Each line's share of the discount.
    shares: &'a [crate::money::Money],
    /// Hold the order's units in the same transaction, for this long.
    hold: Option<Duration>,
    /// Keep a flash sale hold the order takes over at least this long.
    flash_hold: Duration,
    risk: &'a Assessment,
    /// The client's address, when it says something of the buyer.
    client: Option<std::net::IpAddr>,
}

impl NewOrder<'_> {
    fn draft<'b>(&'b self, actor: &'b str) -> Result<OrderDraft<'b>, CheckoutError> {
        let p = self.priced;
        let t = &p.totals;
        Ok(OrderDraft {
            number: self.number,
            idempotency_key: self.key,
            user_id: self.user_id,
            email: self.email,
            currency: p.currency,
            subtotal_minor: t.subtotal.minor(),
            discount_minor: t.discount.minor(),
            shipping_minor: t.shipping.minor(),
            tax_minor: t.tax.minor(),
            total_minor: t.total.minor(),
            shipping_address: serde_json::to_value(self.address).map_err(unavailable)?,
            region: &p.region,
            holder: self.holder,
            cart_id: self.cart,
            shipping_method: &p.method.method,
            shipping_label: &p.method.label,
            weight_grams: p.weight_grams,
            discount_code: p.discount.as_ref().map(|(code, _)| code.as_str()),
            actor,
            lines: p
                .lines
                .iter()
                .zip(self.shares)
                .enumerate()
                .map(|(i, (l, share))| DraftLine {
                    position: i as i32,
                    variant_id: l.variant_id,
                    sku: &l.sku,
                    title: &l.title,
                    quantity: l.quantity,
                    unit_price_minor: l.price.minor(),
                    discount_minor: share.minor(),
                })
                .collect(),
            hold_secs: self.hold.map(|d| d.as_secs_f64()),
            flash: p
                .lines
                .iter()
                .filter_map(|l| {
                    l.flash_entry.map(|entry_id| FlashDraft {
                        entry_id,
                        variant_id: l.variant_id,
                        quantity: l.quantity,
                    })
                })
                .collect(),
            flash_hold_secs: self.flash_hold.as_secs_f64(),
            risk: self.risk,
            client_addr: self.client.map(|ip| ip.to_string()),
        })
    }
}

/// Holds the stock, under the order's own holder name, and opens the order. SKUs no
/// other checkout is holding right now are held in the order's own transaction (one
/// commit); otherwise, or when that finds no single warehouse for a SKU, the reservation
/// service holds them first (batched for a SKU in demand, split across warehouses when
/// need be), and they are released again if the order is not opened.
async fn open(
    co: &Checkout,
    mut o: NewOrder<'_>,
    wanted: &[WantedLine],
) -> Result<Opened, CheckoutError> {
    let variants: Vec<i64> = wanted.iter().map(|l| l.variant_id).collect();
    if let Some(_claim) = co.reservations.claim_own(&variants) {
        o.hold = Some(co.rules.reservation_ttl);
        match insert_order(co, &o).await? {
            Opened::NotHeld => o.hold = None,
            other => return Ok(other),
        }
    }
    if let Err(e) = co
        .reservations
        .reserve(
            o.holder,
            wanted,
            Some(&o.priced.region),
            co.rules.reservation_ttl,
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
    let opened = insert_order(co, &o).await;
    if let Ok(Opened::Order(id)) = opened {
        return Ok(Opened::Order(id));
    }
    // A twin claimed the key, the cart is being placed already, or the insert failed:
    // these holds are not needed.
    let mut conn = co.pool.acquire().await.map_err(unavailable)?;
    inventory::release(&mut conn, o.holder, "checkout")
        .await
        .map_err(unavailable)?;
    opened
}

/// Inserts the order with its lines straight into payment_processing (its pending step
/// recorded too), with its use of a discount code and, when `o.hold` says so, its holds.
/// Without a code this is one call (the database's `order_open`, its own transaction).
async fn insert_order(co: &Checkout, o: &NewOrder<'_>) -> Result<Opened, CheckoutError> {
    let actor = actor(o.user_id);
    let draft = o.draft(&actor)?;
    let mut conn = co.pool.acquire().await.map_err(unavailable)?;
    let Some((code, quoted)) = &o.priced.discount else {
        return orders::open(&mut conn, &draft).await.map_err(unavailable);
    };
    let mut tx = sqlx::Connection::begin(&mut *conn)
        .await
        .map_err(unavailable)?;
    // The code's row first (see `discounts::lock`), then the key: a twin waits here for
    // this transaction and then finds the order.
    discounts::lock(&mut tx, code).await.map_err(unavailable)?;
    let order_id = match orders::open(&mut tx, &draft).await.map_err(unavailable)? {
        Opened::Order(id) => id,
        other => return Ok(other),
    };
    let subtotal = o.priced.totals.subtotal;
    match discounts::redeem(
        &mut tx, order_id, code, subtotal, *quoted, o.customer, o.email,
    )
    .await
    {
        Ok(()) => {}
        Err(e @ (RedeemError::Changed(_) | RedeemError::Refused(_))) => {
            return Err(CheckoutError::InvalidInput(e.to_string()));
        }
        Err(RedeemError::Database(e)) => return Err(unavailable(e)),
    }
    tx.commit().await.map_err(unavailable)?;
    Ok(Opened::Order(order_id))
}
