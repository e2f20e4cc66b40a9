//! Money in integer minor units with an ISO 4217 currency. Never a float. Every amount
//! in the shop (prices, carts, totals, orders, payments, refunds, discounts) is a
//! [`Money`]; a currency read from the database that is not one is an error, never a
//! default.

use serde::{Deserialize, Serialize};
use std::fmt;

/// An ISO 4217 currency code: three upper-case ASCII letters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency([u8; 3]);

impl Currency {
    pub const GBP: Currency = Currency(*b"GBP");
    pub const USD: Currency = Currency(*b"USD");
    /// ISO 4217's code for "no currency".
    pub const XXX: Currency = Currency(*b"XXX");
    pub const EUR: Currency = Currency(*b"EUR");

    /// Parses a currency code; lower case is accepted and normalised.
    pub fn parse(code: &str) -> Result<Self, MoneyError> {
        let bytes = code.trim().as_bytes();
        match bytes {
            [a, b, c] if bytes.iter().all(u8::is_ascii_alphabetic) => Ok(Currency([
                a.to_ascii_uppercase(),
                b.to_ascii_uppercase(),
                c.to_ascii_uppercase(),
            ])),
            _ => Err(MoneyError::Currency(code.chars().take(16).collect())),
        }
    }

    pub fn code(&self) -> &str {
        // Constructed only from ASCII letters.
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }

    /// Digits after the decimal point (ISO 4217 exponent) for the currencies we format.
    pub fn exponent(&self) -> u32 {
        match &self.0 {
            b"JPY" | b"KRW" | b"ISK" | b"CLP" | b"VND" => 0,
            b"BHD" | b"KWD" | b"OMR" | b"JOD" | b"TND" => 3,
            _ => 2,
        }
    }

    fn symbol(&self) -> Option<&'static str> {
        match &self.0 {
            b"GBP" => Some("£"),
            b"USD" => Some("$"),
            b"EUR" => Some("€"),
            b"JPY" => Some("¥"),
            _ => None,
        }
    }
}

impl TryFrom<String> for Currency {
    type Error = MoneyError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Currency::parse(&value)
    }
}

#[cfg(feature = "hydrate")]
impl crate::wire::FromJs for Currency {
    fn from_js(v: &wasm_bindgen::JsValue) -> Option<Self> {
        Currency::parse(&v.as_string()?).ok()
    }
}

impl From<Currency> for String {
    fn from(value: Currency) -> Self {
        value.code().to_owned()
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("`{0}` is not a currency code (three letters, such as GBP)")]
    Currency(String),
    #[error("`{0}` is not a price (use digits with at most {1} decimals, such as 12.50)")]
    Amount(String, u32),
    #[error("a price cannot be negative")]
    Negative,
    #[error("the amount is too large")]
    Overflow,
    #[error("cannot combine {0} and {1}")]
    CurrencyMismatch(Currency, Currency),
    #[error("cannot split the amount: {0}")]
    Allocation(String),
}

/// A currency is text in the database (`CHAR(3)` columns checked to be three capital
/// letters); reading one that is not a currency fails, loudly, instead of defaulting.
#[cfg(feature = "ssr")]
mod database {
    use super::Currency;
    use sqlx::encode::IsNull;
    use sqlx::error::BoxDynError;
    use sqlx::postgres::{PgArgumentBuffer, PgTypeInfo, PgValueRef, Postgres};

    impl sqlx::Type<Postgres> for Currency {
        fn type_info() -> PgTypeInfo {
            <&str as sqlx::Type<Postgres>>::type_info()
        }

        fn compatible(ty: &PgTypeInfo) -> bool {
            <&str as sqlx::Type<Postgres>>::compatible(ty)
        }
    }

    impl<'r> sqlx::Decode<'r, Postgres> for Currency {
        fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
            let text = <&str as sqlx::Decode<Postgres>>::decode(value)?;
            Ok(Currency::parse(text)?)
        }
    }

    impl sqlx::Encode<'_, Postgres> for Currency {
        fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
            <&str as sqlx::Encode<Postgres>>::encode_by_ref(&self.code(), buf)
        }
    }

    impl sqlx::postgres::PgHasArrayType for Currency {
        fn array_type_info() -> PgTypeInfo {
            <&str as sqlx::postgres::PgHasArrayType>::array_type_info()
        }
    }
}

/// An amount of money: integer minor units (pence, cents) and a currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    minor: i64,
    currency: Currency,
}

crate::from_js_struct!(Money { minor, currency });

impl Money {
    pub fn from_minor(minor: i64, currency: Currency) -> Self {
        Money { minor, currency }
    }

    pub fn zero(currency: Currency) -> Self {
        Money { minor: 0, currency }
    }

    pub fn is_zero(&self) -> bool {
        self.minor == 0
    }

    pub fn minor(&self) -> i64 {
        self.minor
    }

    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// Parses a non-negative decimal amount in major units ("1299.00", "4.5", "18")
    /// exactly, without going through floating point.
    pub fn parse_major(text: &str, currency: Currency) -> Result<Self, MoneyError> {
        let exp = currency.exponent();
        let bad = || MoneyError::Amount(text.chars().take(32).collect(), exp);
        let t = text.trim();
        if t.starts_with('-') {
            return Err(MoneyError::Negative);
        }
        let t = t.strip_prefix('+').unwrap_or(t);
        let (whole, frac) = match t.split_once('.') {
            Some((w, f)) => (w, f),
            None => (t, ""),
        };
        if whole.is_empty() && frac.is_empty() {
            return Err(bad());
        }
        if !whole.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        // Trailing zeros beyond the exponent are harmless ("4.500"); other digits are not.
        let frac_trimmed = frac.trim_end_matches('0');
        if frac_trimmed.len() > exp as usize {
            return Err(bad());
        }
        let scale = 10i64.pow(exp);
        let whole: i64 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| MoneyError::Overflow)?
        };
        let mut frac_value: i64 = 0;
        for (i, d) in frac_trimmed.bytes().enumerate() {
            frac_value += i64::from(d - b'0') * 10i64.pow(exp - 1 - i as u32);
        }
        let minor = whole
            .checked_mul(scale)
            .and_then(|m| m.checked_add(frac_value))
            .ok_or(MoneyError::Overflow)?;
        Ok(Money { minor, currency })
    }

    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        if self.currency != other.currency {
            return Err(MoneyError::CurrencyMismatch(self.currency, other.currency));
        }
        let minor = self
            .minor
            .checked_add(other.minor)
            .ok_or(MoneyError::Overflow)?;
        Ok(Money {
            minor,
            currency: self.currency,
        })
    }

    pub fn checked_sub(self, other: Money) -> Result<Money, MoneyError> {
        if self.currency != other.currency {
            return Err(MoneyError::CurrencyMismatch(self.currency, other.currency));
        }
        let minor = self
            .minor
            .checked_sub(other.minor)
            .ok_or(MoneyError::Overflow)?;
        Ok(Money {
            minor,
            currency: self.currency,
        })
    }

    /// Splits this amount into parts in proportion to `weights` (a discount over an
    /// order's lines by their totals, a refund over the lines it gives back), to the minor
    /// unit: the parts always add up to exactly this amount, none is invented or lost.
    /// Each part gets its share rounded down; the units left over go one each to the parts
    /// with the largest remainders (the earlier part on a tie). Parts of weight zero get
    /// nothing. Weights must not be negative, and at least one must be above zero (unless
    /// the amount is zero).
    pub fn allocate(self, weights: &[i64]) -> Result<Vec<Money>, MoneyError> {
        if weights.iter().any(|w| *w < 0) {
            return Err(MoneyError::Allocation("a negative weight".into()));
        }
        let total: i128 = weights.iter().map(|w| i128::from(*w)).sum();
        let zero = || vec![Money::zero(self.currency); weights.len()];
        if self.minor == 0 {
            return Ok(zero());
        }
        if total == 0 {
            return Err(MoneyError::Allocation("nothing to allocate over".into()));
        }
        let amount = i128::from(self.minor);
        let mut parts = Vec::with_capacity(weights.len());
        let mut remainders = Vec::with_capacity(weights.len());
        for (i, w) in weights.iter().enumerate() {
            let exact = amount * i128::from(*w);
            // Rounded towards negative infinity, so a negative amount splits the same way.
            let share = exact.div_euclid(total);
            parts.push(share);
            remainders.push((exact.rem_euclid(total), i));
        }
        let left = amount - parts.iter().sum::<i128>();
        // Largest remainder first; the earlier part on a tie.
        remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        for (_, i) in remainders.iter().take(left as usize) {
            parts[*i] += 1;
        }
        parts
            .into_iter()
            .map(|p| {
                i64::try_from(p)
                    .map(|minor| Money::from_minor(minor, self.currency))
                    .map_err(|_| MoneyError::Overflow)
            })
            .collect()
    }

    pub fn checked_mul(self, quantity: i64) -> Result<Money, MoneyError> {
        let minor = self
            .minor
            .checked_mul(quantity)
            .ok_or(MoneyError::Overflow)?;
        Ok(Money {
            minor,
            currency: self.currency,
        })
    }

    /// The amount in major units as a plain decimal string ("1299.00"), for schema.org and feeds.
    pub fn decimal_string(&self) -> String {
        let exp = self.currency.exponent();
        let scale = 10i64.pow(exp);
        let sign = if self.minor < 0 { "-" } else { "" };
        let abs = self.minor.unsigned_abs();
        let whole = abs / scale as u64;
        if exp == 0 {
            return format!("{sign}{whole}");
        }
        let frac = abs % scale as u64;
        format!("{sign}{whole}.{frac:0width$}", width = exp as usize)
    }
}

impl fmt::Display for Money {
    /// Formats for people: "£1,299.00", or "1,299.00 CHF" for currencies without a symbol.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plain = self.decimal_string();
        let (sign, digits) = match plain.strip_prefix('-') {
            Some(rest) => ("-", rest),
            None => ("", plain.as_str()),
        };
        let (whole, frac) = match digits.split_once('.') {
            Some((w, fr)) => (w, Some(fr)),
            None => (digits, None),
        };
        let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
        for (i, ch) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(ch);
        }
        let number = match frac {
            Some(fr) => format!("{grouped}.{fr}"),
            None => grouped,
        };
        match self.currency.symbol() {
            Some(sym) => write!(f, "{sign}{sym}{number}"),
            None => write!(f, "{sign}{number} {}", self.currency),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_major_units_exactly() {
        let cases = [
            ("1299.00", 129_900),
            ("143.74", 14_374),
            ("4.5", 450),
            ("18", 1_800),
            ("0.01", 1),
            (".5", 50),
            ("4.500", 450),
            (" 7.20 ", 720),
        ];
        for (text, minor) in cases {
            assert_eq!(
                Money::parse_major(text, Currency::GBP).map(|m| m.minor()),
                Ok(minor),
                "{text}"
            );
        }
    }

    #[test]
    fn rejects_bad_amounts() {
        for text in [
            "",
            ".",
            "abc",
            "1.2.3",
            "1,000",
            "1.234",
            "1e3",
            "--1",
            "99999999999999999999",
        ] {
            assert!(Money::parse_major(text, Currency::GBP).is_err(), "{text}");
        }
        assert_eq!(
            Money::parse_major("-1", Currency::GBP),
            Err(MoneyError::Negative)
        );
    }

    #[test]
    fn zero_decimal_currency() {
        let yen = Currency::parse("jpy").map(|c| Money::parse_major("1500", c));
        assert_eq!(
            yen.map(|m| m.map(|m| m.to_string())),
            Ok(Ok("¥1,500".into()))
        );
        assert!(Money::parse_major("1.5", Currency::parse("JPY").unwrap()).is_err());
    }

    #[test]
    fn formats_for_people() {
        assert_eq!(
            Money::from_minor(129_900, Currency::USD).to_string(),
            "$1,299.00"
        );
        assert_eq!(Money::from_minor(255, Currency::GBP).to_string(), "£2.55");
        assert_eq!(Money::from_minor(5, Currency::EUR).to_string(), "€0.05");
        assert_eq!(
            Money::from_minor(123_456_789, Currency::parse("CHF").unwrap()).to_string(),
            "1,234,567.89 CHF"
        );
        assert_eq!(
            Money::from_minor(-1050, Currency::GBP).to_string(),
            "-£10.50"
        );
    }

    #[test]
    fn currency_codes() {
        assert_eq!(Currency::parse("gbp"), Ok(Currency::GBP));
        for bad in ["", "GB", "GBPX", "G1P", "£££"] {
            assert!(Currency::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn arithmetic_refuses_mixed_currencies_and_overflow() {
        let a = Money::from_minor(100, Currency::GBP);
        let b = Money::from_minor(100, Currency::USD);
        assert!(matches!(
            a.checked_add(b),
            Err(MoneyError::CurrencyMismatch(..))
        ));
        assert_eq!(
            Money::from_minor(i64::MAX, Currency::GBP).checked_add(a),
            Err(MoneyError::Overflow)
        );
        assert_eq!(a.checked_mul(3).map(|m| m.minor()), Ok(300));
    }

    proptest! {
        #[test]
        fn decimal_round_trips(minor in 0i64..=i64::MAX / 1000) {
            let m = Money::from_minor(minor, Currency::GBP);
            prop_assert_eq!(Money::parse_major(&m.decimal_string(), Currency::GBP), Ok(m));
        }

        #[test]
        fn addition_is_exact(a in 0i64..1_000_000_000_000, b in 0i64..1_000_000_000_000) {
            let sum = Money::from_minor(a, Currency::EUR).checked_add(Money::from_minor(b, Currency::EUR));
            prop_assert_eq!(sum.map(|m| m.minor()), Ok(a + b));
        }

        #[test]
        fn parser_never_panics(s in "\\PC{0,40}") {
            let _ = Money::parse_major(&s, Currency::USD);
        }

        /// A discount or refund split over lines: no minor unit lost or invented, no part
        /// below zero or above its line's share rounded up, nothing for a line of weight 0.
        #[test]
        fn allocation_keeps_every_unit(
            amount in 0i64..100_000_000,
            weights in proptest::collection::vec(0i64..10_000_000, 1..12),
        ) {
            prop_assume!(weights.iter().any(|w| *w > 0));
            let parts = Money::from_minor(amount, Currency::GBP).allocate(&weights).unwrap();
            prop_assert_eq!(parts.len(), weights.len());
            prop_assert_eq!(parts.iter().map(Money::minor).sum::<i64>(), amount);
            let total: i128 = weights.iter().map(|w| i128::from(*w)).sum();
            for (part, w) in parts.iter().zip(&weights) {
                let exact = i128::from(amount) * i128::from(*w);
                let floor = exact / total;
                let m = i128::from(part.minor());
                prop_assert!(m == floor || m == floor + 1, "{} of weight {}", m, w);
                if *w == 0 {
                    prop_assert_eq!(part.minor(), 0);
                }
                prop_assert_eq!(part.currency(), Currency::GBP);
            }
        }

        /// Splitting a negative amount (a refund's reversal) mirrors the positive one.
        #[test]
        fn allocation_of_a_negative_amount_adds_up(
            amount in -100_000_000i64..0,
            weights in proptest::collection::vec(1i64..1_000, 1..8),
        ) {
            let parts = Money::from_minor(amount, Currency::EUR).allocate(&weights).unwrap();
            prop_assert_eq!(parts.iter().map(Money::minor).sum::<i64>(), amount);
        }
    }

    #[test]
    fn allocation_examples() {
        let ten = Money::from_minor(1_000, Currency::GBP);
        let minors = |parts: Vec<Money>| parts.iter().map(Money::minor).collect::<Vec<_>>();
        assert_eq!(minors(ten.allocate(&[1, 1, 1]).unwrap()), [334, 333, 333]);
        assert_eq!(minors(ten.allocate(&[0, 5, 0]).unwrap()), [0, 1_000, 0]);
        assert_eq!(
            minors(Money::zero(Currency::GBP).allocate(&[0, 0]).unwrap()),
            [0, 0]
        );
        assert!(ten.allocate(&[0, 0]).is_err());
        assert!(ten.allocate(&[1, -1]).is_err());
        assert!(ten.allocate(&[]).is_err());
        let a = Money::from_minor(500, Currency::GBP);
        assert_eq!(ten.checked_sub(a), Ok(a));
        assert!(
            ten.checked_sub(Money::from_minor(1, Currency::USD))
                .is_err()
        );
    }
}
