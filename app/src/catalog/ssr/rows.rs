//! Database rows and their conversion into view types.

use crate::catalog::model::{ImageRef, ProductCard};
use crate::money::{Currency, Money};

/// One row of the `product_cards` view.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct CardRow {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub name_key: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub brand: Option<String>,
    pub min_price: i64,
    pub max_price: i64,
    pub currency: String,
    pub in_stock: bool,
    pub image_key: Option<String>,
    pub image_alt: Option<String>,
    pub image_width: Option<i32>,
    pub image_height: Option<i32>,
    pub image_widths: Option<Vec<i32>>,
}

impl CardRow {
    pub fn into_card(self) -> ProductCard {
        let image = image_ref(
            self.image_key,
            self.image_alt,
            self.image_width,
            self.image_height,
            self.image_widths,
            &self.title,
        );
        ProductCard {
            id: self.id,
            slug: self.slug,
            title: self.title,
            brand: self.brand,
            price_from: money(self.min_price, &self.currency),
            has_price_range: self.max_price != self.min_price,
            in_stock: self.in_stock,
            image,
        }
    }
}

/// Money from a row; the column's CHECK constraint guarantees a valid code.
/// A product's first image from the nullable columns of an outer join (`None` when
/// the product has none); the alt text falls back to the product's title.
pub(crate) fn image_ref(
    key: Option<String>,
    alt: Option<String>,
    width: Option<i32>,
    height: Option<i32>,
    widths: Option<Vec<i32>>,
    title: &str,
) -> Option<ImageRef> {
    match (key, width, height, widths) {
        (Some(key), Some(width), Some(height), Some(widths)) => Some(ImageRef {
            key,
            alt: alt.unwrap_or_else(|| title.to_owned()),
            width,
            height,
            widths,
        }),
        _ => None,
    }
}

pub(crate) fn money(minor: i64, currency: &str) -> Money {
    let currency = Currency::parse(currency).unwrap_or_else(|_| {
        tracing::warn!(currency, "invalid currency code in the database");
        Currency::GBP
    });
    Money::from_minor(minor, currency)
}
