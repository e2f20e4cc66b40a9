//! Mercato's own product formats for merchants, documented in the README.
//!
//! JSONL: one product per line.
//! CSV: one variant per row; rows sharing a `handle` are one product, and the first row
//! of a product carries its fields.

use super::{Draft, ImageSource, ImportError, Row, Skip, attribute_code, read_file};
use app::catalog::ids::{Sku, Slug};
use app::catalog::model::ProductStatus;
use app::catalog::ssr::{AttributeInput, AttributeValueInput, ProductInput, VariantInput};
use app::money::{Currency, Money};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonProduct {
    handle: Option<String>,
    title: String,
    #[serde(default)]
    description: String,
    brand: Option<String>,
    #[serde(default)]
    category: Category,
    status: Option<String>,
    #[serde(default)]
    featured: bool,
    #[serde(default)]
    options: Vec<String>,
    #[serde(default)]
    images: Vec<String>,
    #[serde(default)]
    attributes: BTreeMap<String, serde_json::Value>,
    variants: Vec<JsonVariant>,
}

#[derive(Deserialize, Default)]
#[serde(untagged)]
enum Category {
    #[default]
    None,
    Path(String),
    Levels(Vec<String>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonVariant {
    sku: String,
    price: serde_json::Value,
    currency: Option<String>,
    #[serde(default)]
    stock: i64,
    #[serde(default)]
    options: Vec<String>,
}

fn category_levels(text: &str) -> Vec<String> {
    text.split('>')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

pub fn parse_jsonl(path: &Path, default_currency: Currency) -> Result<Vec<Row>, ImportError> {
    let bytes = read_file(path)?;
    let text = std::str::from_utf8(&bytes)
        .map_err(|e| ImportError::File(format!("{} is not UTF-8: {e}", path.display())))?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line_no = i as u64 + 1;
        if line.trim().is_empty() {
            continue;
        }
        let row = serde_json::from_str::<JsonProduct>(line)
            .map_err(|e| format!("not a valid product: {e}"))
            .and_then(|p| json_product(p, dir, default_currency))
            .map(|(product, images)| Draft {
                line: line_no,
                product,
                images,
            })
            .map_err(|reason| Skip::new(line_no, reason));
        rows.push(row);
    }
    Ok(rows)
}

fn json_product(
    p: JsonProduct,
    dir: &Path,
    default_currency: Currency,
) -> Result<(ProductInput, Vec<ImageSource>), String> {
    let slug = match &p.handle {
        Some(h) => Slug::parse(h).map_err(|e| e.to_string())?,
        None => Slug::from_title(&p.title).map_err(|e| e.to_string())?,
    };
    let status = parse_status(p.status.as_deref())?;
    let mut variants = Vec::new();
    for v in p.variants {
        let currency = parse_currency(v.currency.as_deref(), default_currency)?;
        let price_text = match &v.price {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Number(n) => n.to_string(),
            other => return Err(format!("SKU {}: price {other} is not a number", v.sku)),
        };
        variants.push(variant(&v.sku, &price_text, currency, v.stock, v.options)?);
    }
    let mut attributes = Vec::new();
    for (name, value) in p.attributes {
        let value = match value {
            serde_json::Value::String(s) => AttributeValueInput::Text(s),
            serde_json::Value::Number(n) => AttributeValueInput::Number(n.to_string()),
            serde_json::Value::Bool(b) => AttributeValueInput::Boolean(b),
            other => {
                return Err(format!(
                    "attribute `{name}`: {other} is not text, a number or true/false"
                ));
            }
        };
        attributes.push(AttributeInput {
            code: attribute_code(&name)?,
            name,
            value,
        });
    }
    let category = match p.category {
        Category::None => Vec::new(),
        Category::Path(s) => category_levels(&s),
        Category::Levels(v) => v,
    };
    let images = p
        .images
        .iter()
        .map(|f| ImageSource {
            path: dir.join(f),
            alt: p.title.clone(),
        })
        .collect();
    let product = ProductInput {
        slug,
        title: p.title.trim().to_owned(),
        description: p.description.trim().to_owned(),
        brand: p.brand.filter(|b| !b.trim().is_empty()),
        category,
        status,
        featured: p.featured,
        option_names: p.options,
        variants,
        images: Vec::new(),
        attributes,
    };
    product.check()?;
    Ok((product, images))
}

fn parse_status(text: Option<&str>) -> Result<ProductStatus, String> {
    let t = text.unwrap_or("active");
    ProductStatus::parse(t).ok_or_else(|| format!("status `{t}` is not draft, active or archived"))
}

fn parse_currency(text: Option<&str>, default: Currency) -> Result<Currency, String> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => Currency::parse(t).map_err(|e| e.to_string()),
        None => Ok(default),
    }
}

fn variant(
    sku: &str,
    price: &str,
    currency: Currency,
    stock: i64,
    options: Vec<String>,
) -> Result<VariantInput, String> {
    let sku = Sku::parse(sku).map_err(|e| e.to_string())?;
    let price = Money::parse_major(price, currency).map_err(|e| format!("SKU {sku}: {e}"))?;
    if stock < 0 {
        return Err(format!("SKU {sku}: stock {stock} is negative"));
    }
    let stock_on_hand =
        i32::try_from(stock).map_err(|_| format!("SKU {sku}: stock {stock} is too large"))?;
    Ok(VariantInput {
        sku,
        price,
        stock_on_hand,
        options,
    })
}

use app::imports::model::PRODUCT_COLUMNS as CSV_COLUMNS;

fn split_list(text: &str) -> Vec<String> {
    text.split('|')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// `color=black|weight_kg:number=1.2|waterproof:boolean=true`; text unless typed.
fn csv_attributes(text: &str) -> Result<Vec<AttributeInput>, String> {
    let mut out = Vec::new();
    for item in split_list(text) {
        let (key, value) = item
            .split_once('=')
            .ok_or_else(|| format!("attribute `{item}` needs name=value"))?;
        let (name, kind) = key.split_once(':').unwrap_or((key, "text"));
        let value = value.trim().to_owned();
        let value = match kind.trim() {
            "text" => AttributeValueInput::Text(value),
            "number" => {
                value
                    .parse::<f64>()
                    .map_err(|_| format!("attribute `{name}`: `{value}` is not a number"))?;
                AttributeValueInput::Number(value)
            }
            "boolean" => match value.to_ascii_lowercase().as_str() {
                "true" | "yes" | "1" => AttributeValueInput::Boolean(true),
                "false" | "no" | "0" => AttributeValueInput::Boolean(false),
                _ => {
                    return Err(format!(
                        "attribute `{name}`: `{value}` is not true or false"
                    ));
                }
            },
            other => {
                return Err(format!(
                    "attribute type `{other}` is not text, number or boolean"
                ));
            }
        };
        out.push(AttributeInput {
            code: attribute_code(name.trim())?,
            name: name.trim().to_owned(),
            value,
        });
    }
    Ok(out)
}

/// A product being assembled from consecutive rows with the same handle.
struct Pending {
    line: u64,
    result: Result<(ProductInput, Vec<ImageSource>), String>,
}

pub fn parse_csv(path: &Path, default_currency: Currency) -> Result<Vec<Row>, ImportError> {
    let bytes = read_file(path)?;
    let dir = path.parent().unwrap_or(Path::new("."));
    parse_csv_bytes(&bytes, Some(dir), default_currency)
}

/// A products CSV file's rows. Photos are read from `images_dir`; a file uploaded to the
/// admin has none (`None`), and a row that names photos is left out rather than let a
/// file name reach the server's disk.
pub fn parse_csv_bytes(
    bytes: &[u8],
    images_dir: Option<&Path>,
    default_currency: Currency,
) -> Result<Vec<Row>, ImportError> {
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    let dir = images_dir;
    let mut reader = super::csv_reader(bytes, &CSV_COLUMNS, |_| {
        format!("the header must be exactly: {}", CSV_COLUMNS.join(","))
    })?;
    let mut rows: Vec<Row> = Vec::new();
    let mut pending: Option<(String, Pending)> = None;
    let flush = |p: Pending, rows: &mut Vec<Row>| {
        rows.push(
            p.result
                .and_then(|(product, images)| product.check().map(|_| (product, images)))
                .map(|(product, images)| Draft {
                    line: p.line,
                    product,
                    images,
                })
                .map_err(|r| Skip::new(p.line, r)),
        );
    };
    for row in super::csv_rows(&mut reader, bytes, CSV_COLUMNS.len()) {
        let (line, record) = match row {
            Ok(ok) => ok,
            Err(skip) => {
                rows.push(Err(skip));
                continue;
            }
        };
        let f = |name: &str| {
            record
                .get(CSV_COLUMNS.iter().position(|c| *c == name).unwrap_or(0))
                .unwrap_or("")
                .trim()
        };
        let handle = f("handle").to_owned();
        if handle.is_empty() {
            rows.push(Err(Skip::new(line, "handle is empty")));
            continue;
        }
        let stock = match f("stock") {
            "" => Ok(0),
            s => s
                .parse::<i64>()
                .map_err(|_| format!("stock `{s}` is not a whole number")),
        };
        let new_variant = stock.and_then(|stock| {
            let currency = parse_currency(Some(f("currency")), default_currency)?;
            variant(
                f("sku"),
                f("price"),
                currency,
                stock,
                split_list(f("option_values")),
            )
        });
        match pending.as_mut() {
            Some((h, p)) if *h == handle => {
                if let Ok((product, _)) = p.result.as_mut() {
                    match new_variant {
                        Ok(v) => product.variants.push(v),
                        Err(e) => p.result = Err(format!("line {line}: {e}")),
                    }
                }
            }
            _ => {
                if let Some((_, p)) = pending.take() {
                    flush(p, &mut rows);
                }
                let result = csv_product(&handle, &f, dir).and_then(|(mut product, images)| {
                    product.variants.push(new_variant?);
                    Ok((product, images))
                });
                pending = Some((handle, Pending { line, result }));
            }
        }
    }
    if let Some((_, p)) = pending.take() {
        flush(p, &mut rows);
    }
    Ok(rows)
}

fn csv_product<'a>(
    handle: &str,
    f: &impl Fn(&str) -> &'a str,
    dir: Option<&Path>,
) -> Result<(ProductInput, Vec<ImageSource>), String> {
    let slug = Slug::parse(handle).map_err(|e| e.to_string())?;
    let title = f("title");
    let featured = match f("featured").to_ascii_lowercase().as_str() {
        "" | "false" | "no" | "0" => false,
        "true" | "yes" | "1" => true,
        other => return Err(format!("featured `{other}` is not true or false")),
    };
    let names = split_list(f("images"));
    let images = match dir {
        Some(dir) => names
            .into_iter()
            .map(|p| ImageSource {
                path: dir.join(p),
                alt: title.to_owned(),
            })
            .collect(),
        None if names.is_empty() => Vec::new(),
        None => {
            return Err(
                "photos cannot be named in an uploaded file: leave `images` empty and add them on the product's page"
                    .into(),
            );
        }
    };
    let product = ProductInput {
        slug,
        title: title.to_owned(),
        description: f("description").to_owned(),
        brand: Some(f("brand").to_owned()).filter(|b| !b.is_empty()),
        category: category_levels(f("category")),
        status: parse_status(Some(f("status")).filter(|s| !s.is_empty()))?,
        featured,
        option_names: split_list(f("option_names")),
        variants: Vec::new(),
        images: Vec::new(),
        attributes: csv_attributes(f("attributes"))?,
    };
    Ok((product, images))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(name: &str, text: &str) -> std::path::PathBuf {
        let path =
            std::env::temp_dir().join(format!("mercato-generic-{}-{name}", std::process::id()));
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn jsonl_rows_and_bad_rows() {
        let text = [
            r#"{"title":"Trail Shoe","brand":"Acme","category":"Sports > Footwear","options":["size"],"attributes":{"colour":"red","weight_kg":0.4,"waterproof":true},"variants":[{"sku":"TS-41","price":"89.00","stock":3,"options":["41"]},{"sku":"TS-42","price":89,"options":["42"]}]}"#,
            r#"{"title":"No variants","variants":[]}"#,
            r#"{"title":"Bad price","variants":[{"sku":"BP1","price":"12.345"}]}"#,
            r#"{"title":"Bad field","colour":"blue","variants":[{"sku":"BF1","price":"1"}]}"#,
            r#"{"title":"Bad status","status":"gone","variants":[{"sku":"BS1","price":"1"}]}"#,
            r#"{"title":"Options mismatch","options":["size"],"variants":[{"sku":"OM1","price":"1"}]}"#,
            r#"{"title":"Negative","variants":[{"sku":"NG1","price":"1","stock":-2}]}"#,
        ]
        .join("\n");
        let path = write("p.jsonl", &text);
        let rows = parse_jsonl(&path, Currency::GBP).unwrap();
        let shoe = rows[0].as_ref().unwrap();
        assert_eq!(shoe.product.slug.as_str(), "trail-shoe");
        assert_eq!(shoe.product.category, vec!["Sports", "Footwear"]);
        assert_eq!(shoe.product.variants[1].price.minor(), 8900);
        assert_eq!(shoe.product.attributes.len(), 3);
        let skipped: Vec<u64> = rows
            .iter()
            .filter_map(|r| r.as_ref().err().map(|s| s.line))
            .collect();
        assert_eq!(skipped, vec![2, 3, 4, 5, 6, 7]);
        let _ = std::fs::remove_file(path);
    }

    #[test]
    fn csv_groups_rows_by_handle() {
        let text = "handle,title,description,brand,category,status,featured,option_names,sku,price,currency,stock,option_values,images,attributes\n\
            tee,Organic Tee,Soft.,Acme,Clothing > Tops,active,true,size|colour,TEE-S-W,19.99,GBP,5,S|white,,material=cotton|weight_g:number=180\n\
            tee,,,,,,,,TEE-M-W,19.99,GBP,0,M|white,,\n\
            mug,Mug,,,Kitchen,,,,MUG-1,abc,GBP,1,,,\n\
            cap,Cap,,,Clothing,,maybe,,CAP-1,9.99,,2,,,\n\
            short,row\n\
            hat,Hat,,,Clothing,draft,,,HAT-1,12,EUR,4,,,waterproof:boolean=yes\n";
        let path = write("p.csv", text);
        let rows = parse_csv(&path, Currency::USD).unwrap();
        let ok: Vec<&Draft> = rows.iter().filter_map(|r| r.as_ref().ok()).collect();
        assert_eq!(ok.len(), 2);
        assert_eq!(ok[0].product.variants.len(), 2);
        assert_eq!(ok[0].product.option_names, vec!["size", "colour"]);
        assert!(ok[0].product.featured);
        assert_eq!(ok[1].product.status, ProductStatus::Draft);
        assert_eq!(ok[1].product.variants[0].price.currency(), Currency::EUR);
        let skipped: Vec<u64> = rows
            .iter()
            .filter_map(|r| r.as_ref().err().map(|s| s.line))
            .collect();
        assert_eq!(skipped.len(), 3, "{rows:?}");
        assert!(skipped.contains(&4) && skipped.contains(&5) && skipped.contains(&6));
        let _ = std::fs::remove_file(path);
    }

    #[test]
    fn csv_with_wrong_header_fails_whole() {
        let path = write("bad.csv", "name,price\nx,1\n");
        assert!(matches!(
            parse_csv(&path, Currency::USD),
            Err(ImportError::File(_))
        ));
        let _ = std::fs::remove_file(path);
    }
}
