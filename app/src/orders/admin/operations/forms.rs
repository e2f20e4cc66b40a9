//! The order page's operations as plain forms (each with its key), the notes, and the
//! printable packing slip (`/admin/orders/:number/packing-slip`).

use super::api::{
    AddOrderNote, CancelOrder, CapturePayment, DeliverParcel, RefundOrder, ResendOrderEmail,
    ShipParcel,
};
use super::{AdminParcel, Offers};
use crate::admin::style::page;
use crate::components::head::Title;
use crate::orders::admin::model::AdminOrder;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

/// Capture, refund, cancel, notes, e-mail and the packing slip for one order.
#[component]
pub fn Operations(o: AdminOrder) -> impl IntoView {
    let cls = page();
    let number = o.view.number.clone();
    let offers = o.offers.clone();
    let refund = offers.refund.then(|| view! { <RefundForm o=o.clone() /> });
    let capture = offers.capture.then(|| {
        view! { class=cls,
            <h3>"Payment"</h3>
            <form
                class="panel"
                method="post"
                action=CapturePayment::url()
                aria-label="Capture the payment"
                data-test="capture-form"
            >
                <input type="hidden" name="number" value=number.clone() />
                <input type="hidden" name="key" value=offers.keys.capture.clone() />
                <p>
                    {format!(
                        "{} is authorised on the customer's card and not yet taken. Capture it to confirm the order and send it to be packed; cancel the order to let the authorisation go.",
                        o.view.total,
                    )}
                </p>
                <button type="submit">{format!("Capture {}", o.view.total)}</button>
            </form>
        }
    });
    let cancel = offers.cancel.then(|| {
        view! { class=cls,
            <h3>"Cancel the order"</h3>
            <form
                class="panel"
                method="post"
                action=CancelOrder::url()
                aria-label="Cancel the order"
                data-test="cancel-form"
            >
                <input type="hidden" name="number" value=number.clone() />
                <input type="hidden" name="key" value=offers.keys.cancel.clone() />
                <label>
                    "Why (the customer reads this)"
                    <input type="text" name="reason" required maxlength="500" />
                </label>
                <button type="submit" class="danger">
                    "Cancel the order"
                </button>
            </form>
        }
    });
    let retries = o
        .refunds
        .iter()
        .filter_map(|r| r.key.clone().map(|key| (key, r.amount)))
        .map(|(key, amount)| {
            view! { class=cls,
                <form class="inline" method="post" action=RefundOrder::url()>
                    <input type="hidden" name="number" value=number.clone() />
                    <input type="hidden" name="key" value=key />
                    <button type="submit">{format!("Finish the refund of {amount}")}</button>
                </form>
            }
        })
        .collect_view();
    let notes = o
        .notes
        .iter()
        .map(|n| {
            view! { class=cls,
                <li>
                    <strong>{n.author.clone()}</strong>
                    " · "
                    {n.at.clone()}
                    <br />
                    {n.body.clone()}
                </li>
            }
        })
        .collect_view();
    let slip = format!("/admin/orders/{}/packing-slip", o.view.number);
    let parcels = view! { <ParcelForms number=number.clone() offers=offers.clone() /> };
    view! { class=cls,
        <h2>"Actions"</h2>
        {retries}
        {capture}
        {parcels}
        {refund}
        {cancel}
        <h3>"Customer e-mail"</h3>
        <form class="inline" method="post" action=ResendOrderEmail::url()>
            <input type="hidden" name="number" value=number.clone() />
            <input type="hidden" name="key" value=offers.keys.resend.clone() />
            <button type="submit">"Send the order e-mail again"</button>
        </form>
        " "
        <a href=slip>"Packing slip"</a>
        <h2>"Notes"</h2>
        <ul data-test="order-notes">{notes}</ul>
        <form class="panel" method="post" action=AddOrderNote::url() aria-label="Add a note">
            <input type="hidden" name="number" value=number />
            <input type="hidden" name="key" value=offers.keys.note />
            <label>
                "Note (staff only)"
                <textarea name="note" required maxlength="2000" rows="3"></textarea>
            </label>
            <button type="submit">"Add the note"</button>
        </form>
    }
}

/// Packed parcels shipped by hand (some or all of their units), and parcels shipped by
/// hand marked delivered.
#[component]
fn ParcelForms(number: String, offers: Offers) -> impl IntoView {
    let cls = page();
    let ship = offers
        .to_ship
        .iter()
        .enumerate()
        .map(|(i, p): (usize, &AdminParcel)| {
            let lines = p
                .lines
                .iter()
                .map(|l| {
                    let field = format!("ship-{}-{}", p.id, l.variant_id);
                    view! { class=cls,
                        <tr>
                            <td>
                                <label for=field
                                    .clone()>{format!("{} ({})", l.title, l.sku)}</label>
                            </td>
                            <td class="num">{l.quantity}</td>
                            <td>
                                <select id=field name="units[]">
                                    {(0..=l.quantity)
                                        .rev()
                                        .map(|n| {
                                            view! {
                                                <option value=format!("{}:{n}", l.variant_id)>{n}</option>
                                            }
                                        })
                                        .collect_view()}
                                </select>
                            </td>
                        </tr>
                    }
                })
                .collect_view();
            view! { class=cls,
                <form
                    class="panel"
                    method="post"
                    action=ShipParcel::url()
                    aria-label=format!("Ship parcel {} by hand", i + 1)
                    data-test="ship-form"
                >
                    <input type="hidden" name="number" value=number.clone() />
                    <input type="hidden" name="key" value=offers.keys.ship.clone() />
                    <input type="hidden" name="parcel" value=p.id.to_string() />
                    <p>{format!("Packed at {}", p.warehouse)}</p>
                    <table>
                        <thead>
                            <tr>
                                <th scope="col">"Item"</th>
                                <th scope="col" class="num">
                                    "Packed"
                                </th>
                                <th scope="col">"Units to ship"</th>
                            </tr>
                        </thead>
                        <tbody>{lines}</tbody>
                    </table>
                    <label>
                        "Carrier" <input type="text" name="carrier" required maxlength="60" />
                    </label>
                    <label>
                        "Tracking number"
                        <input
                            type="text"
                            name="tracking"
                            required
                            minlength="3"
                            maxlength="64"
                            pattern="[A-Za-z0-9._/\\-]+"
                        />
                    </label>
                    <button type="submit">"Ship these units"</button>
                </form>
            }
        })
        .collect_view();
    let deliver = offers
        .to_deliver
        .iter()
        .map(|p| {
            view! { class=cls,
                <form class="inline" method="post" action=DeliverParcel::url()>
                    <input type="hidden" name="number" value=number.clone() />
                    <input type="hidden" name="key" value=offers.keys.deliver.clone() />
                    <input type="hidden" name="parcel" value=p.id.to_string() />
                    <button type="submit">
                        {format!(
                            "Mark parcel {} delivered",
                            p.tracking.clone().unwrap_or_default(),
                        )}
                    </button>
                </form>
            }
        })
        .collect_view();
    let any = !offers.to_ship.is_empty() || !offers.to_deliver.is_empty();
    any.then(|| {
        view! { class=cls,
            <h3>"Ship by hand"</h3>
            {ship}
            {deliver}
        }
    })
}

#[component]
fn RefundForm(o: AdminOrder) -> impl IntoView {
    let cls = page();
    let offers = o.offers;
    let lines = o
        .view
        .lines
        .iter()
        .enumerate()
        .filter_map(|(i, l)| {
            // Both are in the order of the lines' positions.
            let (position, open) = *offers.open_units.get(i)?;
            (open > 0).then(|| (position, open, l.title.clone()))
        })
        .map(|(position, open, title)| {
            let choices = (1..=open.min(99))
                .map(|n| view! { <option value=format!("{position}:{n}")>{n}</option> })
                .collect_view();
            view! { class=cls,
                <label>
                    {format!("{title} ({open} not refunded)")} <select name="units[]">
                        <option value=format!("{position}:")>"0"</option>
                        {choices}
                    </select>
                </label>
            }
        })
        .collect_view();
    let warehouses = offers
        .warehouses
        .iter()
        .map(|(code, name)| view! { <option value=code.clone()>{name.clone()}</option> })
        .collect_view();
    let shipping = offers.shipping_refundable.then(|| {
        view! { class=cls,
            <label class="choice">
                <input type="checkbox" name="shipping" value="true" />
                {format!("The delivery charge ({})", o.view.shipping)}
            </label>
        }
    });
    view! { class=cls,
        <h3>"Refund"</h3>
        <form
            class="panel"
            method="post"
            action=RefundOrder::url()
            aria-label="Refund"
            data-test="refund-form"
        >
            <input type="hidden" name="number" value=o.view.number.clone() />
            <input type="hidden" name="key" value=offers.keys.refund.clone() />
            {lines}
            {shipping}
            <label>
                "Or an amount instead (optional)"
                <input type="text" name="amount" inputmode="decimal" maxlength="20" />
            </label>
            <label>
                "Returned items go back to" <select name="restock">
                    <option value="">"Not back in stock"</option>
                    {warehouses}
                </select>
            </label>
            <label>"Reason" <input type="text" name="reason" maxlength="500" /></label>
            <button type="submit" class="primary">
                "Refund through the payment provider"
            </button>
        </form>
    }
}

/// `/admin/orders/:number/packing-slip`: what goes in the parcel and where it goes,
/// for printing.
#[component]
pub fn PackingSlipPage() -> impl IntoView {
    crate::orders::admin::pages::staff_order_page(|o| view! { <PackingSlip o /> }.into_any())
}

#[component]
fn PackingSlip(o: AdminOrder) -> impl IntoView {
    let cls = page();
    let v = o.view;
    let lines = v
        .lines
        .iter()
        .map(|l| {
            view! { class=cls,
                <tr>
                    <td>{l.sku.clone()}</td>
                    <td>{l.title.clone()}</td>
                    <td class="num">{l.quantity}</td>
                    <td></td>
                </tr>
            }
        })
        .collect_view();
    let address = v
        .address
        .iter()
        .map(|line| {
            view! {
                <span>{line.clone()}</span>
                <br />
            }
        })
        .collect_view();
    view! { class=cls,
        <Title text=format!("Packing slip {} · Mercato admin", v.number) />
        <h1>{format!("Packing slip: order {}", v.number)}</h1>
        <p class="no-print">"Print this page (Ctrl+P) to put it in the parcel."</p>
        <p>"Placed " {v.placed_at.format("%Y-%m-%d").to_string()} " · " {v.shipping_method}</p>
        <h2>"Deliver to"</h2>
        <address data-test="slip-address">{address}</address>
        <h2>"In this parcel"</h2>
        <table data-test="slip-lines">
            <thead>
                <tr>
                    <th scope="col">"SKU"</th>
                    <th scope="col">"Item"</th>
                    <th scope="col" class="num">
                        "Quantity"
                    </th>
                    <th scope="col">"Packed"</th>
                </tr>
            </thead>
            <tbody>{lines}</tbody>
        </table>
    }
}
