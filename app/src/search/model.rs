//! Search results and suggestions, shared by the server and the browser.

use super::params::SearchParams;
use crate::catalog::model::{CategoryLink, ProductCard};
use serde::{Deserialize, Serialize};

/// A run of a title, marked when it matched the search.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Marked {
    pub text: String,
    pub hit: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchHit {
    pub card: ProductCard,
    pub skus: Vec<String>,
    /// The title split into matched and unmatched runs, for highlighting.
    pub title_marks: Vec<Marked>,
}

/// One value of a facet with the number of results it would give.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FacetValue {
    /// What goes in the URL (a slug, a path, a range, an attribute value).
    pub value: String,
    pub label: String,
    pub count: u64,
    pub selected: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttributeFacet {
    pub code: String,
    pub name: String,
    pub values: Vec<FacetValue>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Facets {
    /// The selected category and its ancestors, root first.
    pub category_trail: Vec<CategoryLink>,
    /// Subcategories of the selected category (or top-level ones) that have results.
    pub categories: Vec<FacetValue>,
    pub brands: Vec<FacetValue>,
    pub prices: Vec<FacetValue>,
    /// How many results are in stock.
    pub in_stock: u64,
    pub attributes: Vec<AttributeFacet>,
    /// False when the result set was so large that facet counts are estimates (the
    /// total is always exact).
    pub exact: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchResults {
    pub params: SearchParams,
    pub hits: Vec<SearchHit>,
    pub total: u64,
    pub pages: u32,
    pub facets: Facets,
    /// A corrected query when some words are unknown to the catalog.
    pub did_you_mean: Option<String>,
    /// No product matched every word; these match most of them (always the product
    /// type when the query names one).
    pub relaxed: bool,
    /// Words of the query that nothing in the catalog has, left out of it.
    #[serde(default)]
    pub ignored: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SuggestionKind {
    Product,
    Category,
    Brand,
}

crate::from_js_enum!(SuggestionKind {
    unit: [Product, Category, Brand],
    with: [],
});

impl SuggestionKind {
    pub fn label(self) -> &'static str {
        match self {
            SuggestionKind::Product => "Product",
            SuggestionKind::Category => "Category",
            SuggestionKind::Brand => "Brand",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suggestion {
    pub kind: SuggestionKind,
    pub label: String,
    pub href: String,
    /// A price for products, the parent path for categories.
    pub detail: Option<String>,
}

crate::from_js_struct!(Suggestion {
    kind,
    label,
    href,
    detail
});
