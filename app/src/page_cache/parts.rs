//! The parts of a kept page that differ from one visitor to the next. Everything else on
//! the home, category and product pages is the same for everyone, so a visitor with a
//! session is served the kept page with these parts drawn for them alone (the edge,
//! `server/src/page_cache.rs`, puts them in):
//!
//! - the header's account link and cart count (`AccountNav`), on every page;
//! - the recommender's lists (`Shelves`) on the home page (picked for them, recently
//!   viewed) and on a product page (the cart's products left out; the view is recorded).
//!
//! A part is drawn by the very component the page draws it with, from the same lookups,
//! so the kept page (drawn for no one) holds each part's anonymous drawing exactly once;
//! the edge finds it there when it keeps the page, and a page where it cannot is never
//! served this way.

use crate::cart::model::HeaderInfo;
use crate::components::layout::AccountNav;
use crate::reco::components::{HOME_EAGER, Shelves};
use leptos::prelude::*;
use leptos::reactive::computed::ScopedFuture;

/// A part of a page that is drawn for each visitor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// The header's account link and cart count.
    Account,
    /// The recommender's lists for a place and key (as `Recommendations` asks).
    Lists {
        place: &'static str,
        key: String,
        eager: usize,
    },
}

/// The parts of the page at `path` (an address the page cache keeps, without its
/// query) that are drawn per visitor; `None` when the page cannot be served this way.
pub fn of_path(path: &str) -> Option<Vec<Part>> {
    if path == "/" {
        return Some(vec![
            Part::Account,
            Part::Lists {
                place: "home",
                key: String::new(),
                eager: HOME_EAGER,
            },
        ]);
    }
    if path.starts_with("/c/") {
        return Some(vec![Part::Account]);
    }
    // The product page asks for its lists by the slug its route decoded; an address
    // that needs decoding is left to the full render.
    let slug = path.strip_prefix("/p/")?;
    let plain = !slug.is_empty()
        && slug
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    plain.then(|| {
        vec![
            Part::Account,
            Part::Lists {
                place: "product",
                key: slug.to_owned(),
                eager: 0,
            },
        ]
    })
}

/// Why the parts could not be drawn (the page is then rendered whole).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a part of the page could not be drawn: {0}")]
pub struct PartError(String);

/// Draws `parts` for the visitor `request` names (its cookies), with the request's
/// dependencies from `provide` (what every page render gets), in order.
pub async fn draw(
    parts: &[Part],
    request: axum::http::request::Parts,
    provide: impl Fn(),
) -> Result<Vec<String>, PartError> {
    // A root of its own: nothing of whatever runs around it is in its context.
    let owner = Owner::new_root(None);
    owner.with(|| {
        provide_context(request);
        provide();
    });
    let parts = parts.to_vec();
    let drawing = owner.with(|| {
        ScopedFuture::new(async move {
            let mut drawn = Vec::with_capacity(parts.len());
            for part in parts {
                drawn.push(match part {
                    Part::Account => {
                        let carts = crate::context::dep::<crate::cart::ssr::Carts>()
                            .ok_or_else(|| PartError("the cart is unavailable".into()))?;
                        let info: HeaderInfo = crate::cart::ssr::header_info(&carts)
                            .await
                            .map_err(|e| PartError(e.to_string()))?;
                        view! { <AccountNav info /> }.to_html()
                    }
                    Part::Lists { place, key, eager } => {
                        // As on the page: lists that cannot be had are no lists.
                        let shelves = crate::reco::ssr::lists::for_place(place, &key)
                            .await
                            .unwrap_or_default();
                        view! { <Shelves shelves eager /> }.to_html()
                    }
                });
            }
            Ok(drawn)
        })
    });
    let drawn = drawing.await;
    owner.cleanup();
    drawn
}

/// Where a part stands in a kept page, and which it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hole {
    pub at: std::ops::Range<usize>,
    pub part: Part,
}

/// Where each part's anonymous drawing stands in `html`: each must be there exactly
/// once, else `None` (the page is not served with parts).
pub fn find(html: &str, parts: Vec<Part>, anonymous: &[String]) -> Option<Vec<Hole>> {
    if parts.len() != anonymous.len() {
        return None;
    }
    let mut holes: Vec<Hole> = Vec::with_capacity(parts.len());
    for (part, drawn) in parts.into_iter().zip(anonymous) {
        if drawn.is_empty() {
            return None;
        }
        let mut found = html.match_indices(drawn.as_str()).map(|(at, _)| at);
        let (Some(at), None) = (found.next(), found.next()) else {
            return None;
        };
        holes.push(Hole {
            at: at..at + drawn.len(),
            part,
        });
    }
    holes.sort_by_key(|h| h.at.start);
    let apart = holes.windows(2).all(|w| w[0].at.end <= w[1].at.start);
    apart.then_some(holes)
}

/// `html` with each hole's part as `drawn` (in the holes' order).
pub fn fill(html: &str, holes: &[Hole], drawn: &[String]) -> String {
    let extra: usize = drawn.iter().map(String::len).sum();
    let mut out = String::with_capacity(html.len() + extra);
    let mut from = 0;
    for (hole, part) in holes.iter().zip(drawn) {
        out.push_str(&html[from..hole.at.start]);
        out.push_str(part);
        from = hole.at.end;
    }
    out.push_str(&html[from..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_part_is_found_once_and_filled_in_place() {
        let html = "<header><nav>Sign in 0</nav></header><main><div>trending</div></main>";
        let parts = vec![
            Part::Lists {
                place: "home",
                key: String::new(),
                eager: 4,
            },
            Part::Account,
        ];
        let anonymous = [
            "<div>trending</div>".to_owned(),
            "<nav>Sign in 0</nav>".to_owned(),
        ];
        let holes = find(html, parts.clone(), &anonymous).expect("both found");
        assert_eq!(holes[0].part, Part::Account, "in the page's order");
        let mine = fill(
            html,
            &holes,
            &["<nav>Account 2</nav>".into(), "<div>for you</div>".into()],
        );
        assert_eq!(
            mine,
            "<header><nav>Account 2</nav></header><main><div>for you</div></main>"
        );
        assert_eq!(fill(html, &holes, &anonymous_in(&holes, html)), html);
        // Twice, never, or nothing at all: not served with parts.
        let twice = format!("{html}<nav>Sign in 0</nav>");
        assert!(find(&twice, parts.clone(), &anonymous).is_none());
        assert!(find("<main></main>", parts.clone(), &anonymous).is_none());
        assert!(find(html, parts, &[String::new(), "<nav>Sign in 0</nav>".into()]).is_none());
    }

    fn anonymous_in(holes: &[Hole], html: &str) -> Vec<String> {
        holes
            .iter()
            .map(|h| html[h.at.clone()].to_owned())
            .collect()
    }

    #[test]
    fn the_parts_of_each_kept_page() {
        assert_eq!(of_path("/c/electronics"), Some(vec![Part::Account]));
        let home = of_path("/").unwrap();
        assert!(matches!(&home[1], Part::Lists { place: "home", .. }));
        let product = of_path("/p/laptop").unwrap();
        assert_eq!(
            product[1],
            Part::Lists {
                place: "product",
                key: "laptop".into(),
                eager: 0
            }
        );
        assert_eq!(of_path("/p/caf%C3%A9"), None);
        assert_eq!(of_path("/p/"), None);
        assert_eq!(of_path("/cart"), None);
    }
}
