//! The customer's order pages: `/orders/:number` (the confirmation and the detail with
//! its status timeline), `/account/orders` (the history) and `/orders/lookup` (guests
//! find an order by its number and e-mail address). All server-rendered, no JavaScript.

use super::api::{get_order, my_orders};
use super::model::{OrderError, OrderStatus, OrderView};
use crate::components::head::Title;
use crate::components::status::set_http_status;
use leptos::prelude::*;
use leptos_meta::Meta;
use leptos_router::hooks::{use_params_map, use_query_map};
use stylers_macro::style;

fn when(at: &chrono::DateTime<chrono::Utc>) -> String {
    at.format("%-d %B %Y, %H:%M UTC").to_string()
}

fn error_view(error: &OrderError) -> AnyView {
    match error {
        OrderError::NotSignedIn => {
            #[cfg(feature = "ssr")]
            leptos_axum::redirect("/account/sign-in");
            view! { <p>"Please " <a href="/account/sign-in">"sign in"</a> " first."</p> }.into_any()
        }
        OrderError::NotFound => {
            set_http_status(404);
            view! {
                <p class="flash flash-error" role="alert" data-test="order-not-found">
                    {crate::flash::capitalise(&error.to_string())}
                </p>
                <p>
                    <a href="/orders/lookup">"Find an order"</a>
                </p>
            }
            .into_any()
        }
        other => {
            set_http_status(crate::flash::HttpStatus::http_status(other));
            view! {
                <p class="flash flash-error" role="alert">
                    {crate::flash::capitalise(&other.to_string())}
                </p>
            }
            .into_any()
        }
    }
}

/// `/orders/:number` (`?email=` for a guest's link): the order and where it is.
#[component]
pub fn OrderPage() -> impl IntoView {
    let number = use_params_map()
        .read_untracked()
        .get("number")
        .unwrap_or_default();
    let email = use_query_map()
        .read_untracked()
        .get("email")
        .unwrap_or_default();
    let order = Resource::new(
        move || (number.clone(), email.clone()),
        |(number, email)| get_order(number, email),
    );
    view! {
        <Meta name="robots" content="noindex" />
        <Meta name="referrer" content="same-origin" />
        <Suspense fallback=|| {
            view! { <p>"Loading…"</p> }
        }>
            {move || Suspend::new(async move {
                match order.await {
                    Ok(o) => view! { <OrderDetail o /> }.into_any(),
                    Err(error) => {
                        view! {
                            <Title text="Order · Mercato" />
                            <h1>"Your order"</h1>
                            {error_view(&error)}
                        }
                            .into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn OrderDetail(o: OrderView) -> impl IntoView {
    let cls = style! {
        .meta {
            color: var(--muted);
        }
        .status {
            display: inline-block;
            padding: 0.15rem 0.7rem;
            border-radius: 999px;
            background: var(--ink);
            color: var(--paper);
            font-weight: 600;
        }
        .status.cancelled {
            background: var(--bad);
        }
        .columns {
            display: grid;
            grid-template-columns: repeat(auto-fit, minmax(16rem, 1fr));
            gap: 2rem;
            margin-top: 1.5rem;
        }
        table {
            width: 100%;
            border-collapse: collapse;
        }
        th, td {
            padding: 0.4rem 0.5rem;
            border-bottom: 1px solid var(--line);
            text-align: left;
        }
        td.num, th.num {
            text-align: right;
        }
        dl {
            display: grid;
            grid-template-columns: 1fr auto;
            gap: 0.3rem 1rem;
        }
        dd {
            margin: 0;
            text-align: right;
        }
        .grand {
            font-weight: 700;
        }
        ol {
            padding-left: 1.2rem;
        }
        ol li {
            margin-bottom: 0.5rem;
        }
        .note {
            color: var(--muted);
        }
    };
    // What its buyers also bought, from its SKUs (the page already showed them).
    let skus = o
        .lines
        .iter()
        .take(20)
        .map(|l| l.sku.clone())
        .collect::<Vec<_>>()
        .join(",");
    let status_class = if o.status == OrderStatus::Cancelled {
        "status cancelled"
    } else {
        "status"
    };
    view! { class=cls,
        <Title text=format!("Order {} · Mercato", o.number) />
        <h1>"Order " <span data-test="order-number">{o.number.clone()}</span></h1>
        <p>
            <span class=status_class data-test="order-status">
                {o.status.label()}
            </span>
            <span class="meta">{format!(" · placed {} · {}", when(&o.placed_at), o.email)}</span>
        </p>
        <div class="columns">
            <OrderItems o=o.clone() cls />
            <OrderProgress o cls />
        </div>
        <crate::reco::components::Recommendations place="sku" key=skus />
    }
}

/// What was bought, the totals and the payment.
#[component]
fn OrderItems(o: OrderView, cls: &'static str) -> impl IntoView {
    let lines = o
        .lines
        .iter()
        .map(|l| {
            view! { class=cls,
                <tr>
                    <td>
                        {l.title.clone()} <br />
                        <small class="note">{format!("SKU {}", l.sku)}</small>
                    </td>
                    <td class="num">{l.quantity}</td>
                    <td class="num">{l.total().to_string()}</td>
                </tr>
            }
        })
        .collect_view();
    let discount = (!o.discount.is_zero()).then(|| {
        let label = match &o.discount_code {
            Some(code) => format!("Discount ({code})"),
            None => "Discount".to_owned(),
        };
        view! { class=cls,
            <dt>{label}</dt>
            <dd>{format!("−{}", o.discount)}</dd>
        }
    });
    let payment = match (&o.card_last4, o.charged.minor()) {
        (Some(last4), 0) if o.status == OrderStatus::Authorized => format!(
            "{} authorised on the card ending {last4}; it is charged when we confirm your order.",
            o.total
        ),
        (_, 0) if o.refunded.is_zero() => "Nothing has been charged.".to_owned(),
        (Some(last4), _) => {
            let mut text = format!("{} charged to the card ending {last4}.", o.charged);
            if !o.refunded.is_zero() {
                text.push_str(&format!(" {} refunded.", o.refunded));
            }
            text
        }
        (None, _) => format!("{} charged.", o.charged),
    };
    view! { class=cls,
        <section>
            <h2>"Items"</h2>
            <table>
                <thead>
                    <tr>
                        <th>"Item"</th>
                        <th class="num">"Qty"</th>
                        <th class="num">"Price"</th>
                    </tr>
                </thead>
                <tbody>{lines}</tbody>
            </table>
            <dl>
                <dt>"Subtotal"</dt>
                <dd>{o.subtotal.to_string()}</dd>
                {discount}
                <dt>{format!("Delivery: {}", o.shipping_method)}</dt>
                <dd>{o.shipping.to_string()}</dd>
                <dt>"Tax"</dt>
                <dd>{o.tax.to_string()}</dd>
                <dt class="grand">"Total"</dt>
                <dd class="grand" data-test="order-total">
                    {o.total.to_string()}
                </dd>
            </dl>
            <p data-test="order-payment">{payment}</p>
        </section>
    }
}

/// Where it goes, its parcels, and its history.
#[component]
fn OrderProgress(o: OrderView, cls: &'static str) -> impl IntoView {
    let shipments = (!o.shipments.is_empty()).then(|| {
        let items = o
            .shipments
            .iter()
            .map(|s| {
                let text = match (&s.carrier, &s.tracking_number) {
                    (Some(carrier), Some(tracking)) => {
                        format!(
                            "{} item(s), {}: {carrier} tracking {tracking}",
                            s.items, s.status
                        )
                    }
                    _ => format!("{} item(s), {}", s.items, s.status),
                };
                view! { <li data-test="shipment">{text}</li> }
            })
            .collect_view();
        view! { class=cls,
            <h2>"Parcels"</h2>
            <ul>{items}</ul>
        }
    });
    let timeline = o
        .timeline
        .iter()
        .map(|step| {
            let note = step.note.clone().map(|n| {
                view! { class=cls, <span class="note">{format!(" ({n})")}</span> }
            });
            view! { class=cls,
                <li data-test="timeline-step">
                    <strong>{step.status.label()}</strong>
                    " · "
                    <time datetime=step.at.to_rfc3339()>{when(&step.at)}</time>
                    {note}
                </li>
            }
        })
        .collect_view();
    let address = o
        .address
        .iter()
        .map(|l| {
            view! {
                {l.clone()}
                <br />
            }
        })
        .collect_view();
    view! { class=cls,
        <section>
            <h2>"Delivery address"</h2>
            <address>{address}</address>
            {shipments}
            <h2>"Progress"</h2>
            <ol aria-label="Order progress">{timeline}</ol>
        </section>
    }
}

/// `/account/orders`: the signed-in customer's orders.
#[component]
pub fn OrdersPage() -> impl IntoView {
    let cls = style! {
        table {
            width: 100%;
            border-collapse: collapse;
        }
        th, td {
            padding: 0.5rem;
            border-bottom: 1px solid var(--line);
            text-align: left;
        }
        .num {
            text-align: right;
        }
    };
    let orders = Resource::new(|| (), |_| my_orders());
    view! { class=cls,
        <Title text="Your orders · Mercato" />
        <Meta name="robots" content="noindex" />
        <h1>"Your orders"</h1>
        <p>
            <a href="/account">"Back to your account"</a>
        </p>
        <Suspense fallback=|| {
            view! { <p>"Loading…"</p> }
        }>
            {move || Suspend::new(async move {
                match orders.await {
                    Ok(list) if list.is_empty() => {
                        view! {
                            <p data-test="no-orders">
                                "No orders yet. " <a href="/">"Start shopping"</a>
                            </p>
                        }
                            .into_any()
                    }
                    Ok(list) => {
                        let rows = list
                            .into_iter()
                            .map(|o| {
                                let href = format!("/orders/{}", o.number);
                                view! { class=cls,
                                    <tr data-test="order-row">
                                        <td>
                                            <a href=href>{o.number.clone()}</a>
                                        </td>
                                        <td>{when(&o.placed_at)}</td>
                                        <td>{o.status.label()}</td>
                                        <td class="num">{o.items}</td>
                                        <td class="num">{o.total.to_string()}</td>
                                    </tr>
                                }
                            })
                            .collect_view();
                        view! { class=cls,
                            <table>
                                <thead>
                                    <tr>
                                        <th>"Order"</th>
                                        <th>"Placed"</th>
                                        <th>"Status"</th>
                                        <th class="num">"Items"</th>
                                        <th class="num">"Total"</th>
                                    </tr>
                                </thead>
                                <tbody>{rows}</tbody>
                            </table>
                        }
                            .into_any()
                    }
                    Err(error) => error_view(&error),
                }
            })}
        </Suspense>
    }
}

/// `/orders/lookup`: a guest finds an order by its number and e-mail address.
#[component]
pub fn OrderLookupPage() -> impl IntoView {
    let cls = crate::account::pages::form_style();
    let query = use_query_map().read_untracked();
    let number = query.get("number").unwrap_or_default();
    let email = query.get("email").unwrap_or_default();
    let asked = !number.trim().is_empty() || !email.trim().is_empty();
    let (n, e) = (number.clone(), email.clone());
    let found = Resource::new(
        move || (n.clone(), e.clone()),
        move |(number, email)| async move {
            if asked {
                Some(get_order(number, email).await)
            } else {
                None
            }
        },
    );
    view! { class=cls,
        <Title text="Find an order · Mercato" />
        <Meta name="robots" content="noindex" />
        <Meta name="referrer" content="same-origin" />
        <Suspense fallback=|| {
            view! { <p>"Loading…"</p> }
        }>
            {move || {
                let (number, email) = (number.clone(), email.clone());
                Suspend::new(async move {
                    match found.await {
                        Some(Ok(o)) => view! { <OrderDetail o /> }.into_any(),
                        outcome => {
                            let error = match outcome {
                                Some(Err(error)) => Some(error_view(&error)),
                                _ => None,
                            };
                            view! { class=cls,
                                <h1>"Find an order"</h1>
                                <p>
                                    "Enter the order number from your receipt and the e-mail address you used."
                                </p>
                                {error}
                                <form
                                    method="get"
                                    action="/orders/lookup"
                                    aria-label="Find an order"
                                >
                                    <label>
                                        "Order number"
                                        <input
                                            type="text"
                                            name="number"
                                            value=number.clone()
                                            required
                                            maxlength="32"
                                        />
                                    </label>
                                    <label>
                                        "E-mail address"
                                        <input
                                            type="email"
                                            name="email"
                                            value=email.clone()
                                            required
                                            maxlength="254"
                                            autocomplete="email"
                                        />
                                    </label>
                                    <button type="submit">"Find the order"</button>
                                </form>
                            }
                                .into_any()
                        }
                    }
                })
            }}
        </Suspense>
    }
}
