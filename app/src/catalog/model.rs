//! Catalog types shared by the server and the browser.

use crate::money::Money;
use serde::{Deserialize, Serialize};

/// Errors of the catalog's server functions, matched by variant in the browser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum CatalogError {
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    InvalidInput(String),
    /// Something failed on the server; details are in the server's log, never here.
    #[error("the shop is having trouble right now; please try again in a moment")]
    Unavailable,
    /// The request could not reach the server or be understood.
    #[error("could not reach the shop: {0}")]
    Transport(String),
}

crate::server_fn_error!(CatalogError);

crate::from_js_enum!(CatalogError {
    unit: [NotFound, Unavailable],
    with: [InvalidInput, Transport],
});

/// Product lifecycle: only active products are shown to shoppers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "ssr", derive(sqlx::Type))]
#[cfg_attr(
    feature = "ssr",
    sqlx(type_name = "product_status", rename_all = "lowercase")
)]
pub enum ProductStatus {
    Draft,
    Active,
    Archived,
}

impl ProductStatus {
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "draft" => Some(ProductStatus::Draft),
            "active" | "" => Some(ProductStatus::Active),
            "archived" => Some(ProductStatus::Archived),
            _ => None,
        }
    }
}

/// A stored photo, resized into several WebP widths.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageRef {
    pub key: String,
    pub alt: String,
    pub width: i32,
    pub height: i32,
    pub widths: Vec<i32>,
}

crate::from_js_struct!(ImageRef {
    key,
    alt,
    width,
    height,
    widths
});

impl ImageRef {
    pub fn url(&self, width: i32) -> String {
        format!("/media/products/{}-{}.webp", self.key, width)
    }

    /// The `srcset` attribute value listing every stored WebP width.
    pub fn srcset(&self) -> String {
        self.srcset_of("webp")
    }

    /// The same widths in AVIF (made in the background; until then `/media` answers
    /// each with its WebP).
    pub fn avif_srcset(&self) -> String {
        self.srcset_of("avif")
    }

    fn srcset_of(&self, format: &str) -> String {
        self.widths
            .iter()
            .map(|w| format!("/media/products/{}-{w}.{format} {w}w", self.key))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The smallest stored width at least `want` pixels wide (or the largest there is).
    pub fn best_width(&self, want: i32) -> i32 {
        self.widths
            .iter()
            .copied()
            .filter(|w| *w >= want)
            .min()
            .or_else(|| self.widths.iter().copied().max())
            .unwrap_or(self.width)
    }

    /// Height at a given width, keeping the aspect ratio (for explicit dimensions).
    pub fn height_at(&self, width: i32) -> i32 {
        if self.width == 0 {
            return width;
        }
        ((i64::from(width) * i64::from(self.height) + i64::from(self.width) / 2)
            / i64::from(self.width)) as i32
    }
}

/// A category link: its name and its full path of slugs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryLink {
    pub name: String,
    pub path: String,
}

impl CategoryLink {
    pub fn href(&self) -> String {
        format!("/c/{}", self.path)
    }
}

/// A product in a grid: enough to draw a card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductCard {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub brand: Option<String>,
    pub price_from: Money,
    pub has_price_range: bool,
    pub in_stock: bool,
    pub image: Option<ImageRef>,
}

/// A product page with one variant chosen: `/p/<slug>?variant=<SKU>`.
pub fn variant_href(slug: &str, sku: &str) -> String {
    format!(
        "/p/{}?variant={}",
        crate::url::encode(slug),
        crate::url::encode(sku)
    )
}

impl ProductCard {
    pub fn href(&self) -> String {
        format!("/p/{}", self.slug)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HomePage {
    pub categories: Vec<CategoryLink>,
    pub featured: Vec<ProductCard>,
    pub newest: Vec<ProductCard>,
    pub canonical: String,
}

/// How a category listing is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum ListingSort {
    #[default]
    Newest,
    PriceAsc,
    PriceDesc,
    Name,
}

impl ListingSort {
    pub const ALL: [ListingSort; 4] = [
        ListingSort::Newest,
        ListingSort::PriceAsc,
        ListingSort::PriceDesc,
        ListingSort::Name,
    ];

    pub fn param(&self) -> &'static str {
        match self {
            ListingSort::Newest => "newest",
            ListingSort::PriceAsc => "price-asc",
            ListingSort::PriceDesc => "price-desc",
            ListingSort::Name => "name",
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            ListingSort::Newest => "Newest",
            ListingSort::PriceAsc => "Price: low to high",
            ListingSort::PriceDesc => "Price: high to low",
            ListingSort::Name => "Name: A to Z",
        }
    }

    pub fn parse(text: &str) -> Result<Self, CatalogError> {
        ListingSort::ALL
            .into_iter()
            .find(|s| s.param() == text)
            .ok_or_else(|| {
                CatalogError::InvalidInput(format!(
                    "unknown sort order `{}`",
                    text.chars().take(40).collect::<String>()
                ))
            })
    }
}

/// A keyset position in a listing: the sort key and id of the last product shown.
/// Opaque to shoppers; encoded into the `after` query parameter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListingCursor {
    pub key: String,
    pub id: i64,
}

impl ListingCursor {
    pub fn encode(&self) -> String {
        format!("{}~{}", self.id, self.key)
    }

    pub fn decode(text: &str) -> Result<Self, CatalogError> {
        let bad = || CatalogError::InvalidInput("that page link is not valid".into());
        let (id, key) = text.split_once('~').ok_or_else(bad)?;
        let id = id.parse::<i64>().map_err(|_| bad())?;
        if id <= 0 || key.len() > 400 {
            return Err(bad());
        }
        Ok(ListingCursor {
            key: key.to_owned(),
            id,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryPage {
    pub name: String,
    pub path: String,
    pub description: String,
    pub breadcrumbs: Vec<CategoryLink>,
    pub children: Vec<CategoryLink>,
    pub products: Vec<ProductCard>,
    pub sort: ListingSort,
    pub next: Option<String>,
    pub is_first_page: bool,
    pub total: i64,
    pub canonical: String,
}

/// Whether a variant can be bought now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Availability {
    InStock,
    LowStock(i32),
    OutOfStock,
}

crate::from_js_enum!(Availability {
    unit: [InStock, OutOfStock],
    with: [LowStock],
});

impl Availability {
    pub const LOW_STOCK: i32 = 5;

    pub fn from_stock(on_hand: i32) -> Self {
        match on_hand {
            n if n <= 0 => Availability::OutOfStock,
            n if n <= Self::LOW_STOCK => Availability::LowStock(n),
            _ => Availability::InStock,
        }
    }

    pub fn label(&self) -> String {
        match self {
            Availability::InStock => "In stock".into(),
            Availability::LowStock(n) => format!("Only {n} left"),
            Availability::OutOfStock => "Out of stock".into(),
        }
    }

    pub fn schema_org(&self) -> &'static str {
        match self {
            Availability::OutOfStock => "https://schema.org/OutOfStock",
            Availability::LowStock(_) => "https://schema.org/LimitedAvailability",
            Availability::InStock => "https://schema.org/InStock",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VariantDetail {
    pub sku: String,
    pub price: Money,
    pub availability: Availability,
    /// Values by the position of the product's option names.
    pub options: Vec<String>,
}

crate::from_js_struct!(VariantDetail {
    sku,
    price,
    availability,
    options
});

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttributeValue {
    pub name: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductDetail {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub description: String,
    /// What search engines are shown instead of the title and description, when set.
    #[serde(default)]
    pub seo_title: Option<String>,
    #[serde(default)]
    pub seo_description: Option<String>,
    pub brand: Option<String>,
    pub breadcrumbs: Vec<CategoryLink>,
    pub option_names: Vec<String>,
    pub variants: Vec<VariantDetail>,
    pub images: Vec<ImageRef>,
    pub attributes: Vec<AttributeValue>,
    pub canonical: String,
    pub public_url: String,
    /// schema.org Product JSON-LD, built on the server (the browser only embeds it).
    pub json_ld: String,
}

#[cfg(test)]
impl ProductDetail {
    /// A product with only a slug (and that as its title), for tests to fill in.
    pub(crate) fn fixture(slug: &str) -> Self {
        ProductDetail {
            id: 1,
            slug: slug.into(),
            title: slug.into(),
            description: String::new(),
            seo_title: None,
            seo_description: None,
            brand: None,
            breadcrumbs: vec![],
            option_names: vec![],
            variants: vec![],
            images: vec![],
            attributes: vec![],
            canonical: String::new(),
            public_url: String::new(),
            json_ld: String::new(),
        }
    }
}

impl ProductDetail {
    /// What the variant picker needs, on its own: the part of the product the browser gets.
    pub fn variant_set(&self) -> VariantSet {
        VariantSet {
            slug: self.slug.clone(),
            option_names: self.option_names.clone(),
            variants: self.variants.clone(),
        }
    }
}

/// A product's variants and the names of their options ("screen size", "RAM").
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VariantSet {
    pub slug: String,
    pub option_names: Vec<String>,
    pub variants: Vec<VariantDetail>,
}

crate::from_js_struct!(VariantSet {
    slug,
    option_names,
    variants
});

impl VariantSet {
    /// The variant a `?variant=SKU` parameter names, or the first one.
    pub fn selected(&self, sku: Option<&str>) -> Option<&VariantDetail> {
        sku.and_then(|s| self.variants.iter().find(|v| v.sku == s))
            .or_else(|| self.variants.first())
    }

    /// The variant's own address: the product page with the variant chosen.
    pub fn href(&self, sku: &str) -> String {
        variant_href(&self.slug, sku)
    }

    /// Distinct values of one option, in the order variants list them.
    pub fn option_values(&self, position: usize) -> Vec<String> {
        let mut values: Vec<String> = Vec::new();
        for v in &self.variants {
            if let Some(val) = v.options.get(position)
                && !values.contains(val)
            {
                values.push(val.clone());
            }
        }
        values
    }

    /// The variant to switch to when the shopper picks `value` for option `position`,
    /// keeping the other options of `current` where such a variant exists.
    pub fn variant_for(
        &self,
        current: &VariantDetail,
        position: usize,
        value: &str,
    ) -> Option<&VariantDetail> {
        let matches =
            |v: &&VariantDetail| v.options.get(position).map(String::as_str) == Some(value);
        self.variants
            .iter()
            .filter(matches)
            .find(|v| {
                v.options
                    .iter()
                    .zip(&current.options)
                    .enumerate()
                    .all(|(i, (a, b))| i == position || a == b)
            })
            .or_else(|| self.variants.iter().find(matches))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;

    fn variant(sku: &str, options: &[&str]) -> VariantDetail {
        VariantDetail {
            sku: sku.into(),
            price: Money::from_minor(100, Currency::GBP),
            availability: Availability::InStock,
            options: options.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn laptop() -> ProductDetail {
        let mut p = ProductDetail::fixture("laptop");
        p.option_names = vec!["screen size".into(), "RAM".into()];
        p.variants = vec![
            variant("L13-8", &["13 inch", "8GB"]),
            variant("L15-8", &["15 inch", "8GB"]),
            variant("L13-16", &["13 inch", "16GB"]),
            variant("L15-16", &["15 inch", "16GB"]),
        ];
        p
    }

    #[test]
    fn variant_switch_keeps_other_options() {
        let p = laptop().variant_set();
        let current = p.selected(Some("L13-16")).cloned().unwrap();
        assert_eq!(
            p.variant_for(&current, 0, "15 inch")
                .map(|v| v.sku.as_str()),
            Some("L15-16")
        );
        assert_eq!(
            p.variant_for(&current, 1, "8GB").map(|v| v.sku.as_str()),
            Some("L13-8")
        );
        assert_eq!(p.option_values(0), vec!["13 inch", "15 inch"]);
        assert_eq!(
            p.selected(Some("nope")).map(|v| v.sku.as_str()),
            Some("L13-8")
        );
        assert_eq!(p.href("L15-16"), "/p/laptop?variant=L15-16");
    }

    #[test]
    fn cursor_round_trip_and_rejects_garbage() {
        let c = ListingCursor {
            key: "a~b c".into(),
            id: 42,
        };
        assert_eq!(ListingCursor::decode(&c.encode()), Ok(c));
        for bad in ["", "x", "abc~1", "-1~x", "0~x"] {
            assert!(ListingCursor::decode(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn availability_thresholds() {
        assert_eq!(Availability::from_stock(0), Availability::OutOfStock);
        assert_eq!(Availability::from_stock(-3), Availability::OutOfStock);
        assert_eq!(Availability::from_stock(5), Availability::LowStock(5));
        assert_eq!(Availability::from_stock(6), Availability::InStock);
    }

    #[test]
    fn image_widths() {
        let img = ImageRef {
            key: "ab".into(),
            alt: "x".into(),
            width: 1600,
            height: 1067,
            widths: vec![320, 640, 1024, 1600],
        };
        assert_eq!(img.best_width(500), 640);
        assert_eq!(img.best_width(5000), 1600);
        assert_eq!(img.height_at(320), 213);
        assert_eq!(
            img.avif_srcset(),
            "/media/products/ab-320.avif 320w, /media/products/ab-640.avif 640w, \
             /media/products/ab-1024.avif 1024w, /media/products/ab-1600.avif 1600w"
        );
        assert!(
            img.srcset()
                .starts_with("/media/products/ab-320.webp 320w, ")
        );
    }

    #[test]
    fn sort_params() {
        for s in ListingSort::ALL {
            assert_eq!(ListingSort::parse(s.param()), Ok(s));
        }
        assert!(ListingSort::parse("price; drop table").is_err());
    }
}
