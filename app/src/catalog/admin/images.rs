//! The photos section of a product's admin page: each photo with its alt text, moved up
//! or down (the first is the product's main photo) or removed, and a new one uploaded.
//! Plain forms.

use super::api::{
    DescribeProductImage, MoveProductImage, RemoveProductImage, UploadProductImage, product_images,
};
use super::model::ImageBoard;
use crate::admin::layout::AdminError;
use crate::admin::style::page;
use crate::components::image::ProductImage;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

#[component]
pub fn ProductImages(id: i64) -> impl IntoView {
    let board = Resource::new(move || id, product_images);
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match board.await {
                    Ok(b) => view! { <Photos b /> }.into_any(),
                    Err(error) => view! { <AdminError error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Photos(b: ImageBoard) -> impl IntoView {
    let cls = page();
    let count = b.images.len();
    let rows = b
        .images
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let id = b.product.to_string();
            let image = p.id.to_string();
            let field = format!("alt-{}", p.id);
            let mover = |direction: &'static str, label: &'static str| {
                view! { class=cls,
                    <form class="inline" method="post" action=MoveProductImage::url()>
                        <input type="hidden" name="id" value=id.clone() />
                        <input type="hidden" name="image" value=image.clone() />
                        <input type="hidden" name="key" value=b.move_key.clone() />
                        <input type="hidden" name="direction" value=direction />
                        <button type="submit" aria-label=format!("{label}: photo {}", i + 1)>
                            {label}
                        </button>
                    </form>
                }
            };
            view! { class=cls,
                <li data-test="photo">
                    <ProductImage image=p.image.clone() sizes="160px" width=160 />
                    <form method="post" action=DescribeProductImage::url()>
                        <input type="hidden" name="id" value=id.clone() />
                        <input type="hidden" name="image" value=image.clone() />
                        <label for=field.clone()>{format!("Alt text of photo {}", i + 1)}</label>
                        <input
                            id=field
                            name="alt"
                            value=p.image.alt.clone()
                            maxlength="200"
                            required
                        />
                        <button type="submit">"Save the alt text"</button>
                    </form>
                    {(i > 0).then(|| mover("up", "Move earlier"))}
                    {(i + 1 < count).then(|| mover("down", "Move later"))}
                    <form class="inline" method="post" action=RemoveProductImage::url()>
                        <input type="hidden" name="id" value=id.clone() />
                        <input type="hidden" name="image" value=image.clone() />
                        <button
                            type="submit"
                            class="danger"
                            aria-label=format!("Remove photo {}", i + 1)
                        >
                            "Remove"
                        </button>
                    </form>
                </li>
            }
        })
        .collect_view();
    let list = if count == 0 {
        view! { class=cls, <p class="muted">"No photos yet."</p> }.into_any()
    } else {
        view! { class=cls, <ol class="photos">{rows}</ol> }.into_any()
    };
    view! { class=cls,
        <section id="photos" aria-labelledby="photos-heading">
            <h2 id="photos-heading">"Photos"</h2>
            <p class="muted">
                "The first photo is the product's main photo. JPEG, PNG or WebP, up to 10 MB; each is resized for every screen."
            </p>
            {list}
            <form
                method="post"
                action=UploadProductImage::url()
                enctype="multipart/form-data"
                aria-label="Add a photo"
            >
                <input type="hidden" name="id" value=b.product.to_string() />
                <input type="hidden" name="key" value=b.key.clone() />
                <label for="new-photo-alt">"Alt text (what the photo shows)"</label>
                <input id="new-photo-alt" name="alt" maxlength="200" required />
                <label for="new-photo-file">"Photo"</label>
                <input
                    id="new-photo-file"
                    type="file"
                    name="file"
                    accept="image/jpeg,image/png,image/webp"
                    required
                />
                <button type="submit">"Add the photo"</button>
            </form>
        </section>
    }
}
