//! What a product is, and what a query asks for: the head noun of a title ("Silicone
//! Case for iPhone 12" is a case; "Cuisinart 12-Cup Coffee Maker in Black" is a coffee
//! maker), and of a query ("coffee maker filter" asks for a filter). Ranking puts the
//! products that *are* the thing a query names above the ones *for* it (see `query`).
//!
//! The head is the last word of the title's main part: the text before "for", "with",
//! "fits", "compatible", a comma, a bracket or a dash, and before " in " (a colour or a
//! finish follows it), without trailing numbers, measures, colours, sizes or pack words.

use super::schema::primary_tokens;
use tantivy::tokenizer::TextAnalyzer;

/// Words that start what a product is for or comes with, not what it is.
const CONNECTORS: [&str; 8] = [
    "for",
    "with",
    "fits",
    "fit",
    "compatible",
    "including",
    "includes",
    "without",
];

/// Trailing words that describe a product rather than name it.
fn is_descriptor(word: &str) -> bool {
    word.bytes().any(|b| b.is_ascii_digit())
        || word.chars().count() < 2
        || matches!(
            word,
            "black"
                | "white"
                | "red"
                | "blue"
                | "green"
                | "yellow"
                | "pink"
                | "grey"
                | "gray"
                | "silver"
                | "gold"
                | "brown"
                | "navy"
                | "orange"
                | "purple"
                | "ivory"
                | "cream"
                | "chrome"
                | "bronze"
                | "nickel"
                | "brass"
                | "copper"
                | "natural"
                | "clear"
                | "beige"
                | "multi"
                | "multicolour"
                | "multicolor"
                | "assorted"
                | "small"
                | "medium"
                | "large"
                | "mini"
                | "jumbo"
                | "xl"
                | "xs"
                | "pack"
                | "pk"
                | "pcs"
                | "piece"
                | "pieces"
                | "count"
                | "ct"
                | "pair"
                | "new"
                | "design"
                | "edition"
                | "version"
                | "style"
                | "size"
                | "sizes"
        )
}

/// The title's main part: before the first connector word or separating mark.
fn main_part(title: &str) -> &str {
    let lower = title.to_lowercase();
    if lower.len() != title.len() {
        // Lowercasing changed byte offsets (rare letters): keep the whole title.
        return title;
    }
    let mut cut = title.len();
    for mark in ['(', ',', '|', ':', ';', '['] {
        if let Some(i) = title.find(mark) {
            cut = cut.min(i);
        }
    }
    for mark in [" - ", " – ", " / ", " w/", " W/"] {
        if let Some(i) = title.find(mark) {
            cut = cut.min(i);
        }
    }
    for word in CONNECTORS {
        if let Some(i) = find_word(&lower, word) {
            cut = cut.min(i);
        }
    }
    // " in " before a colour or finish, not after a number ("24 in. Dishwasher").
    let mut from = 0;
    while let Some(i) = lower[from..].find(" in ").map(|i| i + from) {
        let before = lower[..i].chars().last();
        if !before.is_some_and(|c| c.is_ascii_digit()) {
            cut = cut.min(i);
            break;
        }
        from = i + 4;
    }
    if cut == 0 {
        return title;
    }
    &title[..cut]
}

/// Where `word` stands alone in `text` (not at its very start).
fn find_word(text: &str, word: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut from = 1;
    while let Some(i) = text.get(from..)?.find(word).map(|i| i + from) {
        let before = bytes[i - 1];
        let after = bytes.get(i + word.len()).copied();
        let alone = |b: u8| !b.is_ascii_alphanumeric();
        if alone(before) && after.is_none_or(alone) {
            return Some(i);
        }
        from = i + word.len();
    }
    None
}

/// The head word of a product title (as the plain analyzer writes it), if it has one.
pub fn title_head(plain: &mut TextAnalyzer, title: &str) -> Option<String> {
    head_of(&primary_tokens(plain, main_part(title)))
}

/// The last word that names something, not a descriptor.
fn head_of(words: &[String]) -> Option<String> {
    words.iter().rev().find(|w| !is_descriptor(w)).cloned()
}

/// The word a query's product type is named by: the head of the words before any
/// connector ("filter for coffee maker" asks for a filter), from the query's words as
/// analysed (stop words included).
pub fn query_head(words: &[String]) -> Option<usize> {
    let end = words
        .iter()
        .position(|w| CONNECTORS.contains(&w.as_str()))
        .filter(|&i| i > 0)
        .unwrap_or(words.len());
    words[..end].iter().rposition(|w| !is_descriptor(w))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::ssr::schema::plain_analyzer;

    fn head(title: &str) -> String {
        title_head(&mut plain_analyzer(), title).unwrap_or_default()
    }

    #[test]
    fn heads_of_titles() {
        assert_eq!(head("Silicone Case for iPhone 12"), "case");
        assert_eq!(head("Apple iPhone 12 64GB Black"), "iphone");
        assert_eq!(head("Cuisinart 12-Cup Coffee Maker in Black"), "maker");
        assert_eq!(head("Coffee Maker Water Filter (2-Pack)"), "filter");
        assert_eq!(
            head("Bosch 24 in. Dishwasher with Stainless Steel Tub"),
            "dishwasher"
        );
        assert_eq!(head("Dishwasher Rack Wheels - Replacement"), "wheels");
        assert_eq!(head("2 in. x 4 in. x 8 ft. Lumber"), "lumber");
        assert_eq!(head("Camera Lens"), "lens");
        assert_eq!(head("WHITE HANGING HEART T-LIGHT HOLDER"), "holder");
        assert_eq!(head("Set Of 3 Cake Tins Pantry Design"), "pantry");
        assert_eq!(title_head(&mut plain_analyzer(), "12 x 4"), None);
    }

    #[test]
    fn heads_of_queries() {
        let words = |q: &str| -> Vec<String> { q.split(' ').map(str::to_owned).collect() };
        assert_eq!(query_head(&words("coffee maker")), Some(1));
        assert_eq!(query_head(&words("coffee maker filter")), Some(2));
        assert_eq!(query_head(&words("filter for coffee maker")), Some(0));
        assert_eq!(query_head(&words("iphone 12 black")), Some(0));
        assert_eq!(query_head(&words("12")), None);
    }
}
