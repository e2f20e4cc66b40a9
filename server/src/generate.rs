//! A deterministic synthetic catalog for search benchmarks and import tests.
//!
//! `Generator::new(seed).product(i)` depends on `(seed, i)` alone, so products can be made
//! in parallel or out of order. Randomness comes from SplitMix64 and all arithmetic is on
//! integers (no floating point, no platform maths library), so the output is byte-for-byte
//! identical on every machine and Rust version. Changing any table below changes the
//! catalog: treat the tables as part of the format.

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};
use std::fmt::Write as _;
use std::io::{self, BufWriter, Write};

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
        let cumulative = LEAVES
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
        let leaf = &LEAVES[self.pick_leaf(&mut rng)];
        let group = &GROUPS[leaf.group];

        let brand = if rng.chance(95) {
            *rng.pick(group.brands)
        } else {
            let other = rng.below(GROUPS.len() as u64) as usize;
            *rng.pick(GROUPS[other].brands)
        };
        let noun = *rng.pick(leaf.nouns);
        let materials = leaf.materials.unwrap_or(group.materials);
        let material = (!materials.is_empty()).then(|| *rng.pick(materials));

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
        let option = (wanted > 1).then(|| rng.pick(leaf.options));
        let mut values: [&'static str; 4] = [""; 4];
        let mut count = 1;
        let mut step = 0;
        if let Some(opt) = option {
            step = opt.step;
            if opt.values.is_empty() {
                // Colour: distinct colours from the group's palette.
                count = wanted.min(group.colours.len());
                let mut n = 0;
                while n < count {
                    let c = *rng.pick(group.colours);
                    if !values[..n].contains(&c) {
                        values[n] = c;
                        n += 1;
                    }
                }
            } else {
                // A run of neighbouring values (S, M, L), cheapest first.
                count = wanted.min(opt.values.len());
                let start = rng.below((opt.values.len() - count + 1) as u64) as usize;
                values[..count].copy_from_slice(&opt.values[start..start + count]);
            }
        }
        // A lone value is no choice: a single variant has no options.
        let option = option.filter(|_| count > 1);
        let colour_is_option = option.is_some_and(|o| o.values.is_empty());
        let colour =
            (!colour_is_option && !group.colours.is_empty()).then(|| *rng.pick(group.colours));

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
        for (code, choices) in leaf.attrs {
            if rng.chance(85) {
                attributes.push(((*code).to_owned(), (*rng.pick(choices)).to_owned()));
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
            category: leaf.path.iter().map(|s| (*s).to_owned()).collect(),
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
fn make_title(
    rng: &mut Rng,
    leaf: &Leaf,
    group: &Group,
    brand: &'static str,
    noun: &'static str,
    colour: Option<&'static str>,
    material: Option<Material>,
) -> String {
    const BRAND: usize = 0;
    const MODEL: usize = 1;
    const SUFFIX: usize = 2;
    const ADJ: usize = 3;
    const COLOUR: usize = 4;
    const MATERIAL: usize = 5;
    const STYLE: usize = 6;
    const NOUN: usize = 7;
    let mut parts: [Option<&'static str>; 8] = [None; 8];
    parts[BRAND] = rng.chance(75).then_some(brand);
    if leaf.model_pct > 0 && !group.models.is_empty() && rng.chance(leaf.model_pct) {
        parts[MODEL] = Some(*rng.pick(group.models));
        if rng.chance(50) {
            parts[SUFFIX] = Some(*rng.pick(MODEL_SUFFIXES));
        }
    }
    if rng.chance(40) {
        parts[ADJ] = Some(*rng.pick(group.adjectives));
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
        parts[STYLE] = Some(*rng.pick(leaf.styles));
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
            .copied()
            .unwrap_or(brand);
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
    material: Option<Material>,
) -> String {
    let plural = is_plural(noun);
    // "Oak" in oak: say it once.
    let colour = colour.filter(|c| !material.is_some_and(|(_, m)| shares_word(c, m)));
    let features = leaf.features.unwrap_or(group.features);
    let closers = leaf.closers.unwrap_or(group.closers);
    let verb = if plural { " are " } else { " is " };
    let adjective = *rng.pick(group.adjectives);
    let usage = *rng.pick(group.uses);
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
        s.push_str(features[a]);
        s.push_str(" and ");
        s.push_str(features[b]);
        s.push('.');
    }
    if rng.chance(40) {
        s.push(' ');
        let closer = *rng.pick(closers);
        s.push_str(closer);
    }
    s
}

// ---------------------------------------------------------------------------------------
// Vocabulary.

/// (word in titles, value of the `material` attribute)
type Material = (&'static str, &'static str);
/// (attribute code, values)
type Attr = (&'static str, &'static [&'static str]);

/// An option the variants of a product differ by. Empty `values` means colours from the
/// group's palette. Each later value costs `step` pence more.
struct Opt {
    name: &'static str,
    values: &'static [&'static str],
    step: i64,
}

/// Shared by the leaves of one top-level category.
struct Group {
    brands: &'static [&'static str],
    adjectives: &'static [&'static str],
    materials: &'static [Material],
    /// Chance (percent) that the material appears in a title.
    material_pct: u64,
    colours: &'static [&'static str],
    models: &'static [&'static str],
    /// Participle phrases: "made for everyday wear".
    uses: &'static [&'static str],
    /// Noun phrases: "ribbed cuffs".
    features: &'static [&'static str],
    /// Whole sentences.
    closers: &'static [&'static str],
}

/// A leaf category.
struct Leaf {
    group: usize,
    path: &'static [&'static str],
    /// Relative share of the catalog.
    weight: u32,
    nouns: &'static [&'static str],
    /// Leaf-specific title words: "Cable Knit", "15 Inch", "1000 Piece".
    styles: &'static [&'static str],
    /// `None`: the group's materials; `Some(&[])`: no material.
    materials: Option<&'static [Material]>,
    /// Price range in pence.
    price: (i64, i64),
    options: &'static [Opt],
    attrs: &'static [Attr],
    /// Chance (percent) of a model name ("Nova Pro") in the title.
    model_pct: u64,
    /// `None`: the group's features and closing sentences.
    features: Option<&'static [&'static str]>,
    closers: Option<&'static [&'static str]>,
}

const MODEL_SUFFIXES: &[&str] = &[
    "Pro", "Max", "Mini", "Plus", "Air", "Lite", "Ultra", "X", "S", "SE", "GT", "2", "3", "4", "5",
    "7", "II", "III", "X2", "S3",
];

const FASHION_COLOURS: &[&str] = &[
    "Black",
    "White",
    "Navy",
    "Grey Marl",
    "Charcoal",
    "Ecru",
    "Oatmeal",
    "Cream",
    "Camel",
    "Tan",
    "Chocolate",
    "Olive",
    "Khaki",
    "Sage",
    "Forest Green",
    "Bottle Green",
    "Teal",
    "Sky Blue",
    "Cobalt",
    "Indigo",
    "Burgundy",
    "Red",
    "Rust",
    "Terracotta",
    "Mustard",
    "Ochre",
    "Coral",
    "Blush Pink",
    "Lilac",
    "Plum",
    "Stone",
    "Sand",
    "Slate",
    "Denim Blue",
    "Mint",
    "Heather",
];
const TECH_COLOURS: &[&str] = &[
    "Black",
    "White",
    "Silver",
    "Graphite",
    "Space Grey",
    "Midnight Blue",
    "Sage",
    "Coral",
    "Rose Gold",
    "Charcoal",
    "Arctic White",
    "Lunar Grey",
];
const HOME_COLOURS: &[&str] = &[
    "Natural",
    "Oatmeal",
    "Ivory",
    "Chalk White",
    "Dove Grey",
    "Charcoal",
    "Slate",
    "Ink Blue",
    "Navy",
    "Duck Egg",
    "Teal",
    "Sage",
    "Olive",
    "Forest Green",
    "Mustard",
    "Ochre",
    "Terracotta",
    "Rust",
    "Blush",
    "Plum",
    "Black",
    "Stone",
    "Clay",
    "Putty",
];
const KITCHEN_COLOURS: &[&str] = &[
    "Black",
    "White",
    "Cream",
    "Sage",
    "Duck Egg",
    "Cobalt",
    "Flame Orange",
    "Cherry Red",
    "Charcoal",
    "Speckled Grey",
    "Ocean Blue",
    "Matte Black",
];
const OUTDOOR_COLOURS: &[&str] = &[
    "Black",
    "Navy",
    "Olive",
    "Khaki",
    "Orange",
    "Red",
    "Cobalt",
    "Teal",
    "Forest Green",
    "Slate",
    "Sand",
    "Yellow",
    "Lime",
    "Grey",
    "Ember",
    "Glacier Blue",
];
const TOY_COLOURS: &[&str] = &[
    "Multicolour",
    "Red",
    "Blue",
    "Pink",
    "Yellow",
    "Green",
    "Purple",
    "Natural",
    "Rainbow",
];
const GARDEN_COLOURS: &[&str] = &[
    "Green",
    "Black",
    "Anthracite",
    "Natural",
    "Grey",
    "Sage",
    "Terracotta",
    "Yellow",
    "Orange",
];

const CLOTHING: usize = 0;
const FOOTWEAR: usize = 1;
const BAGS: usize = 2;
const HOME: usize = 3;
const KITCHEN: usize = 4;
const ELECTRONICS: usize = 5;
const SPORTS: usize = 6;
const BEAUTY: usize = 7;
const TOYS: usize = 8;
const GARDEN: usize = 9;

const GROUPS: &[Group] = &[
    // CLOTHING
    Group {
        brands: &[
            "Northwind",
            "Alder & Finch",
            "Harrow & Vale",
            "Rowan & Reed",
            "Marlow & Co",
            "Islay Cloth",
            "Wrenfield",
            "Thornbury",
            "Hartwell",
            "Saltmarsh",
            "Larkspur",
            "Fernhill",
            "Yewtree",
            "Linnet & Lark",
            "Calloway",
            "Weft & Warp",
        ],
        adjectives: &[
            "Classic",
            "Essential",
            "Everyday",
            "Heritage",
            "Relaxed",
            "Tailored",
            "Lightweight",
            "Heavyweight",
            "Washed",
            "Brushed",
            "Organic",
            "Recycled",
            "Vintage",
            "Utility",
            "Premium",
            "Soft",
            "Cropped",
            "Longline",
            "Signature",
            "Weekend",
        ],
        materials: &[
            ("Cotton", "Cotton"),
            ("Organic Cotton", "Organic cotton"),
            ("Linen", "Linen"),
            ("Merino", "Merino wool"),
            ("Wool", "Wool blend"),
            ("Jersey", "Cotton jersey"),
            ("Bamboo", "Bamboo viscose"),
            ("Recycled", "Recycled polyester"),
        ],
        material_pct: 35,
        colours: FASHION_COLOURS,
        models: &[],
        uses: &[
            "made for everyday wear",
            "cut for an easy, relaxed fit",
            "designed for layering in the colder months",
            "made to take you from the office to the weekend",
            "built to last season after season",
            "finished for a soft, lived-in feel",
            "made for travel and long days out",
        ],
        features: &[
            "ribbed cuffs",
            "a relaxed drop shoulder",
            "reinforced seams",
            "a longer back hem",
            "side pockets",
            "a soft brushed interior",
            "flat-lock stitching",
            "a garment-dyed finish",
            "horn-effect buttons",
            "a tagless neck label",
            "a two-way zip",
        ],
        closers: &[
            "Machine washable at 30 degrees.",
            "True to size; take your usual fit.",
            "Made in Portugal.",
            "Made in a Fair Trade certified factory.",
            "Designed in London.",
            "Part of our year-round core collection.",
        ],
    },
    // FOOTWEAR
    Group {
        brands: &[
            "Cobbleton",
            "Longstride",
            "Hollowbrook",
            "Dunmore",
            "Redpoll",
            "Kelvedon",
            "Tanner & Vale",
            "Ashgrove",
            "Welt & Last",
            "Glenrock",
            "Quayside",
            "Brogan & Hale",
            "Pennine Supply",
            "Oxley",
            "Solemate",
        ],
        adjectives: &[
            "Classic",
            "Everyday",
            "Lightweight",
            "Waterproof",
            "Handcrafted",
            "Retro",
            "Vintage",
            "Minimal",
            "Cushioned",
            "Padded",
            "Vegan",
            "Recycled",
            "Heritage",
            "Urban",
            "All-Weather",
        ],
        materials: &[
            ("Leather", "Leather"),
            ("Suede", "Suede"),
            ("Canvas", "Canvas"),
            ("Mesh", "Engineered mesh"),
            ("Nubuck", "Nubuck"),
            ("Knit", "Recycled knit"),
            ("Vegan Leather", "Vegan leather"),
            ("Rubber", "Natural rubber"),
        ],
        material_pct: 40,
        colours: FASHION_COLOURS,
        models: &[],
        uses: &[
            "made for all-day comfort",
            "built for city streets",
            "designed for wet weather",
            "made to be worn in, not worn out",
            "built for long walks",
        ],
        features: &[
            "a cushioned footbed",
            "a grippy rubber outsole",
            "a padded collar",
            "a removable insole",
            "waxed cotton laces",
            "a stitched welt",
            "a breathable lining",
            "a pull tab at the heel",
            "a lightweight midsole",
            "a water-resistant upper",
        ],
        closers: &[
            "Resoleable for years of wear.",
            "True to size; between sizes, size up.",
            "Made in Portugal.",
            "Wipe clean with a damp cloth.",
            "Designed in Northampton.",
        ],
    },
    // BAGS
    Group {
        brands: &[
            "Kestrel",
            "Caskwell",
            "Jetstone",
            "Copperleaf",
            "Birchley",
            "Lowther",
            "Skerry",
            "Tidewell",
            "Umberfield",
            "Veldt & Co",
            "Wildmere",
            "Satchel & Sons",
            "Harbour Goods",
            "Mossgate",
            "Quillmoor",
        ],
        adjectives: &[
            "Compact",
            "Everyday",
            "Travel",
            "Waterproof",
            "Minimal",
            "Padded",
            "Slim",
            "Heritage",
            "Classic",
            "Foldable",
            "Convertible",
            "Lightweight",
            "Structured",
            "Oversized",
            "Weekend",
        ],
        materials: &[
            ("Leather", "Full-grain leather"),
            ("Canvas", "Waxed canvas"),
            ("Nylon", "Recycled nylon"),
            ("Suede", "Suede"),
            ("Felt", "Wool felt"),
            ("Cork", "Cork"),
            ("Vegan Leather", "Vegan leather"),
        ],
        material_pct: 35,
        colours: FASHION_COLOURS,
        models: &[],
        uses: &[
            "made for the daily commute",
            "designed for weekends away",
            "built to carry the essentials",
            "made for travelling light",
            "sized for everyday carry",
        ],
        features: &[
            "a padded sleeve",
            "a hidden back pocket",
            "magnetic closures",
            "an adjustable strap",
            "a water-resistant base",
            "a key clip",
            "six card slots",
            "a luggage pass-through",
            "a quick-access front pocket",
            "brass hardware",
        ],
        closers: &[
            "Backed by a lifetime guarantee.",
            "Wipe clean with a damp cloth.",
            "Handmade in small batches.",
            "Spot clean only.",
            "Gift boxed.",
        ],
    },
    // HOME
    Group {
        brands: &[
            "Albion Home",
            "Beckett & Rye",
            "Calder House",
            "Dovetail",
            "Emberly",
            "Hearthstone",
            "Ivywood",
            "Jasper & Moss",
            "Linden Row",
            "Millbrook",
            "Nook & Cranny",
            "Oriel",
            "Pebble & Pine",
            "Ravensworth",
            "Willowmere",
            "Loom & Lathe",
        ],
        adjectives: &[
            "Scandi",
            "Mid-Century",
            "Rustic",
            "Modern",
            "Contemporary",
            "Industrial",
            "Classic",
            "Cosy",
            "Minimalist",
            "Farmhouse",
            "Art Deco",
            "Luxe",
            "Coastal",
            "Compact",
            "Heritage",
            "Nordic",
        ],
        materials: &[
            ("Oak", "Solid oak"),
            ("Walnut", "Walnut"),
            ("Ash", "Ash"),
            ("Pine", "Pine"),
            ("Rattan", "Rattan"),
            ("Velvet", "Velvet"),
            ("Linen", "Linen"),
            ("Boucle", "Boucle"),
            ("Marble", "Marble"),
            ("Mango Wood", "Mango wood"),
            ("Jute", "Jute"),
            ("Brass", "Brass"),
        ],
        material_pct: 40,
        colours: HOME_COLOURS,
        models: &[],
        uses: &[
            "designed for relaxed living",
            "made for small spaces",
            "built to be lived with",
            "designed to bring warmth to any room",
            "made for slow mornings",
        ],
        features: &[
            "solid wood legs",
            "removable covers",
            "a kiln-dried frame",
            "soft-close drawers",
            "hand-stitched details",
            "a non-slip backing",
            "a brushed brass finish",
            "deep seat cushions",
            "hidden storage",
            "adjustable feet",
        ],
        closers: &[
            "Delivered flat-packed with all fixings.",
            "Free two-person delivery.",
            "Spot clean only.",
            "Made in England.",
            "Made from FSC-certified timber.",
        ],
    },
    // KITCHEN
    Group {
        brands: &[
            "Kilnworth",
            "Oakhurst",
            "Goldcrest",
            "Fairweather",
            "Stonecrop",
            "Teasel",
            "Underhill",
            "Verity",
            "Copper & Clay",
            "Saltbox",
            "Hob & Ladle",
            "Greystone",
            "Ironbark",
            "Elmstead",
            "Crockett",
        ],
        adjectives: &[
            "Professional",
            "Everyday",
            "Classic",
            "Artisan",
            "Heavy-Duty",
            "Compact",
            "Essential",
            "Signature",
            "Rustic",
            "Commercial",
            "Modern",
            "Heritage",
            "Premium",
            "Nordic",
            "Trattoria",
        ],
        materials: &[
            ("Stainless", "Stainless steel"),
            ("Cast Iron", "Cast iron"),
            ("Ceramic", "Ceramic"),
            ("Stoneware", "Stoneware"),
            ("Glass", "Borosilicate glass"),
            ("Bamboo", "Bamboo"),
            ("Copper", "Copper"),
        ],
        material_pct: 35,
        colours: KITCHEN_COLOURS,
        models: &[],
        uses: &[
            "made for everyday cooking",
            "built for serious home cooks",
            "designed for effortless entertaining",
            "made to last a lifetime",
            "sized for the weekday rush",
        ],
        features: &[
            "a riveted handle",
            "an ergonomic grip",
            "a tri-ply base",
            "a pouring lip",
            "a tempered glass lid",
            "a full-tang blade",
            "double-walled insulation",
            "a stay-cool handle",
            "a matte glaze",
            "a built-in timer",
        ],
        closers: &[
            "Dishwasher safe.",
            "Hand wash recommended.",
            "Suitable for all hob types, including induction.",
            "Oven safe to 220 degrees.",
            "Comes with a lifetime guarantee.",
        ],
    },
    // ELECTRONICS
    Group {
        brands: &[
            "Arclight",
            "Bytecraft",
            "Dataforge",
            "Ember Audio",
            "Fluxline",
            "Gridpoint",
            "Halcyon",
            "Joltwave",
            "Kinetica",
            "Lumora",
            "Metrix",
            "Ohmford",
            "Pixelworks",
            "Resonant",
            "Voltaic",
            "Wavecrest",
            "Zenthic",
            "Tessellate",
            "Xylo",
            "Solace Sound",
        ],
        adjectives: &[
            "Smart",
            "Portable",
            "Ultra-Slim",
            "Compact",
            "Pro",
            "Premium",
            "Flagship",
            "Essential",
            "Everyday",
            "Lightweight",
            "Slim",
            "Advanced",
            "Studio",
            "Creator",
            "Performance",
        ],
        materials: &[("Aluminium", "Aluminium"), ("Recycled", "Recycled plastic")],
        material_pct: 5,
        colours: TECH_COLOURS,
        models: &[
            "Nova", "Pulse", "Vertex", "Orbit", "Aero", "Helix", "Lumen", "Photon", "Sonic",
            "Titan", "Flux", "Prism", "Atlas", "Arc", "Halo", "Nimbus", "Volt", "Spark", "Stratus",
            "Onyx", "Quanta", "Axion", "Zenith", "Vega", "Krypton", "Neon", "Sigma", "Delta",
            "Echo", "Corvid",
        ],
        uses: &[
            "built for work and play",
            "designed for all-day use",
            "tuned for immersive sound and picture",
            "made for creators on the move",
            "built for fast, reliable performance",
        ],
        features: &[
            "USB-C charging",
            "fast charging",
            "a backlit display",
            "multipoint Bluetooth",
            "voice assistant support",
            "an aluminium unibody",
            "a low-latency mode",
            "a companion app",
            "dual microphones",
            "an anti-glare finish",
            "Wi-Fi 6 support",
        ],
        closers: &[
            "Comes with a two-year warranty.",
            "USB-C cable included.",
            "Works with iOS and Android.",
            "Free software updates for five years.",
            "Shipped in recyclable packaging.",
        ],
    },
    // SPORTS
    Group {
        brands: &[
            "Apex Ridge",
            "Bolt & Tether",
            "Cairngorm Kit",
            "Driftline",
            "Everpeak",
            "Fellrunner",
            "Gritstone",
            "Highline",
            "Icefall",
            "Scoutmoor",
            "Moorland",
            "Nordvik",
            "Overland Co",
            "Peakform",
            "Ridgeway Gear",
            "Trailhead",
            "Veloce Works",
            "Whinfell",
            "Petrel",
        ],
        adjectives: &[
            "Lightweight",
            "Technical",
            "Performance",
            "Trail",
            "Alpine",
            "Ultralight",
            "All-Terrain",
            "Expedition",
            "Training",
            "Essential",
            "Pro",
            "Endurance",
            "Adventure",
            "Everyday",
            "Competition",
        ],
        materials: &[
            ("Recycled", "Recycled polyester"),
            ("Ripstop", "Ripstop nylon"),
            ("Merino", "Merino wool"),
            ("Neoprene", "Neoprene"),
            ("Aluminium", "Aluminium"),
            ("Rubber", "Natural rubber"),
        ],
        material_pct: 25,
        colours: OUTDOOR_COLOURS,
        models: &[
            "Tempo", "Stride", "Glide", "Surge", "Ridge", "Summit", "Crest", "Cairn", "Scree",
            "Tor", "Fell", "Pacer", "Sprint", "Drift", "Rapid", "Kinder", "Skye", "Coniston",
        ],
        uses: &[
            "built for long days in the hills",
            "made for training in all weathers",
            "designed for fast and light adventures",
            "made for the daily run",
            "built for the trail",
        ],
        features: &[
            "taped seams",
            "reflective details",
            "a packable hood",
            "underarm vents",
            "a stuff sack",
            "thumb loops",
            "a zipped chest pocket",
            "moisture-wicking fabric",
            "a grippy base",
            "a carry strap",
        ],
        closers: &[
            "Packs down small for travel.",
            "Tested in the Lake District.",
            "Backed by a lifetime repair service.",
            "Machine wash cold, line dry.",
        ],
    },
    // BEAUTY
    Group {
        brands: &[
            "Bloom & Balm",
            "Camomile",
            "Dewdrop",
            "Elderflower & Co",
            "Fig & Fennel",
            "Glow Theory",
            "Hazel & Honey",
            "Iris Apothecary",
            "Lavandula",
            "Marigold Lab",
            "Neroli",
            "Orchard Botanics",
            "Petal & Stem",
            "Rosehip",
            "Wick & Wax",
        ],
        adjectives: &[
            "Hydrating",
            "Nourishing",
            "Gentle",
            "Daily",
            "Brightening",
            "Soothing",
            "Restorative",
            "Overnight",
            "Clarifying",
            "Intensive",
            "Natural",
            "Botanical",
            "Fragrance-Free",
            "Refillable",
            "Travel-Size",
        ],
        materials: &[],
        material_pct: 0,
        colours: &[],
        models: &[],
        uses: &[
            "made for daily use",
            "formulated for sensitive skin",
            "designed for a simple routine",
            "made to leave skin soft and comfortable",
            "formulated to work morning and night",
        ],
        features: &[
            "a lightweight texture",
            "a pump dispenser",
            "a recyclable bottle",
            "no added parabens",
            "a fast-absorbing formula",
            "a subtle natural scent",
            "a refillable glass jar",
            "dermatologist-tested ingredients",
        ],
        closers: &[
            "Vegan and cruelty free.",
            "Suitable for sensitive skin.",
            "Made in the UK.",
            "Free from sulphates and parabens.",
            "Refills available.",
        ],
    },
    // TOYS
    Group {
        brands: &[
            "Acorn & Pip",
            "Buttonhook",
            "Clever Fox",
            "Doodlebug",
            "Fiddlesticks",
            "Giggle Tree",
            "Hopscotch",
            "Marbleworks",
            "Puzzlewood",
            "Tinker & Toad",
            "Wonderbox",
            "Kite & Comet",
            "Little Lantern",
            "Paper Moon",
            "Jumble Box",
        ],
        adjectives: &[
            "Classic",
            "Deluxe",
            "Mini",
            "Giant",
            "Family",
            "Junior",
            "Educational",
            "Interactive",
            "Pocket",
            "Rainbow",
            "Retro",
            "Starter",
            "Ultimate",
            "Little",
            "Jumbo",
        ],
        materials: &[
            ("Wooden", "FSC wood"),
            ("Recycled", "Recycled plastic"),
            ("Cotton", "Organic cotton"),
            ("Plush", "Polyester plush"),
            ("Cardboard", "Recycled cardboard"),
        ],
        material_pct: 10,
        colours: TOY_COLOURS,
        models: &[],
        uses: &[
            "made for hours of family fun",
            "designed for curious minds",
            "built for imaginative play",
            "made for game night",
            "designed to be played again and again",
        ],
        features: &[
            "clear illustrated instructions",
            "a sturdy storage box",
            "rounded edges",
            "non-toxic paints",
            "bonus expansion cards",
            "a drawstring bag",
            "machine-washable fabric",
            "a fold-out play board",
        ],
        closers: &[
            "Suitable for ages 3 and up.",
            "Batteries not included.",
            "Made from FSC-certified wood.",
            "Contains small parts; not suitable for children under 3.",
        ],
    },
    // GARDEN
    Group {
        brands: &[
            "Burrow & Bloom",
            "Delve Tools",
            "Forgeright",
            "Greenshank",
            "Hedgerow",
            "Plumbline",
            "Spadework",
            "Trowel & Twine",
            "Bramblewood",
            "Nettlebed",
            "Juniper Lane",
            "Kingfisher Works",
            "Yarrowby",
            "Norland",
            "Larchfield",
        ],
        adjectives: &[
            "Heavy-Duty",
            "Compact",
            "Professional",
            "Foldable",
            "Weatherproof",
            "Ergonomic",
            "Rust-Proof",
            "Rustic",
            "Portable",
            "Lightweight",
            "Classic",
            "Essential",
            "Premium",
            "Traditional",
            "Deluxe",
        ],
        materials: &[
            ("Steel", "Powder-coated steel"),
            ("Aluminium", "Aluminium"),
            ("Teak", "Teak"),
            ("Acacia", "Acacia wood"),
            ("Rattan", "Synthetic rattan"),
            ("Stainless", "Stainless steel"),
            ("Ash", "Ash wood"),
        ],
        material_pct: 30,
        colours: GARDEN_COLOURS,
        models: &[],
        uses: &[
            "built for weekend projects",
            "made for year-round gardening",
            "designed for long summer evenings",
            "built for tough jobs",
            "made for small gardens and balconies",
        ],
        features: &[
            "a brushless motor",
            "a soft-grip handle",
            "an adjustable height",
            "a weatherproof finish",
            "a quick-release clamp",
            "foldable legs",
            "an LED work light",
            "a rust-resistant coating",
            "two batteries",
            "a carry case",
        ],
        closers: &[
            "Battery and charger sold separately.",
            "Weatherproof for year-round use.",
            "Comes with a three-year warranty.",
            "Some assembly required.",
        ],
    },
];

// Options.
const SIZE: Opt = Opt {
    name: "size",
    values: &["XS", "S", "M", "L", "XL", "XXL"],
    step: 0,
};
const WAIST: Opt = Opt {
    name: "waist",
    values: &["28", "30", "32", "34", "36", "38", "40"],
    step: 0,
};
const SHOE_SIZE: Opt = Opt {
    name: "size",
    values: &[
        "UK 3", "UK 4", "UK 5", "UK 6", "UK 7", "UK 8", "UK 9", "UK 10", "UK 11", "UK 12",
    ],
    step: 0,
};
const SOCK_SIZE: Opt = Opt {
    name: "size",
    values: &["UK 3-6", "UK 7-11", "UK 12-14"],
    step: 0,
};
const HAT_SIZE: Opt = Opt {
    name: "size",
    values: &["S/M", "L/XL"],
    step: 0,
};
const COLOUR: Opt = Opt {
    name: "colour",
    values: &[],
    step: 0,
};
const BED_SIZE: Opt = Opt {
    name: "size",
    values: &["Single", "Small Double", "Double", "King", "Super King"],
    step: 5000,
};
const BEDDING_SIZE: Opt = Opt {
    name: "size",
    values: &["Single", "Double", "King", "Super King"],
    step: 1000,
};
const RUG_SIZE: Opt = Opt {
    name: "size",
    values: &["60 x 90 cm", "120 x 170 cm", "160 x 230 cm", "200 x 290 cm"],
    step: 4000,
};
const LAPTOP_STORAGE: Opt = Opt {
    name: "storage",
    values: &["256GB", "512GB", "1TB", "2TB"],
    step: 10000,
};
const PHONE_STORAGE: Opt = Opt {
    name: "storage",
    values: &["128GB", "256GB", "512GB", "1TB"],
    step: 10000,
};
const TV_SIZE: Opt = Opt {
    name: "screen_size",
    values: &["43 inch", "50 inch", "55 inch", "65 inch", "75 inch"],
    step: 20000,
};
const VOLUME: Opt = Opt {
    name: "size",
    values: &["30ml", "50ml", "100ml", "200ml"],
    step: 800,
};
const PERFUME_SIZE: Opt = Opt {
    name: "size",
    values: &["30ml", "50ml", "100ml"],
    step: 2000,
};
const WEIGHT: Opt = Opt {
    name: "weight",
    values: &[
        "2 kg", "4 kg", "6 kg", "8 kg", "10 kg", "12 kg", "16 kg", "20 kg",
    ],
    step: 1000,
};
const BERTHS: Opt = Opt {
    name: "berths",
    values: &["1 person", "2 person", "3 person", "4 person", "6 person"],
    step: 4000,
};
const FRAME_SIZE: Opt = Opt {
    name: "frame_size",
    values: &["XS", "S", "M", "L", "XL"],
    step: 0,
};
const PACK: Opt = Opt {
    name: "pack_size",
    values: &["Single", "Set of 2", "Set of 4", "Set of 6"],
    step: 800,
};
const BAG_SIZE: Opt = Opt {
    name: "size",
    values: &["Small", "Medium", "Large"],
    step: 1000,
};
const KIT: Opt = Opt {
    name: "kit",
    values: &[
        "Body only",
        "With 2.0Ah battery",
        "With 4.0Ah battery",
        "With 2 batteries",
    ],
    step: 3000,
};

// Attributes.
const YES_NO: &[&str] = &["Yes", "No"];
const FIT: Attr = (
    "fit",
    &["Slim", "Regular", "Relaxed", "Oversized", "Tailored"],
);
const SIZE_RANGE: Attr = (
    "size_range",
    &["XS-XL", "S-XXL", "XS-XXL", "S-XL", "XXS-XL"],
);
const WAIST_RANGE: Attr = ("size_range", &["W28-W38", "W30-W40", "W26-W36"]);
const SHOE_RANGE: Attr = ("size_range", &["UK 3-8", "UK 6-12", "UK 4-11", "UK 5-13"]);
const GENDER: Attr = ("gender", &["Men", "Women", "Unisex"]);
const CARE: Attr = (
    "care",
    &[
        "Machine wash 30C",
        "Machine wash 40C",
        "Hand wash only",
        "Dry clean only",
        "Cool wash, dry flat",
    ],
);
const SEASON: Attr = ("season", &["All season", "Spring/Summer", "Autumn/Winter"]);
const NECKLINE: Attr = ("neckline", &["Crew neck", "V-neck", "Scoop neck", "Henley"]);
const SLEEVE: Attr = (
    "sleeve_length",
    &["Short sleeve", "Long sleeve", "Sleeveless"],
);
const DRESS_LENGTH: Attr = ("length", &["Mini", "Knee length", "Midi", "Maxi"]);
const RISE: Attr = ("rise", &["Low rise", "Mid rise", "High rise"]);
const WATERPROOF: Attr = (
    "waterproof_rating",
    &["5,000 mm", "10,000 mm", "20,000 mm", "Water resistant"],
);
const INSULATION: Attr = (
    "insulation",
    &["Recycled synthetic", "Duck down", "Goose down", "None"],
);
const SOLE: Attr = (
    "sole",
    &["Rubber", "EVA foam", "Lugged rubber", "Leather", "Crepe"],
);
const CLOSURE: Attr = (
    "closure",
    &["Lace-up", "Slip-on", "Zip", "Buckle", "Hook and loop"],
);
const BAG_CAPACITY: Attr = (
    "capacity",
    &[
        "12 litres",
        "18 litres",
        "20 litres",
        "25 litres",
        "30 litres",
    ],
);
const FITS_LAPTOP: Attr = ("fits_laptop", &["13 inch", "14 inch", "15 inch", "16 inch"]);
const MOVEMENT: Attr = ("movement", &["Quartz", "Automatic", "Solar", "Mechanical"]);
const WATER_RESISTANCE: Attr = ("water_resistance", &["30 m", "50 m", "100 m", "200 m"]);
const LENS: Attr = ("lens", &["Polarised", "UV400", "Photochromic", "Gradient"]);
const ASSEMBLY: Attr = (
    "assembly",
    &["Fully assembled", "Self assembly", "Legs attach"],
);
const FINISH: Attr = (
    "finish",
    &[
        "Natural oak",
        "Walnut veneer",
        "Matt black",
        "White lacquer",
        "Smoked oak",
    ],
);
const SEATS: Attr = ("seats", &["1", "2", "3", "4"]);
const TOG: Attr = ("tog", &["4.5 tog", "7.5 tog", "10.5 tog", "13.5 tog"]);
const THREAD_COUNT: Attr = ("thread_count", &["200", "300", "400", "600"]);
const BULB: Attr = ("bulb_type", &["E27", "E14", "GU10", "Integrated LED"]);
const DIMMABLE: Attr = ("dimmable", YES_NO);
const PILE: Attr = ("pile", &["Low pile", "Flatweave", "Shaggy", "Hand-tufted"]);
const HOB: Attr = (
    "hob_compatibility",
    &[
        "All hobs including induction",
        "Gas and electric",
        "Not induction",
    ],
);
const DISHWASHER_SAFE: Attr = ("dishwasher_safe", YES_NO);
const OVEN_SAFE: Attr = ("oven_safe", &["Up to 180C", "Up to 220C", "Up to 260C"]);
const BLADE: Attr = ("blade_length", &["8 cm", "15 cm", "20 cm", "23 cm"]);
const POWER: Attr = ("power", &["800 W", "1200 W", "1500 W", "2200 W", "3000 W"]);
const PRESSURE: Attr = ("pressure", &["9 bar", "15 bar", "19 bar"]);
const CUP_CAPACITY: Attr = ("capacity", &["250 ml", "350 ml", "400 ml", "500 ml"]);
const WARRANTY: Attr = ("warranty", &["1 year", "2 years", "3 years"]);
const CONNECTIVITY: Attr = (
    "connectivity",
    &[
        "Bluetooth 5.3",
        "Bluetooth 5.0",
        "Wi-Fi 6",
        "Wi-Fi 6E",
        "USB-C",
    ],
);
const PROCESSOR: Attr = ("processor", &["8-core", "10-core", "12-core", "16-core"]);
const MEMORY: Attr = ("memory", &["8GB", "16GB", "32GB", "64GB"]);
const LAPTOP_SCREEN: Attr = (
    "screen_size",
    &["13.3 inch", "14 inch", "15.6 inch", "16 inch"],
);
const OS: Attr = ("operating_system", &["Windows 11", "Linux"]);
const RESOLUTION: Attr = (
    "resolution",
    &["1920 x 1080", "2560 x 1440", "3840 x 2160", "3440 x 1440"],
);
const REFRESH: Attr = (
    "refresh_rate",
    &["60 Hz", "75 Hz", "144 Hz", "165 Hz", "240 Hz"],
);
const PANEL: Attr = ("panel", &["IPS", "VA", "OLED"]);
const NOISE_CANCELLING: Attr = ("noise_cancelling", YES_NO);
const BATTERY_LIFE: Attr = (
    "battery_life",
    &["10 hours", "20 hours", "30 hours", "40 hours", "60 hours"],
);
const IP_RATING: Attr = ("ip_rating", &["IPX4", "IPX5", "IP67", "None"]);
const PHONE_SCREEN: Attr = ("screen_size", &["6.1 inch", "6.4 inch", "6.7 inch"]);
const CAMERA_MP: Attr = ("main_camera", &["48 MP", "50 MP", "108 MP", "200 MP"]);
const NETWORK: Attr = ("network", &["5G", "4G"]);
const COMPATIBILITY: Attr = (
    "compatibility",
    &["USB-C devices", "Most smartphones", "Qi devices"],
);
const OUTPUT: Attr = ("output", &["20 W", "30 W", "65 W", "100 W"]);
const TV_RES: Attr = ("resolution", &["4K Ultra HD", "Full HD", "8K"]);
const HDR: Attr = ("hdr", &["HDR10", "HDR10+", "HLG"]);
const SENSOR: Attr = (
    "sensor",
    &["Full frame", "APS-C", "Micro Four Thirds", "1 inch"],
);
const MEGAPIXELS: Attr = ("megapixels", &["20 MP", "24 MP", "33 MP", "45 MP"]);
const DROP: Attr = ("heel_drop", &["4 mm", "6 mm", "8 mm", "10 mm", "12 mm"]);
const TERRAIN: Attr = ("terrain", &["Road", "Trail", "Track", "Mixed"]);
const CUSHIONING: Attr = ("cushioning", &["Light", "Moderate", "Max"]);
const THICKNESS: Attr = ("thickness", &["3 mm", "4 mm", "6 mm", "8 mm"]);
const GRIP: Attr = ("grip", &["Knurled", "Rubber coated", "Neoprene"]);
const SEASON_RATING: Attr = ("season_rating", &["2 season", "3 season", "4 season"]);
const PACK_WEIGHT: Attr = (
    "pack_weight",
    &["0.9 kg", "1.2 kg", "1.8 kg", "2.6 kg", "4.5 kg"],
);
const GEARS: Attr = ("gears", &["1 speed", "8 speed", "11 speed", "12 speed"]);
const WHEEL: Attr = ("wheel_size", &["27.5 inch", "29 inch", "700c", "650b"]);
const SKIN_TYPE: Attr = (
    "skin_type",
    &["All skin types", "Dry", "Oily", "Combination", "Sensitive"],
);
const INGREDIENT: Attr = (
    "key_ingredient",
    &[
        "Hyaluronic acid",
        "Niacinamide",
        "Vitamin C",
        "Retinol",
        "Ceramides",
        "Squalane",
        "Aloe vera",
        "Shea butter",
    ],
);
const SCENT: Attr = (
    "scent",
    &[
        "Unscented",
        "Citrus",
        "Lavender",
        "Sandalwood",
        "Fig",
        "Vetiver",
        "Rose",
        "Cedarwood",
    ],
);
const VEGAN: Attr = ("vegan", YES_NO);
const HAIR_TYPE: Attr = (
    "hair_type",
    &["All hair types", "Curly", "Fine", "Coloured", "Thick"],
);
const FRAGRANCE_FAMILY: Attr = (
    "fragrance_family",
    &["Woody", "Floral", "Fresh", "Amber", "Citrus", "Aromatic"],
);
const AGE: Attr = (
    "age_range",
    &["3+", "5+", "8+", "10+", "12+", "14+", "Adult"],
);
const PLAYERS: Attr = ("players", &["1-4", "2-4", "2-6", "3-8"]);
const PLAY_TIME: Attr = (
    "play_time",
    &["15 minutes", "30 minutes", "60 minutes", "90 minutes"],
);
const POWER_SOURCE: Attr = ("power_source", &["18V battery", "Corded", "36V battery"]);
const FUEL: Attr = ("fuel", &["Charcoal", "Gas", "Wood", "Electric", "Pellet"]);
const WEATHERPROOF: Attr = ("weatherproof", YES_NO);
const HANDLE: Attr = ("handle", &["Ash wood", "Fibreglass", "Steel", "Soft grip"]);

// Leaf-specific features and closing sentences.
const SOFT_FEATURES: &[&str] = &[
    "a hidden zip closure",
    "hand-finished edges",
    "a generous weight",
    "piped edges",
    "a tight, even weave",
    "double-stitched hems",
    "a soft brushed finish",
    "envelope closures",
];
const SOFT_CLOSERS: &[&str] = &[
    "Machine washable at 40 degrees.",
    "Spot clean only.",
    "Made in Portugal.",
    "Woven in India.",
    "Tumble dry low.",
];
const RUG_FEATURES: &[&str] = &[
    "a non-slip backing",
    "bound edges",
    "a dense pile",
    "hand-knotted tassels",
    "a reversible design",
    "a low profile that clears doors",
];
const LIGHTING_FEATURES: &[&str] = &[
    "an inline switch",
    "a braided fabric cable",
    "an adjustable head",
    "a weighted base",
    "a linen shade",
    "a brass finish",
    "a ceiling rose",
    "a frosted diffuser",
];
const LIGHTING_CLOSERS: &[&str] = &[
    "Bulb not included.",
    "Suitable for LED bulbs.",
    "Designed in London.",
    "Some assembly required.",
];
const SOCK_FEATURES: &[&str] = &[
    "a cushioned sole",
    "a reinforced heel",
    "a seamless toe",
    "a soft waistband",
    "a ribbed cuff",
    "arch support",
    "a flat-knit finish",
    "a stay-up top",
];
const KIT_FEATURES: &[&str] = &[
    "a carry strap",
    "a non-slip surface",
    "a compact pack size",
    "a stuff sack",
    "reflective details",
    "tool-free adjustment",
    "a durable powder coat",
    "a lightweight build",
    "a grippy texture",
    "quick-release fittings",
];
const KIT_CLOSERS: &[&str] = &[
    "Backed by a lifetime repair service.",
    "Packs down small for travel.",
    "Tested in the Lake District.",
    "Comes with a two-year warranty.",
];
const GARDEN_LIVING_FEATURES: &[&str] = &[
    "foldable legs",
    "a weatherproof finish",
    "adjustable feet",
    "a rust-resistant coating",
    "wheels for easy moving",
    "a fitted cover",
    "quick assembly",
    "a lightweight frame",
];
const GARDEN_LIVING_CLOSERS: &[&str] = &[
    "Weatherproof for year-round use.",
    "Some assembly required.",
    "Comes with a three-year warranty.",
    "Cover sold separately.",
];
const HAND_TOOL_FEATURES: &[&str] = &[
    "a soft-grip handle",
    "a rust-resistant coating",
    "a hanging hole",
    "a hardened edge",
    "a balanced weight",
    "a carry case",
    "a magnetic tip",
    "a sprung action",
];
const HAND_TOOL_CLOSERS: &[&str] = &[
    "Comes with a lifetime guarantee.",
    "Forged in Sheffield.",
    "Built to be passed down.",
];
const GROOMING_FEATURES: &[&str] = &[
    "a cordless design",
    "a travel pouch",
    "a precision head",
    "USB-C charging",
    "three heat settings",
    "a cool shot button",
    "a pressure sensor",
    "a two-minute timer",
];
const GROOMING_CLOSERS: &[&str] = &[
    "Comes with a two-year warranty.",
    "UK plug.",
    "Travel pouch included.",
];
const WATCH_FEATURES: &[&str] = &[
    "a sapphire-coated crystal",
    "a quick-release strap",
    "luminous hands",
    "a screw-down crown",
    "polarised lenses",
    "spring hinges",
    "a hard case",
    "a date window",
];
const WATCH_CLOSERS: &[&str] = &[
    "Comes with a two-year warranty.",
    "Gift boxed.",
    "Hard case included.",
];
const APPLIANCE_FEATURES: &[&str] = &[
    "a keep-warm function",
    "a removable drip tray",
    "a built-in timer",
    "variable speed control",
    "a cool-touch exterior",
    "a limescale filter",
    "a digital display",
    "dishwasher-safe parts",
];
const APPLIANCE_CLOSERS: &[&str] = &[
    "Comes with a two-year warranty.",
    "UK plug.",
    "Recipe booklet included.",
];
const TABLEWARE_FEATURES: &[&str] = &[
    "a reactive glaze",
    "a comfortable handle",
    "a speckled finish",
    "a generous capacity",
    "stackable shapes",
    "a rolled rim",
    "a hand-dipped glaze",
    "a matte exterior",
];
const TABLEWARE_CLOSERS: &[&str] = &[
    "Dishwasher safe.",
    "Microwave safe.",
    "Hand wash recommended.",
    "Made in Stoke-on-Trent.",
];

const LEAVES: &[Leaf] = &[
    // --- Clothing
    Leaf {
        group: CLOTHING,
        path: &["Clothing", "Knitwear", "Sweaters"],
        weight: 4,
        nouns: &["Sweater", "Jumper", "Pullover", "Cardigan", "Knit Sweater"],
        styles: &[
            "Crew Neck",
            "V-Neck",
            "Cable Knit",
            "Roll Neck",
            "Ribbed",
            "Fisherman",
            "Chunky",
            "Fine Knit",
            "Half Zip",
            "Fair Isle",
        ],
        materials: Some(&[
            ("Merino", "Merino wool"),
            ("Lambswool", "Lambswool"),
            ("Cashmere", "Cashmere"),
            ("Cotton", "Cotton"),
            ("Alpaca", "Alpaca blend"),
            ("Mohair", "Mohair blend"),
            ("Shetland", "Shetland wool"),
        ]),
        price: (2500, 22000),
        options: &[SIZE, COLOUR],
        attrs: &[FIT, SIZE_RANGE, GENDER, CARE],
        model_pct: 0,
        features: None,
        closers: None,
    },
    Leaf {
        group: CLOTHING,
        path: &["Clothing", "Tops", "T-Shirts"],
        weight: 5,
        nouns: &[
            "T-Shirt",
            "Tee",
            "Pocket Tee",
            "Long Sleeve Tee",
            "Graphic T-Shirt",
            "Tank Top",
        ],
        styles: &[
            "Crew Neck",
            "V-Neck",
            "Boxy",
            "Slim Fit",
            "Ringer",
            "Raglan",
            "Henley",
            "Heavyweight",
        ],
        materials: None,
        price: (800, 4500),
        options: &[SIZE, COLOUR],
        attrs: &[FIT, SIZE_RANGE, GENDER, NECKLINE, SLEEVE],
        model_pct: 0,
        features: None,
        closers: None,
    },
    Leaf {
        group: CLOTHING,
        path: &["Clothing", "Tops", "Shirts"],
        weight: 3,
        nouns: &[
            "Shirt",
            "Oxford Shirt",
            "Flannel Shirt",
            "Overshirt",
            "Button-Down Shirt",
            "Linen Shirt",
            "Blouse",
        ],
        styles: &[
            "Grandad Collar",
            "Check",
            "Striped",
            "Chambray",
            "Poplin",
            "Camp Collar",
        ],
        materials: None,
        price: (2000, 9500),
        options: &[SIZE, COLOUR],
        attrs: &[FIT, SIZE_RANGE, GENDER, SLEEVE, CARE],
        model_pct: 0,
        features: None,
        closers: None,
    },
    Leaf {
        group: CLOTHING,
        path: &["Clothing", "Tops", "Hoodies & Sweatshirts"],
        weight: 3,
        nouns: &[
            "Hoodie",
            "Sweatshirt",
            "Zip Hoodie",
            "Crewneck Sweatshirt",
            "Hooded Top",
        ],
        styles: &[
            "Loopback",
            "Fleece-Back",
            "Oversized",
            "Embroidered",
            "Quarter Zip",
        ],
        materials: None,
        price: (2500, 9000),
        options: &[SIZE, COLOUR],
        attrs: &[FIT, SIZE_RANGE, GENDER, CARE],
        model_pct: 0,
        features: None,
        closers: None,
    },
    Leaf {
        group: CLOTHING,
        path: &["Clothing", "Outerwear", "Jackets"],
        weight: 3,
        nouns: &[
            "Jacket",
            "Puffer Jacket",
            "Rain Jacket",
            "Bomber Jacket",
            "Field Jacket",
            "Parka",
            "Anorak",
            "Gilet",
        ],
        styles: &[
            "Quilted",
            "Hooded",
            "Packable",
            "Cropped",
            "Chore",
            "Harrington",
            "Padded",
        ],
        materials: Some(&[
            ("Waxed Cotton", "Waxed cotton"),
            ("Nylon", "Recycled nylon"),
            ("Denim", "Denim"),
            ("Suede", "Suede"),
            ("Leather", "Leather"),
            ("Corduroy", "Corduroy"),
            ("Wool", "Wool blend"),
        ]),
        price: (4000, 30000),
        options: &[SIZE],
        attrs: &[FIT, SIZE_RANGE, GENDER, WATERPROOF, INSULATION],
        model_pct: 0,
        features: None,
        closers: None,
    },
    Leaf {
        group: CLOTHING,
        path: &["Clothing", "Outerwear", "Coats"],
        weight: 2,
        nouns: &[
            "Coat",
            "Overcoat",
            "Trench Coat",
            "Peacoat",
            "Duffle Coat",
            "Car Coat",
        ],
        styles: &[
            "Double-Breasted",
            "Single-Breasted",
            "Belted",
            "Longline",
            "Herringbone",
        ],
        materials: Some(&[
            ("Wool", "Wool blend"),
            ("Cashmere", "Wool cashmere blend"),
            ("Tweed", "Tweed"),
            ("Gabardine", "Cotton gabardine"),
            ("Melton", "Melton wool"),
        ]),
        price: (8000, 45000),
        options: &[SIZE],
        attrs: &[FIT, SIZE_RANGE, GENDER, SEASON],
        model_pct: 0,
        features: None,
        closers: None,
    },
    Leaf {
        group: CLOTHING,
        path: &["Clothing", "Trousers", "Jeans"],
        weight: 3,
        nouns: &["Jeans", "Denim Jeans", "Mom Jeans", "Carpenter Jeans"],
        styles: &[
            "Slim",
            "Straight Leg",
            "Tapered",
            "Bootcut",
            "Wide Leg",
            "Skinny",
            "Stonewash",
        ],
        materials: Some(&[
            ("Selvedge", "Selvedge denim"),
            ("Stretch", "Stretch denim"),
            ("Raw", "Raw denim"),
            ("Organic", "Organic cotton denim"),
            ("Recycled", "Recycled denim"),
        ]),
        price: (3000, 14000),
        options: &[WAIST],
        attrs: &[FIT, WAIST_RANGE, GENDER, RISE],
        model_pct: 0,
        features: None,
        closers: None,
    },
    Leaf {
        group: CLOTHING,
        path: &["Clothing", "Trousers", "Chinos & Trousers"],
        weight: 3,
        nouns: &[
            "Chinos",
            "Trousers",
            "Pants",
            "Cargo Trousers",
            "Cargo Pants",
            "Joggers",
            "Shorts",
            "Chino Shorts",
        ],
        styles: &[
            "Pleated",
            "Drawstring",
            "Wide Leg",
            "Tapered",
            "Straight Leg",
            "Cropped",
        ],
        materials: Some(&[
            ("Cotton", "Cotton twill"),
            ("Corduroy", "Corduroy"),
            ("Linen", "Linen"),
            ("Stretch", "Stretch cotton"),
            ("Ripstop", "Cotton ripstop"),
        ]),
        price: (2500, 11000),
        options: &[WAIST, COLOUR],
        attrs: &[FIT, WAIST_RANGE, GENDER, RISE],
        model_pct: 0,
        features: None,
        closers: None,
    },
    Leaf {
        group: CLOTHING,
        path: &["Clothing", "Dresses & Skirts"],
        weight: 3,
        nouns: &[
            "Dress",
            "Midi Dress",
            "Maxi Dress",
            "Shirt Dress",
            "Wrap Dress",
            "Slip Dress",
            "Skirt",
            "Midi Skirt",
            "Pleated Skirt",
        ],
        styles: &[
            "Floral",
            "Tiered",
            "Smocked",
            "Polka Dot",
            "Ditsy Print",
            "Button-Through",
        ],
        materials: Some(&[
            ("Linen", "Linen"),
            ("Cotton", "Cotton"),
            ("Silk", "Silk"),
            ("Satin", "Satin"),
            ("Viscose", "Viscose"),
            ("Jersey", "Jersey"),
            ("Crepe", "Crepe"),
        ]),
        price: (2500, 16000),
        options: &[SIZE],
        attrs: &[FIT, SIZE_RANGE, DRESS_LENGTH, SLEEVE],
        model_pct: 0,
        features: None,
        closers: None,
    },
    Leaf {
        group: CLOTHING,
        path: &["Clothing", "Underwear & Socks", "Socks"],
        weight: 3,
        nouns: &[
            "Socks",
            "Ankle Socks",
            "Crew Socks",
            "Hiking Socks",
            "Trainer Socks",
        ],
        styles: &[
            "3 Pack",
            "5 Pack",
            "Striped",
            "Ribbed",
            "Cushioned",
            "Patterned",
        ],
        materials: Some(&[
            ("Merino", "Merino wool"),
            ("Cotton", "Cotton"),
            ("Bamboo", "Bamboo viscose"),
            ("Wool", "Wool blend"),
            ("Cashmere", "Cashmere blend"),
        ]),
        price: (500, 2500),
        options: &[SOCK_SIZE],
        attrs: &[GENDER, CARE],
        model_pct: 0,
        features: Some(SOCK_FEATURES),
        closers: None,
    },
    Leaf {
        group: CLOTHING,
        path: &["Clothing", "Underwear & Socks", "Underwear"],
        weight: 2,
        nouns: &[
            "Boxer Briefs",
            "Boxers",
            "Briefs",
            "Bralette",
            "Trunks",
            "Pyjamas",
            "Robe",
        ],
        styles: &["3 Pack", "2 Pack", "Seamless", "Lounge"],
        materials: Some(&[
            ("Cotton", "Cotton stretch"),
            ("Modal", "Modal"),
            ("Bamboo", "Bamboo viscose"),
            ("Organic Cotton", "Organic cotton"),
            ("Silk", "Silk"),
        ]),
        price: (900, 6000),
        options: &[SIZE],
        attrs: &[SIZE_RANGE, GENDER, CARE],
        model_pct: 0,
        features: Some(SOCK_FEATURES),
        closers: None,
    },
    // --- Footwear
    Leaf {
        group: FOOTWEAR,
        path: &["Footwear", "Trainers"],
        weight: 4,
        nouns: &[
            "Trainers",
            "Sneakers",
            "Low Top Sneakers",
            "High Top Trainers",
            "Court Trainers",
            "Canvas Sneakers",
        ],
        styles: &[
            "Retro Runner",
            "Platform",
            "Chunky",
            "Court",
            "Gum Sole",
            "Slip-On",
        ],
        materials: None,
        price: (3500, 15000),
        options: &[SHOE_SIZE],
        attrs: &[SHOE_RANGE, GENDER, SOLE, CLOSURE],
        model_pct: 0,
        features: None,
        closers: None,
    },
    Leaf {
        group: FOOTWEAR,
        path: &["Footwear", "Boots"],
        weight: 3,
        nouns: &[
            "Boots",
            "Chelsea Boots",
            "Hiking Boots",
            "Work Boots",
            "Ankle Boots",
            "Wellington Boots",
            "Wellies",
        ],
        styles: &[
            "Lace-Up",
            "Lug Sole",
            "Shearling-Lined",
            "Commando Sole",
            "Goodyear Welted",
        ],
        materials: None,
        price: (4500, 25000),
        options: &[SHOE_SIZE],
        attrs: &[SHOE_RANGE, GENDER, SOLE, CLOSURE, WATERPROOF],
        model_pct: 0,
        features: None,
        closers: None,
    },
    Leaf {
        group: FOOTWEAR,
        path: &["Footwear", "Shoes"],
        weight: 2,
        nouns: &[
            "Loafers",
            "Derby Shoes",
            "Brogues",
            "Oxford Shoes",
            "Boat Shoes",
            "Espadrilles",
            "Ballet Flats",
        ],
        styles: &["Penny", "Tassel", "Wingtip", "Crepe Sole", "Unlined"],
        materials: None,
        price: (4000, 22000),
        options: &[SHOE_SIZE],
        attrs: &[SHOE_RANGE, GENDER, SOLE],
        model_pct: 0,
        features: None,
        closers: None,
    },
    Leaf {
        group: FOOTWEAR,
        path: &["Footwear", "Sandals & Slippers"],
        weight: 2,
        nouns: &[
            "Sandals",
            "Slides",
            "Flip Flops",
            "Slippers",
            "Mules",
            "Moccasins",
        ],
        styles: &["Two Strap", "Footbed", "Sheepskin", "Woven", "Cross Strap"],
        materials: None,
        price: (1500, 9000),
        options: &[SHOE_SIZE],
        attrs: &[SHOE_RANGE, GENDER, CLOSURE],
        model_pct: 0,
        features: None,
        closers: None,
    },
    // --- Bags & Accessories
    Leaf {
        group: BAGS,
        path: &["Bags & Accessories", "Bags", "Backpacks"],
        weight: 3,
        nouns: &[
            "Backpack",
            "Rucksack",
            "Daypack",
            "Roll-Top Backpack",
            "Laptop Backpack",
        ],
        styles: &["20L", "25L", "30L", "Roll-Top", "Flap", "Commuter"],
        materials: None,
        price: (3000, 18000),
        options: &[COLOUR],
        attrs: &[BAG_CAPACITY, FITS_LAPTOP, WATERPROOF],
        model_pct: 0,
        features: None,
        closers: None,
    },
    Leaf {
        group: BAGS,
        path: &["Bags & Accessories", "Bags", "Totes & Shoulder Bags"],
        weight: 2,
        nouns: &[
            "Tote Bag",
            "Tote",
            "Shopper",
            "Shoulder Bag",
            "Crossbody Bag",
            "Bucket Bag",
        ],
        styles: &["Zip-Top", "Quilted", "Woven", "Chain Strap"],
        materials: None,
        price: (2000, 25000),
        options: &[COLOUR, BAG_SIZE],
        attrs: &[GENDER],
        model_pct: 0,
        features: None,
        closers: None,
    },
    Leaf {
        group: BAGS,
        path: &["Bags & Accessories", "Bags", "Laptop Bags"],
        weight: 2,
        nouns: &[
            "Laptop Sleeve",
            "Laptop Case",
            "Tablet Sleeve",
            "Briefcase",
            "Messenger Bag",
        ],
        styles: &[
            "13 Inch", "14 Inch", "15 Inch", "16 Inch", "Padded", "Slimline",
        ],
        materials: None,
        price: (1500, 15000),
        options: &[COLOUR],
        attrs: &[FITS_LAPTOP],
        model_pct: 0,
        features: None,
        closers: None,
    },
    Leaf {
        group: BAGS,
        path: &["Bags & Accessories", "Wallets & Belts"],
        weight: 2,
        nouns: &[
            "Wallet",
            "Cardholder",
            "Card Holder",
            "Billfold",
            "Coin Purse",
            "Belt",
        ],
        styles: &["RFID", "Zip Around", "Bifold", "Trifold", "Braided"],
        materials: None,
        price: (1500, 9000),
        options: &[COLOUR],
        attrs: &[GENDER],
        model_pct: 0,
        features: None,
        closers: None,
    },
    Leaf {
        group: BAGS,
        path: &["Bags & Accessories", "Hats, Scarves & Gloves"],
        weight: 3,
        nouns: &[
            "Beanie",
            "Cap",
            "Baseball Cap",
            "Bucket Hat",
            "Flat Cap",
            "Scarf",
            "Gloves",
            "Mittens",
            "Snood",
        ],
        styles: &[
            "Ribbed",
            "Fisherman",
            "Pom Pom",
            "Checked",
            "Fleece-Lined",
            "Touchscreen",
        ],
        materials: Some(&[
            ("Wool", "Wool"),
            ("Cotton", "Cotton"),
            ("Merino", "Merino wool"),
            ("Tweed", "Tweed"),
            ("Cashmere", "Cashmere"),
            ("Lambswool", "Lambswool"),
        ]),
        price: (1000, 8000),
        options: &[HAT_SIZE, COLOUR],
        attrs: &[GENDER, CARE],
        model_pct: 0,
        features: None,
        closers: None,
    },
    Leaf {
        group: BAGS,
        path: &["Bags & Accessories", "Watches & Sunglasses"],
        weight: 2,
        nouns: &[
            "Watch",
            "Wristwatch",
            "Field Watch",
            "Dive Watch",
            "Chronograph",
            "Sunglasses",
            "Aviator Sunglasses",
            "Shades",
        ],
        styles: &["38mm", "40mm", "42mm", "Round", "Square", "Vintage-Style"],
        materials: Some(&[
            ("Steel", "Stainless steel"),
            ("Titanium", "Titanium"),
            ("Acetate", "Acetate"),
            ("Bamboo", "Bamboo"),
            ("Gold-Tone", "Gold-plated steel"),
        ]),
        price: (2500, 45000),
        options: &[],
        attrs: &[GENDER, MOVEMENT, WATER_RESISTANCE, LENS],
        model_pct: 0,
        features: Some(WATCH_FEATURES),
        closers: Some(WATCH_CLOSERS),
    },
    // --- Home & Furniture
    Leaf {
        group: HOME,
        path: &["Home & Furniture", "Living Room", "Sofas & Armchairs"],
        weight: 3,
        nouns: &[
            "Sofa",
            "Couch",
            "Corner Sofa",
            "Sofa Bed",
            "Loveseat",
            "Armchair",
            "Settee",
        ],
        styles: &[
            "2 Seater",
            "3 Seater",
            "Modular",
            "Chesterfield",
            "Chaise",
            "Wingback",
        ],
        materials: Some(&[
            ("Velvet", "Velvet"),
            ("Boucle", "Boucle"),
            ("Linen", "Linen blend"),
            ("Leather", "Leather"),
            ("Corduroy", "Corduroy"),
            ("Tweed", "Wool tweed"),
        ]),
        price: (29900, 249900),
        options: &[COLOUR],
        attrs: &[SEATS, ASSEMBLY, FINISH],
        model_pct: 0,
        features: None,
        closers: None,
    },
    Leaf {
        group: HOME,
        path: &["Home & Furniture", "Living Room", "Tables"],
        weight: 2,
        nouns: &[
            "Coffee Table",
            "Side Table",
            "Nest of Tables",
            "Console Table",
            "Dining Table",
        ],
        styles: &["Round", "Extending", "Drop-Leaf", "Pedestal", "Trestle"],
        materials: Some(&[
            ("Oak", "Solid oak"),
            ("Walnut", "Walnut"),
            ("Marble", "Marble"),
            ("Mango Wood", "Mango wood"),
            ("Glass", "Tempered glass"),
            ("Ash", "Ash"),
        ]),
        price: (7900, 149900),
        options: &[],
        attrs: &[ASSEMBLY, FINISH, SEATS],
        model_pct: 0,
        features: None,
        closers: None,
    },
    Leaf {
        group: HOME,
        path: &["Home & Furniture", "Bedroom", "Beds & Mattresses"],
        weight: 3,
        nouns: &[
            "Bed Frame",
            "Bed",
            "Divan Bed",
            "Ottoman Bed",
            "Mattress",
            "Memory Foam Mattress",
            "Pocket Sprung Mattress",
            "Mattress Topper",
        ],
        styles: &[
            "Upholstered",
            "Four Poster",
            "Storage",
            "Hybrid",
            "Orthopaedic",
            "Slatted",
        ],
        materials: Some(&[
            ("Oak", "Solid oak"),
            ("Pine", "Pine"),
            ("Walnut", "Walnut"),
            ("Velvet", "Velvet"),
            ("Metal", "Powder-coated steel"),
            ("Rattan", "Rattan"),
        ]),
        price: (14900, 179900),
        options: &[BED_SIZE],
        attrs: &[ASSEMBLY, FINISH],
        model_pct: 0,
        features: None,
        closers: None,
    },
    Leaf {
        group: HOME,
        path: &["Home & Furniture", "Bedroom", "Bedding"],
        weight: 3,
        nouns: &[
            "Duvet",
            "Comforter",
            "Pillow",
            "Quilt",
            "Duvet Cover Set",
            "Fitted Sheet",
            "Pillowcases",
            "Bedspread",
        ],
        styles: &[
            "Stonewashed",
            "Waffle",
            "Seersucker",
            "Striped",
            "Embroidered",
            "All Seasons",
        ],
        materials: Some(&[
            ("Egyptian Cotton", "Egyptian cotton"),
            ("Linen", "French linen"),
            ("Percale", "Cotton percale"),
            ("Sateen", "Cotton sateen"),
            ("Bamboo", "Bamboo lyocell"),
            ("Goose Down", "Goose down"),
            ("Flannel", "Brushed cotton flannel"),
        ]),
        price: (1500, 25000),
        options: &[BEDDING_SIZE, COLOUR],
        attrs: &[TOG, THREAD_COUNT, CARE],
        model_pct: 0,
        features: Some(SOFT_FEATURES),
        closers: Some(SOFT_CLOSERS),
    },
    Leaf {
        group: HOME,
        path: &["Home & Furniture", "Lighting"],
        weight: 2,
        nouns: &[
            "Floor Lamp",
            "Table Lamp",
            "Pendant Light",
            "Desk Lamp",
            "Wall Light",
            "Lampshade",
            "Ceiling Light",
        ],
        styles: &[
            "Arc",
            "Globe",
            "Mushroom",
            "Tripod",
            "Swing Arm",
            "Dome",
            "Pleated",
        ],
        materials: Some(&[
            ("Brass", "Brass"),
            ("Ceramic", "Ceramic"),
            ("Glass", "Opal glass"),
            ("Rattan", "Rattan"),
            ("Concrete", "Concrete"),
            ("Marble", "Marble"),
        ]),
        price: (1900, 39900),
        options: &[],
        attrs: &[BULB, DIMMABLE],
        model_pct: 0,
        features: Some(LIGHTING_FEATURES),
        closers: Some(LIGHTING_CLOSERS),
    },
    Leaf {
        group: HOME,
        path: &["Home & Furniture", "Decor", "Rugs"],
        weight: 2,
        nouns: &["Rug", "Runner", "Doormat", "Area Rug", "Hallway Runner"],
        styles: &[
            "Berber",
            "Kilim",
            "Geometric",
            "Striped",
            "Washable",
            "Abstract",
            "Handwoven",
            "Handmade",
        ],
        materials: Some(&[
            ("Wool", "Wool"),
            ("Jute", "Jute"),
            ("Cotton", "Cotton"),
            ("Viscose", "Viscose"),
            ("Sisal", "Sisal"),
            ("Recycled", "Recycled PET"),
        ]),
        price: (2500, 60000),
        options: &[RUG_SIZE],
        attrs: &[PILE],
        model_pct: 0,
        features: Some(RUG_FEATURES),
        closers: Some(SOFT_CLOSERS),
    },
    Leaf {
        group: HOME,
        path: &["Home & Furniture", "Decor", "Cushions & Throws"],
        weight: 3,
        nouns: &[
            "Cushion",
            "Cushion Cover",
            "Throw",
            "Blanket",
            "Bolster",
            "Floor Cushion",
        ],
        styles: &[
            "Tasselled",
            "Piped",
            "Chunky Knit",
            "Herringbone",
            "Fringed",
            "Tufted",
            "Handwoven",
        ],
        materials: Some(&[
            ("Velvet", "Velvet"),
            ("Linen", "Linen"),
            ("Boucle", "Boucle"),
            ("Wool", "Wool"),
            ("Cotton", "Cotton"),
            ("Faux Fur", "Faux fur"),
        ]),
        price: (1200, 12000),
        options: &[],
        attrs: &[CARE],
        model_pct: 0,
        features: Some(SOFT_FEATURES),
        closers: Some(SOFT_CLOSERS),
    },
    Leaf {
        group: HOME,
        path: &["Home & Furniture", "Storage"],
        weight: 2,
        nouns: &[
            "Bookcase",
            "Shelving Unit",
            "Chest of Drawers",
            "Wardrobe",
            "Storage Basket",
            "Shoe Rack",
            "Sideboard",
        ],
        styles: &["Ladder", "Wall-Mounted", "Slim", "Tall", "Low", "Fluted"],
        materials: Some(&[
            ("Oak", "Solid oak"),
            ("Pine", "Pine"),
            ("Walnut", "Walnut"),
            ("Rattan", "Rattan"),
            ("Bamboo", "Bamboo"),
            ("Seagrass", "Seagrass"),
            ("Metal", "Powder-coated steel"),
        ]),
        price: (1500, 99900),
        options: &[],
        attrs: &[ASSEMBLY, FINISH],
        model_pct: 0,
        features: None,
        closers: None,
    },
    Leaf {
        group: HOME,
        path: &["Home & Furniture", "Home Office"],
        weight: 2,
        nouns: &[
            "Desk",
            "Standing Desk",
            "Office Chair",
            "Desk Chair",
            "Writing Desk",
        ],
        styles: &["Height-Adjustable", "Corner", "Swivel", "Ladder", "Compact"],
        materials: Some(&[
            ("Oak", "Solid oak"),
            ("Walnut", "Walnut"),
            ("Mesh", "Mesh"),
            ("Leather", "Leather"),
            ("Bamboo", "Bamboo"),
            ("Steel", "Steel"),
        ]),
        price: (7900, 89900),
        options: &[COLOUR],
        attrs: &[ASSEMBLY, FINISH],
        model_pct: 0,
        features: None,
        closers: None,
    },
    // --- Kitchen & Dining
    Leaf {
        group: KITCHEN,
        path: &["Kitchen & Dining", "Cookware", "Pans"],
        weight: 3,
        nouns: &[
            "Frying Pan",
            "Skillet",
            "Saute Pan",
            "Wok",
            "Griddle Pan",
            "Saucepan",
        ],
        styles: &["20cm", "24cm", "28cm", "Deep", "Shallow", "3 Piece Set"],
        materials: Some(&[
            ("Cast Iron", "Cast iron"),
            ("Carbon Steel", "Carbon steel"),
            ("Stainless", "Tri-ply stainless steel"),
            ("Copper", "Copper"),
            ("Non-Stick", "Non-stick aluminium"),
            ("Enamelled", "Enamelled cast iron"),
        ]),
        price: (1500, 25000),
        options: &[],
        attrs: &[HOB, DISHWASHER_SAFE, OVEN_SAFE],
        model_pct: 0,
        features: None,
        closers: None,
    },
    Leaf {
        group: KITCHEN,
        path: &["Kitchen & Dining", "Cookware", "Casseroles & Bakeware"],
        weight: 2,
        nouns: &[
            "Casserole Dish",
            "Dutch Oven",
            "Stockpot",
            "Roasting Tin",
            "Baking Tray",
            "Loaf Tin",
            "Pie Dish",
        ],
        styles: &["Round", "Oval", "Shallow", "Lidded", "Large"],
        materials: Some(&[
            ("Cast Iron", "Enamelled cast iron"),
            ("Stoneware", "Stoneware"),
            ("Stainless", "Stainless steel"),
            ("Ceramic", "Ceramic"),
            ("Glass", "Borosilicate glass"),
        ]),
        price: (1200, 30000),
        options: &[COLOUR],
        attrs: &[HOB, DISHWASHER_SAFE, OVEN_SAFE],
        model_pct: 0,
        features: None,
        closers: None,
    },
    Leaf {
        group: KITCHEN,
        path: &["Kitchen & Dining", "Knives & Boards"],
        weight: 2,
        nouns: &[
            "Chef Knife",
            "Knife Set",
            "Paring Knife",
            "Bread Knife",
            "Santoku Knife",
            "Chopping Board",
            "Cutting Board",
        ],
        styles: &["Japanese", "German", "Forged", "Magnetic", "End Grain"],
        materials: Some(&[
            ("Damascus", "Damascus steel"),
            ("Carbon Steel", "High-carbon steel"),
            ("Stainless", "Stainless steel"),
            ("Olive Wood", "Olive wood"),
            ("Walnut", "Walnut"),
            ("Bamboo", "Bamboo"),
        ]),
        price: (1200, 35000),
        options: &[],
        attrs: &[BLADE, DISHWASHER_SAFE],
        model_pct: 0,
        features: None,
        closers: None,
    },
    Leaf {
        group: KITCHEN,
        path: &["Kitchen & Dining", "Small Appliances", "Coffee Makers"],
        weight: 2,
        nouns: &[
            "Coffee Machine",
            "Espresso Machine",
            "Cafetiere",
            "French Press",
            "Coffee Grinder",
            "Pour Over Coffee Maker",
            "Moka Pot",
        ],
        styles: &[
            "Bean to Cup",
            "Manual",
            "Burr",
            "Stovetop",
            "Single Serve",
            "8 Cup",
        ],
        materials: Some(&[
            ("Stainless", "Stainless steel"),
            ("Glass", "Borosilicate glass"),
            ("Copper", "Copper"),
            ("Ceramic", "Ceramic"),
            ("Aluminium", "Aluminium"),
        ]),
        price: (1500, 89900),
        options: &[COLOUR],
        attrs: &[PRESSURE, POWER, WARRANTY],
        model_pct: 0,
        features: Some(APPLIANCE_FEATURES),
        closers: Some(APPLIANCE_CLOSERS),
    },
    Leaf {
        group: KITCHEN,
        path: &["Kitchen & Dining", "Small Appliances", "Kitchen Appliances"],
        weight: 3,
        nouns: &[
            "Kettle",
            "Toaster",
            "Blender",
            "Stand Mixer",
            "Air Fryer",
            "Food Processor",
            "Slow Cooker",
            "Hand Blender",
        ],
        styles: &[
            "4 Slice",
            "2 Slice",
            "Rapid Boil",
            "Digital",
            "Dual Basket",
            "1.7L",
        ],
        materials: Some(&[
            ("Stainless", "Brushed stainless steel"),
            ("Glass", "Glass"),
            ("Enamel", "Enamelled steel"),
        ]),
        price: (2000, 59900),
        options: &[COLOUR],
        attrs: &[POWER, WARRANTY],
        model_pct: 0,
        features: Some(APPLIANCE_FEATURES),
        closers: Some(APPLIANCE_CLOSERS),
    },
    Leaf {
        group: KITCHEN,
        path: &["Kitchen & Dining", "Tableware", "Mugs & Glasses"],
        weight: 3,
        nouns: &[
            "Mug",
            "Cup",
            "Travel Mug",
            "Espresso Cups",
            "Tumbler",
            "Wine Glasses",
            "Water Bottle",
            "Carafe",
        ],
        styles: &[
            "Reactive Glaze",
            "Ribbed",
            "Stemless",
            "Leakproof",
            "Handled",
            "Speckled",
            "Glazed",
            "Hand-Thrown",
            "Insulated",
        ],
        materials: Some(&[
            ("Stoneware", "Stoneware"),
            ("Porcelain", "Porcelain"),
            ("Enamel", "Enamel"),
            ("Bone China", "Bone china"),
            ("Glass", "Recycled glass"),
            ("Crystal", "Lead-free crystal"),
            ("Stainless", "Vacuum-insulated stainless steel"),
        ]),
        price: (600, 6000),
        options: &[PACK, COLOUR],
        attrs: &[CUP_CAPACITY, DISHWASHER_SAFE],
        model_pct: 0,
        features: Some(TABLEWARE_FEATURES),
        closers: Some(TABLEWARE_CLOSERS),
    },
    Leaf {
        group: KITCHEN,
        path: &["Kitchen & Dining", "Tableware", "Dinnerware"],
        weight: 2,
        nouns: &[
            "Dinner Set",
            "Plate Set",
            "Bowl",
            "Serving Platter",
            "Pasta Bowls",
            "Side Plates",
        ],
        styles: &[
            "12 Piece",
            "16 Piece",
            "Rimmed",
            "Coupe",
            "Scalloped",
            "Speckled",
            "Glazed",
            "Hand-Thrown",
            "Stackable",
        ],
        materials: Some(&[
            ("Stoneware", "Stoneware"),
            ("Porcelain", "Porcelain"),
            ("Earthenware", "Earthenware"),
            ("Bone China", "Bone china"),
            ("Melamine", "Melamine"),
        ]),
        price: (1200, 20000),
        options: &[PACK],
        attrs: &[DISHWASHER_SAFE],
        model_pct: 0,
        features: Some(TABLEWARE_FEATURES),
        closers: Some(TABLEWARE_CLOSERS),
    },
    // --- Electronics
    Leaf {
        group: ELECTRONICS,
        path: &["Electronics", "Computers", "Laptops"],
        weight: 3,
        nouns: &[
            "Laptop",
            "Notebook",
            "Ultrabook",
            "2-in-1 Laptop",
            "Gaming Laptop",
        ],
        styles: &[
            "13 Inch",
            "14 Inch",
            "15 Inch",
            "16 Inch",
            "OLED",
            "Touchscreen",
        ],
        materials: Some(&[
            ("Aluminium", "Aluminium"),
            ("Magnesium", "Magnesium alloy"),
            ("Recycled", "Recycled plastic"),
        ]),
        price: (40000, 250000),
        options: &[LAPTOP_STORAGE],
        attrs: &[PROCESSOR, MEMORY, LAPTOP_SCREEN, OS, WARRANTY],
        model_pct: 80,
        features: None,
        closers: None,
    },
    Leaf {
        group: ELECTRONICS,
        path: &["Electronics", "Computers", "Monitors"],
        weight: 2,
        nouns: &[
            "Monitor",
            "Display",
            "Gaming Monitor",
            "Ultrawide Monitor",
            "Portable Monitor",
        ],
        styles: &[
            "24 Inch", "27 Inch", "32 Inch", "34 Inch", "4K", "QHD", "Curved", "Gaming", "High-Res",
        ],
        materials: None,
        price: (9900, 129900),
        options: &[],
        attrs: &[RESOLUTION, REFRESH, PANEL, WARRANTY],
        model_pct: 60,
        features: None,
        closers: None,
    },
    Leaf {
        group: ELECTRONICS,
        path: &["Electronics", "Computers", "Keyboards & Mice"],
        weight: 2,
        nouns: &[
            "Keyboard",
            "Mechanical Keyboard",
            "Mouse",
            "Wireless Mouse",
            "Trackpad",
            "Mouse Mat",
            "Keyboard and Mouse Set",
        ],
        styles: &[
            "Tenkeyless",
            "Low Profile",
            "Hot-Swap",
            "Silent",
            "Vertical",
            "RGB",
            "Wireless",
            "Bluetooth",
            "Ergonomic",
            "Gaming",
        ],
        materials: None,
        price: (1500, 25000),
        options: &[COLOUR],
        attrs: &[CONNECTIVITY, WARRANTY],
        model_pct: 50,
        features: None,
        closers: None,
    },
    Leaf {
        group: ELECTRONICS,
        path: &["Electronics", "Audio", "Headphones"],
        weight: 3,
        nouns: &[
            "Headphones",
            "Headset",
            "Earbuds",
            "Earphones",
            "Over-Ear Headphones",
            "True Wireless Earbuds",
        ],
        styles: &[
            "ANC",
            "Open-Back",
            "Studio",
            "Sport",
            "On-Ear",
            "Wireless",
            "Noise-Cancelling",
            "Bluetooth",
            "Low-Latency",
            "Foldable",
        ],
        materials: Some(&[
            ("Aluminium", "Aluminium"),
            ("Recycled", "Recycled plastic"),
            ("Fabric", "Knit fabric"),
            ("Vegan Leather", "Vegan leather"),
        ]),
        price: (1900, 45000),
        options: &[COLOUR],
        attrs: &[NOISE_CANCELLING, BATTERY_LIFE, CONNECTIVITY, WARRANTY],
        model_pct: 70,
        features: None,
        closers: None,
    },
    Leaf {
        group: ELECTRONICS,
        path: &["Electronics", "Audio", "Speakers"],
        weight: 2,
        nouns: &[
            "Speaker",
            "Bluetooth Speaker",
            "Soundbar",
            "Smart Speaker",
            "Bookshelf Speakers",
            "Turntable",
        ],
        styles: &[
            "Waterproof",
            "360",
            "Stereo",
            "Spatial Audio",
            "Outdoor",
            "Wireless",
            "Bluetooth",
            "Portable",
        ],
        materials: Some(&[
            ("Fabric", "Knit fabric"),
            ("Aluminium", "Aluminium"),
            ("Walnut", "Walnut veneer"),
            ("Recycled", "Recycled plastic"),
        ]),
        price: (2900, 99900),
        options: &[COLOUR],
        attrs: &[BATTERY_LIFE, IP_RATING, CONNECTIVITY, WARRANTY],
        model_pct: 60,
        features: None,
        closers: None,
    },
    Leaf {
        group: ELECTRONICS,
        path: &["Electronics", "Phones & Tablets", "Mobile Phones"],
        weight: 2,
        nouns: &["Smartphone", "Mobile Phone", "Phone", "Tablet", "E-Reader"],
        styles: &["5G", "Dual SIM", "Unlocked", "Rugged", "Foldable"],
        materials: Some(&[
            ("Aluminium", "Aluminium"),
            ("Titanium", "Titanium"),
            ("Glass", "Toughened glass"),
        ]),
        price: (12900, 149900),
        options: &[PHONE_STORAGE, COLOUR],
        attrs: &[PHONE_SCREEN, CAMERA_MP, NETWORK, WARRANTY],
        model_pct: 90,
        features: None,
        closers: None,
    },
    Leaf {
        group: ELECTRONICS,
        path: &["Electronics", "Phones & Tablets", "Phone Accessories"],
        weight: 3,
        nouns: &[
            "Phone Case",
            "Charger",
            "Charging Cable",
            "Power Bank",
            "Wireless Charger",
            "Screen Protector",
            "Car Mount",
        ],
        styles: &["Magnetic", "GaN", "Braided", "Clear", "Rugged", "10000mAh"],
        materials: None,
        price: (900, 7900),
        options: &[COLOUR],
        attrs: &[COMPATIBILITY, OUTPUT, WARRANTY],
        model_pct: 20,
        features: None,
        closers: None,
    },
    Leaf {
        group: ELECTRONICS,
        path: &["Electronics", "TV & Home Cinema"],
        weight: 2,
        nouns: &[
            "Smart TV",
            "Television",
            "TV",
            "Projector",
            "Streaming Stick",
        ],
        styles: &["4K", "OLED", "QLED", "Mini LED", "Ambient"],
        materials: None,
        price: (2900, 299900),
        options: &[TV_SIZE],
        attrs: &[TV_RES, HDR, CONNECTIVITY, WARRANTY],
        model_pct: 70,
        features: None,
        closers: None,
    },
    Leaf {
        group: ELECTRONICS,
        path: &["Electronics", "Cameras & Wearables"],
        weight: 2,
        nouns: &[
            "Camera",
            "Mirrorless Camera",
            "Action Camera",
            "Instant Camera",
            "Camera Lens",
            "Smartwatch",
            "Fitness Tracker",
        ],
        styles: &["Vlogging", "Weather-Sealed", "GPS", "Kit", "Compact"],
        materials: Some(&[
            ("Magnesium", "Magnesium alloy"),
            ("Aluminium", "Aluminium"),
            ("Titanium", "Titanium"),
        ]),
        price: (4900, 249900),
        options: &[COLOUR],
        attrs: &[SENSOR, MEGAPIXELS, BATTERY_LIFE, WARRANTY],
        model_pct: 80,
        features: None,
        closers: None,
    },
    // --- Sports & Outdoors
    Leaf {
        group: SPORTS,
        path: &["Sports & Outdoors", "Running", "Running Shoes"],
        weight: 3,
        nouns: &[
            "Running Shoes",
            "Trail Running Shoes",
            "Racing Flats",
            "Trail Shoes",
        ],
        styles: &[
            "Carbon-Plated",
            "Stability",
            "Neutral",
            "Wide Fit",
            "Waterproof",
        ],
        materials: Some(&[("Mesh", "Engineered mesh"), ("Knit", "Recycled knit")]),
        price: (5000, 22000),
        options: &[SHOE_SIZE],
        attrs: &[DROP, TERRAIN, CUSHIONING, GENDER],
        model_pct: 70,
        features: None,
        closers: None,
    },
    Leaf {
        group: SPORTS,
        path: &["Sports & Outdoors", "Running", "Running Apparel"],
        weight: 2,
        nouns: &[
            "Running Tights",
            "Running Shorts",
            "Running Vest",
            "Running Top",
            "Base Layer",
            "Sports Bra",
        ],
        styles: &[
            "Seamless",
            "Half Zip",
            "2-in-1",
            "Long Sleeve",
            "Hi-Vis",
            "Quick-Dry",
            "Reflective",
            "Breathable",
        ],
        materials: Some(&[
            ("Recycled", "Recycled polyester"),
            ("Merino", "Merino wool"),
            ("Nylon", "Recycled nylon"),
            ("Jersey", "Technical jersey"),
        ]),
        price: (1800, 9000),
        options: &[SIZE],
        attrs: &[FIT, GENDER, SIZE_RANGE],
        model_pct: 0,
        features: None,
        closers: None,
    },
    Leaf {
        group: SPORTS,
        path: &["Sports & Outdoors", "Fitness", "Yoga & Pilates"],
        weight: 2,
        nouns: &[
            "Yoga Mat",
            "Yoga Block",
            "Resistance Bands",
            "Pilates Ring",
            "Foam Roller",
            "Exercise Mat",
        ],
        styles: &["Non-Slip", "Extra Thick", "Travel", "Alignment", "Textured"],
        materials: Some(&[
            ("Cork", "Cork"),
            ("Rubber", "Natural rubber"),
            ("TPE", "TPE"),
            ("Jute", "Jute"),
        ]),
        price: (900, 9900),
        options: &[COLOUR],
        attrs: &[THICKNESS],
        model_pct: 0,
        features: Some(KIT_FEATURES),
        closers: Some(KIT_CLOSERS),
    },
    Leaf {
        group: SPORTS,
        path: &["Sports & Outdoors", "Fitness", "Weights"],
        weight: 2,
        nouns: &[
            "Dumbbells",
            "Kettlebell",
            "Weight Plate",
            "Barbell",
            "Weight Bench",
        ],
        styles: &["Adjustable", "Hex", "Competition", "Olympic", "Studio"],
        materials: Some(&[
            ("Cast Iron", "Cast iron"),
            ("Rubber", "Rubber-coated steel"),
            ("Neoprene", "Neoprene"),
            ("Chrome", "Chrome steel"),
        ]),
        price: (1500, 39900),
        options: &[WEIGHT],
        attrs: &[GRIP],
        model_pct: 0,
        features: Some(KIT_FEATURES),
        closers: Some(KIT_CLOSERS),
    },
    Leaf {
        group: SPORTS,
        path: &["Sports & Outdoors", "Camping & Hiking", "Camping"],
        weight: 2,
        nouns: &[
            "Tent",
            "Backpacking Tent",
            "Family Tent",
            "Bivvy",
            "Tarp",
            "Sleeping Bag",
            "Sleeping Mat",
            "Camping Stove",
        ],
        styles: &[
            "Tunnel",
            "Dome",
            "Inflatable",
            "Mummy",
            "Self-Inflating",
            "Freestanding",
        ],
        materials: Some(&[
            ("Ripstop", "Ripstop nylon"),
            ("Polycotton", "Polycotton"),
            ("Silnylon", "Silicone-coated nylon"),
            ("Canvas", "Cotton canvas"),
        ]),
        price: (2500, 79900),
        options: &[BERTHS],
        attrs: &[SEASON_RATING, PACK_WEIGHT, WATERPROOF],
        model_pct: 50,
        features: Some(KIT_FEATURES),
        closers: Some(KIT_CLOSERS),
    },
    Leaf {
        group: SPORTS,
        path: &["Sports & Outdoors", "Camping & Hiking", "Outdoor Clothing"],
        weight: 3,
        nouns: &[
            "Shell Jacket",
            "Fleece",
            "Softshell",
            "Waterproof Trousers",
            "Down Jacket",
            "Midlayer",
            "Walking Trousers",
        ],
        styles: &[
            "Hooded",
            "Full Zip",
            "Stretch",
            "Three Layer",
            "Hybrid",
            "Breathable",
            "Waterproof",
            "Insulated",
            "Packable",
        ],
        materials: Some(&[
            ("Recycled", "Recycled polyester"),
            ("Merino", "Merino wool"),
            ("Ripstop", "Ripstop nylon"),
            ("Synthetic", "Synthetic insulation"),
        ]),
        price: (3500, 39900),
        options: &[SIZE],
        attrs: &[GENDER, WATERPROOF, INSULATION, SIZE_RANGE],
        model_pct: 40,
        features: None,
        closers: None,
    },
    Leaf {
        group: SPORTS,
        path: &["Sports & Outdoors", "Cycling", "Bikes"],
        weight: 1,
        nouns: &[
            "Road Bike",
            "Hybrid Bike",
            "Mountain Bike",
            "Gravel Bike",
            "Electric Bike",
            "E-Bike",
            "Bicycle",
            "Folding Bike",
        ],
        styles: &[
            "Hardtail",
            "Full Suspension",
            "Step-Through",
            "Disc",
            "Commuter",
        ],
        materials: Some(&[
            ("Aluminium", "Aluminium"),
            ("Carbon", "Carbon fibre"),
            ("Steel", "Chromoly steel"),
            ("Titanium", "Titanium"),
        ]),
        price: (29900, 450000),
        options: &[FRAME_SIZE],
        attrs: &[GEARS, WHEEL],
        model_pct: 70,
        features: Some(KIT_FEATURES),
        closers: Some(KIT_CLOSERS),
    },
    Leaf {
        group: SPORTS,
        path: &["Sports & Outdoors", "Cycling", "Cycling Accessories"],
        weight: 2,
        nouns: &[
            "Bike Helmet",
            "Cycling Jersey",
            "Bike Light",
            "Bike Lock",
            "Cycling Gloves",
            "Saddle Bag",
            "Bike Pump",
        ],
        styles: &[
            "Rechargeable",
            "Commuter",
            "Aero",
            "Front and Rear",
            "D-Lock",
        ],
        materials: Some(&[]),
        price: (1200, 19900),
        options: &[COLOUR],
        attrs: &[WARRANTY],
        model_pct: 20,
        features: Some(KIT_FEATURES),
        closers: Some(KIT_CLOSERS),
    },
    // --- Beauty & Personal Care
    Leaf {
        group: BEAUTY,
        path: &["Beauty & Personal Care", "Skincare"],
        weight: 3,
        nouns: &[
            "Moisturiser",
            "Face Cream",
            "Serum",
            "Cleanser",
            "Face Wash",
            "Toner",
            "Sunscreen",
            "Eye Cream",
            "Face Oil",
        ],
        styles: &[
            "Vitamin C",
            "Hyaluronic",
            "Niacinamide",
            "Retinol",
            "SPF 30",
            "SPF 50",
            "Oat",
            "Rosehip",
        ],
        materials: Some(&[]),
        price: (800, 7500),
        options: &[VOLUME],
        attrs: &[SKIN_TYPE, INGREDIENT, VEGAN],
        model_pct: 0,
        features: None,
        closers: None,
    },
    Leaf {
        group: BEAUTY,
        path: &["Beauty & Personal Care", "Hair Care"],
        weight: 2,
        nouns: &[
            "Shampoo",
            "Conditioner",
            "Hair Mask",
            "Hair Oil",
            "Styling Cream",
            "Dry Shampoo",
        ],
        styles: &[
            "Argan",
            "Coconut",
            "Tea Tree",
            "Keratin",
            "Volumising",
            "Curl",
        ],
        materials: Some(&[]),
        price: (600, 4500),
        options: &[VOLUME],
        attrs: &[HAIR_TYPE, SCENT, VEGAN],
        model_pct: 0,
        features: None,
        closers: None,
    },
    Leaf {
        group: BEAUTY,
        path: &["Beauty & Personal Care", "Bath & Body"],
        weight: 2,
        nouns: &[
            "Body Wash",
            "Shower Gel",
            "Hand Cream",
            "Body Lotion",
            "Bath Salts",
            "Soap Bar",
            "Candle",
            "Body Scrub",
        ],
        styles: &[
            "Lavender",
            "Sea Salt",
            "Eucalyptus",
            "Shea",
            "Charcoal",
            "Neroli",
        ],
        materials: Some(&[]),
        price: (500, 4500),
        options: &[VOLUME],
        attrs: &[SCENT, SKIN_TYPE, VEGAN],
        model_pct: 0,
        features: None,
        closers: None,
    },
    Leaf {
        group: BEAUTY,
        path: &["Beauty & Personal Care", "Fragrance"],
        weight: 2,
        nouns: &[
            "Eau de Parfum",
            "Perfume",
            "Cologne",
            "Eau de Toilette",
            "Body Mist",
        ],
        styles: &[
            "Oud", "Amber", "Vetiver", "Bergamot", "Jasmine", "Tuberose", "Cedar",
        ],
        materials: Some(&[]),
        price: (2500, 18000),
        options: &[PERFUME_SIZE],
        attrs: &[FRAGRANCE_FAMILY, GENDER],
        model_pct: 0,
        features: None,
        closers: None,
    },
    Leaf {
        group: BEAUTY,
        path: &["Beauty & Personal Care", "Grooming & Haircare Tools"],
        weight: 2,
        nouns: &[
            "Razor",
            "Shaving Cream",
            "Beard Oil",
            "Beard Trimmer",
            "Electric Toothbrush",
            "Hair Dryer",
            "Hair Straighteners",
        ],
        styles: &[
            "Safety",
            "Cordless",
            "Ionic",
            "Sonic",
            "Travel",
            "Precision",
        ],
        materials: Some(&[]),
        price: (800, 29900),
        options: &[],
        attrs: &[WARRANTY, VEGAN],
        model_pct: 0,
        features: Some(GROOMING_FEATURES),
        closers: Some(GROOMING_CLOSERS),
    },
    // --- Toys & Games
    Leaf {
        group: TOYS,
        path: &["Toys & Games", "Games & Puzzles"],
        weight: 3,
        nouns: &[
            "Board Game",
            "Card Game",
            "Strategy Game",
            "Party Game",
            "Chess Set",
            "Jigsaw Puzzle",
            "Jigsaw",
            "Puzzle",
        ],
        styles: &[
            "500 Piece",
            "1000 Piece",
            "Cooperative",
            "Travel",
            "Word",
            "Trivia",
        ],
        materials: Some(&[("Cardboard", "Recycled cardboard"), ("Wooden", "FSC wood")]),
        price: (800, 7500),
        options: &[],
        attrs: &[AGE, PLAYERS, PLAY_TIME],
        model_pct: 0,
        features: None,
        closers: None,
    },
    Leaf {
        group: TOYS,
        path: &["Toys & Games", "Building Toys"],
        weight: 2,
        nouns: &[
            "Building Set",
            "Construction Set",
            "Marble Run",
            "Building Blocks",
            "Train Set",
        ],
        styles: &[
            "Starter",
            "Space",
            "Castle",
            "City",
            "Robot",
            "Dinosaur",
            "Magnetic",
            "Glow-in-the-Dark",
        ],
        materials: Some(&[
            ("Wooden", "FSC wood"),
            ("Recycled", "Recycled plastic"),
            ("Bamboo", "Bamboo"),
        ]),
        price: (1000, 15000),
        options: &[],
        attrs: &[AGE],
        model_pct: 0,
        features: None,
        closers: None,
    },
    Leaf {
        group: TOYS,
        path: &["Toys & Games", "Soft Toys"],
        weight: 2,
        nouns: &[
            "Teddy Bear",
            "Plush Toy",
            "Soft Toy",
            "Cuddly Toy",
            "Comforter Blanket",
        ],
        styles: &[
            "Bunny", "Elephant", "Fox", "Sloth", "Dinosaur", "Unicorn", "Penguin", "Musical",
            "Weighted",
        ],
        materials: Some(&[
            ("Plush", "Polyester plush"),
            ("Cotton", "Organic cotton"),
            ("Knitted", "Knitted cotton"),
        ]),
        price: (800, 5000),
        options: &[BAG_SIZE],
        attrs: &[AGE],
        model_pct: 0,
        features: None,
        closers: None,
    },
    Leaf {
        group: TOYS,
        path: &["Toys & Games", "Arts & Crafts"],
        weight: 2,
        nouns: &[
            "Craft Kit",
            "Paint Set",
            "Colouring Pencils",
            "Sketchbook",
            "Modelling Clay",
            "Watercolour Set",
        ],
        styles: &["Beginner", "Deluxe", "Metallic", "Neon", "Scented"],
        materials: Some(&[]),
        price: (500, 4500),
        options: &[],
        attrs: &[AGE],
        model_pct: 0,
        features: None,
        closers: None,
    },
    Leaf {
        group: TOYS,
        path: &["Toys & Games", "Outdoor Toys"],
        weight: 1,
        nouns: &[
            "Scooter",
            "Trampoline",
            "Kite",
            "Paddling Pool",
            "Swing Set",
            "Balance Bike",
        ],
        styles: &["Folding", "Stunt", "8ft", "10ft", "Light-Up"],
        materials: Some(&[
            ("Steel", "Powder-coated steel"),
            ("Aluminium", "Aluminium"),
            ("Recycled", "Recycled plastic"),
        ]),
        price: (1500, 39900),
        options: &[COLOUR],
        attrs: &[AGE],
        model_pct: 0,
        features: None,
        closers: None,
    },
    // --- Garden & DIY
    Leaf {
        group: GARDEN,
        path: &["Garden & DIY", "Garden Furniture"],
        weight: 2,
        nouns: &[
            "Garden Bench",
            "Patio Set",
            "Bistro Set",
            "Sun Lounger",
            "Parasol",
            "Hammock",
            "Garden Chair",
        ],
        styles: &["2 Seater", "4 Seater", "Reclining", "Cantilever", "Folding"],
        materials: Some(&[
            ("Teak", "Teak"),
            ("Acacia", "Acacia wood"),
            ("Rattan", "Synthetic rattan"),
            ("Aluminium", "Aluminium"),
            ("Steel", "Powder-coated steel"),
        ]),
        price: (3900, 149900),
        options: &[],
        attrs: &[WEATHERPROOF, ASSEMBLY, SEATS],
        model_pct: 0,
        features: Some(GARDEN_LIVING_FEATURES),
        closers: Some(GARDEN_LIVING_CLOSERS),
    },
    Leaf {
        group: GARDEN,
        path: &["Garden & DIY", "Gardening", "Garden Tools"],
        weight: 2,
        nouns: &[
            "Spade",
            "Garden Fork",
            "Pruning Shears",
            "Secateurs",
            "Trowel",
            "Watering Can",
            "Garden Hose",
            "Planter",
            "Plant Pot",
        ],
        styles: &[
            "Border",
            "Bypass",
            "Anvil",
            "Expandable",
            "Self-Watering",
            "Hanging",
        ],
        materials: Some(&[
            ("Stainless", "Stainless steel"),
            ("Ash", "Ash wood"),
            ("Steel", "Carbon steel"),
            ("Terracotta", "Terracotta"),
        ]),
        price: (500, 8000),
        options: &[],
        attrs: &[HANDLE],
        model_pct: 0,
        features: Some(HAND_TOOL_FEATURES),
        closers: Some(HAND_TOOL_CLOSERS),
    },
    Leaf {
        group: GARDEN,
        path: &["Garden & DIY", "Gardening", "BBQs & Outdoor Heating"],
        weight: 1,
        nouns: &[
            "Barbecue",
            "BBQ",
            "Grill",
            "Pizza Oven",
            "Fire Pit",
            "Kamado Grill",
        ],
        styles: &["Kettle", "3 Burner", "4 Burner", "Portable", "Smoker"],
        materials: Some(&[
            ("Stainless", "Stainless steel"),
            ("Cast Iron", "Cast iron"),
            ("Steel", "Powder-coated steel"),
            ("Ceramic", "Ceramic"),
        ]),
        price: (2900, 149900),
        options: &[],
        attrs: &[FUEL, WEATHERPROOF],
        model_pct: 0,
        features: Some(GARDEN_LIVING_FEATURES),
        closers: Some(GARDEN_LIVING_CLOSERS),
    },
    Leaf {
        group: GARDEN,
        path: &["Garden & DIY", "Tools", "Power Tools"],
        weight: 2,
        nouns: &[
            "Cordless Drill",
            "Drill Driver",
            "Impact Driver",
            "Circular Saw",
            "Jigsaw",
            "Sander",
            "Multi-Tool",
            "Lawn Mower",
            "Hedge Trimmer",
        ],
        styles: &[
            "18V",
            "36V",
            "Combi",
            "SDS",
            "Orbital",
            "Cordless",
            "Brushless",
        ],
        materials: Some(&[]),
        price: (3900, 49900),
        options: &[KIT],
        attrs: &[POWER_SOURCE, WARRANTY],
        model_pct: 0,
        features: None,
        closers: None,
    },
    Leaf {
        group: GARDEN,
        path: &["Garden & DIY", "Tools", "Hand Tools"],
        weight: 2,
        nouns: &[
            "Hammer",
            "Screwdriver Set",
            "Spanner Set",
            "Tape Measure",
            "Spirit Level",
            "Toolbox",
            "Socket Set",
        ],
        styles: &["Claw", "Ratchet", "Magnetic", "Precision", "32 Piece"],
        materials: Some(&[
            ("Steel", "Chrome vanadium steel"),
            ("Fibreglass", "Fibreglass"),
            ("Ash", "Ash wood"),
        ]),
        price: (500, 12000),
        options: &[],
        attrs: &[HANDLE, WARRANTY],
        model_pct: 0,
        features: Some(HAND_TOOL_FEATURES),
        closers: Some(HAND_TOOL_CLOSERS),
    },
];

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
