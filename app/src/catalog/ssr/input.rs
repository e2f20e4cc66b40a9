//! A validated product to write into the catalog, whatever file it came from.

use crate::catalog::ids::{Sku, Slug};
use crate::catalog::model::ProductStatus;
use crate::money::Money;

/// A product as an import (or, later, the admin) wants it to be.
/// Built only through parsing, so every field already obeys the catalog's rules.
#[derive(Debug, Clone, PartialEq)]
pub struct ProductInput {
    pub slug: Slug,
    pub title: String,
    pub description: String,
    pub brand: Option<String>,
    /// Category names from the root down: ["Electronics", "Computers"].
    pub category: Vec<String>,
    pub status: ProductStatus,
    pub featured: bool,
    pub option_names: Vec<String>,
    pub variants: Vec<VariantInput>,
    pub images: Vec<ImageInput>,
    pub attributes: Vec<AttributeInput>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct VariantInput {
    pub sku: Sku,
    pub price: Money,
    pub stock_on_hand: i32,
    pub options: Vec<String>,
}

/// A photo already resized and stored under its content key.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageInput {
    pub key: String,
    pub alt: String,
    pub width: i32,
    pub height: i32,
    pub widths: Vec<i32>,
    pub source_name: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AttributeInput {
    /// `snake_case` code, e.g. `color`.
    pub code: String,
    pub name: String,
    pub value: AttributeValueInput,
}

#[derive(Debug, Clone, PartialEq)]
pub enum AttributeValueInput {
    Text(String),
    Number(String),
    Boolean(bool),
}

impl AttributeValueInput {
    pub fn kind(&self) -> &'static str {
        match self {
            AttributeValueInput::Text(_) => "text",
            AttributeValueInput::Number(_) => "number",
            AttributeValueInput::Boolean(_) => "boolean",
        }
    }
}

impl ProductInput {
    /// Checks what the types alone cannot: the shape of options and variants.
    pub fn check(&self) -> Result<(), String> {
        if self.title.trim().is_empty() || self.title.chars().count() > 300 {
            return Err("the title must be 1 to 300 characters".into());
        }
        if self.variants.is_empty() {
            return Err("a product needs at least one variant".into());
        }
        if self.option_names.len() > 5 {
            return Err("a product can have at most 5 options".into());
        }
        if self.category.iter().any(|c| Slug::from_title(c).is_err()) {
            return Err(format!(
                "category `{}` has no letters or digits",
                self.category.join(" > ")
            ));
        }
        let currency = self.variants[0].price.currency();
        for v in &self.variants {
            if v.options.len() != self.option_names.len() {
                return Err(format!(
                    "variant {} has {} option values but the product has {} options",
                    v.sku,
                    v.options.len(),
                    self.option_names.len()
                ));
            }
            if v.price.currency() != currency {
                return Err(format!(
                    "variant {} is priced in {} but others in {currency}",
                    v.sku,
                    v.price.currency()
                ));
            }
            if v.stock_on_hand < 0 {
                return Err(format!("variant {} has negative stock", v.sku));
            }
        }
        let mut skus: Vec<&str> = self.variants.iter().map(|v| v.sku.as_str()).collect();
        skus.sort_unstable();
        if let Some(w) = skus.windows(2).find(|w| w[0] == w[1]) {
            return Err(format!("SKU {} appears twice", w[0]));
        }
        Ok(())
    }
}
