//! The facets a results page shows, from the counts `facets` collected: categories to
//! drill into, brands, price bands, in stock, and each attribute, every dimension counted
//! without its own filter so that a shopper sees what choosing another value would give.

use super::facets::Counts;
use super::query::{self, Filter};
use super::source::Labels;
use super::table::PRICE_EDGES;
use crate::catalog::model::CategoryLink;
use crate::money::{Currency, Money};
use crate::search::model::{AttributeFacet, FacetValue, Facets};
use crate::search::params::{PriceRange, SearchParams};
use std::collections::HashMap;

/// Facet values shown per dimension.
pub const FACET_LIMIT: usize = 12;

fn facet_values(
    counts: &HashMap<String, u64>,
    selected: &dyn Fn(&str) -> bool,
    label: &dyn Fn(&str) -> String,
) -> Vec<FacetValue> {
    let mut values: Vec<FacetValue> = counts
        .iter()
        .map(|(value, &count)| FacetValue {
            value: value.clone(),
            label: label(value),
            count,
            selected: selected(value),
        })
        .collect();
    values.sort_by(|a, b| {
        b.selected
            .cmp(&a.selected)
            .then(b.count.cmp(&a.count))
            .then(a.label.cmp(&b.label))
    });
    values.truncate(FACET_LIMIT.max(values.iter().filter(|v| v.selected).count()));
    values
}

fn price_label(lo: u64, hi: Option<u64>, currency: Currency) -> String {
    let money = |v: u64| {
        let m = Money::from_minor(v as i64, currency).to_string();
        m.strip_suffix(".00").map(str::to_owned).unwrap_or(m)
    };
    match (lo, hi) {
        (0, Some(hi)) => format!("Under {}", money(hi)),
        (lo, Some(hi)) => format!("{} – {}", money(lo), money(hi)),
        (lo, None) => format!("{} and over", money(lo)),
    }
}

pub(super) fn facets(
    p: &SearchParams,
    counts: &Counts,
    own: &[(query::Dim, Counts)],
    _filters: &[Filter],
    labels: &Labels,
    currency: Currency,
) -> Facets {
    let counts_for = |dim: query::Dim| {
        own.iter()
            .find(|(d, _)| *d == dim)
            .map(|(_, c)| c)
            .unwrap_or(counts)
    };

    // Categories: drill down from the selected one (or the top level).
    let depth = p.category.as_deref().map_or(0, |c| c.split('/').count());
    let children: HashMap<String, u64> = counts
        .categories
        .iter()
        .filter(|(path, _)| {
            path.split('/').count() == depth + 1
                && p.category.as_deref().is_none_or(|c| {
                    path.strip_prefix(c)
                        .is_some_and(|rest| rest.starts_with('/'))
                })
        })
        .map(|(k, v)| (k.clone(), *v))
        .collect();
    let categories = facet_values(&children, &|_| false, &|path| {
        labels
            .categories
            .get(path)
            .cloned()
            .unwrap_or_else(|| path.to_owned())
    });
    let category_trail = p
        .category
        .as_deref()
        .map(|c| {
            super::source::ancestor_paths(c)
                .zip(labels.category_names(c))
                .map(|(path, name)| CategoryLink {
                    name,
                    path: path.to_owned(),
                })
                .collect()
        })
        .unwrap_or_default();

    let brand_counts = &counts_for(query::Dim::Brand).brands;
    let mut brand_map = brand_counts.clone();
    for b in &p.brands {
        brand_map.entry(b.clone()).or_insert(0);
    }
    let brands = facet_values(
        &brand_map,
        &|slug| p.brands.iter().any(|b| b == slug),
        &|slug| {
            labels
                .brands
                .get(slug)
                .cloned()
                .unwrap_or_else(|| slug.to_owned())
        },
    );

    let price_counts = counts_for(query::Dim::Price).prices;
    let prices = PRICE_EDGES
        .iter()
        .enumerate()
        .filter(|(i, _)| price_counts[*i] > 0)
        .map(|(i, &lo)| {
            let hi = PRICE_EDGES.get(i + 1).copied();
            let range = PriceRange {
                min: (lo > 0).then_some(lo as i64),
                max: hi.map(|h| h as i64),
            };
            FacetValue {
                value: range.param(),
                label: price_label(lo, hi, currency),
                count: price_counts[i],
                selected: p.price == Some(range),
            }
        })
        .collect();

    let in_stock = counts_for(query::Dim::InStock).in_stock;

    // Attributes: each code counted without its own filter.
    let mut codes: Vec<&str> = p.attributes.iter().map(|(c, _)| c.as_str()).collect();
    codes.sort_unstable();
    codes.dedup();
    let mut by_code: HashMap<String, HashMap<String, u64>> = HashMap::new();
    for (term, &n) in &counts.attrs {
        if let Some((code, value)) = term.split_once('=')
            && !codes.contains(&code)
        {
            by_code
                .entry(code.to_owned())
                .or_default()
                .insert(value.to_owned(), n);
        }
    }
    for (i, code) in codes.iter().enumerate() {
        let c = counts_for(query::Dim::Attr(i));
        let entry = by_code.entry((*code).to_owned()).or_default();
        for (term, &n) in &c.attrs {
            if let Some((tc, value)) = term.split_once('=')
                && tc == *code
            {
                entry.insert(value.to_owned(), n);
            }
        }
        for (ac, av) in &p.attributes {
            if ac == code {
                entry.entry(av.clone()).or_insert(0);
            }
        }
    }
    let mut attributes: Vec<AttributeFacet> = by_code
        .into_iter()
        .map(|(code, values)| {
            let values = facet_values(
                &values,
                &|v| p.attributes.iter().any(|(c, av)| *c == code && av == v),
                &|v| v.to_owned(),
            );
            AttributeFacet {
                name: labels
                    .attributes
                    .get(&code)
                    .cloned()
                    .unwrap_or_else(|| code.clone()),
                code,
                values,
            }
        })
        .collect();
    attributes.sort_by(|a, b| a.name.cmp(&b.name));

    Facets {
        category_trail,
        categories,
        brands,
        prices,
        in_stock,
        attributes,
        exact: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn price_labels() {
        let gbp = Currency::parse("GBP").unwrap();
        assert_eq!(price_label(0, Some(1000), gbp), "Under £10");
        assert_eq!(price_label(1000, Some(2500), gbp), "£10 – £25");
        assert_eq!(price_label(100_000, None, gbp), "£1,000 and over");
    }
}
