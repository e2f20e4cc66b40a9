//! The CSV formats and what the imports page shows.

use crate::jobs::model::JobStatus;
use serde::{Deserialize, Serialize};

/// A products file: one variant per row; rows sharing a `handle` are one product, and
/// the first row of a product carries its fields (the same format `server import csv`
/// reads).
pub const PRODUCT_COLUMNS: [&str; 15] = [
    "handle",
    "title",
    "description",
    "brand",
    "category",
    "status",
    "featured",
    "option_names",
    "sku",
    "price",
    "currency",
    "stock",
    "option_values",
    "images",
    "attributes",
];

/// A stock file: units counted on hand of a SKU in a warehouse (by its code).
pub const STOCK_COLUMNS: [&str; 3] = ["sku", "warehouse", "on_hand"];

/// The largest file an import takes.
pub const MAX_UPLOAD: usize = 20 * 1024 * 1024;

/// What a CSV job moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Subject {
    Products,
    Stock,
}

impl Subject {
    pub fn parse(text: &str) -> Option<Subject> {
        match text.trim() {
            "products" => Some(Subject::Products),
            "stock" => Some(Subject::Stock),
            _ => None,
        }
    }

    pub fn columns(self) -> &'static [&'static str] {
        match self {
            Subject::Products => &PRODUCT_COLUMNS,
            Subject::Stock => &STOCK_COLUMNS,
        }
    }

    pub fn import_kind(self) -> &'static str {
        match self {
            Subject::Products => crate::jobs::model::PRODUCTS_IMPORT,
            Subject::Stock => crate::jobs::model::STOCK_IMPORT,
        }
    }

    pub fn export_kind(self) -> &'static str {
        match self {
            Subject::Products => crate::jobs::model::PRODUCTS_EXPORT,
            Subject::Stock => crate::jobs::model::STOCK_EXPORT,
        }
    }
}

/// Whether a file's first line is the header `columns` (spaces around names allowed).
pub fn header_matches(first_line: &str, columns: &[&str]) -> bool {
    let line = first_line
        .trim_start_matches('\u{feff}')
        .trim_end_matches(['\r', '\n']);
    let names: Vec<&str> = line.split(',').map(str::trim).collect();
    names == columns
}

/// A CSV job in the page's list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CsvJob {
    pub id: i64,
    pub title: String,
    pub file: String,
    pub status: JobStatus,
    pub percent: i64,
    pub created: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportsBoard {
    pub products: bool,
    pub stock: bool,
    pub jobs: Vec<CsvJob>,
    /// Each form's key, made when the page was drawn.
    pub keys: [String; 4],
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_header_is_the_format_exactly() {
        assert!(header_matches(
            "\u{feff}sku, warehouse ,on_hand\r\n",
            &STOCK_COLUMNS
        ));
        assert!(!header_matches("sku,on_hand,warehouse", &STOCK_COLUMNS));
        assert!(!header_matches("sku,warehouse", &STOCK_COLUMNS));
        assert_eq!(Subject::parse("stock"), Some(Subject::Stock));
        assert_eq!(Subject::parse("orders"), None);
    }
}
