//! `/checkout`: one plain HTML form, rendered on the server and working without
//! JavaScript. "Update totals" posts what was typed and comes back priced for it; "Place
//! order" posts with the form's idempotency key and goes to the order, or comes back with
//! what went wrong and everything typed still there (never the card number).

use super::api::{PlaceOrder, UpdateCheckout, get_checkout};
use super::model::{CheckoutError, CheckoutView};
use crate::components::head::Title;
use crate::money::Money;
use crate::payments::wire::test_cards;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Meta;
use stylers_macro::style;

#[component]
pub fn CheckoutPage() -> impl IntoView {
    let view = Resource::new(|| (), |_| get_checkout());
    view! {
        <Title text="Checkout · Mercato" />
        <Meta name="robots" content="noindex" />
        <h1>"Checkout"</h1>
        <Suspense fallback=|| {
            view! { <p>"Loading…"</p> }
        }>
            {move || Suspend::new(async move {
                match view.await {
                    Ok(v) => view! { <CheckoutPageForm v /> }.into_any(),
                    Err(CheckoutError::EmptyCart) => {
                        view! {
                            <p data-test="checkout-empty">
                                "Your cart is empty. " <a href="/">"Start shopping"</a>
                            </p>
                        }
                            .into_any()
                    }
                    Err(error) => {
                        view! {
                            <p class="flash flash-error" role="alert">
                                {crate::flash::capitalise(&error.to_string())}
                            </p>
                        }
                            .into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// The checkout form and the order summary beside it.
#[component]
fn CheckoutPageForm(v: CheckoutView) -> impl IntoView {
    let cls = style! {
        .layout {
            display: grid;
            grid-template-columns: minmax(0, 2fr) minmax(16rem, 1fr);
            gap: 2rem;
            align-items: start;
        }
        @media (max-width: 50rem) {
            .layout {
                grid-template-columns: 1fr;
            }
        }
        form {
            display: grid;
            gap: 1.25rem;
        }
        fieldset {
            display: grid;
            gap: 0.8rem;
            margin: 0;
            padding: 1rem 1.25rem 1.25rem;
            border: 1px solid var(--line);
            border-radius: 0.75rem;
        }
        legend {
            padding: 0 0.4rem;
            font-weight: 700;
        }
        label {
            display: grid;
            gap: 0.3rem;
            font-weight: 600;
        }
        label.choice {
            display: flex;
            gap: 0.6rem;
            align-items: baseline;
            font-weight: 400;
        }
        input[type="text"], input[type="email"] {
            padding: 0.55rem 0.7rem;
            font: inherit;
            border: 1px solid var(--line-strong);
            border-radius: 0.5rem;
        }
        .pair {
            display: grid;
            grid-template-columns: 1fr 1fr;
            gap: 0.8rem;
        }
        .hint {
            font-weight: 400;
            color: var(--muted);
            font-size: 0.9rem;
        }
        .error {
            color: var(--bad);
        }
        .actions {
            display: flex;
            gap: 1rem;
            flex-wrap: wrap;
            align-items: center;
        }
        button {
            padding: 0.65rem 1.4rem;
            font: inherit;
            font-weight: 600;
            border: 1px solid var(--ink);
            border-radius: 0.5rem;
            background: var(--paper);
            color: var(--ink);
            cursor: pointer;
        }
        button.primary {
            background: var(--ink);
            color: var(--paper);
        }
        aside {
            position: sticky;
            top: 1rem;
            padding: 1rem 1.25rem;
            border: 1px solid var(--line);
            border-radius: 0.75rem;
        }
        aside ul {
            list-style: none;
            margin: 0 0 1rem;
            padding: 0;
        }
        aside li {
            display: flex;
            justify-content: space-between;
            gap: 1rem;
            padding: 0.3rem 0;
        }
        dl {
            display: grid;
            grid-template-columns: 1fr auto;
            gap: 0.3rem 1rem;
            margin: 0;
        }
        dd {
            margin: 0;
            text-align: right;
        }
        .grand {
            font-weight: 700;
            font-size: 1.15rem;
        }
    };
    view! { class=cls,
        <div class="layout">
            <form
                method="post"
                action=PlaceOrder::url()
                aria-label="Checkout"
                data-test="checkout-form"
            >
                <input type="hidden" name="idempotency_key" value=v.idempotency_key.clone() />
                <ContactFields email=v.draft.email.clone() signed_in=v.signed_in cls />
                <AddressFields v=v.clone() cls />
                <DeliveryChoices v=v.clone() cls />
                <DiscountField v=v.clone() cls />
                <div class="actions">
                    <button
                        type="submit"
                        formaction=UpdateCheckout::url()
                        formnovalidate
                        data-test="update-totals"
                    >
                        "Update totals"
                    </button>
                    <span class="hint">"After changing the country, delivery or code."</span>
                </div>
                <PaymentField total=v.totals.total cls />
            </form>
            <OrderSummary v cls />
        </div>
    }
}

/// "Free", or the price.
fn price_or_free(price: Money) -> String {
    if price.is_zero() {
        "Free".to_owned()
    } else {
        price.to_string()
    }
}

#[component]
fn ContactFields(email: String, signed_in: bool, cls: &'static str) -> impl IntoView {
    view! { class=cls,
        <fieldset>
            <legend>"Contact"</legend>
            <label>
                "E-mail address"
                <span class="hint">"We send the receipt and delivery updates here."</span>
                <input
                    type="email"
                    name="email"
                    autocomplete="email"
                    value=email
                    required
                    maxlength="254"
                />
            </label>
            {(!signed_in)
                .then(|| {
                    view! { class=cls,
                        <p class="hint">
                            "Checking out as a guest. Have an account? "
                            <a href="/account/sign-in">"Sign in"</a>
                        </p>
                    }
                })}
        </fieldset>
    }
}

/// The saved addresses to choose from (signed in), and the fields of a new one.
#[component]
fn AddressFields(v: CheckoutView, cls: &'static str) -> impl IntoView {
    let d = v.draft.clone();
    let has_saved = !v.saved.is_empty();
    let new_address = d.address_id.is_none();
    let field = move |name: &'static str,
                      label: &'static str,
                      auto: &'static str,
                      value: String,
                      required: bool| {
        view! { class=cls,
            <label>
                {label}
                <input
                    type="text"
                    name=name
                    autocomplete=auto
                    value=value
                    required=required
                    maxlength="200"
                />
            </label>
        }
    };
    let saved = v
        .saved
        .iter()
        .map(|a| {
            let checked = d.address_id == Some(a.id);
            let text = a.address.lines().join(", ");
            view! { class=cls,
                <label class="choice">
                    <input type="radio" name="address_id" value=a.id checked=checked />
                    <span data-test="saved-address">{text}</span>
                </label>
            }
        })
        .collect_view();
    let new_choice = has_saved.then(|| {
        view! { class=cls,
            <label class="choice">
                <input type="radio" name="address_id" value="" checked=new_address />
                <span>"A new address:"</span>
            </label>
        }
    });
    view! { class=cls,
        <fieldset>
            <legend>"Delivery address"</legend>
            {saved}
            {new_choice}
            {field("full_name", "Full name", "name", d.full_name.clone(), !has_saved)}
            {field("line1", "Street address", "address-line1", d.line1.clone(), !has_saved)}
            {field("line2", "Second line (optional)", "address-line2", d.line2.clone(), false)}
            <div class="pair">
                {field("city", "Town or city", "address-level2", d.city.clone(), !has_saved)}
                {field(
                    "region",
                    "County or state (optional)",
                    "address-level1",
                    d.region.clone(),
                    false,
                )}
            </div>
            <div class="pair">
                {field("postal_code", "Postcode", "postal-code", d.postal_code.clone(), !has_saved)}
                {field(
                    "country",
                    "Country code (GB, US, DE…)",
                    "country",
                    d.country.clone(),
                    !has_saved,
                )}
            </div>
        </fieldset>
    }
}

#[component]
fn DeliveryChoices(v: CheckoutView, cls: &'static str) -> impl IntoView {
    let methods = v
        .methods
        .iter()
        .map(|m| {
            let checked = m.method == v.method;
            view! { class=cls,
                <label class="choice">
                    <input
                        type="radio"
                        name="shipping_method"
                        value=m.method.clone()
                        checked=checked
                    />
                    <span>{m.label.clone()} " · " <strong>{price_or_free(m.price)}</strong></span>
                </label>
            }
        })
        .collect_view();
    view! { class=cls,
        <fieldset>
            <legend>"Delivery"</legend>
            {methods}
        </fieldset>
    }
}

#[component]
fn DiscountField(v: CheckoutView, cls: &'static str) -> impl IntoView {
    let discount_error = v.discount_error.clone().map(|e| {
        view! { class=cls,
            <p class="error" role="alert" data-test="discount-error">
                {crate::flash::capitalise(&e)}
            </p>
        }
    });
    view! { class=cls,
        <fieldset>
            <legend>"Discount code"</legend>
            <label>
                "Code " <span class="hint">"(optional)"</span>
                <input
                    type="text"
                    name="discount_code"
                    value=v.draft.code.clone()
                    maxlength="32"
                    autocomplete="off"
                />
            </label>
            {discount_error}
        </fieldset>
    }
}

#[component]
fn PaymentField(total: Money, cls: &'static str) -> impl IntoView {
    let card_hint = format!(
        "Sandbox cards: {} succeeds, {} is declined, {} has insufficient funds.",
        test_cards::SUCCESS,
        test_cards::DECLINE,
        test_cards::INSUFFICIENT_FUNDS
    );
    view! { class=cls,
        <fieldset>
            <legend>"Payment"</legend>
            <label>
                "Card number" <span class="hint" id="card-hint">
                    {card_hint}
                </span>
                <input
                    type="text"
                    name="card_number"
                    autocomplete="cc-number"
                    inputmode="numeric"
                    aria-describedby="card-hint"
                    required
                    maxlength="23"
                />
            </label>
        </fieldset>
        <div class="actions">
            <button type="submit" class="primary" data-test="place-order">
                {format!("Place order · {total}")}
            </button>
        </div>
    }
}

/// The lines and totals beside the form.
#[component]
fn OrderSummary(v: CheckoutView, cls: &'static str) -> impl IntoView {
    let t = v.totals;
    let lines = v
        .lines
        .iter()
        .map(|l| {
            view! { class=cls,
                <li>
                    <span>{format!("{} × {}", l.quantity, l.title)}</span>
                    <span>{l.line.to_string()}</span>
                </li>
            }
        })
        .collect_view();
    let discount_row = (!t.discount.is_zero()).then(|| {
        view! { class=cls,
            <dt>{format!("Discount ({})", v.draft.code.trim().to_uppercase())}</dt>
            <dd data-test="summary-discount">{format!("−{}", t.discount)}</dd>
        }
    });
    view! { class=cls,
        <aside aria-label="Order summary" data-test="order-summary">
            <h2>"Order summary"</h2>
            <ul>{lines}</ul>
            <dl>
                <dt>"Subtotal"</dt>
                <dd data-test="summary-subtotal">{t.subtotal.to_string()}</dd>
                {discount_row}
                <dt>"Delivery"</dt>
                <dd data-test="summary-shipping">{price_or_free(t.shipping)}</dd>
                <dt>{v.tax_name.clone()}</dt>
                <dd data-test="summary-tax">{t.tax.to_string()}</dd>
                <dt class="grand">"Total"</dt>
                <dd class="grand" data-test="summary-total">
                    {t.total.to_string()}
                </dd>
            </dl>
        </aside>
    }
}
