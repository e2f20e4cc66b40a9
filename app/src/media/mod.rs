//! Product photos: checked on their bytes (JPEG, PNG or WebP, size and pixel limits),
//! resized into WebP widths stored under the content hash of the source, for importers
//! and for the admin's uploads alike, with AVIF widths made beside them in the
//! background. The files live under the media directory.

#[cfg(feature = "ssr")]
pub mod avif;
#[cfg(feature = "ssr")]
pub mod ssr;
