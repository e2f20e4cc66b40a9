//! The cart page, the add-to-cart form and the header's cart count. The forms are plain
//! posts to the cart's server functions with JavaScript off (the server redirects back
//! with a message), and in the browser calls of the same functions that update the page
//! in place (`crate::fetch::in_place`).

use super::api::{AddToCart, RemoveCartLine, UpdateCartLine, get_cart};
use super::model::{Cart, CartError, CartLine, Severity};
use crate::components::head::Title;
use crate::components::image::ProductImage;
use crate::fetch::in_place;
use leptos::either::Either;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Meta;
use stylers_macro::style;

#[cfg(feature = "hydrate")]
thread_local! {
    /// The cart's item count as the last action in this page left it: islands are
    /// separate components, and this is how the header's count hears about an add.
    static ITEMS: ArcRwSignal<Option<i64>> = ArcRwSignal::new(None);
}

fn publish_count(count: i64) {
    #[cfg(feature = "hydrate")]
    ITEMS.with(|items| items.set(Some(count)));
    #[cfg(not(feature = "hydrate"))]
    let _ = count;
}

fn published_count() -> Option<i64> {
    #[cfg(feature = "hydrate")]
    return ITEMS.with(|items| items.get());
    #[cfg(not(feature = "hydrate"))]
    None
}

/// What the header's cart count starts from.
#[derive(Clone, Default, serde::Serialize)]
struct CartCountStart {
    initial: i64,
}

crate::from_js_struct!(CartCountStart { initial });

/// The header's link to the cart with its item count (`initial` as the page was drawn).
#[component]
pub fn CartCount(initial: i64) -> impl IntoView {
    crate::wire::island::with_props("cart-count", CartCountStart { initial }, || {
        view! { <CartCountIsland /> }
    })
}

#[island]
fn CartCountIsland() -> impl IntoView {
    let CartCountStart { initial } = crate::wire::island::props("cart-count");
    let cls = style! {
        a {
            color: var(--paper);
            text-decoration: none;
        }
        a:hover, a:focus-visible {
            text-decoration: underline;
        }
        span {
            display: inline-block;
            min-width: 1.4rem;
            padding: 0 0.35rem;
            border-radius: 999px;
            background: var(--paper);
            color: var(--ink);
            text-align: center;
            font-weight: 700;
        }
    };
    let count = move || published_count().unwrap_or(initial);
    view! { class=cls,
        <a
            href="/cart"
            data-test="cart-link"
            aria-label=move || match count() {
                1 => "Cart, 1 item".to_owned(),
                n => format!("Cart, {n} items"),
            }
        >
            "Cart "
            <span data-test="cart-count">{count}</span>
        </a>
    }
}

/// The product page's form: the chosen variant's SKU and a quantity.
#[component]
pub fn AddToCartForm(
    #[prop(into)] sku: Signal<String>,
    #[prop(into)] buyable: Signal<bool>,
    max: i32,
) -> impl IntoView {
    let cls = style! {
        form {
            display: flex;
            flex-wrap: wrap;
            align-items: end;
            gap: 0.75rem;
            margin: 1.25rem 0 0.5rem;
        }
        label {
            display: grid;
            gap: 0.25rem;
            font-weight: 600;
        }
        input {
            width: 5rem;
            padding: 0.5rem;
            font: inherit;
            border: 1px solid var(--line-strong);
            border-radius: 0.5rem;
        }
        button {
            padding: 0.6rem 1.4rem;
            font: inherit;
            font-weight: 600;
            border: 0;
            border-radius: 0.5rem;
            background: var(--ink);
            color: var(--paper);
            cursor: pointer;
        }
        button:disabled {
            opacity: 0.5;
            cursor: not-allowed;
        }
        .error {
            color: var(--bad);
        }
    };
    let outcome = RwSignal::new(None::<Result<Cart, CartError>>);
    let pending = RwSignal::new(false);
    let on_submit = in_place(
        AddToCart::PATH,
        pending,
        move |answer: Result<Cart, CartError>| {
            if let Ok(cart) = &answer {
                publish_count(cart.item_count);
            }
            outcome.set(Some(answer));
        },
    );
    // `Either`s rather than `into_any`: a type-erased view carries every way of rendering
    // it (asynchronous hydration included) into the WASM, for each view erased.
    let message = move || {
        outcome.get().map(|answer| match answer {
            Ok(_) => Either::Left(view! { class=cls, <span>"Added to your cart. " <a href="/cart">"View cart"</a></span> }),
            Err(error) => Either::Right(view! { class=cls, <span class="error">{capitalised(&error)}</span> }),
        })
    };
    view! { class=cls,
        <form method="post" action=AddToCart::url() on:submit=on_submit>
            <input type="hidden" name="sku" value=sku />
            <label>
                "Quantity"
                <input
                    type="number"
                    name="quantity"
                    value="1"
                    min="1"
                    max=max
                    step="1"
                    inputmode="numeric"
                    required
                />
            </label>
            <button type="submit" disabled=move || !buyable.get() || pending.get()>
                "Add to cart"
            </button>
        </form>
        <p role="status" data-test="cart-message">
            {message}
        </p>
    }
}

fn capitalised(error: &CartError) -> String {
    crate::flash::capitalise(&error.to_string())
}

/// `/cart`: rendered on the server from the session's cart; the editor is an island.
#[component]
pub fn CartPage() -> impl IntoView {
    let cart = Resource::new(|| (), |_| get_cart());
    view! {
        <Title text="Your cart · Mercato" />
        <Meta name="robots" content="noindex" />
        <h1>"Your cart"</h1>
        <Suspense fallback=|| {
            view! { <p>"Loading…"</p> }
        }>
            {move || Suspend::new(async move {
                match cart.await {
                    Ok(cart) => {
                        let any = !cart.lines.is_empty();
                        view! {
                            <CartEditor cart />
                            {any
                                .then(|| {
                                    view! {
                                        <p class="checkout-link">
                                            <a
                                                class="button"
                                                href="/checkout"
                                                data-test="checkout-link"
                                            >
                                                "Go to checkout"
                                            </a>
                                        </p>
                                    }
                                })}
                        }
                            .into_any()
                    }
                    Err(error) => {
                        view! {
                            <p class="flash flash-error" role="alert">
                                {capitalised(&error)}
                            </p>
                        }
                            .into_any()
                    }
                }
            })}
        </Suspense>
        <crate::reco::components::Recommendations place="cart" key="" />
    }
}

/// What the cart editor starts from: the cart as the page was drawn.
#[derive(Clone, Default, serde::Serialize)]
struct CartEditorStart {
    cart: Cart,
}

crate::from_js_struct!(CartEditorStart { cart });

/// The cart's lines with their quantity and remove forms, the warnings and the totals.
/// Each action returns the whole cart as the server now sees it, and that is shown.
#[component]
fn CartEditor(cart: Cart) -> impl IntoView {
    crate::wire::island::with_props("cart-editor", CartEditorStart { cart }, || {
        view! { <CartEditorIsland /> }
    })
}

#[island]
fn CartEditorIsland() -> impl IntoView {
    let CartEditorStart { cart } = crate::wire::island::props("cart-editor");
    let cls = style! {
        ul {
            list-style: none;
            margin: 0;
            padding: 0;
        }
        li {
            display: grid;
            grid-template-columns: 6rem minmax(0, 1fr) auto;
            gap: 1rem;
            align-items: start;
            padding: 1rem 0;
            border-bottom: 1px solid var(--line);
        }
        li :deep(img) {
            width: 6rem;
            height: auto;
            border-radius: 0.5rem;
        }
        h2 {
            font-size: 1.05rem;
            margin: 0 0 0.25rem;
        }
        .muted {
            color: var(--muted);
            margin: 0.1rem 0;
        }
        .warn {
            color: var(--warn);
            margin: 0.25rem 0;
        }
        .bad {
            color: var(--bad);
            margin: 0.25rem 0;
        }
        form {
            display: inline-flex;
            gap: 0.4rem;
            align-items: center;
            margin: 0.5rem 0.75rem 0 0;
        }
        input {
            width: 4.5rem;
            padding: 0.35rem;
            font: inherit;
        }
        button {
            font: inherit;
            padding: 0.35rem 0.8rem;
            cursor: pointer;
        }
        .total {
            font-weight: 700;
            text-align: right;
        }
        .summary {
            text-align: right;
            font-size: 1.2rem;
            margin: 1.5rem 0;
        }
    };
    let (cart, set_cart) = signal(cart);
    let (error, set_error) = signal(None::<String>);
    // Each change answers the whole cart as the server now sees it.
    let shown = move |answer: Result<Cart, CartError>| match answer {
        Ok(c) => {
            publish_count(c.item_count);
            set_cart.set(c);
            set_error.set(None);
        }
        Err(e) => set_error.set(Some(capitalised(&e))),
    };
    let pending = RwSignal::new(false);
    let forms = LineForms { shown, pending };
    let max = cart.with_untracked(|c| c.max_line_quantity);
    view! { class=cls,
        <p role="alert" class="bad" data-test="cart-error">
            {move || error.get()}
        </p>
        {move || {
            let c = cart.get();
            if c.lines.is_empty() {
                return Either::Left(
                    view! { class=cls,
                        <p data-test="cart-empty">
                            "Your cart is empty. " <a href="/">"Start shopping"</a>
                        </p>
                    },
                );
            }
            let subtotal = c
                .subtotals
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(" + ");
            let items = c.item_count;
            Either::Right(
                view! { class=cls,
                    <ul aria-label="Items in your cart">
                        {c
                            .lines
                            .into_iter()
                            .map(|line| view! { <CartLineRow line max forms cls /> })
                            .collect_view()}
                    </ul>
                    <p class="summary">
                        {format!("{items} item{} · Subtotal ", if items == 1 { "" } else { "s" })}
                        <strong data-test="cart-subtotal">{subtotal}</strong>
                    </p>
                },
            )
        }}
    }
}

/// What a line's forms do with the server's answer, and whether one is on its way.
#[derive(Clone, Copy)]
struct LineForms<F> {
    shown: F,
    pending: RwSignal<bool>,
}

/// One line of the cart: what it is, any warning about it, and its forms.
#[component]
fn CartLineRow<F>(line: CartLine, max: i32, forms: LineForms<F>, cls: &'static str) -> impl IntoView
where
    F: Fn(Result<Cart, CartError>) + Copy + Send + Sync + 'static,
{
    let LineForms { shown, pending } = forms;
    let label = format!("Quantity of {}", line.title);
    let (sku_update, sku_remove) = (line.sku.clone(), line.sku.clone());
    let options = (!line.options.is_empty()).then(|| {
        view! { class=cls, <p class="muted">{line.options.join(" · ")}</p> }
    });
    let warning = line.warning().map(|(severity, text)| {
        let class = match severity {
            Severity::Bad => "bad",
            Severity::Warn => "warn",
        };
        view! { class=cls,
            <p class=class data-test="line-warning">
                {text}
            </p>
        }
    });
    view! { class=cls,
        <li data-test="cart-line" data-sku=line.sku.clone()>
            {line
                .image
                .clone()
                .map(|image| view! { <ProductImage image sizes="6rem" width=160 /> })}
            <div>
                <h2>
                    <a href=line.href()>{line.title.clone()}</a>
                </h2>
                {options}
                <p class="muted">{format!("{} each · SKU {}", line.unit_price, line.sku)}</p>
                {warning}
                <form
                    method="post"
                    action=UpdateCartLine::url()
                    on:submit=in_place(UpdateCartLine::PATH, pending, shown)
                >
                    <input type="hidden" name="sku" value=sku_update />
                    <input
                        type="number"
                        name="quantity"
                        value=line.quantity
                        min="1"
                        max=max
                        step="1"
                        inputmode="numeric"
                        aria-label=label
                        required
                    />
                    <button type="submit">"Update"</button>
                </form>
                <form
                    method="post"
                    action=RemoveCartLine::url()
                    on:submit=in_place(RemoveCartLine::PATH, pending, shown)
                >
                    <input type="hidden" name="sku" value=sku_remove />
                    <button type="submit" aria-label=format!("Remove {}", line.title)>
                        "Remove"
                    </button>
                </form>
            </div>
            <p class="total" data-test="line-total">
                {line.line_total.to_string()}
            </p>
        </li>
    }
}
