use crate::catalog::model::ImageRef;
use leptos::prelude::*;

/// A responsive product photo: every stored width in AVIF for browsers that read it and
/// in WebP for the rest, explicit dimensions so nothing shifts while it loads, lazy
/// unless it is above the fold. (`picture` draws no box of its own: style/main.css.)
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
        <picture>
            <source type="image/avif" srcset=image.avif_srcset() sizes=sizes />
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
        </picture>
    }
}
