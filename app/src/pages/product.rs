use crate::cart::pages::AddToCartForm;
use crate::catalog::api::get_product;
use crate::catalog::model::{Availability, ProductDetail, VariantDetail, VariantSet};
use crate::components::breadcrumbs::Breadcrumbs;
use crate::components::head::Title;
use crate::components::image::ProductImage;
use crate::pages::error::ErrorPanel;
use leptos::ev::MouseEvent;
use leptos::prelude::*;
use leptos_meta::{Link, Meta};
use leptos_router::hooks::{use_params_map, use_query_map};
use std::sync::Arc;
use stylers_macro::style;

/// `/p/<slug>?variant=<SKU>`: the variant lives in the URL, so choosing one works with
/// JavaScript off (a link) and, in the browser, updates in place without reloading.
#[component]
pub fn ProductPage() -> impl IntoView {
    let params = use_params_map();
    let product = Resource::new(
        move || params.read().get("slug").unwrap_or_default(),
        get_product,
    );
    let sale = Resource::new(
        move || params.read().get("slug").unwrap_or_default(),
        crate::flash_sale::api::flash_banner,
    );
    view! {
        <Suspense fallback=|| {
            view! { <p>"Loading…"</p> }
        }>
            {move || Suspend::new(async move {
                match product.await {
                    Ok(p) => {
                        let banner = sale.await.ok().flatten();
                        crate::page_cache::shows(&p.slug);
                        if banner.is_some() {
                            crate::page_cache::not_shared("a flash sale's countdown");
                        }
                        view! {
                            {banner
                                .map(|banner| {
                                    view! { <crate::flash_sale::pages::SaleBannerView banner /> }
                                })}
                            <Product p=Arc::new(p) />
                        }
                            .into_any()
                    }
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn meta_description(p: &ProductDetail) -> String {
    if let Some(set) = p
        .seo_description
        .as_deref()
        .filter(|s| !s.trim().is_empty())
    {
        return set.to_owned();
    }
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
    let initial = use_query_map().read_untracked().get("variant");

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
        .more-photos {
            display: grid;
            grid-template-columns: repeat(auto-fill, minmax(6rem, 1fr));
            gap: 0.5rem;
            list-style: none;
            padding: 0;
            margin: 0.75rem 0 0;
        }
        .brand {
            color: var(--muted);
            margin: 0;
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
    // The merchant's other photos, in their order, loaded as they scroll into view.
    let more_photos = p.images.iter().skip(1).cloned().collect::<Vec<_>>();
    let attributes = p.attributes.clone();
    view! { class=cls,
        <Title text=format!("{} · Mercato", p.seo_title.as_deref().unwrap_or(&p.title)) />
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
                {(!more_photos.is_empty())
                    .then(|| {
                        view! { class=cls,
                            <ul class="more-photos">
                                {more_photos
                                    .into_iter()
                                    .map(|image| {
                                        view! {
                                            <li>
                                                <ProductImage
                                                    image
                                                    sizes="(min-width: 48rem) 10vw, 30vw"
                                                    width=200
                                                />
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                        }
                    })}
            </div>
            <div>
                <h1>{p.title.clone()}</h1>
                {p.brand.clone().map(|b| view! { class=cls, <p class="brand">{b}</p> })}
                <BuyBox choice=p.variant_set() initial max_quantity=max_line_quantity() />
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
        <crate::reco::components::Recommendations place="product" key=p.slug.clone() />
    }
}

/// The most of one variant a cart line may hold (from settings, on the server).
fn max_line_quantity() -> i32 {
    #[cfg(feature = "ssr")]
    return leptos::prelude::use_context::<crate::cart::ssr::CartRules>()
        .map_or(20, |r| r.max_line_quantity);
    #[cfg(not(feature = "ssr"))]
    20
}

/// The variant in the address bar's query, if any.
fn variant_in_url() -> Option<String> {
    let search = window().location().search().ok()?;
    crate::url::parse_query(&search)
        .into_iter()
        .find_map(|(k, v)| (k == "variant").then_some(v))
}

/// Records a choice in the address bar, so it can be shared, reloaded and gone back from.
fn push_url(href: &str) {
    #[cfg(feature = "hydrate")]
    if let Ok(history) = window().history() {
        let _ = history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(href));
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = href;
}

/// What the buy box starts from.
#[derive(Clone, Default, serde::Serialize)]
struct BuyBoxStart {
    choice: VariantSet,
    /// The `?variant=` the page was opened with.
    initial: Option<String>,
    max_quantity: i32,
}

crate::from_js_struct!(BuyBoxStart {
    choice,
    initial,
    max_quantity
});

/// The part of the product page the browser runs: the chosen variant's price, SKU and
/// availability, and the picker. `initial` is the `?variant=` the page was opened with.
#[component]
fn BuyBox(choice: VariantSet, initial: Option<String>, max_quantity: i32) -> impl IntoView {
    let props = BuyBoxStart {
        choice,
        initial,
        max_quantity,
    };
    crate::wire::island::with_props("buy-box", props, || view! { <BuyBoxIsland /> })
}

#[island]
fn BuyBoxIsland() -> impl IntoView {
    let BuyBoxStart {
        choice,
        initial,
        max_quantity,
    } = crate::wire::island::props("buy-box");
    let cls = style! {
        .price {
            font-size: 1.6rem;
            font-weight: 700;
            margin: 0.5rem 0;
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
    };
    // A guest without a session gets one for what they view (see `product_seen`); once
    // the shop has answered, this tab does not ask again (a session's page records the
    // view itself).
    #[cfg(feature = "hydrate")]
    {
        const ASKED: &str = "mercato-seen";
        let storage = window().session_storage().ok().flatten();
        if storage
            .as_ref()
            .and_then(|s| s.get_item(ASKED).ok().flatten())
            .is_none()
        {
            let slug = choice.slug.clone();
            leptos::task::spawn_local(async move {
                let answer = crate::fetch::post_first::<(), crate::reco::model::RecoError>(
                    <crate::reco::api::ProductSeen as leptos::server_fn::ServerFn>::PATH,
                    &[("slug", &slug)],
                )
                .await;
                if let (Ok(()), Some(storage)) = (answer, storage) {
                    let _ = storage.set_item(ASKED, "1");
                }
            });
        }
    }
    let choice = Arc::new(choice);
    let (wanted, set_wanted) = signal(initial);
    // Back and forward between variants chosen here.
    let listener = window_event_listener(leptos::ev::popstate, move |_| {
        set_wanted.set(variant_in_url())
    });
    on_cleanup(move || listener.remove());
    let selected = {
        let choice = choice.clone();
        Memo::new(move |_| choice.selected(wanted.get().as_deref()).cloned())
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
    view! { class=cls,
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
        <VariantPicker choice selected choose=set_wanted />
        <AddToCartForm
            sku=Signal::derive(sku)
            buyable=Signal::derive(move || availability() != Availability::OutOfStock)
            max=max_quantity
        />
    }
}

/// One group of links per option ("screen size": 13 inch, 15 inch); each link names the
/// variant that keeps the other options, and the chosen value is marked for screen readers.
/// Each link is a real link (it works without JavaScript, in a new tab, and when copied);
/// a plain click in the browser switches in place and records the choice in the history.
#[component]
fn VariantPicker(
    choice: Arc<VariantSet>,
    selected: Memo<Option<VariantDetail>>,
    choose: WriteSignal<Option<String>>,
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
    let p = choice;
    if p.variants.len() < 2 {
        return None;
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
    let group = |name: String, position: Option<usize>| {
        let values: Vec<String> = match position {
            Some(i) => p.option_values(i),
            None => p.variants.iter().map(|v| v.sku.clone()).collect(),
        };
        let links = values
            .into_iter()
            .map(|value| {
                view! { <OptionLink p=p.clone() position value selected choose cls /> }
            })
            .collect_view();
        view! { class=cls,
            <fieldset>
                <legend>{name}</legend>
                <ul>{links}</ul>
            </fieldset>
        }
    };
    Some(view! { class=cls,
        <div data-test="variant-picker">
            {groups.into_iter().map(|(name, position)| group(name, position)).collect_view()}
        </div>
    })
}

/// A click that the page handles itself (the main button, no key held: not "open in a
/// new tab").
fn plain_click(ev: &MouseEvent) -> bool {
    ev.button() == 0 && !ev.ctrl_key() && !ev.meta_key() && !ev.shift_key() && !ev.alt_key()
}

/// One option value (or, without named options, one SKU): a link to the variant it
/// leads to from the current one, marked when it is the current one's.
#[component]
fn OptionLink(
    p: Arc<VariantSet>,
    position: Option<usize>,
    value: String,
    selected: Memo<Option<VariantDetail>>,
    choose: WriteSignal<Option<String>>,
    cls: &'static str,
) -> impl IntoView {
    let label = value.clone();
    let target = {
        let value = value.clone();
        let p = p.clone();
        move || {
            let current = selected.get()?;
            match position {
                Some(i) => p.variant_for(&current, i, &value).map(|v| v.sku.clone()),
                None => Some(value.clone()),
            }
        }
    };
    let href = {
        let target = target.clone();
        let p = p.clone();
        move || target().map(|sku| p.href(&sku)).unwrap_or_default()
    };
    let on_click = move |ev: MouseEvent| {
        if let Some(sku) = target().filter(|_| plain_click(&ev)) {
            ev.prevent_default();
            push_url(&p.href(&sku));
            choose.set(Some(sku));
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
            <a href=href aria-current=here on:click=on_click>
                {label}
            </a>
        </li>
    }
}
