//! The rules every list is filled under: in order, no product twice, nothing the list
//! leaves out, at most `PER_CATEGORY` of one category while others are there, up to the
//! list's room.

use super::serve::{LIST, PER_CATEGORY};
use crate::catalog::ssr::rows::CardRow;
use crate::reco::model::{Reason, Recommended, Shelf};
use std::collections::HashMap;

/// A candidate: its card's row, category, score and the product that led to it.
#[derive(Clone, Debug)]
pub(super) struct Row {
    pub(super) id: i64,
    pub(super) slug: String,
    pub(super) title: String,
    pub(super) name_key: String,
    pub(super) created_at: chrono::DateTime<chrono::Utc>,
    pub(super) brand: Option<String>,
    pub(super) min_price: i64,
    pub(super) max_price: i64,
    pub(super) currency: String,
    pub(super) in_stock: bool,
    pub(super) image_key: Option<String>,
    pub(super) image_alt: Option<String>,
    pub(super) image_width: Option<i32>,
    pub(super) image_height: Option<i32>,
    pub(super) image_widths: Option<Vec<i32>>,
    pub(super) category_path: Option<String>,
    pub(super) score: f64,
    pub(super) because: Option<String>,
}

impl Row {
    pub(super) fn into_parts(
        self,
    ) -> (
        crate::catalog::model::ProductCard,
        Option<String>,
        f64,
        Option<String>,
    ) {
        let card = CardRow {
            id: self.id,
            slug: self.slug,
            title: self.title,
            name_key: self.name_key,
            created_at: self.created_at,
            brand: self.brand,
            min_price: self.min_price,
            max_price: self.max_price,
            currency: self.currency,
            in_stock: self.in_stock,
            image_key: self.image_key,
            image_alt: self.image_alt,
            image_width: self.image_width,
            image_height: self.image_height,
            image_widths: self.image_widths,
        }
        .into_card();
        (card, self.category_path, self.score, self.because)
    }
}

/// Adds rows to a list in order: no product twice, nothing excluded, at most
/// `PER_CATEGORY` per category, up to `LIST`. Rows held back by the category rule wait:
/// if the source runs out before the list is full, they go in after all (a catalog of
/// one category still gets whole lists).
pub(super) struct Filling {
    room: usize,
    pub(super) items: Vec<Recommended>,
    /// Places taken per category.
    categories: HashMap<Option<String>, usize>,
    exclude: Vec<i64>,
    waiting: Vec<(Row, Reason)>,
}

impl Filling {
    pub(super) fn new(exclude: &[i64]) -> Self {
        Self::with_room(exclude, LIST)
    }

    pub(super) fn with_room(exclude: &[i64], room: usize) -> Self {
        Filling {
            room,
            items: Vec::new(),
            categories: HashMap::new(),
            exclude: exclude.to_vec(),
            waiting: Vec::new(),
        }
    }

    pub(super) fn full(&self) -> bool {
        self.items.len() >= self.room
    }

    fn push(&mut self, row: Row, reason: Reason) {
        let (card, _, score, because) = row.into_parts();
        self.items.push(Recommended {
            card,
            reason,
            because,
            score,
        });
    }

    /// Adds `rows` under the category rule, then what it held back if still short (rows
    /// are taken only as far as the list needs them).
    pub(super) fn add(&mut self, rows: impl IntoIterator<Item = Row>, reason: Reason) {
        for row in rows {
            if self.full() {
                break;
            }
            if self.exclude.contains(&row.id) || self.items.iter().any(|i| i.card.id == row.id) {
                continue;
            }
            let seen = self
                .categories
                .entry(row.category_path.clone())
                .or_default();
            if *seen >= PER_CATEGORY {
                self.waiting.push((row, reason));
                continue;
            }
            *seen += 1;
            self.push(row, reason);
        }
        for (row, reason) in std::mem::take(&mut self.waiting) {
            if self.full() {
                break;
            }
            if !self.items.iter().any(|i| i.card.id == row.id) {
                self.push(row, reason);
            }
        }
    }

    pub(super) fn ids(&self) -> Vec<i64> {
        self.exclude
            .iter()
            .copied()
            .chain(self.items.iter().map(|i| i.card.id))
            .collect()
    }
}

/// A filled list as the shopper gets it.
pub(super) fn shelf(kind: &str, title: &str, list: Filling) -> Shelf {
    Shelf {
        kind: kind.into(),
        title: title.into(),
        items: list.items,
    }
}
