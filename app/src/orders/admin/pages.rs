//! `/admin/orders` (filters in the address, newest first, a page at a time, the export)
//! and `/admin/orders/:number` (lines, totals, payments, refunds, parcels, the timeline
//! with who did each step).

use super::api::{ExportOrders, admin_orders, order_for_staff};
use super::model::{AdminOrder, OrderFilter, OrderRisk, OrderRow};
use crate::admin::layout::AdminError;
use crate::admin::style::page;
use crate::components::head::Title;
use crate::orders::model::OrderStatus;
use crate::risk::model::RiskLevel;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::{use_params_map, use_query_map};

fn filter_from_url() -> OrderFilter {
    let q = use_query_map().read_untracked();
    let get = |k: &str| q.get(k).unwrap_or_default();
    OrderFilter {
        q: get("q"),
        status: get("status"),
        from: get("from"),
        to: get("to"),
        min_total: get("min_total"),
        max_total: get("max_total"),
        risk: get("risk"),
        after: get("after"),
    }
}

#[component]
pub fn AdminOrdersPage() -> impl IntoView {
    let cls = page();
    let filter = filter_from_url();
    let asked = filter.clone();
    let listed = Resource::new(move || asked.clone(), admin_orders);
    let export = format!("{}{}", ExportOrders::url(), filter.query(None));
    let shown = filter.clone();
    let statuses = OrderStatus::ALL
        .into_iter()
        .map(|s| {
            let selected = filter.status == s.as_str();
            view! {
                <option value=s.as_str() selected=selected>
                    {s.label()}
                </option>
            }
        })
        .collect_view();
    let risks = RiskLevel::ALL
        .into_iter()
        .map(|l| {
            let selected = filter.risk == l.as_str();
            view! {
                <option value=l.as_str() selected=selected>
                    {l.label()}
                </option>
            }
        })
        .collect_view();
    view! { class=cls,
        <Title text="Orders · Mercato admin" />
        <h1>"Orders"</h1>
        <form class="filters" method="get" action="/admin/orders" aria-label="Filter the orders">
            <label>
                "Order number or e-mail"
                <input type="search" name="q" value=filter.q.clone() maxlength="254" />
            </label>
            <label>
                "Status" <select name="status">
                    <option value="">"Any"</option>
                    {statuses}
                </select>
            </label>
            <label>
                "Risk" <select name="risk">
                    <option value="">"Any"</option>
                    {risks}
                </select>
            </label>
            <label>"From" <input type="date" name="from" value=filter.from.clone() /></label>
            <label>"To" <input type="date" name="to" value=filter.to.clone() /></label>
            <label>
                "Total at least"
                <input
                    type="text"
                    inputmode="decimal"
                    name="min_total"
                    value=filter.min_total.clone()
                    size="8"
                />
            </label>
            <label>
                "Total at most"
                <input
                    type="text"
                    inputmode="decimal"
                    name="max_total"
                    value=filter.max_total.clone()
                    size="8"
                />
            </label>
            <button type="submit">"Filter"</button>
            <a href=export download>
                "Export CSV"
            </a>
        </form>
        <Suspense fallback=|| ()>
            {move || {
                let filter = shown.clone();
                Suspend::new(async move {
                    match listed.await {
                        Ok(p) => view! { <OrderRows rows=p.rows next=p.next filter /> }.into_any(),
                        Err(error) => view! { <AdminError error /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn OrderRows(rows: Vec<OrderRow>, next: Option<String>, filter: OrderFilter) -> impl IntoView {
    let cls = page();
    let empty = rows.is_empty().then(|| view! { <p>"No orders match."</p> });
    let body = rows
        .into_iter()
        .map(|o| {
            let href = format!("/admin/orders/{}", crate::url::encode(&o.number));
            view! { class=cls,
                <tr data-test="order-row">
                    <td>
                        <a href=href>{o.number}</a>
                    </td>
                    <td>{o.placed}</td>
                    <td>{o.email}</td>
                    <td>{o.status.label()}</td>
                    <td>{o.risk.map(|l| view! { <RiskTag level=l /> })}</td>
                    <td class="num">{o.items}</td>
                    <td class="num">{o.total.to_string()}</td>
                    <td>{o.region}</td>
                </tr>
            }
        })
        .collect_view();
    let older = next.map(|after| {
        let href = format!("/admin/orders{}", filter.query(Some(&after)));
        view! {
            <a href=href rel="next">
                "Older orders"
            </a>
        }
    });
    view! { class=cls,
        <table data-test="orders-table">
            <thead>
                <tr>
                    <th scope="col">"Order"</th>
                    <th scope="col">"Placed (UTC)"</th>
                    <th scope="col">"E-mail"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col">"Risk"</th>
                    <th scope="col" class="num">
                        "Items"
                    </th>
                    <th scope="col" class="num">
                        "Total"
                    </th>
                    <th scope="col">"Region"</th>
                </tr>
            </thead>
            <tbody>{body}</tbody>
        </table>
        {empty}
        <nav class="pager" aria-label="Pages">
            {older}
        </nav>
    }
}

/// A risk level as a tag, coloured by how much it asks of staff.
#[component]
fn RiskTag(level: RiskLevel) -> impl IntoView {
    let cls = page();
    view! { class=cls, <span class=format!("tag {}", level.as_str())>{level.label()}</span> }
}

/// The order's risk assessment: its level and score, and every signal behind it.
#[component]
fn RiskPanel(risk: Option<OrderRisk>) -> impl IntoView {
    let cls = page();
    let Some(risk) = risk else {
        return view! { class=cls,
            <p class="muted" data-test="order-risk">
                "Not assessed: this order was not placed through checkout."
            </p>
        }
        .into_any();
    };
    let a = risk.assessment;
    let signals = a
        .signals
        .into_iter()
        .map(|s| {
            let points = if s.points > 0 {
                format!("+{}", s.points)
            } else {
                s.points.to_string()
            };
            view! { class=cls, <li>{s.detail} " " <span class="muted">{format!("({points})")}</span></li> }
        })
        .collect_view();
    let from = risk.client.map(|ip| format!(" · placed from {ip}"));
    view! { class=cls,
        <div data-test="order-risk">
            <p>
                <RiskTag level=a.level />
                {format!(" score {} of 100", a.score)}
                {from}
            </p>
            <ul>{signals}</ul>
        </div>
    }
    .into_any()
}

#[component]
pub fn AdminOrderPage() -> impl IntoView {
    staff_order_page(|o| view! { <OrderDetail o /> }.into_any())
}

/// The order named in the address (`:number`), loaded for staff, drawn by `draw`.
pub(super) fn staff_order_page(draw: fn(AdminOrder) -> AnyView) -> impl IntoView {
    let number = use_params_map()
        .read_untracked()
        .get("number")
        .unwrap_or_default();
    let found = Resource::new(move || number.clone(), order_for_staff);
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match found.await {
                    Ok(o) => draw(o),
                    Err(error) => view! { <AdminError error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn OrderDetail(o: AdminOrder) -> impl IntoView {
    let cls = page();
    let operations = o.clone();
    let v = o.view;
    let lines = v
        .lines
        .iter()
        .map(|l| {
            view! { class=cls,
                <tr>
                    <td>{l.title.clone()} <br /> <span class="muted">{l.sku.clone()}</span></td>
                    <td class="num">{l.quantity}</td>
                    <td class="num">{l.unit.to_string()}</td>
                    <td class="num">{l.total().to_string()}</td>
                </tr>
            }
        })
        .collect_view();
    let totals = [
        ("Subtotal", v.subtotal.to_string()),
        ("Discount", v.discount.to_string()),
        (
            "Shipping",
            format!("{} ({})", v.shipping, v.shipping_method),
        ),
        ("Tax", v.tax.to_string()),
        ("Total", v.total.to_string()),
        ("Refunded", v.refunded.to_string()),
    ]
    .into_iter()
    .map(|(k, val)| {
        view! { class=cls,
            <tr>
                <th scope="row">{k}</th>
                <td class="num">{val}</td>
            </tr>
        }
    })
    .collect_view();
    let payments = o
        .payments
        .iter()
        .map(|p| {
            view! { class=cls,
                <tr>
                    <td>
                        {p.intent.clone()} <br />
                        <span class="muted">{format!("card ending {}", p.last4)}</span>
                    </td>
                    <td>{p.status.clone()}</td>
                    <td class="num">{p.amount.to_string()}</td>
                    <td class="num">{p.captured.to_string()}</td>
                    <td class="num">{p.refunded.to_string()}</td>
                    <td>{p.at.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    let refunds = o
        .refunds
        .iter()
        .map(|r| {
            view! { class=cls,
                <tr>
                    <td>
                        {r.at.clone()} <br />
                        <span class="muted">
                            {match r.status.as_str() {
                                "pending" => "waiting for the payment provider".to_owned(),
                                "failed" => {
                                    format!("refused: {}", r.failure.clone().unwrap_or_default())
                                }
                                _ => "given".to_owned(),
                            }}
                        </span>
                    </td>
                    <td class="num">{r.amount.to_string()}</td>
                    <td class="num">{r.units}</td>
                    <td>{r.reason.clone()}</td>
                    <td>{r.actor.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    let parcels = v
        .shipments
        .iter()
        .map(|s| {
            view! { class=cls,
                <tr>
                    <td>{s.status.clone()}</td>
                    <td>{s.carrier.clone().unwrap_or_default()}</td>
                    <td>{s.tracking_number.clone().unwrap_or_default()}</td>
                    <td class="num">{s.items}</td>
                </tr>
            }
        })
        .collect_view();
    let steps = o
        .steps
        .iter()
        .map(|s| {
            view! { class=cls,
                <li>
                    <strong>{s.status.label()}</strong>
                    " "
                    {s.at.clone()}
                    " · "
                    {s.actor.clone()}
                    {s.reason.clone().map(|r| format!(" · {r}"))}
                </li>
            }
        })
        .collect_view();
    let customer = match o.customer {
        Some((id, email)) => format!("{email} (account {id})"),
        None => format!("{} (guest)", v.email),
    };
    view! { class=cls,
        <Title text=format!("Order {} · Mercato admin", v.number) />
        <h1>{format!("Order {}", v.number)}</h1>
        <p data-test="order-summary">
            <span class="tag">{v.status.label()}</span>
            " · placed "
            {v.placed_at.format("%Y-%m-%d %H:%M UTC").to_string()}
            " · "
            {customer}
            " · region "
            {o.region}
        </p>
        <h2>"Lines"</h2>
        <table data-test="order-lines">
            <thead>
                <tr>
                    <th scope="col">"Product"</th>
                    <th scope="col" class="num">
                        "Quantity"
                    </th>
                    <th scope="col" class="num">
                        "Unit price"
                    </th>
                    <th scope="col" class="num">
                        "Line total"
                    </th>
                </tr>
            </thead>
            <tbody>{lines}</tbody>
        </table>
        <table data-test="order-totals">
            <tbody>{totals}</tbody>
        </table>
        <h2>"Risk"</h2>
        <RiskPanel risk=o.risk.clone() />
        <h2>"Delivery address"</h2>
        <p>{v.address.join(", ")}</p>
        <h2>"Payments"</h2>
        <table data-test="order-payments">
            <thead>
                <tr>
                    <th scope="col">"Payment"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col" class="num">
                        "Amount"
                    </th>
                    <th scope="col" class="num">
                        "Captured"
                    </th>
                    <th scope="col" class="num">
                        "Refunded"
                    </th>
                    <th scope="col">"When (UTC)"</th>
                </tr>
            </thead>
            <tbody>{payments}</tbody>
        </table>
        <h2>"Refunds"</h2>
        <table data-test="order-refunds">
            <thead>
                <tr>
                    <th scope="col">"When (UTC)"</th>
                    <th scope="col" class="num">
                        "Amount"
                    </th>
                    <th scope="col" class="num">
                        "Units"
                    </th>
                    <th scope="col">"Reason"</th>
                    <th scope="col">"By"</th>
                </tr>
            </thead>
            <tbody>{refunds}</tbody>
        </table>
        <h2>"Parcels"</h2>
        <table data-test="order-parcels">
            <thead>
                <tr>
                    <th scope="col">"Status"</th>
                    <th scope="col">"Carrier"</th>
                    <th scope="col">"Tracking"</th>
                    <th scope="col" class="num">
                        "Items"
                    </th>
                </tr>
            </thead>
            <tbody>{parcels}</tbody>
        </table>
        <h2>"Timeline"</h2>
        <ol data-test="order-timeline">{steps}</ol>
        <super::operations::forms::Operations o=operations />
    }
}
