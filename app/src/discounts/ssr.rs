//! Discount codes on the server: the rules of a code, how often a customer has used it,
//! the redemption made in the order's own transaction, and new codes.

use super::model::{DiscountKind, DiscountRule, normalize_code};
use crate::db::{Refusal, refusal};
use crate::money::{Currency, Money};
use sqlx::PgConnection;

/// Who is buying, as a code's per-customer limit counts them: by account when signed in,
/// and by the person behind each address involved (the order's, and the account's own),
/// so neither a new address, a `+tag` nor signing out makes a new customer.
#[derive(Debug, Clone)]
pub struct Customer {
    user_id: Option<i64>,
    /// The identity of the order's address (`email_identity`), recorded with a use.
    order_key: Option<String>,
    /// Every identity whose uses count.
    keys: Vec<String>,
}

impl Customer {
    /// The buyer of an order: `order_email` and `account_email` are normalised addresses.
    pub fn new(user_id: Option<i64>, order_email: &str, account_email: Option<&str>) -> Self {
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
            order_key: Some(order_key),
            keys,
        }
    }

    /// A signed-in customer as the checkout page counts them: by the account alone (a
    /// typed address must not tell the page who has used a code).
    pub fn account(user_id: i64, account_email: &str) -> Self {
        Customer {
            user_id: Some(user_id),
            order_key: None,
            keys: vec![crate::account::model::email_identity(account_email)],
        }
    }
}

/// The code's rules, if there is such a code.
pub async fn rule(
    conn: &mut PgConnection,
    code: &str,
) -> Result<Option<DiscountRule>, sqlx::Error> {
    sqlx::query_as!(
        DiscountRule,
        r#"SELECT code, kind AS "kind: DiscountKind", amount, currency AS "currency: Currency",
                  min_subtotal_minor, starts_at, ends_at, max_uses, max_uses_per_customer, uses, active
             FROM discount_codes WHERE code = $1"#,
        code
    )
    .fetch_optional(conn)
    .await
}

/// How often `customer` has used `code`.
async fn uses_by(
    conn: &mut PgConnection,
    code: &str,
    customer: &Customer,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM discount_redemptions
            WHERE code = $1 AND (email_key = ANY($2) OR user_id = $3)"#,
        code,
        &customer.keys,
        customer.user_id
    )
    .fetch_one(conn)
    .await
}

/// What `code` takes off `subtotal` for `customer` now, or why it does not apply. Read
/// in the statements' own snapshots: under the code's row lock ([`lock`]) they include
/// every committed redemption.
pub async fn quote(
    conn: &mut PgConnection,
    code: &str,
    subtotal: Money,
    customer: Option<&Customer>,
) -> Result<Result<Money, String>, sqlx::Error> {
    let Some(rule) = rule(conn, code).await? else {
        return Ok(Err(format!("the code {code} is not valid")));
    };
    let used = match customer {
        Some(c) => uses_by(conn, code, c).await?,
        None => 0,
    };
    Ok(rule.apply(subtotal, chrono::Utc::now(), used))
}

/// Locks the code's row for the rest of `tx`: uses are counted and recorded under it.
/// Taken before an order's foreign key takes its share lock on the same row, so two
/// checkouts never wait on each other in a circle.
pub async fn lock(tx: &mut PgConnection, code: &str) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "SELECT 1 AS one FROM discount_codes WHERE code = $1 FOR UPDATE",
        code
    )
    .fetch_optional(tx)
    .await?;
    Ok(())
}

/// Why a redemption was refused.
#[derive(Debug, thiserror::Error)]
pub enum RedeemError {
    /// The code no longer gives what the shopper was shown.
    #[error(
        "the code {0} has changed since you saw your totals; review them and place the order again"
    )]
    Changed(String),
    /// The code no longer applies, and why.
    #[error("{0}")]
    Refused(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Records `order_id`'s use of `code` in the order's transaction, under the code's lock
/// ([`lock`] first): the rules and uses are checked again and must still give `quoted`.
/// A cancellation gives the use back (a trigger on orders).
pub async fn redeem(
    tx: &mut PgConnection,
    order_id: i64,
    code: &str,
    subtotal: Money,
    quoted: Money,
    customer: &Customer,
    email: &str,
) -> Result<(), RedeemError> {
    match quote(tx, code, subtotal, Some(customer)).await? {
        Ok(off) if off == quoted => {}
        Ok(_) => return Err(RedeemError::Changed(code.to_owned())),
        Err(why) => return Err(RedeemError::Refused(why)),
    }
    sqlx::query!(
        "WITH counted AS (UPDATE discount_codes SET uses = uses + 1 WHERE code = $2)
         INSERT INTO discount_redemptions (order_id, code, customer, user_id, email_key)
         VALUES ($1, $2, $3, $4, $5)",
        order_id,
        code,
        email,
        customer.user_id,
        customer.order_key.as_deref().unwrap_or(email)
    )
    .execute(tx)
    .await?;
    Ok(())
}

/// A new code, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCode {
    pub code: String,
    pub kind: DiscountKind,
    pub amount: i64,
    pub currency: Option<Currency>,
    pub min_subtotal_minor: i64,
    pub starts_at: Option<chrono::DateTime<chrono::Utc>>,
    pub ends_at: Option<chrono::DateTime<chrono::Utc>>,
    pub max_uses: Option<i32>,
    pub max_uses_per_customer: Option<i32>,
}

/// What a merchant types for a new code (the `discount add` command, and the admin).
#[derive(Debug, Clone, Default)]
pub struct CodeForm {
    pub code: String,
    /// A percentage off the goods, such as `10` or `12.5`.
    pub percent: Option<String>,
    /// A fixed amount off, in major units of `currency`, such as `5.00`.
    pub fixed: Option<String>,
    pub currency: Option<String>,
    /// A minimum spend in major units of `currency` (of the order's, without one).
    pub min_spend: Option<String>,
    pub starts_at: Option<chrono::DateTime<chrono::Utc>>,
    pub ends_at: Option<chrono::DateTime<chrono::Utc>>,
    pub max_uses: Option<i32>,
    pub max_uses_per_customer: Option<i32>,
}

/// A percentage with at most two decimals as basis points (`12.5` is 1250), exactly.
pub fn basis_points(percent: &str) -> Result<i64, String> {
    // A percentage with two decimals is a count of hundredths: the same exact parser as
    // an amount of a two-decimal currency.
    let bp = Money::parse_major(percent, Currency::USD)
        .map_err(|_| format!("`{percent}` is not a percentage (such as 10 or 12.5)"))?
        .minor();
    if !(1..=10_000).contains(&bp) {
        return Err("the percentage must be more than 0 and at most 100".into());
    }
    Ok(bp)
}

impl TryFrom<CodeForm> for NewCode {
    type Error = String;

    fn try_from(form: CodeForm) -> Result<Self, Self::Error> {
        let code = normalize_code(&form.code);
        let currency = form
            .currency
            .as_deref()
            .map(Currency::parse)
            .transpose()
            .map_err(|e| e.to_string())?;
        let minor = |text: &str, what: &str| -> Result<i64, String> {
            let c = currency.ok_or_else(|| format!("{what} needs a currency"))?;
            Money::parse_major(text, c)
                .map(|m| m.minor())
                .map_err(|e| format!("{what}: {e}"))
        };
        let (kind, amount) = match (&form.percent, &form.fixed) {
            (Some(p), None) => (DiscountKind::Percentage, basis_points(p)?),
            (None, Some(f)) => (DiscountKind::Fixed, minor(f, "a fixed amount")?),
            _ => return Err("give either a percentage or a fixed amount".into()),
        };
        if amount <= 0 {
            return Err("the amount off must be more than zero".into());
        }
        let min_subtotal_minor = match &form.min_spend {
            Some(m) => match currency {
                Some(_) => minor(m, "the minimum spend")?,
                // Without a currency, a minimum spend in two-decimal units of the order's.
                None => Money::parse_major(m, Currency::USD)
                    .map(|m| m.minor())
                    .map_err(|e| format!("the minimum spend: {e}"))?,
            },
            None => 0,
        };
        if let (Some(s), Some(e)) = (form.starts_at, form.ends_at)
            && s >= e
        {
            return Err("a code's window must start before it ends".into());
        }
        if form.max_uses.is_some_and(|m| m <= 0)
            || form.max_uses_per_customer.is_some_and(|m| m <= 0)
        {
            return Err("limits must be at least 1".into());
        }
        Ok(NewCode {
            code,
            kind,
            amount,
            currency,
            min_subtotal_minor,
            starts_at: form.starts_at,
            ends_at: form.ends_at,
            max_uses: form.max_uses,
            max_uses_per_customer: form.max_uses_per_customer,
        })
    }
}

/// Why a new code was not created.
#[derive(Debug, thiserror::Error)]
pub enum CreateError {
    #[error("the code {0} exists already")]
    Exists(String),
    #[error(
        "the code was refused ({0}): codes are 3 to 32 letters, digits, - or _; limits are \
         positive; a window starts before it ends"
    )]
    Refused(String),
    #[error(transparent)]
    Database(sqlx::Error),
}

/// Creates a code (in the caller's transaction, when it has one).
pub async fn create(conn: &mut PgConnection, new: &NewCode) -> Result<(), CreateError> {
    let result = sqlx::query!(
        "INSERT INTO discount_codes (code, kind, amount, currency, min_subtotal_minor, starts_at,
                                     ends_at, max_uses, max_uses_per_customer)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        new.code,
        new.kind as DiscountKind,
        new.amount,
        new.currency as Option<Currency>,
        new.min_subtotal_minor,
        new.starts_at,
        new.ends_at,
        new.max_uses,
        new.max_uses_per_customer,
    )
    .execute(conn)
    .await;
    match result {
        Ok(_) => Ok(()),
        Err(e) => Err(match refusal(&e) {
            Some(Refusal::Duplicate(_)) => CreateError::Exists(new.code.clone()),
            Some(Refusal::Check(name)) => CreateError::Refused(name),
            _ => CreateError::Database(e),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_are_exact() {
        assert_eq!(basis_points("10"), Ok(1_000));
        assert_eq!(basis_points("12.5"), Ok(1_250));
        assert_eq!(basis_points("0.01"), Ok(1));
        assert_eq!(basis_points("100"), Ok(10_000));
        for bad in ["0", "100.01", "-5", "ten", "12.345", ""] {
            assert!(basis_points(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn forms_become_codes_or_say_why_not() {
        let ok = NewCode::try_from(CodeForm {
            code: " spring10 ".into(),
            percent: Some("10".into()),
            min_spend: Some("20".into()),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(ok.code, "SPRING10");
        assert_eq!(
            (ok.kind, ok.amount, ok.min_subtotal_minor),
            (DiscountKind::Percentage, 1_000, 2_000)
        );
        let fixed = NewCode::try_from(CodeForm {
            code: "FIVE".into(),
            fixed: Some("5.00".into()),
            currency: Some("gbp".into()),
            ..Default::default()
        })
        .unwrap();
        assert_eq!((fixed.amount, fixed.currency), (500, Some(Currency::GBP)));
        for (form, says) in [
            (
                CodeForm {
                    code: "X1X".into(),
                    ..Default::default()
                },
                "either",
            ),
            (
                CodeForm {
                    code: "X1X".into(),
                    fixed: Some("5".into()),
                    ..Default::default()
                },
                "currency",
            ),
            (
                CodeForm {
                    code: "X1X".into(),
                    percent: Some("5".into()),
                    max_uses: Some(0),
                    ..Default::default()
                },
                "at least 1",
            ),
        ] {
            let e = NewCode::try_from(form).unwrap_err();
            assert!(e.contains(says), "{e}");
        }
    }
}
