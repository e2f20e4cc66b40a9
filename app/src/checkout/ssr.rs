//! Placing an order. The steps, each durable before the next:
//!
//! 1. Stock is held for every line (all or none), under a name of this request's own; a
//!    shortage ends here, with nothing created and nothing charged.
//! 2. The checkout form's idempotency key is claimed by inserting the order (pending)
//!    with its lines and totals. A twin request (a double click, a retry, a second tab)
//!    that loses the key releases its own holds and carries on with the winner's order,
//!    which exists only once its stock is held.
//! 3. payment_processing; the provider authorizes and captures with keys derived from
//!    the order number, so no retry, crash or replay can charge twice.
//! 4. In one transaction: the holds become a sale, the payment is recorded as captured,
//!    the bought lines leave the cart, and the order is confirmed (its outbox event
//!    feeds fulfilment and e-mail).
//!
//! A decline cancels the order and releases the stock. A provider that does not answer
//! leaves the order in payment_processing with its stock held: the shopper may retry,
//! and [`settle`] (a worker) finishes it by asking the provider what happened.

use super::model::{CheckoutError, Placed, ShippingRate, totals};
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
            shipping: vec![ShippingRate {
                region: "DEFAULT".into(),
                base_minor: 499,
                per_item_minor: 100,
                free_over_minor: Some(10_000),
            }],
            settle_after: Duration::from_secs(30),
        }
    }

    fn shipping_for(&self, region: &str) -> ShippingRate {
        self.shipping
            .iter()
            .find(|r| r.region == region)
            .or_else(|| self.shipping.iter().find(|r| r.region == "DEFAULT"))
            .cloned()
            .unwrap_or(ShippingRate {
                region: region.to_owned(),
                base_minor: 0,
                per_item_minor: 0,
                free_over_minor: None,
            })
    }
}

struct CartLine {
    variant_id: i64,
    sku: String,
    title: String,
    quantity: i32,
    price_minor: i64,
    currency: String,
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
        r#"SELECT id, number, status AS "status: OrderStatus", total_minor, currency, holder
             FROM orders WHERE idempotency_key = $1"#,
        key
    )
    .fetch_optional(conn)
    .await
}

async fn cart_lines(conn: &mut PgConnection, cart: i64) -> Result<Vec<CartLine>, sqlx::Error> {
    sqlx::query_as!(
        CartLine,
        r#"SELECT v.id AS variant_id, v.sku, p.title, l.quantity, v.price_minor, v.currency,
                  p.status::text = 'active' AS "active!"
             FROM cart_lines l
             JOIN variants v ON v.id = l.variant_id
             JOIN products p ON p.id = v.product_id
            WHERE l.cart_id = $1
            ORDER BY l.added_at, v.sku"#,
        cart
    )
    .fetch_all(conn)
    .await
}

/// Places the request's cart as an order, or carries on with the order this form's key
/// already made.
pub async fn place(state: &AppState, input: PlaceOrder) -> Result<Placed, CheckoutError> {
    let email = validate(&input)?;
    let key = input.idempotency_key.trim().to_owned();
    let pool = &state.db.primary;
    // Never hold one connection while waiting for another (the visitor lookup takes its
    // own): under load every connection would be held by a request waiting for a second.
    let visitor = crate::account::ssr::session::visitor(state)
        .await
        .map_err(unavailable)?;
    let mut conn = pool.acquire().await.map_err(unavailable)?;
    if let Some(order) = find_order(&mut conn, &key).await.map_err(unavailable)? {
        drop(conn);
        return resume(state, order, &input.card_number).await;
    }
    let cart = visitor
        .as_ref()
        .and_then(|v| v.cart_id)
        .ok_or(CheckoutError::EmptyCart)?;
    let user_id = visitor.as_ref().and_then(|v| v.session.user_id);
    let lines = cart_lines(&mut conn, cart).await.map_err(unavailable)?;
    let lines: Vec<CartLine> = lines.into_iter().filter(|l| l.active).collect();
    let Some(first) = lines.first() else {
        return Err(CheckoutError::EmptyCart);
    };
    let currency = first.currency.clone();
    if lines.iter().any(|l| l.currency != currency) {
        return Err(CheckoutError::InvalidInput(
            "your cart mixes currencies; check out one currency at a time".into(),
        ));
    }
    let region: String = sqlx::query_scalar!(
        r#"SELECT coalesce((SELECT code FROM regions WHERE $1 = ANY (countries) LIMIT 1), 'DEFAULT') AS "code!""#,
        input.address.country
    )
    .fetch_one(&mut *conn)
    .await
    .map_err(unavailable)?;
    let tax_bp: i32 =
        sqlx::query_scalar!("SELECT rate_bp FROM tax_rates WHERE region = $1", region)
            .fetch_optional(&mut *conn)
            .await
            .map_err(unavailable)?
            .unwrap_or(0);
    let subtotal: i64 = lines
        .iter()
        .map(|l| l.price_minor * i64::from(l.quantity))
        .sum();
    let items: i64 = lines.iter().map(|l| i64::from(l.quantity)).sum();
    let t = totals(
        subtotal,
        items,
        &state.checkout.shipping_for(&region),
        tax_bp,
    );

    drop(conn);

    // 1. Hold the stock, under a name of this request's own: a twin holds under its own.
    let number = order_number();
    let holder = format!("order:{number}");
    let wanted: Vec<WantedLine> = lines
        .iter()
        .map(|l| WantedLine {
            variant_id: l.variant_id,
            quantity: l.quantity,
        })
        .collect();
    if let Err(e) = state
        .reservations
        .reserve(
            &holder,
            &wanted,
            Some(&region),
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

    // 2. Claim the key with the order (whose stock is held from the moment it exists).
    let claimed = insert_order(
        state,
        &key,
        &number,
        &holder,
        user_id,
        &email,
        &currency,
        &t,
        &input.address,
        &region,
        cart,
        &lines,
    )
    .await;
    let order_id = match claimed {
        Ok(Some(id)) => id,
        other => {
            // A twin claimed the key first (carry on with its order), or the insert
            // failed: either way these holds are not needed.
            let mut conn = pool.acquire().await.map_err(unavailable)?;
            inventory::release(&mut conn, &holder, "checkout")
                .await
                .map_err(unavailable)?;
            other?;
            let order = find_order(&mut conn, &key)
                .await
                .map_err(unavailable)?
                .ok_or(CheckoutError::Unavailable)?;
            drop(conn);
            return resume(state, order, &input.card_number).await;
        }
    };
    let order = OrderRow {
        id: order_id,
        number,
        status: OrderStatus::Pending,
        total_minor: t.total,
        currency,
        holder,
    };
    pay(state, order, &input.card_number).await
}

/// Inserts the order (pending) and its lines; `None` if a twin has the key already.
#[allow(clippy::too_many_arguments)]
async fn insert_order(
    state: &AppState,
    key: &str,
    number: &str,
    holder: &str,
    user_id: Option<i64>,
    email: &str,
    currency: &str,
    t: &super::model::Totals,
    address: &Address,
    region: &str,
    cart: i64,
    lines: &[CartLine],
) -> Result<Option<i64>, CheckoutError> {
    let address = serde_json::to_value(address).map_err(unavailable)?;
    let mut tx = state.db.primary.begin().await.map_err(unavailable)?;
    sqlx::query_scalar!(
        "SELECT set_config('mercato.actor', $1, true)",
        actor(user_id)
    )
    .fetch_one(&mut *tx)
    .await
    .map_err(unavailable)?;
    let inserted = sqlx::query_scalar!(
        "INSERT INTO orders (number, idempotency_key, user_id, email, currency, subtotal_minor,
                             shipping_minor, tax_minor, total_minor, shipping_address, region, holder,
                             cart_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
         ON CONFLICT (idempotency_key) DO NOTHING RETURNING id",
        number,
        key,
        user_id,
        email,
        currency,
        t.subtotal,
        t.shipping,
        t.tax,
        t.total,
        address,
        region,
        holder,
        cart,
    )
    .fetch_optional(&mut *tx)
    .await
    .map_err(unavailable)?;
    let Some(order_id) = inserted else {
        return Ok(None);
    };
    for (position, l) in lines.iter().enumerate() {
        sqlx::query!(
            "INSERT INTO order_lines (order_id, position, variant_id, sku, title, quantity, unit_price_minor)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            order_id,
            position as i32,
            l.variant_id,
            l.sku,
            l.title,
            l.quantity,
            l.price_minor,
        )
        .execute(&mut *tx)
        .await
        .map_err(unavailable)?;
    }
    tx.commit().await.map_err(unavailable)?;
    Ok(Some(order_id))
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
    record_payment(state, order.id, &intent).await?;
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
    let units: i64 = sqlx::query_scalar!(
        r#"SELECT coalesce(sum(quantity), 0)::bigint AS "units!" FROM order_lines WHERE order_id = $1"#,
        order.id
    )
    .fetch_one(&state.db.primary)
    .await
    .map_err(unavailable)?;
    match confirm(state, order, &intent, units).await? {
        Confirmed::Now | Confirmed::Already => current(state, order).await,
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
    /// A twin (a double click, the settling worker) confirmed it first.
    Already,
    /// The stock is no longer held: the money must go back.
    NotHeld,
}

/// One transaction: the holds become a sale, the payment is recorded as captured, the
/// order is confirmed. Its connection is returned before the caller goes on.
async fn confirm(
    state: &AppState,
    order: &OrderRow,
    intent: &Intent,
    units: i64,
) -> Result<Confirmed, CheckoutError> {
    let mut conn = state.db.primary.acquire().await.map_err(unavailable)?;
    let mut tx = sqlx::Connection::begin(&mut *conn)
        .await
        .map_err(unavailable)?;
    // Twins wait here for each other; whoever comes second finds the order confirmed.
    let status = sqlx::query_scalar!(
        r#"SELECT status AS "status: OrderStatus" FROM orders WHERE id = $1 FOR UPDATE"#,
        order.id
    )
    .fetch_one(&mut *tx)
    .await
    .map_err(unavailable)?;
    if status != OrderStatus::PaymentProcessing {
        return Ok(Confirmed::Already);
    }
    match inventory::sell(&mut tx, &order.holder, order.id, units, "checkout").await {
        Ok(_) => {}
        Err(InventoryError::NotHeld) => return Ok(Confirmed::NotHeld),
        Err(e) => return Err(unavailable(e)),
    }
    sqlx::query!(
        "UPDATE payments SET status = $2, captured_minor = $3, updated_at = now() WHERE provider_intent = $1",
        intent.id,
        IntentStatus::Captured.as_str(),
        intent.captured,
    )
    .execute(&mut *tx)
    .await
    .map_err(unavailable)?;
    // What was bought leaves the cart (lines added since stay).
    sqlx::query!(
        "DELETE FROM cart_lines l USING orders o, order_lines ol
          WHERE o.id = $1 AND ol.order_id = o.id
            AND l.cart_id = o.cart_id AND l.variant_id = ol.variant_id",
        order.id
    )
    .execute(&mut *tx)
    .await
    .map_err(unavailable)?;
    transition(
        &mut tx,
        order.id,
        OrderStatus::PaymentProcessing,
        OrderStatus::Confirmed,
        "checkout",
        None,
    )
    .await
    .map_err(unavailable)?;
    tx.commit().await.map_err(unavailable)?;
    Ok(Confirmed::Now)
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
    let status = intent.status.as_str();
    sqlx::query!(
        "INSERT INTO payments (order_id, provider_intent, status, amount_minor, captured_minor,
                               refunded_minor, last4, card_token)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (provider_intent) DO UPDATE
            SET status = EXCLUDED.status, captured_minor = EXCLUDED.captured_minor,
                refunded_minor = EXCLUDED.refunded_minor, updated_at = now()",
        order_id,
        intent.id,
        status,
        intent.amount,
        intent.captured,
        intent.refunded,
        intent.last4,
        intent.card_token,
    )
    .execute(&state.db.primary)
    .await
    .map_err(unavailable)?;
    Ok(())
}

/// The settling worker: orders left in payment_processing (the provider was down, or
/// the server stopped mid-payment) are finished from what the provider knows, and
/// pending orders whose stock hold expired are cancelled. Returns how many it settled.
pub async fn settle(state: &AppState) -> Result<usize, CheckoutError> {
    let stuck = sqlx::query_as!(
        OrderRow,
        r#"SELECT id, number, status AS "status: OrderStatus", total_minor, currency, holder
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
