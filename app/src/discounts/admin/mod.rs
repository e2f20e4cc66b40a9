//! Discount codes in the merchant's admin (permission `discounts`): every code with its
//! rules, uses, the revenue of the orders that used it and what it gave away; new codes
//! with every rule checkout enforces; changing a code's window, minimum spend and limits;
//! ending it now. Each change is audited.

pub mod api;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod ssr;
