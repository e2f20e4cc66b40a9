//! `/admin/inventory`: a variant's stock (`?sku=`) in every warehouse with its ledger and
//! the forms that move it; warehouses and regions. Every form has its own key, derived
//! from the one drawn with the page.

use super::api::{
    AdjustStock, ReceiveStock, SaveRegion, SaveWarehouse, SetLowStock, TransferStock,
    inventory_overview,
};
use super::model::{InventoryBoard, VariantStock};
use crate::admin::layout::AdminError;
use crate::admin::style::page;
use crate::components::head::Title;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_query_map;

#[component]
pub fn InventoryPage() -> impl IntoView {
    let sku = use_query_map()
        .read_untracked()
        .get("sku")
        .unwrap_or_default();
    let asked = sku.clone();
    let board = Resource::new(move || asked.clone(), inventory_overview);
    let cls = page();
    view! { class=cls,
        <Title text="Inventory · Mercato admin" />
        <h1>"Inventory"</h1>
        <form class="filters" method="get" action="/admin/inventory" aria-label="Find a variant">
            <label>
                "SKU" <input type="search" name="sku" value=sku maxlength="64" required />
            </label>
            <button type="submit">"Show its stock"</button>
        </form>
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

fn warehouse_options(b: &InventoryBoard) -> impl IntoView + use<> {
    b.warehouses
        .iter()
        .map(|w| view! { <option value=w.code.clone()>{format!("{} ({})", w.name, w.code)}</option> })
        .collect_view()
}

#[component]
fn Board(b: InventoryBoard) -> impl IntoView {
    let cls = page();
    let variant = b.variant.clone().map(|v| view! { <Stock v b=b.clone() /> });
    let regions = b
        .regions
        .iter()
        .map(|r| {
            view! { class=cls,
                <tr data-test="region-row">
                    <td>{r.code.clone()}</td>
                    <td colspan="2">
                        <form
                            class="inline"
                            method="post"
                            action=SaveRegion::url()
                            aria-label=format!("Region {}", r.code)
                        >
                            <input
                                type="hidden"
                                name="key"
                                value=format!("{}-r-{}", b.key, r.code)
                            />
                            <input type="hidden" name="code" value=r.code.clone() />
                            <label>
                                "Name"
                                <input
                                    type="text"
                                    name="name"
                                    value=r.name.clone()
                                    maxlength="200"
                                />
                            </label>
                            <label>
                                "Countries"
                                <input
                                    type="text"
                                    name="countries"
                                    value=r.countries.join(", ")
                                    maxlength="1000"
                                />
                            </label>
                            <button type="submit">"Save"</button>
                        </form>
                    </td>
                </tr>
            }
        })
        .collect_view();
    let region_options = || {
        b.regions
            .iter()
            .map(|r| view! { <option value=r.code.clone()>{r.name.clone()}</option> })
            .collect_view()
    };
    let warehouses = b
        .warehouses
        .iter()
        .map(|w| {
            let regions = b
                .regions
                .iter()
                .map(|r| {
                    let selected = r.code == w.region;
                    view! {
                        <option value=r.code.clone() selected=selected>
                            {r.name.clone()}
                        </option>
                    }
                })
                .collect_view();
            view! { class=cls,
                <tr data-test="warehouse-row">
                    <td>{w.code.clone()}</td>
                    <td>
                        <form
                            class="inline"
                            method="post"
                            action=SaveWarehouse::url()
                            aria-label=format!("Warehouse {}", w.code)
                        >
                            <input
                                type="hidden"
                                name="key"
                                value=format!("{}-w-{}", b.key, w.code)
                            />
                            <input type="hidden" name="code" value=w.code.clone() />
                            <label>
                                "Name"
                                <input
                                    type="text"
                                    name="name"
                                    value=w.name.clone()
                                    maxlength="200"
                                />
                            </label>
                            <label>"Region" <select name="region">{regions}</select></label>
                            <label>
                                "Priority"
                                <input
                                    type="number"
                                    name="priority"
                                    value=w.priority.to_string()
                                    min="0"
                                    max="100000"
                                />
                            </label>
                            <label class="choice">
                                <input
                                    type="checkbox"
                                    name="active"
                                    value="true"
                                    checked=w.active
                                />
                                "In use"
                            </label>
                            <button type="submit">"Save"</button>
                        </form>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! { class=cls,
        {variant}
        <h2>"Warehouses"</h2>
        <p class="muted">
            "Stock for a shopper is taken from their region first, then by priority (lowest first)."
        </p>
        <table data-test="warehouses">
            <thead>
                <tr>
                    <th scope="col">"Code"</th>
                    <th scope="col">"Warehouse"</th>
                </tr>
            </thead>
            <tbody>{warehouses}</tbody>
        </table>
        <form class="panel" method="post" action=SaveWarehouse::url() aria-label="New warehouse">
            <input type="hidden" name="key" value=format!("{}-new-warehouse", b.key) />
            <label>
                "Code (such as leeds-2)" <input type="text" name="code" required maxlength="32" />
            </label>
            <label>"Name" <input type="text" name="name" required maxlength="200" /></label>
            <label>"Region" <select name="region">{region_options()}</select></label>
            <label>
                "Priority" <input type="number" name="priority" value="100" min="0" max="100000" />
            </label>
            <input type="hidden" name="active" value="true" />
            <button type="submit">"Add the warehouse"</button>
        </form>
        <h2>"Regions"</h2>
        <table data-test="regions">
            <thead>
                <tr>
                    <th scope="col">"Code"</th>
                    <th scope="col" colspan="2">
                        "Region and the countries it serves (two-letter codes)"
                    </th>
                </tr>
            </thead>
            <tbody>{regions}</tbody>
        </table>
        <form class="panel" method="post" action=SaveRegion::url() aria-label="New region">
            <input type="hidden" name="key" value=format!("{}-new-region", b.key) />
            <label>
                "Code (such as EU)" <input type="text" name="code" required maxlength="16" />
            </label>
            <label>"Name" <input type="text" name="name" required maxlength="200" /></label>
            <label>
                "Countries (such as FR, DE)" <input type="text" name="countries" maxlength="1000" />
            </label>
            <button type="submit">"Add the region"</button>
        </form>
    }
}

#[component]
fn Stock(v: VariantStock, b: InventoryBoard) -> impl IntoView {
    let cls = page();
    let key = |form: &str| format!("{}-{form}", b.key);
    let levels = v
        .levels
        .iter()
        .map(|l| {
            view! { class=cls,
                <tr data-test="level-row">
                    <td>{format!("{} ({})", l.warehouse_name, l.warehouse)}</td>
                    <td class="num">{l.on_hand}</td>
                    <td class="num">{l.reserved}</td>
                    <td class="num">{l.sold}</td>
                    <td class="num">{l.available()}</td>
                </tr>
            }
        })
        .collect_view();
    let movements = v
        .movements
        .iter()
        .map(|m| {
            view! { class=cls,
                <tr data-test="movement-row">
                    <td>{m.at.clone()}</td>
                    <td>{m.warehouse.clone()}</td>
                    <td>{format!("{:?}", m.kind).to_lowercase()}</td>
                    <td class="num">{m.on_hand}</td>
                    <td class="num">{m.reserved}</td>
                    <td class="num">{m.sold}</td>
                    <td>{m.actor.clone()}</td>
                    <td>{m.note.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    let total: i32 = v.levels.iter().map(|l| l.available()).sum();
    view! { class=cls,
        <h2>{format!("{} · {}", v.sku, v.title)}</h2>
        <p data-test="stock-summary">
            {format!("{total} available in all warehouses; low at {} or fewer.", v.low_stock_at)}
        </p>
        <table data-test="levels">
            <thead>
                <tr>
                    <th scope="col">"Warehouse"</th>
                    <th scope="col" class="num">
                        "On hand"
                    </th>
                    <th scope="col" class="num">
                        "Held for checkouts"
                    </th>
                    <th scope="col" class="num">
                        "Sold, not shipped"
                    </th>
                    <th scope="col" class="num">
                        "Available"
                    </th>
                </tr>
            </thead>
            <tbody>{levels}</tbody>
        </table>
        <form class="panel" method="post" action=ReceiveStock::url() aria-label="Receive stock">
            <input type="hidden" name="key" value=key("receive") />
            <input type="hidden" name="sku" value=v.sku.clone() />
            <label>"Warehouse" <select name="warehouse">{warehouse_options(&b)}</select></label>
            <label>"Units received" <input type="number" name="quantity" min="1" required /></label>
            <label>
                "Note (a delivery note number)" <input type="text" name="note" maxlength="500" />
            </label>
            <button type="submit">"Receive"</button>
        </form>
        <form
            class="panel"
            method="post"
            action=AdjustStock::url()
            aria-label="Record a stock count"
        >
            <input type="hidden" name="key" value=key("adjust") />
            <input type="hidden" name="sku" value=v.sku.clone() />
            <label>"Warehouse" <select name="warehouse">{warehouse_options(&b)}</select></label>
            <label>
                "Units counted on hand" <input type="number" name="counted" min="0" required />
            </label>
            <label>"Reason" <input type="text" name="reason" maxlength="500" required /></label>
            <button type="submit">"Record the count"</button>
        </form>
        <form class="panel" method="post" action=TransferStock::url() aria-label="Move stock">
            <input type="hidden" name="key" value=key("transfer") />
            <input type="hidden" name="sku" value=v.sku.clone() />
            <label>"From" <select name="from">{warehouse_options(&b)}</select></label>
            <label>"To" <select name="to">{warehouse_options(&b)}</select></label>
            <label>"Units" <input type="number" name="quantity" min="1" required /></label>
            <button type="submit">"Move"</button>
        </form>
        <form class="panel" method="post" action=SetLowStock::url() aria-label="Low-stock level">
            <input type="hidden" name="key" value=key("threshold") />
            <input type="hidden" name="sku" value=v.sku.clone() />
            <label>
                "Low on stock at (units available, or fewer)"
                <input type="number" name="low_stock_at" value=v.low_stock_at.to_string() min="0" />
            </label>
            <button type="submit">"Save"</button>
        </form>
        <h3>"Ledger (latest 50 movements)"</h3>
        <table data-test="movements">
            <thead>
                <tr>
                    <th scope="col">"When (UTC)"</th>
                    <th scope="col">"Warehouse"</th>
                    <th scope="col">"Kind"</th>
                    <th scope="col" class="num">
                        "On hand"
                    </th>
                    <th scope="col" class="num">
                        "Held"
                    </th>
                    <th scope="col" class="num">
                        "Sold"
                    </th>
                    <th scope="col">"By"</th>
                    <th scope="col">"Note"</th>
                </tr>
            </thead>
            <tbody>{movements}</tbody>
        </table>
    }
}
