//! Discount codes from the admin: the board with uses and revenue, creating, changing the
//! window, minimum spend and limits, ending now. Each in one transaction with its audit
//! entry.

use super::model::{CodeRow, DiscountBoard};
use crate::audit::{Actor, Change};
use crate::discounts::model::{DiscountKind, DiscountRule, normalize_code};
use crate::discounts::ssr::{CodeForm, CreateError, NewCode};
use crate::money::{Currency, Money};
use crate::staff::model::AdminError;
use crate::staff::ssr::unavailable;
use chrono::{DateTime, NaiveDateTime, Utc};
use sqlx::PgPool;

/// A `datetime-local` value (UTC), or none when empty.
pub fn when(text: &str, what: &str) -> Result<Option<DateTime<Utc>>, AdminError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S"))
        .map(|t| Some(t.and_utc()))
        .map_err(|_| {
            AdminError::InvalidInput(format!(
                "the {what} must be a date and time such as 2026-12-24T09:00"
            ))
        })
}

/// A limit typed in a form (empty: none).
pub fn limit(text: &str, what: &str) -> Result<Option<i32>, AdminError> {
    match text.trim() {
        "" => Ok(None),
        t => match t.parse::<i32>() {
            Ok(n) if n > 0 => Ok(Some(n)),
            _ => Err(AdminError::InvalidInput(format!(
                "the {what} must be a whole number of at least 1"
            ))),
        },
    }
}

pub async fn board(pool: &PgPool) -> Result<DiscountBoard, AdminError> {
    let rules = sqlx::query_as!(
        DiscountRule,
        r#"SELECT code, kind AS "kind: DiscountKind", amount, currency AS "currency: Currency",
                  min_subtotal_minor, starts_at, ends_at, max_uses, max_uses_per_customer, uses, active
             FROM discount_codes ORDER BY created_at DESC, code LIMIT 500"#
    )
    .fetch_all(pool)
    .await
    .map_err(unavailable)?;
    let figures = sqlx::query!(
        r#"SELECT discount_code AS "code!", currency AS "currency: Currency", count(*) AS "orders!",
                  sum(total_minor)::bigint AS "revenue!", sum(discount_minor)::bigint AS "given!"
             FROM orders
            WHERE discount_code IS NOT NULL
              AND status IN ('confirmed', 'fulfilment', 'shipped', 'delivered', 'refunded', 'partially_refunded')
            GROUP BY discount_code, currency"#
    )
    .fetch_all(pool)
    .await
    .map_err(unavailable)?;
    let now = Utc::now();
    Ok(DiscountBoard {
        codes: rules
            .into_iter()
            .map(|rule| {
                let mine: Vec<_> = figures.iter().filter(|f| f.code == rule.code).collect();
                let live = rule.active
                    && rule.starts_at.is_none_or(|s| s <= now)
                    && rule.ends_at.is_none_or(|e| e > now)
                    && rule.max_uses.is_none_or(|m| rule.uses < m);
                CodeRow {
                    revenue: mine
                        .iter()
                        .map(|f| Money::from_minor(f.revenue, f.currency))
                        .collect(),
                    given: mine
                        .iter()
                        .map(|f| Money::from_minor(f.given, f.currency))
                        .collect(),
                    orders: mine.iter().map(|f| f.orders).sum(),
                    live,
                    rule,
                }
            })
            .collect(),
    })
}

async fn rule(tx: &mut sqlx::PgConnection, code: &str) -> Result<DiscountRule, AdminError> {
    sqlx::query_as!(
        DiscountRule,
        r#"SELECT code, kind AS "kind: DiscountKind", amount, currency AS "currency: Currency",
                  min_subtotal_minor, starts_at, ends_at, max_uses, max_uses_per_customer, uses, active
             FROM discount_codes WHERE code = $1 FOR UPDATE"#,
        normalize_code(code)
    )
    .fetch_optional(&mut *tx)
    .await
    .map_err(unavailable)?
    .ok_or(AdminError::NotFound)
}

fn change<'a>(
    action: &'a str,
    code: &str,
    before: Option<&DiscountRule>,
    after: &DiscountRule,
) -> Change<'a> {
    Change {
        action,
        entity: "discount",
        entity_id: code.to_owned(),
        before: before.map(|b| serde_json::to_value(b).unwrap_or_default()),
        after: Some(serde_json::to_value(after).unwrap_or_default()),
    }
}

/// Creates a code from the form, audited.
pub async fn create(pool: &PgPool, actor: &Actor, form: CodeForm) -> Result<String, AdminError> {
    let new = NewCode::try_from(form).map_err(AdminError::InvalidInput)?;
    let mut tx = pool.begin().await.map_err(unavailable)?;
    crate::discounts::ssr::create(&mut tx, &new)
        .await
        .map_err(|e| match e {
            CreateError::Exists(c) => AdminError::Conflict(format!("the code {c} exists already")),
            CreateError::Refused(_) => AdminError::InvalidInput(e.to_string()),
            CreateError::Database(e) => unavailable(e),
        })?;
    let after = rule(&mut tx, &new.code).await?;
    crate::audit::record(
        &mut tx,
        actor,
        change("discount.create", &new.code, None, &after),
    )
    .await
    .map_err(unavailable)?;
    tx.commit().await.map_err(unavailable)?;
    Ok(new.code)
}

/// What may change on a code that exists (its kind and amount stay, so every order that
/// used it was priced by the same rule).
#[derive(Debug, Clone)]
pub struct Changes {
    pub min_spend: String,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub max_uses: Option<i32>,
    pub max_uses_per_customer: Option<i32>,
    pub active: bool,
}

pub async fn update(
    pool: &PgPool,
    actor: &Actor,
    code: &str,
    c: Changes,
) -> Result<(), AdminError> {
    let mut tx = pool.begin().await.map_err(unavailable)?;
    let before = rule(&mut tx, code).await?;
    let min = match c.min_spend.trim() {
        "" => 0,
        text => Money::parse_major(text, before.currency.unwrap_or(Currency::USD))
            .map_err(|e| AdminError::InvalidInput(format!("the minimum spend: {e}")))?
            .minor(),
    };
    if let (Some(s), Some(e)) = (c.starts_at, c.ends_at)
        && s >= e
    {
        return Err(AdminError::InvalidInput(
            "a code's window must start before it ends".into(),
        ));
    }
    if c.max_uses.is_some_and(|m| m < before.uses) {
        return Err(AdminError::InvalidInput(format!(
            "it has been used {} times already; the limit cannot be lower",
            before.uses
        )));
    }
    sqlx::query!(
        "UPDATE discount_codes SET min_subtotal_minor = $2, starts_at = $3, ends_at = $4,
                max_uses = $5, max_uses_per_customer = $6, active = $7
          WHERE code = $1",
        before.code,
        min,
        c.starts_at,
        c.ends_at,
        c.max_uses,
        c.max_uses_per_customer,
        c.active
    )
    .execute(&mut *tx)
    .await
    .map_err(unavailable)?;
    let after = rule(&mut tx, code).await?;
    if after != before {
        crate::audit::record(
            &mut tx,
            actor,
            change("discount.update", &before.code, Some(&before), &after),
        )
        .await
        .map_err(unavailable)?;
    }
    tx.commit().await.map_err(unavailable)?;
    Ok(())
}

/// Ends a code now: no order placed from now on can use it.
pub async fn end(pool: &PgPool, actor: &Actor, code: &str) -> Result<bool, AdminError> {
    let mut tx = pool.begin().await.map_err(unavailable)?;
    let before = rule(&mut tx, code).await?;
    if !before.active && before.ends_at.is_some_and(|e| e <= Utc::now()) {
        return Ok(false);
    }
    sqlx::query!(
        "UPDATE discount_codes SET active = false,
                ends_at = CASE WHEN ends_at IS NULL OR ends_at > now() THEN now() ELSE ends_at END,
                starts_at = CASE WHEN starts_at >= now() THEN NULL ELSE starts_at END
          WHERE code = $1",
        before.code
    )
    .execute(&mut *tx)
    .await
    .map_err(unavailable)?;
    let after = rule(&mut tx, code).await?;
    crate::audit::record(
        &mut tx,
        actor,
        change("discount.end", &before.code, Some(&before), &after),
    )
    .await
    .map_err(unavailable)?;
    tx.commit().await.map_err(unavailable)?;
    Ok(true)
}
