//! `/admin/customers` (search, a page at a time) and `/admin/customers/:id` (orders,
//! addresses, lifetime value; disable, export, erase). Plain forms and links.

use super::api::{EraseCustomer, SetCustomerDisabled, admin_customers, customer_for_staff};
use super::model::{CustomerDetail, CustomerFilter, CustomerList};
use crate::admin::layout::AdminError;
use crate::admin::style::page;
use crate::components::head::Title;
use crate::money::Money;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::{use_params_map, use_query_map};

fn amounts(spent: &[Money]) -> String {
    if spent.is_empty() {
        return "—".into();
    }
    spent
        .iter()
        .map(|m| m.to_string())
        .collect::<Vec<_>>()
        .join(" + ")
}

fn standing(disabled: bool, erased: bool) -> &'static str {
    match (disabled, erased) {
        (_, true) => "Erased",
        (true, false) => "Disabled",
        (false, false) => "Active",
    }
}

#[component]
pub fn CustomersPage() -> impl IntoView {
    let q = use_query_map().read_untracked();
    let filter = CustomerFilter {
        q: q.get("q").unwrap_or_default(),
        after: q.get("after").unwrap_or_default(),
    };
    let asked = filter.clone();
    let listed = Resource::new(move || asked.clone(), admin_customers);
    let cls = page();
    let search = filter.q.clone();
    view! { class=cls,
        <Title text="Customers · Mercato admin" />
        <h1>"Customers"</h1>
        <form class="filters" method="get" action="/admin/customers" aria-label="Find customers">
            <label>
                "E-mail address or name"
                <input type="search" name="q" value=search maxlength="254" />
            </label>
            <button type="submit">"Find"</button>
        </form>
        <Suspense fallback=|| ()>
            {move || {
                let q = filter.q.clone();
                Suspend::new(async move {
                    match listed.await {
                        Ok(list) => view! { <CustomerTable list q /> }.into_any(),
                        Err(error) => view! { <AdminError error /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn CustomerTable(list: CustomerList, q: String) -> impl IntoView {
    let cls = page();
    let rows = list
        .rows
        .iter()
        .map(|c| {
            let href = format!("/admin/customers/{}", c.id);
            view! { class=cls,
                <tr data-test="customer-row">
                    <td>
                        <a href=href>{c.email.clone()}</a>
                        <br />
                        <span class="muted">{c.name.clone()}</span>
                    </td>
                    <td class="num">{c.orders}</td>
                    <td class="num">{amounts(&c.spent)}</td>
                    <td>{c.joined.clone()}</td>
                    <td>
                        <span class="tag">{standing(c.disabled, c.erased)}</span>
                    </td>
                </tr>
            }
        })
        .collect_view();
    let empty = list
        .rows
        .is_empty()
        .then(|| view! { <p class="muted">"No customers match."</p> });
    let next = list.next.map(|after| {
        let query = crate::url::to_query(
            [("q", q.trim()), ("after", after.as_str())]
                .into_iter()
                .filter(|(_, v)| !v.is_empty()),
        );
        view! {
            <a href=format!("/admin/customers{query}") rel="next">
                "Next page"
            </a>
        }
    });
    view! { class=cls,
        <table data-test="customer-table">
            <caption class="visually-hidden">"Customers"</caption>
            <thead>
                <tr>
                    <th scope="col">"Customer"</th>
                    <th scope="col" class="num">
                        "Orders"
                    </th>
                    <th scope="col" class="num">
                        "Spent"
                    </th>
                    <th scope="col">"Joined"</th>
                    <th scope="col">"Standing"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
        {empty}
        <nav class="pager" aria-label="Pages">
            {next}
        </nav>
    }
}

#[component]
pub fn CustomerPage() -> impl IntoView {
    let id = use_params_map()
        .read_untracked()
        .get("id")
        .and_then(|id| id.parse::<i64>().ok())
        .unwrap_or(0);
    let found = Resource::new(move || id, customer_for_staff);
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match found.await {
                    Ok(c) => view! { <Customer c /> }.into_any(),
                    Err(error) => view! { <AdminError error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Customer(c: CustomerDetail) -> impl IntoView {
    let cls = page();
    let id = c.id.to_string();
    let orders = c
        .orders
        .iter()
        .map(|o| {
            let href = format!("/admin/orders/{}", o.number);
            view! { class=cls,
                <tr data-test="customer-order">
                    <td>
                        <a href=href>{o.number.clone()}</a>
                    </td>
                    <td>{o.placed.clone()}</td>
                    <td>{o.status.label()}</td>
                    <td class="num">{o.total.to_string()}</td>
                </tr>
            }
        })
        .collect_view();
    let addresses = c
        .addresses
        .iter()
        .map(|a| view! { <li>{a.clone()}</li> })
        .collect_view();
    let (to, label, class) = if c.disabled {
        ("false", "Enable the account", "")
    } else {
        ("true", "Disable the account", "danger")
    };
    let actions = (!c.erased).then(|| {
        view! { class=cls,
            <h2>"Actions"</h2>
            <form class="inline" method="post" action=SetCustomerDisabled::url()>
                <input type="hidden" name="id" value=id.clone() />
                <input type="hidden" name="disabled" value=to />
                <button type="submit" class=class>
                    {label}
                </button>
            </form>
            " "
            <a href=format!("/api/admin/customer.json?id={}", c.id) download="">
                "Download their data (JSON)"
            </a>
            <form
                class="panel"
                method="post"
                action=EraseCustomer::url()
                aria-label="Erase the customer"
            >
                <input type="hidden" name="id" value=id.clone() />
                <p>
                    "Erasing removes their name, e-mail address, addresses, password and sessions for good; their orders stay in the books without them."
                </p>
                <label>
                    "Type their e-mail address to confirm"
                    <input type="email" name="confirm" required maxlength="254" />
                </label>
                <button type="submit" class="danger">
                    "Erase the customer"
                </button>
            </form>
        }
    });
    view! { class=cls,
        <Title text=format!("{} · Mercato admin", c.email) />
        <h1>{c.email.clone()}</h1>
        <p data-test="customer-summary">
            <span class="tag">{standing(c.disabled, c.erased)}</span>
            " · "
            {c.name.clone()}
            " · joined "
            {c.joined.clone()}
            {if c.verified { " · address confirmed" } else { "" }}
            " · lifetime value "
            {amounts(&c.spent)}
        </p>
        <h2>"Orders"</h2>
        <table data-test="customer-orders">
            <thead>
                <tr>
                    <th scope="col">"Order"</th>
                    <th scope="col">"Placed"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col" class="num">
                        "Total"
                    </th>
                </tr>
            </thead>
            <tbody>{orders}</tbody>
        </table>
        <h2>"Addresses"</h2>
        <ul data-test="customer-addresses">{addresses}</ul>
        {actions}
    }
}
