//! CSV imports and exports of products and stock, run as background jobs (`jobs/`): a
//! file uploaded on `/admin/imports` is kept with its job and imported in batches, each
//! one transaction, by whichever instance's worker claims it; rows that break a rule are
//! left out and reported with their line numbers; an export is written to the job's
//! result a chunk at a time and downloaded from the job's page.

pub mod api;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod ssr;
