//! The scoped CSS that `build.rs` generated from every `style!` in the app.

/// All scoped component styles, served at [`scoped_css_href`].
pub const SCOPED_CSS: &str = include_str!(concat!(env!("OUT_DIR"), "/scoped.css"));

/// Every `style!` in the app: `class<TAB>file:line<TAB>hash of its CSS`, for tests.
pub const SCOPED_CLASSES: &str = include_str!(concat!(env!("OUT_DIR"), "/scoped-classes.tsv"));

/// A short content hash, so the stylesheet can be cached forever.
pub fn scoped_css_version() -> String {
    // FNV-1a: tiny, stable across builds and platforms.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in SCOPED_CSS.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

pub fn scoped_css_href() -> String {
    format!("/styles/scoped-{}.css", scoped_css_version())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// Two different styles must never share a class (stylers names classes by length).
    #[test]
    fn every_scoped_class_is_unique_and_has_css() {
        let mut by_class: HashMap<&str, (&str, &str)> = HashMap::new();
        let mut count = 0;
        for line in SCOPED_CLASSES.lines() {
            let mut cols = line.split('\t');
            let (Some(class), Some(place), Some(hash)) = (cols.next(), cols.next(), cols.next())
            else {
                panic!("malformed manifest line: {line}");
            };
            if let Some((other_place, other_hash)) = by_class.insert(class, (place, hash)) {
                assert_eq!(
                    other_hash, hash,
                    "{class} names different styles at {other_place} and {place}"
                );
            }
            assert!(
                SCOPED_CSS.contains(&format!(".{class}")),
                "no CSS for {class} ({place})"
            );
            count += 1;
        }
        assert!(
            count >= 4,
            "expected the components' scoped styles, found {count}"
        );
    }
}
