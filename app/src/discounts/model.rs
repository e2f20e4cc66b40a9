//! A discount code's rules and what it takes off, shared with the browser.

use crate::money::{Currency, Money};
use serde::{Deserialize, Serialize};

/// How a discount code takes money off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::Type))]
#[cfg_attr(
    feature = "ssr",
    sqlx(type_name = "discount_kind", rename_all = "snake_case")
)]
#[serde(rename_all = "snake_case")]
pub enum DiscountKind {
    /// `amount` is basis points of the goods (1000 = 10%).
    Percentage,
    /// `amount` is minor units of the code's currency.
    Fixed,
}

/// A discount code's rules, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiscountRule {
    pub code: String,
    pub kind: DiscountKind,
    pub amount: i64,
    /// Only orders in this currency may use it (always set for fixed amounts).
    pub currency: Option<Currency>,
    /// In minor units of the order's currency.
    pub min_subtotal_minor: i64,
    pub starts_at: Option<chrono::DateTime<chrono::Utc>>,
    pub ends_at: Option<chrono::DateTime<chrono::Utc>>,
    pub max_uses: Option<i32>,
    pub max_uses_per_customer: Option<i32>,
    pub uses: i32,
    pub active: bool,
}

/// A code as the shopper types it: trimmed, upper case.
pub fn normalize_code(code: &str) -> String {
    code.trim().to_uppercase()
}

impl DiscountRule {
    /// What the code takes off these goods now, or why it cannot be used.
    /// `customer_uses` is how often this customer has used it already.
    pub fn apply(
        &self,
        subtotal: Money,
        now: chrono::DateTime<chrono::Utc>,
        customer_uses: i64,
    ) -> Result<Money, String> {
        let code = &self.code;
        let currency = subtotal.currency();
        if !self.active {
            return Err(format!("the code {code} is not valid"));
        }
        if self.starts_at.is_some_and(|s| now < s) {
            return Err(format!("the code {code} is not valid yet"));
        }
        if self.ends_at.is_some_and(|e| now >= e) {
            return Err(format!("the code {code} has expired"));
        }
        if let Some(c) = self.currency
            && c != currency
        {
            return Err(format!("the code {code} is for orders in {c}"));
        }
        if subtotal.minor() < self.min_subtotal_minor {
            return Err(format!(
                "the code {code} needs a minimum spend of {}",
                Money::from_minor(self.min_subtotal_minor, currency)
            ));
        }
        if self.max_uses.is_some_and(|m| self.uses >= m) {
            return Err(format!("the code {code} has been used up"));
        }
        if self
            .max_uses_per_customer
            .is_some_and(|m| customer_uses >= i64::from(m))
        {
            return Err(format!(
                "you have already used the code {code} as often as it allows"
            ));
        }
        let off = match self.kind {
            DiscountKind::Percentage => (subtotal.minor() * self.amount + 5_000) / 10_000,
            DiscountKind::Fixed => self.amount,
        };
        Ok(Money::from_minor(off.clamp(0, subtotal.minor()), currency))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn rule() -> DiscountRule {
        DiscountRule {
            code: "SPRING10".into(),
            kind: DiscountKind::Percentage,
            amount: 1_000,
            currency: None,
            min_subtotal_minor: 2_000,
            starts_at: Some(Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap()),
            ends_at: Some(Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap()),
            max_uses: Some(100),
            max_uses_per_customer: Some(1),
            uses: 0,
            active: true,
        }
    }

    fn eur(minor: i64) -> Money {
        Money::from_minor(minor, Currency::EUR)
    }

    #[test]
    fn discounts_follow_their_rules() {
        let april = Utc.with_ymd_and_hms(2026, 4, 1, 0, 0, 0).unwrap();
        assert_eq!(rule().apply(eur(2_505), april, 0), Ok(eur(251)));
        let refuses = |r: DiscountRule, subtotal: Money, at, used, says: &str| {
            let e = r.apply(subtotal, at, used).unwrap_err();
            assert!(e.contains(says), "{e}");
        };
        let feb = Utc.with_ymd_and_hms(2026, 2, 1, 0, 0, 0).unwrap();
        let june = Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap();
        refuses(rule(), eur(2_505), feb, 0, "not valid yet");
        refuses(rule(), eur(2_505), june, 0, "expired");
        refuses(rule(), eur(1_999), april, 0, "minimum spend of €20.00");
        refuses(rule(), eur(2_505), april, 1, "already used");
        refuses(
            DiscountRule {
                uses: 100,
                ..rule()
            },
            eur(2_505),
            april,
            0,
            "used up",
        );
        let fixed = DiscountRule {
            kind: DiscountKind::Fixed,
            amount: 5_000,
            currency: Some(Currency::USD),
            ..rule()
        };
        let usd = Money::from_minor(3_000, Currency::USD);
        assert_eq!(
            fixed.apply(usd, april, 0),
            Ok(usd),
            "never more than the goods"
        );
        refuses(fixed, eur(3_000), april, 0, "for orders in USD");
        assert_eq!(normalize_code(" spring10 "), "SPRING10");
    }
}
