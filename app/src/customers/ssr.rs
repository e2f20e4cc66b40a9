//! Customers on the server: the list, one customer whole, disabling, the JSON export and
//! erasure. Only customer accounts are touched here (staff are the staff page's).

use super::model::{
    CustomerDetail, CustomerFilter, CustomerList, CustomerOrder, CustomerRow, PAGE_SIZE,
};
use crate::audit::{Actor, Change};
use crate::money::{Currency, Money};
use crate::orders::model::OrderStatus;
use crate::staff::model::AdminError;
use crate::staff::ssr::{Staff, unavailable};
use sqlx::{PgConnection, PgPool};

/// Orders that count as money in: paid, whatever happened after.
const PAID: &str =
    "('confirmed', 'fulfilment', 'shipped', 'delivered', 'refunded', 'partially_refunded')";

fn spent(rows: Vec<(String, i64)>) -> Vec<Money> {
    rows.into_iter()
        .filter_map(|(c, minor)| {
            Currency::parse(&c)
                .ok()
                .map(|c| Money::from_minor(minor, c))
        })
        .collect()
}

/// What each customer in `ids` has spent (paid orders less refunds given), per currency.
async fn spent_by(pool: &PgPool, ids: &[i64]) -> Result<Vec<(i64, String, i64)>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT o.user_id, o.currency::text,
                (sum(o.total_minor) - coalesce(sum((SELECT sum(f.amount_minor) FROM refunds f
                                                     WHERE f.order_id = o.id AND f.status = 'done')), 0))::bigint
           FROM orders o
          WHERE o.user_id = ANY($1) AND o.status IN {PAID}
          GROUP BY o.user_id, o.currency ORDER BY o.user_id, o.currency"
    ))
    .bind(ids)
    .fetch_all(pool)
    .await
}

pub async fn list(pool: &PgPool, filter: &CustomerFilter) -> Result<CustomerList, AdminError> {
    let q = filter.q.trim().to_lowercase();
    if q.chars().count() > 254 {
        return Err(AdminError::InvalidInput("the search is too long".into()));
    }
    let after = match filter.after.trim() {
        "" => None,
        a => Some(
            a.parse::<i64>()
                .map_err(|_| AdminError::InvalidInput("that page does not exist".into()))?,
        ),
    };
    let escaped: String = q
        .chars()
        .flat_map(|c| {
            if matches!(c, '%' | '_' | '\\') {
                vec!['\\', c]
            } else {
                vec![c]
            }
        })
        .collect();
    let (prefix, contains) = if q.is_empty() {
        (None, None)
    } else {
        (Some(format!("{escaped}%")), Some(format!("%{escaped}%")))
    };
    let mut rows = sqlx::query!(
        r#"SELECT u.id, u.email, u.name, u.created_at, u.disabled_at IS NOT NULL AS "disabled!",
                  u.erased_at IS NOT NULL AS "erased!",
                  (SELECT count(*) FROM orders o WHERE o.user_id = u.id) AS "orders!"
             FROM users u
            WHERE u.role = 'customer'
              AND ($1::text IS NULL OR u.email LIKE $1 OR lower(u.name) LIKE $2)
              AND ($3::bigint IS NULL OR u.id < $3)
            ORDER BY u.id DESC LIMIT $4"#,
        prefix,
        contains,
        after,
        PAGE_SIZE + 1
    )
    .fetch_all(pool)
    .await
    .map_err(unavailable)?;
    let next = (rows.len() as i64 > PAGE_SIZE).then(|| {
        rows.truncate(PAGE_SIZE as usize);
        rows.last().map(|r| r.id.to_string()).unwrap_or_default()
    });
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let money = spent_by(pool, &ids).await.map_err(unavailable)?;
    Ok(CustomerList {
        rows: rows
            .into_iter()
            .map(|r| CustomerRow {
                spent: spent(
                    money
                        .iter()
                        .filter(|(id, ..)| *id == r.id)
                        .map(|(_, c, m)| (c.clone(), *m))
                        .collect(),
                ),
                id: r.id,
                email: r.email,
                name: r.name,
                orders: r.orders,
                joined: r.created_at.format("%Y-%m-%d").to_string(),
                disabled: r.disabled,
                erased: r.erased,
            })
            .collect(),
        next,
    })
}

pub async fn detail(pool: &PgPool, id: i64) -> Result<CustomerDetail, AdminError> {
    let u = sqlx::query!(
        r#"SELECT id, email, name, created_at, email_verified_at IS NOT NULL AS "verified!",
                  disabled_at IS NOT NULL AS "disabled!", erased_at IS NOT NULL AS "erased!"
             FROM users WHERE id = $1 AND role = 'customer'"#,
        id
    )
    .fetch_optional(pool)
    .await
    .map_err(unavailable)?
    .ok_or(AdminError::NotFound)?;
    let addresses = sqlx::query!(
        "SELECT full_name, line1, line2, city, region, postal_code, country, phone
           FROM addresses WHERE user_id = $1 ORDER BY id",
        id
    )
    .fetch_all(pool)
    .await
    .map_err(unavailable)?
    .into_iter()
    .map(|a| {
        [
            a.full_name,
            a.line1,
            a.line2,
            a.city,
            a.region,
            a.postal_code,
            a.country,
            a.phone,
        ]
        .into_iter()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
    })
    .collect();
    let orders = sqlx::query!(
        r#"SELECT number, status AS "status: OrderStatus", total_minor,
                  currency AS "currency: Currency", created_at
             FROM orders WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT 200"#,
        id
    )
    .fetch_all(pool)
    .await
    .map_err(unavailable)?
    .into_iter()
    .map(|o| CustomerOrder {
        number: o.number,
        status: o.status,
        total: Money::from_minor(o.total_minor, o.currency),
        placed: o.created_at.format("%Y-%m-%d").to_string(),
    })
    .collect();
    let money = spent_by(pool, &[id]).await.map_err(unavailable)?;
    Ok(CustomerDetail {
        id: u.id,
        email: u.email,
        name: u.name,
        joined: u.created_at.format("%Y-%m-%d").to_string(),
        verified: u.verified,
        disabled: u.disabled,
        erased: u.erased,
        addresses,
        orders,
        spent: spent(money.into_iter().map(|(_, c, m)| (c, m)).collect()),
        key: crate::admin::requests::new_key(),
    })
}

/// Locks a customer account (not staff), returning its e-mail address and whether it
/// is disabled and erased.
async fn lock_customer(
    conn: &mut PgConnection,
    id: i64,
) -> Result<(String, bool, bool), AdminError> {
    let row = sqlx::query!(
        r#"SELECT email, role::text AS "role!", disabled_at IS NOT NULL AS "disabled!",
                  erased_at IS NOT NULL AS "erased!"
             FROM users WHERE id = $1 FOR UPDATE"#,
        id
    )
    .fetch_optional(&mut *conn)
    .await
    .map_err(unavailable)?
    .ok_or(AdminError::NotFound)?;
    if row.role != "customer" {
        // Staff accounts are managed on the staff page, by those who may.
        return Err(AdminError::NotFound);
    }
    Ok((row.email, row.disabled, row.erased))
}

fn change(
    action: &str,
    id: i64,
    before: serde_json::Value,
    after: serde_json::Value,
) -> Change<'_> {
    Change {
        action,
        entity: "customer",
        entity_id: id.to_string(),
        before: Some(before),
        after: Some(after),
    }
}

/// Disables a customer account (its sessions end at once) or enables it again.
pub async fn set_disabled(
    staff: &Staff,
    actor: &Actor,
    id: i64,
    disabled: bool,
) -> Result<bool, AdminError> {
    let mut tx = staff.pool().begin().await.map_err(unavailable)?;
    let (_, was, erased) = lock_customer(&mut tx, id).await?;
    if erased && !disabled {
        return Err(AdminError::Conflict(
            "an erased account stays closed".into(),
        ));
    }
    if was == disabled {
        return Ok(false);
    }
    crate::staff::ssr::members::disable_account(&mut tx, staff, id, disabled).await?;
    crate::audit::record(
        &mut tx,
        actor,
        change(
            if disabled {
                "customer.disable"
            } else {
                "customer.enable"
            },
            id,
            serde_json::json!({ "disabled": was }),
            serde_json::json!({ "disabled": disabled }),
        ),
    )
    .await
    .map_err(unavailable)?;
    tx.commit().await.map_err(unavailable)?;
    Ok(true)
}

/// Everything the shop holds about a customer, as JSON (recorded in the audit log).
pub async fn export(
    pool: &PgPool,
    actor: &Actor,
    id: i64,
) -> Result<serde_json::Value, AdminError> {
    let mut tx = pool.begin().await.map_err(unavailable)?;
    lock_customer(&mut tx, id).await?;
    let data = sqlx::query_scalar!(
        r#"SELECT jsonb_build_object(
             'account', (SELECT jsonb_build_object('id', u.id, 'email', u.email, 'name', u.name,
                                 'created_at', u.created_at, 'email_verified_at', u.email_verified_at,
                                 'disabled_at', u.disabled_at, 'erased_at', u.erased_at)
                           FROM users u WHERE u.id = $1),
             'addresses', coalesce((SELECT jsonb_agg(to_jsonb(a) - 'user_id' ORDER BY a.id)
                                      FROM addresses a WHERE a.user_id = $1), '[]'::jsonb),
             'orders', coalesce((SELECT jsonb_agg(jsonb_build_object(
                                   'number', o.number, 'placed_at', o.created_at, 'status', o.status,
                                   'currency', o.currency, 'total', o.total_minor, 'email', o.email,
                                   'shipping_address', o.shipping_address,
                                   'client_address', host(o.client_addr),
                                   'lines', (SELECT jsonb_agg(jsonb_build_object('sku', l.sku,
                                                 'title', l.title, 'quantity', l.quantity,
                                                 'unit_price', l.unit_price_minor) ORDER BY l.position)
                                               FROM order_lines l WHERE l.order_id = o.id))
                                   ORDER BY o.created_at)
                                 FROM orders o WHERE o.user_id = $1), '[]'::jsonb),
             'sessions', (SELECT count(*) FROM sessions s WHERE s.user_id = $1)
           ) AS "data!""#,
        id
    )
    .fetch_one(&mut *tx)
    .await
    .map_err(unavailable)?;
    crate::audit::record(
        &mut tx,
        actor,
        change(
            "customer.export",
            id,
            serde_json::json!({}),
            serde_json::json!({ "exported": true }),
        ),
    )
    .await
    .map_err(unavailable)?;
    tx.commit().await.map_err(unavailable)?;
    Ok(data)
}

/// Erases a customer on request: the account keeps its id (its orders stay in the books
/// with their amounts and lines) but no name, address, e-mail address, password or
/// session; the orders lose their e-mail and delivery addresses; mail to them and their
/// sign-in records go. Typing the account's e-mail address confirms it. Once per account.
pub async fn erase(
    staff: &Staff,
    actor: &Actor,
    id: i64,
    confirm: &str,
) -> Result<bool, AdminError> {
    let mut tx = staff.pool().begin().await.map_err(unavailable)?;
    let (email, _, erased) = lock_customer(&mut tx, id).await?;
    if erased {
        return Ok(false);
    }
    if confirm.trim().to_lowercase() != email {
        return Err(AdminError::InvalidInput(
            "type the customer's e-mail address to confirm the erasure".into(),
        ));
    }
    let gone = format!("erased-{id}@erased.invalid");
    crate::staff::ssr::members::disable_account(&mut tx, staff, id, true).await?;
    let statements: [(&str, &str); 9] = [
        ("addresses", "DELETE FROM addresses WHERE user_id = $1"),
        ("carts", "DELETE FROM carts WHERE user_id = $1"),
        ("resets", "DELETE FROM password_resets WHERE user_id = $1"),
        (
            "confirmations",
            "DELETE FROM email_confirmations WHERE user_id = $1",
        ),
        ("failures", "DELETE FROM sign_in_failures WHERE email = $2"),
        ("mail", "DELETE FROM emails WHERE lower(to_address) = $2"),
        (
            "orders",
            "UPDATE orders SET email = $3, shipping_address = '{\"erased\": true}'::jsonb,
                               client_addr = NULL
              WHERE user_id = $1 OR lower(email) = $2",
        ),
        (
            "payments",
            "UPDATE payments SET card_token = NULL
              WHERE order_id IN (SELECT id FROM orders WHERE user_id = $1)",
        ),
        (
            "account",
            "UPDATE users SET email = $3, name = '', password_hash = '$argon2id$erased',
                    erased_at = now() WHERE id = $1",
        ),
    ];
    for (what, sql) in statements {
        sqlx::query(sql)
            .bind(id)
            .bind(&email)
            .bind(&gone)
            .execute(&mut *tx)
            .await
            .map_err(|e| {
                tracing::error!(what, error = %e, "erasing a customer failed");
                AdminError::Unavailable
            })?;
    }
    sqlx::query(
        "UPDATE discount_redemptions SET customer = $2, email_key = $2
          WHERE order_id IN (SELECT id FROM orders WHERE user_id = $1)",
    )
    .bind(id)
    .bind(format!("erased:{id}"))
    .execute(&mut *tx)
    .await
    .map_err(unavailable)?;
    // The log keeps that it happened and to which account, never who they were.
    crate::audit::record(
        &mut tx,
        actor,
        change(
            "customer.erase",
            id,
            serde_json::json!({}),
            serde_json::json!({ "erased": true }),
        ),
    )
    .await
    .map_err(unavailable)?;
    tx.commit().await.map_err(unavailable)?;
    Ok(true)
}
