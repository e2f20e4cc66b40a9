//! Flash sales in the admin (staff with `discounts`): `/admin/flash-sales` (every sale
//! with its figures and the form to schedule one) and `/admin/flash-sales/:id` (one
//! sale, live).

pub mod api;
pub mod pages;
