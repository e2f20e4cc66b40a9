//! The document head's text that Leptos writes without escaping it.
//!
//! leptos_meta 0.8 escapes the attributes of `<Meta>` and `<Link>`, but writes a
//! `<Title>`'s text into the server's HTML as it is: a search for
//! `</title><script>...` or a product named so would close the element and run. Every
//! page sets its title through [`Title`] here, which escapes it (a test keeps
//! leptos_meta's own out of the pages). Pages are not hydrated (islands only), so the
//! browser never sets a title from this text.

use leptos::prelude::*;

/// Text made safe to stand between an element's tags in HTML.
pub fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// The page's `<title>`, escaped.
#[component]
pub fn Title(#[prop(into)] text: String) -> impl IntoView {
    let text = escape_text(&text);
    view! { <leptos_meta::Title text /> }
}

#[cfg(test)]
mod tests {
    use super::escape_text;

    #[test]
    fn markup_becomes_text() {
        assert_eq!(
            escape_text("</title><script>alert(1)</script> & co"),
            "&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; co"
        );
        assert_eq!(escape_text("Plain · Mercato"), "Plain · Mercato");
    }

    /// Every page's title goes through [`super::Title`]: nothing else in the crate may
    /// use leptos_meta's, which does not escape.
    #[test]
    fn no_page_uses_the_unescaped_title() {
        fn walk(dir: &std::path::Path, found: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).expect("read src") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    walk(&path, found);
                } else if path.extension().is_some_and(|e| e == "rs")
                    && !path.ends_with("components/head.rs")
                {
                    let text = std::fs::read_to_string(&path).expect("read file");
                    let imports_title = text.lines().any(|l| {
                        let l = l.trim();
                        (l.starts_with("use leptos_meta") && l.contains("Title"))
                            || l.contains("leptos_meta::Title")
                    });
                    if imports_title {
                        found.push(path.display().to_string());
                    }
                }
            }
        }
        let mut found = Vec::new();
        walk(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut found,
        );
        assert!(found.is_empty(), "leptos_meta's Title used in {found:?}");
    }
}
