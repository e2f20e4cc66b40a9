//! Reports: the sales dashboard on the admin's home page (revenue, orders, average order
//! value, units, new and returning customers, refunds, each against the previous period;
//! charts drawn on the server as SVG with a table beside; top products, low stock,
//! recent orders and orders awaiting action).

pub mod api;
pub mod charts;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod ssr;
