//! Similar products from what they are (title, category, brand), for products with no
//! purchase history as much as for those with it: TF-IDF over the words of the title
//! and the brand, cosine similarity, a little more for the same category and brand.
//! Words found in very many products say little and are not used to find candidates.

use super::Neighbours;
use std::collections::HashMap;

/// A product as the content model reads it.
#[derive(Debug, Clone)]
pub struct Item {
    pub id: i64,
    pub title: String,
    pub category: Option<i64>,
    pub brand: Option<String>,
}

fn words(text: &str) -> Vec<String> {
    const STOP: [&str; 12] = [
        "and", "the", "of", "for", "with", "in", "on", "a", "an", "to", "set", "by",
    ];
    let mut w: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 2)
        .map(str::to_lowercase)
        .filter(|w| !STOP.contains(&w.as_str()))
        .collect();
    w.sort_unstable();
    w.dedup();
    w
}

/// Each item's `k` most similar items (by index into `items`), best first.
pub fn similar(items: &[Item], k: usize) -> Vec<Neighbours> {
    let n = items.len();
    let docs: Vec<Vec<String>> = items
        .iter()
        .map(|i| {
            words(&format!(
                "{} {}",
                i.title,
                i.brand.as_deref().unwrap_or_default()
            ))
        })
        .collect();
    let mut postings: HashMap<&str, Vec<usize>> = HashMap::new();
    for (d, ws) in docs.iter().enumerate() {
        for w in ws {
            postings.entry(w.as_str()).or_default().push(d);
        }
    }
    let idf = |w: &str| ((n as f64 + 1.0) / (postings[w].len() as f64 + 0.5)).ln();
    let norms: Vec<f64> = docs
        .iter()
        .map(|ws| ws.iter().map(|w| idf(w).powi(2)).sum::<f64>().sqrt())
        .collect();
    // A word in more than this many products finds no candidates (it still scores).
    let common = (n / 20).max(50);
    (0..n)
        .map(|d| {
            let mut dot: HashMap<usize, f64> = HashMap::new();
            for w in &docs[d] {
                let list = &postings[w.as_str()];
                if list.len() > common {
                    continue;
                }
                let weight = idf(w).powi(2);
                for &other in list {
                    if other != d {
                        *dot.entry(other).or_default() += weight;
                    }
                }
            }
            let mut scored: Vec<(usize, f64)> = dot
                .into_iter()
                .map(|(o, v)| {
                    let cosine = v / (norms[d] * norms[o]).max(f64::MIN_POSITIVE);
                    let same_category =
                        items[d].category.is_some() && items[d].category == items[o].category;
                    let same_brand = items[d].brand.is_some() && items[d].brand == items[o].brand;
                    let bonus = if same_category { 0.15 } else { 0.0 }
                        + if same_brand { 0.05 } else { 0.0 };
                    (o, cosine + bonus)
                })
                .collect();
            scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            scored.truncate(k);
            scored
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(id: i64, title: &str, category: i64) -> Item {
        Item {
            id,
            title: title.into(),
            category: Some(category),
            brand: None,
        }
    }

    #[test]
    fn products_sharing_rare_words_and_a_category_are_similar() {
        let items = vec![
            item(1, "White hanging heart T-light holder", 1),
            item(2, "Red hanging heart T-light holder", 1),
            item(3, "Wooden picture frame", 2),
            item(4, "Heart of wicker large", 1),
        ];
        let s = similar(&items, 3);
        assert_eq!(s[0][0].0, 1, "{s:?}");
        assert_eq!(s[1][0].0, 0, "{s:?}");
        assert!(
            s[2].is_empty(),
            "nothing shares a word with the frame: {s:?}"
        );
    }
}
