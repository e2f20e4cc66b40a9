//! Bulk actions on chosen products (status, category, prices by a percentage) as one
//! operation: every product changed in one transaction, each with its revision, and one
//! audit entry for the whole; any product refused refuses them all.

use super::edit::{Saved, apply, check, load, refusal};
use crate::audit::{Actor, Change};
use crate::catalog::model::ProductStatus;
use crate::money::Money;
use crate::staff::model::AdminError;
use crate::staff::ssr::unavailable;
use sqlx::PgPool;

/// The most products one bulk action changes.
pub const MAX: usize = 200;

#[derive(Debug, Clone, PartialEq)]
pub enum Bulk {
    Status(ProductStatus),
    Category(Option<i64>),
    /// Prices times (100 + percent) / 100, rounded to the minor unit.
    Price {
        percent_hundredths: i64,
    },
}

impl Bulk {
    pub fn parse(action: &str, value: &str) -> Result<Bulk, String> {
        let value = value.trim();
        match action.trim() {
            "status" => match value {
                "draft" => Ok(Bulk::Status(ProductStatus::Draft)),
                "active" => Ok(Bulk::Status(ProductStatus::Active)),
                "archived" => Ok(Bulk::Status(ProductStatus::Archived)),
                _ => Err("choose draft, active or archived".into()),
            },
            "category" => match value {
                "" => Ok(Bulk::Category(None)),
                v => v
                    .parse()
                    .map(|id| Bulk::Category(Some(id)))
                    .map_err(|_| "choose a category from the list".into()),
            },
            "price" => {
                let bad = || "give the change as a percentage, such as -10 or 5.5".to_owned();
                let (sign, digits) = match value.strip_prefix('-') {
                    Some(rest) => (-1, rest),
                    None => (1, value.strip_prefix('+').unwrap_or(value)),
                };
                let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
                if whole.is_empty()
                    || frac.len() > 2
                    || !whole.bytes().all(|b| b.is_ascii_digit())
                    || !frac.bytes().all(|b| b.is_ascii_digit())
                {
                    return Err(bad());
                }
                let hundredths = whole.parse::<i64>().map_err(|_| bad())? * 100
                    + format!("{frac:0<2}").parse::<i64>().map_err(|_| bad())?;
                let percent_hundredths = sign * hundredths;
                if !(-10_000..=100_000).contains(&percent_hundredths) || percent_hundredths == 0 {
                    return Err("a price change is between -100% and +1000%, and not 0".into());
                }
                Ok(Bulk::Price { percent_hundredths })
            }
            _ => Err("choose what to change".into()),
        }
    }

    fn describe(&self) -> String {
        match self {
            Bulk::Status(s) => format!("bulk: status {}", format!("{s:?}").to_lowercase()),
            Bulk::Category(Some(id)) => format!("bulk: category {id}"),
            Bulk::Category(None) => "bulk: no category".into(),
            Bulk::Price {
                percent_hundredths: p,
            } => {
                format!("bulk: prices {:+}.{:02}%", p / 100, (p % 100).abs())
            }
        }
    }
}

/// A price changed by a percentage (hundredths), half away from zero.
pub fn scaled(price: Money, percent_hundredths: i64) -> Money {
    let minor = i128::from(price.minor()) * i128::from(10_000 + percent_hundredths);
    let rounded = (minor + 5_000).div_euclid(10_000);
    Money::from_minor(rounded.max(0) as i64, price.currency())
}

/// Applies `bulk` to the products `ids`, once per form `key`. Returns how many changed.
pub async fn run(
    pool: &PgPool,
    actor: &Actor,
    ids: &[i64],
    bulk: &Bulk,
    key: &str,
) -> Result<usize, AdminError> {
    let key = crate::admin::requests::parse_key(key)?;
    if ids.is_empty() {
        return Err(AdminError::InvalidInput(
            "choose the products to change".into(),
        ));
    }
    if ids.len() > MAX {
        return Err(AdminError::InvalidInput(format!(
            "change at most {MAX} products at once"
        )));
    }
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let mut tx = pool.begin().await.map_err(unavailable)?;
    crate::audit::ssr::act_as(&mut tx, actor)
        .await
        .map_err(unavailable)?;
    if !crate::admin::requests::first_time(&mut tx, key, "product.bulk").await? {
        return Ok(0);
    }
    let note = bulk.describe();
    let mut changed = Vec::new();
    // In id order, so two bulk actions at once lock in the same order.
    for &id in &ids {
        let version =
            sqlx::query_scalar!("SELECT version FROM products WHERE id = $1 FOR UPDATE", id)
                .fetch_optional(&mut *tx)
                .await
                .map_err(unavailable)?
                .ok_or(AdminError::NotFound)?;
        let (_, mut draft, _) = load(&mut tx, id)
            .await
            .map_err(unavailable)?
            .ok_or(AdminError::NotFound)?;
        match bulk {
            Bulk::Status(s) => draft.status = *s,
            Bulk::Category(c) => draft.category_id = *c,
            Bulk::Price { percent_hundredths } => {
                for v in &mut draft.variants {
                    v.price = scaled(v.price, *percent_hundredths);
                }
            }
        }
        check(&draft).map_err(|e| AdminError::InvalidInput(format!("product {id}: {e}")))?;
        if let Saved::Changed(_) | Saved::Created(_) =
            apply(&mut tx, actor, Some(id), version, &draft, &note, false).await?
        {
            changed.push(id);
        }
    }
    crate::audit::record(
        &mut tx,
        actor,
        Change {
            action: "product.bulk",
            entity: "product",
            entity_id: String::new(),
            before: Some(serde_json::json!({ "products": ids, "action": note })),
            after: Some(serde_json::json!({ "changed": changed })),
        },
    )
    .await
    .map_err(unavailable)?;
    tx.commit().await.map_err(refusal)?;
    Ok(changed.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;

    #[test]
    fn actions_are_read_or_refused() {
        assert_eq!(
            Bulk::parse("price", "-10").unwrap(),
            Bulk::Price {
                percent_hundredths: -1_000
            }
        );
        assert_eq!(
            Bulk::parse("price", "+5.5").unwrap(),
            Bulk::Price {
                percent_hundredths: 550
            }
        );
        for (a, v) in [
            ("price", "ten"),
            ("price", "0"),
            ("price", "-101"),
            ("price", "1.234"),
            ("status", "gone"),
            ("category", "x"),
            ("delete", ""),
        ] {
            assert!(Bulk::parse(a, v).is_err(), "{a} {v}");
        }
        let usd = |m| Money::from_minor(m, Currency::USD);
        assert_eq!(scaled(usd(999), -1_000), usd(899), "8.991 rounds to 8.99");
        assert_eq!(scaled(usd(1_000), 550), usd(1_055));
        assert_eq!(scaled(usd(5), -1_000), usd(5), "0.045 rounds to 0.05");
        assert_eq!(scaled(usd(1_000), -10_000), usd(0));
    }
}
