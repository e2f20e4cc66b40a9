//! The sales dashboard on `/admin` (`?period=30d&currency=GBP`): links to every period
//! and currency, the figures against the previous period, two charts, and lists.

use super::api::sales_dashboard;
use super::charts::{BarChart, Slot};
use super::model::{Bucket, Dashboard, Metric, OrderRow, Period};
use crate::admin::layout::AdminError;
use crate::admin::style::page;
use crate::jobs::pages::JobProgress;
use crate::money::{Currency, Money};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use stylers_macro::style;

#[component]
pub fn DashboardSection() -> impl IntoView {
    let q = use_query_map().read_untracked();
    let period = q.get("period").unwrap_or_default();
    let currency = q.get("currency").unwrap_or_default();
    let figures = Resource::new(
        move || (period.clone(), currency.clone()),
        |(p, c)| sales_dashboard(p, c),
    );
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match figures.await {
                    Ok(d) => view! { <DashboardView d /> }.into_any(),
                    Err(error) => view! { <AdminError error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn link(period: Period, currency: &str) -> String {
    format!(
        "/admin?period={}&currency={}",
        period.key(),
        crate::url::encode(currency)
    )
}

#[component]
fn DashboardView(d: Dashboard) -> impl IntoView {
    let cls = page();
    let local = style! {
        .choices {
            display: flex;
            flex-wrap: wrap;
            gap: 0.4rem 1rem;
            margin: 0 0 1rem;
        }
        .choices a[aria-current="page"] {
            font-weight: 700;
            text-decoration: none;
            color: inherit;
        }
        .metrics {
            display: grid;
            grid-template-columns: repeat(auto-fill, minmax(12rem, 1fr));
            gap: 0.75rem;
            margin: 0 0 1.5rem;
        }
        .lists {
            display: grid;
            grid-template-columns: repeat(auto-fit, minmax(22rem, 1fr));
            gap: 0 2rem;
        }
    };
    let currency = Currency::parse(&d.currency).unwrap_or(Currency::USD);
    let periods = Period::ALL
        .into_iter()
        .map(|p| {
            let current = (p == d.period).then_some("page");
            view! {
                <a href=link(p, &d.currency) aria-current=current>
                    {p.label()}
                </a>
            }
        })
        .collect_view();
    let currencies = (d.currencies.len() > 1).then(|| {
        let links = d
            .currencies
            .iter()
            .map(|c| {
                let current = (*c == d.currency).then_some("page");
                view! {
                    <a href=link(d.period, c) aria-current=current>
                        {c.clone()}
                    </a>
                }
            })
            .collect_view();
        view! { class=local,
            <nav class="choices" aria-label="Currency">
                {links}
            </nav>
        }
    });
    let importing = d.importing.clone().map(|j| {
        let href = format!("/admin/jobs/{}", j.id);
        view! {
            <section aria-label="Import in progress">
                <JobProgress j />
                <a href=href>"Details"</a>
            </section>
        }
    });
    let metrics = d
        .metrics
        .iter()
        .cloned()
        .map(|m| view! { <MetricCard m /> })
        .collect_view();
    let cash = move |v: i64| Money::from_minor(v, currency).to_string();
    let as_slots = |buckets: &[Bucket], text: &dyn Fn(i64) -> String| -> Vec<Slot> {
        buckets
            .iter()
            .map(|b| Slot {
                label: b.label.clone(),
                current: b.current,
                previous: b.previous,
                current_text: text(b.current),
                previous_text: text(b.previous),
            })
            .collect()
    };
    let revenue = as_slots(&d.revenue, &cash);
    let orders = as_slots(&d.orders, &|v| v.to_string());
    let against = format!(
        "{}, against {}",
        d.period.label(),
        d.period.previous_label()
    );
    let top = d
        .top_products
        .iter()
        .map(|p| {
            view! { class=cls,
                <tr>
                    <td>{p.title.clone()} <br /> <span class="muted">{p.sku.clone()}</span></td>
                    <td class="num">{p.units}</td>
                    <td class="num">{p.revenue.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    let low = d
        .low_stock
        .iter()
        .map(|s| {
            view! { class=cls,
                <tr>
                    <td>{s.title.clone()} <br /> <span class="muted">{s.sku.clone()}</span></td>
                    <td class="num">{s.available}</td>
                    <td class="num">{s.threshold}</td>
                </tr>
            }
        })
        .collect_view();
    let awaiting_caption = format!("Orders awaiting action ({})", d.awaiting_total);
    view! { class=cls,
        {importing}
        <nav class=format!("choices {local}") aria-label="Period">
            {periods}
        </nav>
        {currencies}
        <h2>{format!("{} in {}", d.period.label(), d.currency)}</h2>
        <dl class=format!("metrics {local}") data-test="metrics">
            {metrics}
        </dl>
        <BarChart id="revenue-chart" title=format!("Revenue, {against}") slots=revenue />
        <BarChart id="orders-chart" title=format!("Orders, {against}") slots=orders />
        <div class=format!("lists {local}")>
            <section>
                <h2>"Top products"</h2>
                <table data-test="top-products">
                    <thead>
                        <tr>
                            <th scope="col">"Product"</th>
                            <th scope="col" class="num">
                                "Units"
                            </th>
                            <th scope="col" class="num">
                                "Revenue"
                            </th>
                        </tr>
                    </thead>
                    <tbody>{top}</tbody>
                </table>
            </section>
            <section>
                <h2>"Low stock"</h2>
                <table data-test="low-stock">
                    <thead>
                        <tr>
                            <th scope="col">"Product"</th>
                            <th scope="col" class="num">
                                "Available"
                            </th>
                            <th scope="col" class="num">
                                "Alert at"
                            </th>
                        </tr>
                    </thead>
                    <tbody>{low}</tbody>
                </table>
            </section>
            <section>
                <h2>"Recent orders"</h2>
                <OrderTable rows=d.recent.clone() test="recent-orders" />
            </section>
            <section>
                <h2>{awaiting_caption}</h2>
                <OrderTable rows=d.awaiting.clone() test="awaiting-orders" />
            </section>
        </div>
    }
}

#[component]
fn MetricCard(m: Metric) -> impl IntoView {
    let local = style! {
        .metric {
            border: 1px solid var(--line);
            border-radius: 6px;
            padding: 0.75rem;
        }
        .metric dt {
            color: var(--muted);
            font-size: 0.9rem;
        }
        .metric dd {
            margin: 0.2rem 0 0;
        }
        .figure {
            font-size: 1.35rem;
            font-weight: 700;
        }
        .good {
            color: #1d6b32;
        }
        .bad {
            color: #a3261b;
        }
        .muted {
            color: var(--muted);
            font-size: 0.85rem;
        }
    };
    let change = m.change.map(|c| {
        let good = (c >= 0) == m.up_is_good;
        let class = if c == 0 {
            ""
        } else if good {
            "good"
        } else {
            "bad"
        };
        let sign = if c > 0 { "+" } else { "" };
        view! { class=local, <span class=class>{format!("{sign}{c}%")}</span> }
    });
    view! { class=local,
        <div class="metric" data-test="metric">
            <dt>{m.label.clone()}</dt>
            <dd class="figure">{m.current.clone()}</dd>
            <dd class="muted">{change} " vs " {m.previous.clone()}</dd>
        </div>
    }
}

#[component]
fn OrderTable(rows: Vec<OrderRow>, test: &'static str) -> impl IntoView {
    let cls = page();
    let body = rows
        .into_iter()
        .map(|o| {
            view! { class=cls,
                <tr>
                    <td>{o.number} <br /> <span class="muted">{o.email}</span></td>
                    <td>{o.status}</td>
                    <td class="num">{o.total}</td>
                    <td>{o.placed}</td>
                </tr>
            }
        })
        .collect_view();
    view! { class=cls,
        <table data-test=test>
            <thead>
                <tr>
                    <th scope="col">"Order"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col" class="num">
                        "Total"
                    </th>
                    <th scope="col">"Placed (UTC)"</th>
                </tr>
            </thead>
            <tbody>{body}</tbody>
        </table>
    }
}
