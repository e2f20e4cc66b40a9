//! What recommendation lists are made of, as pages and the JSON API show them.

use crate::catalog::model::ProductCard;
use serde::{Deserialize, Serialize};

/// How long a list the recommender served may be shown: it re-reads its lists (and
/// trending) this often, besides the catalog's changes.
pub const FRESH_FOR: std::time::Duration = std::time::Duration::from_secs(60);

/// Why a product is in a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// Often in the same basket as the product shown.
    BoughtTogether,
    /// Like the product shown (title, category, brand).
    Similar,
    /// Customers who bought what this shopper bought (or has in the cart, or looked at)
    /// also bought it.
    AlsoBought,
    /// Bought by many shoppers lately.
    Trending,
    /// Bought by the most customers.
    Popular,
    /// The shop's own choice (a new shop with no sales yet).
    Featured,
    /// This visitor looked at it.
    RecentlyViewed,
}

impl Reason {
    /// What a shopper reads under the product.
    pub fn label(self) -> &'static str {
        match self {
            Reason::BoughtTogether => "Often bought together",
            Reason::Similar => "Similar",
            Reason::AlsoBought => "Customers who bought this also bought",
            Reason::Trending => "Trending now",
            Reason::Popular => "Popular",
            Reason::Featured => "Featured",
            Reason::RecentlyViewed => "You looked at this",
        }
    }
}

/// One recommended product: the card, why, and the product that led to it if one did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recommended {
    pub card: ProductCard,
    pub reason: Reason,
    pub because: Option<String>,
    pub score: f64,
}

/// A titled list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Shelf {
    /// What the list is for: `together`, `similar`, `cart`, `for_you`, `trending`,
    /// `order`, `recently_viewed`.
    pub kind: String,
    pub title: String,
    pub items: Vec<Recommended>,
}

/// Where lists are asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Place {
    /// A product page (its slug).
    Product(String),
    Cart,
    Home,
    /// An order's page (its number; the visitor must be allowed to see it).
    Order(String),
}

/// Why no lists could be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(
    into = "crate::api_error::ErrorBody",
    from = "crate::api_error::ErrorBody"
)]
pub enum RecoError {
    #[error("{0}")]
    InvalidInput(String),
    #[error("recommendations are unavailable right now")]
    Unavailable,
    #[error("could not reach the shop: {0}")]
    Transport(String),
}

crate::server_fn_error!(RecoError);
crate::from_js_error_body!(RecoError);

impl From<RecoError> for crate::api_error::ErrorBody {
    fn from(e: RecoError) -> Self {
        let code = match &e {
            RecoError::InvalidInput(_) => "invalid_input",
            RecoError::Unavailable => "unavailable",
            RecoError::Transport(_) => "transport",
        };
        crate::api_error::ErrorBody::new(code, &e)
    }
}

impl From<crate::api_error::ErrorBody> for RecoError {
    fn from(b: crate::api_error::ErrorBody) -> Self {
        match b.code.as_str() {
            "invalid_input" => RecoError::InvalidInput(b.message),
            "unavailable" => RecoError::Unavailable,
            _ => RecoError::Transport(b.message),
        }
    }
}
