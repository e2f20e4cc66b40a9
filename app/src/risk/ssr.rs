//! The assessment: the facts about an order's buyer read in one statement, and the
//! rules (plain data) that turn them into signals, a score and a level.

use super::model::{Assessment, RiskLevel, Signal};
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use std::net::IpAddr;

/// The rules: when each signal fires, what it adds, and where the levels begin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskRules {
    /// From this score an order is medium risk, and from `high_at` high.
    pub medium_at: i16,
    pub high_at: i16,
    /// Cards declined for the same e-mail or network address in the last day.
    pub declined_cards: u32,
    pub declined_points: i16,
    /// Different cards (this one included) for the same e-mail in the last day.
    pub many_cards: u32,
    pub many_cards_points: i16,
    /// Orders from the same e-mail in the last hour, this one included.
    pub email_orders_per_hour: u32,
    pub email_velocity_points: i16,
    /// Orders from the same network address in the last hour, this one included.
    pub address_orders_per_hour: u32,
    pub address_velocity_points: i16,
    /// Different e-mails ordering from the same network address in the last day, this
    /// one included.
    pub emails_per_address: u32,
    pub emails_per_address_points: i16,
    /// A total at least this (minor units of the order's currency) is large.
    pub large_order_minor: i64,
    /// ... and from a buyer with no paid order before, more so.
    pub large_first_order_points: i16,
    pub large_order_points: i16,
    /// A line of at least this many units (buying to resell, or to empty the shelf).
    pub many_units: i32,
    pub many_units_points: i16,
    /// An account opened less than this many minutes ago, with no paid order yet.
    pub new_account_minutes: i64,
    pub new_account_points: i16,
    /// Paid orders more than a day old speak for the buyer (negative points).
    pub returning_points: i16,
}

impl RiskRules {
    pub fn standard() -> Self {
        RiskRules {
            medium_at: 30,
            high_at: 60,
            declined_cards: 2,
            declined_points: 35,
            many_cards: 3,
            many_cards_points: 30,
            email_orders_per_hour: 4,
            email_velocity_points: 15,
            address_orders_per_hour: 6,
            address_velocity_points: 15,
            emails_per_address: 3,
            emails_per_address_points: 20,
            large_order_minor: 250_000,
            large_first_order_points: 20,
            large_order_points: 10,
            many_units: 20,
            many_units_points: 10,
            new_account_minutes: 60,
            new_account_points: 10,
            returning_points: -15,
        }
    }

    fn level(&self, score: i16) -> RiskLevel {
        if score >= self.high_at {
            RiskLevel::High
        } else if score >= self.medium_at {
            RiskLevel::Medium
        } else {
            RiskLevel::Low
        }
    }
}

/// Who is buying what: the order as checkout priced it.
#[derive(Debug, Clone)]
pub struct Buyer<'a> {
    /// Normalised.
    pub email: &'a str,
    pub user_id: Option<i64>,
    /// The client's address as the edge resolved it.
    pub client: Option<IpAddr>,
    /// The last four digits of the card.
    pub last4: &'a str,
    pub total_minor: i64,
    /// The most units on one line.
    pub largest_line: i32,
}

impl Buyer<'_> {
    /// The client's address if it says something of the buyer: a loopback, private,
    /// link-local or unspecified address is the shop's own network (a proxy the shop
    /// does not trust to name the client, a health check, a test), never one buyer.
    pub fn public_address(&self) -> Option<IpAddr> {
        self.client.filter(|ip| match ip {
            IpAddr::V4(v4) => {
                !(v4.is_loopback()
                    || v4.is_private()
                    || v4.is_link_local()
                    || v4.is_unspecified()
                    || v4.is_broadcast())
            }
            IpAddr::V6(v6) => {
                let first = v6.segments()[0];
                !(v6.is_loopback()
                    || v6.is_unspecified()
                    || (first & 0xfe00) == 0xfc00
                    || (first & 0xffc0) == 0xfe80)
            }
        })
    }
}

/// What the shop knows of the buyer now, before this order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    pub email_orders_hour: i64,
    pub email_declined_day: i64,
    /// The last four digits of the cards tried for the e-mail in the last day.
    pub email_cards_day: Vec<String>,
    /// `None` when the address says nothing of the buyer.
    pub address: Option<AddressFacts>,
    /// Paid orders more than a day old from the e-mail or the account (at most 10).
    pub paid_before: i64,
    /// Minutes since the account was opened, for a signed-in buyer.
    pub account_minutes: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AddressFacts {
    pub orders_hour: i64,
    pub emails_day: i64,
    /// Whether this e-mail is among those.
    pub email_seen: bool,
    pub declined_day: i64,
}

/// The signals `facts` raise for `buyer`, and the score and level they come to.
pub fn assess(rules: &RiskRules, buyer: &Buyer<'_>, facts: &Facts) -> Assessment {
    let mut signals = Vec::new();
    let mut raise = |code: &str, points: i16, detail: String| {
        signals.push(Signal {
            code: code.to_owned(),
            points,
            detail,
        });
    };
    let declined = facts
        .email_declined_day
        .max(facts.address.as_ref().map_or(0, |a| a.declined_day));
    if declined >= i64::from(rules.declined_cards) {
        raise(
            "declined_cards",
            rules.declined_points,
            format!("{declined} card payments were declined for this buyer in the last day"),
        );
    }
    let mut cards = facts.email_cards_day.clone();
    cards.push(buyer.last4.to_owned());
    cards.sort();
    cards.dedup();
    if cards.len() >= rules.many_cards as usize {
        raise(
            "many_cards",
            rules.many_cards_points,
            format!(
                "{} different cards were used with this e-mail in the last day",
                cards.len()
            ),
        );
    }
    let email_orders = facts.email_orders_hour + 1;
    if email_orders >= i64::from(rules.email_orders_per_hour) {
        raise(
            "email_velocity",
            rules.email_velocity_points,
            format!("{email_orders} orders from this e-mail in the last hour"),
        );
    }
    if let Some(a) = &facts.address {
        let orders = a.orders_hour + 1;
        if orders >= i64::from(rules.address_orders_per_hour) {
            raise(
                "address_velocity",
                rules.address_velocity_points,
                format!("{orders} orders from this network address in the last hour"),
            );
        }
        let emails = a.emails_day + i64::from(!a.email_seen);
        if emails >= i64::from(rules.emails_per_address) {
            raise(
                "emails_per_address",
                rules.emails_per_address_points,
                format!("{emails} different e-mails ordered from this network address today"),
            );
        }
    }
    let returning = facts.paid_before > 0;
    if buyer.total_minor >= rules.large_order_minor {
        if returning {
            raise(
                "large_order",
                rules.large_order_points,
                "a large order".to_owned(),
            );
        } else {
            raise(
                "large_first_order",
                rules.large_first_order_points,
                "a large first order".to_owned(),
            );
        }
    }
    if buyer.largest_line >= rules.many_units {
        raise(
            "many_units",
            rules.many_units_points,
            format!("{} units of one item", buyer.largest_line),
        );
    }
    if let Some(minutes) = facts.account_minutes
        && minutes < rules.new_account_minutes
        && !returning
    {
        raise(
            "new_account",
            rules.new_account_points,
            format!("the account was opened {minutes} minutes ago"),
        );
    }
    if returning {
        raise(
            "returning_customer",
            rules.returning_points,
            format!(
                "{}{} paid orders before",
                facts.paid_before,
                if facts.paid_before >= 10 { "+" } else { "" }
            ),
        );
    }
    let score = signals
        .iter()
        .map(|s| i32::from(s.points))
        .sum::<i32>()
        .clamp(0, 100) as i16;
    Assessment {
        score,
        level: rules.level(score),
        signals,
    }
}

/// What the shop knows of `buyer`, in one statement (each part on an index: orders by
/// e-mail, by account and by client address, payments by order).
pub async fn facts(conn: &mut PgConnection, buyer: &Buyer<'_>) -> Result<Facts, sqlx::Error> {
    let public = buyer.public_address();
    let address = public.map(|ip| ip.to_string());
    let row = sqlx::query!(
        r#"SELECT
             (SELECT count(*) FROM orders o
               WHERE o.email = $1 AND o.created_at > now() - interval '1 hour') AS "email_orders!",
             (SELECT count(*) FROM orders o JOIN payments p ON p.order_id = o.id
               WHERE o.email = $1 AND o.created_at > now() - interval '1 day'
                 AND p.status = 'declined') AS "email_declined!",
             (SELECT coalesce(array_agg(DISTINCT p.last4::text), '{}') FROM orders o
                JOIN payments p ON p.order_id = o.id
               WHERE o.email = $1 AND o.created_at > now() - interval '1 day') AS "email_cards!",
             (SELECT count(*) FROM orders o
               WHERE o.client_addr = $2::inet AND o.created_at > now() - interval '1 hour') AS "address_orders!",
             (SELECT count(DISTINCT o.email) FROM orders o
               WHERE o.client_addr = $2::inet AND o.created_at > now() - interval '1 day') AS "address_emails!",
             EXISTS (SELECT 1 FROM orders o
               WHERE o.client_addr = $2::inet AND o.email = $1
                 AND o.created_at > now() - interval '1 day') AS "address_email_seen!",
             (SELECT count(*) FROM orders o JOIN payments p ON p.order_id = o.id
               WHERE o.client_addr = $2::inet AND o.created_at > now() - interval '1 day'
                 AND p.status = 'declined') AS "address_declined!",
             (SELECT count(*) FROM (
                SELECT o.id FROM orders o
                 WHERE o.email = $1 AND o.created_at < now() - interval '1 day'
                   AND o.status IN ('confirmed', 'fulfilment', 'shipped', 'delivered', 'partially_refunded')
                UNION
                SELECT o.id FROM orders o
                 WHERE o.user_id = $3 AND o.created_at < now() - interval '1 day'
                   AND o.status IN ('confirmed', 'fulfilment', 'shipped', 'delivered', 'partially_refunded')
                LIMIT 10) paid) AS "paid_before!",
             (SELECT (extract(epoch FROM now() - u.created_at) / 60)::bigint FROM users u
               WHERE u.id = $3) AS account_minutes"#,
        buyer.email,
        address as Option<String>,
        buyer.user_id,
    )
    .fetch_one(conn)
    .await?;
    Ok(Facts {
        email_orders_hour: row.email_orders,
        email_declined_day: row.email_declined,
        email_cards_day: row.email_cards,
        address: public.map(|_| AddressFacts {
            orders_hour: row.address_orders,
            emails_day: row.address_emails,
            email_seen: row.address_email_seen,
            declined_day: row.address_declined,
        }),
        paid_before: row.paid_before,
        account_minutes: row.account_minutes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn buyer(total_minor: i64) -> Buyer<'static> {
        Buyer {
            email: "ada@example.com",
            user_id: None,
            client: Some("203.0.113.7".parse().unwrap()),
            last4: "4242",
            total_minor,
            largest_line: 1,
        }
    }

    fn codes(a: &Assessment) -> Vec<&str> {
        a.signals.iter().map(|s| s.code.as_str()).collect()
    }

    #[test]
    fn a_first_small_order_from_a_new_buyer_is_low_risk_with_no_signals() {
        let a = assess(&RiskRules::standard(), &buyer(2_500), &Facts::default());
        assert_eq!(a.level, RiskLevel::Low);
        assert_eq!(a.score, 0);
        assert!(a.signals.is_empty());
    }

    #[test]
    fn card_testing_is_high_risk_and_says_why() {
        let facts = Facts {
            email_declined_day: 3,
            email_cards_day: vec!["0002".into(), "0069".into()],
            ..Facts::default()
        };
        let a = assess(&RiskRules::standard(), &buyer(2_500), &facts);
        assert_eq!(codes(&a), ["declined_cards", "many_cards"]);
        assert_eq!(a.score, 65);
        assert_eq!(a.level, RiskLevel::High);
        assert!(a.signals[1].detail.contains("3 different cards"), "{a:?}");
    }

    #[test]
    fn the_same_card_again_is_not_many_cards() {
        let facts = Facts {
            email_cards_day: vec!["4242".into(), "0002".into()],
            ..Facts::default()
        };
        let a = assess(&RiskRules::standard(), &buyer(2_500), &facts);
        assert!(a.signals.is_empty(), "{a:?}");
    }

    #[test]
    fn many_e_mails_from_one_address_and_a_large_first_order_add_up_to_medium() {
        let facts = Facts {
            address: Some(AddressFacts {
                orders_hour: 2,
                emails_day: 2,
                email_seen: false,
                declined_day: 0,
            }),
            ..Facts::default()
        };
        let a = assess(&RiskRules::standard(), &buyer(300_000), &facts);
        assert_eq!(codes(&a), ["emails_per_address", "large_first_order"]);
        assert_eq!(a.level, RiskLevel::Medium);
        // The same e-mail again from that address is not one more.
        let seen = Facts {
            address: Some(AddressFacts {
                email_seen: true,
                ..facts.address.clone().unwrap()
            }),
            ..facts
        };
        let a = assess(&RiskRules::standard(), &buyer(300_000), &seen);
        assert_eq!(codes(&a), ["large_first_order"]);
    }

    #[test]
    fn a_returning_customer_lowers_the_score_but_never_below_zero() {
        let facts = Facts {
            paid_before: 12,
            ..Facts::default()
        };
        let a = assess(&RiskRules::standard(), &buyer(300_000), &facts);
        assert_eq!(codes(&a), ["large_order", "returning_customer"]);
        assert_eq!(a.score, 0);
        assert_eq!(a.level, RiskLevel::Low);
        assert!(a.signals[1].detail.starts_with("12+"), "{a:?}");
    }

    #[test]
    fn a_new_account_buying_many_units_many_times_an_hour() {
        let facts = Facts {
            email_orders_hour: 5,
            account_minutes: Some(3),
            ..Facts::default()
        };
        let mut b = buyer(9_000);
        b.largest_line = 40;
        b.user_id = Some(7);
        let a = assess(&RiskRules::standard(), &b, &facts);
        assert_eq!(codes(&a), ["email_velocity", "many_units", "new_account"]);
        assert_eq!(a.score, 35);
        assert_eq!(a.level, RiskLevel::Medium);
    }

    #[test]
    fn the_shops_own_network_says_nothing_of_the_buyer() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "192.168.0.9",
            "172.16.4.4",
            "::1",
            "fd00::1",
            "fe80::1",
        ] {
            let mut b = buyer(100);
            b.client = Some(ip.parse().unwrap());
            assert_eq!(b.public_address(), None, "{ip}");
        }
        for ip in ["203.0.113.7", "2001:db8::1"] {
            let mut b = buyer(100);
            b.client = Some(ip.parse().unwrap());
            assert!(b.public_address().is_some(), "{ip}");
        }
    }
}
