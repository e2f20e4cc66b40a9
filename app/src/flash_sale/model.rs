//! Flash sales as the browser and API clients see them: the sale's page, a shopper's
//! standing in its queue, the merchant's live figures, and the error.

use crate::api_error::ErrorBody;
use crate::money::Money;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Where a sale is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SaleState {
    Scheduled,
    Live,
    Ended,
}

impl SaleState {
    pub fn parse(text: &str) -> Self {
        match text {
            "live" => SaleState::Live,
            "ended" => SaleState::Ended,
            _ => SaleState::Scheduled,
        }
    }
}

/// Where one shopper stands in a sale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "standing", rename_all = "snake_case")]
pub enum Standing {
    /// Not in this sale's queue.
    NotJoined,
    /// In the queue, waiting for a place: the draw at the start (joined early) or the
    /// next placing of arrivals (within a second).
    Placing { early: bool },
    /// In the queue: `ahead` shoppers before this one, `wait_secs` a fair estimate at the
    /// pace shoppers are being let in (none when the pace is not known yet).
    Queued {
        position: i32,
        ahead: i64,
        wait_secs: Option<i64>,
    },
    /// Let in: `quantity` units held at the sale price until `until`.
    Admitted {
        quantity: i32,
        until: DateTime<Utc>,
        promoted: bool,
    },
    /// The hold became an order.
    Ordered { order_number: String },
    /// The hold ran out before an order took it, or its order failed.
    Expired,
    /// Every unit is held or sold: the waitlist is open.
    SoldOut,
    /// On the waitlist: `ahead` shoppers before this one.
    Waitlisted { ahead: i64 },
    /// The sale ended before this shopper's turn.
    Closed,
}

impl Standing {
    /// The standing's kind, as the JSON's `standing` tag names it.
    pub fn kind(&self) -> &'static str {
        match self {
            Standing::NotJoined => "not_joined",
            Standing::Placing { .. } => "placing",
            Standing::Queued { .. } => "queued",
            Standing::Admitted { .. } => "admitted",
            Standing::Ordered { .. } => "ordered",
            Standing::Expired => "expired",
            Standing::SoldOut => "sold_out",
            Standing::Waitlisted { .. } => "waitlisted",
            Standing::Closed => "closed",
        }
    }

    /// What a place in a queue or the waitlist comes to, in words (none for the rest).
    pub fn progress(&self) -> Option<String> {
        match self {
            Standing::Queued {
                position,
                ahead,
                wait_secs,
            } => {
                let wait = match wait_secs {
                    Some(s) if *ahead > 0 => format!("About {} to wait.", duration_words(*s)),
                    Some(_) => "You are next.".to_owned(),
                    None => "The pace will show once shoppers are being let in.".to_owned(),
                };
                Some(format!(
                    "Your place: {position}. {ahead} ahead of you. {wait}"
                ))
            }
            Standing::Waitlisted { ahead } => Some(format!(
                "{ahead} ahead of you. We will e-mail you if units come back."
            )),
            _ => None,
        }
    }
}

/// The live region's answer: the standing's kind (`Standing::kind`) and its progress in
/// words (`Standing::progress`), if it has any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveUpdate {
    pub kind: String,
    pub progress: Option<String>,
}

crate::from_js_struct!(LiveUpdate { kind, progress });

/// A sale as its page shows it, with the visitor's standing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SalePage {
    pub id: i64,
    pub title: String,
    pub slug: String,
    pub sku: String,
    pub options: String,
    pub price: Money,
    pub sale_price: Money,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub now: DateTime<Utc>,
    pub state: SaleState,
    pub per_customer_limit: i32,
    /// Units not held or sold right now.
    pub left: i32,
    pub signed_in: bool,
    pub standing: Standing,
    /// The place's signed token (also in a cookie), for API clients.
    pub token: Option<String>,
    /// When to ask again, in seconds (none: nothing will change). The page's island asks
    /// at this pace; without JavaScript the shopper reloads.
    pub refresh_secs: Option<u32>,
}

/// A sale a product page announces.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SaleBanner {
    pub id: i64,
    pub sku: String,
    pub sale_price: Money,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub now: DateTime<Utc>,
    pub state: SaleState,
}

/// The merchant's view of a sale, live.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SaleFigures {
    pub id: i64,
    pub sku: String,
    pub title: String,
    pub sale_price: Money,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub state: SaleState,
    pub quantity: i32,
    pub allocated: i32,
    pub per_customer_limit: i32,
    /// Shoppers per minute, or none: automatic.
    pub admission_per_minute: Option<i32>,
    pub wave: Option<(i32, i32)>,
    pub hold_secs: i32,
    pub buckets: i32,
    /// Joined and not yet let in.
    pub queued: i64,
    pub admitted: i64,
    pub ordered: i64,
    pub expired: i64,
    pub sold_out: i64,
    pub waitlisted: i64,
    pub promoted: i64,
    /// Units sold (paid), held (by shoppers or their orders), left.
    pub sold: i64,
    pub held: i64,
    pub left: i64,
    /// Shoppers whose turn never came: the sale closed first.
    pub refused: i64,
    pub sold_out_at: Option<DateTime<Utc>>,
}

/// Every sale, newest first, with the form's warehouses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SaleBoard {
    pub sales: Vec<SaleFigures>,
    pub warehouses: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(into = "ErrorBody", from = "ErrorBody")]
pub enum FlashError {
    #[error("{0}")]
    InvalidInput(String),
    #[error("there is no such sale")]
    NotFound,
    #[error("sign in to join the queue: one place per account")]
    SignIn,
    /// The place's token is missing, forged, or another session's.
    #[error("this place in the queue is not yours")]
    NotYours,
    #[error("{0}")]
    Refused(String),
    #[error("too many attempts from your address; wait a minute and try again")]
    Throttled,
    #[error("this request came from another site and was refused")]
    CrossSite,
    #[error("the shop is having trouble right now; please try again in a moment")]
    Unavailable,
    #[error("could not reach the shop: {0}")]
    Transport(String),
}

crate::server_fn_error!(FlashError);
crate::from_js_error_body!(FlashError);

impl From<FlashError> for ErrorBody {
    fn from(e: FlashError) -> Self {
        let code = match &e {
            FlashError::InvalidInput(_) => "invalid_input",
            FlashError::NotFound => "not_found",
            FlashError::SignIn => "not_signed_in",
            FlashError::NotYours => "not_yours",
            FlashError::Refused(_) => "refused",
            FlashError::Throttled => "throttled",
            FlashError::CrossSite => "cross_site",
            FlashError::Unavailable => "unavailable",
            FlashError::Transport(_) => "transport",
        };
        ErrorBody::new(code, &e)
    }
}

impl From<ErrorBody> for FlashError {
    fn from(b: ErrorBody) -> Self {
        match b.code.as_str() {
            "invalid_input" => FlashError::InvalidInput(b.message),
            "not_found" => FlashError::NotFound,
            "not_signed_in" => FlashError::SignIn,
            "not_yours" => FlashError::NotYours,
            "refused" => FlashError::Refused(b.message),
            "throttled" => FlashError::Throttled,
            "cross_site" => FlashError::CrossSite,
            "unavailable" => FlashError::Unavailable,
            _ => FlashError::Transport(b.message),
        }
    }
}

/// "2 min 5 s", "1 h 4 min", "12 s": a wait or a countdown in words.
pub fn duration_words(secs: i64) -> String {
    let secs = secs.max(0);
    match secs {
        0..60 => format!("{secs} s"),
        60..3600 => format!("{} min {} s", secs / 60, secs % 60),
        3600..86400 => format!("{} h {} min", secs / 3600, secs % 3600 / 60),
        _ => format!("{} d {} h", secs / 86400, secs % 86400 / 3600),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration_words(-3), "0 s");
        assert_eq!(duration_words(59), "59 s");
        assert_eq!(duration_words(125), "2 min 5 s");
        assert_eq!(duration_words(3840), "1 h 4 min");
        assert_eq!(duration_words(90_000), "1 d 1 h");
    }

    #[test]
    fn standing_travels_tagged() {
        let s = Standing::Queued {
            position: 3,
            ahead: 2,
            wait_secs: Some(10),
        };
        let json = serde_json::to_value(&s).unwrap();
        assert_eq!(json["standing"], "queued");
        assert_eq!(serde_json::from_value::<Standing>(json).unwrap(), s);
    }
}
