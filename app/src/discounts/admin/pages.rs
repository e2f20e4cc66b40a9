//! `/admin/discounts`: every code with its rules, uses and revenue; a new code; each
//! code's window, minimum spend and limits; ending one now. Plain forms.

use super::api::{CreateDiscount, EndDiscount, UpdateDiscount, discount_codes};
use super::model::{CodeRow, DiscountBoard, local_field};
use crate::admin::layout::AdminError;
use crate::admin::style::page;
use crate::components::head::Title;
use crate::discounts::model::DiscountKind;
use crate::money::{Currency, Money};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

fn amounts(list: &[Money]) -> String {
    if list.is_empty() {
        return "—".into();
    }
    list.iter()
        .map(|m| m.to_string())
        .collect::<Vec<_>>()
        .join(" + ")
}

fn off(row: &CodeRow) -> String {
    let r = &row.rule;
    match (r.kind, r.currency) {
        (DiscountKind::Percentage, _) => format!("{}.{:02}% off", r.amount / 100, r.amount % 100),
        (DiscountKind::Fixed, Some(c)) => format!("{} off", Money::from_minor(r.amount, c)),
        (DiscountKind::Fixed, None) => format!("{} off", r.amount),
    }
}

#[component]
pub fn DiscountsPage() -> impl IntoView {
    let board = Resource::new(|| (), |_| discount_codes());
    let cls = page();
    view! { class=cls,
        <Title text="Discounts · Mercato admin" />
        <h1>"Discount codes"</h1>
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
fn Board(b: DiscountBoard) -> impl IntoView {
    let cls = page();
    let rows = b
        .codes
        .iter()
        .map(|row| {
            let r = &row.rule;
            let min = if r.min_subtotal_minor > 0 {
                Money::from_minor(r.min_subtotal_minor, r.currency.unwrap_or(Currency::USD))
                    .decimal_string()
            } else {
                String::new()
            };
            let end = row.live.then(|| {
                view! { class=cls,
                    <form class="inline" method="post" action=EndDiscount::url()>
                        <input type="hidden" name="code" value=r.code.clone() />
                        <button type="submit" class="danger">
                            "End now"
                        </button>
                    </form>
                }
            });
            view! { class=cls,
                <tr data-test="discount-row">
                    <td>
                        <strong>{r.code.clone()}</strong>
                        <br />
                        <span class="tag">{if row.live { "Live" } else { "Not live" }}</span>
                        " "
                        {off(row)}
                    </td>
                    <td class="num">
                        {r.uses} {r.max_uses.map(|m| format!(" of {m}")).unwrap_or_default()}
                    </td>
                    <td class="num">{amounts(&row.revenue)}</td>
                    <td class="num">{amounts(&row.given)}</td>
                    <td>
                        <form
                            class="inline"
                            method="post"
                            action=UpdateDiscount::url()
                            aria-label=format!("Code {}", r.code)
                        >
                            <input type="hidden" name="code" value=r.code.clone() />
                            <label>
                                "Minimum spend"
                                <input type="text" name="min_spend" value=min maxlength="20" />
                            </label>
                            <label>
                                "Starts (UTC)"
                                <input
                                    type="datetime-local"
                                    name="starts_at"
                                    value=local_field(r.starts_at)
                                />
                            </label>
                            <label>
                                "Ends (UTC)"
                                <input
                                    type="datetime-local"
                                    name="ends_at"
                                    value=local_field(r.ends_at)
                                />
                            </label>
                            <label>
                                "Uses at most"
                                <input
                                    type="number"
                                    name="max_uses"
                                    min="1"
                                    value=r.max_uses.map(|m| m.to_string()).unwrap_or_default()
                                />
                            </label>
                            <label>
                                "Per customer"
                                <input
                                    type="number"
                                    name="max_uses_per_customer"
                                    min="1"
                                    value=r
                                        .max_uses_per_customer
                                        .map(|m| m.to_string())
                                        .unwrap_or_default()
                                />
                            </label>
                            <label class="choice">
                                <input
                                    type="checkbox"
                                    name="active"
                                    value="true"
                                    checked=r.active
                                />
                                "On"
                            </label>
                            <button type="submit">"Save"</button>
                        </form>
                        {end}
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! { class=cls,
        <table data-test="discounts">
            <thead>
                <tr>
                    <th scope="col">"Code"</th>
                    <th scope="col" class="num">
                        "Used"
                    </th>
                    <th scope="col" class="num">
                        "Revenue of its orders"
                    </th>
                    <th scope="col" class="num">
                        "Taken off"
                    </th>
                    <th scope="col">"Rules"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
        <h2>"New code"</h2>
        <form class="panel" method="post" action=CreateDiscount::url() aria-label="New code">
            <label>
                "Code (3 to 32 letters, digits, - or _)"
                <input type="text" name="code" required maxlength="32" />
            </label>
            <label>
                "Kind" <select name="kind">
                    <option value="percentage">"A percentage of the goods"</option>
                    <option value="fixed">"A fixed amount"</option>
                </select>
            </label>
            <label>
                "Amount (10 for 10%, or 5.00)"
                <input type="text" name="amount" required maxlength="20" />
            </label>
            <label>
                "Currency (needed for a fixed amount; only orders in it may use the code)"
                <input type="text" name="currency" maxlength="3" />
            </label>
            <label>"Minimum spend" <input type="text" name="min_spend" maxlength="20" /></label>
            <label>"Starts (UTC)" <input type="datetime-local" name="starts_at" /></label>
            <label>"Ends (UTC)" <input type="datetime-local" name="ends_at" /></label>
            <label>"Uses at most" <input type="number" name="max_uses" min="1" /></label>
            <label>
                "Uses per customer" <input type="number" name="max_uses_per_customer" min="1" />
            </label>
            <button type="submit" class="primary">
                "Create the code"
            </button>
        </form>
    }
}
