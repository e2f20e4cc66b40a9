//! The Vendure sample catalog (`products.jsonl` with an `images/` folder beside it).

use super::{Draft, ImageSource, ImportError, Row, Skip, read_file};
use app::catalog::ids::{Sku, Slug};
use app::catalog::model::ProductStatus;
use app::catalog::ssr::{AttributeInput, AttributeValueInput, ProductInput, VariantInput};
use app::money::{Currency, Money};
use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};
use std::path::Path;

#[derive(Deserialize)]
struct VendureProduct {
    name: String,
    slug: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    images: Vec<String>,
    #[serde(default)]
    categories: Vec<String>,
    brand: Option<String>,
    #[serde(default)]
    other_facets: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    option_groups: Vec<String>,
    variants: Vec<VendureVariant>,
}

#[derive(Deserialize)]
struct VendureVariant {
    sku: String,
    price: serde_json::Number,
    #[serde(default)]
    options: Vec<String>,
    #[serde(default)]
    stock_on_hand: i64,
}

/// Parses `<dir>/products.jsonl`. The first product of each category is featured.
pub fn parse(dir: &Path, currency: Currency) -> Result<Vec<Row>, ImportError> {
    let file = dir.join("products.jsonl");
    let bytes = read_file(&file)?;
    let text = std::str::from_utf8(&bytes)
        .map_err(|e| ImportError::File(format!("{} is not UTF-8: {e}", file.display())))?;
    let mut featured_categories = HashSet::new();
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line_no = i as u64 + 1;
        if line.trim().is_empty() {
            continue;
        }
        let row = serde_json::from_str::<VendureProduct>(line)
            .map_err(|e| Skip::new(line_no, format!("not a valid product: {e}")))
            .and_then(|p| convert(p, line_no, dir, currency, &mut featured_categories));
        rows.push(row);
    }
    Ok(rows)
}

fn convert(
    p: VendureProduct,
    line: u64,
    dir: &Path,
    currency: Currency,
    featured_categories: &mut HashSet<Vec<String>>,
) -> Result<Draft, Skip> {
    let skip = |reason: String| Skip::new(line, reason);
    let slug = Slug::parse(&p.slug)
        .or_else(|_| Slug::from_title(&p.name))
        .map_err(|e| skip(e.to_string()))?;
    let mut variants = Vec::with_capacity(p.variants.len());
    for v in p.variants {
        let sku = Sku::parse(&v.sku).map_err(|e| skip(e.to_string()))?;
        let price = Money::parse_major(&v.price.to_string(), currency)
            .map_err(|e| skip(format!("SKU {sku}: {e}")))?;
        let stock_on_hand = i32::try_from(v.stock_on_hand.max(0))
            .map_err(|_| skip(format!("SKU {sku}: stock is too large")))?;
        variants.push(VariantInput {
            sku,
            price,
            stock_on_hand,
            options: v.options,
        });
    }
    let mut attributes = Vec::new();
    for (name, values) in p.other_facets {
        let code = super::attribute_code(&name).map_err(skip)?;
        for value in values {
            attributes.push(AttributeInput {
                code: code.clone(),
                name: super::title_case(&name.replace('_', " ")),
                value: AttributeValueInput::Text(super::title_case(&value)),
            });
        }
    }
    let images = p
        .images
        .iter()
        .map(|name| ImageSource {
            path: dir.join("images").join(name),
            alt: p.name.clone(),
        })
        .collect();
    let featured = !p.categories.is_empty() && featured_categories.insert(p.categories.clone());
    let product = ProductInput {
        slug,
        title: p.name.trim().to_owned(),
        description: p.description.trim().to_owned(),
        brand: p.brand.filter(|b| !b.trim().is_empty()),
        category: p.categories,
        status: ProductStatus::Active,
        featured,
        option_names: p.option_groups,
        variants,
        images: Vec::new(),
        attributes,
    };
    product.check().map_err(skip)?;
    Ok(Draft {
        line,
        product,
        images,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_shipped_sample() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("seed/vendure-sample");
        let rows = parse(&dir, Currency::USD).unwrap();
        assert_eq!(rows.len(), 54);
        let drafts: Vec<&Draft> = rows.iter().filter_map(|r| r.as_ref().ok()).collect();
        let skips: Vec<&Skip> = rows.iter().filter_map(|r| r.as_ref().err()).collect();
        // The sample's "Modern Cafe Chair" gives one SKU to three colours: bad data, reported.
        assert_eq!(skips.len(), 1, "{skips:?}");
        assert!(
            skips[0].reason.contains("404.038.96 appears twice"),
            "{skips:?}"
        );
        assert_eq!(drafts.len(), 53);
        assert_eq!(
            drafts
                .iter()
                .map(|d| d.product.variants.len())
                .sum::<usize>(),
            85
        );
        let laptop = drafts
            .iter()
            .find(|d| d.product.slug.as_str() == "laptop")
            .unwrap();
        assert_eq!(laptop.product.variants[0].price.minor(), 129_900);
        assert_eq!(laptop.product.option_names, vec!["screen size", "RAM"]);
        assert!(laptop.images[0].path.exists());
        assert_eq!(drafts.iter().filter(|d| d.product.featured).count(), 6);
    }

    #[test]
    fn bad_lines_are_skipped_with_reasons() {
        let dir = std::env::temp_dir().join(format!("mercato-vendure-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let good =
            r#"{"name":"Mug","slug":"mug","variants":[{"sku":"MUG1","price":4.5,"options":[]}]}"#;
        let lines = [
            good,
            "{not json",
            r#"{"name":"Bad","slug":"bad","variants":[{"sku":"has space","price":1}]}"#,
            r#"{"name":"Neg","slug":"neg","variants":[{"sku":"N1","price":-1}]}"#,
            r#"{"name":"None","slug":"none","variants":[]}"#,
        ];
        std::fs::write(dir.join("products.jsonl"), lines.join("\n")).unwrap();
        let rows = parse(&dir, Currency::GBP).unwrap();
        assert!(rows[0].is_ok());
        let skipped: Vec<u64> = rows
            .iter()
            .filter_map(|r| r.as_ref().err().map(|s| s.line))
            .collect();
        assert_eq!(skipped, vec![2, 3, 4, 5]);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
