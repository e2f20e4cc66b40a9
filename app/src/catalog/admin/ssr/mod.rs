//! The catalog's admin on the server: the list, editing, revisions.

pub mod attributes;
pub mod bulk;
pub mod edit;
pub mod export;
pub mod form;
pub mod images;
pub mod list;
pub mod revisions;
pub mod search;
