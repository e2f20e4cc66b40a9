//! Product photos: resized into several WebP widths, stored under the content hash of
//! the source so that a URL never changes meaning and storing a photo again is a no-op.
//! A source is accepted by what its bytes are (JPEG, PNG or WebP), never by its name.
//! (AVIF variants would need an AV1 encoder this build does not carry.)

use crate::catalog::ssr::ImageInput;
use image::imageops::FilterType;
use sha2::{Digest, Sha256};
use std::fs;
use std::path::{Path, PathBuf};

/// The widths pages may ask for; a photo is never enlarged past its own width.
/// Steps of about a quarter to a half, so a slot at a phone's pixel ratio (a 380 px card
/// at 1.75x wants 665) gets a file not much larger than it.
pub const WIDTHS: [u32; 7] = [320, 480, 640, 800, 960, 1280, 1600];
const QUALITY: f32 = 80.0;
/// Refuse absurd inputs before decoding them (decompression bombs).
const MAX_SOURCE_BYTES: u64 = 40 * 1024 * 1024;
const MAX_PIXELS: u64 = 80_000_000;

#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    #[error("image file {0} not found")]
    Missing(PathBuf),
    #[error("image file {0} is larger than 40 MB")]
    TooLarge(PathBuf),
    #[error("image file {path} could not be read as a photo: {detail}")]
    Decode { path: PathBuf, detail: String },
    #[error("{0} is not a JPEG, PNG or WebP photo")]
    NotAPhoto(PathBuf),
    #[error("could not store resized image: {0}")]
    Store(#[from] std::io::Error),
}

#[derive(Clone, Debug)]
pub struct ImageStore {
    pub(super) dir: PathBuf,
    /// The sources as they came, beside the media directory (never served).
    pub(super) originals: PathBuf,
}

impl ImageStore {
    /// Photos live in `<media_dir>/products/`, their sources in `<media_dir>-originals/`.
    pub fn new(media_dir: &Path) -> Self {
        let name = media_dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "media".into());
        ImageStore {
            dir: media_dir.join("products"),
            originals: media_dir.with_file_name(format!("{name}-originals")),
        }
    }

    /// Resizes `source` into every width it supports (skipping files already stored).
    /// Blocking and CPU-heavy: call it from a blocking thread.
    pub fn store(&self, source: &Path, alt: &str) -> Result<ImageInput, ImageError> {
        let meta = fs::metadata(source).map_err(|_| ImageError::Missing(source.to_owned()))?;
        if meta.len() > MAX_SOURCE_BYTES {
            return Err(ImageError::TooLarge(source.to_owned()));
        }
        let bytes = fs::read(source).map_err(|_| ImageError::Missing(source.to_owned()))?;
        let name = source
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        self.store_bytes(&bytes, source, &name, alt)
    }

    /// The same from bytes already in memory (an upload); `source` names it in errors.
    pub fn store_bytes(
        &self,
        bytes: &[u8],
        source: &Path,
        source_name: &str,
        alt: &str,
    ) -> Result<ImageInput, ImageError> {
        if bytes.len() as u64 > MAX_SOURCE_BYTES {
            return Err(ImageError::TooLarge(source.to_owned()));
        }
        if !is_photo(bytes) {
            return Err(ImageError::NotAPhoto(source.to_owned()));
        }
        let key = hex::encode(&Sha256::digest(bytes)[..8]);
        let decode_err = |detail: String| ImageError::Decode {
            path: source.to_owned(),
            detail,
        };

        let reader = image::ImageReader::new(std::io::Cursor::new(bytes))
            .with_guessed_format()
            .map_err(|e| decode_err(e.to_string()))?;
        let (width, height) = reader
            .into_dimensions()
            .map_err(|e| decode_err(e.to_string()))?;
        if u64::from(width) * u64::from(height) > MAX_PIXELS || width == 0 || height == 0 {
            return Err(decode_err(format!(
                "{width}x{height} pixels is out of range"
            )));
        }
        let widths = target_widths(width);
        fs::create_dir_all(&self.dir)?;
        fs::create_dir_all(&self.originals)?;
        let original = self.original_path(&key);
        if !original.exists() {
            write_atomically(&original, bytes)?;
        }
        let missing: Vec<u32> = widths
            .iter()
            .copied()
            .filter(|w| !self.path(&key, *w).exists())
            .collect();
        if !missing.is_empty() {
            let rgb = decode_rgb(bytes, source)?;
            for w in missing {
                let encoded = webp::Encoder::from_image(&resize(&rgb, w))
                    .map_err(|e| decode_err(e.to_string()))?
                    .encode(QUALITY);
                write_atomically(&self.path(&key, w), &encoded)?;
            }
        }
        Ok(ImageInput {
            key,
            alt: alt.to_owned(),
            width: width as i32,
            height: height as i32,
            widths: widths.iter().map(|w| *w as i32).collect(),
            source_name: source_name.to_owned(),
        })
    }

    pub(super) fn path(&self, key: &str, width: u32) -> PathBuf {
        self.dir.join(format!("{key}-{width}.webp"))
    }

    pub(super) fn original_path(&self, key: &str) -> PathBuf {
        self.originals.join(key)
    }
}

/// The photo in `bytes` as 8-bit RGB (product photos are opaque); `path` names it in errors.
pub(super) fn decode_rgb(bytes: &[u8], path: &Path) -> Result<image::DynamicImage, ImageError> {
    image::load_from_memory(bytes)
        .map(|img| image::DynamicImage::ImageRgb8(img.to_rgb8()))
        .map_err(|e| ImageError::Decode {
            path: path.to_owned(),
            detail: e.to_string(),
        })
}

/// `rgb` at `width` pixels wide, its height in proportion (the same image at its own width).
pub(super) fn resize(rgb: &image::DynamicImage, width: u32) -> image::DynamicImage {
    if width == rgb.width() {
        return rgb.clone();
    }
    let height = scaled_height(rgb.width(), rgb.height(), width);
    rgb.resize_exact(width, height, FilterType::CatmullRom)
}

/// Writes then renames: a crash never leaves a half-written file under the final name,
/// and two writers of the same content never see each other's half.
pub(super) fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension(format!("{}.{}.tmp", std::process::id(), unique()));
    fs::write(&tmp, bytes)?;
    fs::rename(&tmp, path)
}

/// Whether the bytes begin as a JPEG, PNG or WebP file does.
pub fn is_photo(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0xFF, 0xD8, 0xFF])
        || bytes.starts_with(b"\x89PNG\r\n\x1a\n")
        || (bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP")
}

/// A number no other call in this process gets: temporary files never clash.
fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// Standard widths below the original, plus the original (capped at the largest standard).
pub fn target_widths(original: u32) -> Vec<u32> {
    let cap = *WIDTHS.last().unwrap_or(&1600);
    let mut widths: Vec<u32> = WIDTHS.iter().copied().filter(|w| *w < original).collect();
    widths.push(original.min(cap));
    widths.dedup();
    widths
}

fn scaled_height(width: u32, height: u32, new_width: u32) -> u32 {
    ((u64::from(height) * u64::from(new_width) + u64::from(width) / 2) / u64::from(width)).max(1)
        as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_never_enlarge() {
        assert_eq!(
            target_widths(1600),
            vec![320, 480, 640, 800, 960, 1280, 1600]
        );
        assert_eq!(target_widths(1067), vec![320, 480, 640, 800, 960, 1067]);
        assert_eq!(target_widths(200), vec![200]);
        assert_eq!(
            target_widths(4000),
            vec![320, 480, 640, 800, 960, 1280, 1600]
        );
        assert_eq!(scaled_height(1600, 1067, 320), 213);
    }

    #[test]
    fn stores_webp_variants_and_rejects_non_images() {
        let dir = std::env::temp_dir().join(format!("mercato-img-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        let src = dir.join("red.png");
        image::RgbImage::from_pixel(700, 350, image::Rgb([200, 10, 10]))
            .save(&src)
            .unwrap();
        let store = ImageStore::new(&dir.join("media"));
        let img = store.store(&src, "A red box").unwrap();
        assert_eq!((img.width, img.height), (700, 350));
        assert_eq!(img.widths, vec![320, 480, 640, 700]);
        for w in &img.widths {
            let bytes = fs::read(dir.join(format!("media/products/{}-{w}.webp", img.key))).unwrap();
            assert_eq!(&bytes[8..12], b"WEBP");
        }
        // The source is kept, outside the served directory.
        assert_eq!(
            fs::read(dir.join(format!("media-originals/{}", img.key))).unwrap(),
            fs::read(&src).unwrap()
        );
        // Same content, same key: nothing is redone.
        assert_eq!(store.store(&src, "A red box").unwrap().key, img.key);

        let bogus = dir.join("not-an-image.jpg");
        fs::write(&bogus, b"hello").unwrap();
        assert!(matches!(
            store.store(&bogus, "x"),
            Err(ImageError::NotAPhoto(_))
        ));
        // A JPEG's first bytes with nothing after them.
        let cut = dir.join("cut.png");
        fs::write(&cut, b"\xFF\xD8\xFF\xE0 not really").unwrap();
        assert!(matches!(
            store.store(&cut, "x"),
            Err(ImageError::Decode { .. })
        ));
        // A WebP source is read too.
        let webp = dir.join("box.bin");
        fs::write(
            &webp,
            fs::read(dir.join(format!("media/products/{}-320.webp", img.key))).unwrap(),
        )
        .unwrap();
        assert_eq!(store.store(&webp, "x").unwrap().width, 320);
        assert!(matches!(
            store.store(&dir.join("nope.jpg"), "x"),
            Err(ImageError::Missing(_))
        ));
        let _ = fs::remove_dir_all(&dir);
    }
}
