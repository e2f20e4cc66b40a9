//! Word-level helpers for queries: how many typos a word may carry, edit distance,
//! words too common to require.

/// Typos allowed in a word of this many characters: none for short words (where one
/// edit makes a different word), one from 4, two from 8.
pub fn allowed_typos(chars: usize) -> u8 {
    match chars {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    }
}

/// Optimal string alignment distance (Levenshtein plus adjacent transpositions, as the
/// index's fuzzy matching counts them), or `None` when it exceeds `max`.
pub fn edit_distance(a: &str, b: &str, max: usize) -> Option<usize> {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let width = b.len() + 1;
    let mut prev2 = vec![0usize; width];
    let mut prev: Vec<usize> = (0..width).collect();
    let mut cur = vec![0usize; width];
    for i in 1..=a.len() {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(prev2[j - 2] + 1);
            }
            cur[j] = d;
            row_min = row_min.min(d);
        }
        if row_min > max {
            return None;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    let d = prev[b.len()];
    (d <= max).then_some(d)
}

/// English words that carry no meaning in a product search ("shoes for running").
/// Dropped from queries unless the query has nothing else.
pub fn is_stop_word(word: &str) -> bool {
    matches!(
        word,
        "a" | "an"
            | "and"
            | "the"
            | "for"
            | "with"
            | "of"
            | "in"
            | "on"
            | "to"
            | "by"
            | "or"
            | "at"
            | "from"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn distances() {
        assert_eq!(edit_distance("leather", "lether", 2), Some(1));
        assert_eq!(edit_distance("jacket", "jcaket", 2), Some(1));
        assert_eq!(edit_distance("sofa", "sofa", 0), Some(0));
        assert_eq!(edit_distance("camera", "cmra", 2), Some(2));
        assert_eq!(edit_distance("camera", "xyz", 2), None);
        assert_eq!(edit_distance("", "ab", 2), Some(2));
    }

    #[test]
    fn typo_budget_grows_with_length() {
        assert_eq!(allowed_typos(3), 0);
        assert_eq!(allowed_typos(4), 1);
        assert_eq!(allowed_typos(8), 2);
    }

    proptest! {
        #[test]
        fn distance_is_symmetric_and_bounded(a in "[a-d]{0,8}", b in "[a-d]{0,8}") {
            let d = edit_distance(&a, &b, 16);
            prop_assert_eq!(d, edit_distance(&b, &a, 16));
            let d = d.unwrap();
            prop_assert!(d <= a.chars().count().max(b.chars().count()));
            prop_assert_eq!(d == 0, a == b);
        }
    }
}
