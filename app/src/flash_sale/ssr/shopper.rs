//! What a shopper does in a flash sale: join the queue (one place per account), see
//! where they stand, put the units held for them into the cart at the sale price, join
//! the waitlist. A place is a signed token bound to the account and the session
//! (`token`): asking with another's token is refused; the page re-issues the token
//! for the signed-in account's own entry.

use super::token::{self, Place};
use super::{FlashSales, unavailable};
use crate::flash_sale::model::{FlashError, SalePage, SaleState, Standing};
use crate::money::{Currency, Money};
use crate::session::{self, Visitor};
use chrono::{DateTime, Utc};
use sqlx::PgConnection;

/// The cookie that carries a sale's place (`mercato_flash_<sale>`).
pub fn cookie_name(sale_id: i64) -> String {
    format!("mercato_flash_{sale_id}")
}

struct SaleRow {
    id: i64,
    title: String,
    slug: String,
    sku: String,
    options: String,
    price_minor: i64,
    sale_price_minor: i64,
    currency: String,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    state: String,
    per_customer_limit: i32,
    admission_per_minute: Option<i32>,
    let_in: i32,
    pace_per_min: i32,
    sold_out_at: Option<DateTime<Utc>>,
    quantity: i32,
    left: i64,
    now: DateTime<Utc>,
}

async fn sale(conn: &mut PgConnection, id: i64) -> Result<SaleRow, FlashError> {
    sqlx::query_as!(
        SaleRow,
        r#"SELECT f.id, p.title, p.slug, v.sku,
                  array_to_string(v.option_values, ' / ') AS "options!",
                  v.price_minor, f.sale_price_minor, f.currency::text AS "currency!",
                  f.starts_at, f.ends_at, f.state::text AS "state!", f.per_customer_limit,
                  f.admission_per_minute, f.let_in, f.pace_per_min, f.sold_out_at, f.quantity,
                  coalesce((SELECT sum(s.on_hand - s.reserved - s.sold)
                              FROM warehouses w
                              JOIN stock_levels s ON s.warehouse_id = w.id AND s.variant_id = f.variant_id
                             WHERE w.flash_sale_id = f.id), 0)::bigint AS "left!",
                  now() AS "now!"
             FROM flash_sales f
             JOIN variants v ON v.id = f.variant_id
             JOIN products p ON p.id = v.product_id
            WHERE f.id = $1"#,
        id
    )
    .fetch_optional(conn)
    .await
    .map_err(unavailable)?
    .ok_or(FlashError::NotFound)
}

struct EntryRow {
    id: i64,
    user_id: i64,
    quantity: i32,
    early: bool,
    position: Option<i32>,
    state: String,
    hold_expires_at: Option<DateTime<Utc>>,
    promoted: bool,
    waitlisted_at: Option<DateTime<Utc>>,
    order_number: Option<String>,
}

async fn entry(
    conn: &mut PgConnection,
    sale_id: i64,
    user_id: i64,
) -> Result<Option<EntryRow>, FlashError> {
    sqlx::query_as!(
        EntryRow,
        r#"SELECT e.id, e.user_id, e.quantity, e.early, e.position, e.state::text AS "state!",
                  e.hold_expires_at, e.promoted, e.waitlisted_at, o.number AS "order_number?"
             FROM flash_entries e LEFT JOIN orders o ON o.id = e.order_id
            WHERE e.sale_id = $1 AND e.user_id = $2"#,
        sale_id,
        user_id
    )
    .fetch_optional(conn)
    .await
    .map_err(unavailable)
}

fn money(minor: i64, currency: &str) -> Result<Money, FlashError> {
    Currency::parse(currency)
        .map(|c| Money::from_minor(minor, c))
        .map_err(|_| unavailable(format!("a flash sale in `{currency}`")))
}

fn state_of(s: &SaleRow) -> SaleState {
    match SaleState::parse(&s.state) {
        // Between the time and the worker's next tick.
        SaleState::Scheduled if s.starts_at <= s.now => SaleState::Live,
        SaleState::Live if s.ends_at <= s.now => SaleState::Ended,
        other => other,
    }
}

/// Where an entry stands, with a fair wait: the places still ahead of it over the pace
/// shoppers were let in at over the last minute (or the sale's set pace).
async fn standing_of(
    conn: &mut PgConnection,
    s: &SaleRow,
    e: &EntryRow,
) -> Result<Standing, FlashError> {
    Ok(match e.state.as_str() {
        "queued" => match e.position {
            None => Standing::Placing { early: e.early },
            Some(position) => {
                let ahead = i64::from((position - s.let_in - 1).max(0));
                let pace = if s.pace_per_min > 0 {
                    Some(s.pace_per_min)
                } else {
                    s.admission_per_minute
                };
                Standing::Queued {
                    position,
                    ahead,
                    wait_secs: pace.map(|p| ahead * 60 / i64::from(p.max(1))),
                }
            }
        },
        "admitted" => match e.hold_expires_at {
            Some(until) if until > s.now => Standing::Admitted {
                quantity: e.quantity,
                until,
                promoted: e.promoted,
            },
            _ => Standing::Expired,
        },
        "ordered" => Standing::Ordered {
            order_number: e.order_number.clone().unwrap_or_default(),
        },
        "expired" => Standing::Expired,
        "sold_out" => Standing::SoldOut,
        "waitlisted" => {
            let ahead = sqlx::query_scalar!(
                r#"SELECT count(*) AS "n!" FROM flash_entries
                    WHERE sale_id = $1 AND state = 'waitlisted'
                      AND (waitlisted_at, id) < ($2, $3)"#,
                s.id,
                e.waitlisted_at,
                e.id
            )
            .fetch_one(&mut *conn)
            .await
            .map_err(unavailable)?;
            Standing::Waitlisted { ahead }
        }
        _ => Standing::Closed,
    })
}

/// When the page should ask again.
fn refresh(state: SaleState, s: &SaleRow, standing: &Standing) -> Option<u32> {
    let secs = match (state, standing) {
        (SaleState::Ended, _) => return None,
        (SaleState::Scheduled, _) => (s.starts_at - s.now).num_seconds().clamp(1, 30),
        (_, Standing::Placing { .. }) => 2,
        (_, Standing::Queued { wait_secs, .. }) => (wait_secs.unwrap_or(8) / 4).clamp(2, 15),
        (_, Standing::Admitted { until, .. }) => (*until - s.now).num_seconds().clamp(1, 60),
        (_, Standing::Waitlisted { .. }) => 10,
        (_, Standing::NotJoined) => 15,
        _ => return None,
    };
    Some(secs as u32)
}

async fn visitor(fs: &FlashSales) -> Result<Option<Visitor>, FlashError> {
    session::visitor(&fs.sessions).await.map_err(unavailable)
}

/// The token the request carries for this sale: given, or in its cookie.
fn carried(sale_id: i64, given: Option<&str>) -> Option<String> {
    given
        .map(str::to_owned)
        .filter(|t| !t.trim().is_empty())
        .or_else(|| {
            let parts = leptos::prelude::use_context::<axum::http::request::Parts>()?;
            session::cookie_value(&parts.headers, &cookie_name(sale_id))
        })
}

/// The place a request proves with its token: signed by the shop, for this sale, this
/// account and this session. Anything else is refused.
async fn proven(
    fs: &FlashSales,
    sale_id: i64,
    given: Option<&str>,
) -> Result<(Visitor, Place), FlashError> {
    let v = visitor(fs).await?.ok_or(FlashError::SignIn)?;
    let user = v.session.user_id.ok_or(FlashError::SignIn)?;
    let token = carried(sale_id, given).ok_or(FlashError::NotYours)?;
    let place = token::verify(fs.key().await?, &token).ok_or(FlashError::NotYours)?;
    if place.sale_id != sale_id || place.user_id != user || place.session_id != v.session.id {
        return Err(FlashError::NotYours);
    }
    Ok((v, place))
}

/// The sale's page for this visitor: the sale, and where the signed-in account stands
/// (its place's token re-issued for this session). A token given that is not this
/// visitor's own is refused.
pub async fn page(
    fs: &FlashSales,
    sale_id: i64,
    given: Option<&str>,
) -> Result<SalePage, FlashError> {
    if given.is_some_and(|t| !t.trim().is_empty()) {
        proven(fs, sale_id, given).await?;
    }
    let v = visitor(fs).await?;
    // Before the connection: never hold one while waiting for another.
    let key = fs.key().await?;
    let mut conn = fs.pool.acquire().await.map_err(unavailable)?;
    let s = sale(&mut conn, sale_id).await?;
    let state = state_of(&s);
    let user = v.as_ref().and_then(|v| v.session.user_id);
    let found = match user {
        Some(user) => entry(&mut conn, sale_id, user).await?,
        None => None,
    };
    let standing = match &found {
        Some(e) => standing_of(&mut conn, &s, e).await?,
        None => Standing::NotJoined,
    };
    let token = match (&found, &v) {
        (Some(e), Some(v)) => {
            let place = Place {
                sale_id,
                entry_id: e.id,
                user_id: e.user_id,
                session_id: v.session.id,
            };
            let t = token::sign(key, &place);
            if carried(sale_id, None).as_deref() != Some(t.as_str()) {
                let max_age = (s.ends_at - s.now).num_seconds().clamp(0, 86_400 * 30) + 86_400;
                crate::flash::set_cookie(&cookie_name(sale_id), &t, max_age as u32);
            }
            Some(t)
        }
        _ => None,
    };
    let left = match state {
        SaleState::Scheduled => i64::from(s.quantity),
        SaleState::Live => s.left,
        SaleState::Ended => 0,
    };
    Ok(SalePage {
        id: s.id,
        title: s.title.clone(),
        slug: s.slug.clone(),
        sku: s.sku.clone(),
        options: s.options.clone(),
        price: money(s.price_minor, &s.currency)?,
        sale_price: money(s.sale_price_minor, &s.currency)?,
        starts_at: s.starts_at,
        ends_at: s.ends_at,
        now: s.now,
        state,
        per_customer_limit: s.per_customer_limit,
        left: left.clamp(0, i64::from(i32::MAX)) as i32,
        signed_in: user.is_some(),
        refresh_secs: refresh(state, &s, &standing),
        standing,
        token,
    })
}

/// Joins the sale's queue with `quantity` units wanted (at most the sale's limit per
/// customer): one entry per account, whatever the number of requests at once; a
/// second join answers with the first's place. Before the start, the entry waits for
/// the draw; once every unit is taken, it is told at once.
pub async fn join(
    fs: &FlashSales,
    sale_id: i64,
    quantity: &str,
    from: Option<std::net::IpAddr>,
) -> Result<SalePage, FlashError> {
    let v = visitor(fs).await?.ok_or(FlashError::SignIn)?;
    let user = v.session.user_id.ok_or(FlashError::SignIn)?;
    let mut conn = fs.pool.acquire().await.map_err(unavailable)?;
    let s = sale(&mut conn, sale_id).await?;
    let wanted = match quantity.trim() {
        "" => 1,
        q => q.parse::<i32>().map_err(|_| {
            FlashError::InvalidInput(format!(
                "the quantity must be a whole number from 1 to {}",
                s.per_customer_limit
            ))
        })?,
    };
    if !(1..=s.per_customer_limit).contains(&wanted) {
        return Err(FlashError::InvalidInput(format!(
            "you may buy from 1 to {} in this sale",
            s.per_customer_limit
        )));
    }
    let state = state_of(&s);
    if state == SaleState::Ended {
        return Err(FlashError::Refused("this sale has ended".into()));
    }
    let gone = state == SaleState::Live && s.sold_out_at.is_some() && s.left <= 0;
    sqlx::query!(
        "INSERT INTO flash_entries (sale_id, user_id, quantity, early, state, joined_from)
         VALUES ($1, $2, $3, $4, CASE WHEN $5 THEN 'sold_out' ELSE 'queued' END::flash_entry_state,
                 $6::text::inet)
         ON CONFLICT (sale_id, user_id) DO NOTHING",
        sale_id,
        user,
        wanted,
        state == SaleState::Scheduled && s.starts_at > s.now,
        gone,
        from.map(|a| a.to_string()),
    )
    .execute(&mut *conn)
    .await
    .map_err(unavailable)?;
    drop(conn);
    page(fs, sale_id, None).await
}

/// Puts the units held for this shopper into their cart at the sale's price (the line
/// keeps the hold's quantity); checkout then takes the hold over.
pub async fn buy(fs: &FlashSales, sale_id: i64, given: Option<&str>) -> Result<(), FlashError> {
    let (v, place) = proven(fs, sale_id, given).await?;
    let mut tx = fs.pool.begin().await.map_err(unavailable)?;
    let held = sqlx::query!(
        r#"SELECT e.quantity, f.variant_id, f.sale_price_minor, f.currency::text AS "currency!"
             FROM flash_entries e JOIN flash_sales f ON f.id = e.sale_id
            WHERE e.id = $1 AND e.sale_id = $2 AND e.user_id = $3
              AND e.state = 'admitted' AND e.hold_expires_at > now()
              FOR UPDATE OF e"#,
        place.entry_id,
        sale_id,
        place.user_id,
    )
    .fetch_optional(&mut *tx)
    .await
    .map_err(unavailable)?
    .ok_or_else(|| FlashError::Refused("nothing is held for you in this sale right now".into()))?;
    let cart = crate::cart::ssr::ensure_cart(&mut tx, v.session)
        .await
        .map_err(unavailable)?;
    sqlx::query!(
        "INSERT INTO cart_lines (cart_id, variant_id, quantity, unit_price_minor, currency, flash_entry_id)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (cart_id, variant_id) DO UPDATE
            SET quantity = EXCLUDED.quantity, unit_price_minor = EXCLUDED.unit_price_minor,
                currency = EXCLUDED.currency, flash_entry_id = EXCLUDED.flash_entry_id,
                updated_at = now()",
        cart,
        held.variant_id,
        held.quantity,
        held.sale_price_minor,
        held.currency,
        place.entry_id,
    )
    .execute(&mut *tx)
    .await
    .map_err(unavailable)?;
    tx.commit().await.map_err(unavailable)?;
    if v.cart_id != Some(cart) {
        // The account's sessions were remembered without this cart (it may be new).
        fs.sessions.cache.evict_user(place.user_id);
    }
    session::forget();
    Ok(())
}

/// Joins the waitlist, after being told every unit was taken: the next units that come
/// back are offered in the order people joined it. A shopper whose turn came and went
/// (a hold that ran out, an order that failed) had their turn: no second one.
pub async fn waitlist(
    fs: &FlashSales,
    sale_id: i64,
    given: Option<&str>,
) -> Result<SalePage, FlashError> {
    let (_, place) = proven(fs, sale_id, given).await?;
    let done = sqlx::query!(
        "UPDATE flash_entries e SET state = 'waitlisted', waitlisted_at = now(), updated_at = now()
           FROM flash_sales f
          WHERE e.id = $1 AND e.sale_id = $2 AND f.id = e.sale_id
            AND f.state <> 'ended' AND f.ends_at > now()
            AND e.state = 'sold_out'",
        place.entry_id,
        sale_id
    )
    .execute(&fs.pool)
    .await
    .map_err(unavailable)?;
    if done.rows_affected() == 0 {
        let page = page(fs, sale_id, None).await?;
        if !matches!(page.standing, Standing::Waitlisted { .. }) {
            return Err(FlashError::Refused(
                "the waitlist is for shoppers told the units were gone, while the sale lasts"
                    .into(),
            ));
        }
        return Ok(page);
    }
    page(fs, sale_id, None).await
}

/// The sale a product's page announces, if one of its variants has one that has not
/// ended: the live one first, else the next to start. From the instance's list of open
/// sales, read again when older than a few seconds (product pages stay one cache hit).
pub async fn banner(
    fs: &FlashSales,
    slug: &str,
) -> Result<Option<crate::flash_sale::model::SaleBanner>, FlashError> {
    let open = fs.open_sales().await?;
    let now = Utc::now();
    let Some(found) = open
        .iter()
        .filter(|o| o.slug == slug && o.banner.ends_at > now)
        .min_by_key(|o| o.banner.starts_at)
    else {
        return Ok(None);
    };
    let mut b = found.banner.clone();
    b.now = now;
    if b.starts_at <= now {
        b.state = SaleState::Live;
    }
    Ok(Some(b))
}

/// A sale that has not ended, with its product's slug.
#[derive(Debug, Clone)]
pub struct OpenSale {
    pub slug: String,
    pub banner: crate::flash_sale::model::SaleBanner,
}

/// Every sale that has not ended, as the database says now.
pub(super) async fn read_open_sales(pool: &sqlx::PgPool) -> Result<Vec<OpenSale>, FlashError> {
    let rows = sqlx::query!(
        r#"SELECT f.id, p.slug, v.sku, f.sale_price_minor, f.currency::text AS "currency!",
                  f.starts_at, f.ends_at, f.state::text AS "state!", now() AS "now!"
             FROM flash_sales f
             JOIN variants v ON v.id = f.variant_id
             JOIN products p ON p.id = v.product_id
            WHERE f.state <> 'ended' AND f.ends_at > now()"#
    )
    .fetch_all(pool)
    .await
    .map_err(unavailable)?;
    rows.into_iter()
        .map(|r| {
            Ok(OpenSale {
                slug: r.slug,
                banner: crate::flash_sale::model::SaleBanner {
                    id: r.id,
                    sku: r.sku,
                    sale_price: money(r.sale_price_minor, &r.currency)?,
                    starts_at: r.starts_at,
                    ends_at: r.ends_at,
                    now: r.now,
                    state: SaleState::parse(&r.state),
                },
            })
        })
        .collect()
}
