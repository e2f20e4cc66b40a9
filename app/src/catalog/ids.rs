//! Identifiers with rules: SKUs and URL slugs. Once parsed, they are valid.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error(
        "a SKU must be 1 to 64 letters, digits, '.', '_', '/' or '-', starting with a letter or digit (got `{0}`)"
    )]
    Sku(String),
    #[error("a slug must be lower-case letters and digits joined by single hyphens (got `{0}`)")]
    Slug(String),
}

/// A stock-keeping unit: the merchant's identifier of one variant.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Sku(String);

impl Sku {
    pub fn parse(text: &str) -> Result<Self, IdError> {
        let t = text.trim();
        let ok = !t.is_empty()
            && t.len() <= 64
            && t.as_bytes()[0].is_ascii_alphanumeric()
            && t.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._/-".contains(&b));
        if ok {
            Ok(Sku(t.to_owned()))
        } else {
            Err(IdError::Sku(text.chars().take(80).collect()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Sku {
    type Error = IdError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Sku::parse(&value)
    }
}

impl From<Sku> for String {
    fn from(value: Sku) -> Self {
        value.0
    }
}

impl fmt::Display for Sku {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A URL path segment: `[a-z0-9]+(-[a-z0-9]+)*`, at most 120 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Slug(String);

const SLUG_MAX: usize = 120;

impl Slug {
    pub fn parse(text: &str) -> Result<Self, IdError> {
        let ok = !text.is_empty()
            && text.len() <= SLUG_MAX
            && text.split('-').all(|part| {
                !part.is_empty()
                    && part
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            });
        if ok {
            Ok(Slug(text.to_owned()))
        } else {
            Err(IdError::Slug(text.chars().take(80).collect()))
        }
    }

    /// Makes a slug from a human title: "32-Inch Monitor" becomes "32-inch-monitor".
    /// Accented Latin letters lose their accents; other characters separate words.
    pub fn from_title(title: &str) -> Result<Self, IdError> {
        let mut out = String::with_capacity(title.len());
        let mut pending_dash = false;
        for ch in title.chars().flat_map(fold_accent) {
            if ch.is_ascii_alphanumeric() {
                if pending_dash && !out.is_empty() {
                    out.push('-');
                }
                pending_dash = false;
                out.push(ch.to_ascii_lowercase());
            } else if ch != '\'' && ch != '’' {
                pending_dash = true;
            }
        }
        if out.len() > SLUG_MAX {
            out.truncate(SLUG_MAX);
            while out.ends_with('-') {
                out.pop();
            }
        }
        Slug::parse(&out).map_err(|_| IdError::Slug(title.chars().take(80).collect()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn fold_accent(ch: char) -> impl Iterator<Item = char> {
    let folded: &[char] = match ch {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => &['a'],
        'ç' | 'Ç' => &['c'],
        'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => &['e'],
        'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => &['i'],
        'ñ' | 'Ñ' => &['n'],
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' => &['o'],
        'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' | 'Û' | 'Ü' => &['u'],
        'ý' | 'ÿ' | 'Ý' => &['y'],
        'ß' => &['s', 's'],
        'æ' | 'Æ' => &['a', 'e'],
        '&' => &[' ', 'a', 'n', 'd', ' '],
        _ => return FoldIter::One(Some(ch)),
    };
    FoldIter::Many(folded.iter())
}

enum FoldIter {
    One(Option<char>),
    Many(std::slice::Iter<'static, char>),
}

impl Iterator for FoldIter {
    type Item = char;
    fn next(&mut self) -> Option<char> {
        match self {
            FoldIter::One(c) => c.take(),
            FoldIter::Many(it) => it.next().copied(),
        }
    }
}

impl TryFrom<String> for Slug {
    type Error = IdError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Slug::parse(&value)
    }
}

impl From<Slug> for String {
    fn from(value: Slug) -> Self {
        value.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn skus() {
        for ok in [
            "L2201308",
            "834444",
            "85123A",
            "sku.1_a-b",
            "POST",
            "4058NB/09",
        ] {
            assert!(Sku::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            " ",
            "-abc",
            "/abc",
            "has space",
            "ünïcode",
            "a?b",
            "a#b",
            &"x".repeat(65),
        ] {
            assert!(Sku::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            Sku::parse("  ABC  ").map(|s| s.to_string()),
            Ok("ABC".into())
        );
    }

    #[test]
    fn slugs_from_titles() {
        let cases = [
            ("32-Inch Monitor", "32-inch-monitor"),
            ("Laptop", "laptop"),
            ("Home & Garden", "home-and-garden"),
            ("Crème Brûlée  Set!", "creme-brulee-set"),
            (
                "WHITE HANGING HEART T-LIGHT HOLDER",
                "white-hanging-heart-t-light-holder",
            ),
            ("Children's Toy", "childrens-toy"),
            ("  --a--b--  ", "a-b"),
        ];
        for (title, slug) in cases {
            assert_eq!(
                Slug::from_title(title).map(|s| s.to_string()),
                Ok(slug.into()),
                "{title}"
            );
        }
        for bad in ["", "!!!", "日本語"] {
            assert!(Slug::from_title(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn slug_parse_rules() {
        for bad in ["", "-a", "a-", "a--b", "A", "a b", "a_b", &"a".repeat(121)] {
            assert!(Slug::parse(bad).is_err(), "{bad}");
        }
        assert!(Slug::parse("a-1-b").is_ok());
    }

    proptest! {
        #[test]
        fn from_title_yields_valid_slugs(title in "\\PC{0,200}") {
            if let Ok(slug) = Slug::from_title(&title) {
                prop_assert!(Slug::parse(slug.as_str()).is_ok());
                prop_assert!(slug.as_str().len() <= SLUG_MAX);
            }
        }

        #[test]
        fn sku_parse_never_panics(s in "\\PC{0,80}") {
            let _ = Sku::parse(&s);
        }
    }
}
