//! The index's word splitter: runs of letters and digits, as tantivy's simple tokenizer
//! splits them, except that numbers, measures, dimensions and codes are kept whole and
//! written one way, so a shopper finds them however either side wrote them:
//!
//! - fractions, decimals and mixed numbers: `1/2`, `0.5` and `.5` are all `0.5`;
//!   `1-1/2` and `1 1/2` are `1.5`; `1,000` is `1000`;
//! - a number and its unit: `1/2 in.`, `0.5 inch`, `1/2"` and `1/2-inch` are `0.5in`
//!   (with the bare number `0.5` at the same position);
//! - dimensions: `2x6`, `2 x 6`, `2-by-6` and `2 in. x 6 in.` are `2x6` (with each
//!   number, and `2x6x8` for three);
//! - codes: letters and digits joined by hyphens, slashes or dots (`r-30`, `DW-735X`,
//!   `SC-141`) are one token without the separators (`r30`), with their parts at the
//!   same position.
//!
//! At each position the first token is the whole thing a shopper typed (what a query
//! keeps, see [`primary`]); the others are its parts, which documents also index so a
//! partial query still finds them.

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

#[derive(Clone, Default)]
pub struct ProductTokenizer {
    tokens: Vec<Token>,
}

pub struct ProductTokenStream<'a> {
    tokens: &'a mut Vec<Token>,
    at: Option<usize>,
}

impl Tokenizer for ProductTokenizer {
    type TokenStream<'a> = ProductTokenStream<'a>;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> ProductTokenStream<'a> {
        self.tokens.clear();
        for (position, group) in split(text).into_iter().enumerate() {
            for (text, range) in group {
                self.tokens.push(Token {
                    offset_from: range.start,
                    offset_to: range.end,
                    position,
                    text,
                    position_length: 1,
                });
            }
        }
        ProductTokenStream {
            tokens: &mut self.tokens,
            at: None,
        }
    }
}

impl TokenStream for ProductTokenStream<'_> {
    fn advance(&mut self) -> bool {
        let next = self.at.map_or(0, |i| i + 1);
        self.at = Some(next);
        next < self.tokens.len()
    }

    fn token(&self) -> &Token {
        &self.tokens[self.at.unwrap_or(0)]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.at.unwrap_or(0)]
    }
}

/// The first token of each position, as a query keeps them.
pub fn primary(tokens: Vec<(String, usize)>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut last = None;
    for (text, position) in tokens {
        if last != Some(position) {
            out.push(text);
            last = Some(position);
        }
    }
    out
}

type Range = std::ops::Range<usize>;
/// The tokens of one position: the whole first, then its parts.
type Group = Vec<(String, Range)>;

/// A run of letters and digits, lowercased, with its place in the text.
#[derive(Debug, Clone)]
struct Piece {
    text: String,
    range: Range,
}

fn pieces(text: &str) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push(Piece {
                    text: text[s..i].to_lowercase(),
                    range: s..i,
                });
                start = None;
            }
            _ => {}
        }
    }
    out
}

/// Units by every spelling, to one short form.
fn unit(word: &str) -> Option<&'static str> {
    Some(match word {
        "in" | "inch" | "inches" => "in",
        "ft" | "feet" | "foot" => "ft",
        "yd" | "yard" | "yards" => "yd",
        "mm" => "mm",
        "cm" => "cm",
        "m" | "metre" | "metres" | "meter" | "meters" => "m",
        "lb" | "lbs" | "pound" | "pounds" => "lb",
        "oz" | "ounce" | "ounces" => "oz",
        "g" | "gram" | "grams" => "g",
        "kg" | "kilo" | "kilos" => "kg",
        "gal" | "gallon" | "gallons" => "gal",
        "qt" | "quart" | "quarts" => "qt",
        "l" | "litre" | "litres" | "liter" | "liters" => "l",
        "ml" => "ml",
        "v" | "volt" | "volts" => "v",
        "w" | "watt" | "watts" => "w",
        "amp" | "amps" => "amp",
        "gauge" | "ga" => "gauge",
        "mah" => "mah",
        "gb" => "gb",
        "tb" => "tb",
        _ => return None,
    })
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// A number written one way: at most three decimals, no trailing zeros.
fn format_number(v: f64) -> String {
    let s = format!("{:.3}", v);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s.is_empty() { "0".into() } else { s.into() }
}

/// A number and what follows it: `12`, `12in` (one piece), `2x4` (one piece).
fn split_piece(p: &str) -> Option<(String, Option<&'static str>)> {
    let digits = p.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return None;
    }
    let (n, rest) = p.split_at(digits);
    let n = n.parse::<u64>().ok()? as f64;
    if rest.is_empty() {
        return Some((format_number(n), None));
    }
    unit(rest).map(|u| (format_number(n), Some(u)))
}

struct Cursor<'t> {
    text: &'t str,
    pieces: Vec<Piece>,
    at: usize,
}

/// A number parsed at some piece: its canonical text, its unit, and the pieces it took.
struct Number {
    value: String,
    unit: Option<&'static str>,
    range: Range,
    next: usize,
}

impl Cursor<'_> {
    /// The text between piece `i - 1` and piece `i`.
    fn gap(&self, i: usize) -> &str {
        let from = if i == 0 {
            0
        } else {
            self.pieces[i - 1].range.end
        };
        self.pieces
            .get(i)
            .map_or(&self.text[from..], |p| &self.text[from..p.range.start])
    }

    fn piece(&self, i: usize) -> Option<&str> {
        self.pieces.get(i).map(|p| p.text.as_str())
    }

    /// A number starting at piece `i`, with its unit if one follows.
    fn number(&self, i: usize) -> Option<Number> {
        let first = self.piece(i)?;
        let start = self.pieces[i].range.start;
        // ".5": a decimal point right before the digits.
        let leading_point = self.gap(i).ends_with('.')
            && !self.gap(i).ends_with("..")
            && (i == 0 || self.gap(i).len() > 1);
        let (mut value, mut unit_in_piece) = split_piece(first)?;
        let mut next = i + 1;
        let mut end = self.pieces[i].range.end;
        if unit_in_piece.is_none() && is_digits(first) {
            let whole: f64 = first.parse().ok()?;
            let gap = self.gap(next);
            match (gap, self.piece(next)) {
                (".", Some(d)) if is_digits(d) && !leading_point => {
                    let decimal: f64 = format!("0.{d}").parse().ok()?;
                    value = format_number(whole + decimal);
                    end = self.pieces[next].range.end;
                    next += 1;
                }
                ("/", Some(d)) if is_digits(d) => {
                    let den: f64 = d.parse().ok()?;
                    if den > 0.0 {
                        value = format_number(whole / den);
                        end = self.pieces[next].range.end;
                        next += 1;
                    }
                }
                (",", Some(d)) if d.len() == 3 && is_digits(d) => {
                    value = format!("{first}{d}");
                    end = self.pieces[next].range.end;
                    next += 1;
                }
                (" " | "-", Some(a)) if is_digits(a) && self.gap(next + 1) == "/" => {
                    // A mixed number: 1 1/2, 1-1/2.
                    if let (Ok(num), Some(Ok(den))) = (
                        a.parse::<f64>(),
                        self.piece(next + 1).map(|d| d.parse::<f64>()),
                    ) && den > 0.0
                        && num < den
                    {
                        value = format_number(whole + num / den);
                        end = self.pieces[next + 1].range.end;
                        next += 2;
                    }
                }
                _ => {}
            }
            if leading_point {
                value = format_number(format!("0.{first}").parse().ok()?);
            }
        }
        // A unit: in the next piece, or an inch or foot mark right after the number.
        if unit_in_piece.is_none() {
            let after = &self.text[end..];
            if after.starts_with('"') || after.starts_with("''") || after.starts_with('”') {
                unit_in_piece = Some("in");
            } else if after.starts_with('\'') || after.starts_with('’') {
                unit_in_piece = Some("ft");
            } else if matches!(self.gap(next), "" | " " | "-" | " -" | "- ")
                && let Some(u) = self.piece(next).and_then(unit)
            {
                unit_in_piece = Some(u);
                end = self.pieces[next].range.end;
                next += 1;
            }
        }
        Some(Number {
            value,
            unit: unit_in_piece,
            range: start..end,
            next,
        })
    }

    /// The pieces of a dimension's separator ("x", "by", "×", "*") at piece `i`:
    /// how many pieces it takes (0 for a mark in the gap), if there is one.
    fn times(&self, i: usize) -> Option<usize> {
        let gap = self.gap(i).trim().trim_end_matches('.').trim();
        if matches!(gap, "×" | "*") {
            return Some(0);
        }
        let gap_ok = |g: &str| matches!(g.trim(), "" | "-" | ".");
        match self.piece(i) {
            Some("x" | "by") if gap_ok(self.gap(i)) && gap_ok(self.gap(i + 1)) => Some(1),
            _ => None,
        }
    }
}

/// Splits `text` into groups of tokens, one group per position.
fn split(text: &str) -> Vec<Group> {
    let mut c = Cursor {
        text,
        pieces: pieces(text),
        at: 0,
    };
    let mut out: Vec<Group> = Vec::new();
    while c.at < c.pieces.len() {
        if let Some(group) = dimension_or_number(&c) {
            c.at = group.1;
            out.push(group.0);
            continue;
        }
        if let Some((group, next)) = code(&c) {
            c.at = next;
            out.push(group);
            continue;
        }
        let p = &c.pieces[c.at];
        out.push(vec![(p.text.clone(), p.range.clone())]);
        c.at += 1;
    }
    out
}

/// A dimension (`2x4`, `2 in. x 4 in. x 8 ft.`) or a number with its unit, at the cursor.
fn dimension_or_number(c: &Cursor) -> Option<(Group, usize)> {
    let piece = c.piece(c.at)?;
    // "2x4" and "2x4x8" written as one piece.
    if let Some(dims) = packed_dimension(piece) {
        let range = c.pieces[c.at].range.clone();
        let mut group = vec![(dims.join("x"), range.clone())];
        group.extend(dims.into_iter().map(|d| (d, range.clone())));
        return Some((group, c.at + 1));
    }
    let first = c.number(c.at)?;
    let mut numbers = vec![first];
    while numbers.len() < 3 {
        let last = numbers.last()?;
        let Some(width) = c.times(last.next) else {
            break;
        };
        let Some(n) = c.number(last.next + width) else {
            break;
        };
        numbers.push(n);
    }
    let range = numbers[0].range.start..numbers.last()?.range.end;
    let next = numbers.last()?.next;
    let mut group: Group = Vec::new();
    if numbers.len() > 1 {
        let values: Vec<&str> = numbers.iter().map(|n| n.value.as_str()).collect();
        group.push((values.join("x"), range.clone()));
        if values.len() == 3 {
            group.push((values[..2].join("x"), range.clone()));
        }
    }
    for n in &numbers {
        if let Some(u) = n.unit {
            group.push((format!("{}{u}", n.value), n.range.clone()));
        }
        group.push((n.value.clone(), n.range.clone()));
    }
    // A bare number of one piece is just a word.
    if numbers.len() == 1 && numbers[0].unit.is_none() && numbers[0].next == c.at + 1 {
        return None;
    }
    Some((group, next))
}

/// "2x4" or "2x4x8" as one piece: the numbers.
fn packed_dimension(piece: &str) -> Option<Vec<String>> {
    let parts: Vec<&str> = piece.split('x').collect();
    if !(2..=3).contains(&parts.len()) || !parts.iter().all(|p| is_digits(p)) {
        return None;
    }
    parts
        .iter()
        .map(|p| p.parse::<u64>().ok().map(|n| format_number(n as f64)))
        .collect()
}

/// Letters and digits joined by hyphens, slashes or dots, with a digit somewhere: one
/// token without the separators, then its parts.
fn code(c: &Cursor) -> Option<(Group, usize)> {
    let joinable = |g: &str| matches!(g, "-" | "/" | "." | "_");
    let mut end = c.at + 1;
    while end < c.pieces.len() && joinable(c.gap(end)) {
        end += 1;
    }
    if end == c.at + 1 {
        return None;
    }
    let parts = &c.pieces[c.at..end];
    if !parts
        .iter()
        .any(|p| p.text.bytes().any(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let range = parts[0].range.start..parts[parts.len() - 1].range.end;
    let mut group: Group = vec![(
        parts.iter().map(|p| p.text.as_str()).collect::<String>(),
        range,
    )];
    group.extend(parts.iter().map(|p| (p.text.clone(), p.range.clone())));
    Some((group, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first token of each position.
    fn words(text: &str) -> Vec<String> {
        split(text).into_iter().map(|g| g[0].0.clone()).collect()
    }

    /// Every token.
    fn all(text: &str) -> Vec<String> {
        split(text).into_iter().flatten().map(|(t, _)| t).collect()
    }

    #[test]
    fn plain_words_split_as_before() {
        assert_eq!(words("Running Shoes, Café"), ["running", "shoes", "café"]);
        assert_eq!(words("T-LIGHT holder"), ["t", "light", "holder"]);
        assert_eq!(words("men's 12 pencils"), ["men", "s", "12", "pencils"]);
    }

    #[test]
    fn dimensions_are_one_token_however_written() {
        for q in [
            "2x6",
            "2 x 6",
            "2-by-6",
            "2 by 6",
            "2 X 6",
            "2 in. x 6 in.",
            "2×6",
        ] {
            assert_eq!(words(q), ["2x6"], "{q}");
        }
        let board = all("2 in. x 4 in. x 8 ft. Lumber");
        for t in ["2x4x8", "2x4", "2in", "2", "4in", "4", "8ft", "8", "lumber"] {
            assert!(board.contains(&t.to_owned()), "{t} in {board:?}");
        }
        assert_eq!(words("2x4x8"), ["2x4x8"]);
    }

    #[test]
    fn numbers_and_units_are_written_one_way() {
        for q in [
            "1/2 in.",
            "0.5 inch",
            "1/2\"",
            "1/2-inch",
            ".5 in",
            "0.50 inches",
        ] {
            assert_eq!(words(q), ["0.5in"], "{q}");
        }
        assert!(all("1/2 in. pipe").contains(&"0.5".to_owned()));
        assert_eq!(words("1-1/2 in"), ["1.5in"]);
        assert_eq!(words("1 1/2 in"), ["1.5in"]);
        assert_eq!(words("10ft hose"), ["10ft", "hose"]);
        assert_eq!(words("1,000 watts"), ["1000w"]);
        assert_eq!(words("set of 3"), ["set", "of", "3"]);
    }

    #[test]
    fn codes_lose_their_separators() {
        assert_eq!(words("r-30"), ["r30"]);
        assert_eq!(words("R30"), ["r30"]);
        assert_eq!(words("DW-735X planer"), ["dw735x", "planer"]);
        assert_eq!(all("SC-141"), ["sc141", "sc", "141"]);
        // Words joined without a digit stay words.
        assert_eq!(words("wi-fi"), ["wi", "fi"]);
    }

    #[test]
    fn offsets_cover_the_original_text() {
        let text = "Pipe 1/2 in. long";
        let groups = split(text);
        let (t, r) = &groups[1][0];
        assert_eq!(t, "0.5in");
        assert_eq!(&text[r.clone()], "1/2 in");
    }

    #[test]
    fn the_stream_gives_one_position_per_group() {
        let mut t = ProductTokenizer::default();
        let mut s = t.token_stream("2x4 stud");
        let mut seen = Vec::new();
        while s.advance() {
            seen.push((s.token().text.clone(), s.token().position));
        }
        assert_eq!(
            seen,
            [
                ("2x4".to_owned(), 0),
                ("2".to_owned(), 0),
                ("4".to_owned(), 0),
                ("stud".to_owned(), 1)
            ]
        );
        assert_eq!(primary(seen), ["2x4", "stud"]);
    }
}
