//! A search as it appears in a URL: `/search?q=sofa&brand=acme&price=1000-5000&page=2`.
//!
//! Parsed the same way by the page, the server function and the JSON API, so a link a
//! shopper shares means the same search everywhere. Facet links are built from here too.

use crate::catalog::model::CatalogError;
use crate::url;
use serde::{Deserialize, Serialize};

/// Results per page.
pub const PAGE_SIZE: u32 = 24;
/// Deeper pages are refused: nobody reads them, and they cost the most to serve.
pub const MAX_PAGE: u32 = 200;
/// Longer queries are refused with a clear message.
pub const MAX_QUERY_CHARS: usize = 200;
/// At most this many values of one filter.
pub const MAX_FILTER_VALUES: usize = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum SearchSort {
    #[default]
    Relevance,
    PriceAsc,
    PriceDesc,
    Newest,
}

impl SearchSort {
    pub const ALL: [SearchSort; 4] = [
        SearchSort::Relevance,
        SearchSort::PriceAsc,
        SearchSort::PriceDesc,
        SearchSort::Newest,
    ];

    pub fn param(self) -> &'static str {
        match self {
            SearchSort::Relevance => "relevance",
            SearchSort::PriceAsc => "price-asc",
            SearchSort::PriceDesc => "price-desc",
            SearchSort::Newest => "newest",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SearchSort::Relevance => "Best match",
            SearchSort::PriceAsc => "Price: low to high",
            SearchSort::PriceDesc => "Price: high to low",
            SearchSort::Newest => "Newest",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.param() == text)
    }
}

/// A price range in minor units; either end may be open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceRange {
    pub min: Option<i64>,
    pub max: Option<i64>,
}

impl PriceRange {
    /// `1000-5000`, `1000-` or `-5000`, in minor units.
    pub fn param(&self) -> String {
        let end = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
        format!("{}-{}", end(self.min), end(self.max))
    }

    fn parse(text: &str) -> Option<Self> {
        let (lo, hi) = text.split_once('-')?;
        let end = |s: &str| -> Option<Option<i64>> {
            if s.is_empty() {
                Some(None)
            } else if s.len() <= 15 && s.bytes().all(|b| b.is_ascii_digit()) {
                s.parse().ok().map(Some)
            } else {
                None
            }
        };
        let range = PriceRange {
            min: end(lo)?,
            max: end(hi)?,
        };
        match range {
            PriceRange {
                min: None,
                max: None,
            } => None,
            PriceRange {
                min: Some(a),
                max: Some(b),
            } if a > b => None,
            r => Some(r),
        }
    }

    pub fn contains(&self, price: i64) -> bool {
        self.min.is_none_or(|m| price >= m) && self.max.is_none_or(|m| price < m)
    }
}

/// Everything that defines one page of search results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct SearchParams {
    pub q: String,
    /// A category path (`electronics/computers`); its subcategories are included.
    pub category: Option<String>,
    /// Brand slugs; a product of any of them matches.
    pub brands: Vec<String>,
    pub price: Option<PriceRange>,
    pub in_stock: bool,
    /// `(attribute code, value)`; values of one attribute are alternatives, different
    /// attributes must all match.
    pub attributes: Vec<(String, String)>,
    pub sort: SearchSort,
    /// 1-based.
    pub page: u32,
}

fn invalid(message: impl Into<String>) -> CatalogError {
    CatalogError::InvalidInput(message.into())
}

fn is_slug_path(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 300
        && text.split('/').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
}

impl SearchParams {
    /// Parses decoded query pairs. Unknown keys are refused (campaign tags such as
    /// `utm_source` excepted), so a typo in an API call is reported, not ignored.
    pub fn from_pairs<K: AsRef<str>, V: AsRef<str>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Result<Self, CatalogError> {
        let mut p = SearchParams {
            page: 1,
            ..Default::default()
        };
        let mut seen_q = false;
        for (key, value) in pairs {
            let (key, value) = (key.as_ref(), value.as_ref().trim());
            match key {
                "q" => {
                    if seen_q {
                        return Err(invalid("give the query `q` once"));
                    }
                    seen_q = true;
                    if value.chars().count() > MAX_QUERY_CHARS {
                        return Err(invalid(format!(
                            "the search is too long: at most {MAX_QUERY_CHARS} characters"
                        )));
                    }
                    if value.chars().any(|c| c.is_control()) {
                        return Err(invalid("the search contains control characters"));
                    }
                    p.q = value.split_whitespace().collect::<Vec<_>>().join(" ");
                }
                "category" if value.is_empty() => {}
                "category" => {
                    let path = value.trim_matches('/');
                    if !is_slug_path(path) {
                        return Err(invalid(format!("`{value}` is not a category path")));
                    }
                    p.category = Some(path.to_owned());
                }
                "brand" => {
                    if !is_slug_path(value) || value.contains('/') {
                        return Err(invalid(format!("`{value}` is not a brand")));
                    }
                    if !p.brands.iter().any(|b| b == value) {
                        p.brands.push(value.to_owned());
                    }
                }
                "price" if value.is_empty() => {}
                "price" => {
                    p.price = Some(PriceRange::parse(value).ok_or_else(|| {
                        invalid(format!(
                            "`{value}` is not a price range; use MIN-MAX in minor units, e.g. 1000-5000"
                        ))
                    })?);
                }
                "in_stock" => {
                    p.in_stock = match value {
                        "1" | "true" | "yes" | "on" => true,
                        "" | "0" | "false" | "no" | "off" => false,
                        other => {
                            return Err(invalid(format!("in_stock must be 1 or 0, not `{other}`")));
                        }
                    }
                }
                "attr" => {
                    let (code, val) = value.split_once(':').ok_or_else(|| {
                        invalid(format!(
                            "`{value}` is not an attribute filter; use code:value"
                        ))
                    })?;
                    let ok_code = !code.is_empty()
                        && code.len() <= 64
                        && code
                            .bytes()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
                    if !ok_code || val.trim().is_empty() || val.chars().count() > 200 {
                        return Err(invalid(format!("`{value}` is not an attribute filter")));
                    }
                    let pair = (code.to_owned(), val.trim().to_owned());
                    if !p.attributes.contains(&pair) {
                        p.attributes.push(pair);
                    }
                }
                "sort" if value.is_empty() => {}
                "sort" => {
                    p.sort = SearchSort::parse(value).ok_or_else(|| {
                        invalid(format!(
                            "unknown sort `{value}`; use relevance, price-asc, price-desc or newest"
                        ))
                    })?;
                }
                "page" if value.is_empty() => {}
                "page" => {
                    let n: u32 = value
                        .parse()
                        .map_err(|_| invalid(format!("page must be a number, not `{value}`")))?;
                    if n == 0 || n > MAX_PAGE {
                        return Err(invalid(format!("page must be between 1 and {MAX_PAGE}")));
                    }
                    p.page = n;
                }
                k if k.starts_with("utm_") => {}
                other => {
                    return Err(invalid(format!(
                        "unknown search parameter `{other}`; known: q, category, brand, price, in_stock, attr, sort, page"
                    )));
                }
            }
        }
        if p.brands.len() > MAX_FILTER_VALUES || p.attributes.len() > MAX_FILTER_VALUES {
            return Err(invalid(format!(
                "at most {MAX_FILTER_VALUES} values per filter"
            )));
        }
        Ok(p)
    }

    /// Parses a raw query string (`?q=...`).
    pub fn from_query(query: &str) -> Result<Self, CatalogError> {
        Self::from_pairs(url::parse_query(query))
    }

    /// Filters are on (anything but the words, the order and the page).
    pub fn has_filters(&self) -> bool {
        self.category.is_some()
            || !self.brands.is_empty()
            || self.price.is_some()
            || self.in_stock
            || !self.attributes.is_empty()
    }

    fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if !self.q.is_empty() {
            out.push(("q", self.q.clone()));
        }
        if let Some(c) = &self.category {
            out.push(("category", c.clone()));
        }
        for b in &self.brands {
            out.push(("brand", b.clone()));
        }
        if let Some(p) = &self.price {
            out.push(("price", p.param()));
        }
        if self.in_stock {
            out.push(("in_stock", "1".into()));
        }
        for (code, value) in &self.attributes {
            out.push(("attr", format!("{code}:{value}")));
        }
        if self.sort != SearchSort::default() {
            out.push(("sort", self.sort.param().into()));
        }
        if self.page > 1 {
            out.push(("page", self.page.to_string()));
        }
        out
    }

    /// This search's URL; parsing it gives back the same parameters.
    pub fn href(&self) -> String {
        let pairs = self.pairs();
        format!(
            "/search{}",
            url::to_query(pairs.iter().map(|(k, v)| (*k, v.as_str())))
        )
    }

    /// A changed copy, back on the first page (a new filter changes what page 2 holds).
    pub fn with(&self, change: impl FnOnce(&mut SearchParams)) -> SearchParams {
        let mut next = self.clone();
        change(&mut next);
        next.page = 1;
        next
    }

    pub fn toggle_brand(&self, slug: &str) -> SearchParams {
        self.with(|p| {
            if let Some(i) = p.brands.iter().position(|b| b == slug) {
                p.brands.remove(i);
            } else {
                p.brands.push(slug.to_owned());
            }
        })
    }

    pub fn toggle_attribute(&self, code: &str, value: &str) -> SearchParams {
        self.with(|p| {
            let pair = (code.to_owned(), value.to_owned());
            if let Some(i) = p.attributes.iter().position(|a| *a == pair) {
                p.attributes.remove(i);
            } else {
                p.attributes.push(pair);
            }
        })
    }

    pub fn at_page(&self, page: u32) -> SearchParams {
        let mut next = self.clone();
        next.page = page;
        next
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn parse(q: &str) -> Result<SearchParams, CatalogError> {
        SearchParams::from_query(q)
    }

    #[test]
    fn parses_every_filter() {
        let p = parse("?q=red++sofa&category=home/furniture&brand=acme&brand=zeta&price=1000-&in_stock=1&attr=color:Navy%20Blue&sort=price-asc&page=3").unwrap();
        assert_eq!(p.q, "red sofa");
        assert_eq!(p.category.as_deref(), Some("home/furniture"));
        assert_eq!(p.brands, ["acme", "zeta"]);
        assert_eq!(
            p.price,
            Some(PriceRange {
                min: Some(1000),
                max: None
            })
        );
        assert!(p.in_stock);
        assert_eq!(p.attributes, [("color".into(), "Navy Blue".into())]);
        assert_eq!(p.sort, SearchSort::PriceAsc);
        assert_eq!(p.page, 3);
        assert_eq!(parse(&p.href()["/search".len()..]).unwrap(), p);
    }

    #[test]
    fn refuses_bad_input_clearly() {
        for bad in [
            "page=0",
            "page=201",
            "page=-1",
            "page=x",
            "sort=cheapest",
            "price=abc",
            "price=500-100",
            "price=-",
            "brand=Not%20A%20Slug",
            "category=../etc",
            "attr=color",
            "attr=:x",
            "in_stock=maybe",
            "colour=red",
            "q=a&q=b",
        ] {
            let err = parse(bad).unwrap_err();
            assert!(
                matches!(err, CatalogError::InvalidInput(_)),
                "{bad}: {err:?}"
            );
        }
        let long = format!("q={}", "a".repeat(MAX_QUERY_CHARS + 1));
        assert!(parse(&long).is_err());
        // Query syntax is just text: quotes, colons and operators are not special here.
        let p = parse("q=%22unbalanced+title:(x+OR+*").unwrap();
        assert_eq!(p.q, "\"unbalanced title:(x OR *");
        // Campaign tags are ignored, not refused.
        assert!(parse("q=x&utm_source=mail").is_ok());
    }

    #[test]
    fn toggling_resets_the_page() {
        let p = parse("q=tee&page=4").unwrap();
        let with = p.toggle_brand("acme");
        assert_eq!(with.brands, ["acme"]);
        assert_eq!(with.page, 1);
        assert!(with.toggle_brand("acme").brands.is_empty());
        assert_eq!(p.at_page(2).href(), "/search?q=tee&page=2");
    }

    proptest! {
        #[test]
        fn any_query_text_round_trips(q in "\\PC{0,80}") {
            let p = SearchParams { q: q.split_whitespace().collect::<Vec<_>>().join(" "), page: 1, ..Default::default() };
            if let Ok(back) = parse(&p.href()["/search".len()..]) {
                prop_assert_eq!(back, p);
            }
        }
    }
}
