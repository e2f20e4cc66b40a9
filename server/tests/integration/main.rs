//! Integration tests against real PostgreSQL and the real router over HTTP.

mod accounts;
mod admin;
mod cache;
mod cart;
mod catalog_admin;
mod checkout;
mod customers_admin;
mod discounts;
mod discounts_admin;
mod embedded;
mod faults;
mod fulfilment;
mod helpers;
mod history;
mod importing;
mod imports;
mod inventory;
mod inventory_admin;
mod lifecycle;
mod order_operations;
mod pages;
mod payments;
mod product_photos;
mod schema;
mod search;
mod security;
