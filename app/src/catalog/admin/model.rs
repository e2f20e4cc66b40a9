//! What the admin's product pages show and send: the list's filter and rows, a product
//! as staff edit it (`Draft`, also what a revision keeps), revisions, and the
//! field-by-field difference between two drafts.

use crate::catalog::model::ProductStatus;
use crate::money::Money;
use serde::{Deserialize, Serialize};

/// The list's filter (every field as typed) and where the page starts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductFilter {
    /// Words of the title, or a SKU.
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub status: String,
    /// A category id.
    #[serde(default)]
    pub category: String,
    /// A brand id.
    #[serde(default)]
    pub brand: String,
    /// `in`, `low` or `out` (units available in every warehouse).
    #[serde(default)]
    pub stock: String,
    /// `updated` (default), `title`, `newest`.
    #[serde(default)]
    pub sort: String,
    #[serde(default)]
    pub after: String,
}

impl ProductFilter {
    /// The filter as a URL query, with the page to start at when `after` is given.
    pub fn query(&self, after: Option<&str>) -> String {
        let pairs = [
            ("q", self.q.trim()),
            ("status", self.status.trim()),
            ("category", self.category.trim()),
            ("brand", self.brand.trim()),
            ("stock", self.stock.trim()),
            ("sort", self.sort.trim()),
            ("after", after.unwrap_or("")),
        ];
        crate::url::to_query(pairs.into_iter().filter(|(_, v)| !v.is_empty()))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductRow {
    pub id: i64,
    pub title: String,
    pub slug: String,
    pub status: ProductStatus,
    pub category: String,
    pub brand: String,
    pub variants: i64,
    pub price_from: Option<Money>,
    /// Units available (on hand less held and sold) in every warehouse.
    pub available: i64,
    /// `YYYY-MM-DD HH:MM`, UTC.
    pub updated: String,
}

/// How many products the filter matches: exactly, up to a cap, or the table's estimate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Count {
    Exactly(i64),
    MoreThan(i64),
    About(i64),
    /// Counting took longer than the page may wait and the planner expected few.
    Many,
}

impl std::fmt::Display for Count {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = |n: i64| {
            let digits = n.to_string();
            let mut out = String::new();
            for (i, c) in digits.chars().enumerate() {
                if i > 0 && (digits.len() - i).is_multiple_of(3) {
                    out.push(',');
                }
                out.push(c);
            }
            out
        };
        match *self {
            Count::Exactly(1) => write!(f, "1 product"),
            Count::Exactly(k) => write!(f, "{} products", n(k)),
            Count::MoreThan(k) => write!(f, "more than {} products", n(k)),
            Count::About(k) => write!(f, "about {} products", n(k)),
            Count::Many => write!(f, "too many products to count quickly"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductList {
    pub rows: Vec<ProductRow>,
    pub next: Option<String>,
    pub count: Count,
    pub categories: Vec<(i64, String)>,
    pub brands: Vec<(i64, String)>,
    /// The bulk form's key for this drawing of the page.
    pub bulk_key: String,
}

pub const PAGE_SIZE: i64 = 50;

/// A product as staff edit it, and as a revision keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    pub title: String,
    pub slug: String,
    pub description: String,
    pub status: ProductStatus,
    pub brand_id: Option<i64>,
    /// The brand's name when the draft was taken (for reading a diff).
    #[serde(default)]
    pub brand: String,
    pub category_id: Option<i64>,
    /// The category's path when the draft was taken.
    #[serde(default)]
    pub category: String,
    pub featured: bool,
    #[serde(default)]
    pub seo_title: String,
    #[serde(default)]
    pub seo_description: String,
    pub option_names: Vec<String>,
    pub variants: Vec<DraftVariant>,
    /// Facts shoppers filter and compare by (material, wattage, waterproof). None in a
    /// revision kept before attributes were: rolling back to it leaves them as they are.
    #[serde(default)]
    pub attributes: Option<Vec<DraftAttribute>>,
}

/// One attribute as staff write it: `name = value` (a number or yes/no for attributes
/// of those kinds).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftAttribute {
    pub name: String,
    pub value: String,
}

/// Attributes as the form's text shows them, one `name = value` per line.
pub fn attribute_lines(list: &[DraftAttribute]) -> String {
    list.iter()
        .map(|a| format!("{} = {}", a.name, a.value))
        .collect::<Vec<_>>()
        .join("\n")
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftVariant {
    /// None: a variant to create.
    pub id: Option<i64>,
    pub sku: String,
    pub price: Money,
    pub options: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevisionRow {
    pub revision: i32,
    pub version: i32,
    pub actor: String,
    pub note: String,
    pub at: String,
}

/// A product's edit page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductEdit {
    /// None: a new product.
    pub id: Option<i64>,
    /// The version the form was drawn at (a save from an older one is refused).
    pub version: i32,
    pub draft: Draft,
    pub currency: String,
    pub categories: Vec<(i64, String)>,
    pub brands: Vec<(i64, String)>,
    pub revisions: Vec<RevisionRow>,
    /// Where shoppers see it (active products).
    pub storefront: Option<String>,
}

/// One difference between two drafts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: String,
    pub before: String,
    pub after: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comparison {
    pub from: i32,
    pub to: i32,
    pub title: String,
    pub changes: Vec<FieldChange>,
}

fn status_name(s: ProductStatus) -> String {
    format!("{s:?}").to_lowercase()
}

/// What differs between `a` and `b`, field by field; variants are matched by SKU.
pub fn diff(a: &Draft, b: &Draft) -> Vec<FieldChange> {
    let mut out = Vec::new();
    let mut field = |name: &str, before: String, after: String| {
        if before != after {
            out.push(FieldChange {
                field: name.to_owned(),
                before,
                after,
            });
        }
    };
    field("Title", a.title.clone(), b.title.clone());
    field("Address (slug)", a.slug.clone(), b.slug.clone());
    field("Description", a.description.clone(), b.description.clone());
    field("Status", status_name(a.status), status_name(b.status));
    field("Brand", a.brand.clone(), b.brand.clone());
    field("Category", a.category.clone(), b.category.clone());
    field(
        "Featured",
        if a.featured { "yes" } else { "no" }.into(),
        if b.featured { "yes" } else { "no" }.into(),
    );
    field("SEO title", a.seo_title.clone(), b.seo_title.clone());
    field(
        "SEO description",
        a.seo_description.clone(),
        b.seo_description.clone(),
    );
    field(
        "Options",
        a.option_names.join(", "),
        b.option_names.join(", "),
    );
    if let (Some(x), Some(y)) = (&a.attributes, &b.attributes) {
        field("Attributes", attribute_lines(x), attribute_lines(y));
    }
    let show = |v: &DraftVariant| format!("{} ({})", v.price, v.options.join(" / "));
    for v in &a.variants {
        match b.variants.iter().find(|w| w.sku == v.sku) {
            Some(w) => field(&format!("Variant {}", v.sku), show(v), show(w)),
            None => field(&format!("Variant {}", v.sku), show(v), "(removed)".into()),
        }
    }
    for w in &b.variants {
        if !a.variants.iter().any(|v| v.sku == w.sku) {
            field(&format!("Variant {}", w.sku), "(none)".into(), show(w));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;

    fn draft() -> Draft {
        Draft {
            title: "Laptop".into(),
            slug: "laptop".into(),
            description: "Light.".into(),
            status: ProductStatus::Active,
            brand_id: None,
            brand: String::new(),
            category_id: Some(1),
            category: "electronics".into(),
            featured: false,
            seo_title: String::new(),
            seo_description: String::new(),
            option_names: vec!["RAM".into()],
            variants: vec![DraftVariant {
                id: Some(1),
                sku: "L-8".into(),
                price: Money::from_minor(99_900, Currency::USD),
                options: vec!["8 GB".into()],
            }],
            attributes: None,
        }
    }

    #[test]
    fn a_diff_names_each_changed_field_and_variant() {
        let a = draft();
        assert!(diff(&a, &a).is_empty());
        let mut b = a.clone();
        b.title = "Laptop 13".into();
        b.status = ProductStatus::Archived;
        b.variants[0].price = Money::from_minor(89_900, Currency::USD);
        b.variants.push(DraftVariant {
            id: None,
            sku: "L-16".into(),
            price: Money::from_minor(119_900, Currency::USD),
            options: vec!["16 GB".into()],
        });
        let changes = diff(&a, &b);
        let fields: Vec<&str> = changes.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(
            fields,
            ["Title", "Status", "Variant L-8", "Variant L-16"],
            "{changes:?}"
        );
        assert_eq!(changes[1].before, "active");
        assert_eq!(changes[1].after, "archived");
        assert_eq!(changes[3].before, "(none)");
        assert_eq!(diff(&b, &a)[3].after, "(removed)");
    }
}

/// One of a product's photos as the admin shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminImage {
    pub id: i64,
    pub position: i16,
    pub image: crate::catalog::model::ImageRef,
}

/// A product's photos, first (its main photo) to last, with a key for the forms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageBoard {
    pub product: i64,
    pub title: String,
    pub images: Vec<AdminImage>,
    /// The upload form's key, and the move buttons' (a page draws one of each).
    pub key: String,
    pub move_key: String,
}
