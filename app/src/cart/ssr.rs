//! The cart service. A cart belongs to the signed-in customer, or to the guest session
//! in the request's cookie; no function takes a cart id, so nobody can reach another's.
//! Quantity changes are single atomic statements (`INSERT ... ON CONFLICT DO UPDATE`
//! with the limit in its `WHERE`), so two tabs adding at once both count.

use super::model::{Cart, CartError, CartLine, HeaderInfo, parse_quantity};
use crate::catalog::ssr::rows::{image_ref, money};
use crate::session::cache::TokenHash;
use crate::session::{self, Memo, Session, Sessions};
use sqlx::{PgConnection, PgPool};
use std::sync::Arc;

/// The cart's rules (from settings).
#[derive(Clone, Copy, Debug)]
pub struct CartRules {
    /// The most of one variant a line may hold.
    pub max_line_quantity: i32,
}

/// What the cart service works with: the cart pool (its commits do not wait for the
/// disk), the sessions (a guest's first item makes one) and the rules.
#[derive(Clone, Debug)]
pub struct Carts {
    pub pool: PgPool,
    pub sessions: Sessions,
    pub rules: CartRules,
}

/// The request's cart, loaded at most once per request however many ask (the cart page
/// and the header's count), and again after anything changes the session or the cart.
/// Leptos provides a fresh one per request (server/src/http.rs).
#[derive(Clone, Default)]
pub struct RequestCart(Arc<Memo<Result<Cart, CartError>>>);

impl std::fmt::Debug for RequestCart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestCart").finish_non_exhaustive()
    }
}

/// The request's cart, loaded by `load` at most once per request (see [`RequestCart`]).
async fn shared_cart(
    load: impl FnOnce() -> futures::future::BoxFuture<'static, Result<Cart, CartError>>,
) -> Result<Cart, CartError> {
    let memo = leptos::prelude::use_context::<RequestCart>();
    match (memo, session::generation()) {
        (Some(memo), Some(generation)) => memo.0.get(generation, load).await,
        _ => load().await,
    }
}

fn unavailable(error: impl std::fmt::Display) -> CartError {
    tracing::error!(%error, "cart operation failed");
    CartError::Unavailable
}

/// The cart of a session, if it has one.
async fn find_cart(conn: &mut PgConnection, s: Session) -> Result<Option<i64>, sqlx::Error> {
    match s.user_id {
        Some(user) => {
            sqlx::query_scalar!("SELECT id FROM carts WHERE user_id = $1", user)
                .fetch_optional(conn)
                .await
        }
        None => {
            sqlx::query_scalar!("SELECT id FROM carts WHERE session_id = $1", s.id)
                .fetch_optional(conn)
                .await
        }
    }
}

/// The session's cart, created if needed (race-free: a concurrent creator wins, we use it).
pub(crate) async fn ensure_cart(conn: &mut PgConnection, s: Session) -> Result<i64, sqlx::Error> {
    if let Some(id) = find_cart(conn, s).await? {
        return Ok(id);
    }
    match s.user_id {
        Some(user) => {
            sqlx::query!(
                "INSERT INTO carts (user_id) VALUES ($1) ON CONFLICT (user_id) DO NOTHING",
                user
            )
            .execute(&mut *conn)
            .await?;
        }
        None => {
            sqlx::query!(
                "INSERT INTO carts (session_id) VALUES ($1) ON CONFLICT (session_id) DO NOTHING",
                s.id
            )
            .execute(&mut *conn)
            .await?;
        }
    }
    // Only a cart deleted in between (its session purged) leaves nothing to find.
    find_cart(conn, s).await?.ok_or(sqlx::Error::RowNotFound)
}

/// The request's session (looked up before the transaction began: never hold one
/// connection while waiting for another), or a new guest session whose cookie is sent
/// with the response (and the hash of its token).
async fn session_or_new_guest(
    sessions: &Sessions,
    conn: &mut PgConnection,
    current: Option<Session>,
) -> Result<(Session, Option<TokenHash>), CartError> {
    if let Some(s) = current {
        return Ok((s, None));
    }
    let (s, token) = session::create_guest(conn, &sessions.rules)
        .await
        .map_err(unavailable)?;
    session::set_cookie(Some(&token), sessions.rules.guest, &sessions.rules);
    Ok((s, Some(session::token_hash(&token))))
}

/// The stock of an active product's variant by SKU; anything else is "not available".
async fn sellable_stock(conn: &mut PgConnection, sku: &str) -> Result<i32, CartError> {
    if sku.is_empty() || sku.len() > 64 {
        return Err(CartError::NotAvailable);
    }
    sqlx::query_scalar!(
        "SELECT v.stock_on_hand FROM variants v JOIN products p ON p.id = v.product_id
          WHERE v.sku = $1 AND p.status = 'active'",
        sku
    )
    .fetch_optional(conn)
    .await
    .map_err(unavailable)?
    .ok_or(CartError::NotAvailable)
}

fn stock_message(stock: i32) -> CartError {
    if stock <= 0 {
        CartError::Stock("that item is out of stock".into())
    } else {
        CartError::Stock(format!("only {stock} left in stock"))
    }
}

/// A line held at a flash sale's price keeps the quantity its hold is for.
fn flash_line() -> CartError {
    CartError::Stock(
        "this item is held for you at its flash sale price and quantity; remove it to give the hold up"
            .into(),
    )
}

#[tracing::instrument(skip_all, fields(sku = %sku), err(level = "info"))]
pub async fn add(carts: &Carts, sku: &str, quantity: &str) -> Result<Cart, CartError> {
    let max = carts.rules.max_line_quantity;
    let quantity = parse_quantity(quantity, max)?;
    let sku = sku.trim();
    let visitor = session::visitor(&carts.sessions)
        .await
        .map_err(unavailable)?;
    let existing = visitor.as_ref().and_then(|v| v.cart_id);
    let current = visitor.map(|v| v.session);
    let mut conn = carts.pool.acquire().await.map_err(unavailable)?;
    let cart = match existing {
        Some(cart) => cart,
        None => {
            // The first item: nothing is created (no session, no cart) unless it can be added.
            let stock = sellable_stock(&mut conn, sku).await?;
            if quantity > stock {
                return Err(stock_message(stock));
            }
            let ticket = carts.sessions.cache.ticket();
            let mut tx = sqlx::Connection::begin(&mut *conn)
                .await
                .map_err(unavailable)?;
            let (s, new_token) = session_or_new_guest(&carts.sessions, &mut tx, current).await?;
            let cart = ensure_cart(&mut tx, s).await.map_err(unavailable)?;
            tx.commit().await.map_err(unavailable)?;
            match new_token {
                // The shopper's next request will find the new session remembered.
                Some(token) => {
                    let visitor = session::Visitor {
                        session: s,
                        cart_id: Some(cart),
                        email: None,
                    };
                    carts
                        .sessions
                        .cache
                        .put(ticket, token, visitor, carts.sessions.rules.guest);
                }
                // The session was remembered without a cart.
                None => carts.sessions.cache.evict_session(s.id),
            }
            cart
        }
    };
    // One statement (its own transaction): the variant must be sellable, and the line's
    // new quantity within the line limit and stock, checked as the row is written.
    let row = sqlx::query!(
        r#"WITH v AS (
               SELECT v.id, v.price_minor, v.currency, v.stock_on_hand
                 FROM variants v JOIN products p ON p.id = v.product_id
                WHERE v.sku = $1 AND p.status = 'active'),
           line AS (
               INSERT INTO cart_lines (cart_id, variant_id, quantity, unit_price_minor, currency)
               SELECT $2, v.id, $3, v.price_minor, v.currency FROM v
                WHERE $3 <= LEAST($4, v.stock_on_hand)
               ON CONFLICT (cart_id, variant_id) DO UPDATE
                  SET quantity = cart_lines.quantity + EXCLUDED.quantity,
                      unit_price_minor = EXCLUDED.unit_price_minor,
                      currency = EXCLUDED.currency,
                      updated_at = now()
                WHERE cart_lines.flash_entry_id IS NULL
                  AND cart_lines.quantity + EXCLUDED.quantity
                      <= LEAST($4, (SELECT stock_on_hand FROM v))
               RETURNING quantity)
           SELECT (SELECT stock_on_hand FROM v) AS stock,
                  (SELECT quantity FROM line) AS added,
                  (SELECT l.quantity FROM cart_lines l JOIN v ON v.id = l.variant_id
                    WHERE l.cart_id = $2) AS had,
                  EXISTS (SELECT 1 FROM cart_lines l JOIN v ON v.id = l.variant_id
                           WHERE l.cart_id = $2 AND l.flash_entry_id IS NOT NULL) AS "flash!""#,
        sku,
        cart,
        quantity,
        max,
    )
    .fetch_one(&mut *conn)
    .await
    .map_err(unavailable)?;
    if row.flash && row.added.is_none() {
        return Err(flash_line());
    }
    match (row.stock, row.added) {
        (None, _) => return Err(CartError::NotAvailable),
        (Some(_), Some(_)) => {}
        (Some(stock), None) if row.had.is_none() || quantity > stock => {
            return Err(stock_message(stock));
        }
        (Some(stock), None) => {
            let have = row.had.unwrap_or_default();
            let most = max.min(stock).max(have);
            return Err(CartError::Stock(format!(
                "you already have {have} in your cart; the most you can have is {most}"
            )));
        }
    }
    session::forget();
    load(&mut conn, cart, max).await
}

/// Sets a line's quantity (and takes the current price as the line's new price).
#[tracing::instrument(skip_all, fields(sku = %sku), err(level = "info"))]
pub async fn set_quantity(carts: &Carts, sku: &str, quantity: &str) -> Result<Cart, CartError> {
    let max = carts.rules.max_line_quantity;
    let quantity = parse_quantity(quantity, max)?;
    let cart = existing_cart(carts).await?;
    let mut tx = carts.pool.begin().await.map_err(unavailable)?;
    let line = sqlx::query!(
        r#"SELECT v.id, v.price_minor, v.currency, v.stock_on_hand, p.status::text = 'active' AS "active!",
                  l.flash_entry_id
             FROM cart_lines l
             JOIN variants v ON v.id = l.variant_id
             JOIN products p ON p.id = v.product_id
            WHERE l.cart_id = $1 AND v.sku = $2"#,
        cart,
        sku.trim()
    )
    .fetch_optional(&mut *tx)
    .await
    .map_err(unavailable)?
    .ok_or(CartError::NotInCart)?;
    if !line.active {
        return Err(CartError::NotAvailable);
    }
    if line.flash_entry_id.is_some() {
        return Err(flash_line());
    }
    if quantity > line.stock_on_hand {
        return Err(stock_message(line.stock_on_hand));
    }
    sqlx::query!(
        "UPDATE cart_lines SET quantity = $3, unit_price_minor = $4, currency = $5, updated_at = now()
          WHERE cart_id = $1 AND variant_id = $2",
        cart,
        line.id,
        quantity,
        line.price_minor,
        line.currency,
    )
    .execute(&mut *tx)
    .await
    .map_err(unavailable)?;
    let view = load(&mut tx, cart, max).await?;
    tx.commit().await.map_err(unavailable)?;
    session::forget();
    Ok(view)
}

#[tracing::instrument(skip_all, fields(sku = %sku), err(level = "info"))]
pub async fn remove(carts: &Carts, sku: &str) -> Result<Cart, CartError> {
    let cart = existing_cart(carts).await?;
    let mut tx = carts.pool.begin().await.map_err(unavailable)?;
    let done = sqlx::query!(
        "DELETE FROM cart_lines l USING variants v
          WHERE l.variant_id = v.id AND l.cart_id = $1 AND v.sku = $2",
        cart,
        sku.trim()
    )
    .execute(&mut *tx)
    .await
    .map_err(unavailable)?;
    if done.rows_affected() == 0 {
        return Err(CartError::NotInCart);
    }
    let view = load(&mut tx, cart, carts.rules.max_line_quantity).await?;
    tx.commit().await.map_err(unavailable)?;
    session::forget();
    Ok(view)
}

/// The request's cart; without one there is nothing to change.
async fn existing_cart(carts: &Carts) -> Result<i64, CartError> {
    session::visitor(&carts.sessions)
        .await
        .map_err(unavailable)?
        .and_then(|v| v.cart_id)
        .ok_or(CartError::NotInCart)
}

/// The request's cart (empty when there is none yet), loaded once per request however
/// many ask (the cart page and the header's count).
pub async fn view(carts: &Carts) -> Result<Cart, CartError> {
    let max = carts.rules.max_line_quantity;
    let visitor = session::visitor(&carts.sessions)
        .await
        .map_err(unavailable)?;
    let Some(cart) = visitor.and_then(|v| v.cart_id) else {
        return Ok(Cart {
            max_line_quantity: max,
            ..Cart::default()
        });
    };
    let pool = carts.pool.clone();
    shared_cart(move || {
        Box::pin(async move {
            let mut conn = pool.acquire().await.map_err(unavailable)?;
            load(&mut conn, cart, max).await
        })
    })
    .await
}

/// The header's sign-in state and item count.
pub async fn header_info(carts: &Carts) -> Result<HeaderInfo, CartError> {
    let visitor = session::visitor(&carts.sessions)
        .await
        .map_err(unavailable)?;
    let Some(visitor) = visitor else {
        return Ok(HeaderInfo::default());
    };
    // The count alone (the cart's `item_count`: its lines of products on sale), not the
    // whole cart: every page's header asks.
    let cart_items = match visitor.cart_id {
        Some(cart) => sqlx::query_scalar!(
            r#"SELECT coalesce(sum(l.quantity), 0)::int8 AS "items!" FROM cart_lines l
                 JOIN variants v ON v.id = l.variant_id
                 JOIN products p ON p.id = v.product_id
                WHERE l.cart_id = $1 AND p.status = 'active'"#,
            cart
        )
        .fetch_one(&carts.pool)
        .await
        .map_err(unavailable)?,
        None => 0,
    };
    Ok(HeaderInfo {
        signed_in_as: visitor.email,
        cart_items,
    })
}

async fn load(conn: &mut PgConnection, cart: i64, max: i32) -> Result<Cart, CartError> {
    let rows = sqlx::query!(
        r#"SELECT v.sku, p.title, p.slug, v.option_values,
                  coalesce(fs.sale_price_minor, v.price_minor) AS "price_minor!", v.currency,
                  CASE WHEN fs.id IS NULL THEN v.stock_on_hand ELSE l.quantity END AS "stock_on_hand!",
                  p.status::text = 'active' AS "active!",
                  l.quantity, l.unit_price_minor, l.currency AS added_currency,
                  i.content_key AS "image_key?", i.alt AS "image_alt?", i.width AS "image_width?",
                  i.height AS "image_height?", i.widths AS "image_widths?"
             FROM cart_lines l
             JOIN variants v ON v.id = l.variant_id
             JOIN products p ON p.id = v.product_id
             LEFT JOIN flash_entries e ON e.id = l.flash_entry_id
             LEFT JOIN flash_sales fs ON fs.id = e.sale_id
             LEFT JOIN LATERAL (
                  SELECT content_key, alt, width, height, widths FROM product_images
                   WHERE product_id = p.id ORDER BY position LIMIT 1) i ON true
            WHERE l.cart_id = $1
            ORDER BY l.added_at, v.sku"#,
        cart
    )
    .fetch_all(conn)
    .await
    .map_err(unavailable)?;
    let mut view = Cart {
        max_line_quantity: max,
        ..Cart::default()
    };
    for r in rows {
        let unit_price = money(r.price_minor, &r.currency);
        let line_total = unit_price
            .checked_mul(i64::from(r.quantity))
            .map_err(unavailable)?;
        let image = image_ref(
            r.image_key,
            r.image_alt,
            r.image_width,
            r.image_height,
            r.image_widths,
            &r.title,
        );
        if r.active {
            view.item_count += i64::from(r.quantity);
            match view
                .subtotals
                .iter_mut()
                .find(|m| m.currency() == line_total.currency())
            {
                Some(sum) => *sum = sum.checked_add(line_total).map_err(unavailable)?,
                None => view.subtotals.push(line_total),
            }
        }
        view.lines.push(CartLine {
            sku: r.sku,
            title: r.title,
            slug: r.slug,
            options: r.option_values,
            image,
            quantity: r.quantity,
            unit_price,
            added_price: money(r.unit_price_minor, &r.added_currency),
            in_stock: r.stock_on_hand.max(0),
            available: r.active,
            line_total,
        });
    }
    Ok(view)
}

/// Moves a guest's cart into the customer's at sign-in: quantities add up, capped by the
/// line limit and by stock (never below one: a line short of stock stays and is flagged).
pub async fn merge_guest_cart(
    tx: &mut PgConnection,
    guest_session: i64,
    user_id: i64,
    rules: &CartRules,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO carts (user_id) VALUES ($1) ON CONFLICT (user_id) DO NOTHING",
        user_id
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "INSERT INTO cart_lines (cart_id, variant_id, quantity, unit_price_minor, currency, added_at)
         SELECT target.id, g.variant_id,
                LEAST(g.quantity, $3, GREATEST(v.stock_on_hand, 1)),
                g.unit_price_minor, g.currency, g.added_at
           FROM cart_lines g
           JOIN carts guest ON guest.id = g.cart_id AND guest.session_id = $2
           JOIN variants v ON v.id = g.variant_id
          CROSS JOIN (SELECT id FROM carts WHERE user_id = $1) target
         ON CONFLICT (cart_id, variant_id) DO UPDATE
            SET quantity = LEAST(cart_lines.quantity + EXCLUDED.quantity, $3,
                                 GREATEST((SELECT stock_on_hand FROM variants WHERE id = EXCLUDED.variant_id),
                                          cart_lines.quantity, 1)),
                updated_at = now()
          -- A line held at a flash sale's price keeps its quantity.
          WHERE cart_lines.flash_entry_id IS NULL",
        user_id,
        guest_session,
        rules.max_line_quantity,
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!("DELETE FROM carts WHERE session_id = $1", guest_session)
        .execute(&mut *tx)
        .await?;
    Ok(())
}
