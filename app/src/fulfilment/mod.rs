//! Fulfilment: workers fed by the outbox turn a confirmed order into parcels (one per
//! warehouse its stock was sold from, chosen at reservation time: the shopper's region
//! first, then the warehouses' priority), buy a label from the carrier (the sandbox
//! carrier over HTTP by default), ship the stock, follow the parcels until delivered,
//! and e-mail the customer on confirmation and dispatch.

pub mod carrier;
#[cfg(feature = "ssr")]
pub mod ssr;
