//! The product edit form as posted, checked into a `Draft`.

use crate::catalog::admin::model::{Draft, DraftVariant};
use crate::catalog::model::ProductStatus;
use crate::money::{Currency, Money};

#[derive(Debug, Clone, Default)]
pub struct ProductForm {
    pub title: String,
    pub slug: String,
    pub description: String,
    pub status: String,
    pub brand: String,
    pub category: String,
    pub featured: bool,
    pub seo_title: String,
    pub seo_description: String,
    /// Option names separated by commas.
    pub options: String,
    /// Attributes, one `name = value` per line (None: not sent, left as they are).
    pub attributes: Option<String>,
    pub currency: String,
    pub variant_id: Vec<String>,
    pub sku: Vec<String>,
    pub price: Vec<String>,
    /// Each variant's option values separated by commas.
    pub values: Vec<String>,
    pub remove: Vec<String>,
}

fn list(text: &str) -> Vec<String> {
    text.split(',')
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

/// An id chosen from a list (empty: none), or what to do instead.
pub(crate) fn choice(text: &str, what: &str) -> Result<Option<i64>, String> {
    match text.trim() {
        "" => Ok(None),
        t => t
            .parse::<i64>()
            .map(Some)
            .map_err(|_| format!("choose a {what} from the list")),
    }
}

impl ProductForm {
    /// The draft the form describes, or what is wrong with it (the catalog's own rules
    /// are checked again when it is saved).
    pub fn draft(&self) -> Result<Draft, String> {
        let status = match self.status.trim() {
            "draft" => ProductStatus::Draft,
            "active" => ProductStatus::Active,
            "archived" => ProductStatus::Archived,
            other => return Err(format!("there is no status {other:?}")),
        };
        let currency = Currency::parse(self.currency.trim())
            .map_err(|_| "reload the page and try again (no currency)".to_owned())?;
        let rows = self.sku.len();
        if [self.variant_id.len(), self.price.len(), self.values.len()]
            .iter()
            .any(|n| *n != rows)
        {
            return Err("the variants' fields do not line up; reload the page".into());
        }
        if rows > 200 {
            return Err("a product can have at most 200 variants".into());
        }
        let mut variants = Vec::new();
        for i in 0..rows {
            let id = choice(&self.variant_id[i], "variant")?;
            let sku = self.sku[i].trim();
            let price = self.price[i].trim();
            let values = list(&self.values[i]);
            if id.is_none() && sku.is_empty() && price.is_empty() && values.is_empty() {
                continue; // the empty row for a new variant, left empty
            }
            if id.is_some_and(|id| self.remove.iter().any(|r| r.trim() == id.to_string())) {
                continue;
            }
            // Thousands separators as typed (1,199.00).
            let price: String = price
                .chars()
                .filter(|c| *c != ',' && !c.is_whitespace())
                .collect();
            let price = Money::parse_major(&price, currency).map_err(|e| {
                format!(
                    "the price of {}: {e}",
                    if sku.is_empty() { "a variant" } else { sku }
                )
            })?;
            variants.push(DraftVariant {
                id,
                sku: sku.to_owned(),
                price,
                options: values,
            });
        }
        Ok(Draft {
            title: self.title.trim().to_owned(),
            slug: self.slug.trim().to_lowercase(),
            description: self.description.replace("\r\n", "\n").trim().to_owned(),
            status,
            brand_id: choice(&self.brand, "brand")?,
            brand: String::new(),
            category_id: choice(&self.category, "category")?,
            category: String::new(),
            featured: self.featured,
            seo_title: self.seo_title.trim().to_owned(),
            seo_description: self.seo_description.trim().to_owned(),
            option_names: list(&self.options),
            variants,
            attributes: match &self.attributes {
                Some(text) => Some(super::attributes::parse(text)?),
                None => None,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> ProductForm {
        ProductForm {
            title: " Laptop ".into(),
            slug: "Laptop".into(),
            status: "active".into(),
            currency: "USD".into(),
            options: "RAM, Colour".into(),
            variant_id: vec!["7".into(), "".into(), "".into()],
            sku: vec!["L-8".into(), "L-16".into(), "".into()],
            price: vec!["999.00".into(), "1,199.00".into(), "".into()],
            values: vec!["8 GB, Grey".into(), "16 GB, Grey".into(), "".into()],
            ..ProductForm::default()
        }
    }

    #[test]
    fn a_form_becomes_a_draft_and_an_empty_row_is_no_variant() {
        let d = form().draft().unwrap();
        assert_eq!(d.title, "Laptop");
        assert_eq!(d.slug, "laptop");
        assert_eq!(d.option_names, ["RAM", "Colour"]);
        assert_eq!(d.variants.len(), 2);
        assert_eq!(d.variants[0].id, Some(7));
        assert_eq!(d.variants[1].price.minor(), 119_900);
        assert_eq!(d.variants[1].options, ["16 GB", "Grey"]);
        let mut removed = form();
        removed.remove = vec!["7".into()];
        assert_eq!(removed.draft().unwrap().variants.len(), 1);
    }

    #[test]
    fn bad_forms_are_refused_with_a_reason() {
        for (field, f) in [
            (
                "status",
                ProductForm {
                    status: "deleted".into(),
                    ..form()
                },
            ),
            (
                "currency",
                ProductForm {
                    currency: "<b>".into(),
                    ..form()
                },
            ),
            (
                "price",
                ProductForm {
                    price: vec!["free".into(), "1".into(), "".into()],
                    ..form()
                },
            ),
            (
                "rows",
                ProductForm {
                    sku: vec!["A".into()],
                    ..form()
                },
            ),
            (
                "brand",
                ProductForm {
                    brand: "1 OR 1=1".into(),
                    ..form()
                },
            ),
            (
                "variant id",
                ProductForm {
                    variant_id: vec!["x".into(), "".into(), "".into()],
                    ..form()
                },
            ),
        ] {
            assert!(f.draft().is_err(), "{field}");
        }
    }
}
