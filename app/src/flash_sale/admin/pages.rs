//! `/admin/flash-sales` and `/admin/flash-sales/:id`: every sale with its figures, the
//! form to schedule one, and one sale live (with `?live=1`, chosen by a link that also
//! stops it, the page refreshes itself every 2 s while the sale has not ended). Plain
//! forms.

use super::api::{EndFlashSale, ScheduleFlashSale, flash_sale_figures, flash_sales_board};
use crate::admin::layout::AdminError;
use crate::admin::style::page;
use crate::components::head::Title;
use crate::flash_sale::model::{SaleBoard, SaleFigures, SaleState};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Meta;
use leptos_router::hooks::{use_params_map, use_query_map};

fn when(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

fn pace(f: &SaleFigures) -> String {
    let mut parts = vec![match f.admission_per_minute {
        Some(r) => format!("{r} shoppers a minute"),
        None if f.wave.is_some() => "as units are released".to_owned(),
        None => "automatic (twice the checkouts of the last minute)".to_owned(),
    }];
    if let Some((units, every)) = f.wave {
        parts.push(format!("waves of {units} units every {every} s"));
    }
    parts.join(", ")
}

#[component]
pub fn FlashSalesPage() -> impl IntoView {
    let board = Resource::new(|| (), |_| flash_sales_board());
    let cls = page();
    view! { class=cls,
        <Title text="Flash sales · Mercato admin" />
        <h1>"Flash sales"</h1>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match board.await {
                    Ok(b) => view! { <Board b /> }.into_any(),
                    Err(error) => view! { <AdminError error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Board(b: SaleBoard) -> impl IntoView {
    let cls = page();
    let rows = b
        .sales
        .iter()
        .map(|f| {
            view! { class=cls,
                <tr data-test="flash-sale-row">
                    <td>
                        <a href=format!(
                            "/admin/flash-sales/{}",
                            f.id,
                        )>{format!("#{} {}", f.id, f.sku)}</a>
                        <br />
                        {f.title.clone()}
                    </td>
                    <td>{format!("{:?}", f.state)}</td>
                    <td>{when(f.starts_at)} " – " {when(f.ends_at)}</td>
                    <td class="num">{f.sale_price.to_string()}</td>
                    <td class="num">{format!("{} / {}", f.sold, f.quantity)}</td>
                </tr>
            }
        })
        .collect_view();
    let warehouses = b.warehouses.join(", ");
    let example = b
        .warehouses
        .first()
        .map(|w| format!("{w}=100"))
        .unwrap_or_default();
    view! { class=cls,
        <table data-test="flash-sales">
            <thead>
                <tr>
                    <th scope="col">"Sale"</th>
                    <th scope="col">"State"</th>
                    <th scope="col">"When"</th>
                    <th scope="col" class="num">
                        "Price"
                    </th>
                    <th scope="col" class="num">
                        "Sold"
                    </th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
        <h2>"Schedule a sale"</h2>
        <form
            class="panel"
            method="post"
            action=ScheduleFlashSale::url()
            aria-label="Schedule a sale"
        >
            <label>"SKU" <input type="text" name="sku" required maxlength="64" /></label>
            <label>
                "Sale price (such as 9.99)"
                <input type="text" name="sale_price" required maxlength="20" />
            </label>
            <label>
                {format!(
                    "Units from each warehouse, taken out of normal sale at the start (warehouse=units; yours: {warehouses})",
                )} <input type="text" name="sources" required maxlength="500" placeholder=example />
            </label>
            <label>
                "Starts (UTC; empty: now)" <input type="datetime-local" name="starts_at" />
            </label>
            <label>"Ends (UTC)" <input type="datetime-local" name="ends_at" required /></label>
            <label>
                "Limit per customer"
                <input type="number" name="per_customer_limit" min="1" max="100" value="1" />
            </label>
            <label>
                "Shoppers let in per minute (empty: automatic, from the checkouts completed)"
                <input type="number" name="admission_per_minute" min="1" />
            </label>
            <label>
                "Release in waves: units per wave (optional)"
                <input type="number" name="wave_units" min="1" />
            </label>
            <label>
                "Seconds between waves" <input type="number" name="wave_every_secs" min="1" />
            </label>
            <label>
                "Hold for a shopper let in, in seconds"
                <input type="number" name="hold_secs" min="30" max="3600" value="300" />
            </label>
            <label>
                "Buckets per warehouse (spreads the stock rows a hot sale writes)"
                <input type="number" name="buckets" min="1" max="64" value="8" />
            </label>
            <button type="submit" class="primary">
                "Schedule the sale"
            </button>
        </form>
    }
}

#[component]
pub fn FlashSalePage() -> impl IntoView {
    let params = use_params_map();
    let live = use_query_map()
        .read_untracked()
        .get("live")
        .is_some_and(|v| v == "1");
    let figures = Resource::new(
        move || params.read().get("id").and_then(|i| i.parse::<i64>().ok()),
        |id| async move {
            match id {
                Some(id) => flash_sale_figures(id).await,
                None => Err(crate::staff::model::AdminError::NotFound),
            }
        },
    );
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match figures.await {
                    Ok(f) => view! { <Live f live /> }.into_any(),
                    Err(error) => view! { <AdminError error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Live(f: SaleFigures, live: bool) -> impl IntoView {
    let cls = page();
    let open = f.state != SaleState::Ended;
    let refreshing = live && open;
    let figures = [
        ("Queued", f.queued),
        ("Admitted, holding now", f.admitted),
        ("Ordered", f.ordered),
        ("Holds that ran out", f.expired),
        ("Told sold out", f.sold_out),
        ("Waitlisted", f.waitlisted),
        ("Promoted from the waitlist", f.promoted),
        ("Refused (the sale closed first)", f.refused),
        ("Units sold", f.sold),
        ("Units held", f.held),
        ("Units left", f.left),
    ]
    .into_iter()
    .map(|(name, n)| {
        view! { class=cls,
            <tr>
                <th scope="row">{name}</th>
                <td class="num">{n}</td>
            </tr>
        }
    })
    .collect_view();
    let end = open.then(|| {
        view! { class=cls,
            <form method="post" action=EndFlashSale::url()>
                <input type="hidden" name="id" value=f.id.to_string() />
                <button type="submit" class="danger">
                    "End the sale now"
                </button>
            </form>
        }
    });
    view! { class=cls,
        <Title text=format!("Flash sale {} · Mercato admin", f.id) />
        {refreshing.then(|| view! { <Meta http_equiv="refresh" content="2" /> })}
        <h1>{format!("Flash sale #{}: {}", f.id, f.sku)}</h1>
        <p>
            {format!(
                "{}, {} at {}, {:?}. {} – {}. ",
                f.title,
                f.sku,
                f.sale_price,
                f.state,
                when(f.starts_at),
                when(f.ends_at),
            )}
            {format!(
                "{} units asked, {} allocated, in {} buckets per warehouse. At most {} per customer, holds of {} s, pace: {}.",
                f.quantity,
                f.allocated,
                f.buckets,
                f.per_customer_limit,
                f.hold_secs,
                pace(&f),
            )} {f.sold_out_at.map(|t| format!(" Every unit was taken at {}.", when(t)))}
        </p>
        <table data-test="flash-figures">
            <tbody>{figures}</tbody>
        </table>
        <p>
            {open
                .then(|| {
                    if refreshing {
                        view! {
                            <a href=format!("/admin/flash-sales/{}", f.id)>"Stop refreshing"</a>
                        }
                    } else {
                        view! {
                            <a href=format!(
                                "/admin/flash-sales/{}?live=1",
                                f.id,
                            )>"Refresh every 2 s"</a>
                        }
                    }
                })} " · " <a href=format!("/sale/{}", f.id)>"The shoppers' page"</a> " · "
            <a href="/admin/flash-sales">"Every sale"</a>
        </p>
        {end}
    }
}
