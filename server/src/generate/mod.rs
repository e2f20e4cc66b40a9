//! A deterministic synthetic catalog for search benchmarks and import tests.
//!
//! `Generator::new(seed).product(i)` depends on `(seed, i)` alone, so products can be made
//! in parallel or out of order. Randomness comes from SplitMix64 and all arithmetic is on
//! integers (no floating point, no platform maths library), so the output is byte-for-byte
//! identical on every machine and Rust version. The vocabulary (brands, nouns,
//! materials, colours, options, attributes, sentences, per category) is the data file
//! `words.json` beside this one, compiled in: changing it changes the catalog, so treat
//! it as part of the format.

use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;
use std::io::{self, BufWriter, Write};
use std::sync::LazyLock;

/// One synthetic product, ready to be written as a Mercato JSON line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedProduct {
    /// Unique slug: the title slugged, then the zero-padded index.
    pub handle: String,
    pub title: String,
    pub description: String,
    pub brand: String,
    /// Two or three levels, top level first.
    pub category: Vec<String>,
    /// Text attributes as (snake_case code, value); codes are unique within a product.
    pub attributes: Vec<(String, String)>,
    /// Names of the options the variants differ by; empty when there is one variant.
    pub option_names: Vec<String>,
    /// One to four variants.
    pub variants: Vec<GeneratedVariant>,
    /// About 1% of products.
    pub featured: bool,
    /// Heavy-tailed popularity, 0 to 50,000.
    pub units_sold: i64,
    /// 0 to 1499.
    pub created_days_ago: i32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedVariant {
    /// Unique: `GEN-<index>-<n>`.
    pub sku: String,
    /// Minor units (pence), always positive.
    pub price_minor: i64,
    /// Always "GBP".
    pub currency: &'static str,
    pub stock_on_hand: i32,
    /// One value per entry of the product's `option_names`.
    pub options: Vec<String>,
}

/// Makes products from a seed; cheap to share between threads.
#[derive(Debug, Clone)]
pub struct Generator {
    key: u64,
    /// Running totals of the leaf weights, for picking a leaf.
    cumulative: Vec<u64>,
}

impl Generator {
    pub fn new(seed: u64) -> Self {
        let mut total = 0;
        let cumulative = WORDS
            .leaves
            .iter()
            .map(|leaf| {
                total += u64::from(leaf.weight);
                total
            })
            .collect();
        Generator {
            key: mix64(seed ^ 0x6D65_7263_6174_6F21),
            cumulative,
        }
    }

    /// The i-th product (0-based); deterministic from (seed, i) alone so it can be
    /// generated in parallel / out of order.
    pub fn product(&self, i: u64) -> GeneratedProduct {
        let mut rng = Rng::for_index(self.key, i);
        let leaf = &WORDS.leaves[self.pick_leaf(&mut rng)];
        let group = &WORDS.groups[leaf.group];

        let brand = if rng.chance(95) {
            rng.pick(&group.brands).as_str()
        } else {
            let other = rng.below(WORDS.groups.len() as u64) as usize;
            rng.pick(&WORDS.groups[other].brands).as_str()
        };
        let noun = rng.pick(&leaf.nouns).as_str();
        let materials = leaf.materials.as_deref().unwrap_or(&group.materials);
        let material = (!materials.is_empty()).then(|| rng.pick(materials).as_pair());

        // Options and their values.
        let wanted = if leaf.options.is_empty() {
            1
        } else {
            match rng.below(10) {
                0..=2 => 1,
                3 | 4 => 2,
                5 | 6 => 3,
                _ => 4,
            }
        };
        let option = (wanted > 1).then(|| rng.pick(&leaf.options));
        let mut values: [&str; 4] = [""; 4];
        let mut count = 1;
        let mut step = 0;
        if let Some(opt) = option {
            step = opt.step;
            if opt.values.is_empty() {
                // Colour: distinct colours from the group's palette.
                count = wanted.min(group.colours.len());
                let mut n = 0;
                while n < count {
                    let c = rng.pick(&group.colours).as_str();
                    if !values[..n].contains(&c) {
                        values[n] = c;
                        n += 1;
                    }
                }
            } else {
                // A run of neighbouring values (S, M, L), cheapest first.
                count = wanted.min(opt.values.len());
                let start = rng.below((opt.values.len() - count + 1) as u64) as usize;
                for (slot, value) in values.iter_mut().zip(&opt.values[start..start + count]) {
                    *slot = value.as_str();
                }
            }
        }
        // A lone value is no choice: a single variant has no options.
        let option = option.filter(|_| count > 1);
        let colour_is_option = option.is_some_and(|o| o.values.is_empty());
        let colour = (!colour_is_option && !group.colours.is_empty())
            .then(|| rng.pick(&group.colours).as_str());

        let title = make_title(&mut rng, leaf, group, brand, noun, colour, material);
        let handle = handle(&title, i);
        let description = description(&mut rng, leaf, group, brand, noun, colour, material);

        let mut attributes = Vec::with_capacity(2 + leaf.attrs.len());
        if let Some(c) = colour {
            attributes.push(("colour".to_owned(), c.to_owned()));
        }
        if let Some((_, value)) = material {
            attributes.push(("material".to_owned(), value.to_owned()));
        }
        for (code, choices) in &leaf.attrs {
            if rng.chance(85) {
                attributes.push((code.clone(), rng.pick(choices).clone()));
            }
        }

        let base = price(&mut rng, leaf.price.0, leaf.price.1);
        let variants = (0..count)
            .map(|j| {
                let stock_on_hand = if rng.chance(12) {
                    0
                } else {
                    // Skewed towards small counts: 1..=500.
                    let r = rng.below(1000) as i32;
                    1 + r * r / 2000
                };
                GeneratedVariant {
                    sku: format!("GEN-{i:06}-{}", j + 1),
                    price_minor: base + step * j as i64,
                    currency: "GBP",
                    stock_on_hand,
                    options: if option.is_some() {
                        vec![values[j].to_owned()]
                    } else {
                        Vec::new()
                    },
                }
            })
            .collect();
        let option_names = match option {
            Some(opt) => vec![opt.name.to_owned()],
            None => Vec::new(),
        };

        GeneratedProduct {
            handle,
            title,
            description,
            brand: brand.to_owned(),
            category: leaf.path.clone(),
            attributes,
            option_names,
            variants,
            featured: rng.chance(1),
            units_sold: units_sold(&mut rng),
            created_days_ago: rng.below(1500) as i32,
        }
    }

    fn pick_leaf(&self, rng: &mut Rng) -> usize {
        let total = *self.cumulative.last().expect("leaves");
        let r = rng.below(total);
        self.cumulative.partition_point(|&c| c <= r)
    }
}

/// Brand, model, adjective, colour, material, style and noun, 2 to 6 words.
fn make_title<'w>(
    rng: &mut Rng,
    leaf: &'w Leaf,
    group: &'w Group,
    brand: &'w str,
    noun: &'w str,
    colour: Option<&'w str>,
    material: Option<(&'w str, &'w str)>,
) -> String {
    const BRAND: usize = 0;
    const MODEL: usize = 1;
    const SUFFIX: usize = 2;
    const ADJ: usize = 3;
    const COLOUR: usize = 4;
    const MATERIAL: usize = 5;
    const STYLE: usize = 6;
    const NOUN: usize = 7;
    let mut parts: [Option<&'w str>; 8] = [None; 8];
    parts[BRAND] = rng.chance(75).then_some(brand);
    if leaf.model_pct > 0 && !group.models.is_empty() && rng.chance(leaf.model_pct) {
        parts[MODEL] = Some(rng.pick(&group.models).as_str());
        if rng.chance(50) {
            parts[SUFFIX] = Some(rng.pick(&WORDS.model_suffixes).as_str());
        }
    }
    if rng.chance(40) {
        parts[ADJ] = Some(rng.pick(&group.adjectives).as_str());
    }
    if rng.chance(20) {
        parts[COLOUR] = colour;
    }
    if let Some((word, _)) = material
        && rng.chance(group.material_pct)
    {
        parts[MATERIAL] = Some(word);
    }
    if !leaf.styles.is_empty() && rng.chance(45) {
        parts[STYLE] = Some(rng.pick(&leaf.styles).as_str());
    }
    parts[NOUN] = Some(noun);
    // No word twice ("Denim Denim Jacket", "Oak Oak Table"): the noun wins, then the
    // earlier part.
    for k in 0..NOUN {
        if let Some(p) = parts[k]
            && (shares_word(p, noun) || parts[..k].iter().flatten().any(|q| shares_word(p, q)))
        {
            parts[k] = None;
        }
    }
    let words = |parts: &[Option<&str>; 8]| -> usize {
        parts.iter().flatten().map(|p| p.split(' ').count()).sum()
    };
    for k in [ADJ, COLOUR, STYLE, MATERIAL, SUFFIX, MODEL, BRAND] {
        if words(&parts) <= 6 {
            break;
        }
        parts[k] = None;
        if k == MODEL {
            parts[SUFFIX] = None;
        }
    }
    if words(&parts) < 2 {
        let adj = group
            .adjectives
            .iter()
            .cycle()
            .skip(rng.below(group.adjectives.len() as u64) as usize)
            .take(group.adjectives.len())
            .find(|a| !shares_word(a, noun))
            .map_or(brand, String::as_str);
        parts[ADJ] = Some(adj);
    }
    let mut title = String::with_capacity(64);
    for p in parts.iter().flatten() {
        if !title.is_empty() {
            title.push(' ');
        }
        title.push_str(p);
    }
    title
}

/// Writes `count` products as Mercato JSON lines (the `server import jsonl` format) to
/// `out`, one per line.
pub fn write_jsonl(generator: &Generator, count: u64, out: &mut impl Write) -> io::Result<()> {
    let mut w = BufWriter::with_capacity(1 << 16, out);
    for i in 0..count {
        let p = generator.product(i);
        serde_json::to_writer(&mut w, &JsonLine::from(&p))?;
        w.write_all(b"\n")?;
    }
    w.flush()
}

#[derive(Serialize)]
struct JsonLine<'a> {
    handle: &'a str,
    title: &'a str,
    description: &'a str,
    brand: &'a str,
    category: &'a [String],
    status: &'static str,
    featured: bool,
    options: &'a [String],
    images: [&'static str; 0],
    attributes: JsonAttributes<'a>,
    variants: Vec<JsonVariant<'a>>,
}

impl<'a> From<&'a GeneratedProduct> for JsonLine<'a> {
    fn from(p: &'a GeneratedProduct) -> Self {
        JsonLine {
            handle: &p.handle,
            title: &p.title,
            description: &p.description,
            brand: &p.brand,
            category: &p.category,
            status: "active",
            featured: p.featured,
            options: &p.option_names,
            images: [],
            attributes: JsonAttributes(&p.attributes),
            variants: p
                .variants
                .iter()
                .map(|v| JsonVariant {
                    sku: &v.sku,
                    price: MajorUnits(v.price_minor),
                    currency: v.currency,
                    stock: v.stock_on_hand,
                    options: &v.options,
                })
                .collect(),
        }
    }
}

/// Attributes as a JSON object.
struct JsonAttributes<'a>(&'a [(String, String)]);

impl Serialize for JsonAttributes<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (code, value) in self.0 {
            map.serialize_entry(code, value)?;
        }
        map.end()
    }
}

#[derive(Serialize)]
struct JsonVariant<'a> {
    sku: &'a str,
    price: MajorUnits,
    currency: &'a str,
    stock: i32,
    options: &'a [String],
}

/// Minor units written as a decimal string in major units: 8999 -> "89.99".
struct MajorUnits(i64);

impl Serialize for MajorUnits {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&format_args!("{}.{:02}", self.0 / 100, self.0 % 100))
    }
}

// ---------------------------------------------------------------------------------------
// Randomness and number shapes.

const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

/// The SplitMix64 output function: a bijective 64-bit mix.
fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// SplitMix64 (Steele, Lea and Flood 2014).
struct Rng(u64);

impl Rng {
    fn for_index(key: u64, i: u64) -> Self {
        Rng(mix64(
            key ^ mix64(i.wrapping_mul(GOLDEN).wrapping_add(GOLDEN)),
        ))
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(GOLDEN);
        mix64(self.0)
    }

    /// Uniform in `0..n` (multiply-shift; the bias is below 2^-40 for our n).
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// A shop price in `lo..=hi` pence, skewed towards `lo`, ending mostly in .99 or .00.
fn price(rng: &mut Rng, lo: i64, hi: i64) -> i64 {
    let r = rng.below(1_000_000) as i64;
    let t = r * r / 1_000_000; // 0..1_000_000, squared so cheap items are commoner
    let raw = lo + (hi - lo) * t / 1_000_000;
    let unit = if raw <= 10_000 {
        100
    } else if raw <= 50_000 {
        500
    } else if raw <= 200_000 {
        1000
    } else {
        5000
    };
    let rounded = ((raw + unit / 2) / unit * unit).max(unit);
    match rng.below(100) {
        0..=69 => rounded - 1,
        70..=91 => rounded,
        _ => rounded - 50,
    }
}

/// Pareto with shape 1 (Zipf-like): median 25, about 4% zero, a few in the tens of
/// thousands, never above 50,000.
fn units_sold(rng: &mut Rng) -> i64 {
    const SCALE: u64 = 25;
    let u = rng.below(1 << 24) + 1;
    let x = (SCALE << 24) / u - SCALE;
    if x > 50_000 {
        40_000 + rng.below(10_001) as i64
    } else {
        x as i64
    }
}

// ---------------------------------------------------------------------------------------
// Text.

fn shares_word(a: &str, b: &str) -> bool {
    a.split(' ')
        .any(|x| b.split(' ').any(|y| x.eq_ignore_ascii_case(y)))
}

/// `northwind-merino-crew-sweater-000123`: the title slugged (at most 100 characters),
/// then the index.
fn handle(title: &str, i: u64) -> String {
    let mut out = String::with_capacity(title.len() + 12);
    let mut dash = false;
    for b in title.bytes() {
        if b.is_ascii_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(b.to_ascii_lowercase() as char);
        } else {
            dash = true;
        }
    }
    if out.len() > 100 {
        out.truncate(100);
        while out.ends_with('-') {
            out.pop();
        }
    }
    if !out.is_empty() {
        out.push('-');
    }
    let _ = write!(out, "{i:06}");
    out
}

/// Lower-cases words for use mid-sentence, keeping acronyms ("TV", "4K", "BBQ").
fn push_lower(out: &mut String, text: &str) {
    for (k, word) in text.split(' ').enumerate() {
        if k > 0 {
            out.push(' ');
        }
        if word.bytes().any(|b| b.is_ascii_lowercase()) {
            out.extend(word.chars().map(|c| c.to_ascii_lowercase()));
        } else {
            out.push_str(word);
        }
    }
}

fn push_capitalised(out: &mut String, text: &str) {
    let start = out.len();
    push_lower(out, text);
    if let Some(first) = out[start..].chars().next() {
        let upper = first.to_ascii_uppercase();
        out.replace_range(
            start..start + first.len_utf8(),
            upper.encode_utf8(&mut [0; 4]),
        );
    }
}

/// "Jeans", "Headphones" and "Secateurs" are plural; "Dress", "Camera Lens" and
/// "Chest of Drawers" are not.
fn is_plural(noun: &str) -> bool {
    let last = noun.rsplit(' ').next().unwrap_or(noun);
    last.ends_with('s') && !last.ends_with("ss") && last != "Lens" && !noun.contains(" of ")
}

fn starts_with_vowel(text: &str) -> bool {
    matches!(
        text.bytes().next().map(|b| b.to_ascii_lowercase()),
        Some(b'a' | b'e' | b'i' | b'o' | b'u')
    )
}

/// One to three sentences: what it is (colour, material, use), features, a closing note.
fn description(
    rng: &mut Rng,
    leaf: &Leaf,
    group: &Group,
    brand: &str,
    noun: &str,
    colour: Option<&str>,
    material: Option<(&str, &str)>,
) -> String {
    let plural = is_plural(noun);
    // "Oak" in oak: say it once.
    let colour = colour.filter(|c| !material.is_some_and(|(_, m)| shares_word(c, m)));
    let features = leaf.features.as_deref().unwrap_or(&group.features);
    let closers = leaf.closers.as_deref().unwrap_or(&group.closers);
    let verb = if plural { " are " } else { " is " };
    let adjective = rng.pick(&group.adjectives).as_str();
    let usage = rng.pick(&group.uses).as_str();
    let mut s = String::with_capacity(320);
    let push_look = |s: &mut String| {
        if colour.is_none() && material.is_none() {
            return;
        }
        s.push_str(" in ");
        if let Some(c) = colour {
            push_lower(s, c);
            if material.is_some() {
                s.push(' ');
            }
        }
        if let Some((_, m)) = material {
            push_lower(s, m);
        }
    };
    match rng.below(3) {
        0 => {
            // "A relaxed sweater in navy merino wool, made for everyday wear."
            if plural {
                push_capitalised(&mut s, adjective);
            } else {
                s.push_str(if starts_with_vowel(adjective) {
                    "An "
                } else {
                    "A "
                });
                push_lower(&mut s, adjective);
            }
            s.push(' ');
            push_lower(&mut s, noun);
            push_look(&mut s);
            s.push_str(", ");
            s.push_str(usage);
            s.push('.');
        }
        1 => {
            // "Northwind's sweater in navy merino wool is made for everyday wear."
            s.push_str(brand);
            // "Northwind's", "Orchard Botanics'".
            s.push_str(if brand.ends_with('s') { "' " } else { "'s " });
            push_lower(&mut s, noun);
            push_look(&mut s);
            s.push_str(verb);
            s.push_str(usage);
            s.push('.');
        }
        _ => {
            // "This sweater is made for everyday wear. Made from merino wool in navy."
            s.push_str(if plural { "These " } else { "This " });
            push_lower(&mut s, adjective);
            s.push(' ');
            push_lower(&mut s, noun);
            s.push_str(verb);
            s.push_str(usage);
            s.push('.');
            if let Some((_, m)) = material {
                s.push_str(" Made from ");
                push_lower(&mut s, m);
                if let Some(c) = colour {
                    s.push_str(" in ");
                    push_lower(&mut s, c);
                }
                s.push('.');
            } else if let Some(c) = colour {
                s.push_str(" Finished in ");
                push_lower(&mut s, c);
                s.push('.');
            }
        }
    }
    if rng.chance(70) {
        let n = features.len();
        let a = rng.below(n as u64) as usize;
        let b = (a + 1 + rng.below(n as u64 - 1) as usize) % n;
        s.push_str(" Features ");
        s.push_str(&features[a]);
        s.push_str(" and ");
        s.push_str(&features[b]);
        s.push('.');
    }
    if rng.chance(40) {
        s.push(' ');
        s.push_str(rng.pick(closers).as_str());
    }
    s
}

// ---------------------------------------------------------------------------------------
// Vocabulary: `words.json`, read once.

/// The vocabulary, as `words.json` has it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Words {
    /// Model suffixes ("Pro", "Max").
    model_suffixes: Vec<String>,
    /// Top-level categories, by index.
    groups: Vec<Group>,
    leaves: Vec<Leaf>,
}

/// The vocabulary, parsed the first time a product is made. The file is compiled in and
/// a unit test parses it, so it cannot be malformed at run time.
static WORDS: LazyLock<Words> = LazyLock::new(|| {
    serde_json::from_str(include_str!("words.json")).expect("generate/words.json is valid")
});

/// (word in titles, value of the `material` attribute)
#[derive(Debug, Deserialize)]
struct Material(String, String);

impl Material {
    fn as_pair(&self) -> (&str, &str) {
        (&self.0, &self.1)
    }
}

/// An option the variants of a product differ by. Empty `values` means colours from the
/// group's palette. Each later value costs `step` pence more.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Opt {
    name: String,
    values: Vec<String>,
    step: i64,
}

/// Shared by the leaves of one top-level category.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Group {
    brands: Vec<String>,
    adjectives: Vec<String>,
    materials: Vec<Material>,
    /// Chance (percent) that the material appears in a title.
    material_pct: u64,
    colours: Vec<String>,
    models: Vec<String>,
    /// Participle phrases: "made for everyday wear".
    uses: Vec<String>,
    /// Noun phrases: "ribbed cuffs".
    features: Vec<String>,
    /// Whole sentences.
    closers: Vec<String>,
}

/// A leaf category.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Leaf {
    group: usize,
    path: Vec<String>,
    /// Relative share of the catalog.
    weight: u32,
    nouns: Vec<String>,
    /// Leaf-specific title words: "Cable Knit", "15 Inch", "1000 Piece".
    styles: Vec<String>,
    /// `None`: the group's materials; `Some(empty)`: no material.
    materials: Option<Vec<Material>>,
    /// Price range in pence.
    price: (i64, i64),
    options: Vec<Opt>,
    /// (attribute code, values)
    attrs: Vec<(String, Vec<String>)>,
    /// Chance (percent) of a model name ("Nova Pro") in the title.
    model_pct: u64,
    /// `None`: the group's features and closing sentences.
    features: Option<Vec<String>>,
    closers: Option<Vec<String>>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{HashMap, HashSet};

    fn words(text: &str) -> impl Iterator<Item = String> + '_ {
        text.split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(|w| w.to_ascii_lowercase())
    }

    fn handle_ok(h: &str) -> bool {
        !h.is_empty()
            && h.len() <= 120
            && h.split('-').all(|part| {
                !part.is_empty()
                    && part
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            })
    }

    fn sku_ok(s: &str) -> bool {
        !s.is_empty()
            && s.len() <= 64
            && s.as_bytes()[0].is_ascii_alphanumeric()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._/-".contains(&b))
    }

    fn snake_case(code: &str) -> bool {
        !code.is_empty()
            && !code.starts_with('_')
            && !code.ends_with('_')
            && !code.contains("__")
            && code
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    }

    #[test]
    fn deterministic_per_seed_and_index() {
        let a = Generator::new(42);
        let b = Generator::new(42);
        for i in [0, 1, 7, 999, 123_456, u64::MAX] {
            assert_eq!(a.product(i), b.product(i));
        }
        // Out of order gives the same as in order.
        let forward: Vec<_> = (0..50).map(|i| a.product(i)).collect();
        let backward: Vec<_> = (0..50).rev().map(|i| b.product(i)).collect();
        assert!(forward.iter().eq(backward.iter().rev()));
        // Another seed gives another catalog.
        let c = Generator::new(43);
        let differing = (0..100)
            .filter(|&i| a.product(i).title != c.product(i).title)
            .count();
        assert!(differing > 80, "only {differing} of 100 titles differ");
    }

    #[test]
    fn pinned_output() {
        // Guards against accidental changes to the tables or the arithmetic: the same seed
        // must give the same catalog on every machine and Rust version.
        let g = Generator::new(1);
        let mut hash: u64 = 0;
        let mut out = Vec::new();
        write_jsonl(&g, 200, &mut out).unwrap();
        for b in out {
            hash = mix64(hash ^ u64::from(b));
        }
        let p = g.product(0);
        println!("hash {hash:#x}, product 0: {p:?}");
        assert_eq!(p.title, "Extra Thick Exercise Mat");
        assert_eq!(p.handle, "extra-thick-exercise-mat-000000");
        assert_eq!(p.variants[1].options, ["Glacier Blue"]);
        assert_eq!(hash, PINNED_HASH, "the generated catalog changed");
    }

    const PINNED_HASH: u64 = 0x3fb9_1a6b_2b81_85e0;

    #[test]
    fn products_are_well_formed() {
        let g = Generator::new(7);
        let mut handles = HashSet::new();
        let mut skus = HashSet::new();
        for i in 0..20_000 {
            let p = g.product(i);
            assert!(handle_ok(&p.handle), "handle {}", p.handle);
            assert!(
                handles.insert(p.handle.clone()),
                "duplicate handle {}",
                p.handle
            );
            let title_words = p.title.split(' ').count();
            assert!((2..=6).contains(&title_words), "title {:?}", p.title);
            assert!(
                p.title.is_ascii() && !p.title.contains('"'),
                "{:?}",
                p.title
            );
            assert!(p.description.is_ascii() && p.description.ends_with('.'));
            assert!(!p.brand.is_empty());
            assert!((2..=3).contains(&p.category.len()), "{:?}", p.category);
            assert!((1..=4).contains(&p.variants.len()));
            assert!(p.option_names.len() <= 1);
            assert_eq!(p.option_names.is_empty(), p.variants.len() == 1);
            assert!((0..=50_000).contains(&p.units_sold));
            assert!((0..1500).contains(&p.created_days_ago));
            let mut codes = HashSet::new();
            for (code, value) in &p.attributes {
                assert!(snake_case(code), "attribute code {code}");
                assert!(codes.insert(code.as_str()), "duplicate attribute {code}");
                assert!(!value.is_empty());
            }
            let mut values = HashSet::new();
            for v in &p.variants {
                assert!(sku_ok(&v.sku), "sku {}", v.sku);
                assert!(skus.insert(v.sku.clone()), "duplicate sku {}", v.sku);
                assert!(v.price_minor > 0, "price {}", v.price_minor);
                assert_eq!(v.currency, "GBP");
                assert!((0..=500).contains(&v.stock_on_hand));
                assert_eq!(v.options.len(), p.option_names.len());
                assert!(values.insert(v.options.clone()), "repeated option values");
            }
        }
    }

    #[test]
    fn distributions_are_plausible() {
        let g = Generator::new(3);
        let n = 20_000;
        let (mut featured, mut out_of_stock, mut variants, mut nines_or_zeros, mut prices) =
            (0, 0, 0, 0, 0);
        let mut sold = Vec::new();
        let mut leaves = HashSet::new();
        let mut tops = HashSet::new();
        for i in 0..n {
            let p = g.product(i);
            featured += usize::from(p.featured);
            sold.push(p.units_sold);
            tops.insert(p.category[0].clone());
            leaves.insert(p.category.join(" > "));
            for v in &p.variants {
                variants += 1;
                out_of_stock += usize::from(v.stock_on_hand == 0);
                prices += 1;
                nines_or_zeros +=
                    usize::from(v.price_minor % 100 == 99 || v.price_minor % 100 == 0);
            }
        }
        assert!((100..=350).contains(&featured), "featured {featured}");
        let zero_pct = out_of_stock * 100 / variants;
        assert!((9..=15).contains(&zero_pct), "out of stock {zero_pct}%");
        assert!(nines_or_zeros * 100 / prices >= 85);
        sold.sort_unstable();
        let median = sold[sold.len() / 2];
        let p999 = sold[sold.len() * 999 / 1000];
        assert!((10..=60).contains(&median), "median units sold {median}");
        assert!(p999 > 5_000, "99.9th percentile units sold {p999}");
        assert_eq!(tops.len(), 10);
        assert!(leaves.len() >= 55, "{} leaves", leaves.len());
    }

    #[test]
    fn prices_fit_their_category() {
        let g = Generator::new(11);
        for i in 0..20_000 {
            let p = g.product(i);
            let min = p.variants.iter().map(|v| v.price_minor).min().unwrap();
            match p.category.last().unwrap().as_str() {
                "Socks" => assert!((400..=2600).contains(&min), "socks at {min}"),
                "Laptops" => assert!((39_000..=260_000).contains(&min), "laptop at {min}"),
                _ => {}
            }
        }
    }

    #[test]
    fn vocabulary_is_rich_and_word_frequencies_realistic() {
        let g = Generator::new(5);
        let n = 20_000;
        let mut doc_freq: HashMap<String, usize> = HashMap::new();
        for i in 0..n {
            let p = g.product(i);
            let distinct: HashSet<String> = words(&p.title).collect();
            for w in distinct {
                *doc_freq.entry(w).or_default() += 1;
            }
        }
        assert!(
            doc_freq.len() >= 500,
            "{} distinct title words",
            doc_freq.len()
        );
        let pct = |w: &str| doc_freq.get(w).copied().unwrap_or(0) as f64 * 100.0 / n as f64;
        for common in ["jacket", "sofa", "laptop", "mug", "socks"] {
            let p = pct(common);
            assert!((0.3..=3.0).contains(&p), "{common} in {p:.2}% of titles");
        }
        // Synonyms both occur.
        for (a, b) in [
            ("tee", "shirt"),
            ("sofa", "couch"),
            ("sneakers", "trainers"),
            ("laptop", "notebook"),
            ("jumper", "sweater"),
        ] {
            assert!(pct(a) > 0.05 && pct(b) > 0.05, "{a}/{b}");
        }
        // Rare words are rarer than nouns.
        assert!(pct("shetland") < 0.3, "shetland {:.2}%", pct("shetland"));
    }

    #[test]
    fn jsonl_lines_parse_with_expected_keys() {
        let g = Generator::new(9);
        let mut out = Vec::new();
        write_jsonl(&g, 500, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 500);
        for (i, line) in lines.iter().enumerate() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            let obj = v.as_object().unwrap();
            for key in [
                "handle",
                "title",
                "description",
                "brand",
                "category",
                "status",
                "featured",
                "options",
                "images",
                "attributes",
                "variants",
            ] {
                assert!(obj.contains_key(key), "line {i} lacks {key}");
            }
            assert_eq!(obj["status"], "active");
            let p = g.product(i as u64);
            assert_eq!(obj["handle"], p.handle.as_str());
            let variants = obj["variants"].as_array().unwrap();
            assert_eq!(variants.len(), p.variants.len());
            for (jv, pv) in variants.iter().zip(&p.variants) {
                let price = jv["price"].as_str().unwrap();
                let (major, minor) = price.split_once('.').unwrap();
                assert_eq!(minor.len(), 2);
                assert_eq!(
                    major.parse::<i64>().unwrap() * 100 + minor.parse::<i64>().unwrap(),
                    pv.price_minor
                );
                assert_eq!(jv["currency"], "GBP");
                assert_eq!(jv["sku"], pv.sku.as_str());
            }
            assert_eq!(
                obj["attributes"].as_object().unwrap().len(),
                p.attributes.len()
            );
        }
    }

    #[test]
    fn the_importer_accepts_every_line() {
        let g = Generator::new(13);
        let path = std::env::temp_dir().join(format!(
            "mercato-generate-{}-{}.jsonl",
            std::process::id(),
            line!()
        ));
        let mut file = std::fs::File::create(&path).unwrap();
        write_jsonl(&g, 3_000, &mut file).unwrap();
        drop(file);
        let rows = crate::import::generic::parse_jsonl(&path, app::money::Currency::GBP).unwrap();
        std::fs::remove_file(&path).ok();
        assert_eq!(rows.len(), 3_000);
        for row in rows {
            if let Err(skip) = row {
                panic!("line {} skipped: {}", skip.line, skip.reason);
            }
        }
    }

    #[test]
    fn the_vocabulary_file_is_whole() {
        let words = &*WORDS;
        assert_eq!(words.groups.len(), 10);
        assert!(words.leaves.len() >= 55);
        for leaf in &words.leaves {
            assert!(leaf.group < words.groups.len(), "{:?}", leaf.path);
            assert!(
                !leaf.nouns.is_empty() && leaf.price.0 <= leaf.price.1,
                "{:?}",
                leaf.path
            );
        }
    }

    /// The catalog is the one the tables made before they moved into words.json: the
    /// first products of seed 42, byte for byte (a digest of their JSON lines).
    #[test]
    fn the_catalog_is_unchanged_by_the_move_to_a_data_file() {
        use sha2::{Digest, Sha256};
        let mut out = Vec::new();
        write_jsonl(&Generator::new(42), 5_000, &mut out).unwrap();
        assert_eq!(
            hex::encode(Sha256::digest(&out)),
            "14b68f9eb3714dcb37c13384ccd706e3a43965b8385d258ee269cc3770de5828"
        );
    }

    #[test]
    fn many_products_quickly() {
        // A smoke test for allocation-heavy regressions; the real bar (1M in well under
        // 10 s) is for release builds.
        let g = Generator::new(0);
        let start = std::time::Instant::now();
        let mut sink = io::sink();
        write_jsonl(&g, 20_000, &mut sink).unwrap();
        assert!(start.elapsed().as_secs() < 20);
    }
}
