use crate::catalog::api::get_product;
use crate::catalog::model::{Availability, ProductDetail};
use crate::components::breadcrumbs::Breadcrumbs;
use crate::components::image::ProductImage;
use crate::components::status::ErrorPanel;
use leptos::prelude::*;
use leptos_meta::{Link, Meta, Title};
use leptos_router::hooks::{use_params_map, use_query_map};
use std::sync::Arc;
use stylers_macro::style;

/// `/p/<slug>?variant=<SKU>`: the variant lives in the URL, so choosing one works with
/// JavaScript off (a link) and, hydrated, updates in place without reloading.
#[component]
pub fn ProductPage() -> impl IntoView {
    let params = use_params_map();
    let product = Resource::new(
        move || params.read().get("slug").unwrap_or_default(),
        get_product,
    );
    view! {
        <Suspense fallback=|| {
            view! { <p>"Loading…"</p> }
        }>
            {move || Suspend::new(async move {
                match product.await {
                    Ok(p) => view! { <Product p=Arc::new(p) /> }.into_any(),
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn meta_description(p: &ProductDetail) -> String {
    let text: String = p.description.chars().take(155).collect();
    if p.description.chars().count() > 155 {
        match text.rfind(' ') {
            Some(cut) => format!("{}…", &text[..cut]),
            None => text,
        }
    } else if text.is_empty() {
        format!("Buy {} at Mercato.", p.title)
    } else {
        text
    }
}

#[component]
fn Product(p: Arc<ProductDetail>) -> impl IntoView {
    let query = use_query_map();
    let wanted = Memo::new(move |_| query.read().get("variant"));
    let selected = {
        let p = p.clone();
        Memo::new(move |_| p.selected(wanted.get().as_deref()).cloned())
    };
    let price = move || {
        selected
            .get()
            .map(|v| v.price.to_string())
            .unwrap_or_default()
    };
    let sku = move || selected.get().map(|v| v.sku).unwrap_or_default();
    let availability = move || {
        selected
            .get()
            .map(|v| v.availability)
            .unwrap_or(Availability::OutOfStock)
    };

    let cls = style! {
        .product {
            display: grid;
            grid-template-columns: minmax(0, 1.1fr) minmax(0, 1fr);
            gap: 2.5rem;
            align-items: start;
        }
        @media (max-width: 48rem) {
            .product {
                grid-template-columns: 1fr;
            }
        }
        .gallery :deep(img) {
            display: block;
            width: 100%;
            height: auto;
            border-radius: 0.75rem;
            background: var(--line);
        }
        .price {
            font-size: 1.6rem;
            font-weight: 700;
            margin: 0.5rem 0;
        }
        .brand {
            color: var(--muted);
            margin: 0;
        }
        .sku {
            color: var(--muted);
            font-size: 0.85rem;
        }
        .in-stock {
            color: var(--ok);
        }
        .low-stock {
            color: var(--warn);
        }
        .out-of-stock {
            color: var(--bad);
        }
        dl {
            display: grid;
            grid-template-columns: max-content 1fr;
            gap: 0.25rem 1rem;
        }
        dt {
            font-weight: 600;
        }
    };
    let json_ld = p.json_ld.clone();
    let first_image = p.images.first().cloned();
    let attributes = p.attributes.clone();
    view! { class=cls,
        <Title text=format!("{} · Mercato", p.title) />
        <Meta name="description" content=meta_description(&p) />
        <Link rel="canonical" href=p.canonical.clone() />
        <script type="application/ld+json" inner_html=json_ld></script>
        <Breadcrumbs trail=p.breadcrumbs.clone() current=p.title.clone() />
        <div class="product">
            <div class="gallery">
                {first_image
                    .map(|image| {
                        view! {
                            <ProductImage
                                image
                                sizes="(min-width: 48rem) 50vw, 100vw"
                                width=800
                                eager=true
                            />
                        }
                    })}
            </div>
            <div>
                <h1>{p.title.clone()}</h1>
                {p.brand.clone().map(|b| view! { class=cls, <p class="brand">{b}</p> })}
                <p class="price" data-test="price" aria-live="polite">
                    {price}
                </p>
                <p class="sku">"SKU " <span data-test="sku">{sku}</span></p>
                <p
                    data-test="availability"
                    class=move || match availability() {
                        Availability::InStock => "in-stock",
                        Availability::LowStock(_) => "low-stock",
                        Availability::OutOfStock => "out-of-stock",
                    }
                >
                    {move || availability().label()}
                </p>
                <VariantPicker p=p.clone() selected />
                <h2>"Description"</h2>
                <p>{p.description.clone()}</p>
                {(!attributes.is_empty())
                    .then(|| {
                        view! { class=cls,
                            <h2>"Details"</h2>
                            <dl>
                                {attributes
                                    .into_iter()
                                    .map(|a| {
                                        view! { class=cls,
                                            <dt>{a.name}</dt>
                                            <dd>{a.value}</dd>
                                        }
                                    })
                                    .collect_view()}
                            </dl>
                        }
                    })}
            </div>
        </div>
    }
}

/// One group of links per option ("screen size": 13 inch, 15 inch); each link names the
/// variant that keeps the other options, and the chosen value is marked for screen readers.
#[component]
fn VariantPicker(
    p: Arc<ProductDetail>,
    selected: Memo<Option<crate::catalog::model::VariantDetail>>,
) -> impl IntoView {
    let cls = style! {
        fieldset {
            border: 0;
            padding: 0;
            margin: 1rem 0;
        }
        legend {
            font-weight: 600;
            margin-bottom: 0.4rem;
            text-transform: capitalize;
        }
        ul {
            display: flex;
            flex-wrap: wrap;
            gap: 0.5rem;
            list-style: none;
            margin: 0;
            padding: 0;
        }
        a {
            display: inline-block;
            padding: 0.4rem 0.9rem;
            border: 1px solid var(--line-strong);
            border-radius: 999px;
            color: inherit;
            text-decoration: none;
        }
        a[aria-current] {
            border-color: var(--ink);
            background: var(--ink);
            color: var(--paper);
        }
    };
    if p.variants.len() < 2 {
        return ().into_any();
    }
    let groups = if p.option_names.is_empty() {
        // Variants without named options: choose by SKU.
        vec![(String::from("Variant"), None)]
    } else {
        p.option_names
            .iter()
            .cloned()
            .enumerate()
            .map(|(i, n)| (n, Some(i)))
            .collect()
    };
    view! { class=cls,
        <div data-test="variant-picker">
            {groups
                .into_iter()
                .map(|(name, position)| {
                    let values: Vec<String> = match position {
                        Some(i) => p.option_values(i),
                        None => p.variants.iter().map(|v| v.sku.clone()).collect(),
                    };
                    let links = values
                        .into_iter()
                        .map(|value| {
                            let p = p.clone();
                            let slug = p.slug.clone();
                            let label = value.clone();
                            let target = {
                                let value = value.clone();
                                move || {
                                    let current = selected.get()?;
                                    match position {
                                        Some(i) => {
                                            p.variant_for(&current, i, &value).map(|v| v.sku.clone())
                                        }
                                        None => Some(value.clone()),
                                    }
                                }
                            };
                            let href = {
                                let target = target.clone();
                                move || {
                                    target()
                                        .map(|sku| format!("/p/{slug}?variant={sku}"))
                                        .unwrap_or_default()
                                }
                            };
                            let here = move || {
                                let current = selected.get()?;
                                let chosen = match position {
                                    Some(i) => current.options.get(i) == Some(&value),
                                    None => current.sku == value,
                                };
                                chosen.then_some("true")
                            };
                            view! { class=cls,
                                <li>
                                    <a href=href aria-current=here>
                                        {label}
                                    </a>
                                </li>
                            }
                        })
                        .collect_view();
                    view! { class=cls,
                        <fieldset>
                            <legend>{name}</legend>
                            <ul>{links}</ul>
                        </fieldset>
                    }
                })
                .collect_view()}
        </div>
    }
    .into_any()
}
