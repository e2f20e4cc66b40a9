//! What staff do to an order, through the state machine only: capture an authorized
//! payment (or void it by cancelling), refund part or all
//! (through the payment provider, returning stock to a chosen warehouse or not), cancel
//! before it leaves (its stock released or given back, its payment refunded), notes,
//! resending the customer's e-mail, the printable packing slip, and parcels shipped by
//! hand (part or all of a packed parcel, with the staff's carrier and tracking number)
//! and marked delivered. Every form carries a
//! key made when its page was drawn, so a double click does a thing once.

pub mod api;
pub mod forms;
pub mod plan;
#[cfg(feature = "ssr")]
pub mod ssr;

use serde::{Deserialize, Serialize};

/// Fresh keys for the forms of one drawing of the order page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormKeys {
    pub refund: String,
    pub capture: String,
    pub cancel: String,
    pub note: String,
    pub resend: String,
    pub ship: String,
    pub deliver: String,
}

#[cfg(feature = "ssr")]
impl FormKeys {
    pub fn new() -> Self {
        let key = crate::admin::requests::new_key;
        FormKeys {
            refund: key(),
            capture: key(),
            cancel: key(),
            note: key(),
            resend: key(),
            ship: key(),
            deliver: key(),
        }
    }
}

/// What the order page offers this staff member for this order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Offers {
    pub refund: bool,
    /// The money is authorized and waits to be captured.
    pub capture: bool,
    pub cancel: bool,
    /// Notes, e-mail, packing slip (anyone with `orders`).
    pub keys: FormKeys,
    /// The warehouses refunded units may go back to: (code, name).
    pub warehouses: Vec<(String, String)>,
    /// Units of each line not yet refunded: (position, units).
    pub open_units: Vec<(i32, i32)>,
    pub shipping_refundable: bool,
    /// The order's packed parcels staff may ship by hand, and the parcels shipped by
    /// hand they may mark delivered (empty when they may do neither).
    pub to_ship: Vec<AdminParcel>,
    pub to_deliver: Vec<AdminParcel>,
}

/// A parcel as staff ship it by hand: its warehouse and what is in it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminParcel {
    pub id: i64,
    pub warehouse: String,
    pub tracking: Option<String>,
    pub lines: Vec<ParcelLine>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParcelLine {
    pub variant_id: i64,
    pub sku: String,
    pub title: String,
    pub quantity: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoteView {
    pub author: String,
    pub body: String,
    pub at: String,
}
