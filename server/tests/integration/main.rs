//! Integration tests against real PostgreSQL and the real router over HTTP.

mod cache;
mod embedded;
mod faults;
mod helpers;
mod importing;
mod lifecycle;
mod pages;
mod search;
