//! Fraud checks, their first step: every order placed at checkout is assessed before it
//! is opened, from what the shop already knows (the e-mail's and the network address's
//! recent orders and declined cards, the customer's paid history, the order's size), and
//! the assessment (a score, its level and the signals behind it, each with its points
//! and a sentence for staff) is written with the order, in the same statement.
//!
//! Staff filter the order list by level and read the signals on the order's page. With
//! `payments.review` set, an order at or above that level is only authorized at
//! checkout and waits as `authorized` until staff capture it or cancel it (the money is
//! never taken before someone looked). The rules are plain data (`ssr::RiskRules`), so
//! a later JSON API can show and change them; the facts are read from the database, so
//! every instance of the shop sees the same ones.

pub mod model;
#[cfg(feature = "ssr")]
pub mod ssr;
