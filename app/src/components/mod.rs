//! Components shared by several pages.

pub mod breadcrumbs;
pub mod head;
pub mod image;
pub mod layout;
pub mod product_grid;
pub mod search_box;
pub mod status;
