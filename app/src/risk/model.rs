//! An order's risk as staff see it: its level, its score and the signals behind it.

use serde::{Deserialize, Serialize};

/// How risky an order looks, in the order staff would look at them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::Type))]
#[cfg_attr(
    feature = "ssr",
    sqlx(type_name = "risk_level", rename_all = "lowercase")
)]
#[serde(rename_all = "lowercase")]
pub enum RiskLevel {
    Low,
    Medium,
    High,
}

impl RiskLevel {
    pub const ALL: [RiskLevel; 3] = [RiskLevel::Low, RiskLevel::Medium, RiskLevel::High];

    /// The name in addresses, settings and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            RiskLevel::Low => "low",
            RiskLevel::Medium => "medium",
            RiskLevel::High => "high",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            RiskLevel::Low => "Low risk",
            RiskLevel::Medium => "Medium risk",
            RiskLevel::High => "High risk",
        }
    }

    /// A level by its name, or what is wrong with the name.
    pub fn parse(text: &str) -> Result<RiskLevel, String> {
        RiskLevel::ALL
            .into_iter()
            .find(|l| l.as_str() == text.trim())
            .ok_or_else(|| format!("there is no risk level `{}`", text.trim()))
    }
}

/// One reason an order looks more (or less) risky.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signal {
    /// Stable, for filters and a later API: `declined_cards`, `many_cards`, ...
    pub code: String,
    /// What it adds to the score (negative when it speaks for the order).
    pub points: i16,
    /// A sentence for staff.
    pub detail: String,
}

/// An order's assessment, as written with the order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assessment {
    /// 0 to 100.
    pub score: i16,
    pub level: RiskLevel,
    pub signals: Vec<Signal>,
}

/// Which orders wait for staff before their money is taken (the setting
/// `payments.review`): none, or those at or above a level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Review {
    #[default]
    Off,
    Medium,
    High,
}

impl Review {
    /// Whether an order assessed at `level` waits for staff.
    pub fn holds(self, level: Option<RiskLevel>) -> bool {
        let Some(level) = level else { return false };
        match self {
            Review::Off => false,
            Review::Medium => level >= RiskLevel::Medium,
            Review::High => level >= RiskLevel::High,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_level_is_read_by_its_name_and_review_holds_what_it_names_and_above() {
        assert_eq!(RiskLevel::parse(" high "), Ok(RiskLevel::High));
        assert!(
            RiskLevel::parse("<b>")
                .unwrap_err()
                .contains("no risk level")
        );
        assert!(!Review::Off.holds(Some(RiskLevel::High)));
        assert!(Review::High.holds(Some(RiskLevel::High)));
        assert!(!Review::High.holds(Some(RiskLevel::Medium)));
        assert!(Review::Medium.holds(Some(RiskLevel::Medium)));
        assert!(Review::Medium.holds(Some(RiskLevel::High)));
        assert!(!Review::Medium.holds(Some(RiskLevel::Low)));
        // An order nobody assessed (the imported history) never waits.
        assert!(!Review::Medium.holds(None));
    }
}
