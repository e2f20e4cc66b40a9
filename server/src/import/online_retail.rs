//! The UCI "Online Retail" order lines, turned into one product per stock code with its
//! latest price and its most common description. Accepts `.csv` or `.csv.xz`.

use super::{Draft, ImportError, Row, Skip, read_file};
use app::catalog::ids::{Sku, Slug};
use app::catalog::model::ProductStatus;
use app::catalog::ssr::{ProductInput, VariantInput};
use app::money::{Currency, Money};
use chrono::NaiveDateTime;
use std::collections::HashMap;
use std::path::Path;

pub const COLUMNS: [&str; 8] = [
    "InvoiceNo",
    "StockCode",
    "Description",
    "Quantity",
    "InvoiceDate",
    "UnitPrice",
    "CustomerID",
    "Country",
];

/// Options for turning order lines into products.
pub struct RetailOptions {
    pub category: Vec<String>,
    pub stock_on_hand: i32,
    /// Active for a shop that sells them; archived when they only give past orders
    /// their products (the seeded history).
    pub status: ProductStatus,
}

impl Default for RetailOptions {
    fn default() -> Self {
        RetailOptions {
            category: vec!["Gifts & Homeware".into()],
            stock_on_hand: 100,
            status: ProductStatus::Active,
        }
    }
}

/// Stock codes that are products: five digits and an optional letter suffix, or the
/// retailer's "DCGS" gift sets. POST, DOT, M, BANK CHARGES, fees and vouchers are not.
pub fn is_product_code(code: &str) -> bool {
    let b = code.as_bytes();
    (b.len() >= 5
        && b[..5].iter().all(u8::is_ascii_digit)
        && b[5..].iter().all(u8::is_ascii_alphabetic))
        || code.starts_with("DCGS")
}

#[derive(Default)]
struct Seen {
    first_line: u64,
    latest: Option<(NaiveDateTime, u64, Money)>,
    descriptions: HashMap<String, (u64, u64)>, // description -> (count, last line)
}

/// What one order line says about its product, or why it says nothing.
fn parse_line(
    record: &csv::StringRecord,
    line: u64,
) -> Result<(String, String, NaiveDateTime, Money), Skip> {
    let field = |i: usize| record.get(i).unwrap_or("").trim();
    let invoice = field(0);
    let code = field(1);
    if invoice.starts_with('C') {
        return Err(Skip::new(line, format!("cancellation invoice {invoice}")));
    }
    if !is_product_code(code) {
        return Err(Skip::new(
            line,
            format!("stock code `{code}` is not a product"),
        ));
    }
    let quantity: i64 = field(3)
        .parse()
        .map_err(|_| Skip::new(line, format!("quantity `{}` is not a number", field(3))))?;
    if quantity <= 0 {
        return Err(Skip::new(
            line,
            format!("quantity {quantity} is not a sale"),
        ));
    }
    let price = Money::parse_major(field(5), Currency::GBP)
        .map_err(|e| Skip::new(line, format!("unit price: {e}")))?;
    if price.minor() == 0 {
        return Err(Skip::new(line, "zero price"));
    }
    let date = NaiveDateTime::parse_from_str(field(4), "%Y-%m-%d %H:%M:%S")
        .or_else(|_| NaiveDateTime::parse_from_str(field(4), "%m/%d/%Y %H:%M"))
        .map_err(|_| Skip::new(line, format!("invoice date `{}` is not a date", field(4))))?;
    let description = field(2);
    if description.is_empty() {
        return Err(Skip::new(line, "no description"));
    }
    Ok((code.to_owned(), description.to_owned(), date, price))
}

pub fn parse(path: &Path, opts: &RetailOptions) -> Result<Vec<Row>, ImportError> {
    products(&read(path)?, path, opts)
}

/// The file's bytes, decompressed when it is `.xz`.
pub fn read(path: &Path) -> Result<Vec<u8>, ImportError> {
    let raw = read_file(path)?;
    if path.extension().is_some_and(|e| e == "xz") {
        let mut out = Vec::new();
        lzma_rs::xz_decompress(&mut std::io::Cursor::new(&raw), &mut out).map_err(|e| {
            ImportError::File(format!("{} is not a valid .xz file: {e}", path.display()))
        })?;
        Ok(out)
    } else {
        Ok(raw)
    }
}

/// A reader over the file's rows, once its header is known to be Online Retail's.
pub fn reader<'a>(bytes: &'a [u8], path: &Path) -> Result<csv::Reader<&'a [u8]>, ImportError> {
    super::csv_reader(bytes, &COLUMNS, |found| {
        format!(
            "{} does not have the Online Retail columns ({}); found: {}",
            path.display(),
            COLUMNS.join(","),
            found.iter().collect::<Vec<_>>().join(",")
        )
    })
}

/// One product per stock code in the file's sales.
pub fn products(bytes: &[u8], path: &Path, opts: &RetailOptions) -> Result<Vec<Row>, ImportError> {
    let mut reader = reader(bytes, path)?;

    let mut skips = Vec::new();
    let mut products: HashMap<String, Seen> = HashMap::new();
    for row in super::csv_rows(&mut reader, bytes, COLUMNS.len()) {
        let (line, record) = match row {
            Ok(ok) => ok,
            Err(skip) => {
                skips.push(skip);
                continue;
            }
        };
        match parse_line(&record, line) {
            Ok((code, description, date, price)) => {
                let seen = products.entry(code).or_insert_with(|| Seen {
                    first_line: line,
                    ..Seen::default()
                });
                if seen
                    .latest
                    .as_ref()
                    .is_none_or(|(d, l, _)| (date, line) >= (*d, *l))
                {
                    seen.latest = Some((date, line, price));
                }
                let entry = seen.descriptions.entry(description).or_insert((0, line));
                entry.0 += 1;
                entry.1 = line;
            }
            Err(skip) => skips.push(skip),
        }
    }

    let mut rows: Vec<Row> = skips.into_iter().map(Err).collect();
    let mut codes: Vec<(String, Seen)> = products.into_iter().collect();
    codes.sort_by_key(|(_, s)| s.first_line);
    for (code, seen) in codes {
        rows.push(product(code, seen, opts));
    }
    Ok(rows)
}

fn product(code: String, seen: Seen, opts: &RetailOptions) -> Row {
    let line = seen.first_line;
    let skip = |r: String| Skip::new(line, r);
    // Most common description; ties go to the one used most recently.
    let description = seen
        .descriptions
        .iter()
        .max_by_key(|(_, (count, last))| (*count, *last))
        .map(|(d, _)| d.clone())
        .ok_or_else(|| skip(format!("stock code {code} has no description")))?;
    let (_, _, price) = seen
        .latest
        .ok_or_else(|| skip(format!("stock code {code} has no price")))?;
    let title = super::title_case(&description);
    let sku = Sku::parse(&code).map_err(|e| skip(e.to_string()))?;
    let slug = Slug::from_title(&format!("{title} {code}")).map_err(|e| skip(e.to_string()))?;
    let product = ProductInput {
        slug,
        title,
        description: String::new(),
        brand: None,
        category: opts.category.clone(),
        status: opts.status,
        featured: false,
        option_names: Vec::new(),
        variants: vec![VariantInput {
            sku,
            price,
            stock_on_hand: opts.stock_on_hand,
            options: Vec::new(),
        }],
        images: Vec::new(),
        attributes: Vec::new(),
    };
    product.check().map_err(skip)?;
    Ok(Draft {
        line,
        product,
        images: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(name: &str, text: &str) -> std::path::PathBuf {
        let path =
            std::env::temp_dir().join(format!("mercato-retail-{}-{name}", std::process::id()));
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn product_codes() {
        for ok in ["85123A", "71053", "84029G", "DCGS0003", "15056BL"] {
            assert!(is_product_code(ok), "{ok}");
        }
        for bad in [
            "POST",
            "DOT",
            "M",
            "C2",
            "BANK CHARGES",
            "AMAZONFEE",
            "gift_0001_20",
            "1234",
            "12345-X",
        ] {
            assert!(!is_product_code(bad), "{bad}");
        }
    }

    #[test]
    fn aggregates_and_reports_every_skip() {
        let csv = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n\
            536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850,United Kingdom\n\
            536366,85123A,CREAM HANGING HEART T-LIGHT HOLDER,6,2010-12-02 08:26:00,2.95,17850,United Kingdom\n\
            536367,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-11-30 08:26:00,2.40,17850,United Kingdom\n\
            C536379,85123A,WHITE HANGING HEART T-LIGHT HOLDER,-1,2010-12-03 09:41:00,2.55,14527,United Kingdom\n\
            536370,POST,POSTAGE,3,2010-12-01 08:45:00,18.00,12583,France\n\
            536371,22752,SET 7 BABUSHKA NESTING BOXES,2,2010-12-01 08:26:00,0.00,17850,United Kingdom\n\
            536372,22752,SET 7 BABUSHKA NESTING BOXES,two,2010-12-01 08:26:00,7.65,17850,United Kingdom\n\
            536373,22752,,2,2010-12-01 08:26:00,7.65,17850,United Kingdom\n\
            536374,22752,SET 7 BABUSHKA NESTING BOXES,2,yesterday,7.65,17850,United Kingdom\n\
            536375,22752,SET 7 BABUSHKA NESTING BOXES,2,2010-12-01 08:26:00\n\
            536376,22752,SET 7 BABUSHKA NESTING BOXES,2,2010-12-01 08:26:00,7.65,17850,United Kingdom\n";
        let path = write("ok.csv", csv);
        let rows = parse(&path, &RetailOptions::default()).unwrap();
        let skips: Vec<(u64, String)> = rows
            .iter()
            .filter_map(|r| r.as_ref().err())
            .map(|s| (s.line, s.reason.clone()))
            .collect();
        let lines: Vec<u64> = skips.iter().map(|s| s.0).collect();
        assert_eq!(lines, vec![5, 6, 7, 8, 9, 10, 11], "{skips:?}");
        assert!(skips[0].1.contains("cancellation"));
        assert!(skips[1].1.contains("POST"));
        assert!(skips[2].1.contains("zero price"));
        let drafts: Vec<&Draft> = rows.iter().filter_map(|r| r.as_ref().ok()).collect();
        assert_eq!(drafts.len(), 2);
        let heart = &drafts[0].product;
        assert_eq!(
            heart.title, "White Hanging Heart T-Light Holder",
            "most common description"
        );
        assert_eq!(heart.variants[0].price.minor(), 295, "latest price");
        assert_eq!(heart.variants[0].price.currency(), Currency::GBP);
        assert_eq!(
            heart.slug.as_str(),
            "white-hanging-heart-t-light-holder-85123a"
        );
        let _ = std::fs::remove_file(path);
    }

    #[test]
    fn wrong_file_fails_before_any_write() {
        let path = write("bad.csv", "a,b,c\n1,2,3\n");
        assert!(matches!(
            parse(&path, &RetailOptions::default()),
            Err(ImportError::File(_))
        ));
        let xz = write("bad.csv.xz", "not xz at all");
        assert!(matches!(
            parse(&xz, &RetailOptions::default()),
            Err(ImportError::File(_))
        ));
        let _ = std::fs::remove_file(path);
        let _ = std::fs::remove_file(xz);
    }
}
