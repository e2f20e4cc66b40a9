//! Product photos for importers: the shop's image store (`app::media`), which the
//! admin's uploads use too.

pub use app::media::ssr::{ImageError, ImageStore, WIDTHS, target_widths};
