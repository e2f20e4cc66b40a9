//! AVIF widths beside the WebP ones: about a quarter to a third smaller at the same look,
//! but an AV1 encode takes a second or two per photo, so they are made in the background
//! (server/src/media_worker.rs) rather than while a merchant waits for an upload or the
//! shop for its seed. Until a width exists, `/media` answers its `.avif` name with the
//! WebP of the same width, which every browser that asks for AVIF also reads.

use super::ssr::{ImageError, ImageStore, decode_rgb, resize, write_atomically};
use std::fs;
use std::path::PathBuf;

/// The encoder's quality (0–100): about what WebP's 80 looks like, at 25–35% fewer bytes
/// on the demo catalog's photos.
const QUALITY: f32 = 60.0;
/// The encoder's fastest setting: 1–2 s per photo for every width on one core.
const SPEED: u8 = 10;

/// A photo whose WebP widths are not all in AVIF yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub key: String,
    pub widths: Vec<u32>,
}

impl ImageStore {
    pub fn avif_path(&self, key: &str, width: u32) -> PathBuf {
        self.dir.join(format!("{key}-{width}.avif"))
    }

    /// Every stored photo with WebP widths that have no AVIF beside them, by key.
    pub fn pending_avif(&self) -> Vec<Pending> {
        let Ok(entries) = fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut pending: Vec<Pending> = Vec::new();
        let mut names: Vec<String> = entries
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        for name in names {
            let Some((key, width)) = parse_webp_name(&name) else {
                continue;
            };
            if self.avif_path(key, width).exists() {
                continue;
            }
            match pending.last_mut() {
                Some(last) if last.key == key => last.widths.push(width),
                _ => pending.push(Pending {
                    key: key.to_owned(),
                    widths: vec![width],
                }),
            }
        }
        pending
    }

    /// Encodes `photo`'s missing AVIF widths, from its kept source when there is one
    /// (else from the WebP of each width); returns how many it wrote.
    pub fn make_avif(&self, photo: &Pending) -> Result<usize, ImageError> {
        let original = self.original_path(&photo.key);
        let source = match fs::read(&original) {
            Ok(bytes) => Some(decode_rgb(&bytes, &original)?),
            Err(_) => None,
        };
        let mut written = 0;
        for &width in &photo.widths {
            let target = self.avif_path(&photo.key, width);
            if target.exists() {
                continue;
            }
            let image = match &source {
                Some(img) => resize(img, width.min(img.width())),
                None => {
                    let webp = self.path(&photo.key, width);
                    let bytes = fs::read(&webp).map_err(|_| ImageError::Missing(webp.clone()))?;
                    decode_rgb(&bytes, &webp)?
                }
            };
            let avif = encode(&image).map_err(|detail| ImageError::Decode {
                path: target.clone(),
                detail,
            })?;
            write_atomically(&target, &avif)?;
            written += 1;
        }
        Ok(written)
    }
}

impl ImageStore {
    /// Removes temporary files older than `age` (left by a process that stopped while
    /// writing; younger ones may be another instance's write in progress). Returns how
    /// many it removed.
    pub fn sweep_temporary(&self, age: std::time::Duration) -> usize {
        let now = std::time::SystemTime::now();
        [&self.dir, &self.originals]
            .into_iter()
            .filter_map(|dir| fs::read_dir(dir).ok())
            .flatten()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .filter(|e| {
                e.metadata()
                    .and_then(|m| m.modified())
                    .ok()
                    .and_then(|t| now.duration_since(t).ok())
                    .is_some_and(|elapsed| elapsed >= age)
            })
            .filter(|e| fs::remove_file(e.path()).is_ok())
            .count()
    }
}

/// `<16 hex digits>-<width>.webp`, the names `ImageStore` writes (temporary files are not).
fn parse_webp_name(name: &str) -> Option<(&str, u32)> {
    let stem = name.strip_suffix(".webp")?;
    let (key, width) = stem.rsplit_once('-')?;
    let well_formed = key.len() == 16 && key.bytes().all(|b| b.is_ascii_hexdigit());
    let width: u32 = width.parse().ok()?;
    (well_formed && width > 0).then_some((key, width))
}

/// An AVIF file of `image` (8-bit colour, no alpha: product photos are opaque).
pub fn encode(image: &image::DynamicImage) -> Result<Vec<u8>, String> {
    let rgb = image.to_rgb8();
    let (width, height) = (rgb.width() as usize, rgb.height() as usize);
    let pixels: Vec<ravif::RGB8> = rgb
        .pixels()
        .map(|p| ravif::RGB8::new(p[0], p[1], p[2]))
        .collect();
    ravif::Encoder::new()
        .with_quality(QUALITY)
        .with_speed(SPEED)
        .with_num_threads(Some(1))
        .encode_rgb(ravif::Img::new(&pixels[..], width, height))
        .map(|encoded| encoded.avif_file)
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_avif(bytes: &[u8]) -> bool {
        bytes.len() > 12 && &bytes[4..8] == b"ftyp" && &bytes[8..12] == b"avif"
    }

    /// The picture size an AVIF file declares (its `ispe` property).
    fn avif_size(bytes: &[u8]) -> (u32, u32) {
        let at = bytes
            .windows(4)
            .position(|w| w == b"ispe")
            .expect("ispe box");
        let u32_at = |i: usize| u32::from_be_bytes(bytes[i..i + 4].try_into().unwrap());
        (u32_at(at + 8), u32_at(at + 12))
    }

    #[test]
    fn names_are_read_strictly() {
        assert_eq!(
            parse_webp_name("0123456789abcdef-320.webp"),
            Some(("0123456789abcdef", 320))
        );
        for bad in [
            "0123456789abcdef-320.webp.1.2.tmp",
            "0123456789abcdef-320.avif",
            "0123456789abcdeg-320.webp",
            "0123456789abcdef-0.webp",
            "abc-320.webp",
            "0123456789abcdef-x.webp",
        ] {
            assert_eq!(parse_webp_name(bad), None, "{bad}");
        }
    }

    #[test]
    fn avif_widths_are_made_from_the_source_or_the_webp() {
        let dir = std::env::temp_dir().join(format!("mercato-avif-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        let src = dir.join("stripes.png");
        image::RgbImage::from_fn(500, 250, |x, _| {
            image::Rgb(if x % 40 < 20 {
                [200, 30, 30]
            } else {
                [20, 20, 160]
            })
        })
        .save(&src)
        .unwrap();
        let store = ImageStore::new(&dir.join("media"));
        let img = store.store(&src, "Stripes").unwrap();
        assert_eq!(img.widths, vec![320, 480, 500]);
        assert_eq!(
            store.pending_avif(),
            vec![Pending {
                key: img.key.clone(),
                widths: vec![320, 480, 500]
            }]
        );

        let photo = store.pending_avif().remove(0);
        assert_eq!(store.make_avif(&photo).unwrap(), 3);
        for w in [320u32, 480, 500] {
            let bytes = fs::read(store.avif_path(&img.key, w)).unwrap();
            assert!(is_avif(&bytes), "{w}");
            assert_eq!(avif_size(&bytes), (w, w / 2), "{w}");
        }
        assert!(store.pending_avif().is_empty());
        assert_eq!(store.make_avif(&photo).unwrap(), 0, "nothing is made twice");

        // Without the source (a store from before sources were kept), from the WebP.
        fs::remove_file(store.original_path(&img.key)).unwrap();
        fs::remove_file(store.avif_path(&img.key, 480)).unwrap();
        let again = store.pending_avif();
        assert_eq!(again[0].widths, vec![480]);
        assert_eq!(store.make_avif(&again[0]).unwrap(), 1);
        assert!(is_avif(&fs::read(store.avif_path(&img.key, 480)).unwrap()));

        // A damaged WebP with no source is an error, not a panic, and stays pending.
        fs::remove_file(store.avif_path(&img.key, 320)).unwrap();
        fs::write(store.path(&img.key, 320), b"RIFF....WEBPnot really").unwrap();
        let broken = store.pending_avif();
        assert!(matches!(
            store.make_avif(&broken[0]),
            Err(ImageError::Decode { .. })
        ));
        assert_eq!(store.pending_avif()[0].widths, vec![320]);

        // A half-written file is swept once it is old enough to be no one's write.
        let tmp = dir.join(format!("media/products/{}-480.avif.1.2.tmp", img.key));
        fs::write(&tmp, b"half").unwrap();
        assert_eq!(
            store.sweep_temporary(std::time::Duration::from_secs(3600)),
            0
        );
        assert!(tmp.exists());
        assert_eq!(store.sweep_temporary(std::time::Duration::ZERO), 1);
        assert!(!tmp.exists());
        assert!(
            store.avif_path(&img.key, 480).exists(),
            "only temporary files go"
        );
        let _ = fs::remove_dir_all(&dir);
    }
}
