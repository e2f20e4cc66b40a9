use crate::catalog::model::ImageRef;
use leptos::prelude::*;

/// A responsive product photo: every stored WebP width in `srcset`, explicit dimensions
/// so nothing shifts while it loads, lazy unless it is above the fold.
#[component]
pub fn ProductImage(
    image: ImageRef,
    /// The `sizes` attribute: how wide the image is drawn.
    sizes: &'static str,
    /// The width the `width`/`height` attributes describe.
    width: i32,
    #[prop(default = false)] eager: bool,
) -> impl IntoView {
    let src = image.url(image.best_width(width));
    let height = image.height_at(width);
    view! {
        <img
            src=src
            srcset=image.srcset()
            sizes=sizes
            width=width
            height=height
            alt=image.alt.clone()
            loading=if eager { "eager" } else { "lazy" }
            fetchpriority=eager.then_some("high")
            decoding="async"
        />
    }
}
